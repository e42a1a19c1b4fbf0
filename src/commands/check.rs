//! `workshop check [exercise]`: run an exercise's check and record the result.

use std::process::ExitCode;

use crate::catalog::{self, Variant};
use crate::checking;
use crate::progress::Progress;

#[derive(clap::Args)]
pub struct Args {
    /// The exercise (default: the current one).
    pub exercise: Option<String>,
    /// Check the reference solution instead of your code.
    #[arg(long)]
    pub solution: bool,
    /// Print cargo's full output too.
    #[arg(long, short)]
    pub verbose: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let catalog = catalog::load()?;
    let mut progress = Progress::load(&catalog.root);
    let exercise = match &args.exercise {
        Some(name) => catalog.get(name)?,
        None => progress.current(&catalog).ok_or_else(|| anyhow::anyhow!("there are no exercises"))?,
    };
    let variant = if args.solution { Variant::Solution } else { Variant::Practice };
    println!("Checking {}{} …", exercise.name, if args.solution { " (solution)" } else { "" });
    let outcome = checking::run(&catalog, exercise, variant)?;
    if args.verbose {
        print!("{}", outcome.raw);
    }
    checking::report(&catalog, exercise, variant, &outcome);
    if variant == Variant::Practice {
        let name = exercise.name.clone();
        progress.record(&catalog, &name, outcome.passed);
        progress.save(&catalog.root)?;
    }
    Ok(if outcome.passed { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
