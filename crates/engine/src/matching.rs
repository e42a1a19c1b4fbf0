//! Matching: task queues (normal and sticky) of dispatchable workflow and activity tasks,
//! and the pollers seen on each queue. Entries are references; the history state decides
//! whether an entry is still valid when a poller takes it (stale entries are dropped).

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::state::{ExecKey, MutableState, add};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QueueKind {
    Workflow,
    Activity,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TaskRef {
    pub exec: ExecKey,
    /// Workflow task: its scheduled event ID (0 for a transient attempt); activity: its scheduled event ID.
    pub sid: i64,
    pub attempt: i32,
}

type QueueId = (String, String, QueueKind);

#[derive(Debug, Default)]
struct Poller {
    last_access: Option<DateTime<Utc>>,
    open: usize,
}

#[derive(Default)]
pub struct Matching {
    queues: HashMap<QueueId, VecDeque<TaskRef>>,
    queued: HashSet<(QueueId, TaskRef)>,
    pollers: HashMap<(String, String), HashMap<String, Poller>>,
}

impl Matching {
    fn push(&mut self, q: QueueId, t: TaskRef) {
        if self.queued.insert((q.clone(), t.clone())) {
            self.queues.entry(q).or_default().push_back(t);
        }
    }

    /// Puts the run's dispatchable tasks on their queues (idempotent).
    pub fn sync(&mut self, s: &MutableState) {
        if !s.is_open() {
            return;
        }
        if let Some(wt) = &s.workflow_task
            && wt.is_dispatchable() {
                let q = (s.key.ns.clone(), wt.dispatch_queue.clone(), QueueKind::Workflow);
                self.push(q, TaskRef { exec: s.key.clone(), sid: wt.scheduled_event_id, attempt: wt.attempt });
            }
        for a in s.activities.values() {
            if a.is_dispatchable() {
                let q = (s.key.ns.clone(), a.task_queue.clone(), QueueKind::Activity);
                self.push(q, TaskRef { exec: s.key.clone(), sid: a.scheduled_event_id, attempt: a.attempt });
            }
        }
    }

    /// Takes the next entry of a queue (the caller checks it is still valid).
    pub fn pop(&mut self, ns: &str, queue: &str, kind: QueueKind) -> Option<TaskRef> {
        let q = (ns.to_string(), queue.to_string(), kind);
        let t = self.queues.get_mut(&q)?.pop_front()?;
        self.queued.remove(&(q, t.clone()));
        Some(t)
    }

    pub fn poll_started(&mut self, ns: &str, queue: &str, identity: &str, now: DateTime<Utc>) {
        let p = self.pollers.entry((ns.to_string(), queue.to_string())).or_default().entry(identity.to_string()).or_default();
        p.open += 1;
        p.last_access = Some(now);
    }

    pub fn poll_ended(&mut self, ns: &str, queue: &str, identity: &str, now: DateTime<Utc>) {
        if let Some(p) = self.pollers.get_mut(&(ns.to_string(), queue.to_string())).and_then(|m| m.get_mut(identity)) {
            p.open = p.open.saturating_sub(1);
            p.last_access = Some(now);
        }
    }

    /// A queue is available while a poll is open or one ended less than `window` ago.
    pub fn is_available(&self, ns: &str, queue: &str, now: DateTime<Utc>, window: Duration) -> bool {
        self.pollers.get(&(ns.to_string(), queue.to_string())).is_some_and(|m| {
            m.values().any(|p| p.open > 0 || p.last_access.is_some_and(|t| add(t, window) > now))
        })
    }

    /// Forgets a queue's pollers (ShutdownWorker): it is unavailable at once.
    pub fn forget_pollers(&mut self, ns: &str, queue: &str) {
        self.pollers.remove(&(ns.to_string(), queue.to_string()));
    }

    /// (identity, last access) of the pollers of a queue seen in the last `window`.
    pub fn pollers(&self, ns: &str, queue: &str, now: DateTime<Utc>, window: Duration) -> Vec<(String, DateTime<Utc>)> {
        let mut out: Vec<(String, DateTime<Utc>)> = self
            .pollers
            .get(&(ns.to_string(), queue.to_string()))
            .map(|m| {
                m.iter()
                    .filter_map(|(id, p)| {
                        let t = p.last_access?;
                        (p.open > 0 || add(t, window) > now).then(|| (id.clone(), if p.open > 0 { now } else { t }))
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.sort();
        out
    }
}
