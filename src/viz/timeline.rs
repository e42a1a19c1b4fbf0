//! The history as the screen shows it: one row per event (kind, time offset, the few
//! attributes that tell the story), the workflow tasks with the commands each produced,
//! and the code location behind each event.

use chrono::{DateTime, Utc};
use serde_json::Value;
use workshop_protocol::common::{SourceLocation, TaskQueue};
use workshop_protocol::enums::{EventType, TaskQueueKind};
use workshop_protocol::event::{EventAttributes as A, HistoryEvent};
use workshop_protocol::failure::Failure;
use workshop_protocol::history::History;
use workshop_protocol::json::format_duration;
use workshop_protocol::payload::Payloads;

use crate::render::history_table::time_offset;

/// What an event is about, which decides its color.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    Workflow,
    WorkflowTask,
    Activity,
    Timer,
    Other,
}

/// Whether an event is good news, bad news, or neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Neutral,
    Good,
    Bad,
    Warn,
}

/// A task queue as events name it; `sticky` queues belong to one worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueRef {
    pub name: String,
    pub sticky: bool,
    /// The normal queue behind a sticky one.
    pub normal_name: String,
}

impl QueueRef {
    fn from(queue: &TaskQueue) -> QueueRef {
        QueueRef {
            name: queue.name.clone(),
            sticky: queue.kind == TaskQueueKind::Sticky,
            normal_name: queue.normal_name.clone(),
        }
    }

    pub fn kind_name(&self) -> &'static str {
        if self.sticky { "sticky" } else { "normal" }
    }
}

/// One line of the event history pane.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRow {
    pub event_id: i64,
    pub event_type: EventType,
    /// `+0.563s` since the first event.
    pub offset: String,
    pub kind: EventKind,
    pub tone: Tone,
    /// Activity type and decoded input, timer duration, queue, identity, attempt, failure.
    pub summary: String,
    pub identity: Option<String>,
    pub attempt: Option<i32>,
    pub failure: Option<String>,
    /// Where the workflow code produced the command behind this event, if recorded.
    pub location: Option<SourceLocation>,
}

/// A command a workflow task sent, seen through the event it became.
#[derive(Debug, Clone, PartialEq)]
pub struct CommandRef {
    pub event_id: i64,
    /// Temporal's command name (`ScheduleActivityTask`, `StartTimer`, ...).
    pub command: &'static str,
    /// `TranslateTerm {"Term":"hello"}`, `3s`, ...
    pub description: String,
    pub location: Option<SourceLocation>,
}

/// One workflow task: where it was queued, who ran it, how it ended, what it sent.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkflowTask {
    pub scheduled_event_id: i64,
    pub queue: QueueRef,
    pub attempt: i32,
    pub started_event_id: Option<i64>,
    pub identity: Option<String>,
    /// The Completed, Failed or TimedOut event.
    pub outcome: Option<(i64, EventType)>,
    pub commands: Vec<CommandRef>,
    /// The worker had not run this execution's previous task, so it rebuilt the workflow
    /// state by replaying the history before running this task.
    pub replayed: bool,
}

/// The history, prepared for drawing.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    pub events: Vec<HistoryEvent>,
    pub rows: Vec<EventRow>,
    pub tasks: Vec<WorkflowTask>,
    pub workflow_type: String,
    pub workflow_id: String,
}

impl Timeline {
    pub fn new(history: &History) -> Timeline {
        Timeline::from_events(history.events.clone())
    }

