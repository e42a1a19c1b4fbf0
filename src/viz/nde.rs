//! The non-determinism view's data: expected (history) vs produced (code) commands side by
//! side, each with ✓/✗ and its code line.
//!
//! A live worker reports a non-determinism error as the WorkflowTaskFailed failure
//! message, and `--replay` prints the same text; both carry the SDK's table
//! (`NonDeterminismError::table`), which [`NdeReport::parse`] reads back. Expected
//! commands get their code line from the history's recorded source locations.

use workshop_protocol::common::SourceLocation;
use workshop_protocol::enums::WorkflowTaskFailedCause;
use workshop_protocol::event::EventAttributes;

use super::timeline::Timeline;

#[derive(Debug, Clone, PartialEq)]
pub struct NdeSide {
    pub event_id: Option<i64>,
    pub description: String,
    pub location: Option<SourceLocation>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NdeRow {
    pub matches: bool,
    pub expected: Option<NdeSide>,
    pub produced: Option<NdeSide>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NdeReport {
    /// The first line of the error (what does not fit, and where).
    pub headline: String,
    pub rows: Vec<NdeRow>,
    /// Advice and notes printed after the table.
    pub notes: Vec<String>,
}

const HEADER_PRODUCED: &str = "produced (code)";

impl NdeReport {
    /// Reads the SDK's error text; `None` when it holds no table.
    pub fn parse(text: &str) -> Option<NdeReport> {
        let lines: Vec<&str> = text.lines().collect();
        let header = lines.iter().position(|l| l.contains("expected (history)") && l.contains(HEADER_PRODUCED))?;
        let split = lines[header].chars().count() - HEADER_PRODUCED.chars().count();
        let mut rows = Vec::new();
        let mut notes = Vec::new();
        for line in &lines[header + 1..] {
            let trimmed = line.trim_start();
            let mark = trimmed.chars().next();
            if !matches!(mark, Some('✓' | '✗')) {
                if !line.trim().is_empty() {
                    notes.push(line.trim().to_string());
                }
                continue;
            }
            let chars: Vec<char> = line.chars().collect();
            let left: String = chars.iter().take(split).collect();
            let right: String = chars.iter().skip(split).collect();
            let left = left.trim_start().trim_start_matches(['✓', '✗']).trim();
            rows.push(NdeRow {
                matches: mark == Some('✓'),
                expected: parse_expected(left),
                produced: parse_produced(right.trim()),
            });
        }
        let headline = lines.first().map(|l| l.trim().to_string()).unwrap_or_default();
        Some(NdeReport { headline, rows, notes })
    }

    /// The report of the last non-determinism WorkflowTaskFailed in a history, if any.
    pub fn from_timeline(timeline: &Timeline) -> Option<NdeReport> {
        let failure = timeline.events.iter().rev().find_map(|e| match &e.attributes {
            EventAttributes::WorkflowTaskFailed(a)
                if a.cause == Some(WorkflowTaskFailedCause::NonDeterministicError) =>
            {
                a.failure.as_ref()
            }
            _ => None,
        })?;
        let mut report = NdeReport::parse(&failure.message).unwrap_or_else(|| NdeReport {
            headline: failure.message.lines().next().unwrap_or_default().to_string(),
            rows: Vec::new(),
            notes: failure.message.lines().skip(1).map(str::to_string).collect(),
        });
        report.locate_expected(timeline);
        Some(report)
    }

    /// Fills the code line of expected commands from the history's source locations.
    pub fn locate_expected(&mut self, timeline: &Timeline) {
        for row in &mut self.rows {
            if let Some(side) = row.expected.as_mut().filter(|s| s.location.is_none())
                && let Some(i) = side.event_id.and_then(|id| timeline.index_of(id))
            {
                side.location = timeline.rows[i].location.clone();
            }
        }
    }
}

/// `    5  ScheduleActivityTask Noop` or `-  (nothing)`.
fn parse_expected(text: &str) -> Option<NdeSide> {
    let (id, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    let rest = rest.trim();
    if rest == "(nothing)" || text == "(nothing)" {
        return None;
    }
    Some(NdeSide { event_id: id.parse().ok(), description: rest.to_string(), location: None })
}

/// `StartTimer 2s  at src/workflow.rs:14:9` or `(nothing)`.
fn parse_produced(text: &str) -> Option<NdeSide> {
    if text.is_empty() || text == "(nothing)" {
        return None;
    }
    let (description, location) = match text.rsplit_once("  at ") {
        Some((d, at)) => (d.trim().to_string(), parse_location(at.trim())),
        None => (text.to_string(), None),
    };
    Some(NdeSide { event_id: None, description, location })
}

fn parse_location(text: &str) -> Option<SourceLocation> {
    let mut parts = text.rsplitn(3, ':');
    let column = parts.next()?.parse().ok()?;
    let line = parts.next()?.parse().ok()?;
    let file = parts.next()?.to_string();
    Some(SourceLocation { file, line, column })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::viz::testing::{reference};

    /// The text the SDK's `NonDeterminismError` prints for the course's example: the
    /// history has the activity branch, the changed code starts a timer.
    pub(crate) const SAMPLE: &str = "\
[TMPRL1100] Nondeterminism error in workflow NDEWorkflow (workflow ID nde-workflow, run ID 01a2) at event 11: history has TimerStarted, the code scheduled activity Noop
Replaying the workflow task started at event 9, the code produced commands that do not match the history:
     event  expected (history)                produced (code)
  ✓      5  ScheduleActivityTask Noop         ScheduleActivityTask Noop  at src/workflow.rs:9:10
  ✗     11  StartTimer 2s                     ScheduleActivityTask Noop  at src/workflow.rs:19:10
  ✗      -  (nothing)                         CompleteWorkflowExecution  at src/workflow.rs:24:5
note: activity IDs are numbered differently
The workflow code changed in a way that does not fit histories recorded by the old code.";

    #[test]
    fn reads_the_sdk_table() {
        let report = NdeReport::parse(SAMPLE).unwrap();
        assert!(report.headline.contains("at event 11"));
        assert_eq!(report.rows.len(), 3);
        assert!(report.rows[0].matches);
        assert!(!report.rows[1].matches);
        let e = report.rows[1].expected.as_ref().unwrap();
        assert_eq!((e.event_id, e.description.as_str()), (Some(11), "StartTimer 2s"));
        let p = report.rows[1].produced.as_ref().unwrap();
        assert_eq!(p.description, "ScheduleActivityTask Noop");
        assert_eq!(p.location.as_ref().map(|l| (l.file.as_str(), l.line, l.column)), Some(("src/workflow.rs", 19, 10)));
        assert_eq!(report.rows[2].expected, None);
        assert_eq!(report.notes.len(), 2);
        assert_eq!(NdeReport::parse("some other failure"), None);
    }

    #[test]
    fn a_history_without_nde_has_no_report() {
        assert_eq!(NdeReport::from_timeline(&Timeline::new(&reference("nde.json"))), None);
    }
}
