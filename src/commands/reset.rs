//! `workshop reset <exercise>`: put an exercise's files back as they were shipped.
//!
//! The pristine files are embedded in the binary (`src/embedded.rs`), so this works
//! without git. Files the learner added are left alone.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use anyhow::bail;

use crate::catalog::{self, Catalog, Exercise};
use crate::embedded;
use crate::progress::Progress;

#[derive(clap::Args)]
pub struct Args {
    /// The exercise to reset.
    pub exercise: String,
    /// Do not ask for confirmation.
    #[arg(long, short)]
    pub yes: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let catalog = catalog::load()?;
    let exercise = catalog.get(&args.exercise)?;
    if !args.yes {
        if !std::io::stdin().is_terminal() {
            bail!("resetting discards your changes to `{}`; pass --yes to confirm", exercise.name);
        }
        print!("Reset `{}` and discard your changes to it? [y/N] ", exercise.name);
        std::io::stdout().flush()?;
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            println!("Nothing changed.");
            return Ok(ExitCode::SUCCESS);
        }
    }
    let restored = reset(&catalog, exercise)?;
    println!("Restored {restored} files of `{}`. Start again with its README.md.", exercise.name);
    Ok(ExitCode::SUCCESS)
}

/// Writes the embedded files back and marks the exercise pending; returns how many.
pub fn reset(catalog: &Catalog, exercise: &Exercise) -> anyhow::Result<usize> {
    let files = embedded::exercise_files(&exercise.name);
    if files.is_empty() {
        bail!("this `workshop` binary holds no files of `{}`; rebuild it (cargo build --release)", exercise.name);
    }
    for (path, contents) in &files {
        let target = catalog.root.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&target, contents)?;
    }
    let mut progress = Progress::load(&catalog.root);
    progress.record(catalog, &exercise.name, false);
    progress.save(&catalog.root)?;
    Ok(files.len())
}
