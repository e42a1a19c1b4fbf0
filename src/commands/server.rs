//! `workshop server`: runs the durable-execution engine (frontend, history and matching in
//! one process) until Ctrl-C.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use workshop_engine::{Db, Engine, EngineConfig, Settings, SystemClock};

#[derive(clap::Args)]
pub struct Args {
    /// Port to listen on (0 picks a free one and prints it).
    #[arg(long, default_value_t = 7233)]
    pub port: u16,
    /// SQLite database file [default: .workshop/engine.db in the repository].
    #[arg(long, conflicts_with = "in_memory")]
    pub db: Option<PathBuf>,
    /// Keep everything in memory (lost when the server stops).
    #[arg(long)]
    pub in_memory: bool,
    /// Address to bind [default: 127.0.0.1, reachable from this machine only].
    #[arg(long)]
    pub bind: Option<IpAddr>,
}

/// The repository root: the nearest ancestor whose Cargo.toml has a `[workspace]`.
pub fn repo_root() -> Option<PathBuf> {
    let mut dir = std::env::current_dir().ok()?;
    loop {
        let manifest = dir.join("Cargo.toml");
        if std::fs::read_to_string(&manifest).is_ok_and(|t| t.contains("[workspace]")) {
            return Some(dir);
        }
        if !dir.pop() {
            return None;
        }
    }
}

fn default_db() -> PathBuf {
    let base = repo_root().or_else(|| std::env::current_dir().ok()).unwrap_or_else(|| Path::new(".").to_path_buf());
    base.join(".workshop").join("engine.db")
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let db = if args.in_memory {
        Db::InMemory
    } else {
        Db::File(args.db.clone().unwrap_or_else(default_db))
    };
    let db_text = match &db {
        Db::InMemory => "in memory".to_string(),
        Db::File(p) => p.display().to_string(),
    };
    let bind = SocketAddr::new(args.bind.unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST)), args.port);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the runtime")?;
    rt.block_on(async move {
        let engine = Engine::start(EngineConfig {
            db,
            clock: Arc::new(SystemClock),
            settings: Settings::default().with_env_overrides(),
            bind,
        })
        .await?;
        println!("workshop server listening on {} (database: {db_text})", engine.url());
        println!("Press Ctrl-C to stop.");
        use std::io::Write;
        std::io::stdout().flush()?;
        tokio::signal::ctrl_c().await.context("cannot wait for Ctrl-C")?;
        eprintln!("shutting down...");
        engine.shutdown().await;
        eprintln!("stopped.");
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(ExitCode::SUCCESS)
}
