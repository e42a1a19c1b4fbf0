//! `workshop dev check`: the maintainers' gate over every exercise.
//!
//! For each exercise: it has a README and hints; its check file is the same in the
//! exercise and the solution; both crates are workspace members and only the solution is
//! a default member (so a plain `cargo test` never runs an untouched exercise); the
//! solution passes its check; the untouched exercise fails it with the expected message.

use std::process::ExitCode;

use colored::Colorize;

use crate::catalog::{self, CHECK_FILE, Catalog, Exercise, Variant};
use crate::checking;
use crate::embedded;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Check that every solution passes and every untouched exercise fails its check.
    Check(CheckArgs),
}

#[derive(clap::Args)]
pub struct CheckArgs {
    /// Only this exercise.
    pub exercise: Option<String>,
}

pub fn run(cmd: Command) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Check(args) => check(args),
    }
}

fn check(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let catalog = catalog::load()?;
    let selected: Vec<&Exercise> = match &args.exercise {
        Some(name) => vec![catalog.get(name)?],
        None => catalog.exercises.iter().collect(),
    };
    if selected.is_empty() {
        anyhow::bail!("no exercises found under {}", catalog.root.display());
    }
    let members = WorkspaceMembers::read(&catalog)?;
    let mut problems = Vec::new();
    for exercise in selected {
        println!("{} {}", "Checking".bold(), exercise.name);
        let before = problems.len();
        problems.extend(static_problems(&catalog, exercise, &members));
        problems.extend(check_problems(&catalog, exercise)?);
        if problems.len() == before {
            println!("  {} {}", "✓".green(), exercise.name);
        }
    }
    if problems.is_empty() {
        println!("{}", "Everything looks fine!".green().bold());
        Ok(ExitCode::SUCCESS)
    } else {
        println!("{} {} problem(s):", "✗".red().bold(), problems.len());
        for problem in &problems {
            println!("  - {problem}");
        }
        Ok(ExitCode::FAILURE)
    }
}

/// The workspace's `members` and `default-members`, as written in the root manifest.
struct WorkspaceMembers {
    members: Vec<String>,
    default_members: Vec<String>,
}

impl WorkspaceMembers {
    fn read(catalog: &Catalog) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(catalog.root.join("Cargo.toml"))?;
        let manifest: toml::Table = toml::from_str(&text)?;
        let list = |key: &str| -> Vec<String> {
            manifest
                .get("workspace")
                .and_then(|w| w.get(key))
                .and_then(|v| v.as_array())
                .map(|a| a.iter().filter_map(|v| v.as_str().map(|s| s.trim_end_matches('/').to_string())).collect())
                .unwrap_or_default()
        };
        Ok(WorkspaceMembers { members: list("members"), default_members: list("default-members") })
    }
}

fn static_problems(catalog: &Catalog, exercise: &Exercise, members: &WorkspaceMembers) -> Vec<String> {
    let name = &exercise.name;
    let mut problems = Vec::new();
    match std::fs::read_to_string(exercise.readme()) {
        Ok(text) if !text.trim().is_empty() => {}
        _ => problems.push(format!("{name}: exercises/{name}/README.md is missing or empty")),
    }
    if exercise.hints.iter().all(|h| h.trim().is_empty()) {
        problems.push(format!("{name}: no hints"));
    }
    if exercise.check.unsolved_message.as_deref().is_none_or(|m| m.trim().is_empty()) {
        problems.push(format!("{name}: exercise.toml has no [check] unsolved_message"));
    }
    let practice = std::fs::read(exercise.dir.join(CHECK_FILE));
    let solution = std::fs::read(exercise.solution_dir.join(CHECK_FILE));
    match (practice, solution) {
        (Ok(a), Ok(b)) if a == b => {}
        (Ok(_), Ok(_)) => problems.push(format!(
            "{name}: exercises/{name}/{CHECK_FILE} and solutions/{name}/{CHECK_FILE} differ (they must be identical)"
        )),
        _ => problems.push(format!("{name}: {CHECK_FILE} is missing in the exercise or the solution")),
    }
    let practice_member = format!("exercises/{name}");
    let solution_member = format!("solutions/{name}");
    if !members.members.contains(&practice_member) || !members.members.contains(&solution_member) {
        problems.push(format!("{name}: list `{practice_member}` and `{solution_member}` in the root Cargo.toml `members`"));
    }
    if members.default_members.contains(&practice_member) {
        problems.push(format!(
            "{name}: `{practice_member}` must not be in `default-members` (its check fails by design)"
        ));
    }
    if !members.default_members.contains(&solution_member) {
        problems.push(format!("{name}: add `{solution_member}` to `default-members` so that `cargo test` runs its check"));
    }
    if embedded::exercise_files(name).is_empty() {
        problems.push(format!("{name}: not embedded in this binary (rebuild `workshop`), so `reset` cannot restore it"));
    }
    let _ = catalog;
    problems
}

fn check_problems(catalog: &Catalog, exercise: &Exercise) -> anyhow::Result<Vec<String>> {
    let name = &exercise.name;
    let mut problems = Vec::new();
    let solution = checking::run(catalog, exercise, Variant::Solution)?;
    if solution.passed {
        println!("  {} solution passes ({:.1} s)", "✓".green(), solution.elapsed.as_secs_f64());
    } else {
        println!("  {} solution fails:\n{}", "✗".red(), solution.summary);
        problems.push(format!("{name}: the solution does not pass its check"));
    }
    let practice = checking::run(catalog, exercise, Variant::Practice)?;
    let expected = exercise.check.unsolved_message.clone().unwrap_or_default();
    if practice.passed {
        problems.push(format!("{name}: the exercise is already solved (its check passes)"));
    } else if practice.timed_out {
        problems.push(format!("{name}: the exercise's check timed out instead of failing"));
    } else if !practice.summary.contains(&expected) {
        println!("  {} exercise fails, but not with {expected:?}:\n{}", "✗".red(), practice.summary);
        problems.push(format!("{name}: the untouched exercise fails without saying {expected:?}"));
    } else {
        println!("  {} untouched exercise fails with {expected:?} ({:.1} s)", "✓".green(), practice.elapsed.as_secs_f64());
    }
    Ok(problems)
}
