//! History events: the envelope (`HistoryEvent`) and one attributes struct per event type,
//! with Temporal's field names. Unknown fields of imported histories are kept in `extra`.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::common::{ActivityType, RetryPolicy, TaskQueue, UserMetadata, WorkflowType};
use crate::enums::{EventType, RetryState, TimeoutType, WorkflowTaskFailedCause};
use crate::failure::Failure;
use crate::json::{self, int64, is_false, is_zero_i32, is_zero_i64, opt_duration, opt_timestamp};
use crate::payload::Payloads;

type Extra = Map<String, Value>;

#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEvent {
    pub event_id: i64,
    pub event_time: DateTime<Utc>,
    pub task_id: i64,
    pub attributes: EventAttributes,
    pub user_metadata: Option<UserMetadata>,
}

macro_rules! event_attributes {
    ($($variant:ident($attrs:ident),)*) => {
        /// The attributes of an event; the variant is the event type. Not boxed: events
        /// are built and matched by value everywhere, and histories are short.
        #[allow(clippy::large_enum_variant)]
        #[derive(Debug, Clone, PartialEq)]
        pub enum EventAttributes { $($variant($attrs),)* }

        impl EventAttributes {
            pub fn event_type(&self) -> EventType {
                match self { $(EventAttributes::$variant(_) => EventType::$variant,)* }
            }
            pub fn to_value(&self) -> Result<Value, serde_json::Error> {
                match self { $(EventAttributes::$variant(a) => serde_json::to_value(a),)* }
            }
            pub fn from_value(t: EventType, v: Value) -> Result<Self, serde_json::Error> {
                match t { $(EventType::$variant => Ok(EventAttributes::$variant(serde_json::from_value(v)?)),)* }
            }
        }

        $(impl From<$attrs> for EventAttributes {
            fn from(a: $attrs) -> Self { EventAttributes::$variant(a) }
        })*
    };
}

event_attributes! {
    WorkflowExecutionStarted(WorkflowExecutionStartedEventAttributes),
    WorkflowExecutionCompleted(WorkflowExecutionCompletedEventAttributes),
    WorkflowExecutionFailed(WorkflowExecutionFailedEventAttributes),
    WorkflowExecutionTimedOut(WorkflowExecutionTimedOutEventAttributes),
    WorkflowTaskScheduled(WorkflowTaskScheduledEventAttributes),
    WorkflowTaskStarted(WorkflowTaskStartedEventAttributes),
    WorkflowTaskCompleted(WorkflowTaskCompletedEventAttributes),
    WorkflowTaskTimedOut(WorkflowTaskTimedOutEventAttributes),
    WorkflowTaskFailed(WorkflowTaskFailedEventAttributes),
    ActivityTaskScheduled(ActivityTaskScheduledEventAttributes),
    ActivityTaskStarted(ActivityTaskStartedEventAttributes),
    ActivityTaskCompleted(ActivityTaskCompletedEventAttributes),
    ActivityTaskFailed(ActivityTaskFailedEventAttributes),
    ActivityTaskTimedOut(ActivityTaskTimedOutEventAttributes),
    ActivityTaskCancelRequested(ActivityTaskCancelRequestedEventAttributes),
    ActivityTaskCanceled(ActivityTaskCanceledEventAttributes),
    TimerStarted(TimerStartedEventAttributes),
    TimerFired(TimerFiredEventAttributes),
    TimerCanceled(TimerCanceledEventAttributes),
    WorkflowExecutionCancelRequested(WorkflowExecutionCancelRequestedEventAttributes),
    WorkflowExecutionCanceled(WorkflowExecutionCanceledEventAttributes),
    MarkerRecorded(MarkerRecordedEventAttributes),
    WorkflowExecutionSignaled(WorkflowExecutionSignaledEventAttributes),
    WorkflowExecutionTerminated(WorkflowExecutionTerminatedEventAttributes),
    WorkflowExecutionContinuedAsNew(WorkflowExecutionContinuedAsNewEventAttributes),
}

impl HistoryEvent {
    pub fn event_type(&self) -> EventType {
        self.attributes.event_type()
    }

