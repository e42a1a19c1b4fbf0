//! Temporal's enums with their protojson names (`EVENT_TYPE_ACTIVITY_TASK_SCHEDULED`, ...).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer, de::Error as _};

/// Defines an enum whose JSON form is the full protojson name; parsing also accepts the
/// name without the prefix (`ACTIVITY_TASK_SCHEDULED`) and the short CamelCase form.
macro_rules! proto_enum {
    ($(#[$m:meta])* $name:ident, $prefix:literal { $($variant:ident = $text:literal,)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant,)* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];
            pub fn as_str(&self) -> &'static str {
                match self { $($name::$variant => $text,)* }
            }
            /// The CamelCase name (`ActivityTaskScheduled`).
            pub fn short_name(&self) -> &'static str {
                match self { $($name::$variant => stringify!($variant),)* }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                for v in Self::ALL {
                    let full = v.as_str();
                    if s == full
                        || full.strip_prefix($prefix) == Some(s)
                        || v.short_name() == s
                    {
                        return Ok(*v);
                    }
                }
                Err(format!("unknown {} {s:?}", stringify!($name)))
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                s.parse().map_err(D::Error::custom)
            }
        }
    };
}

proto_enum!(EventType, "EVENT_TYPE_" {
    WorkflowExecutionStarted = "EVENT_TYPE_WORKFLOW_EXECUTION_STARTED",
    WorkflowExecutionCompleted = "EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED",
    WorkflowExecutionFailed = "EVENT_TYPE_WORKFLOW_EXECUTION_FAILED",
    WorkflowExecutionTimedOut = "EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT",
    WorkflowTaskScheduled = "EVENT_TYPE_WORKFLOW_TASK_SCHEDULED",
    WorkflowTaskStarted = "EVENT_TYPE_WORKFLOW_TASK_STARTED",
    WorkflowTaskCompleted = "EVENT_TYPE_WORKFLOW_TASK_COMPLETED",
    WorkflowTaskTimedOut = "EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT",
    WorkflowTaskFailed = "EVENT_TYPE_WORKFLOW_TASK_FAILED",
    ActivityTaskScheduled = "EVENT_TYPE_ACTIVITY_TASK_SCHEDULED",
    ActivityTaskStarted = "EVENT_TYPE_ACTIVITY_TASK_STARTED",
    ActivityTaskCompleted = "EVENT_TYPE_ACTIVITY_TASK_COMPLETED",
    ActivityTaskFailed = "EVENT_TYPE_ACTIVITY_TASK_FAILED",
    ActivityTaskTimedOut = "EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT",
    ActivityTaskCancelRequested = "EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED",
    ActivityTaskCanceled = "EVENT_TYPE_ACTIVITY_TASK_CANCELED",
    TimerStarted = "EVENT_TYPE_TIMER_STARTED",
    TimerFired = "EVENT_TYPE_TIMER_FIRED",
    TimerCanceled = "EVENT_TYPE_TIMER_CANCELED",
    WorkflowExecutionCancelRequested = "EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED",
    WorkflowExecutionCanceled = "EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED",
    MarkerRecorded = "EVENT_TYPE_MARKER_RECORDED",
    WorkflowExecutionSignaled = "EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED",
    WorkflowExecutionTerminated = "EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED",
    WorkflowExecutionContinuedAsNew = "EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW",
});

impl EventType {
    /// The JSON key of this type's attributes: lowerCamel(type) + "EventAttributes".
    pub fn attributes_key(&self) -> String {
        let short = self.short_name();
        let mut key = String::with_capacity(short.len() + 15);
        let mut chars = short.chars();
        if let Some(c) = chars.next() {
            key.push(c.to_ascii_lowercase());
        }
        key.extend(chars);
        key.push_str("EventAttributes");
        key
    }

    pub fn is_close(&self) -> bool {
        matches!(
            self,
            EventType::WorkflowExecutionCompleted
                | EventType::WorkflowExecutionFailed
                | EventType::WorkflowExecutionTimedOut
                | EventType::WorkflowExecutionTerminated
                | EventType::WorkflowExecutionCanceled
                | EventType::WorkflowExecutionContinuedAsNew
        )
    }
}

proto_enum!(TaskQueueKind, "TASK_QUEUE_KIND_" {
    Unspecified = "TASK_QUEUE_KIND_UNSPECIFIED",
    Normal = "TASK_QUEUE_KIND_NORMAL",
    Sticky = "TASK_QUEUE_KIND_STICKY",
});

// The macro-generated enum cannot carry `#[default]` on one variant.
#[allow(clippy::derivable_impls)]
impl Default for TaskQueueKind {
    fn default() -> Self {
        TaskQueueKind::Normal
    }
}

