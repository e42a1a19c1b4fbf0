//! `workshop microservice`: the course's translation service (`crates/translation-service`).

use std::process::ExitCode;

use anyhow::Context;

#[derive(clap::Args)]
pub struct Args {
    /// Port to listen on (0 picks a free one; the address is printed).
    #[arg(long, default_value_t = translation_service::DEFAULT_PORT)]
    pub port: u16,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port))
            .await
            .with_context(|| format!("cannot listen on port {} (is another microservice running?)", args.port))?;
        let port = listener.local_addr()?.port();
        println!("Starting server on port {port}");
        tokio::select! {
            served = translation_service::serve(listener) => served?,
            _ = tokio::signal::ctrl_c() => {}
        }
        anyhow::Ok(ExitCode::SUCCESS)
    })
}
