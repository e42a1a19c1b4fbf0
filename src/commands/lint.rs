//! `workshop lint [PATH...]`: finds non-deterministic code in workflow functions and
//! prints it like rustc's warnings (the analysis lives in `workshop_lint`).
//! Exit status: 0 clean, 1 findings, 2 a path unreadable or a file unparsable.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use workshop_lint::render;

#[derive(clap::Args)]
pub struct Args {
    /// Files or directories to check; directories are searched for `*.rs` files,
    /// skipping `target/`, `fixtures/` and hidden directories.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    colored::control::set_override(color);
    let result = workshop_lint::lint_paths(&args.paths);
    match &result {
        Ok(report) => {
            for finding in &report.findings {
                println!("{}", render::finding(finding));
            }
            for error in &report.errors {
                eprint!("{}", render::error(error));
            }
            print!("{}", render::summary(report));
        }
        Err(error) => eprint!("{}", render::error(error)),
    }
    Ok(ExitCode::from(workshop_lint::exit_code(&result)))
}
