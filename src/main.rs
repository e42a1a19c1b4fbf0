//! `workshop`: the runner of the Temporal 102 workshop.
//!
//! One binary holds everything a learner needs: the exercise runner (`list`, `check`,
//! `hint`, `reset`, `watch`), the embedded durable-execution service (`server`), a
//! command-line client shaped like Temporal's `temporal` CLI (`workflow`, `task-queue`,
//! `namespace`), the visualization (`run`, `show-history`), and the tools that teach
//! determinism (`replay`, `lint`). Each subcommand lives in `src/commands/<name>.rs`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cargo;
mod catalog;
mod checking;
mod commands;
mod connection;
mod embedded;
mod progress;
mod render;
mod viz;

#[derive(Parser)]
#[command(
    name = "workshop",
    version,
    about = "Temporal 102, hands-on in Rust: learn durable execution against a real engine on your laptop",
    long_about = None,
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Show the exercises and your progress.
    List(commands::list::Args),
    /// Run an exercise and watch its execution step by step.
    Run(commands::run::Args),
    /// Check an exercise (the current one when no name is given).
    Check(commands::check::Args),
    /// Show the hints of an exercise.
    Hint(commands::hint::Args),
    /// Restore an exercise to its original state.
    Reset(commands::reset::Args),
    /// Re-check the current exercise every time you save a file.
    Watch(commands::watch::Args),
    /// Run the durable-execution service (Temporal's frontend, history and matching in one process).
    Server(commands::server::Args),
    /// Build an exercise's worker once and run it.
    Worker(commands::worker::Args),
    /// Start, inspect and stop workflow executions.
    #[command(subcommand)]
    Workflow(commands::workflow::Command),
    /// Inspect task queues and the workers polling them.
    #[command(name = "task-queue", subcommand)]
    TaskQueue(commands::task_queue::Command),
    /// Create and list namespaces.
    #[command(subcommand)]
    Namespace(commands::namespace::Command),
    /// Draw an event history file (ours or Temporal's) step by step.
    #[command(name = "show-history")]
    ShowHistory(commands::show_history::Args),
    /// Replay a saved history against an exercise's workflow code.
    Replay(commands::replay::Args),
    /// Find non-deterministic code in workflow functions.
    Lint(commands::lint::Args),
    /// Run the course's translation microservice.
    Microservice(commands::microservice::Args),
    /// Print performance figures of the engine and the SDK.
    Bench(commands::bench::Args),
    /// Maintainer tools.
    #[command(subcommand)]
    Dev(commands::dev::Command),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::List(args) => commands::list::run(args),
        Command::Run(args) => commands::run::run(args),
        Command::Check(args) => commands::check::run(args),
        Command::Hint(args) => commands::hint::run(args),
        Command::Reset(args) => commands::reset::run(args),
        Command::Watch(args) => commands::watch::run(args),
        Command::Server(args) => commands::server::run(args),
        Command::Worker(args) => commands::worker::run(args),
        Command::Workflow(cmd) => commands::workflow::run(cmd),
        Command::TaskQueue(cmd) => commands::task_queue::run(cmd),
        Command::Namespace(cmd) => commands::namespace::run(cmd),
        Command::ShowHistory(args) => commands::show_history::run(args),
        Command::Replay(args) => commands::replay::run(args),
        Command::Lint(args) => commands::lint::run(args),
        Command::Microservice(args) => commands::microservice::run(args),
        Command::Bench(args) => commands::bench::run(args),
        Command::Dev(cmd) => commands::dev::run(cmd),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("{} {err:#}", colored::Colorize::bold(colored::Colorize::red("error:")));
            ExitCode::FAILURE
        }
    }
}
