//! An event history as a readable table: one line per event with its ID, time since the
//! run started, type (colored by kind) and the few attributes that tell the story
//! (activity type and ID, attempt, timer duration, result, failure message, links to the
//! Scheduled/Started events). `workshop workflow show` prints it; the visualization's
//! `--plain` output reuses [`event_line`].
//!
//! Attributes are read from the event's JSON with payloads decoded, so imported Temporal
//! histories (unknown fields and all) render the same way as ours.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use colored::{Color, ColoredString, Colorize};
use serde_json::Value;
use workshop_protocol::enums::EventType;
use workshop_protocol::event::HistoryEvent;
use workshop_protocol::payload::Payload;

/// Longest payload or message shown in a row; `workflow show --event N` shows it all.
const MAX_VALUE_CHARS: usize = 60;

/// Width of the type column: the longest short event type name.
const TYPE_WIDTH: usize = 32;

/// The whole table: a header line, then one line per event. Time offsets count from the
/// first event.
pub fn render_table(events: &[HistoryEvent]) -> String {
    let mut out = String::new();
    let Some(first) = events.first() else {
        return "(no events)\n".to_string();
    };
    let id_width = events
        .last()
        .map_or(1, |e| e.event_id.to_string().len())
        .max(2);
    let _ = writeln!(
        out,
        "{}",
        format!(
            "{:>id_width$}  {:>9}  {:<TYPE_WIDTH$}  {}",
            "ID", "TIME", "TYPE", "DETAILS"
        )
        .bold()
    );
    for event in events {
        let _ = writeln!(
            out,
            "{}",
            event_line_with_width(event, first.event_time, id_width)
        );
    }
    out
}

/// One event as a colored line: `   5    +0.563s  ActivityTaskScheduled   GetDistance id=1 ...`.
/// `run_start` is the eventTime of event 1 (offsets are relative to it).
pub fn event_line(event: &HistoryEvent, run_start: DateTime<Utc>) -> String {
    event_line_with_width(event, run_start, 3)
}

fn event_line_with_width(
    event: &HistoryEvent,
    run_start: DateTime<Utc>,
    id_width: usize,
) -> String {
    let event_type = event.event_type();
    let name = format!("{:<TYPE_WIDTH$}", event_type.short_name());
    format!(
        "{:>id_width$}  {:>9}  {}  {}",
        event.event_id,
        time_offset(event.event_time, run_start).dimmed(),
        colorize(&name, event_type),
        key_attributes(event)
    )
}

/// `+0.563s`, `+12.0s`, `+3m05s`, `+2h01m`: time since the run started. Negative
/// offsets (ActivityTaskStarted carries the start of the attempt, which may precede
/// events written before it) print with `-`.
pub fn time_offset(at: DateTime<Utc>, run_start: DateTime<Utc>) -> String {
    let delta = at - run_start;
    let sign = if delta < chrono::TimeDelta::zero() {
        "-"
    } else {
        "+"
    };
    let millis = delta.num_milliseconds().unsigned_abs();
    let secs = millis / 1000;
    if secs < 10 {
        format!("{sign}{}.{:03}s", secs, millis % 1000)
    } else if secs < 60 {
        format!("{sign}{}.{}s", secs, (millis % 1000) / 100)
    } else if secs < 3600 {
        format!("{sign}{}m{:02}s", secs / 60, secs % 60)
    } else {
        format!("{sign}{}h{:02}m", secs / 3600, (secs % 3600) / 60)
    }
}

/// The color of an event type: workflow lifecycle cyan, workflow tasks dimmed (they are
/// the engine's bookkeeping), activities blue, timers yellow, signals and markers
/// magenta; completions green, failures and timeouts red, cancellations yellow.
pub fn event_color(event_type: EventType) -> Color {
    use EventType as E;
    match event_type {
        E::WorkflowExecutionCompleted | E::ActivityTaskCompleted | E::TimerFired => Color::Green,
        E::WorkflowExecutionFailed
        | E::WorkflowExecutionTimedOut
        | E::WorkflowExecutionTerminated
        | E::WorkflowTaskFailed
        | E::WorkflowTaskTimedOut
        | E::ActivityTaskFailed
        | E::ActivityTaskTimedOut => Color::Red,
        E::WorkflowExecutionCanceled
        | E::WorkflowExecutionCancelRequested
        | E::ActivityTaskCancelRequested
        | E::ActivityTaskCanceled
        | E::TimerCanceled => Color::Yellow,
        E::WorkflowExecutionStarted | E::WorkflowExecutionContinuedAsNew => Color::Cyan,
        E::WorkflowTaskScheduled | E::WorkflowTaskStarted | E::WorkflowTaskCompleted => {
            Color::BrightBlack
        }
        E::ActivityTaskScheduled | E::ActivityTaskStarted => Color::Blue,
        E::TimerStarted => Color::Yellow,
        E::WorkflowExecutionSignaled | E::MarkerRecorded => Color::Magenta,
    }
}

