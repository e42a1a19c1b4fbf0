//! `workshop watch`: re-check an exercise every time one of its files is saved.
//!
//! Editors save in bursts (write, rename, chmod), so events are debounced: a check starts
//! once no change has arrived for a short while. Changes that arrive while a check runs
//! lead to one more check afterwards, not one per event.

use std::path::Path;
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::Duration;

use anyhow::Context;
use colored::Colorize;
use notify::{RecursiveMode, Watcher};

use crate::catalog::{self, Catalog, Variant};
use crate::checking;
use crate::progress::Progress;

const QUIET: Duration = Duration::from_millis(300);

#[derive(clap::Args)]
pub struct Args {
    /// Watch only this exercise (default: all of them; each save checks its exercise).
    pub exercise: Option<String>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let catalog = catalog::load()?;
    if let Some(name) = &args.exercise {
        catalog.get(name)?;
    }
    let (tx, rx) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event {
            let _ = tx.send(event);
        }
    })
    .context("cannot watch files (on unusual file systems, run `workshop check` by hand instead)")?;
    let dirs: Vec<_> = catalog
        .exercises
        .iter()
        .filter(|e| args.exercise.as_ref().is_none_or(|n| *n == e.name))
        .map(|e| e.dir.clone())
        .collect();
    for dir in &dirs {
        watcher.watch(dir, RecursiveMode::Recursive).with_context(|| format!("cannot watch {}", dir.display()))?;
    }
    let progress = Progress::load(&catalog.root);
    let first = args.exercise.clone().or_else(|| progress.current(&catalog).map(|e| e.name.clone()));
    println!("Watching {} for changes; Ctrl-C stops.", if dirs.len() == 1 { "the exercise" } else { "the exercises" });
    if let Some(name) = first {
        check_one(&catalog, &name)?;
    }
    loop {
        let Ok(event) = rx.recv() else { return Ok(ExitCode::SUCCESS) };
        let mut changed: Vec<String> = exercise_of(&catalog, &event).into_iter().collect();
        // Debounce: gather everything that arrives until the burst is over.
        while let Ok(event) = rx.recv_timeout(QUIET) {
            changed.extend(exercise_of(&catalog, &event));
        }
        changed.sort();
        changed.dedup();
        for name in changed {
            println!("\n{} {name}", "Changed:".bold());
            check_one(&catalog, &name)?;
        }
    }
}

fn check_one(catalog: &Catalog, name: &str) -> anyhow::Result<()> {
    let exercise = catalog.get(name)?;
    println!("Checking {name} …");
    let outcome = checking::run(catalog, exercise, Variant::Practice)?;
    checking::report(catalog, exercise, Variant::Practice, &outcome);
    let mut progress = Progress::load(&catalog.root);
    progress.record(catalog, name, outcome.passed);
    progress.save(&catalog.root)?;
    Ok(())
}

/// The exercise a file event belongs to, if it is a source or manifest change.
fn exercise_of(catalog: &Catalog, event: &notify::Event) -> Option<String> {
    use notify::EventKind;
    if !matches!(event.kind, EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_)) {
        return None;
    }
    event.paths.iter().find_map(|path| {
        let exercise = catalog.exercises.iter().find(|e| path.starts_with(&e.dir))?;
        let inside = path.strip_prefix(&exercise.dir).ok()?;
        is_relevant(inside).then(|| exercise.name.clone())
    })
}

/// Whether a path inside an exercise directory is one whose change matters.
fn is_relevant(path: &Path) -> bool {
    let hidden_or_target = path.components().any(|c| {
        let c = c.as_os_str().to_string_lossy();
        c == "target" || c.starts_with('.')
    });
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or_default();
    !hidden_or_target && matches!(ext, "rs" | "toml")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sources_and_manifests_count() {
        assert!(is_relevant(Path::new("src/workflow.rs")));
        assert!(is_relevant(Path::new("Cargo.toml")));
        assert!(!is_relevant(Path::new("src/.workflow.rs.swp")));
        assert!(!is_relevant(Path::new("src/workflow.rs~")));
        assert!(!is_relevant(Path::new("target/debug/foo.rs")));
        assert!(!is_relevant(Path::new("README.md")));
    }
}
