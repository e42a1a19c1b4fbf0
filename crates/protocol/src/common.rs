//! Small messages shared by events, commands and RPCs: types, task queues, executions,
//! retry policies, user metadata.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::enums::TaskQueueKind;
use crate::json::{is_zero_i32, opt_duration};
use crate::payload::Payload;

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowType {
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityType {
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskQueue {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kind: TaskQueueKind,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub normal_name: String,
}

impl TaskQueue {
    pub fn normal(name: impl Into<String>) -> TaskQueue {
        TaskQueue { name: name.into(), kind: TaskQueueKind::Normal, normal_name: String::new() }
    }
    pub fn sticky(name: impl Into<String>, normal_name: impl Into<String>) -> TaskQueue {
        TaskQueue { name: name.into(), kind: TaskQueueKind::Sticky, normal_name: normal_name.into() }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowExecution {
    #[serde(default)]
    pub workflow_id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub run_id: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RetryPolicy {
    #[serde(default, with = "opt_duration", skip_serializing_if = "Option::is_none")]
    pub initial_interval: Option<Duration>,
    #[serde(default, skip_serializing_if = "is_zero_f64", serialize_with = "coefficient")]
    pub backoff_coefficient: f64,
    #[serde(default, with = "opt_duration", skip_serializing_if = "Option::is_none")]
    pub maximum_interval: Option<Duration>,
    /// 0 = unlimited.
    #[serde(default, skip_serializing_if = "is_zero_i32")]
    pub maximum_attempts: i32,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub non_retryable_error_types: Vec<String>,
}

fn is_zero_f64(v: &f64) -> bool {
    *v == 0.0
}

/// Go's protojson writes `2`, not `2.0`, for a whole coefficient.
fn coefficient<S: serde::Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    if v.fract() == 0.0 && v.abs() < 9.0e15 { s.serialize_i64(*v as i64) } else { s.serialize_f64(*v) }
}

impl RetryPolicy {
    /// Temporal's default activity retry policy: 1 s, x2, max 100 s, unlimited attempts.
    pub fn default_activity() -> RetryPolicy {
        RetryPolicy {
            initial_interval: Some(Duration::from_secs(1)),
            backoff_coefficient: 2.0,
            maximum_interval: Some(Duration::from_secs(100)),
            maximum_attempts: 0,
            non_retryable_error_types: Vec::new(),
        }
    }

    /// Fills unset fields the way Temporal's server does (initial 1 s, x2, max 100 x initial).
    pub fn with_defaults(&self) -> RetryPolicy {
        let initial = self.initial_interval.filter(|d| !d.is_zero()).unwrap_or(Duration::from_secs(1));
        RetryPolicy {
            initial_interval: Some(initial),
            backoff_coefficient: if self.backoff_coefficient == 0.0 { 2.0 } else { self.backoff_coefficient },
            maximum_interval: Some(self.maximum_interval.filter(|d| !d.is_zero()).unwrap_or(initial * 100)),
            maximum_attempts: self.maximum_attempts,
            non_retryable_error_types: self.non_retryable_error_types.clone(),
        }
    }

    /// Delay before attempt `next_attempt` (2, 3, ...): min(initial x coeff^(n-2), max).
    pub fn backoff(&self, next_attempt: i32) -> Duration {
        let p = self.with_defaults();
        let initial = p.initial_interval.unwrap_or_default().as_secs_f64();
        let exp = (next_attempt - 2).max(0);
        let raw = initial * p.backoff_coefficient.powi(exp);
        let max = p.maximum_interval.unwrap_or_default().as_secs_f64();
        Duration::from_secs_f64(raw.min(max).max(0.0))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserMetadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<Payload>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Payload>,
}

/// Where in workflow code a command was produced (carried in `userMetadata.details`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceLocation {
    pub file: String,
    pub line: u32,
    pub column: u32,
}

impl UserMetadata {
    pub fn source_location(file: &str, line: u32, column: u32) -> UserMetadata {
        let loc = SourceLocation { file: file.to_string(), line, column };
        UserMetadata { summary: None, details: Payload::json(&loc).ok() }
    }

    /// The source location in `details`, if it holds one.
    pub fn get_source_location(&self) -> Option<SourceLocation> {
        self.details.as_ref()?.decode().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_backoff() {
        let p = RetryPolicy::default_activity();
        assert_eq!(p.backoff(2), Duration::from_secs(1));
        assert_eq!(p.backoff(3), Duration::from_secs(2));
        assert_eq!(p.backoff(4), Duration::from_secs(4));
        assert_eq!(p.backoff(20), Duration::from_secs(100));
        let s = serde_json::to_string(&p).unwrap();
        assert_eq!(s, r#"{"initialInterval":"1s","backoffCoefficient":2,"maximumInterval":"100s"}"#);
    }

    #[test]
    fn source_location() {
        let m = UserMetadata::source_location("src/workflow.rs", 42, 9);
        let loc = m.get_source_location().unwrap();
        assert_eq!((loc.file.as_str(), loc.line, loc.column), ("src/workflow.rs", 42, 9));
    }
}
