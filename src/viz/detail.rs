//! One event in full: every attribute with payloads decoded, the events it links to, and
//! the code line that produced it; what the course's Web UI quiz asks (which worker,
//! event IDs, inputs and outputs, retry policy, timeouts).

use serde_json::Value;
use workshop_protocol::event::HistoryEvent;
use workshop_protocol::json::format_timestamp;
use workshop_protocol::payload::Payload;

use crate::render::history_table::time_offset;

/// The detail overlay's content: a title and `key: value` lines.
#[derive(Debug, Clone, PartialEq)]
pub struct EventDetail {
    pub title: String,
    /// `(key, value)`; nested attributes use dotted keys (`retryPolicy.initialInterval`).
    pub fields: Vec<(String, String)>,
}

impl EventDetail {
    pub fn new(event: &HistoryEvent, run_start: chrono::DateTime<chrono::Utc>) -> EventDetail {
        let event_type = event.event_type();
        let title = format!("Event {} {}", event.event_id, event_type.short_name());
        let mut fields = vec![
            ("eventTime".to_string(), format!("{} ({})", format_timestamp(&event.event_time), time_offset(event.event_time, run_start))),
            ("eventType".to_string(), event_type.as_str().to_string()),
        ];
        if event.task_id != 0 {
            fields.push(("taskId".to_string(), event.task_id.to_string()));
        }
        let mut attrs = event.attributes.to_value().unwrap_or(Value::Null);
        decode_payloads(&mut attrs);
        flatten("", &attrs, &mut fields);
        if let Some(metadata) = &event.user_metadata {
            match metadata.get_source_location() {
                Some(loc) => fields.push(("code".to_string(), format!("{}:{}:{}", loc.file, loc.line, loc.column))),
                None => {
                    if let Ok(mut v) = serde_json::to_value(metadata) {
                        decode_payloads(&mut v);
                        flatten("userMetadata", &v, &mut fields);
                    }
                }
            }
        }
        EventDetail { title, fields }
    }
}

/// Replaces every payload (`{"metadata":..,"data":..}`) and payload list
/// (`{"payloads":[..]}`) with its decoded value, keeping the recorded key order (the
/// HTTP shorthand would sort keys).
fn decode_payloads(value: &mut Value) {
    if is_payload(value) {
        if let Ok(p) = Payload::from_value(value.clone()) {
            *value = p.to_json_value();
        }
        return;
    }
    match value {
        Value::Object(map) => {
            if map.len() == 1
                && let Some(Value::Array(items)) = map.get_mut("payloads")
            {
                items.iter_mut().for_each(decode_payloads);
                *value = Value::Array(std::mem::take(items));
                return;
            }
            map.values_mut().for_each(decode_payloads);
        }
        Value::Array(items) => items.iter_mut().for_each(decode_payloads),
        _ => {}
    }
}

fn is_payload(value: &Value) -> bool {
    let Value::Object(map) = value else { return false };
    map.contains_key("metadata")
        && map.keys().all(|k| k == "metadata" || k == "data")
        && map.get("metadata").and_then(Value::as_object).is_some_and(|m| m.values().all(Value::is_string))
}

/// Objects become dotted keys; a decoded payload list of one value shows as that value;
/// other arrays and scalars print as compact JSON (strings without quotes).
fn flatten(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
    let key = |k: &str| if prefix.is_empty() { k.to_string() } else { format!("{prefix}.{k}") };
    match value {
        Value::Object(map) if !map.is_empty() && !is_payload_value(prefix) => {
            for (k, v) in map {
                flatten(&key(k), v, out);
            }
        }
        Value::Object(map) if map.is_empty() => {}
        Value::Array(items) if items.len() == 1 && is_payload_value(prefix) => {
            out.push((prefix.to_string(), compact(&items[0])));
        }
        Value::String(s) => out.push((prefix.to_string(), s.clone())),
        other => out.push((prefix.to_string(), compact(other))),
    }
}

/// Fields that hold payloads (decoded to JSON values by the shorthand conversion).
fn is_payload_value(key: &str) -> bool {
    let last = key.rsplit('.').next().unwrap_or(key);
    matches!(last, "input" | "result" | "details" | "heartbeatDetails" | "lastCompletionResult" | "lastHeartbeatDetails")
}

fn compact(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::viz::testing::{fixture, reference};

    #[test]
    fn every_attribute_with_payloads_decoded() {
        let history = reference("pizza.json");
        let start = history.events[0].event_time;
        let detail = EventDetail::new(&history.events[4], start);
        assert_eq!(detail.title, "Event 5 ActivityTaskScheduled");
        let get = |k: &str| detail.fields.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
        assert_eq!(get("activityType.name"), Some("GetDistance"));
        assert_eq!(get("taskQueue.kind"), Some("TASK_QUEUE_KIND_NORMAL"));
        assert_eq!(get("startToCloseTimeout"), Some("5s"));
        assert_eq!(get("retryPolicy.initialInterval"), Some("1s"));
        assert_eq!(get("retryPolicy.backoffCoefficient"), Some("2"));
        assert_eq!(get("workflowTaskCompletedEventId"), Some("4"));
        let input = get("input").unwrap();
        assert!(input.starts_with(r#"{"Line1":"701 Mission Street","Line2""#), "recorded key order: {input}");
        let completed = EventDetail::new(&history.events[6], start);
        assert!(completed.fields.iter().any(|(k, v)| k == "result" && v == r#"{"Kilometers":15}"#), "{:?}", completed.fields);
        assert!(completed.fields.iter().any(|(k, v)| k == "identity" && v == "6148@vm"));
    }

    #[test]
    fn source_location_is_named() {
        let history = fixture("viz-translation-located.json");
        let detail = EventDetail::new(&history.events[10], history.events[0].event_time);
        assert_eq!(detail.fields.last().unwrap(), &("code".to_string(), "src/workflow.rs:27:5".to_string()));
    }
}