    pub fn from_events(events: Vec<HistoryEvent>) -> Timeline {
        let start = events.first().map(|e| e.event_time).unwrap_or_default();
        let rows = events.iter().map(|e| row(e, start)).collect();
        let tasks = workflow_tasks(&events);
        let (workflow_type, workflow_id) = match events.first().map(|e| &e.attributes) {
            Some(A::WorkflowExecutionStarted(a)) => (a.workflow_type.name.clone(), a.workflow_id.clone()),
            _ => (String::new(), String::new()),
        };
        Timeline { events, rows, tasks, workflow_type, workflow_id }
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The first event's time (offsets count from it).
    pub fn start_time(&self) -> Option<DateTime<Utc>> {
        self.events.first().map(|e| e.event_time)
    }

    pub fn index_of(&self, event_id: i64) -> Option<usize> {
        self.events.iter().position(|e| e.event_id == event_id)
    }

    /// The workflow task an event belongs to: its own for workflow-task events and the
    /// commands a task sent; otherwise the latest task scheduled before it.
    pub fn task_for(&self, index: usize) -> Option<usize> {
        let event = self.events.get(index)?;
        let id = event.event_id;
        let own = self.tasks.iter().position(|t| {
            t.scheduled_event_id == id
                || t.started_event_id == Some(id)
                || t.outcome.map(|(o, _)| o) == Some(id)
                || t.commands.iter().any(|c| c.event_id == id)
        });
        own.or_else(|| self.tasks.iter().rposition(|t| t.scheduled_event_id < id))
    }

    /// The code location to highlight for an event: its own; for an outcome (TimerFired,
    /// ActivityTaskCompleted, ...) the command event it answers; otherwise the latest
    /// command at or before it.
    pub fn location_for(&self, index: usize) -> Option<(i64, SourceLocation)> {
        let event = self.events.get(index)?;
        if let Some(loc) = &self.rows[index].location {
            return Some((event.event_id, loc.clone()));
        }
        let linked = match &event.attributes {
            A::TimerFired(a) => Some(a.started_event_id),
            A::TimerCanceled(a) => Some(a.started_event_id),
            _ => event.scheduled_event_id().filter(|_| event_kind(event.event_type()) == EventKind::Activity),
        };
        if let Some(i) = linked.and_then(|id| self.index_of(id))
            && let Some(loc) = &self.rows[i].location
        {
            return Some((self.events[i].event_id, loc.clone()));
        }
        (0..=index).rev().find_map(|i| self.rows[i].location.clone().map(|l| (self.events[i].event_id, l)))
    }

    /// Any event carries a source location (histories from other SDKs have none).
    pub fn has_locations(&self) -> bool {
        self.rows.iter().any(|r| r.location.is_some())
    }

    /// The close event's one-line outcome, if the run is closed.
    pub fn outcome(&self) -> Option<&EventRow> {
        self.rows.last().filter(|r| r.event_type.is_close())
    }
}

pub fn event_kind(event_type: EventType) -> EventKind {
    let name = event_type.short_name();
    if name.starts_with("WorkflowTask") {
        EventKind::WorkflowTask
    } else if name.starts_with("WorkflowExecution") {
        EventKind::Workflow
    } else if name.starts_with("ActivityTask") {
        EventKind::Activity
    } else if name.starts_with("Timer") {
        EventKind::Timer
    } else {
        EventKind::Other
    }
}

pub fn event_tone(event_type: EventType) -> Tone {
    use EventType as E;
    match event_type {
        E::WorkflowExecutionCompleted | E::ActivityTaskCompleted | E::TimerFired => Tone::Good,
        E::WorkflowExecutionFailed
        | E::WorkflowExecutionTimedOut
        | E::WorkflowExecutionTerminated
        | E::WorkflowTaskFailed
        | E::WorkflowTaskTimedOut
        | E::ActivityTaskFailed
        | E::ActivityTaskTimedOut => Tone::Bad,
        E::WorkflowExecutionCanceled
        | E::WorkflowExecutionCancelRequested
        | E::ActivityTaskCancelRequested
        | E::ActivityTaskCanceled
        | E::TimerCanceled => Tone::Warn,
        _ => Tone::Neutral,
    }
}

/// Temporal's name of the command an event was made from.
pub fn command_name(event_type: EventType) -> Option<&'static str> {
    use EventType as E;
    Some(match event_type {
        E::ActivityTaskScheduled => "ScheduleActivityTask",
        E::ActivityTaskCancelRequested => "RequestCancelActivityTask",
        E::TimerStarted => "StartTimer",
        E::TimerCanceled => "CancelTimer",
        E::MarkerRecorded => "RecordMarker",
        E::WorkflowExecutionCompleted => "CompleteWorkflowExecution",
        E::WorkflowExecutionFailed => "FailWorkflowExecution",
        E::WorkflowExecutionCanceled => "CancelWorkflowExecution",
        E::WorkflowExecutionContinuedAsNew => "ContinueAsNewWorkflowExecution",
        _ => return None,
    })
}

