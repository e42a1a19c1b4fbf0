//! A bare engine process for tests that need a real process to kill (crash tests), so the
//! engine's tests do not depend on the root `workshop` binary. Prints
//! `listening on http://ADDR` once ready. Honours `WORKSHOP_CRASH_AFTER_COMMITS`.
//!
//! Usage: `workshop-engine [--port N] [--db PATH | --in-memory] [--long-poll-ms N]`

use std::sync::Arc;
use std::time::Duration;

use workshop_engine::{Db, Engine, EngineConfig, Settings, SystemClock};

fn main() -> anyhow::Result<()> {
    let mut port = 0u16;
    let mut db = Db::InMemory;
    let mut settings = Settings::default().with_env_overrides();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--port" => port = args.next().unwrap_or_default().parse()?,
            "--db" => db = Db::File(args.next().unwrap_or_default().into()),
            "--in-memory" => db = Db::InMemory,
            "--long-poll-ms" => settings.long_poll_timeout = Duration::from_millis(args.next().unwrap_or_default().parse()?),
            other => anyhow::bail!("unknown argument {other:?}"),
        }
    }
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    rt.block_on(async move {
        let engine = Engine::start(EngineConfig {
            db,
            clock: Arc::new(SystemClock),
            settings,
            bind: ([127, 0, 0, 1], port).into(),
        })
        .await?;
        println!("listening on {}", engine.url());
        use std::io::Write;
        std::io::stdout().flush()?;
        let _ = tokio::signal::ctrl_c().await;
        engine.shutdown().await;
        Ok(())
    })
}
