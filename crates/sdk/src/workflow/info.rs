//! `WorkflowInfo`: what a run knows about itself, taken from WorkflowExecutionStarted.

use chrono::{DateTime, Utc};

#[derive(Debug, Clone, PartialEq)]
pub struct WorkflowInfo {
    pub namespace: String,
    pub workflow_id: String,
    pub run_id: String,
    pub workflow_type: String,
    pub task_queue: String,
    /// 1 for a first run; counts workflow retries (not workflow task attempts).
    pub attempt: u32,
    /// The first run of this chain of runs (continue-as-new keeps it); seeds `random`.
    pub first_execution_run_id: String,
    /// The run this one continued from, if it was started by continue-as-new.
    pub continued_from_run_id: Option<String>,
    pub start_time: DateTime<Utc>,
}