fn row(event: &HistoryEvent, start: DateTime<Utc>) -> EventRow {
    let event_type = event.event_type();
    let (identity, attempt, failure) = match &event.attributes {
        A::WorkflowTaskStarted(a) => (some(&a.identity), None, None),
        A::WorkflowTaskCompleted(a) => (some(&a.identity), None, None),
        A::WorkflowTaskFailed(a) => (some(&a.identity), None, a.failure.as_ref().map(failure_text)),
        A::WorkflowTaskScheduled(a) => (None, Some(a.attempt).filter(|n| *n > 1), None),
        A::ActivityTaskStarted(a) => (some(&a.identity), Some(a.attempt.max(1)), None),
        A::ActivityTaskCompleted(a) => (some(&a.identity), None, None),
        A::ActivityTaskFailed(a) => (some(&a.identity), None, a.failure.as_ref().map(failure_text)),
        A::ActivityTaskTimedOut(a) => (None, None, a.failure.as_ref().map(failure_text)),
        A::WorkflowExecutionFailed(a) => (None, None, a.failure.as_ref().map(failure_text)),
        A::WorkflowExecutionStarted(a) => (some(&a.identity), None, None),
        A::WorkflowExecutionTerminated(a) => (some(&a.identity), None, None),
        _ => (None, None, None),
    };
    EventRow {
        event_id: event.event_id,
        event_type,
        offset: time_offset(event.event_time, start),
        kind: event_kind(event_type),
        tone: event_tone(event_type),
        summary: summary(event),
        identity,
        attempt,
        failure,
        location: event.user_metadata.as_ref().and_then(|m| m.get_source_location()),
    }
}