proto_enum!(TimeoutType, "TIMEOUT_TYPE_" {
    Unspecified = "TIMEOUT_TYPE_UNSPECIFIED",
    StartToClose = "TIMEOUT_TYPE_START_TO_CLOSE",
    ScheduleToStart = "TIMEOUT_TYPE_SCHEDULE_TO_START",
    ScheduleToClose = "TIMEOUT_TYPE_SCHEDULE_TO_CLOSE",
    Heartbeat = "TIMEOUT_TYPE_HEARTBEAT",
});

proto_enum!(RetryState, "RETRY_STATE_" {
    Unspecified = "RETRY_STATE_UNSPECIFIED",
    InProgress = "RETRY_STATE_IN_PROGRESS",
    NonRetryableFailure = "RETRY_STATE_NON_RETRYABLE_FAILURE",
    Timeout = "RETRY_STATE_TIMEOUT",
    MaximumAttemptsReached = "RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED",
    RetryPolicyNotSet = "RETRY_STATE_RETRY_POLICY_NOT_SET",
    InternalServerError = "RETRY_STATE_INTERNAL_SERVER_ERROR",
    CancelRequested = "RETRY_STATE_CANCEL_REQUESTED",
});

proto_enum!(WorkflowTaskFailedCause, "WORKFLOW_TASK_FAILED_CAUSE_" {
    Unspecified = "WORKFLOW_TASK_FAILED_CAUSE_UNSPECIFIED",
    UnhandledCommand = "WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND",
    BadScheduleActivityAttributes = "WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES",
    BadRequestCancelActivityAttributes = "WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_ACTIVITY_ATTRIBUTES",
    BadStartTimerAttributes = "WORKFLOW_TASK_FAILED_CAUSE_BAD_START_TIMER_ATTRIBUTES",
    BadCancelTimerAttributes = "WORKFLOW_TASK_FAILED_CAUSE_BAD_CANCEL_TIMER_ATTRIBUTES",
    BadRecordMarkerAttributes = "WORKFLOW_TASK_FAILED_CAUSE_BAD_RECORD_MARKER_ATTRIBUTES",
    BadCompleteWorkflowExecutionAttributes = "WORKFLOW_TASK_FAILED_CAUSE_BAD_COMPLETE_WORKFLOW_EXECUTION_ATTRIBUTES",
    BadFailWorkflowExecutionAttributes = "WORKFLOW_TASK_FAILED_CAUSE_BAD_FAIL_WORKFLOW_EXECUTION_ATTRIBUTES",
    BadCancelWorkflowExecutionAttributes = "WORKFLOW_TASK_FAILED_CAUSE_BAD_CANCEL_WORKFLOW_EXECUTION_ATTRIBUTES",
    BadRequestCancelExternalWorkflowExecutionAttributes = "WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_ATTRIBUTES",
    BadContinueAsNewAttributes = "WORKFLOW_TASK_FAILED_CAUSE_BAD_CONTINUE_AS_NEW_ATTRIBUTES",
    StartTimerDuplicateId = "WORKFLOW_TASK_FAILED_CAUSE_START_TIMER_DUPLICATE_ID",
    ResetStickyTaskQueue = "WORKFLOW_TASK_FAILED_CAUSE_RESET_STICKY_TASK_QUEUE",
    WorkflowWorkerUnhandledFailure = "WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE",
    BadSignalWorkflowExecutionAttributes = "WORKFLOW_TASK_FAILED_CAUSE_BAD_SIGNAL_WORKFLOW_EXECUTION_ATTRIBUTES",
    BadStartChildExecutionAttributes = "WORKFLOW_TASK_FAILED_CAUSE_BAD_START_CHILD_EXECUTION_ATTRIBUTES",
    ForceCloseCommand = "WORKFLOW_TASK_FAILED_CAUSE_FORCE_CLOSE_COMMAND",
    FailoverCloseCommand = "WORKFLOW_TASK_FAILED_CAUSE_FAILOVER_CLOSE_COMMAND",
    BadSignalInputSize = "WORKFLOW_TASK_FAILED_CAUSE_BAD_SIGNAL_INPUT_SIZE",
    ResetWorkflow = "WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW",
    BadBinary = "WORKFLOW_TASK_FAILED_CAUSE_BAD_BINARY",
    ScheduleActivityDuplicateId = "WORKFLOW_TASK_FAILED_CAUSE_SCHEDULE_ACTIVITY_DUPLICATE_ID",
    BadSearchAttributes = "WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES",
    NonDeterministicError = "WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR",
    BadModifyWorkflowPropertiesAttributes = "WORKFLOW_TASK_FAILED_CAUSE_BAD_MODIFY_WORKFLOW_PROPERTIES_ATTRIBUTES",
    PendingChildWorkflowsLimitExceeded = "WORKFLOW_TASK_FAILED_CAUSE_PENDING_CHILD_WORKFLOWS_LIMIT_EXCEEDED",
    PendingActivitiesLimitExceeded = "WORKFLOW_TASK_FAILED_CAUSE_PENDING_ACTIVITIES_LIMIT_EXCEEDED",
    PendingSignalsLimitExceeded = "WORKFLOW_TASK_FAILED_CAUSE_PENDING_SIGNALS_LIMIT_EXCEEDED",
    PendingRequestCancelLimitExceeded = "WORKFLOW_TASK_FAILED_CAUSE_PENDING_REQUEST_CANCEL_LIMIT_EXCEEDED",
    BadUpdateWorkflowExecutionMessage = "WORKFLOW_TASK_FAILED_CAUSE_BAD_UPDATE_WORKFLOW_EXECUTION_MESSAGE",
    UnhandledUpdate = "WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_UPDATE",
    BadScheduleNexusOperationAttributes = "WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_NEXUS_OPERATION_ATTRIBUTES",
    PendingNexusOperationsLimitExceeded = "WORKFLOW_TASK_FAILED_CAUSE_PENDING_NEXUS_OPERATIONS_LIMIT_EXCEEDED",
    BadRequestCancelNexusOperationAttributes = "WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_NEXUS_OPERATION_ATTRIBUTES",
    FeatureDisabled = "WORKFLOW_TASK_FAILED_CAUSE_FEATURE_DISABLED",
    GrpcMessageTooLarge = "WORKFLOW_TASK_FAILED_CAUSE_GRPC_MESSAGE_TOO_LARGE",
});