/// `text` in the color of `event_type`; close events are bold.
pub fn colorize(text: &str, event_type: EventType) -> ColoredString {
    let colored = text.color(event_color(event_type));
    if event_type.is_close() {
        colored.bold()
    } else {
        colored
    }
}

/// The attributes worth a glance, as `key=value` pairs (payloads decoded and shortened).
pub fn key_attributes(event: &HistoryEvent) -> String {
    let attrs = decoded_attributes(event);
    let a = |path: &str| lookup(&attrs, path);
    use EventType as E;
    let mut parts: Vec<String> = Vec::new();
    let mut push = |label: &str, value: Option<String>| {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            parts.push(if label.is_empty() {
                v
            } else {
                format!("{label}={v}")
            });
        }
    };
    match event.event_type() {
        E::WorkflowExecutionStarted => {
            push("", a("workflowType.name").map(plain));
            push("taskQueue", a("taskQueue.name").map(plain));
            push("input", a("input").map(payloads));
            push(
                "attempt",
                a("attempt")
                    .filter(|v| v.as_i64().unwrap_or(1) > 1)
                    .map(plain),
            );
        }
        E::WorkflowTaskScheduled => {
            push("taskQueue", task_queue(&attrs));
            push(
                "attempt",
                a("attempt")
                    .filter(|v| v.as_i64().unwrap_or(1) > 1)
                    .map(plain),
            );
        }
        E::WorkflowTaskStarted => {
            push("scheduled", a("scheduledEventId").map(plain));
            push("identity", a("identity").map(plain));
        }
        E::WorkflowTaskCompleted => {
            push("scheduled", a("scheduledEventId").map(plain));
            push("started", a("startedEventId").map(plain));
            push("identity", a("identity").map(plain));
        }
        E::WorkflowTaskTimedOut => {
            push("scheduled", a("scheduledEventId").map(plain));
            push(
                "started",
                a("startedEventId").filter(|v| plain(v) != "0").map(plain),
            );
            push(
                "timeoutType",
                a("timeoutType").map(|v| strip_prefix(v, "TIMEOUT_TYPE_")),
            );
        }
        E::WorkflowTaskFailed => {
            push("scheduled", a("scheduledEventId").map(plain));
            push("started", a("startedEventId").map(plain));
            push(
                "cause",
                a("cause").map(|v| strip_prefix(v, "WORKFLOW_TASK_FAILED_CAUSE_")),
            );
            push("failure", a("failure").map(failure));
        }
        E::ActivityTaskScheduled => {
            push("", a("activityType.name").map(plain));
            push("id", a("activityId").map(plain));
            push("taskQueue", task_queue(&attrs));
            push("startToClose", a("startToCloseTimeout").map(plain));
            push(
                "scheduleToClose",
                a("scheduleToCloseTimeout")
                    .filter(|v| plain(v) != "0s")
                    .map(plain),
            );
            push(
                "heartbeat",
                a("heartbeatTimeout")
                    .filter(|v| plain(v) != "0s")
                    .map(plain),
            );
            push("maxAttempts", a("retryPolicy.maximumAttempts").map(plain));
            push("input", a("input").map(payloads));
        }
        E::ActivityTaskStarted => {
            push("scheduled", a("scheduledEventId").map(plain));
            push("attempt", a("attempt").map(plain));
            push("identity", a("identity").map(plain));
            push("lastFailure", a("lastFailure").map(failure));
        }
        E::ActivityTaskCompleted => {
            push("scheduled", a("scheduledEventId").map(plain));
            push("started", a("startedEventId").map(plain));
            push("result", a("result").map(payloads));
        }
        E::ActivityTaskFailed => {
            push("scheduled", a("scheduledEventId").map(plain));
            push("started", a("startedEventId").map(plain));
            push(
                "retryState",
                a("retryState").map(|v| strip_prefix(v, "RETRY_STATE_")),
            );
            push("failure", a("failure").map(failure));
        }
        E::ActivityTaskTimedOut => {
            push("scheduled", a("scheduledEventId").map(plain));
            push(
                "started",
                a("startedEventId").filter(|v| plain(v) != "0").map(plain),
            );
            push(
                "timeoutType",
                a("failure.timeoutFailureInfo.timeoutType")
                    .map(|v| strip_prefix(v, "TIMEOUT_TYPE_")),
            );
            push(
                "retryState",
                a("retryState").map(|v| strip_prefix(v, "RETRY_STATE_")),
            );
        }
        E::ActivityTaskCancelRequested => {
            push("scheduled", a("scheduledEventId").map(plain));
        }
        E::ActivityTaskCanceled => {
            push("scheduled", a("scheduledEventId").map(plain));
            push(
                "started",
                a("startedEventId").filter(|v| plain(v) != "0").map(plain),
            );
            push("details", a("details").map(payloads));
        }
        E::TimerStarted => {
            push("id", a("timerId").map(plain));
            push("fireAfter", a("startToFireTimeout").map(plain));
        }
        E::TimerFired => {
            push("id", a("timerId").map(plain));
            push("started", a("startedEventId").map(plain));
        }
        E::TimerCanceled => {
            push("id", a("timerId").map(plain));
            push("started", a("startedEventId").map(plain));
        }
        E::MarkerRecorded => {
            push("", a("markerName").map(plain));
            push("details", a("details").map(|v| shorten(&compact(v))));
        }
        E::WorkflowExecutionSignaled => {
            push("", a("signalName").map(plain));
            push("input", a("input").map(payloads));
            push("identity", a("identity").map(plain));
        }
        E::WorkflowExecutionCompleted => {
            push("result", a("result").map(payloads));
        }
        E::WorkflowExecutionFailed => {
            push("failure", a("failure").map(failure));
            push(
                "retryState",
                a("retryState").map(|v| strip_prefix(v, "RETRY_STATE_")),
            );
        }
        E::WorkflowExecutionTimedOut => {
            push(
                "retryState",
                a("retryState").map(|v| strip_prefix(v, "RETRY_STATE_")),
            );
        }
        E::WorkflowExecutionTerminated => {
            push("reason", a("reason").map(|v| shorten(&plain(v))));
            push("identity", a("identity").map(plain));
        }
        E::WorkflowExecutionCancelRequested => {
            push("cause", a("cause").map(plain));
            push("identity", a("identity").map(plain));
        }
        E::WorkflowExecutionCanceled => {
            push("details", a("details").map(payloads));
        }
        E::WorkflowExecutionContinuedAsNew => {
            push("newRun", a("newExecutionRunId").map(plain));
            push("input", a("input").map(payloads));
        }
    }
    parts.join(" ")
}

