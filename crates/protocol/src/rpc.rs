//! Request and response messages of the engine's RPCs in protobuf-JSON (camelCase, empty
//! fields omitted): worker calls (`POST /api/v1/rpc/{Method}`) and client calls (Temporal's
//! HTTP API paths).

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::command::Command;
use crate::common::{ActivityType, RetryPolicy, TaskQueue, WorkflowExecution, WorkflowType};
use crate::enums::{
    HistoryEventFilterType, NamespaceState, PendingActivityState, PendingWorkflowTaskState, WorkflowExecutionStatus,
    WorkflowTaskFailedCause,
};
use crate::failure::Failure;
use crate::history::History;
use crate::json::{base64_bytes, int64, is_false, is_zero_i32, is_zero_i64, opt_duration, opt_timestamp};
use crate::payload::Payloads;

fn history_is_empty(h: &History) -> bool {
    h.events.is_empty()
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PollWorkflowTaskQueueRequest {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    pub task_queue: TaskQueue,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub identity: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PollWorkflowTaskQueueResponse {
    #[serde(with = "base64_bytes", skip_serializing_if = "Vec::is_empty")]
    pub task_token: Vec<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workflow_execution: Option<WorkflowExecution>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workflow_type: Option<WorkflowType>,
    #[serde(with = "int64", skip_serializing_if = "is_zero_i64")]
    pub previous_started_event_id: i64,
    #[serde(with = "int64", skip_serializing_if = "is_zero_i64")]
    pub started_event_id: i64,
    #[serde(skip_serializing_if = "is_zero_i32")]
    pub attempt: i32,
    #[serde(skip_serializing_if = "history_is_empty")]
    pub history: History,
    #[serde(with = "base64_bytes", skip_serializing_if = "Vec::is_empty")]
    pub next_page_token: Vec<u8>,
    #[serde(with = "opt_timestamp", skip_serializing_if = "Option::is_none")]
    pub scheduled_time: Option<DateTime<Utc>>,
    #[serde(with = "opt_timestamp", skip_serializing_if = "Option::is_none")]
    pub started_time: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workflow_execution_task_queue: Option<TaskQueue>,
}

impl PollWorkflowTaskQueueResponse {
    /// True for the empty answer of a long poll that found no task.
    pub fn is_empty(&self) -> bool {
        self.task_token.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StickyExecutionAttributes {
    pub worker_task_queue: TaskQueue,
    #[serde(with = "opt_duration", skip_serializing_if = "Option::is_none")]
    pub schedule_to_start_timeout: Option<Duration>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RespondWorkflowTaskCompletedRequest {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    #[serde(with = "base64_bytes", skip_serializing_if = "Vec::is_empty")]
    pub task_token: Vec<u8>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub commands: Vec<Command>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub identity: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sticky_attributes: Option<StickyExecutionAttributes>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RespondWorkflowTaskCompletedResponse {}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RespondWorkflowTaskFailedRequest {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    #[serde(with = "base64_bytes", skip_serializing_if = "Vec::is_empty")]
    pub task_token: Vec<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<WorkflowTaskFailedCause>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub identity: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PollActivityTaskQueueRequest {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    pub task_queue: TaskQueue,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub identity: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PollActivityTaskQueueResponse {
    #[serde(with = "base64_bytes", skip_serializing_if = "Vec::is_empty")]
    pub task_token: Vec<u8>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub workflow_namespace: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workflow_type: Option<WorkflowType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workflow_execution: Option<WorkflowExecution>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activity_type: Option<ActivityType>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub activity_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input: Option<Payloads>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub heartbeat_details: Option<Payloads>,
    #[serde(with = "opt_timestamp", skip_serializing_if = "Option::is_none")]
    pub scheduled_time: Option<DateTime<Utc>>,
    #[serde(with = "opt_timestamp", skip_serializing_if = "Option::is_none")]
    pub current_attempt_scheduled_time: Option<DateTime<Utc>>,
    #[serde(with = "opt_timestamp", skip_serializing_if = "Option::is_none")]
    pub started_time: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "is_zero_i32")]
    pub attempt: i32,
    #[serde(with = "opt_duration", skip_serializing_if = "Option::is_none")]
    pub schedule_to_close_timeout: Option<Duration>,
    #[serde(with = "opt_duration", skip_serializing_if = "Option::is_none")]
    pub start_to_close_timeout: Option<Duration>,
    #[serde(with = "opt_duration", skip_serializing_if = "Option::is_none")]
    pub heartbeat_timeout: Option<Duration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_policy: Option<RetryPolicy>,
}

impl PollActivityTaskQueueResponse {
    pub fn is_empty(&self) -> bool {
        self.task_token.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RespondActivityTaskCompletedRequest {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    #[serde(with = "base64_bytes", skip_serializing_if = "Vec::is_empty")]
    pub task_token: Vec<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<Payloads>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub identity: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RespondActivityTaskFailedRequest {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    #[serde(with = "base64_bytes", skip_serializing_if = "Vec::is_empty")]
    pub task_token: Vec<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub identity: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_heartbeat_details: Option<Payloads>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RespondActivityTaskCanceledRequest {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    #[serde(with = "base64_bytes", skip_serializing_if = "Vec::is_empty")]
    pub task_token: Vec<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<Payloads>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub identity: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RecordActivityTaskHeartbeatRequest {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    #[serde(with = "base64_bytes", skip_serializing_if = "Vec::is_empty")]
    pub task_token: Vec<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<Payloads>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub identity: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RecordActivityTaskHeartbeatResponse {
    #[serde(skip_serializing_if = "is_false")]
    pub cancel_requested: bool,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GetWorkflowExecutionHistoryRequest {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    pub execution: WorkflowExecution,
    #[serde(skip_serializing_if = "is_zero_i32")]
    pub maximum_page_size: i32,
    #[serde(with = "base64_bytes", skip_serializing_if = "Vec::is_empty")]
    pub next_page_token: Vec<u8>,
    #[serde(skip_serializing_if = "is_false")]
    pub wait_new_event: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history_event_filter_type: Option<HistoryEventFilterType>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GetWorkflowExecutionHistoryResponse {
    pub history: History,
    #[serde(with = "base64_bytes", skip_serializing_if = "Vec::is_empty")]
    pub next_page_token: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ResetStickyTaskQueueRequest {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    pub execution: WorkflowExecution,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ShutdownWorkerRequest {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub sticky_task_queue: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub identity: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DescribeTaskQueueRequest {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    pub task_queue: TaskQueue,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PollerInfo {
    #[serde(with = "opt_timestamp", skip_serializing_if = "Option::is_none")]
    pub last_access_time: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub identity: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DescribeTaskQueueResponse {
    pub pollers: Vec<PollerInfo>,
}

/// An empty answer (`{}`), e.g. of RespondActivityTaskCompleted.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Empty {}

// ---- client calls ----

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StartWorkflowExecutionRequest {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub workflow_id: String,
    pub workflow_type: WorkflowType,
    pub task_queue: TaskQueue,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input: Option<Payloads>,
    #[serde(with = "opt_duration", skip_serializing_if = "Option::is_none")]
    pub workflow_execution_timeout: Option<Duration>,
    #[serde(with = "opt_duration", skip_serializing_if = "Option::is_none")]
    pub workflow_run_timeout: Option<Duration>,
    #[serde(with = "opt_duration", skip_serializing_if = "Option::is_none")]
    pub workflow_task_timeout: Option<Duration>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub identity: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub request_id: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StartWorkflowExecutionResponse {
    pub run_id: String,
    pub started: bool,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct WorkflowExecutionConfig {
    pub task_queue: TaskQueue,
    #[serde(with = "opt_duration", skip_serializing_if = "Option::is_none")]
    pub workflow_execution_timeout: Option<Duration>,
    #[serde(with = "opt_duration", skip_serializing_if = "Option::is_none")]
    pub workflow_run_timeout: Option<Duration>,
    #[serde(with = "opt_duration", skip_serializing_if = "Option::is_none")]
    pub default_workflow_task_timeout: Option<Duration>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct WorkflowExecutionInfo {
    pub execution: WorkflowExecution,
    #[serde(rename = "type")]
    pub r#type: WorkflowType,
    #[serde(with = "opt_timestamp", skip_serializing_if = "Option::is_none")]
    pub start_time: Option<DateTime<Utc>>,
    #[serde(with = "opt_timestamp", skip_serializing_if = "Option::is_none")]
    pub close_time: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<WorkflowExecutionStatus>,
    #[serde(with = "int64", skip_serializing_if = "is_zero_i64")]
    pub history_length: i64,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub task_queue: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PendingActivityInfo {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub activity_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activity_type: Option<ActivityType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<PendingActivityState>,
    #[serde(skip_serializing_if = "is_zero_i32")]
    pub attempt: i32,
    #[serde(skip_serializing_if = "is_zero_i32")]
    pub maximum_attempts: i32,
    #[serde(with = "opt_timestamp", skip_serializing_if = "Option::is_none")]
    pub scheduled_time: Option<DateTime<Utc>>,
    #[serde(with = "opt_timestamp", skip_serializing_if = "Option::is_none")]
    pub last_started_time: Option<DateTime<Utc>>,
    #[serde(with = "opt_timestamp", skip_serializing_if = "Option::is_none")]
    pub last_heartbeat_time: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub heartbeat_details: Option<Payloads>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_failure: Option<Failure>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub last_worker_identity: String,
    #[serde(with = "opt_timestamp", skip_serializing_if = "Option::is_none")]
    pub next_attempt_schedule_time: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PendingWorkflowTaskInfo {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<PendingWorkflowTaskState>,
    #[serde(with = "opt_timestamp", skip_serializing_if = "Option::is_none")]
    pub scheduled_time: Option<DateTime<Utc>>,
    #[serde(with = "opt_timestamp", skip_serializing_if = "Option::is_none")]
    pub started_time: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "is_zero_i32")]
    pub attempt: i32,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DescribeWorkflowExecutionResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub execution_config: Option<WorkflowExecutionConfig>,
    pub workflow_execution_info: WorkflowExecutionInfo,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pending_activities: Vec<PendingActivityInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending_workflow_task: Option<PendingWorkflowTaskInfo>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ListWorkflowExecutionsResponse {
    pub executions: Vec<WorkflowExecutionInfo>,
    #[serde(with = "base64_bytes", skip_serializing_if = "Vec::is_empty")]
    pub next_page_token: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TerminateWorkflowExecutionRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workflow_execution: Option<WorkflowExecution>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<Payloads>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub identity: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RequestCancelWorkflowExecutionRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workflow_execution: Option<WorkflowExecution>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub identity: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub reason: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub request_id: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SignalWorkflowExecutionRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workflow_execution: Option<WorkflowExecution>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub signal_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input: Option<Payloads>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub identity: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub request_id: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RegisterNamespaceRequest {
    pub namespace: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NamespaceInfo {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<NamespaceState>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DescribeNamespaceResponse {
    pub namespace_info: NamespaceInfo,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ListNamespacesResponse {
    pub namespaces: Vec<DescribeNamespaceResponse>,
}