proto_enum!(WorkflowExecutionStatus, "WORKFLOW_EXECUTION_STATUS_" {
    Unspecified = "WORKFLOW_EXECUTION_STATUS_UNSPECIFIED",
    Running = "WORKFLOW_EXECUTION_STATUS_RUNNING",
    Completed = "WORKFLOW_EXECUTION_STATUS_COMPLETED",
    Failed = "WORKFLOW_EXECUTION_STATUS_FAILED",
    Canceled = "WORKFLOW_EXECUTION_STATUS_CANCELED",
    Terminated = "WORKFLOW_EXECUTION_STATUS_TERMINATED",
    ContinuedAsNew = "WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW",
    TimedOut = "WORKFLOW_EXECUTION_STATUS_TIMED_OUT",
});

impl WorkflowExecutionStatus {
    /// The name used in list queries (`ExecutionStatus="Running"`).
    pub fn query_name(&self) -> &'static str {
        self.short_name()
    }
}

proto_enum!(PendingActivityState, "PENDING_ACTIVITY_STATE_" {
    Unspecified = "PENDING_ACTIVITY_STATE_UNSPECIFIED",
    Scheduled = "PENDING_ACTIVITY_STATE_SCHEDULED",
    Started = "PENDING_ACTIVITY_STATE_STARTED",
    CancelRequested = "PENDING_ACTIVITY_STATE_CANCEL_REQUESTED",
});

proto_enum!(PendingWorkflowTaskState, "PENDING_WORKFLOW_TASK_STATE_" {
    Unspecified = "PENDING_WORKFLOW_TASK_STATE_UNSPECIFIED",
    Scheduled = "PENDING_WORKFLOW_TASK_STATE_SCHEDULED",
    Started = "PENDING_WORKFLOW_TASK_STATE_STARTED",
});

proto_enum!(HistoryEventFilterType, "HISTORY_EVENT_FILTER_TYPE_" {
    Unspecified = "HISTORY_EVENT_FILTER_TYPE_UNSPECIFIED",
    AllEvent = "HISTORY_EVENT_FILTER_TYPE_ALL_EVENT",
    CloseEvent = "HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT",
});

proto_enum!(NamespaceState, "NAMESPACE_STATE_" {
    Unspecified = "NAMESPACE_STATE_UNSPECIFIED",
    Registered = "NAMESPACE_STATE_REGISTERED",
    Deprecated = "NAMESPACE_STATE_DEPRECATED",
    Deleted = "NAMESPACE_STATE_DELETED",
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(EventType::ActivityTaskScheduled.to_string(), "EVENT_TYPE_ACTIVITY_TASK_SCHEDULED");
        assert_eq!("WorkflowExecutionStarted".parse::<EventType>().unwrap(), EventType::WorkflowExecutionStarted);
        assert_eq!("TIMER_FIRED".parse::<EventType>().unwrap(), EventType::TimerFired);
        assert_eq!(EventType::WorkflowTaskTimedOut.attributes_key(), "workflowTaskTimedOutEventAttributes");
        assert!("EVENT_TYPE_NOPE".parse::<EventType>().is_err());
        assert_eq!(serde_json::to_string(&RetryState::Timeout).unwrap(), "\"RETRY_STATE_TIMEOUT\"");
    }
}
