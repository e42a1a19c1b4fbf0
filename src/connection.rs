//! How the client commands (`workflow`, `task-queue`, `namespace`) reach the engine: the
//! `--address` / `--namespace` flags every one of them takes (as the `temporal` CLI's
//! do), a runtime to drive the async SDK client, and errors turned into advice.

use std::future::Future;

use workshop_sdk::client::{
    Client, ClientError, ClientOptions, DEFAULT_NAMESPACE, default_identity,
};
use workshop_sdk::transport::DEFAULT_ADDRESS;

/// Where the workshop server is, and which namespace to work in.
#[derive(clap::Args, Debug, Clone)]
pub struct ConnectionArgs {
    /// Address of the workshop server (`workshop server` prints it when it starts).
    #[arg(long, env = "WORKSHOP_ADDRESS", default_value = DEFAULT_ADDRESS, value_name = "HOST:PORT")]
    pub address: String,
    /// Namespace: an isolated set of workflow executions and task queues.
    #[arg(long, short = 'n', default_value = DEFAULT_NAMESPACE)]
    pub namespace: String,
}

impl ConnectionArgs {
    /// An SDK client for these flags; identity `workshop-cli:pid@host`, like
    /// `temporal-cli:user@host`, so events caused from the command line say so.
    pub fn client(&self) -> anyhow::Result<Client> {
        Ok(Client::new(ClientOptions {
            address: self.address.clone(),
            namespace: self.namespace.clone(),
            identity: format!("workshop-cli:{}", default_identity()),
        })?)
    }
}

/// Runs one client command's async body on a small runtime of its own.
pub fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime for the client")
        .block_on(future)
}

/// A client error as a person can act on it: the engine's message plus what to do next
/// (`workflow_id` is set by commands that address one workflow).
pub fn explain(
    error: ClientError,
    connection: &ConnectionArgs,
    workflow_id: Option<&str>,
) -> anyhow::Error {
    let Some(rpc) = (match &error {
        ClientError::Transport(t) if error.is_not_found() => t.rpc_error(),
        _ => None,
    }) else {
        return anyhow::Error::new(error);
    };
    let message = rpc.message.trim_end_matches('.');
    let namespace_missing = message.contains("namespace") && !message.contains("workflow");
    if namespace_missing {
        anyhow::anyhow!("{message} (the namespaces: `workshop namespace list`)")
    } else if workflow_id.is_some() && message.contains("not found") {
        anyhow::anyhow!(
            "{message}. See the executions of namespace `{}` with `workshop workflow list`",
            connection.namespace
        )
    } else {
        anyhow::anyhow!("{message}")
    }
}
