//! The same story as colored lines, for `--plain` and when stdout is not a terminal: one
//! line per event (the client's history row renderer), one per worker action, and the
//! result at the end.

use colored::Colorize;
use workshop_protocol::event::HistoryEvent;

use crate::render::history_table::event_line;

use super::status::Status;
use super::timeline::{Timeline, payloads};

/// Prints events as they arrive, each once.
#[derive(Debug, Default)]
pub struct PlainStory {
    printed: usize,
}

impl PlainStory {
    /// Lines for the events not printed yet.
    pub fn new_events(&mut self, events: &[HistoryEvent]) -> Vec<String> {
        let Some(first) = events.first() else { return Vec::new() };
        let lines = events.iter().skip(self.printed).map(|e| event_line(e, first.event_time)).collect();
        self.printed = self.printed.max(events.len());
        lines
    }
}

/// A worker action or a runner message, set apart from events.
pub fn note(text: &str) -> String {
    format!("{} {}", "  ▸".magenta().bold(), text.magenta())
}

/// The closing line: status and result (or failure) of the run.
pub fn outcome(timeline: &Timeline) -> String {
    let status = Status::derive(&timeline.events, chrono::Utc::now(), &[]);
    let name = status.execution_name();
    let detail = match timeline.events.last().map(|e| &e.attributes) {
        Some(workshop_protocol::event::EventAttributes::WorkflowExecutionCompleted(a)) => payloads(&a.result),
        _ => timeline.outcome().map(|r| r.summary.clone()).unwrap_or_default(),
    };
    let head = format!("Workflow {name}");
    let head = match name {
        "Completed" => head.green().bold(),
        "Running" => head.yellow().bold(),
        _ => head.red().bold(),
    };
    if detail.is_empty() { format!("{head} ({} events)", status.history_length) } else { format!("{head} ({} events): {detail}", status.history_length) }
}

/// A non-determinism error as lines: the headline, then expected vs produced with ✓/✗
/// and code lines.
pub fn nde(report: &super::nde::NdeReport) -> String {
    let side = |s: &Option<super::nde::NdeSide>| match s {
        None => "(nothing)".to_string(),
        Some(s) => {
            let id = s.event_id.map(|i| format!("{i} ")).unwrap_or_default();
            let at = s.location.as_ref().map(|l| format!(" at {}:{}", l.file, l.line)).unwrap_or_default();
            format!("{id}{}{at}", s.description)
        }
    };
    let mut out = vec![format!("{} {}", "Non-determinism:".red().bold(), report.headline)];
    for row in &report.rows {
        let mark = if row.matches { "✓".green() } else { "✗".red() };
        out.push(format!("  {mark} expected {}  |  produced {}", side(&row.expected), side(&row.produced)));
    }
    out.push("The run waits for a worker whose code fits its history.".to_string());
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::viz::testing::{reference};

    #[test]
    fn events_print_once_and_the_result_closes_the_story() {
        colored::control::set_override(false);
        let events = reference("worker-crash-short-timer.json").events;
        let mut story = PlainStory::default();
        let first = story.new_events(&events[..12]);
        assert_eq!(first.len(), 12);
        assert!(first[10].contains("TimerStarted"), "{}", first[10]);
        let rest = story.new_events(&events);
        assert_eq!(rest.len(), 12);
        assert!(rest[1].contains("WorkflowTaskTimedOut"), "{}", rest[1]);
        assert!(story.new_events(&events).is_empty());
        let end = outcome(&Timeline::from_events(events));
        assert_eq!(end, r#"Workflow Completed (24 events): {"HelloMessage":"Bonjour, Pierre","GoodbyeMessage":"Au revoir, Pierre"}"#);
    }

    #[test]
    fn non_determinism_prints_expected_and_produced_with_code_lines() {
        colored::control::set_override(false);
        let report = crate::viz::nde::NdeReport::parse(crate::viz::nde::tests::SAMPLE).unwrap();
        let text = nde(&report);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("Non-determinism: [TMPRL1100]"), "{text}");
        assert_eq!(lines[2], "  ✗ expected 11 StartTimer 2s  |  produced ScheduleActivityTask Noop at src/workflow.rs:19");
        assert_eq!(lines[3], "  ✗ expected (nothing)  |  produced CompleteWorkflowExecution at src/workflow.rs:24");
    }
}
