//! `workshop workflow`: start, inspect and stop workflow executions from the command
//! line, as `temporal workflow ...` does against a Temporal service.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use colored::Colorize;
use serde_json::Value;
use workshop_protocol::enums::WorkflowExecutionStatus;
use workshop_protocol::payload::{Payload, Payloads};
use workshop_sdk::client::{ClientError, WorkflowHandle, WorkflowOptions};

use crate::connection::{ConnectionArgs, block_on, explain};
use crate::render::history_table;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Start a workflow execution and print its run ID.
    ///
    /// The service records WorkflowExecutionStarted and schedules the first workflow
    /// task on the task queue; a worker polling that queue runs your workflow code.
    /// Without a worker the execution stays Running, waiting: that is durable execution.
    Start(StartArgs),
    /// Wait for a workflow execution to close and print its result (JSON).
    ///
    /// A failed, timed-out, terminated or canceled execution prints why and exits with
    /// status 1. An execution that continued-as-new is followed to its new run.
    Result(ResultArgs),
    /// Show the state of an execution: status, history length, pending activities
    /// (attempt, next retry, last failure) and the pending workflow task.
    ///
    /// The first place to look when a workflow does not progress.
    Describe(DescribeArgs),
    /// Show the event history of an execution, one event per line.
    ///
    /// The history is the source of truth: a worker that replays it rebuilds the
    /// workflow's state. `--output json` writes it in the same JSON as `temporal workflow
    /// show --output json`, ready for `workshop replay` or `workshop show-history`.
    Show(ShowArgs),
    /// List workflow executions (newest first).
    List(ListArgs),
    /// Terminate an execution: it closes at once, no workflow code runs again.
    ///
    /// Unlike cancel, the workflow gets no chance to clean up; pending activities and
    /// timers are dropped.
    Terminate(TerminateArgs),
    /// Request cancellation of an execution.
    ///
    /// The service records WorkflowExecutionCancelRequested and the workflow decides what
    /// to do (clean up, then close as Canceled, or ignore it).
    Cancel(CancelArgs),
    /// Send a signal to a running execution (WorkflowExecutionSignaled): data pushed into
    /// the workflow from outside.
    Signal(SignalArgs),
}

/// Which execution: a workflow ID, and optionally one run of it.
#[derive(clap::Args, Debug)]
pub struct ExecutionArgs {
    /// Workflow ID: the business identifier given at start.
    #[arg(long, short = 'w', value_name = "ID")]
    pub workflow_id: String,
    /// Run ID of one run of that workflow ID (default: the latest run).
    #[arg(long, short = 'r', value_name = "RUN_ID")]
    pub run_id: Option<String>,
}

impl ExecutionArgs {
    fn handle(&self, connection: &ConnectionArgs) -> anyhow::Result<WorkflowHandle> {
        let handle = connection.client()?.workflow_handle(&self.workflow_id);
        Ok(match &self.run_id {
            Some(run_id) => handle.with_run_id(run_id),
            None => handle,
        })
    }
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq)]
pub enum Output {
    /// Readable text with colors.
    #[default]
    Text,
    /// JSON (Temporal's protobuf-JSON field names).
    Json,
}