/// Every attribute of one event, payloads decoded, as indented JSON under a header line;
/// the source location of the command that produced it when recorded. For
/// `workflow show --event N`.
pub fn render_event_detail(event: &HistoryEvent, run_start: DateTime<Utc>) -> String {
    let event_type = event.event_type();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {}  {}",
        format!("Event {}", event.event_id).bold(),
        colorize(event_type.short_name(), event_type),
        format!(
            "{} ({})",
            workshop_protocol::json::format_timestamp(&event.event_time),
            time_offset(event.event_time, run_start)
        )
        .dimmed()
    );
    let _ = writeln!(
        out,
        "{}",
        format!(
            "eventType: {}, taskId: {}",
            event_type.as_str(),
            event.task_id
        )
        .dimmed()
    );
    let attrs = decoded_attributes(event);
    let _ = writeln!(out, "{}", event_type.attributes_key().bold());
    let _ = writeln!(
        out,
        "{}",
        indent(&serde_json::to_string_pretty(&attrs).unwrap_or_default())
    );
    if let Some(metadata) = &event.user_metadata {
        if let Some(location) = metadata.get_source_location() {
            let _ = writeln!(
                out,
                "{} {}:{}:{}",
                "produced by workflow code at".bold(),
                location.file,
                location.line,
                location.column
            );
        }
        if let Ok(mut value) = serde_json::to_value(metadata) {
            decode_payloads(&mut value);
            let _ = writeln!(out, "{}", "userMetadata".bold());
            let _ = writeln!(
                out,
                "{}",
                indent(&serde_json::to_string_pretty(&value).unwrap_or_default())
            );
        }
    }
    out
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The attributes object with every payload replaced by its decoded value.
fn decoded_attributes(event: &HistoryEvent) -> Value {
    let mut value = event.attributes.to_value().unwrap_or(Value::Null);
    decode_payloads(&mut value);
    value
}

