//! Time skipping: drives one test run to its close on the in-process engine. The
//! virtual clock follows real time while workflow or activity tasks are queued or
//! running, and jumps straight to the earliest pending deadline (timer, retry backoff,
//! timeout) as soon as none is. A run that has neither work nor a deadline can never
//! progress: it ends as `Blocked` instead of hanging the test, as does a run whose
//! workflow task keeps failing or that waits on an activity nobody registered.
//!
//! Not `tokio::time::pause`: its auto-advance ignores the engine's blocking database
//! work and real I/O in activities (see PITFALLS.md, "Time skipping").

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::task::JoinHandle;
use workshop_engine::{Clock, RunningEngine, VirtualClock};
use workshop_protocol::enums::{PendingActivityState, WorkflowExecutionStatus, WorkflowTaskFailedCause};
use workshop_protocol::event::{EventAttributes, HistoryEvent};
use workshop_protocol::payload::Payload;

use crate::client::{self, ClientError, WorkflowHandle};

use super::failure::WorkflowFailure;

/// How often the driver looks at the engine.
const TICK: Duration = Duration::from_millis(2);
/// How often the virtual clock catches up with real time while work is running.
const FOLLOW_REAL_TIME_EVERY: Duration = Duration::from_millis(20);
/// How often a running run is inspected for work that can never be done.
const INSPECT_EVERY: Duration = Duration::from_millis(100);
/// Consecutive idle looks (nothing to do, nothing pending) before calling a run blocked.
const IDLE_LOOKS: u32 = 3;
/// Looks at a due deadline that firing does not clear (about 10 s of ticks).
const MAX_STALE_LOOKS: u32 = 5_000;
/// A run that needs more jumps than this is looping on timers or retries forever.
const MAX_SKIPS: u64 = 10_000;

pub(crate) struct TimeSkipper<'a> {
    pub engine: &'a RunningEngine,
    pub clock: &'a Arc<VirtualClock>,
    /// Activity types the test environment can run (registered or mocked).
    pub activity_types: BTreeSet<String>,
    /// The only task queue the environment's worker polls.
    pub task_queue: String,
}

pub(crate) type ResultTask = JoinHandle<Result<Option<Payload>, ClientError>>;

