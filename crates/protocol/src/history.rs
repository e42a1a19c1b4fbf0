//! `History`: a list of events, its import from every JSON form Temporal writes, its export
//! in CLI and HTTP form, and `validate_history`, the invariants every history must keep.

use std::collections::{HashMap, HashSet};

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::enums::EventType;
use crate::event::{EventAttributes, HistoryEvent};
use crate::payload::to_http_shorthand;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct History {
    pub events: Vec<HistoryEvent>,
}

/// A short description of a JSON value for error messages.
pub fn describe_value(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(_) => "a boolean".into(),
        Value::Number(_) => "a number".into(),
        Value::String(_) => "a string".into(),
        Value::Array(a) => format!("an array of {} items", a.len()),
        Value::Object(o) => {
            let keys: Vec<&str> = o.keys().take(5).map(String::as_str).collect();
            format!("an object with keys {keys:?}")
        }
    }
}

impl History {
    pub fn new(events: Vec<HistoryEvent>) -> History {
        History { events }
    }

    /// Imports a history in any form: `{"events":[...]}` (CLI, UI download), or
    /// `{"history":{"events":[...]}}` (HTTP API), base64 or shorthand payloads,
    /// `EVENT_TYPE_X` or short event type names, 0-9 fractional second digits.
    pub fn from_json_str(s: &str) -> Result<History, String> {
        let v: Value = serde_json::from_str(s).map_err(|e| format!("not valid JSON: {e}"))?;
        History::from_json_value(v)
    }

    pub fn from_json_value(v: Value) -> Result<History, String> {
        let events = match v {
            Value::Object(mut o) => {
                if let Some(events) = o.remove("events") {
                    events
                } else if let Some(Value::Object(mut h)) = o.remove("history") {
                    h.remove("events").unwrap_or(Value::Array(Vec::new()))
                } else {
                    let keys: Vec<&str> = o.keys().take(5).map(String::as_str).collect();
                    return Err(format!(
                        "not a workflow history: expected {{\"events\":[...]}} (temporal workflow show --output json) \
                         or {{\"history\":{{\"events\":[...]}}}} (HTTP API), found an object with keys {keys:?}"
                    ));
                }
            }
            other => {
                return Err(format!(
                    "not a workflow history: expected a JSON object with \"events\", found {}",
                    describe_value(&other)
                ));
            }
        };
        let Value::Array(items) = events else {
            return Err(format!("not a workflow history: \"events\" must be an array, found {}", describe_value(&events)));
        };
        let events = items
            .into_iter()
            .enumerate()
            .map(|(i, e)| HistoryEvent::from_value(e).map_err(|m| format!("events[{i}]: {m}")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(History { events })
    }

    /// Reads a history file, naming the file in errors.
    pub fn from_file(path: &std::path::Path) -> Result<History, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        History::from_json_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// `{"events":[...]}` as a JSON value, payloads in CLI (base64) form.
    pub fn to_cli_value(&self) -> Value {
        let events: Vec<Value> = self.events.iter().map(|e| e.to_value().expect("events serialize")).collect();
        serde_json::json!({ "events": events })
    }

    /// What `temporal workflow show --output json` writes: pretty, 2-space indent.
    pub fn to_cli_json(&self) -> String {
        serde_json::to_string_pretty(&self.to_cli_value()).expect("history serializes")
    }

    /// `{"history":{"events":[...]}}` with shorthand payloads, as the HTTP API answers.
    pub fn to_http_value(&self) -> Value {
        let mut events = self.to_cli_value();
        to_http_shorthand(&mut events);
        serde_json::json!({ "history": events })
    }

    pub fn to_http_json(&self) -> String {
        serde_json::to_string(&self.to_http_value()).expect("history serializes")
    }

    pub fn last_event_id(&self) -> i64 {
        self.events.last().map(|e| e.event_id).unwrap_or(0)
    }
}

impl Serialize for History {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(1))?;
        m.serialize_entry("events", &self.events)?;
        m.end()
    }
}