fn some(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

/// A short description of a command event, as the commands pane lists it.
pub fn command_description(event: &HistoryEvent) -> String {
    match &event.attributes {
        A::ActivityTaskScheduled(a) => join([a.activity_type.name.clone(), payloads(&a.input)]),
        A::TimerStarted(a) => a.start_to_fire_timeout.map(format_duration).unwrap_or_default(),
        A::TimerCanceled(a) => format!("timer {}", a.timer_id),
        A::ActivityTaskCancelRequested(a) => format!("activity of event {}", a.scheduled_event_id),
        A::MarkerRecorded(a) => a.marker_name.clone(),
        A::WorkflowExecutionCompleted(a) => payloads(&a.result),
        A::WorkflowExecutionFailed(a) => a.failure.as_ref().map(failure_text).unwrap_or_default(),
        A::WorkflowExecutionCanceled(a) => payloads(&a.details),
        A::WorkflowExecutionContinuedAsNew(a) => join([a.workflow_type.name.clone(), payloads(&a.input)]),
        _ => String::new(),
    }
}

/// The attributes worth a glance in a narrow pane.
fn summary(event: &HistoryEvent) -> String {
    match &event.attributes {
        A::WorkflowExecutionStarted(a) => {
            join([a.workflow_type.name.clone(), payloads(&a.input), format!("queue {}", a.task_queue.name)])
        }
        A::WorkflowTaskScheduled(a) => {
            let q = QueueRef::from(&a.task_queue);
            let attempt = if a.attempt > 1 { format!(" attempt {}", a.attempt) } else { String::new() };
            format!("{} {}{attempt}", q.kind_name(), q.name)
        }
        A::WorkflowTaskStarted(a) => format!("by {}", a.identity),
        A::WorkflowTaskCompleted(a) => format!("by {}", a.identity),
        A::WorkflowTaskTimedOut(a) => {
            let kind = a.timeout_type.map(|t| t.as_str().trim_start_matches("TIMEOUT_TYPE_").to_string());
            format!("{} (task {})", kind.unwrap_or_default(), a.scheduled_event_id)
        }
        A::WorkflowTaskFailed(a) => {
            let cause = a.cause.map(|c| c.as_str().trim_start_matches("WORKFLOW_TASK_FAILED_CAUSE_").to_string());
            join([cause.unwrap_or_default(), format!("by {}", a.identity)])
        }
        A::ActivityTaskScheduled(_) => command_description(event),
        A::ActivityTaskStarted(a) => {
            let last = a.last_failure.as_ref().map(|f| format!("last failure: {}", failure_text(f)));
            join([format!("attempt {} by {}", a.attempt.max(1), a.identity), last.unwrap_or_default()])
        }
        A::ActivityTaskCompleted(a) => payloads(&a.result),
        A::ActivityTaskFailed(a) => {
            let state = a.retry_state.map(|s| s.as_str().trim_start_matches("RETRY_STATE_").to_string());
            join([a.failure.as_ref().map(failure_text).unwrap_or_default(), state.unwrap_or_default()])
        }
        A::ActivityTaskTimedOut(a) => a.failure.as_ref().map(failure_text).unwrap_or_default(),
        A::TimerStarted(a) => {
            format!("{} (timer {})", a.start_to_fire_timeout.map(format_duration).unwrap_or_default(), a.timer_id)
        }
        A::TimerFired(a) => format!("timer {}", a.timer_id),
        A::TimerCanceled(a) => format!("timer {}", a.timer_id),
        A::WorkflowExecutionTerminated(a) => join([quote(&a.reason), format!("by {}", a.identity)]),
        A::WorkflowExecutionSignaled(a) => join([a.signal_name.clone(), payloads(&a.input)]),
        _ => command_description(event),
    }
}

fn quote(s: &str) -> String {
    if s.is_empty() { String::new() } else { format!("{s:?}") }
}

fn join<const N: usize>(parts: [String; N]) -> String {
    parts.into_iter().filter(|p| !p.is_empty()).collect::<Vec<_>>().join(" ")
}

/// Decoded payloads, compact: one value as itself, several as a list.
pub fn payloads(p: &Option<Payloads>) -> String {
    let Some(p) = p else { return String::new() };
    let values: Vec<Value> = p.payloads.iter().map(|p| p.to_json_value()).collect();
    match values.as_slice() {
        [] => String::new(),
        [one] => serde_json::to_string(one).unwrap_or_default(),
        many => serde_json::to_string(many).unwrap_or_default(),
    }
}

/// A failure's message with its causes' messages.
pub fn failure_text(f: &Failure) -> String {
    let mut parts = vec![f.message.clone()];
    let mut next = f.cause.as_deref();
    while let Some(c) = next {
        parts.push(c.message.clone());
        next = c.cause.as_deref();
    }
    parts.retain(|p| !p.is_empty());
    parts.join(": ")
}

fn workflow_tasks(events: &[HistoryEvent]) -> Vec<WorkflowTask> {
    let mut tasks: Vec<WorkflowTask> = Vec::new();
    let find = |tasks: &mut Vec<WorkflowTask>, scheduled: i64| tasks.iter().rposition(|t| t.scheduled_event_id == scheduled);
    for (i, event) in events.iter().enumerate() {
        match &event.attributes {
            A::WorkflowTaskScheduled(a) => tasks.push(WorkflowTask {
                scheduled_event_id: event.event_id,
                queue: QueueRef::from(&a.task_queue),
                attempt: a.attempt.max(1),
                started_event_id: None,
                identity: None,
                outcome: None,
                commands: Vec::new(),
                replayed: false,
            }),
            A::WorkflowTaskStarted(a) => {
                if let Some(t) = find(&mut tasks, a.scheduled_event_id) {
                    tasks[t].started_event_id = Some(event.event_id);
                    tasks[t].identity = some(&a.identity);
                }
            }
            A::WorkflowTaskCompleted(_) | A::WorkflowTaskFailed(_) | A::WorkflowTaskTimedOut(_) => {
                let scheduled = event.scheduled_event_id().unwrap_or_default();
                if let Some(t) = find(&mut tasks, scheduled) {
                    tasks[t].outcome = Some((event.event_id, event.event_type()));
                    if event.event_type() == EventType::WorkflowTaskCompleted {
                        tasks[t].commands = commands_of(events, i);
                    }
                }
            }
            _ => {}
        }
    }
    // A worker that did not run the previous completed task has no cached state: it
    // replays the whole history first.
    let mut previous: Option<String> = None;
    for task in tasks.iter_mut() {
        if task.started_event_id.is_none() {
            continue;
        }
        task.replayed = previous.is_some() && previous != task.identity;
        if task.outcome.map(|(_, t)| t) == Some(EventType::WorkflowTaskCompleted) {
            previous = task.identity.clone();
        }
    }
    tasks
}

/// The command events a WorkflowTaskCompleted (at `completed`) led to: those linked to
/// it, or, for histories without links, the command events right after it.
fn commands_of(events: &[HistoryEvent], completed: usize) -> Vec<CommandRef> {
    let completed_id = events[completed].event_id;
    let linked: Vec<&HistoryEvent> = events
        .iter()
        .skip(completed + 1)
        .filter(|e| e.workflow_task_completed_event_id() == Some(completed_id))
        .collect();
    let chosen: Vec<&HistoryEvent> = if linked.is_empty() {
        events.iter().skip(completed + 1).take_while(|e| e.is_command_event()).collect()
    } else {
        linked
    };
    chosen
        .into_iter()
        .filter_map(|e| {
            Some(CommandRef {
                event_id: e.event_id,
                command: command_name(e.event_type())?,
                description: command_description(e),
                location: e.user_metadata.as_ref().and_then(|m| m.get_source_location()),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::viz::testing::{fixture, reference};

    #[test]
    fn rows_carry_kind_offset_and_key_attributes() {
        let t = Timeline::new(&reference("worker-crash-short-timer.json"));
        assert_eq!(t.rows.len(), 24);
        let r = |id: usize| &t.rows[id - 1];
        assert_eq!(r(1).offset, "+0.000s");
        assert_eq!(r(1).kind, EventKind::Workflow);
        assert!(r(1).summary.starts_with(r#"TranslationWorkflow {"Name":"#), "{}", r(1).summary);
        assert_eq!(r(2).summary, "normal translation-crash2-tasks");
        assert!(r(8).summary.starts_with("sticky 7565@vm-"), "{}", r(8).summary);
        assert_eq!(r(5).kind, EventKind::Activity);
        assert_eq!(r(5).summary, r#"TranslateTerm {"Term":"hello","LanguageCode":"fr"}"#);
        assert_eq!(r(6).attempt, Some(1));
        assert_eq!(r(6).identity.as_deref(), Some("7565@vm"));
        assert_eq!(r(11).summary, "3s (timer 1)");
        assert_eq!(r(11).kind, EventKind::Timer);
        assert_eq!(r(12).offset, "+3.120s");
        assert_eq!(r(14).summary, "SCHEDULE_TO_START (task 13)");
        assert_eq!(r(14).tone, Tone::Bad);
        assert_eq!(r(16).summary, "by 7689@vm");
        assert!(r(24).event_type.is_close());
        assert_eq!(r(24).summary, r#"{"HelloMessage":"Bonjour, Pierre","GoodbyeMessage":"Au revoir, Pierre"}"#);
    }

    #[test]
    fn workflow_tasks_list_their_commands_and_who_replayed() {
        let t = Timeline::new(&reference("worker-crash-short-timer.json"));
        let summary: Vec<(i64, bool, Option<&str>, Vec<&str>)> = t
            .tasks
            .iter()
            .map(|k| (k.scheduled_event_id, k.queue.sticky, k.identity.as_deref(), k.commands.iter().map(|c| c.command).collect()))
            .collect();
        assert_eq!(
            summary,
            vec![
                (2, false, Some("7565@vm"), vec!["ScheduleActivityTask"]),
                (8, true, Some("7565@vm"), vec!["StartTimer"]),
                (13, true, None, vec![]),
                (15, false, Some("7689@vm"), vec!["ScheduleActivityTask"]),
                (21, true, Some("7689@vm"), vec!["CompleteWorkflowExecution"]),
            ]
        );
        assert_eq!(t.tasks[2].outcome, Some((14, EventType::WorkflowTaskTimedOut)));
        let replayed: Vec<bool> = t.tasks.iter().map(|k| k.replayed).collect();
        assert_eq!(replayed, [false, false, false, true, false]);
        assert_eq!(t.tasks[1].commands[0].description, "3s");
    }

    #[test]
    fn events_belong_to_the_task_that_sent_or_saw_them() {
        let t = Timeline::new(&reference("worker-crash-short-timer.json"));
        let task_of = |id: i64| t.tasks[t.task_for(t.index_of(id).unwrap()).unwrap()].scheduled_event_id;
        assert_eq!(task_of(5), 2);
        assert_eq!(task_of(11), 8);
        assert_eq!(task_of(12), 8);
        assert_eq!(task_of(14), 13);
        assert_eq!(task_of(18), 15);
        assert_eq!(t.task_for(0), None);
    }

    #[test]
    fn code_locations_follow_commands_and_their_outcomes() {
        let t = Timeline::new(&fixture("viz-translation-located.json"));
        assert!(t.has_locations());
        let line = |id: i64| t.location_for(t.index_of(id).unwrap()).map(|(e, l)| (e, l.line));
        assert_eq!(line(1), None);
        assert_eq!(line(5), Some((5, 21)));
        assert_eq!(line(7), Some((5, 21)));
        assert_eq!(line(11), Some((11, 27)));
        assert_eq!(line(12), Some((11, 27)));
        assert_eq!(line(14), Some((11, 27)));
        assert_eq!(line(24), Some((24, 36)));
        let plain = Timeline::new(&reference("worker-crash-short-timer.json"));
        assert!(!plain.has_locations());
        assert_eq!(plain.location_for(10), None);
    }
}