/// Like the HTTP API's shorthand, but keeps the keys of decoded values in the order the
/// workflow wrote them (Go structs, serde structs), which reads better than sorted.
fn decode_payloads(value: &mut Value) {
    if is_cli_payload(value) {
        if let Ok(payload) = Payload::from_value(value.clone()) {
            *value = payload.to_json_value();
        }
        return;
    }
    match value {
        Value::Object(object) => {
            if let (1, Some(Value::Array(items))) = (object.len(), object.get("payloads"))
                && items.iter().all(is_cli_payload)
            {
                let mut items = items.clone();
                items.iter_mut().for_each(decode_payloads);
                *value = Value::Array(items);
                return;
            }
            object.values_mut().for_each(decode_payloads);
        }
        Value::Array(items) => items.iter_mut().for_each(decode_payloads),
        _ => {}
    }
}

fn is_cli_payload(value: &Value) -> bool {
    let Some(object) = value.as_object() else {
        return false;
    };
    object
        .get("metadata")
        .and_then(|m| m.get("encoding"))
        .is_some_and(Value::is_string)
        && object.keys().all(|k| k == "metadata" || k == "data")
}

fn lookup<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.')
        .try_fold(value, |v, key| v.get(key))
        .filter(|v| !v.is_null())
}

/// A scalar without JSON quotes.
fn plain(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => compact(other),
    }
}

