//! `workshop task-queue`: inspect task queues and the workers polling them, as
//! `temporal task-queue describe` does.

use std::process::ExitCode;

use crate::commands::workflow::Output;
use crate::connection::{ConnectionArgs, block_on, explain};

#[derive(clap::Subcommand)]
pub enum Command {
    /// Show the workers (pollers) of a task queue: identity and last access.
    ///
    /// Workers long-poll a task queue for workflow and activity tasks. A workflow whose
    /// tasks sit unanswered usually has no worker polling its queue: check here, then
    /// start one.
    Describe(DescribeArgs),
}

#[derive(clap::Args, Debug)]
pub struct DescribeArgs {
    /// Task queue name, as given when the workflow was started.
    #[arg(long, short = 't', value_name = "QUEUE")]
    pub task_queue: String,
    /// Output format.
    #[arg(long, short = 'o', value_enum, default_value_t = Output::Text)]
    pub output: Output,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

pub fn run(cmd: Command) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Describe(args) => block_on(describe(args)),
    }
}

async fn describe(args: DescribeArgs) -> anyhow::Result<ExitCode> {
    let client = args.connection.client()?;
    let description = client
        .describe_task_queue(&args.task_queue)
        .await
        .map_err(|e| explain(e, &args.connection, None))?;
    match args.output {
        Output::Json => println!("{}", serde_json::to_string_pretty(&description)?),
        Output::Text => print!(
            "{}",
            crate::render::describe::render_pollers(
                &args.task_queue,
                &description,
                chrono::Utc::now()
            )
        ),
    }
    Ok(ExitCode::SUCCESS)
}