#[derive(clap::Args, Debug)]
pub struct StartArgs {
    /// Workflow type: the name the worker registered the workflow function under
    /// (e.g. `TranslationWorkflow`).
    #[arg(long = "type", value_name = "TYPE")]
    pub workflow_type: String,
    /// Task queue the workers of this workflow poll.
    #[arg(long, short = 't', value_name = "QUEUE")]
    pub task_queue: String,
    /// Workflow ID: choose a business identifier (`order-1234`); one run per ID at a time.
    #[arg(long, short = 'w', value_name = "ID")]
    pub workflow_id: String,
    /// Input of the workflow as JSON, e.g. '{"Name":"Pierre","LanguageCode":"fr"}'.
    #[arg(long, short = 'i', value_name = "JSON")]
    pub input: Option<String>,
    /// Read the input JSON from a file instead.
    #[arg(long, value_name = "PATH", conflicts_with = "input")]
    pub input_file: Option<PathBuf>,
    /// Limit for the whole execution (e.g. 30s, 5m, 1h).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub execution_timeout: Option<Duration>,
    /// Limit for one run.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub run_timeout: Option<Duration>,
    /// Start-to-close limit of each workflow task (default 10s).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub task_timeout: Option<Duration>,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(clap::Args, Debug)]
pub struct ResultArgs {
    #[command(flatten)]
    pub execution: ExecutionArgs,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(clap::Args, Debug)]
pub struct DescribeArgs {
    #[command(flatten)]
    pub execution: ExecutionArgs,
    /// Output format.
    #[arg(long, short = 'o', value_enum, default_value_t = Output::Text)]
    pub output: Output,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(clap::Args, Debug)]
pub struct ShowArgs {
    #[command(flatten)]
    pub execution: ExecutionArgs,
    /// Output format: a colored table, or the history JSON (CLI form, base64 payloads).
    #[arg(long, short = 'o', value_enum, default_value_t = Output::Text)]
    pub output: Output,
    /// Print every attribute of the event with this ID, payloads decoded.
    #[arg(long, value_name = "EVENT_ID", conflicts_with = "output")]
    pub event: Option<i64>,
    /// Follow the run as it grows on the step-by-step screen (`workshop run`'s view);
    /// colored lines until it closes when stdout is not a terminal.
    #[arg(long, conflicts_with_all = ["output", "event"])]
    pub follow: bool,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(clap::Args, Debug)]
pub struct ListArgs {
    /// Only executions in this status: Running, Completed, Failed, Canceled, Terminated,
    /// ContinuedAsNew, TimedOut.
    #[arg(long, value_name = "STATUS", value_parser = parse_status)]
    pub status: Option<WorkflowExecutionStatus>,
    /// Only executions of this workflow type.
    #[arg(long = "type", value_name = "TYPE")]
    pub workflow_type: Option<String>,
    /// Output format.
    #[arg(long, short = 'o', value_enum, default_value_t = Output::Text)]
    pub output: Output,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(clap::Args, Debug)]
pub struct TerminateArgs {
    #[command(flatten)]
    pub execution: ExecutionArgs,
    /// Why: recorded in the WorkflowExecutionTerminated event.
    #[arg(
        long,
        value_name = "TEXT",
        default_value = "terminated with `workshop workflow terminate`"
    )]
    pub reason: String,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(clap::Args, Debug)]
