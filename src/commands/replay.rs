//! `workshop replay <exercise> <history.json> [--solution]`: replays a saved history
//! (ours or Temporal's, any form the importer takes) against an exercise's workflow code,
//! through the exercise worker binary's `--replay FILE`, so that the code replayed is
//! exactly what the worker would run.
//!
//! Exit codes: 0 the code fits the history, 1 non-determinism, 2 the file is not a usable
//! history (unreadable, not JSON, not a history, a workflow type the worker does not have)
//! or the replay could not run at all (unknown exercise, the worker does not build), so
//! that 1 always means non-determinism to a script.

use std::path::PathBuf;
use std::process::{Command, ExitCode};

use colored::Colorize;
use workshop_protocol::history::History;

use crate::cargo;
use crate::catalog::{self, Variant};

/// The code replays the history.
pub const EXIT_OK: u8 = 0;
/// The code does not fit the history (non-determinism).
pub const EXIT_NONDETERMINISM: u8 = 1;
/// The file is not a usable history.
pub const EXIT_BAD_HISTORY: u8 = 2;

#[derive(clap::Args)]
pub struct Args {
    /// The exercise whose workflow code to replay.
    pub exercise: String,
    /// The history file (`workshop workflow show --output json`, Temporal's CLI or HTTP form).
    pub history: PathBuf,
    /// Replay against the reference solution's code instead of yours.
    #[arg(long)]
    pub solution: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    // A file that is not a history is reported before anything is compiled.
    let history = match History::from_file(&args.history) {
        Ok(history) => history,
        Err(message) => {
            // The importer's message names the file.
            eprintln!("{} {message}", "not a usable history:".red().bold());
            return Ok(ExitCode::from(EXIT_BAD_HISTORY));
        }
    };
    if history.events.is_empty() {
        eprintln!("{} {}: it has no events", "not a usable history:".red().bold(), args.history.display());
        return Ok(ExitCode::from(EXIT_BAD_HISTORY));
    }
    match replay_with_worker(&args) {
        Ok(code) => Ok(ExitCode::from(code)),
        Err(err) => {
            eprintln!("{} {err:#}", "cannot replay:".red().bold());
            Ok(ExitCode::from(EXIT_BAD_HISTORY))
        }
    }
}

/// Builds the exercise's worker and lets it replay the file.
fn replay_with_worker(args: &Args) -> anyhow::Result<u8> {
    let catalog = catalog::load()?;
    let exercise = catalog.get(&args.exercise)?;
    let variant = if args.solution { Variant::Solution } else { Variant::Practice };
    let bin = exercise.worker_bin(variant);
    let executable = cargo::build_bin(&catalog.root, &exercise.package(variant), &bin, false)?;
    let status = Command::new(&executable)
        .arg("--replay")
        .arg(&args.history)
        .status()
        .map_err(|e| anyhow::anyhow!("cannot start {}: {e}", executable.display()))?;
    Ok(exit_code_of(status.code()))
}

/// The worker's `--replay` speaks the same exit codes; anything else (a crash, a signal)
/// means the history could not be replayed at all.
fn exit_code_of(worker_code: Option<i32>) -> u8 {
    match worker_code {
        Some(0) => EXIT_OK,
        Some(1) => EXIT_NONDETERMINISM,
        _ => EXIT_BAD_HISTORY,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worker_exit_codes_map_to_ours() {
        assert_eq!(exit_code_of(Some(0)), 0);
        assert_eq!(exit_code_of(Some(1)), 1);
        assert_eq!(exit_code_of(Some(2)), 2);
        assert_eq!(exit_code_of(Some(101)), 2);
        assert_eq!(exit_code_of(None), 2);
    }
}
