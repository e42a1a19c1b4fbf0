//! Running an exercise's check and telling the learner, in a few lines, how it went.
//!
//! The check is the crate's test suite (`cargo test -p <crate>`). Its raw output is long;
//! the learner needs the failing assertions' messages (they name the part of the
//! exercise), or the compiler's errors, and what to do next.

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::time::Duration;

use colored::Colorize;

use crate::cargo;
use crate::catalog::{Catalog, Exercise, Variant};

/// The outcome of one check.
#[derive(Debug)]
pub struct Outcome {
    pub passed: bool,
    pub timed_out: bool,
    /// What went wrong, shortened: failing tests' messages or compiler errors.
    pub summary: String,
    pub elapsed: Duration,
    /// The full output, for `--verbose` and for `dev check`.
    pub raw: String,
}

/// Runs the check of one crate of `exercise`.
pub fn run(catalog: &Catalog, exercise: &Exercise, variant: Variant) -> anyhow::Result<Outcome> {
    let color = std::io::stdout().is_terminal();
    let cmd = cargo::test_command(&catalog.root, &exercise.package(variant), color);
    let timeout = Duration::from_secs(exercise.check.timeout_secs);
    let captured = cargo::run_captured(cmd, timeout)?;
    let raw = format!("{}{}", captured.stderr, captured.stdout);
    let summary = if captured.timed_out {
        format!("The check did not finish within {} s and was stopped.\n", exercise.check.timeout_secs)
    } else if captured.success {
        String::new()
    } else {
        summarize_failure(&captured.stdout, &captured.stderr)
    };
    Ok(Outcome { passed: captured.success, timed_out: captured.timed_out, summary, elapsed: captured.elapsed, raw })
}

/// Failing tests' messages when tests ran, else the compiler's output without progress lines.
pub fn summarize_failure(stdout: &str, stderr: &str) -> String {
    let mut failures = failing_tests(stdout);
    // Test names start with the part they check (`part_a_…`), so this is README order.
    failures.sort();
    if !failures.is_empty() {
        let mut out = String::new();
        for (name, message) in failures {
            let _ = writeln!(out, "{} {}", "✗".red().bold(), name.bold());
            for line in message.lines() {
                let _ = writeln!(out, "    {line}");
            }
        }
        return out;
    }
    let progress = ["Compiling ", "Finished ", "Running ", "Blocking ", "Doc-tests ", "Checking ", "Downloaded ", "Locking "];
    let kept: Vec<&str> = stderr
        .lines()
        .filter(|line| !progress.iter().any(|p| line.trim_start().starts_with(p)))
        .collect();
    let mut out: String = kept.iter().take(80).map(|l| format!("{l}\n")).collect();
    if kept.len() > 80 {
        let _ = writeln!(out, "… ({} more lines; run `cargo test -p <crate>` to see them all)", kept.len() - 80);
    }
    if out.trim().is_empty() {
        out = stdout.lines().rev().take(30).collect::<Vec<_>>().into_iter().rev().map(|l| format!("{l}\n")).collect();
    }
    out
}

/// `(test name, panic message)` of every failing test in libtest's output.
pub fn failing_tests(stdout: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut lines = stdout.lines().peekable();
    while let Some(line) = lines.next() {
        let Some(name) = line.strip_prefix("---- ").and_then(|l| l.strip_suffix(" stdout ----")) else {
            continue;
        };
        let mut section = Vec::new();
        while let Some(next) = lines.peek() {
            if next.starts_with("---- ") || *next == "failures:" {
                break;
            }
            section.push(lines.next().unwrap_or_default());
        }
        out.push((name.to_string(), panic_message(&section)));
    }
    out
}

/// The message of the panic in a failing test's section, without libtest's notes; the
/// whole section when there is no panic line.
fn panic_message(section: &[&str]) -> String {
    if let Some(start) = section.iter().position(|l| l.starts_with("thread '") && l.contains("panicked at")) {
        let message: Vec<&str> = section[start + 1..]
            .iter()
            .copied()
            .take_while(|l| !l.starts_with("note: run with `RUST_BACKTRACE") && !l.starts_with("stack backtrace:"))
            .collect();
        let text = message.join("\n").trim().to_string();
        if !text.is_empty() {
            return text;
        }
    }
    section.iter().rev().take(20).copied().collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n").trim().to_string()
}

/// Prints the outcome with what to do next.
pub fn report(catalog: &Catalog, exercise: &Exercise, variant: Variant, outcome: &Outcome) {
    let name = &exercise.name;
    let what = match variant {
        Variant::Practice => format!("`{name}`"),
        Variant::Solution => format!("the solution of `{name}`"),
    };
    if outcome.passed {
        println!("{} {what} passes its check ({:.1} s).", "✓".green().bold(), outcome.elapsed.as_secs_f64());
        if variant == Variant::Practice {
            let readme = exercise.readme();
            println!(
                "  If you have not yet, finish the hands-on part of {} (Part D: two workers and a kill).",
                readme.strip_prefix(&catalog.root).unwrap_or(&readme).display()
            );
            match catalog.next_after(name) {
                Some(next) => println!("  Next: {} ({}), then `workshop check {}`.", next.name.bold(), next.title, next.name),
                None => println!("  That was the last exercise: well done!"),
            }
        }
        return;
    }
    println!("{} {what} does not pass its check yet.", "✗".red().bold());
    print!("{}", outcome.summary);
    if variant == Variant::Practice {
        let dir = exercise.dir.strip_prefix(&catalog.root).unwrap_or(&exercise.dir);
        println!(
            "{} fix the first part named above in {}/ (see its README.md), then run `workshop check {name}` again; stuck? `workshop hint {name}`.",
            "Next:".yellow().bold(),
            dir.display()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIBTEST: &str = "\nrunning 2 tests\ntest logs ... FAILED\ntest result_ok ... ok\n\nfailures:\n\n---- logs stdout ----\nsome captured log line\n\nthread 'logs' panicked at tests/check.rs:40:5:\nPart A: the workflow should log at Info level\nwith the name\nnote: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n\n---- other stdout ----\nno panic here\n\nfailures:\n    logs\n    other\n\ntest result: FAILED. 1 passed; 2 failed\n";

    #[test]
    fn extracts_failing_tests_and_their_messages() {
        let failures = failing_tests(LIBTEST);
        assert_eq!(failures.len(), 2);
        assert_eq!(failures[0].0, "logs");
        assert_eq!(failures[0].1, "Part A: the workflow should log at Info level\nwith the name");
        assert_eq!(failures[1], ("other".to_string(), "no panic here".to_string()));
    }

    #[test]
    fn compiler_errors_are_kept_without_progress_lines() {
        let stderr = "   Compiling foo v0.1.0\nerror[E0425]: cannot find value `x`\n --> src/lib.rs:1:1\n\nerror: could not compile `foo`\n";
        let summary = summarize_failure("", stderr);
        assert!(summary.contains("error[E0425]"));
        assert!(summary.contains("src/lib.rs:1:1"));
        assert!(!summary.contains("Compiling"));
    }
}