impl TimeSkipper<'_> {
    /// Runs until `result` (the wait for the run's close event) resolves, skipping time
    /// whenever nothing else can happen.
    pub async fn drive(&self, handle: &WorkflowHandle, result: ResultTask) -> Result<Option<Payload>, WorkflowFailure> {
        let mut followed = Instant::now();
        let mut inspected = Instant::now();
        let mut idle_looks = 0;
        let mut skips = 0u64;
        let mut stale_looks = 0u32;
        let mut waiting = BTreeSet::new();
        loop {
            if result.is_finished() {
                return outcome(result.await);
            }
            if followed.elapsed() >= FOLLOW_REAL_TIME_EVERY {
                self.clock.advance(followed.elapsed());
                followed = Instant::now();
            }
            if inspected.elapsed() >= INSPECT_EVERY {
                inspected = Instant::now();
                if let Some(reason) = self.stuck_reason(handle, &mut waiting, false).await {
                    return Err(WorkflowFailure::Blocked { reason });
                }
            }
            if self.engine.has_outstanding_tasks().await {
                idle_looks = 0;
                stale_looks = 0;
            } else if let Some(deadline) = self.engine.next_deadline().await {
                idle_looks = 0;
                let jump = deadline > self.clock.now();
                if jump {
                    self.clock.set(deadline);
                    skips += 1;
                    stale_looks = 0;
                    if skips > MAX_SKIPS {
                        return Err(WorkflowFailure::Blocked {
                            reason: format!(
                                "time skipping jumped to the next timer, retry or timeout {MAX_SKIPS} times and the run \
                                 is still open: the workflow loops on timers or an activity retries forever"
                            ),
                        });
                    }
                } else {
                    stale_looks += 1;
                    if stale_looks > MAX_STALE_LOOKS {
                        return Err(WorkflowFailure::Blocked {
                            reason: format!(
                                "the engine keeps reporting a deadline at {deadline} as due, but firing it changes \
                                 nothing (an engine bug)"
                            ),
                        });
                    }
                }
                if let Err(e) = self.engine.process_due().await {
                    panic!("test environment: the engine could not fire its due timers: {e:#}");
                }
                followed = Instant::now();
                if jump {
                    continue;
                }
            } else {
                idle_looks += 1;
                if idle_looks >= IDLE_LOOKS && !result.is_finished() {
                    if let Some(reason) = self.stuck_reason(handle, &mut waiting, true).await {
                        return Err(WorkflowFailure::Blocked { reason });
                    }
                    if is_running(handle).await {
                        return Err(WorkflowFailure::Blocked {
                            reason: "no workflow or activity task is queued or running, and no timer, retry or \
                                     timeout is pending: nothing can ever happen again (the workflow waits for a \
                                     signal, a cancellation or a condition that never comes)"
                                .to_string(),
                        });
                    }
                    // Closed: the close-event wait answers in a moment.
                    idle_looks = 0;
                }
            }
            tokio::time::sleep(TICK).await;
        }
    }

    /// Work that can never be done: an activity of a type the environment does not
    /// have or on a queue it does not poll, or a workflow task that failed on workflow
    /// code (a panic or non-determinism fails again on every attempt). The history is
    /// read only when something looks wrong (or `thorough`): an activity still waiting
    /// for a worker since the last look (`waiting` carries their IDs between looks), or
    /// a workflow task on its second attempt.
    async fn stuck_reason(&self, handle: &WorkflowHandle, waiting: &mut BTreeSet<String>, thorough: bool) -> Option<String> {
        let described = handle.describe().await.ok()?;
        for pending in &described.pending_activities {
            let Some(activity_type) = &pending.activity_type else { continue };
            if !self.activity_types.contains(&activity_type.name) {
                let known: Vec<&str> = self.activity_types.iter().map(String::as_str).collect();
                return Some(format!(
                    "activity {} was scheduled, but it is neither registered nor mocked in this test environment \
                     (registered: {}); add env.register_activity(...) or env.mock_activity(...)",
                    activity_type.name,
                    if known.is_empty() { "none".to_string() } else { known.join(", ") }
                ));
            }
        }
        let now_waiting: BTreeSet<String> = described
            .pending_activities
            .iter()
            .filter(|p| p.state == Some(PendingActivityState::Scheduled))
            .map(|p| format!("{}#{}", p.activity_id, p.attempt))
            .collect();
        let still_waiting = now_waiting.intersection(waiting).next().is_some();
        *waiting = now_waiting;
        let task_retried = described.pending_workflow_task.as_ref().is_some_and(|t| t.attempt >= 2);
        if !(thorough || still_waiting || task_retried) {
            return None;
        }
        let history = handle.history().await.ok()?;
        if let Some(reason) = self.activity_on_another_queue(&history.events) {
            return Some(reason);
        }
        history.events.iter().rev().find_map(|event| match &event.attributes {
            EventAttributes::WorkflowTaskFailed(failed)
                if matches!(
                    failed.cause,
                    Some(WorkflowTaskFailedCause::NonDeterministicError | WorkflowTaskFailedCause::WorkflowWorkerUnhandledFailure)
                ) =>
            {
                let message = failed.failure.as_ref().map(|f| f.message.as_str()).unwrap_or("(no message)");
                Some(format!(
                    "the workflow task failed (event {}) and fails again on every attempt:\n{message}",
                    event.event_id
                ))
            }
            _ => None,
        })
    }

    /// An open activity scheduled on a task queue no worker of the environment polls.
    fn activity_on_another_queue(&self, events: &[HistoryEvent]) -> Option<String> {
        let mut foreign: BTreeMap<i64, (String, String)> = BTreeMap::new();
        for event in events {
            match &event.attributes {
                EventAttributes::ActivityTaskScheduled(a) if a.task_queue.name != self.task_queue => {
                    foreign.insert(event.event_id, (a.activity_type.name.clone(), a.task_queue.name.clone()));
                }
                EventAttributes::ActivityTaskCompleted(_)
                | EventAttributes::ActivityTaskFailed(_)
                | EventAttributes::ActivityTaskTimedOut(_)
                | EventAttributes::ActivityTaskCanceled(_) => {
                    if let Some(id) = event.scheduled_event_id() {
                        foreign.remove(&id);
                    }
                }
                _ => {}
            }
        }
        let (activity_type, queue) = foreign.into_values().next()?;
        Some(format!(
            "activity {activity_type} was scheduled on task queue {queue}, but the test environment's worker polls \
             only {} (set the activity's task queue to it in tests, or leave it unset)",
            self.task_queue
        ))
    }
}

async fn is_running(handle: &WorkflowHandle) -> bool {
    match handle.describe().await {
        Ok(d) => matches!(d.workflow_execution_info.status, Some(WorkflowExecutionStatus::Running) | None),
        Err(_) => false,
    }
}

fn outcome(
    joined: Result<Result<Option<Payload>, ClientError>, tokio::task::JoinError>,
) -> Result<Option<Payload>, WorkflowFailure> {
    let answer = joined.unwrap_or_else(|e| panic!("test environment: waiting for the result failed: {e}"));
    match answer {
        Ok(payload) => Ok(payload),
        Err(ClientError::Workflow(e)) => Err(match e.failure {
            client::WorkflowFailure::Failed { failure, .. } => WorkflowFailure::Failed {
                message: failure.message.clone(),
                failure,
            },
            client::WorkflowFailure::TimedOut { .. } => WorkflowFailure::TimedOut,
            client::WorkflowFailure::Terminated { reason, .. } => WorkflowFailure::Terminated { reason },
            client::WorkflowFailure::Canceled { .. } => WorkflowFailure::Canceled,
        }),
        Err(e) => panic!("test environment: lost the in-process engine while waiting for the result: {e}"),
    }
}
