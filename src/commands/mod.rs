//! One module per subcommand. Each has `Args` (or a `Command` enum for groups) and
//! `run(args) -> anyhow::Result<ExitCode>`.

pub mod bench;
pub mod check;
pub mod dev;
pub mod hint;
pub mod lint;
pub mod list;
pub mod microservice;
pub mod namespace;
pub mod replay;
pub mod reset;
pub mod run;
pub mod server;
pub mod show_history;
pub mod task_queue;
pub mod watch;
pub mod worker;
pub mod workflow;
