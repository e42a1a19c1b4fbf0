//! `workshop hint [exercise]`: the hints of an exercise, from its `exercise.toml`.

use std::process::ExitCode;

use colored::Colorize;

use crate::catalog;
use crate::progress::Progress;

#[derive(clap::Args)]
pub struct Args {
    /// The exercise (default: the current one).
    pub exercise: Option<String>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let catalog = catalog::load()?;
    let progress = Progress::load(&catalog.root);
    let exercise = match &args.exercise {
        Some(name) => catalog.get(name)?,
        None => progress.current(&catalog).ok_or_else(|| anyhow::anyhow!("there are no exercises"))?,
    };
    print!("{}", render(&catalog, exercise));
    Ok(ExitCode::SUCCESS)
}

/// The hint text as `hint` prints it and `list` shows it.
pub fn render(catalog: &catalog::Catalog, exercise: &catalog::Exercise) -> String {
    let readme = exercise.readme();
    let mut out = format!(
        "{} {} ({})\n{} {}\n",
        "Exercise:".bold(),
        exercise.name,
        exercise.title,
        "Instructions:".bold(),
        readme.strip_prefix(&catalog.root).unwrap_or(&readme).display()
    );
    for (i, hint) in exercise.hints.iter().enumerate() {
        out.push_str(&format!("{} {}\n", format!("Hint {}:", i + 1).cyan().bold(), hint.trim()));
    }
    out
}