    /// The `scheduledEventId` link, for events that have one.
    pub fn scheduled_event_id(&self) -> Option<i64> {
        use EventAttributes as A;
        let id = match &self.attributes {
            A::WorkflowTaskStarted(a) => a.scheduled_event_id,
            A::WorkflowTaskCompleted(a) => a.scheduled_event_id,
            A::WorkflowTaskTimedOut(a) => a.scheduled_event_id,
            A::WorkflowTaskFailed(a) => a.scheduled_event_id,
            A::ActivityTaskStarted(a) => a.scheduled_event_id,
            A::ActivityTaskCompleted(a) => a.scheduled_event_id,
            A::ActivityTaskFailed(a) => a.scheduled_event_id,
            A::ActivityTaskTimedOut(a) => a.scheduled_event_id,
            A::ActivityTaskCancelRequested(a) => a.scheduled_event_id,
            A::ActivityTaskCanceled(a) => a.scheduled_event_id,
            _ => return None,
        };
        Some(id)
    }

    /// The `startedEventId` link, for events that have one (0 when not started).
    pub fn started_event_id(&self) -> Option<i64> {
        use EventAttributes as A;
        let id = match &self.attributes {
            A::WorkflowTaskCompleted(a) => a.started_event_id,
            A::WorkflowTaskTimedOut(a) => a.started_event_id,
            A::WorkflowTaskFailed(a) => a.started_event_id,
            A::ActivityTaskCompleted(a) => a.started_event_id,
            A::ActivityTaskFailed(a) => a.started_event_id,
            A::ActivityTaskTimedOut(a) => a.started_event_id,
            A::ActivityTaskCanceled(a) => a.started_event_id,
            A::TimerFired(a) => a.started_event_id,
            A::TimerCanceled(a) => a.started_event_id,
            _ => return None,
        };
        Some(id)
    }

    /// The `workflowTaskCompletedEventId` of events produced by commands.
    pub fn workflow_task_completed_event_id(&self) -> Option<i64> {
        use EventAttributes as A;
        let id = match &self.attributes {
            A::ActivityTaskScheduled(a) => a.workflow_task_completed_event_id,
            A::ActivityTaskCancelRequested(a) => a.workflow_task_completed_event_id,
            A::TimerStarted(a) => a.workflow_task_completed_event_id,
            A::TimerCanceled(a) => a.workflow_task_completed_event_id,
            A::MarkerRecorded(a) => a.workflow_task_completed_event_id,
            A::WorkflowExecutionCompleted(a) => a.workflow_task_completed_event_id,
            A::WorkflowExecutionFailed(a) => a.workflow_task_completed_event_id,
            A::WorkflowExecutionCanceled(a) => a.workflow_task_completed_event_id,
            A::WorkflowExecutionContinuedAsNew(a) => a.workflow_task_completed_event_id,
            _ => return None,
        };
        Some(id)
    }

    pub fn is_close_event(&self) -> bool {
        self.event_type().is_close()
    }

    /// True for events a workflow command produces.
    pub fn is_command_event(&self) -> bool {
        matches!(
            self.event_type(),
            EventType::ActivityTaskScheduled
                | EventType::TimerStarted
                | EventType::TimerCanceled
                | EventType::ActivityTaskCancelRequested
                | EventType::MarkerRecorded
                | EventType::WorkflowExecutionCompleted
                | EventType::WorkflowExecutionFailed
                | EventType::WorkflowExecutionCanceled
                | EventType::WorkflowExecutionContinuedAsNew
        )
    }

    /// Activity ID (ActivityTaskScheduled) or timer ID (Timer events).
    pub fn activity_or_timer_id(&self) -> Option<&str> {
        match &self.attributes {
            EventAttributes::ActivityTaskScheduled(a) => Some(&a.activity_id),
            EventAttributes::TimerStarted(a) => Some(&a.timer_id),
            EventAttributes::TimerFired(a) => Some(&a.timer_id),
            EventAttributes::TimerCanceled(a) => Some(&a.timer_id),
            _ => None,
        }
    }

