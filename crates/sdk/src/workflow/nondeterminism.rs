//! The non-determinism error: the workflow code produced commands that do not fit the
//! history. It names the workflow and the event, and shows expected (history) and
//! produced (code) commands side by side, each produced one with its source line.

use std::fmt;

use workshop_protocol::common::SourceLocation;

/// A produced command that does not fit the history, with everything needed to
/// explain it.
#[derive(Debug, Clone, PartialEq)]
pub struct NonDeterminismError {
    pub workflow_type: String,
    pub workflow_id: String,
    pub run_id: String,
    /// The first history event that does not fit (or the WorkflowTaskCompleted event of
    /// the task when the code produced more commands than the history has).
    pub event_id: i64,
    /// The WorkflowTaskStarted event of the workflow task being replayed.
    pub workflow_task_started_event_id: i64,
    pub reason: String,
    pub rows: Vec<CommandRow>,
    /// Differences that are not errors (IDs numbered differently by another SDK).
    pub notes: Vec<String>,
}

/// One line of the expected-vs-produced table.
#[derive(Debug, Clone, PartialEq)]
pub struct CommandRow {
    pub matches: bool,
    /// The history event and the command it was made from.
    pub expected: Option<ExpectedCommand>,
    pub produced: Option<ProducedCommandInfo>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExpectedCommand {
    pub event_id: i64,
    pub description: String,
    /// Where the code that recorded the history produced it, if the history says.
    pub location: Option<SourceLocation>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProducedCommandInfo {
    pub description: String,
    pub location: SourceLocation,
}

impl NonDeterminismError {
    /// The table alone, as the visualization and `--replay` print it.
    pub fn table(&self) -> String {
        let expected: Vec<String> = self
            .rows
            .iter()
            .map(|r| match &r.expected {
                Some(e) => format!("{:>5}  {}", e.event_id, e.description),
                None => format!("{:>5}  (nothing)", "-"),
            })
            .collect();
        let width = expected
            .iter()
            .map(|s| s.chars().count())
            .max()
            .unwrap_or(0)
            .max("event  expected (history)".len());
        let mut out = String::new();
        out.push_str(&format!("     {:<width$}   produced (code)\n", "event  expected (history)"));
        for (row, exp) in self.rows.iter().zip(expected) {
            let mark = if row.matches { "✓" } else { "✗" };
            let produced = match &row.produced {
                Some(p) => format!(
                    "{}  at {}:{}:{}",
                    p.description, p.location.file, p.location.line, p.location.column
                ),
                None => "(nothing)".to_string(),
            };
            out.push_str(&format!("  {mark}  {exp:<width$}   {produced}\n"));
        }
        out
    }
}

impl fmt::Display for NonDeterminismError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "[TMPRL1100] Nondeterminism error in workflow {} (workflow ID {}, run ID {}) at event {}: {}",
            self.workflow_type, self.workflow_id, self.run_id, self.event_id, self.reason
        )?;
        writeln!(
            f,
            "Replaying the workflow task started at event {}, the code produced commands that do not match the history:",
            self.workflow_task_started_event_id
        )?;
        f.write_str(&self.table())?;
        for note in &self.notes {
            writeln!(f, "note: {note}")?;
        }
        write!(
            f,
            "The workflow code changed in a way that does not fit histories recorded by the old code. \
             Keep the old commands for running workflows (use `ctx.patched(\"change-id\")` for new behaviour), \
             or let old runs finish before deploying."
        )
    }
}

impl std::error::Error for NonDeterminismError {}