fn compact(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

fn strip_prefix(value: &Value, prefix: &str) -> String {
    let text = plain(value);
    text.strip_prefix(prefix)
        .map(str::to_string)
        .unwrap_or(text)
}

/// Decoded payloads (already shorthand): one value shown as itself, several as a list.
fn payloads(value: &Value) -> String {
    let shown = match value {
        Value::Array(items) if items.len() == 1 => compact(&items[0]),
        other => compact(other),
    };
    shorten(&shown)
}

/// A failure's message, with its causes' messages and the application error type.
fn failure(value: &Value) -> String {
    let mut parts = Vec::new();
    let mut next = Some(value);
    while let Some(f) = next {
        let mut text = f.get("message").map(plain).unwrap_or_default();
        if let Some(kind) = lookup(f, "applicationFailureInfo.type") {
            text = format!("{text} [{}]", plain(kind));
        }
        if lookup(f, "applicationFailureInfo.nonRetryable").and_then(Value::as_bool) == Some(true) {
            text.push_str(" (non-retryable)");
        }
        parts.push(text);
        next = f.get("cause");
    }
    shorten(&format!("{:?}", parts.join(": ")))
}

fn task_queue(attrs: &Value) -> Option<String> {
    let name = plain(lookup(attrs, "taskQueue.name")?);
    let sticky =
        lookup(attrs, "taskQueue.kind").map(plain).as_deref() == Some("TASK_QUEUE_KIND_STICKY");
    Some(if sticky {
        format!("{name} (sticky)")
    } else {
        name
    })
}

fn shorten(text: &str) -> String {
    let text = text.replace('\n', " ");
    if text.chars().count() <= MAX_VALUE_CHARS {
        return text;
    }
    let mut short: String = text.chars().take(MAX_VALUE_CHARS - 1).collect();
    short.push('…');
    short
}

#[cfg(test)]
mod tests {
    use super::*;
    use workshop_protocol::history::History;

    fn reference(name: &str) -> History {
        let path = format!(
            "{}/tests/fixtures/temporal/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        History::from_json_str(&text).unwrap()
    }

    fn plain_table(history: &History) -> Vec<String> {
        colored::control::set_override(false);
        render_table(&history.events)
            .lines()
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn pizza_rows_show_what_happened() {
        let history = reference("pizza.json");
        let lines = plain_table(&history);
        assert_eq!(lines.len(), history.events.len() + 1);
        assert!(lines[0].contains("ID") && lines[0].contains("TYPE"));
        let row = |id: usize| lines[id].clone();
        assert!(row(1).contains("WorkflowExecutionStarted"), "{}", row(1));
        assert!(
            row(1).contains("PizzaWorkflow taskQueue=pizza-tasks"),
            "{}",
            row(1)
        );
        assert!(row(1).contains("+0.000s"), "{}", row(1));
        assert!(row(5).contains("ActivityTaskScheduled"), "{}", row(5));
        assert!(row(5).contains("GetDistance id=1"), "{}", row(5));
        assert!(row(6).contains("scheduled=5 attempt=1"), "{}", row(6));
        assert!(row(7).contains(r#"result={"Kilometers":15}"#), "{}", row(7));
        assert!(
            row(11).contains("TimerStarted") && row(11).contains("fireAfter=3s"),
            "{}",
            row(11)
        );
        assert!(
            row(12).contains("TimerFired") && row(12).contains("+3."),
            "{}",
            row(12)
        );
    }

    #[test]
    fn failures_and_timeouts_are_named() {
        let lines = plain_table(&reference("retry-exhausted.json"));
        let failed = lines
            .iter()
            .find(|l| l.contains("ActivityTaskFailed"))
            .unwrap();
        assert!(
            failed.contains("retryState=MAXIMUM_ATTEMPTS_REACHED"),
            "{failed}"
        );
        assert!(
            failed.contains("permanent failure on attempt 3"),
            "{failed}"
        );
        let lines = plain_table(&reference("worker-crash-short-timer.json"));
        let timed_out = lines
            .iter()
            .find(|l| l.contains("WorkflowTaskTimedOut"))
            .unwrap();
        assert!(
            timed_out.contains("timeoutType=SCHEDULE_TO_START"),
            "{timed_out}"
        );
        assert!(lines.iter().any(|l| l.contains("(sticky)")));
        let lines = plain_table(&reference("terminated.json"));
        let terminated = lines.last().unwrap();
        assert!(
            terminated.contains("reason=terminated by workshop reference script"),
            "{terminated}"
        );
    }

    #[test]
    fn every_reference_event_renders_on_one_line() {
        for name in [
            "translation.json",
            "retry.json",
            "failed.json",
            "nde.json",
            "worker-crash-short-timer.json",
        ] {
            let history = reference(name);
            for event in &history.events {
                let line = event_line(event, history.events[0].event_time);
                assert!(
                    !line.contains('\n'),
                    "{name} event {}: {line}",
                    event.event_id
                );
            }
        }
    }

    #[test]
    fn long_values_are_shortened() {
        let long = "x".repeat(200);
        let short = shorten(&long);
        assert_eq!(short.chars().count(), MAX_VALUE_CHARS);
        assert!(short.ends_with('…'));
    }

    #[test]
    fn offsets_read_naturally() {
        let t0 = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let at = |ms: i64| t0 + chrono::TimeDelta::milliseconds(ms);
        assert_eq!(time_offset(at(563), t0), "+0.563s");
        assert_eq!(time_offset(at(12_340), t0), "+12.3s");
        assert_eq!(time_offset(at(185_000), t0), "+3m05s");
        assert_eq!(time_offset(at(7_260_000), t0), "+2h01m");
        assert_eq!(time_offset(at(-5), t0), "-0.005s");
    }

    #[test]
    fn event_detail_decodes_payloads() {
        colored::control::set_override(false);
        let history = reference("pizza.json");
        let detail = render_event_detail(&history.events[0], history.events[0].event_time);
        assert!(
            detail.starts_with("Event 1 WorkflowExecutionStarted"),
            "{detail}"
        );
        assert!(detail.contains("\"OrderNumber\": \"Z1238\""), "{detail}");
        // Decoded values keep the order the workflow wrote (OrderNumber first, as in Go).
        let order = detail.find("OrderNumber").unwrap();
        let customer = detail.find("Customer").unwrap();
        assert!(order < customer, "{detail}");
    }
}
