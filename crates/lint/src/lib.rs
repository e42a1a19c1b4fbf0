//! Determinism lint for workflow code (`workshop lint`).
//!
//! Workflow code is replayed from history, so it must make the same decisions every time
//! it runs. This crate parses Rust sources with `syn`, finds workflow functions (those
//! taking a `WorkflowContext`), and reports code in them that reads the clock, sleeps,
//! spawns threads, draws random numbers, iterates hash collections, selects at random or
//! does I/O, with the `ctx` counterpart to use instead.
//!
//! `syn` sees syntax, not types: hash iteration is found only for bindings declared in
//! the same function, and helpers called from a workflow are judged only if they take
//! the `WorkflowContext` themselves.

mod files;
mod finding;
mod hazards;
mod imports;
mod linter;
mod macros;
pub mod render;
mod unordered;

use std::path::{Path, PathBuf};

pub use finding::{Finding, Rule};

/// Exit status of `workshop lint`: nothing found.
pub const EXIT_CLEAN: u8 = 0;
/// Exit status of `workshop lint`: at least one finding.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit status of `workshop lint`: a path could not be read or a file not parsed.
pub const EXIT_ERROR: u8 = 2;

#[derive(Debug, thiserror::Error)]
pub enum LintError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot parse {}:{line}:{column}: {message}", file.display())]
    Parse {
        file: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
}

pub type Result<T, E = LintError> = std::result::Result<T, E>;

/// Everything `lint_paths` found.
#[derive(Debug, Default)]
pub struct Report {
    /// In file order, then by position.
    pub findings: Vec<Finding>,
    /// Files read and parsed.
    pub files_checked: usize,
    pub workflows_checked: usize,
    /// Files that could not be read or parsed; the others were still checked.
    pub errors: Vec<LintError>,
}

impl Report {
    /// 2 when a file could not be read or parsed, 1 when something was found, else 0.
    pub fn exit_code(&self) -> u8 {
        if !self.errors.is_empty() {
            EXIT_ERROR
        } else if !self.findings.is_empty() {
            EXIT_FINDINGS
        } else {
            EXIT_CLEAN
        }
    }

    pub fn files_with_findings(&self) -> usize {
        let mut files: Vec<&Path> = self.findings.iter().map(|f| f.file.as_path()).collect();
        files.dedup();
        files.len()
    }
}

/// The exit status of a whole run, error included.
pub fn exit_code(result: &Result<Report>) -> u8 {
    match result {
        Ok(report) => report.exit_code(),
        Err(_) => EXIT_ERROR,
    }
}

/// Lints one file's source; `path` is only used to label the findings.
pub fn lint_source(path: impl AsRef<Path>, source: &str) -> Result<Vec<Finding>> {
    lint_file(path.as_ref(), source).map(|(findings, _)| findings)
}

fn lint_file(path: &Path, source: &str) -> Result<(Vec<Finding>, usize)> {
    let file = syn::parse_file(source).map_err(|err| {
        let start = err.span().start();
        LintError::Parse {
            file: path.to_path_buf(),
            line: start.line,
            column: start.column + 1,
            message: describe(&err),
        }
    })?;
    Ok(linter::Linter::new(path, source).lint(&file))
}

/// syn's message for a tokenizer failure says nothing about the cause; its position is
/// the first delimiter that does not match.
fn describe(err: &syn::Error) -> String {
    let message = err.to_string();
    if message == "cannot parse string into token stream" {
        "mismatched or unclosed delimiter, or an unterminated string, character or comment"
            .to_string()
    } else {
        message
    }
}

/// Lints files and directories (recursively, `*.rs`, skipping `target/`, `fixtures/`
/// and hidden directories below the ones given). Fails only
/// when a given path does not exist or a directory cannot be listed; unreadable or
/// unparsable files are listed in `Report::errors`.
pub fn lint_paths(paths: &[PathBuf]) -> Result<Report> {
    let mut report = Report::default();
    for file in files::rust_files(paths)? {
        let source = match std::fs::read_to_string(&file) {
            Ok(source) => source,
            Err(source) => {
                report.errors.push(LintError::Read { path: file, source });
                continue;
            }
        };
        match lint_file(&file, &source) {
            Ok((findings, workflows)) => {
                report.files_checked += 1;
                report.findings.extend(findings);
                report.workflows_checked += workflows;
            }
            Err(err) => report.errors.push(err),
        }
    }
    Ok(report)
}
