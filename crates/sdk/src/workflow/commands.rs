//! Building the commands workflow code produces, and comparing a command with the
//! history event it should have become (what replay matching checks: kind, activity
//! type, marker name; not inputs or durations, as Temporal does).

use std::collections::BTreeMap;
use std::panic::Location;
use std::time::Duration;

use workshop_protocol::command::{
    CancelTimerCommandAttributes, CancelWorkflowExecutionCommandAttributes, Command, CommandAttributes,
    CompleteWorkflowExecutionCommandAttributes, ContinueAsNewWorkflowExecutionCommandAttributes,
    FailWorkflowExecutionCommandAttributes, RecordMarkerCommandAttributes, RequestCancelActivityTaskCommandAttributes,
    ScheduleActivityTaskCommandAttributes, StartTimerCommandAttributes,
};
use workshop_protocol::common::{ActivityType, TaskQueue, UserMetadata};
use workshop_protocol::event::{EventAttributes, HistoryEvent};
use workshop_protocol::payload::Payloads;

use crate::options::ActivityOptions;

/// Marker name of `patched` / `deprecate_patch` (sdk-core's name).
pub(crate) const PATCH_MARKER: &str = "core_patch";
/// Marker name of `side_effect`.
pub(crate) const SIDE_EFFECT_MARKER: &str = "core_side_effect";

pub(crate) fn with_location(mut command: Command, location: &Location<'_>) -> Command {
    command.user_metadata = Some(UserMetadata::source_location(location.file(), location.line(), location.column()));
    command
}

fn command(attributes: CommandAttributes) -> Command {
    Command {
        attributes,
        user_metadata: None,
    }
}

pub(crate) fn schedule_activity(
    activity_id: &str,
    activity_type: &str,
    task_queue: &str,
    input: Payloads,
    options: &ActivityOptions,
) -> Command {
    command(CommandAttributes::ScheduleActivityTask(ScheduleActivityTaskCommandAttributes {
        activity_id: activity_id.to_string(),
        activity_type: ActivityType {
            name: activity_type.to_string(),
        },
        task_queue: Some(TaskQueue::normal(options.task_queue.clone().unwrap_or_else(|| task_queue.to_string()))),
        input: Some(input),
        schedule_to_close_timeout: options.schedule_to_close_timeout,
        schedule_to_start_timeout: options.schedule_to_start_timeout,
        start_to_close_timeout: options.start_to_close_timeout,
        heartbeat_timeout: options.heartbeat_timeout,
        retry_policy: options.retry_policy.as_ref().map(|p| p.to_protocol()),
        ..Default::default()
    }))
}

pub(crate) fn start_timer(timer_id: &str, duration: Duration) -> Command {
    command(CommandAttributes::StartTimer(StartTimerCommandAttributes {
        timer_id: timer_id.to_string(),
        start_to_fire_timeout: Some(duration),
    }))
}

pub(crate) fn cancel_timer(timer_id: &str) -> Command {
    command(CommandAttributes::CancelTimer(CancelTimerCommandAttributes {
        timer_id: timer_id.to_string(),
    }))
}

pub(crate) fn request_cancel_activity(scheduled_event_id: i64) -> Command {
    command(CommandAttributes::RequestCancelActivityTask(RequestCancelActivityTaskCommandAttributes {
        scheduled_event_id,
    }))
}

fn marker(name: &str, details: BTreeMap<String, Payloads>) -> Command {
    command(CommandAttributes::RecordMarker(RecordMarkerCommandAttributes {
        marker_name: name.to_string(),
        details,
        ..Default::default()
    }))
}

pub(crate) fn patch_marker(patch_id: &str, deprecated: bool) -> Command {
    let mut details = BTreeMap::new();
    details.insert("patch_id".to_string(), Payloads::json(patch_id).expect("a string serializes"));
    details.insert("deprecated".to_string(), Payloads::json(&deprecated).expect("a bool serializes"));
    marker(PATCH_MARKER, details)
}

pub(crate) fn side_effect_marker(seq: u32, value: Payloads) -> Command {
    let mut details = BTreeMap::new();
    details.insert("seq".to_string(), Payloads::json(&seq).expect("a number serializes"));
    details.insert("data".to_string(), value);
    marker(SIDE_EFFECT_MARKER, details)
}

/// The patch ID of a patch marker event.
pub(crate) fn patch_id_of(event: &HistoryEvent) -> Option<String> {
    match &event.attributes {
        EventAttributes::MarkerRecorded(m) if m.marker_name == PATCH_MARKER => {
            m.details.get("patch_id")?.decode::<String>().ok()
        }
        _ => None,
    }
}

/// The recorded value of a side-effect marker event.
pub(crate) fn side_effect_value_of(event: &HistoryEvent) -> Option<Option<Payloads>> {
    match &event.attributes {
        EventAttributes::MarkerRecorded(m) if m.marker_name == SIDE_EFFECT_MARKER => Some(m.details.get("data").cloned()),
        _ => None,
    }
}

/// One line describing a command, in the table of a non-determinism error.
pub(crate) fn describe_command(command: &Command) -> String {
    match &command.attributes {
        CommandAttributes::ScheduleActivityTask(a) => format!("ScheduleActivityTask {}", a.activity_type.name),
        CommandAttributes::StartTimer(a) => {
            format!("StartTimer {}", a.start_to_fire_timeout.map(fmt_duration).unwrap_or_default())
        }
        CommandAttributes::CancelTimer(a) => format!("CancelTimer {}", a.timer_id),
        CommandAttributes::RequestCancelActivityTask(_) => "RequestCancelActivityTask".to_string(),
        CommandAttributes::RecordMarker(a) => format!("RecordMarker {}", a.marker_name),
        CommandAttributes::CompleteWorkflowExecution(_) => "CompleteWorkflowExecution".to_string(),
        CommandAttributes::FailWorkflowExecution(_) => "FailWorkflowExecution".to_string(),
        CommandAttributes::CancelWorkflowExecution(_) => "CancelWorkflowExecution".to_string(),
        CommandAttributes::ContinueAsNewWorkflowExecution(_) => "ContinueAsNewWorkflowExecution".to_string(),
        #[allow(unreachable_patterns)]
        other => format!("{other:?}"),
    }
}

