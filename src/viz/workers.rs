//! Worker panes: each worker process `workshop run` started, its identity, whether it is
//! polling, running a task, or dead, its latest log lines, and whether its sticky queue
//! holds the run.

use std::collections::VecDeque;

use super::status::Status;
use super::timeline::Timeline;

/// Log lines kept per worker (the pane shows the last few).
const LOG_LINES: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifecycle {
    Starting,
    Alive,
    Killed,
    Exited(i32),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Worker {
    /// 1-based, as the `k` key names it.
    pub number: usize,
    pub pid: Option<u32>,
    pub lifecycle: Lifecycle,
    pub logs: VecDeque<String>,
}

/// What a pane shows besides logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activity {
    Starting,
    Polling,
    /// Running the pending workflow task.
    Running,
    Killed,
    Exited(i32),
}

impl Worker {
    pub fn new(number: usize, pid: Option<u32>) -> Worker {
        Worker { number, pid, lifecycle: Lifecycle::Starting, logs: VecDeque::new() }
    }

    /// Adds a log line, without the timestamp `tracing` starts it with (the pane is
    /// narrow, and the history has the times).
    pub fn log(&mut self, line: impl Into<String>) {
        if self.logs.len() == LOG_LINES {
            self.logs.pop_front();
        }
        let line = line.into();
        let line = match line.split_once(' ') {
            Some((first, rest)) if looks_like_timestamp(first) => rest.trim_start().to_string(),
            _ => line,
        };
        self.logs.push_back(line);
        if self.lifecycle == Lifecycle::Starting {
            self.lifecycle = Lifecycle::Alive;
        }
    }

    /// True when `identity` (`pid@host`, as our SDK and Temporal's name workers) is ours.
    pub fn owns_identity(&self, identity: &str) -> bool {
        self.pid.is_some_and(|pid| identity.split('@').next() == Some(pid.to_string().as_str()))
    }

    /// The identity this worker shows up with in the history, or, before it does, the
    /// one its startup log line announces (`Identity=4242@host`).
    pub fn identity(&self, timeline: &Timeline) -> Option<String> {
        let recorded = timeline.rows.iter().filter_map(|r| r.identity.as_deref()).find(|i| self.owns_identity(i));
        let announced = || {
            self.logs.iter().find_map(|l| {
                l.split_whitespace().find_map(|w| w.strip_prefix("Identity=")).filter(|i| self.owns_identity(i))
            })
        };
        recorded.or_else(announced).map(str::to_string)
    }

    pub fn activity(&self, status: &Status) -> Activity {
        match self.lifecycle {
            Lifecycle::Killed => return Activity::Killed,
            Lifecycle::Exited(code) => return Activity::Exited(code),
            Lifecycle::Starting => return Activity::Starting,
            Lifecycle::Alive => {}
        }
        let running = status.workflow_task.as_ref().and_then(|t| t.started_by.as_deref()).is_some_and(|i| self.owns_identity(i));
        if running { Activity::Running } else { Activity::Polling }
    }
}

/// `2026-11-26T00:14:44.882300Z`
fn looks_like_timestamp(word: &str) -> bool {
    word.len() >= 20 && word.as_bytes()[4] == b'-' && word.contains('T') && word.ends_with('Z')
}

impl Activity {
    pub fn name(&self) -> String {
        match self {
            Activity::Starting => "starting".into(),
            Activity::Polling => "polling".into(),
            Activity::Running => "running task".into(),
            Activity::Killed => "killed".into(),
            Activity::Exited(code) => format!("exited ({code})"),
        }
    }
}

/// Which queue holds the run's next workflow task: a worker's sticky queue (the worker
/// that completed the last task, whose cache has the workflow state) or the normal
/// queue any worker polls. `None` when nothing is pending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Holder {
    /// `waiting`: a workflow task sits on that queue now; otherwise the next one will.
    Sticky { identity: String, waiting: bool },
    Normal { queue: String },
}

pub fn holder(timeline: &Timeline, status: &Status) -> Option<Holder> {
    if status.execution != workshop_protocol::enums::WorkflowExecutionStatus::Running {
        return None;
    }
    let upto = status.history_length as i64;
    let task = status.workflow_task.as_ref();
    if let Some(task) = task.filter(|t| !t.queue.sticky) {
        return Some(Holder::Normal { queue: task.queue.name.clone() });
    }
    // A task that timed out or failed ends stickiness: the next one goes to the normal
    // queue.
    if task.is_none() {
        let last = timeline.tasks.iter().rev().find(|t| t.scheduled_event_id <= upto);
        if let Some(last) = last.filter(|t| t.outcome.is_some_and(|(id, ty)| id <= upto && ty != workshop_protocol::enums::EventType::WorkflowTaskCompleted)) {
            let queue = if last.queue.sticky { last.queue.normal_name.clone() } else { last.queue.name.clone() };
            return Some(Holder::Normal { queue });
        }
    }
    // The sticky queue is the one the worker that completed the previous task asked for.
    let before = task.map_or(upto + 1, |t| t.scheduled_event_id);
    let owner = timeline
        .tasks
        .iter()
        .rev()
        .filter(|t| t.scheduled_event_id < before)
        .find(|t| t.outcome.is_some_and(|(id, ty)| id <= upto && ty == workshop_protocol::enums::EventType::WorkflowTaskCompleted))
        .and_then(|t| t.identity.clone())?;
    Some(Holder::Sticky { identity: owner, waiting: task.is_some() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::viz::testing::{reference};

    #[test]
    fn the_dead_workers_sticky_queue_holds_the_run_until_the_timeout() {
        let events = reference("worker-crash-short-timer.json").events;
        let mut w1 = Worker::new(1, Some(7565));
        w1.log("2026-11-26T00:14:44.882300Z  INFO activity: Translating term");
        assert_eq!(w1.logs[0], "INFO activity: Translating term");
        let w2 = Worker::new(2, Some(7689));
        let at13 = Timeline::from_events(events[..13].to_vec());
        let status = Status::derive(&at13.events, events[12].event_time, &[]);
        assert_eq!(holder(&at13, &status), Some(Holder::Sticky { identity: "7565@vm".into(), waiting: true }));
        assert_eq!(w1.identity(&at13).as_deref(), Some("7565@vm"));
        assert_eq!(w2.identity(&at13), None);
        let mut announced = Worker::new(3, Some(9999));
        announced.log("INFO workshop_sdk::worker: worker started TaskQueue=q Identity=9999@vm Workflows=W");
        assert_eq!(announced.identity(&at13).as_deref(), Some("9999@vm"));
        let at14 = Timeline::from_events(events[..14].to_vec());
        let status = Status::derive(&at14.events, events[13].event_time, &[]);
        assert_eq!(holder(&at14, &status), Some(Holder::Normal { queue: "translation-crash2-tasks".into() }));
        let at15 = Timeline::from_events(events[..15].to_vec());
        let status = Status::derive(&at15.events, events[14].event_time, &[]);
        assert_eq!(holder(&at15, &status), Some(Holder::Normal { queue: "translation-crash2-tasks".into() }));
        w1.lifecycle = Lifecycle::Killed;
        assert_eq!(w1.activity(&status), Activity::Killed);
        let at16 = Timeline::from_events(events[..16].to_vec());
        let status = Status::derive(&at16.events, events[15].event_time, &[]);
        let mut w2 = w2;
        w2.log("polling");
        assert_eq!(w2.activity(&status), Activity::Running);
    }
}