pub struct CancelArgs {
    #[command(flatten)]
    pub execution: ExecutionArgs,
    /// Why: recorded in the WorkflowExecutionCancelRequested event.
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub reason: String,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(clap::Args, Debug)]
pub struct SignalArgs {
    #[command(flatten)]
    pub execution: ExecutionArgs,
    /// Signal name, as the workflow waits for it.
    #[arg(long, value_name = "NAME")]
    pub name: String,
    /// Signal input as JSON.
    #[arg(long, short = 'i', value_name = "JSON")]
    pub input: Option<String>,
    /// Read the signal input JSON from a file instead.
    #[arg(long, value_name = "PATH", conflicts_with = "input")]
    pub input_file: Option<PathBuf>,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

pub fn run(cmd: Command) -> anyhow::Result<ExitCode> {
    block_on(async move {
        match cmd {
            Command::Start(args) => start(args).await,
            Command::Result(args) => result(args).await,
            Command::Describe(args) => describe(args).await,
            Command::Show(args) => show(args).await,
            Command::List(args) => list(args).await,
            Command::Terminate(args) => terminate(args).await,
            Command::Cancel(args) => cancel(args).await,
            Command::Signal(args) => signal(args).await,
        }
    })
}

async fn start(args: StartArgs) -> anyhow::Result<ExitCode> {
    let input = read_input(args.input.as_deref(), args.input_file.as_deref())?;
    let client = args.connection.client()?;
    let options = WorkflowOptions {
        id: args.workflow_id.clone(),
        task_queue: args.task_queue.clone(),
        execution_timeout: args.execution_timeout,
        run_timeout: args.run_timeout,
        task_timeout: args.task_timeout,
        request_id: None,
    };
    let handle = match client
        .start_workflow_with_payloads(&args.workflow_type, input, options)
        .await
    {
        Ok(handle) => handle,
        Err(ClientError::AlreadyStarted {
            workflow_id,
            run_id,
            ..
        }) => {
            anyhow::bail!(
                "workflow execution already started: workflow ID `{workflow_id}` is running as run {}.\n\
                 Only one run per workflow ID may be open. Pick another --workflow-id, or close the \
                 running one first (`workshop workflow terminate --workflow-id {workflow_id}`).",
                run_id.as_deref().unwrap_or("(unknown)")
            )
        }
        Err(e) => return Err(explain(e, &args.connection, None)),
    };
    println!("{}", handle.run_id().unwrap_or_default());
    Ok(ExitCode::SUCCESS)
}

async fn result(args: ResultArgs) -> anyhow::Result<ExitCode> {
    let handle = args.execution.handle(&args.connection)?;
    match handle.result_payload().await {
        Ok(payload) => {
            let value = payload.map_or(Value::Null, |p| p.to_json_value());
            println!("{}", serde_json::to_string_pretty(&value)?);
            Ok(ExitCode::SUCCESS)
        }
        Err(ClientError::Workflow(e)) => {
            eprintln!("{} {e}", "workflow did not complete:".red().bold());
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(explain(
            e,
            &args.connection,
            Some(&args.execution.workflow_id),
        )),
    }
}

async fn describe(args: DescribeArgs) -> anyhow::Result<ExitCode> {
    let handle = args.execution.handle(&args.connection)?;
    let description = handle
        .describe()
        .await
        .map_err(|e| explain(e, &args.connection, Some(&args.execution.workflow_id)))?;
    match args.output {
        Output::Json => println!("{}", serde_json::to_string_pretty(&description)?),
        Output::Text => {
            // A pending workflow task nobody picks up usually means no worker polls the
            // queue; ask, so the advice can say so.
            let pollers = if description.pending_workflow_task.is_some() {
                let queue = description.workflow_execution_info.task_queue.clone();
                handle
                    .client()
                    .describe_task_queue(&queue)
                    .await
                    .ok()
                    .map(|d| (queue, d.pollers.len()))
            } else {
                None
            };
            print!(
                "{}",
                crate::render::describe::render_description(
                    &description,
                    chrono::Utc::now(),
                    pollers
                )
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn show(args: ShowArgs) -> anyhow::Result<ExitCode> {
    let handle = args.execution.handle(&args.connection)?;
    if args.follow {
        // The view blocks on the terminal: it runs on a thread with a runtime of its own.
        let handle = handle.clone();
        return std::thread::spawn(move || crate::viz::follow::follow(handle, false))
            .join()
            .map_err(|_| anyhow::anyhow!("the follow view stopped unexpectedly"))?;
    }
    let history = handle
        .history()
        .await
        .map_err(|e| explain(e, &args.connection, Some(&args.execution.workflow_id)))?;
    if let Some(event_id) = args.event {
        let Some(event) = history.events.iter().find(|e| e.event_id == event_id) else {
            anyhow::bail!(
                "workflow `{}` has no event {event_id}: its history has events 1 to {}",
                args.execution.workflow_id,
                history.events.len()
            );
        };
        let run_start = history.events[0].event_time;
        print!("{}", history_table::render_event_detail(event, run_start));
        return Ok(ExitCode::SUCCESS);
    }
    match args.output {
        Output::Json => println!("{}", history.to_cli_json()),
        Output::Text => print!("{}", history_table::render_table(&history.events)),
    }
    Ok(ExitCode::SUCCESS)
}

async fn list(args: ListArgs) -> anyhow::Result<ExitCode> {
    let client = args.connection.client()?;
    let query = list_query(args.status, args.workflow_type.as_deref());
    let executions = client
        .list_workflows(&query)
        .await
        .map_err(|e| explain(e, &args.connection, None))?;
    match args.output {
        Output::Json => println!("{}", serde_json::to_string_pretty(&executions)?),
        Output::Text => print!(
            "{}",
            crate::render::describe::render_executions(&executions)
        ),
    }
    Ok(ExitCode::SUCCESS)
}

async fn terminate(args: TerminateArgs) -> anyhow::Result<ExitCode> {
    let handle = args.execution.handle(&args.connection)?;
    handle
        .terminate(&args.reason)
        .await
        .map_err(|e| explain(e, &args.connection, Some(&args.execution.workflow_id)))?;
    println!("Terminated workflow `{}`.", args.execution.workflow_id);
    Ok(ExitCode::SUCCESS)
}

async fn cancel(args: CancelArgs) -> anyhow::Result<ExitCode> {
    let handle = args.execution.handle(&args.connection)?;
    handle
        .cancel(&args.reason)
        .await
        .map_err(|e| explain(e, &args.connection, Some(&args.execution.workflow_id)))?;
    println!(
        "Cancellation requested for workflow `{}`: the workflow decides how to close (see `workshop workflow show --workflow-id {}`).",
        args.execution.workflow_id, args.execution.workflow_id
    );
    Ok(ExitCode::SUCCESS)
}

async fn signal(args: SignalArgs) -> anyhow::Result<ExitCode> {
    let input = read_input(args.input.as_deref(), args.input_file.as_deref())?;
    let handle = args.execution.handle(&args.connection)?;
    handle
        .signal_with_payloads(&args.name, input)
        .await
        .map_err(|e| explain(e, &args.connection, Some(&args.execution.workflow_id)))?;
    println!(
        "Signaled workflow `{}` with `{}`.",
        args.execution.workflow_id, args.name
    );
    Ok(ExitCode::SUCCESS)
}

/// The payload of `--input JSON` or `--input-file PATH`.
fn read_input(input: Option<&str>, file: Option<&Path>) -> anyhow::Result<Option<Payloads>> {
    match file {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read --input-file {}", path.display()))?;
            parse_input(Some(&text), &format!("--input-file {}", path.display()))
        }
        None => parse_input(input, "--input"),
    }
}

/// `--input` text as one json/plain payload (compacted, key order kept); malformed JSON
/// is refused before anything is sent, with what was wrong and an example.
fn parse_input(input: Option<&str>, flag: &str) -> anyhow::Result<Option<Payloads>> {
    let Some(text) = input else { return Ok(None) };
    let value: Value = serde_json::from_str(text).map_err(|e| {
        let shown = if text.chars().count() <= 200 { format!(": {text}") } else { String::new() };
        anyhow::anyhow!(
            "{flag} is not valid JSON{shown}
{e}.
             Pass one JSON value, quoted for your shell, e.g. --input '{{\"Name\":\"Pierre\",\"LanguageCode\":\"fr\"}}' \
             (a string needs its own quotes: --input '\"Pierre\"')"
        )
    })?;
    Ok(Some(Payloads::single(Payload::json(&value)?)))
}

/// The visibility query for `list`: `ExecutionStatus="Running" AND WorkflowType="X"`.
fn list_query(status: Option<WorkflowExecutionStatus>, workflow_type: Option<&str>) -> String {
    let mut clauses = Vec::new();
    if let Some(status) = status {
        clauses.push(format!("ExecutionStatus=\"{}\"", status.query_name()));
    }
    if let Some(workflow_type) = workflow_type {
        clauses.push(format!(
            "WorkflowType=\"{}\"",
            workflow_type.replace('"', "\\\"")
        ));
    }
    clauses.join(" AND ")
}

fn parse_status(text: &str) -> Result<WorkflowExecutionStatus, String> {
    let wanted = text.replace(['_', '-'], "").to_ascii_lowercase();
    WorkflowExecutionStatus::ALL
        .iter()
        .copied()
        .filter(|s| *s != WorkflowExecutionStatus::Unspecified)
        .find(|s| s.short_name().to_ascii_lowercase() == wanted || s.as_str().eq_ignore_ascii_case(text))
        .ok_or_else(|| {
            "expected one of Running, Completed, Failed, Canceled, Terminated, ContinuedAsNew, TimedOut".to_string()
        })
}

/// `10s`, `1.5s`, `500ms`, `5m`, `1h`, or a bare number of seconds.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration (examples: 10s, 500ms, 5m, 1h)"))?;
    let seconds = match unit {
        "" | "s" => number,
        "ms" => number / 1000.0,
        "m" => number * 60.0,
        "h" => number * 3600.0,
        _ => {
            return Err(format!(
                "`{text}`: unknown unit `{unit}` (use ms, s, m or h)"
            ));
        }
    };
    Duration::try_from_secs_f64(seconds).map_err(|e| format!("`{text}`: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_in_the_usual_units() {
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("7"), Ok(Duration::from_secs(7)));
        assert!(parse_duration("5 days").is_err());
        assert!(parse_duration("soon").is_err());
    }

    #[test]
    fn statuses_parse_in_any_spelling() {
        assert_eq!(
            parse_status("Running"),
            Ok(WorkflowExecutionStatus::Running)
        );
        assert_eq!(
            parse_status("running"),
            Ok(WorkflowExecutionStatus::Running)
        );
        assert_eq!(
            parse_status("continued-as-new"),
            Ok(WorkflowExecutionStatus::ContinuedAsNew)
        );
        assert_eq!(
            parse_status("TIMED_OUT"),
            Ok(WorkflowExecutionStatus::TimedOut)
        );
        assert_eq!(
            parse_status("WORKFLOW_EXECUTION_STATUS_FAILED"),
            Ok(WorkflowExecutionStatus::Failed)
        );
        assert!(parse_status("Sleeping").is_err());
    }

    #[test]
    fn list_queries_join_filters() {
        assert_eq!(list_query(None, None), "");
        assert_eq!(
            list_query(
                Some(WorkflowExecutionStatus::Running),
                Some("PizzaWorkflow")
            ),
            r#"ExecutionStatus="Running" AND WorkflowType="PizzaWorkflow""#
        );
    }

    #[test]
    fn malformed_input_is_refused_with_an_example() {
        let err = parse_input(Some("{Name: Pierre}"), "--input").unwrap_err();
        let text = format!("{err:#}");
        assert!(text.contains("--input is not valid JSON"), "{text}");
        assert!(text.contains("key must be a string"), "{text}");
        let payloads = parse_input(Some(r#"{"Name":"Pierre","LanguageCode":"fr"}"#), "--input")
            .unwrap()
            .unwrap();
        // Key order is kept, as Go's json.Marshal writes struct fields.
        assert_eq!(
            payloads.payloads[0].data,
            br#"{"Name":"Pierre","LanguageCode":"fr"}"#
        );
        assert!(parse_input(None, "--input").unwrap().is_none());
    }
}