impl<'de> Deserialize<'de> for History {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        History::from_json_value(Value::deserialize(d)?).map_err(D::Error::custom)
    }
}

/// Checks the invariants of a history. A history in progress (no close event) is valid.
pub fn validate_history(events: &[HistoryEvent]) -> Result<(), Vec<String>> {
    let mut errors = Vec::new();
    if events.is_empty() {
        return Err(vec!["history is empty".into()]);
    }
    let by_id: HashMap<i64, &HistoryEvent> = events.iter().map(|e| (e.event_id, e)).collect();
    for (i, e) in events.iter().enumerate() {
        if e.event_id != i as i64 + 1 {
            errors.push(format!("event at position {} has eventId {} (expected {})", i + 1, e.event_id, i + 1));
        }
    }
    if events[0].event_type() != EventType::WorkflowExecutionStarted {
        errors.push(format!("first event is {}, not WorkflowExecutionStarted", events[0].event_type()));
    }
    for e in &events[1..] {
        if e.event_type() == EventType::WorkflowExecutionStarted {
            errors.push(format!("event {}: a second WorkflowExecutionStarted", e.event_id));
        }
    }

    // Links must point backwards at an event of the right type.
    let check_link = |e: &HistoryEvent, what: &str, id: i64, want: &[EventType], errors: &mut Vec<String>| -> bool {
        match by_id.get(&id) {
            Some(target) if id < e.event_id && want.contains(&target.event_type()) => true,
            Some(target) => {
                errors.push(format!(
                    "event {} ({}): {what} {id} is {} (event {}), expected {:?}",
                    e.event_id,
                    e.event_type().short_name(),
                    target.event_type().short_name(),
                    target.event_id,
                    want.iter().map(|w| w.short_name()).collect::<Vec<_>>()
                ));
                false
            }
            None => {
                errors.push(format!(
                    "event {} ({}): {what} {id} does not exist",
                    e.event_id,
                    e.event_type().short_name()
                ));
                false
            }
        }
    };

    let mut wt_started_for: HashMap<i64, i64> = HashMap::new(); // scheduled -> started
    let mut wt_outcome: HashSet<i64> = HashSet::new(); // scheduled ids with an outcome
    let mut act_started_for: HashMap<i64, i64> = HashMap::new();
    let mut act_outcome: HashSet<i64> = HashSet::new();
    let mut timer_outcome: HashSet<i64> = HashSet::new();

    for (pos, e) in events.iter().enumerate() {
        use EventAttributes as A;
        match &e.attributes {
            A::WorkflowTaskStarted(a) => {
                if check_link(e, "scheduledEventId", a.scheduled_event_id, &[EventType::WorkflowTaskScheduled], &mut errors)
                    && wt_started_for.insert(a.scheduled_event_id, e.event_id).is_some() {
                        errors.push(format!("event {}: workflow task {} started twice", e.event_id, a.scheduled_event_id));
                    }
                // Nothing may sit between WorkflowTaskStarted and its outcome.
                if let Some(next) = events.get(pos + 1) {
                    let is_outcome = matches!(
                        next.event_type(),
                        EventType::WorkflowTaskCompleted | EventType::WorkflowTaskFailed | EventType::WorkflowTaskTimedOut
                    ) && next.started_event_id() == Some(e.event_id);
                    if !is_outcome {
                        errors.push(format!(
                            "event {}: {} follows WorkflowTaskStarted {} (only its outcome may)",
                            next.event_id,
                            next.event_type().short_name(),
                            e.event_id
                        ));
                    }
                }
            }
            A::WorkflowTaskCompleted(_) | A::WorkflowTaskFailed(_) | A::WorkflowTaskTimedOut(_) => {
                let sched = e.scheduled_event_id().unwrap_or(0);
                let started = e.started_event_id().unwrap_or(0);
                if check_link(e, "scheduledEventId", sched, &[EventType::WorkflowTaskScheduled], &mut errors)
                    && !wt_outcome.insert(sched)
                {
                    errors.push(format!("event {}: workflow task {sched} has a second outcome", e.event_id));
                }
                if started != 0 {
                    if check_link(e, "startedEventId", started, &[EventType::WorkflowTaskStarted], &mut errors)
                        && wt_started_for.get(&sched) != Some(&started)
                    {
                        errors.push(format!(
                            "event {}: startedEventId {started} did not start workflow task {sched}",
                            e.event_id
                        ));
                    }
                } else if e.event_type() != EventType::WorkflowTaskTimedOut {
                    errors.push(format!("event {}: {} without startedEventId", e.event_id, e.event_type().short_name()));
                }
            }
            A::ActivityTaskStarted(a)
                if check_link(e, "scheduledEventId", a.scheduled_event_id, &[EventType::ActivityTaskScheduled], &mut errors)
                    && act_started_for.insert(a.scheduled_event_id, e.event_id).is_some()
                => {
                    errors.push(format!("event {}: activity {} started twice", e.event_id, a.scheduled_event_id));
                }
            A::ActivityTaskCancelRequested(a) => {
                check_link(e, "scheduledEventId", a.scheduled_event_id, &[EventType::ActivityTaskScheduled], &mut errors);
            }
            A::ActivityTaskCompleted(_) | A::ActivityTaskFailed(_) | A::ActivityTaskTimedOut(_) | A::ActivityTaskCanceled(_) => {
                let sched = e.scheduled_event_id().unwrap_or(0);
                let started = e.started_event_id().unwrap_or(0);
                if check_link(e, "scheduledEventId", sched, &[EventType::ActivityTaskScheduled], &mut errors)
                    && !act_outcome.insert(sched)
                {
                    errors.push(format!("event {}: activity {sched} has a second outcome", e.event_id));
                }
                if started != 0
                    && check_link(e, "startedEventId", started, &[EventType::ActivityTaskStarted], &mut errors)
                    && act_started_for.get(&sched) != Some(&started)
                {
                    errors.push(format!("event {}: startedEventId {started} did not start activity {sched}", e.event_id));
                }
                if started == 0 && matches!(e.event_type(), EventType::ActivityTaskCompleted | EventType::ActivityTaskFailed) {
                    errors.push(format!("event {}: {} without startedEventId", e.event_id, e.event_type().short_name()));
                }
            }
            A::TimerFired(a)
                if check_link(e, "startedEventId", a.started_event_id, &[EventType::TimerStarted], &mut errors)
                    && !timer_outcome.insert(a.started_event_id)
                => {
                    errors.push(format!("event {}: timer {} has a second outcome", e.event_id, a.timer_id));
                }
            A::TimerCanceled(a)
                if check_link(e, "startedEventId", a.started_event_id, &[EventType::TimerStarted], &mut errors)
                    && !timer_outcome.insert(a.started_event_id)
                => {
                    errors.push(format!("event {}: timer {} has a second outcome", e.event_id, a.timer_id));
                }
            _ => {}
        }
        if let Some(wtc) = e.workflow_task_completed_event_id()
            && wtc != 0 {
                check_link(e, "workflowTaskCompletedEventId", wtc, &[EventType::WorkflowTaskCompleted], &mut errors);
            }
    }

    let closes: Vec<&HistoryEvent> = events.iter().filter(|e| e.is_close_event()).collect();
    if closes.len() > 1 {
        errors.push(format!(
            "{} close events ({}), at most one allowed",
            closes.len(),
            closes.iter().map(|e| e.event_id.to_string()).collect::<Vec<_>>().join(", ")
        ));
    }
    if let Some(c) = closes.first()
        && c.event_id != events.last().map(|e| e.event_id).unwrap_or(0) {
            errors.push(format!("close event {} ({}) is not the last event", c.event_id, c.event_type().short_name()));
        }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// True when the history ends with a close event.
pub fn is_closed(events: &[HistoryEvent]) -> bool {
    events.last().is_some_and(HistoryEvent::is_close_event)
}
