//! `workshop worker <exercise>`: build an exercise's worker binary once, then become it.
//!
//! The worker binary is exec'd in place of this process (not run through `cargo run`),
//! so the PID the learner sees is the worker's own: Ctrl-C reaches it directly, and
//! `kill -9 <pid>` kills the worker itself, never a wrapper that would leave it orphaned.

use std::os::unix::process::CommandExt;
use std::process::{Command, ExitCode};

use crate::cargo;
use crate::catalog::{self, Variant};

#[derive(clap::Args)]
pub struct Args {
    /// The exercise whose worker to run.
    pub exercise: String,
    /// Run the reference solution's worker instead of yours.
    #[arg(long)]
    pub solution: bool,
    /// Poll this task queue instead of the exercise's own.
    #[arg(long)]
    pub task_queue: Option<String>,
    /// Address of the workshop server (host:port).
    #[arg(long)]
    pub address: Option<String>,
    /// Namespace to work in.
    #[arg(long)]
    pub namespace: Option<String>,
    /// Build with optimizations (as you would for production).
    #[arg(long)]
    pub release: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let catalog = catalog::load()?;
    let exercise = catalog.get(&args.exercise)?;
    let variant = if args.solution { Variant::Solution } else { Variant::Practice };
    let bin = exercise.worker_bin(variant);
    let executable = cargo::build_bin(&catalog.root, &exercise.package(variant), &bin, args.release)?;
    let mut cmd = Command::new(&executable);
    cmd.args(forwarded(&args));
    if std::env::var_os("RUST_LOG").is_none() {
        // The course's Go workers print Debug lines by default, and Part D watches for one.
        cmd.env("RUST_LOG", "info,workflow=debug,activity=debug");
    }
    eprintln!("Starting worker `{bin}` (pid {}); Ctrl-C stops it.", std::process::id());
    let err = cmd.exec();
    Err(anyhow::anyhow!("cannot start {}: {err}", executable.display()))
}

/// The options the worker binary understands, as given to us.
fn forwarded(args: &Args) -> Vec<String> {
    let mut out = Vec::new();
    for (flag, value) in
        [("--task-queue", &args.task_queue), ("--address", &args.address), ("--namespace", &args.namespace)]
    {
        if let Some(value) = value {
            out.push(flag.to_string());
            out.push(value.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwards_only_the_given_options() {
        let args = Args {
            exercise: "x".into(),
            solution: false,
            task_queue: Some("q".into()),
            address: None,
            namespace: Some("ns".into()),
            release: false,
        };
        assert_eq!(forwarded(&args), ["--task-queue", "q", "--namespace", "ns"]);
    }
}