    /// The event as a JSON object in CLI form (base64 payloads).
    pub fn to_value(&self) -> Result<Value, serde_json::Error> {
        let t = self.event_type();
        let mut m = Map::new();
        m.insert("eventId".into(), Value::String(self.event_id.to_string()));
        m.insert("eventTime".into(), Value::String(json::format_timestamp(&self.event_time)));
        m.insert("eventType".into(), Value::String(t.as_str().into()));
        m.insert("taskId".into(), Value::String(self.task_id.to_string()));
        m.insert(t.attributes_key(), self.attributes.to_value()?);
        if let Some(um) = &self.user_metadata {
            m.insert("userMetadata".into(), serde_json::to_value(um)?);
        }
        Ok(Value::Object(m))
    }

    /// Reads one event in any form we accept; errors name the field at fault.
    pub fn from_value(v: Value) -> Result<HistoryEvent, String> {
        let Value::Object(mut m) = v else {
            return Err(format!("an event must be a JSON object, got {}", crate::history::describe_value(&v)));
        };
        let event_id = match m.get("eventId") {
            Some(Value::String(s)) => s.parse::<i64>().map_err(|_| format!("eventId {s:?} is not an integer"))?,
            Some(Value::Number(n)) => n.as_i64().ok_or_else(|| format!("eventId {n} is not an integer"))?,
            None => return Err("event has no eventId".into()),
            Some(other) => return Err(format!("eventId must be a string or number, got {other}")),
        };
        let ctx = |msg: String| format!("event {event_id}: {msg}");
        let event_time = match m.get("eventTime") {
            Some(Value::String(s)) => json::parse_timestamp(s).map_err(ctx)?,
            None => return Err(ctx("no eventTime".into())),
            Some(other) => return Err(ctx(format!("eventTime must be a string, got {other}"))),
        };
        let task_id = match m.get("taskId") {
            Some(Value::String(s)) => s.parse::<i64>().map_err(|_| ctx(format!("taskId {s:?} is not an integer")))?,
            Some(Value::Number(n)) => n.as_i64().unwrap_or(0),
            _ => 0,
        };
        let event_type: EventType = match m.get("eventType") {
            Some(Value::String(s)) => s.parse().map_err(ctx)?,
            None => return Err(ctx("no eventType".into())),
            Some(other) => return Err(ctx(format!("eventType must be a string, got {other}"))),
        };
        let key = event_type.attributes_key();
        let attrs = m.remove(&key).unwrap_or(Value::Object(Map::new()));
        let attributes = EventAttributes::from_value(event_type, attrs)
            .map_err(|e| ctx(format!("{key}: {e}")))?;
        let user_metadata = match m.remove("userMetadata") {
            Some(v) => Some(serde_json::from_value(v).map_err(|e| ctx(format!("userMetadata: {e}")))?),
            None => None,
        };
        Ok(HistoryEvent { event_id, event_time, task_id, attributes, user_metadata })
    }
}

impl Serialize for HistoryEvent {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_value().map_err(serde::ser::Error::custom)?.serialize(s)
    }
}

