//! `workshop namespace`: create and list namespaces, as `temporal operator namespace`
//! does.

use std::process::ExitCode;

use colored::Colorize;

use crate::commands::workflow::Output;
use crate::connection::{ConnectionArgs, block_on, explain};
use workshop_sdk::client::DEFAULT_NAMESPACE;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Create a namespace: an isolated set of workflow executions and task queues
    /// (workflow IDs are unique per namespace). `default` always exists.
    Create(CreateArgs),
    /// List the namespaces of the server.
    List(ListArgs),
}

#[derive(clap::Args, Debug)]
pub struct CreateArgs {
    /// Name of the new namespace (`--namespace NAME` works too).
    #[arg(value_name = "NAME")]
    pub name: Option<String>,
    /// What the namespace is for.
    #[arg(long, default_value = "")]
    pub description: String,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(clap::Args, Debug)]
pub struct ListArgs {
    /// Output format.
    #[arg(long, short = 'o', value_enum, default_value_t = Output::Text)]
    pub output: Output,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

pub fn run(cmd: Command) -> anyhow::Result<ExitCode> {
    block_on(async move {
        match cmd {
            Command::Create(args) => create(args).await,
            Command::List(args) => list(args).await,
        }
    })
}

async fn create(args: CreateArgs) -> anyhow::Result<ExitCode> {
    // Accept `create NAME` and `create --namespace NAME` (the engine's hints use the latter).
    let name = match &args.name {
        Some(name) => name.clone(),
        None if args.connection.namespace != DEFAULT_NAMESPACE => args.connection.namespace.clone(),
        None => anyhow::bail!("which namespace? `workshop namespace create NAME`"),
    };
    // Registering goes to the server, not into a namespace: use the default one.
    let mut connection = args.connection.clone();
    connection.namespace = DEFAULT_NAMESPACE.to_string();
    let client = connection.client()?;
    client
        .register_namespace(&name, &args.description)
        .await
        .map_err(|e| explain(e, &connection, None))?;
    println!(
        "Created namespace `{name}`. Use it with --namespace {name} (in code: ClientOptions {{ namespace, .. }})."
    );
    Ok(ExitCode::SUCCESS)
}

async fn list(args: ListArgs) -> anyhow::Result<ExitCode> {
    let client = args.connection.client()?;
    let response = client
        .list_namespaces()
        .await
        .map_err(|e| explain(e, &args.connection, None))?;
    match args.output {
        Output::Json => println!("{}", serde_json::to_string_pretty(&response)?),
        Output::Text => {
            println!(
                "{}",
                format!("{:<24}  {:<12}  {}", "NAME", "STATE", "DESCRIPTION").bold()
            );
            for ns in &response.namespaces {
                let info = &ns.namespace_info;
                let state = info.state.map_or("", |s| s.short_name());
                println!("{:<24}  {:<12}  {}", info.name, state, info.description);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
