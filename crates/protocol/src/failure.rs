//! `Failure`: Temporal's error description (message, type, cause chain, per-kind info).

use serde::{Deserialize, Serialize};

use crate::common::ActivityType;
use crate::enums::{RetryState, TimeoutType};
use crate::json::{int64, is_false, is_zero_i64};
use crate::payload::Payloads;

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Failure {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub stack_trace: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<Box<Failure>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_failure_info: Option<ApplicationFailureInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_failure_info: Option<TimeoutFailureInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canceled_failure_info: Option<CanceledFailureInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminated_failure_info: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_failure_info: Option<ServerFailureInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity_failure_info: Option<ActivityFailureInfo>,
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationFailureInfo {
    #[serde(default, rename = "type", skip_serializing_if = "String::is_empty")]
    pub r#type: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub non_retryable: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Payloads>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimeoutFailureInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_type: Option<TimeoutType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_heartbeat_details: Option<Payloads>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CanceledFailureInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Payloads>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerFailureInfo {
    #[serde(default, skip_serializing_if = "is_false")]
    pub non_retryable: bool,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityFailureInfo {
    #[serde(default, with = "int64", skip_serializing_if = "is_zero_i64")]
    pub scheduled_event_id: i64,
    #[serde(default, with = "int64", skip_serializing_if = "is_zero_i64")]
    pub started_event_id: i64,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub identity: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity_type: Option<ActivityType>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub activity_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_state: Option<RetryState>,
}

impl Failure {
    /// An application failure (`ApplicationError` in the SDKs).
    pub fn application(message: impl Into<String>, r#type: impl Into<String>, non_retryable: bool) -> Failure {
        Failure {
            message: message.into(),
            application_failure_info: Some(ApplicationFailureInfo {
                r#type: r#type.into(),
                non_retryable,
                details: None,
            }),
            ..Default::default()
        }
    }

    /// A timeout failure as the server writes it for activity timeouts.
    pub fn timeout(timeout_type: TimeoutType, last_heartbeat_details: Option<Payloads>) -> Failure {
        let what = match timeout_type {
            TimeoutType::StartToClose => "start-to-close",
            TimeoutType::ScheduleToStart => "schedule-to-start",
            TimeoutType::ScheduleToClose => "schedule-to-close",
            TimeoutType::Heartbeat => "heartbeat",
            TimeoutType::Unspecified => "unspecified",
        };
        Failure {
            message: format!("activity {what} timeout"),
            source: "Server".into(),
            timeout_failure_info: Some(TimeoutFailureInfo {
                timeout_type: Some(timeout_type),
                last_heartbeat_details,
            }),
            ..Default::default()
        }
    }

    /// The application error type, if this is an application failure.
    pub fn application_type(&self) -> Option<&str> {
        self.application_failure_info.as_ref().map(|i| i.r#type.as_str())
    }

    pub fn is_non_retryable(&self) -> bool {
        self.application_failure_info.as_ref().is_some_and(|i| i.non_retryable)
            || self.server_failure_info.as_ref().is_some_and(|i| i.non_retryable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_application_info_round_trips() {
        let s = r#"{"message":"boom","applicationFailureInfo":{}}"#;
        let f: Failure = serde_json::from_str(s).unwrap();
        assert!(f.application_failure_info.is_some());
        assert_eq!(serde_json::to_string(&f).unwrap(), s);
        let f = Failure::application("m", "FlakyError", true);
        assert_eq!(
            serde_json::to_string(&f).unwrap(),
            r#"{"message":"m","applicationFailureInfo":{"type":"FlakyError","nonRetryable":true}}"#
        );
    }
}
