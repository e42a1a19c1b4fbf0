//! `run_from_args`: the `main` of a worker binary. Parses `--address` (env
//! `WORKSHOP_ADDRESS`, default 127.0.0.1:7233), `--namespace`, `--task-queue`,
//! `--identity`, and `--replay FILE`, which replays a history file against the
//! registered workflows instead of polling (exit 0: replays; 1: non-determinism or a
//! panic, with the table; 2: not a usable history for these workflows).

use std::path::PathBuf;

use clap::Parser;
use workshop_protocol::history::History;

use crate::client::{Client, ClientOptions, DEFAULT_NAMESPACE};
use crate::replay::{ReplayError, replay_history};
use crate::transport::DEFAULT_ADDRESS;

use super::{Worker, WorkerOptions};

#[derive(Debug, Clone, Parser)]
#[command(about = "A workshop worker: polls a task queue and runs its workflows and activities")]
pub struct WorkerArgs {
    /// The engine's address.
    #[arg(long, env = "WORKSHOP_ADDRESS", default_value = DEFAULT_ADDRESS)]
    pub address: String,
    #[arg(long, env = "WORKSHOP_NAMESPACE", default_value = DEFAULT_NAMESPACE)]
    pub namespace: String,
    /// The task queue to poll (the worker's default when absent).
    #[arg(long)]
    pub task_queue: Option<String>,
    /// The worker's identity (default `pid@hostname`).
    #[arg(long)]
    pub identity: Option<String>,
    /// Replay this history file (JSON, CLI or HTTP form) against the registered
    /// workflows and exit.
    #[arg(long, value_name = "FILE")]
    pub replay: Option<PathBuf>,
}

/// Parses the process arguments, registers through `register`, then either replays a
/// history file (`--replay`) or runs the worker until Ctrl-C. Exits the process.
pub fn run_from_args(default_task_queue: &str, register: impl FnOnce(&mut Worker)) -> anyhow::Result<()> {
    let args = WorkerArgs::parse();
    crate::logging::init_tracing();
    let client = Client::new(ClientOptions {
        address: args.address.clone(),
        namespace: args.namespace.clone(),
        identity: args.identity.clone().unwrap_or_default(),
    })?;
    let mut options = WorkerOptions::new(args.task_queue.clone().unwrap_or_else(|| default_task_queue.to_string()));
    options.identity = args.identity.clone();
    let mut worker = Worker::with_options(client, options);
    register(&mut worker);

    if let Some(path) = &args.replay {
        std::process::exit(replay_file(&worker, path));
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let result = runtime.block_on(worker.run());
    if let Err(e) = &result {
        eprintln!("worker stopped: {e:#}");
        std::process::exit(1);
    }
    // Long polls still open on blocking threads would keep the process alive for up
    // to a minute; the engine hands their tasks to other workers.
    std::process::exit(0)
}

/// Replays `path` against the worker's workflows; returns the exit code.
fn replay_file(worker: &Worker, path: &std::path::Path) -> i32 {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("cannot read {}: {e}", path.display());
            return 2;
        }
    };
    let history = match History::from_json_str(&text) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("{} is not a usable history: {e}", path.display());
            return 2;
        }
    };
    match replay_history(worker.registry(), &history) {
        Ok(()) => {
            println!(
                "{}: replayed {} events against the current workflow code: OK",
                path.display(),
                history.events.len()
            );
            0
        }
        Err(ReplayError::NonDeterminism(e)) => {
            eprintln!("{}: {e}", path.display());
            1
        }
        Err(e @ ReplayError::Panic(_)) => {
            eprintln!("{}: {e}", path.display());
            1
        }
        Err(e) => {
            eprintln!("{}: {e}", path.display());
            2
        }
    }
}
