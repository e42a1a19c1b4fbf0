//! Human-readable output in the shape of rustc's diagnostics: a `warning[..]` line,
//! the `-->` location, the source line with carets, and a `help:` line; then a summary.
//! Colors follow `colored`'s global switch (the command turns it off when stdout is not
//! a terminal).

use colored::Colorize;

use crate::{Finding, LintError, Report};

fn expand_tabs(text: &str) -> String {
    text.replace('\t', "    ")
}

pub fn finding(finding: &Finding) -> String {
    let number = finding.line.to_string();
    let pad = " ".repeat(number.len());
    let bar = "|".blue().bold();
    let before: String = finding
        .source_line
        .chars()
        .take(finding.column.saturating_sub(1))
        .collect();
    let indent = " ".repeat(expand_tabs(&before).chars().count());
    let carets = "^".repeat(expand_tabs(&finding.snippet).chars().count().max(1));
    format!(
        "{warning}{code}: {message}\n\
         {pad}{arrow} {file}:{line}:{column}\n\
         {pad} {bar}\n\
         {number} {bar} {source}\n\
         {pad} {bar} {indent}{underline}\n\
         {pad} {bar}\n\
         {pad} {eq} {help}: {suggestion}\n\
         {pad} {eq} {note}: rule `{rule}`\n",
        warning = "warning".yellow().bold(),
        code = "[nondeterminism]".yellow().bold(),
        message = finding.message.bold(),
        arrow = "-->".blue().bold(),
        file = finding.file.display(),
        line = finding.line,
        column = finding.column,
        number = number.blue().bold(),
        source = expand_tabs(&finding.source_line),
        underline = format!("{carets} {}", finding.rule.label()).yellow().bold(),
        eq = "=".blue().bold(),
        help = "help".bold(),
        suggestion = finding.suggestion,
        note = "note".bold(),
        rule = finding.rule,
    )
}

pub fn error(error: &LintError) -> String {
    format!("{}: {error}\n", "error".red().bold())
}

pub fn summary(report: &Report) -> String {
    let checked = format!(
        "{} {} checked, {} workflow {}",
        report.files_checked,
        plural(report.files_checked, "file", "files"),
        report.workflows_checked,
        plural(report.workflows_checked, "function", "functions"),
    );
    let mut out = if report.findings.is_empty() && !report.errors.is_empty() {
        format!(
            "{}: no non-determinism found in the files that could be parsed ({checked})\n",
            "lint".bold()
        )
    } else if report.findings.is_empty() {
        format!(
            "{}: no non-determinism found in workflow code ({checked})\n",
            "lint".green().bold()
        )
    } else {
        let count = report.findings.len();
        let files = report.files_with_findings();
        format!(
            "{}: {count} {} in {files} {} ({checked}): workflow code must make the same decisions on every replay\n",
            "warning".yellow().bold(),
            plural(count, "finding", "findings"),
            plural(files, "file", "files"),
        )
    };
    if !report.errors.is_empty() {
        let count = report.errors.len();
        out.push_str(&format!(
            "{}: {count} {} could not be checked\n",
            "error".red().bold(),
            plural(count, "file", "files")
        ));
    }
    if report.workflows_checked == 0 && report.files_checked > 0 && report.errors.is_empty() {
        out.push_str(&format!(
            "{}: no workflow function found (one takes a `WorkflowContext` parameter)\n",
            "note".bold()
        ));
    }
    out
}

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Rule;

    #[test]
    fn a_finding_reads_like_a_rustc_warning() {
        colored::control::set_override(false);
        let finding = Finding {
            file: "src/workflow.rs".into(),
            line: 12,
            column: 13,
            rule: Rule::WallClock,
            snippet: "SystemTime::now()".into(),
            message: "`SystemTime::now()` reads the clock".into(),
            suggestion: "use `ctx.now()`".into(),
            source_line: "    let t = SystemTime::now();".into(),
        };
        let text = finding_text(&finding);
        assert_eq!(
            text,
            "warning[nondeterminism]: `SystemTime::now()` reads the clock\n  \
             --> src/workflow.rs:12:13\n   \
             |\n\
             12 |     let t = SystemTime::now();\n   \
             |             ^^^^^^^^^^^^^^^^^ wall-clock time in workflow code\n   \
             |\n   \
             = help: use `ctx.now()`\n   \
             = note: rule `wall-clock`\n"
        );
    }

    fn finding_text(f: &Finding) -> String {
        finding(f)
    }
}
