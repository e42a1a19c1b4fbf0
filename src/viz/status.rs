//! The status line: execution status, history length, what is pending (activities with
//! attempt, last failure and next retry; timers with a countdown; the workflow task and
//! the queue holding it), all derived from events and a given "now".

use std::time::Duration;

use chrono::{DateTime, Utc};
use workshop_protocol::enums::{EventType, WorkflowExecutionStatus};
use workshop_protocol::event::{EventAttributes as A, HistoryEvent};
use workshop_protocol::rpc::PendingActivityInfo;

use super::timeline::{QueueRef, failure_text};

#[derive(Debug, Clone, PartialEq)]
pub struct PendingActivity {
    pub scheduled_event_id: i64,
    pub activity_id: String,
    pub activity_type: String,
    /// Known from ActivityTaskStarted or from the service's describe.
    pub attempt: Option<i32>,
    pub last_failure: Option<String>,
    /// Time until the next retry, when the service says one is scheduled.
    pub next_retry_in: Option<chrono::TimeDelta>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PendingTimer {
    pub started_event_id: i64,
    pub timer_id: String,
    pub duration: Duration,
    /// Time left before it fires (negative: due, waiting for the service).
    pub fires_in: chrono::TimeDelta,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PendingWorkflowTask {
    pub scheduled_event_id: i64,
    pub queue: QueueRef,
    /// The worker running it, once started.
    pub started_by: Option<String>,
    pub waiting: chrono::TimeDelta,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    pub execution: WorkflowExecutionStatus,
    pub history_length: usize,
    pub activities: Vec<PendingActivity>,
    pub timers: Vec<PendingTimer>,
    pub workflow_task: Option<PendingWorkflowTask>,
}

impl Status {
    /// The state after `events` (a prefix of a history when stepping), at `now`.
    /// `described` enriches pending activities with what only the service knows (retries
    /// leave no events until the final outcome).
    pub fn derive(events: &[HistoryEvent], now: DateTime<Utc>, described: &[PendingActivityInfo]) -> Status {
        let mut activities: Vec<PendingActivity> = Vec::new();
        let mut timers: Vec<PendingTimer> = Vec::new();
        let mut workflow_task: Option<PendingWorkflowTask> = None;
        let mut execution = WorkflowExecutionStatus::Running;
        for event in events {
            match &event.attributes {
                A::ActivityTaskScheduled(a) => activities.push(PendingActivity {
                    scheduled_event_id: event.event_id,
                    activity_id: a.activity_id.clone(),
                    activity_type: a.activity_type.name.clone(),
                    attempt: None,
                    last_failure: None,
                    next_retry_in: None,
                }),
                A::ActivityTaskStarted(a) => {
                    if let Some(p) = activities.iter_mut().find(|p| p.scheduled_event_id == a.scheduled_event_id) {
                        p.attempt = Some(a.attempt.max(1));
                        p.last_failure = a.last_failure.as_ref().map(failure_text);
                    }
                }
                A::TimerStarted(a) => {
                    let duration = a.start_to_fire_timeout.unwrap_or_default();
                    let fire_at = event.event_time + chrono::TimeDelta::from_std(duration).unwrap_or_default();
                    timers.push(PendingTimer {
                        started_event_id: event.event_id,
                        timer_id: a.timer_id.clone(),
                        duration,
                        fires_in: fire_at - now,
                    });
                }
                A::WorkflowTaskScheduled(a) => {
                    workflow_task = Some(PendingWorkflowTask {
                        scheduled_event_id: event.event_id,
                        queue: QueueRef {
                            name: a.task_queue.name.clone(),
                            sticky: a.task_queue.kind == workshop_protocol::enums::TaskQueueKind::Sticky,
                            normal_name: a.task_queue.normal_name.clone(),
                        },
                        started_by: None,
                        waiting: now - event.event_time,
                    })
                }
                A::WorkflowTaskStarted(a) => {
                    if let Some(t) = workflow_task.as_mut() {
                        t.started_by = Some(a.identity.clone());
                        t.waiting = now - event.event_time;
                    }
                }
                A::WorkflowTaskCompleted(_) | A::WorkflowTaskFailed(_) | A::WorkflowTaskTimedOut(_) => {
                    workflow_task = None;
                }
                _ => {}
            }
            if let Some(scheduled) = event.scheduled_event_id().filter(|_| is_activity_close(event.event_type())) {
                activities.retain(|p| p.scheduled_event_id != scheduled);
            }
            if let Some(started) = event.started_event_id().filter(|_| is_timer_close(event.event_type())) {
                timers.retain(|t| t.started_event_id != started);
            }
            if let Some(status) = close_status(event.event_type()) {
                execution = status;
            }
        }
        if execution != WorkflowExecutionStatus::Running {
            activities.clear();
            timers.clear();
            workflow_task = None;
        }
        for p in activities.iter_mut() {
            if let Some(d) = described.iter().find(|d| d.activity_id == p.activity_id) {
                if d.attempt > 0 {
                    p.attempt = Some(d.attempt);
                }
                if let Some(f) = &d.last_failure {
                    p.last_failure = Some(failure_text(f));
                }
                p.next_retry_in = d.next_attempt_schedule_time.map(|t| t - now);
            }
        }
        Status { execution, history_length: events.len(), activities, timers, workflow_task }
    }

    /// `Running`, `Completed`, ...
    pub fn execution_name(&self) -> &'static str {
        match self.execution {
            WorkflowExecutionStatus::Running => "Running",
            WorkflowExecutionStatus::Completed => "Completed",
            WorkflowExecutionStatus::Failed => "Failed",
            WorkflowExecutionStatus::Canceled => "Canceled",
            WorkflowExecutionStatus::Terminated => "Terminated",
            WorkflowExecutionStatus::ContinuedAsNew => "ContinuedAsNew",
            WorkflowExecutionStatus::TimedOut => "TimedOut",
            WorkflowExecutionStatus::Unspecified => "Unknown",
        }
    }

    /// What is pending, as short phrases: `timer 1 fires in 1.8s`,
    /// `TranslateTerm attempt 3 (last failure: ..., retry in 2.0s)`,
    /// `workflow task on sticky queue 7565@vm-…`.
    pub fn pending_phrases(&self) -> Vec<String> {
        let mut out = Vec::new();
        for t in &self.timers {
            if t.fires_in > chrono::TimeDelta::zero() {
                out.push(format!("timer {} fires in {}", t.timer_id, countdown(t.fires_in)));
            } else {
                out.push(format!("timer {} due", t.timer_id));
            }
        }
        for a in &self.activities {
            let mut text = format!("activity {}", a.activity_type);
            match a.attempt {
                Some(n) => text.push_str(&format!(" attempt {n}")),
                None => text.push_str(" pending"),
            }
            let mut extra = Vec::new();
            if let Some(f) = &a.last_failure {
                extra.push(format!("last failure: {f}"));
            }
            if let Some(d) = a.next_retry_in.filter(|d| *d > chrono::TimeDelta::zero()) {
                extra.push(format!("retry in {}", countdown(d)));
            }
            if !extra.is_empty() {
                text.push_str(&format!(" ({})", extra.join(", ")));
            }
            out.push(text);
        }
        if let Some(t) = &self.workflow_task {
            out.push(match &t.started_by {
                Some(who) => format!("workflow task running on {who}"),
                None => format!("workflow task queued on {} queue {}", t.queue.kind_name(), t.queue.name),
            });
        }
        out
    }
}

fn is_activity_close(t: EventType) -> bool {
    matches!(
        t,
        EventType::ActivityTaskCompleted
            | EventType::ActivityTaskFailed
            | EventType::ActivityTaskTimedOut
            | EventType::ActivityTaskCanceled
    )
}

fn is_timer_close(t: EventType) -> bool {
    matches!(t, EventType::TimerFired | EventType::TimerCanceled)
}

fn close_status(t: EventType) -> Option<WorkflowExecutionStatus> {
    use WorkflowExecutionStatus as S;
    Some(match t {
        EventType::WorkflowExecutionCompleted => S::Completed,
        EventType::WorkflowExecutionFailed => S::Failed,
        EventType::WorkflowExecutionTimedOut => S::TimedOut,
        EventType::WorkflowExecutionTerminated => S::Terminated,
        EventType::WorkflowExecutionCanceled => S::Canceled,
        EventType::WorkflowExecutionContinuedAsNew => S::ContinuedAsNew,
        _ => return None,
    })
}

/// `1.8s`, `42s`, `3m05s`, `2h01m`.
pub fn countdown(d: chrono::TimeDelta) -> String {
    let millis = d.num_milliseconds().max(0);
    let secs = millis / 1000;
    if secs < 10 {
        format!("{}.{}s", secs, (millis % 1000) / 100)
    } else if secs < 60 {
        format!("{secs}s")
    } else if secs < 3600 {
        format!("{}m{:02}s", secs / 60, secs % 60)
    } else {
        format!("{}h{:02}m", secs / 3600, (secs % 3600) / 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::viz::testing::{reference};

    fn at(events: &[HistoryEvent], id: i64, plus_ms: i64) -> DateTime<Utc> {
        events[id as usize - 1].event_time + chrono::TimeDelta::milliseconds(plus_ms)
    }

    #[test]
    fn mid_timer_counts_down() {
        let events = reference("worker-crash-short-timer.json").events;
        let now = at(&events, 11, 1_200);
        let status = Status::derive(&events[..11], now, &[]);
        assert_eq!(status.execution, WorkflowExecutionStatus::Running);
        assert_eq!(status.history_length, 11);
        assert!(status.activities.is_empty());
        assert_eq!(status.timers.len(), 1);
        assert_eq!(status.pending_phrases(), ["timer 1 fires in 1.8s"]);
    }

    #[test]
    fn stuck_sticky_task_and_close() {
        let events = reference("worker-crash-short-timer.json").events;
        let status = Status::derive(&events[..13], at(&events, 13, 4_000), &[]);
        let phrases = status.pending_phrases();
        assert_eq!(phrases.len(), 1);
        assert!(phrases[0].starts_with("workflow task queued on sticky queue 7565@vm-"), "{phrases:?}");
        let done = Status::derive(&events, at(&events, 24, 0), &[]);
        assert_eq!(done.execution_name(), "Completed");
        assert!(done.pending_phrases().is_empty());
    }

    #[test]
    fn activity_retries_come_from_describe() {
        let events = reference("retry.json").events;
        let now = at(&events, 5, 3_500);
        let described = [PendingActivityInfo {
            activity_id: "1".into(),
            attempt: 3,
            last_failure: Some(workshop_protocol::failure::Failure::application("simulated failure on attempt 2", "FlakyError", false)),
            next_attempt_schedule_time: Some(now + chrono::TimeDelta::milliseconds(2_500)),
            ..Default::default()
        }];
        let status = Status::derive(&events[..5], now, &described);
        assert_eq!(
            status.pending_phrases(),
            ["activity FlakyActivity attempt 3 (last failure: simulated failure on attempt 2, retry in 2.5s)"]
        );
        let from_events = Status::derive(&events[..6], now, &[]);
        assert_eq!(from_events.activities[0].attempt, Some(4));
        assert_eq!(from_events.activities[0].last_failure.as_deref(), Some("simulated failure on attempt 3"));
    }
}
