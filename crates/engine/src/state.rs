//! Mutable state of one workflow execution: what is pending (workflow task, activities,
//! timers, buffered events, stickiness). It is derived from the events as they are written
//! and persisted beside them in the same transaction, so the engine restarts from it.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use workshop_protocol::{
    ActivityType, Failure, HistoryEvent, Payloads, RetryPolicy, TaskQueue, WorkflowExecutionStatus,
};

/// Identifies one run: (namespace, workflow ID, run ID).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ExecKey {
    pub ns: String,
    pub wid: String,
    pub rid: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MutableState {
    pub key: ExecKey,
    pub workflow_type: String,
    pub task_queue: String,
    pub status: WorkflowExecutionStatus,
    pub start_time: DateTime<Utc>,
    pub close_time: Option<DateTime<Utc>>,
    pub start_request_id: String,
    /// First run of a continue-as-new chain (this run's own ID when it is the first).
    #[serde(default)]
    pub first_execution_run_id: String,
    pub next_event_id: i64,
    pub history_size: u64,
    pub workflow_task_timeout: Duration,
    pub workflow_execution_timeout: Option<Duration>,
    pub workflow_run_timeout: Option<Duration>,
    pub run_deadline: Option<DateTime<Utc>>,
    pub workflow_task: Option<WorkflowTaskState>,
    /// Started event ID of the last completed workflow task (what a sticky worker has seen).
    pub last_completed_started_id: i64,
    pub sticky: Option<Sticky>,
    pub activities: BTreeMap<i64, ActivityState>,
    pub timers: BTreeMap<String, TimerState>,
    /// Events that arrived while a workflow task was started. Written after its outcome.
    /// An activity outcome's `startedEventId` of -1 means "the event just before me"
    /// (its ActivityTaskStarted, buffered with it); IDs are assigned when flushed.
    pub buffered: Vec<HistoryEvent>,
    pub cancel_requested: bool,
    pub history_warned: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Sticky {
    pub queue: String,
    pub schedule_to_start: Duration,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WorkflowTaskState {
    /// 0 while a transient task has not been started (its events are not written).
    pub scheduled_event_id: i64,
    pub attempt: i32,
    pub transient: bool,
    /// The queue the WorkflowTaskScheduled event names.
    pub event_queue: TaskQueue,
    /// The queue the task is dispatched on (normal name or sticky name).
    pub dispatch_queue: String,
    pub scheduled_time: DateTime<Utc>,
    /// Transient retries wait until then before they are dispatched.
    pub not_before: Option<DateTime<Utc>>,
    /// Sticky schedule-to-start deadline.
    pub schedule_to_start_deadline: Option<DateTime<Utc>>,
    pub started: Option<WorkflowTaskStarted>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WorkflowTaskStarted {
    pub started_event_id: i64,
    pub time: DateTime<Utc>,
    pub identity: String,
    pub request_id: String,
    pub deadline: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ActivityState {
    pub scheduled_event_id: i64,
    pub activity_id: String,
    pub activity_type: ActivityType,
    pub task_queue: String,
    pub input: Option<Payloads>,
    pub schedule_to_close: Option<Duration>,
    pub schedule_to_start: Option<Duration>,
    pub start_to_close: Option<Duration>,
    pub heartbeat: Option<Duration>,
    pub retry_policy: RetryPolicy,
    pub attempt: i32,
    pub scheduled_time: DateTime<Utc>,
    pub attempt_scheduled_time: DateTime<Utc>,
    pub not_before: Option<DateTime<Utc>>,
    pub started: Option<ActivityStarted>,
    pub last_failure: Option<Failure>,
    pub heartbeat_details: Option<Payloads>,
    pub last_heartbeat_time: Option<DateTime<Utc>>,
    pub last_worker_identity: String,
    pub cancel_requested_event_id: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ActivityStarted {
    pub time: DateTime<Utc>,
    pub identity: String,
    pub request_id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TimerState {
    pub timer_id: String,
    pub started_event_id: i64,
    pub fire_time: DateTime<Utc>,
}

pub fn add(t: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    t + chrono::Duration::from_std(d).unwrap_or(chrono::Duration::days(365 * 100))
}

fn positive(d: Option<Duration>) -> Option<Duration> {
    d.filter(|d| !d.is_zero())
}

impl ActivityState {
    pub fn is_dispatchable(&self) -> bool {
        self.started.is_none() && self.not_before.is_none()
    }

    /// Deadlines of this activity, each with what happens then.
    pub fn deadlines(&self) -> Vec<(DateTime<Utc>, ActivityDeadline)> {
        let mut out = Vec::new();
        if let Some(nb) = self.not_before {
            out.push((nb, ActivityDeadline::BackoffOver));
        }
        if let Some(s2c) = positive(self.schedule_to_close) {
            out.push((add(self.scheduled_time, s2c), ActivityDeadline::ScheduleToClose));
        }
        match &self.started {
            None => {
                if let (Some(s2s), None) = (positive(self.schedule_to_start), self.not_before) {
                    out.push((add(self.attempt_scheduled_time, s2s), ActivityDeadline::ScheduleToStart));
                }
            }
            Some(st) => {
                if let Some(stc) = positive(self.start_to_close) {
                    out.push((add(st.time, stc), ActivityDeadline::StartToClose));
                }
                if let Some(hb) = positive(self.heartbeat) {
                    let from = self.last_heartbeat_time.filter(|t| *t > st.time).unwrap_or(st.time);
                    out.push((add(from, hb), ActivityDeadline::Heartbeat));
                }
            }
        }
        out
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActivityDeadline {
    BackoffOver,
    ScheduleToStart,
    StartToClose,
    Heartbeat,
    ScheduleToClose,
}

impl WorkflowTaskState {
    pub fn is_dispatchable(&self) -> bool {
        self.started.is_none() && self.not_before.is_none()
    }
}

impl MutableState {
    pub fn is_open(&self) -> bool {
        self.status == WorkflowExecutionStatus::Running
    }

    pub fn wt_started(&self) -> bool {
        self.workflow_task.as_ref().is_some_and(|wt| wt.started.is_some())
    }

    /// The earliest moment something must happen to this run without outside input.
    pub fn next_deadline(&self) -> Option<DateTime<Utc>> {
        if !self.is_open() {
            return None;
        }
        let mut all: Vec<DateTime<Utc>> = Vec::new();
        all.extend(self.run_deadline);
        all.extend(self.timers.values().map(|t| t.fire_time));
        for a in self.activities.values() {
            all.extend(a.deadlines().into_iter().map(|(t, _)| t));
        }
        if let Some(wt) = &self.workflow_task {
            all.extend(wt.not_before);
            if wt.started.is_none() {
                all.extend(wt.schedule_to_start_deadline);
            }
            all.extend(wt.started.as_ref().map(|s| s.deadline));
        }
        all.into_iter().min()
    }

    /// True while a workflow or activity task is queued (dispatchable) or running.
    pub fn has_outstanding_task(&self) -> bool {
        if !self.is_open() {
            return false;
        }
        let wt = self.workflow_task.as_ref().is_some_and(|wt| wt.started.is_some() || wt.not_before.is_none());
        wt || self.activities.values().any(|a| a.started.is_some() || a.not_before.is_none())
    }
}