/// The command an event was made from, described like `describe_command`.
pub(crate) fn describe_event_as_command(event: &HistoryEvent) -> String {
    match &event.attributes {
        EventAttributes::ActivityTaskScheduled(a) => format!("ScheduleActivityTask {}", a.activity_type.name),
        EventAttributes::TimerStarted(a) => {
            format!("StartTimer {}", a.start_to_fire_timeout.map(fmt_duration).unwrap_or_default())
        }
        EventAttributes::TimerCanceled(a) => format!("CancelTimer {}", a.timer_id),
        EventAttributes::ActivityTaskCancelRequested(_) => "RequestCancelActivityTask".to_string(),
        EventAttributes::MarkerRecorded(a) => format!("RecordMarker {}", a.marker_name),
        EventAttributes::WorkflowExecutionCompleted(_) => "CompleteWorkflowExecution".to_string(),
        EventAttributes::WorkflowExecutionFailed(_) => "FailWorkflowExecution".to_string(),
        EventAttributes::WorkflowExecutionCanceled(_) => "CancelWorkflowExecution".to_string(),
        EventAttributes::WorkflowExecutionContinuedAsNew(_) => "ContinueAsNewWorkflowExecution".to_string(),
        _ => event.event_type().to_string(),
    }
}

fn fmt_duration(d: Duration) -> String {
    if d.subsec_nanos() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{:.3}s", d.as_secs_f64())
    }
}

/// How a produced command compares with a history event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Match {
    Yes,
    /// Same command, but an ID differs (a foreign SDK numbers differently): a note.
    YesWithNote(String),
    No(String),
}

pub(crate) fn compare(command: &Command, event: &HistoryEvent) -> Match {
    use CommandAttributes as C;
    use EventAttributes as E;
    match (&command.attributes, &event.attributes) {
        (C::ScheduleActivityTask(c), E::ActivityTaskScheduled(e)) => {
            if c.activity_type.name != e.activity_type.name {
                Match::No(format!(
                    "activity type of the scheduled event '{}' does not match activity type of the command '{}'",
                    e.activity_type.name, c.activity_type.name
                ))
            } else if c.activity_id != e.activity_id {
                Match::YesWithNote(format!("activity ID {} in history, {} in code", e.activity_id, c.activity_id))
            } else {
                Match::Yes
            }
        }
        (C::StartTimer(c), E::TimerStarted(e)) => {
            if c.timer_id != e.timer_id {
                Match::YesWithNote(format!("timer ID {} in history, {} in code", e.timer_id, c.timer_id))
            } else {
                Match::Yes
            }
        }
        (C::CancelTimer(_), E::TimerCanceled(_)) => Match::Yes,
        (C::RequestCancelActivityTask(_), E::ActivityTaskCancelRequested(_)) => Match::Yes,
        (C::RecordMarker(c), E::MarkerRecorded(e)) => {
            if c.marker_name != e.marker_name {
                Match::No(format!("marker '{}' in history, '{}' in code", e.marker_name, c.marker_name))
            } else if c.marker_name == PATCH_MARKER {
                let produced = c.details.get("patch_id").and_then(|p| p.decode::<String>().ok());
                if produced != patch_id_of(event) {
                    Match::No("patch IDs differ".to_string())
                } else {
                    Match::Yes
                }
            } else {
                Match::Yes
            }
        }
        (C::CompleteWorkflowExecution(_), E::WorkflowExecutionCompleted(_))
        | (C::FailWorkflowExecution(_), E::WorkflowExecutionFailed(_))
        | (C::CancelWorkflowExecution(_), E::WorkflowExecutionCanceled(_))
        | (C::ContinueAsNewWorkflowExecution(_), E::WorkflowExecutionContinuedAsNew(_)) => Match::Yes,
        _ => Match::No(format!(
            "history has {} where the code produced {}",
            describe_event_as_command(event),
            describe_command(command)
        )),
    }
}

pub(crate) fn complete_workflow(result: Payloads) -> Command {
    command(CommandAttributes::CompleteWorkflowExecution(CompleteWorkflowExecutionCommandAttributes {
        result: Some(result),
    }))
}

pub(crate) fn fail_workflow(failure: workshop_protocol::failure::Failure) -> Command {
    command(CommandAttributes::FailWorkflowExecution(FailWorkflowExecutionCommandAttributes {
        failure: Some(failure),
    }))
}

pub(crate) fn cancel_workflow() -> Command {
    command(CommandAttributes::CancelWorkflowExecution(CancelWorkflowExecutionCommandAttributes::default()))
}

pub(crate) fn continue_as_new(workflow_type: &str, task_queue: &str, input: Payloads) -> Command {
    command(CommandAttributes::ContinueAsNewWorkflowExecution(ContinueAsNewWorkflowExecutionCommandAttributes {
        workflow_type: workshop_protocol::common::WorkflowType {
            name: workflow_type.to_string(),
        },
        task_queue: Some(TaskQueue::normal(task_queue)),
        input: Some(input),
        ..Default::default()
    }))
}
