//! Activity options as a workflow gives them: timeouts, retry policy, task queue.

use std::time::Duration;

/// How an activity is scheduled. At least one of start-to-close and
/// schedule-to-close is required (the engine rejects the command otherwise).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActivityOptions {
    pub start_to_close_timeout: Option<Duration>,
    pub schedule_to_close_timeout: Option<Duration>,
    pub schedule_to_start_timeout: Option<Duration>,
    pub heartbeat_timeout: Option<Duration>,
    pub retry_policy: Option<RetryPolicy>,
    /// Defaults to the workflow's task queue.
    pub task_queue: Option<String>,
    /// Defaults to the next sequence number ("1", "2", ...), as sdk-core numbers them.
    pub activity_id: Option<String>,
}

impl ActivityOptions {
    /// The usual choice: limit each attempt, retry with the default policy.
    pub fn start_to_close(timeout: Duration) -> Self {
        Self {
            start_to_close_timeout: Some(timeout),
            ..Default::default()
        }
    }

    /// Limit the whole activity, every retry included.
    pub fn schedule_to_close(timeout: Duration) -> Self {
        Self {
            schedule_to_close_timeout: Some(timeout),
            ..Default::default()
        }
    }

    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry_policy = Some(policy);
        self
    }

    pub fn heartbeat_timeout(mut self, timeout: Duration) -> Self {
        self.heartbeat_timeout = Some(timeout);
        self
    }

    pub fn schedule_to_start_timeout(mut self, timeout: Duration) -> Self {
        self.schedule_to_start_timeout = Some(timeout);
        self
    }

    pub fn task_queue(mut self, task_queue: impl Into<String>) -> Self {
        self.task_queue = Some(task_queue.into());
        self
    }

    pub fn activity_id(mut self, id: impl Into<String>) -> Self {
        self.activity_id = Some(id.into());
        self
    }
}

/// Temporal's retry policy. Unset fields take the engine's defaults: initial interval
/// 1 s, backoff 2.0, maximum interval 100 x initial, unlimited attempts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RetryPolicy {
    pub initial_interval: Option<Duration>,
    pub backoff_coefficient: Option<f64>,
    pub maximum_interval: Option<Duration>,
    /// 0 = unlimited.
    pub maximum_attempts: u32,
    pub non_retryable_error_types: Vec<String>,
}

impl RetryPolicy {
    pub(crate) fn to_protocol(&self) -> workshop_protocol::common::RetryPolicy {
        workshop_protocol::common::RetryPolicy {
            initial_interval: self.initial_interval,
            backoff_coefficient: self.backoff_coefficient.unwrap_or(0.0),
            maximum_interval: self.maximum_interval,
            maximum_attempts: self.maximum_attempts as i32,
            non_retryable_error_types: self.non_retryable_error_types.clone(),
        }
    }
}