impl<'de> Deserialize<'de> for HistoryEvent {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        HistoryEvent::from_value(Value::deserialize(d)?).map_err(D::Error::custom)
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowExecutionStartedEventAttributes {
    #[serde(default)]
    pub workflow_type: WorkflowType,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub parent_workflow_namespace: String,
    #[serde(default)]
    pub task_queue: TaskQueue,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<Payloads>,
    #[serde(default, with = "opt_duration", skip_serializing_if = "Option::is_none")]
    pub workflow_execution_timeout: Option<Duration>,
    #[serde(default, with = "opt_duration", skip_serializing_if = "Option::is_none")]
    pub workflow_run_timeout: Option<Duration>,
    #[serde(default, with = "opt_duration", skip_serializing_if = "Option::is_none")]
    pub workflow_task_timeout: Option<Duration>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub continued_execution_run_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continued_failure: Option<Failure>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_completion_result: Option<Payloads>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub original_execution_run_id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub identity: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub first_execution_run_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_policy: Option<RetryPolicy>,
    #[serde(default, skip_serializing_if = "is_zero_i32")]
    pub attempt: i32,
    #[serde(default, with = "opt_timestamp", skip_serializing_if = "Option::is_none")]
    pub workflow_execution_expiration_time: Option<DateTime<Utc>>,
    #[serde(default, with = "opt_duration", skip_serializing_if = "Option::is_none")]
    pub first_workflow_task_backoff: Option<Duration>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub workflow_id: String,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowExecutionCompletedEventAttributes {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Payloads>,
    #[serde(default, with = "int64", skip_serializing_if = "is_zero_i64")]
    pub workflow_task_completed_event_id: i64,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub new_execution_run_id: String,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowExecutionFailedEventAttributes {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_state: Option<RetryState>,
    #[serde(default, with = "int64", skip_serializing_if = "is_zero_i64")]
    pub workflow_task_completed_event_id: i64,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub new_execution_run_id: String,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowExecutionTimedOutEventAttributes {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_state: Option<RetryState>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub new_execution_run_id: String,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowTaskScheduledEventAttributes {
    #[serde(default)]
    pub task_queue: TaskQueue,
    #[serde(default, with = "opt_duration", skip_serializing_if = "Option::is_none")]
    pub start_to_close_timeout: Option<Duration>,
    #[serde(default, skip_serializing_if = "is_zero_i32")]
    pub attempt: i32,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowTaskStartedEventAttributes {
    #[serde(default, with = "int64", skip_serializing_if = "is_zero_i64")]
    pub scheduled_event_id: i64,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub identity: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub request_id: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub suggest_continue_as_new: bool,
    #[serde(default, with = "int64", skip_serializing_if = "is_zero_i64")]
    pub history_size_bytes: i64,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowTaskCompletedEventAttributes {
    #[serde(default, with = "int64", skip_serializing_if = "is_zero_i64")]
    pub scheduled_event_id: i64,
    #[serde(default, with = "int64", skip_serializing_if = "is_zero_i64")]
    pub started_event_id: i64,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub identity: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub binary_checksum: String,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowTaskTimedOutEventAttributes {
    #[serde(default, with = "int64", skip_serializing_if = "is_zero_i64")]
    pub scheduled_event_id: i64,
    #[serde(default, with = "int64", skip_serializing_if = "is_zero_i64")]
    pub started_event_id: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_type: Option<TimeoutType>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowTaskFailedEventAttributes {
    #[serde(default, with = "int64", skip_serializing_if = "is_zero_i64")]
    pub scheduled_event_id: i64,
    #[serde(default, with = "int64", skip_serializing_if = "is_zero_i64")]
    pub started_event_id: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<WorkflowTaskFailedCause>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub identity: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub base_run_id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub new_run_id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub binary_checksum: String,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityTaskScheduledEventAttributes {
    #[serde(default)]
    pub activity_id: String,
    #[serde(default)]
    pub activity_type: ActivityType,
    #[serde(default)]
    pub task_queue: TaskQueue,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<Payloads>,
    #[serde(default, with = "opt_duration", skip_serializing_if = "Option::is_none")]
    pub schedule_to_close_timeout: Option<Duration>,
    #[serde(default, with = "opt_duration", skip_serializing_if = "Option::is_none")]
    pub schedule_to_start_timeout: Option<Duration>,
    #[serde(default, with = "opt_duration", skip_serializing_if = "Option::is_none")]
    pub start_to_close_timeout: Option<Duration>,
    #[serde(default, with = "opt_duration", skip_serializing_if = "Option::is_none")]
    pub heartbeat_timeout: Option<Duration>,
    #[serde(default, with = "int64", skip_serializing_if = "is_zero_i64")]
    pub workflow_task_completed_event_id: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_policy: Option<RetryPolicy>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityTaskStartedEventAttributes {
    #[serde(default, with = "int64", skip_serializing_if = "is_zero_i64")]
    pub scheduled_event_id: i64,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub identity: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub request_id: String,
    #[serde(default, skip_serializing_if = "is_zero_i32")]
    pub attempt: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_failure: Option<Failure>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityTaskCompletedEventAttributes {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Payloads>,
    #[serde(default, with = "int64", skip_serializing_if = "is_zero_i64")]
    pub scheduled_event_id: i64,
    #[serde(default, with = "int64", skip_serializing_if = "is_zero_i64")]
    pub started_event_id: i64,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub identity: String,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityTaskFailedEventAttributes {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
    #[serde(default, with = "int64", skip_serializing_if = "is_zero_i64")]
    pub scheduled_event_id: i64,
    #[serde(default, with = "int64", skip_serializing_if = "is_zero_i64")]
    pub started_event_id: i64,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub identity: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_state: Option<RetryState>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityTaskTimedOutEventAttributes {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
    #[serde(default, with = "int64", skip_serializing_if = "is_zero_i64")]
    pub scheduled_event_id: i64,
    #[serde(default, with = "int64", skip_serializing_if = "is_zero_i64")]
    pub started_event_id: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_state: Option<RetryState>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityTaskCancelRequestedEventAttributes {
    #[serde(default, with = "int64", skip_serializing_if = "is_zero_i64")]
    pub scheduled_event_id: i64,
    #[serde(default, with = "int64", skip_serializing_if = "is_zero_i64")]
    pub workflow_task_completed_event_id: i64,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityTaskCanceledEventAttributes {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Payloads>,
    #[serde(default, with = "int64", skip_serializing_if = "is_zero_i64")]
    pub latest_cancel_requested_event_id: i64,
    #[serde(default, with = "int64", skip_serializing_if = "is_zero_i64")]
    pub scheduled_event_id: i64,
    #[serde(default, with = "int64", skip_serializing_if = "is_zero_i64")]
    pub started_event_id: i64,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub identity: String,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimerStartedEventAttributes {
    #[serde(default)]
    pub timer_id: String,
    #[serde(default, with = "opt_duration", skip_serializing_if = "Option::is_none")]
    pub start_to_fire_timeout: Option<Duration>,
    #[serde(default, with = "int64", skip_serializing_if = "is_zero_i64")]
    pub workflow_task_completed_event_id: i64,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimerFiredEventAttributes {
    #[serde(default)]
    pub timer_id: String,
    #[serde(default, with = "int64", skip_serializing_if = "is_zero_i64")]
    pub started_event_id: i64,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimerCanceledEventAttributes {
    #[serde(default)]
    pub timer_id: String,
    #[serde(default, with = "int64", skip_serializing_if = "is_zero_i64")]
    pub started_event_id: i64,
    #[serde(default, with = "int64", skip_serializing_if = "is_zero_i64")]
    pub workflow_task_completed_event_id: i64,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub identity: String,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowExecutionCancelRequestedEventAttributes {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub cause: String,
    #[serde(default, with = "int64", skip_serializing_if = "is_zero_i64")]
    pub external_initiated_event_id: i64,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub identity: String,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowExecutionCanceledEventAttributes {
    #[serde(default, with = "int64", skip_serializing_if = "is_zero_i64")]
    pub workflow_task_completed_event_id: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Payloads>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MarkerRecordedEventAttributes {
    #[serde(default)]
    pub marker_name: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub details: BTreeMap<String, Payloads>,
    #[serde(default, with = "int64", skip_serializing_if = "is_zero_i64")]
    pub workflow_task_completed_event_id: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowExecutionSignaledEventAttributes {
    #[serde(default)]
    pub signal_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<Payloads>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub identity: String,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowExecutionTerminatedEventAttributes {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Payloads>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub identity: String,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowExecutionContinuedAsNewEventAttributes {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub new_execution_run_id: String,
    #[serde(default)]
    pub workflow_type: WorkflowType,
    #[serde(default)]
    pub task_queue: TaskQueue,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<Payloads>,
    #[serde(default, with = "opt_duration", skip_serializing_if = "Option::is_none")]
    pub workflow_run_timeout: Option<Duration>,
    #[serde(default, with = "opt_duration", skip_serializing_if = "Option::is_none")]
    pub workflow_task_timeout: Option<Duration>,
    #[serde(default, with = "int64", skip_serializing_if = "is_zero_i64")]
    pub workflow_task_completed_event_id: i64,
    #[serde(default, with = "opt_duration", skip_serializing_if = "Option::is_none")]
    pub backoff_start_interval: Option<Duration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_completion_result: Option<Payloads>,
    #[serde(flatten)]
    pub extra: Extra,
}
