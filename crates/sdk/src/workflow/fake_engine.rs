//! A tiny in-memory stand-in for the engine, for the executor's unit tests: turns
//! commands into events, resolves activities (with a function of type, input and
//! attempt) and timers in a chosen order, and records a history that validates.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use workshop_protocol::command::{Command, CommandAttributes};
use workshop_protocol::common::{TaskQueue, WorkflowType};
use workshop_protocol::event::*;
use workshop_protocol::failure::Failure;
use workshop_protocol::payload::Payloads;

use crate::registry::Registry;

use super::run::{RunError, RunIdentity, WorkflowRun};

/// Which resolution the fake engine delivers first when several are possible.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Order {
    /// Every pending activity completes before the next workflow task.
    ActivitiesFirst,
    /// The earliest timer fires before anything else.
    TimersFirst,
    /// Activities and the earliest timer land in the same workflow task.
    Together,
}

pub type ActivityBehaviour = Box<dyn FnMut(&str, &Payloads) -> Result<Payloads, Failure>>;

pub struct FakeEngine {
    pub events: Vec<HistoryEvent>,
    time: DateTime<Utc>,
    pending_activities: Vec<(i64, String, Payloads)>,
    pending_timers: BTreeMap<i64, (String, Duration)>,
    pub order: Order,
    /// Drop the cached run between tasks (every task replays from event 1).
    pub no_cache: bool,
    /// Events to add before the next workflow task (signals, cancel requests).
    pub inject: Vec<(usize, EventAttributes)>,
    activity: ActivityBehaviour,
    task: usize,
}

impl FakeEngine {
    pub fn new(activity: ActivityBehaviour) -> Self {
        Self {
            events: Vec::new(),
            time: Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap(),
            pending_activities: Vec::new(),
            pending_timers: BTreeMap::new(),
            order: Order::ActivitiesFirst,
            no_cache: false,
            inject: Vec::new(),
            activity,
            task: 0,
        }
    }

    fn push(&mut self, attributes: EventAttributes) -> i64 {
        self.time += chrono::Duration::milliseconds(10);
        let event_id = self.events.len() as i64 + 1;
        self.events.push(HistoryEvent {
            event_id,
            event_time: self.time,
            task_id: event_id,
            attributes,
            user_metadata: None,
        });
        event_id
    }

    fn workflow_task(&mut self) -> i64 {
        let scheduled = self.push(EventAttributes::WorkflowTaskScheduled(WorkflowTaskScheduledEventAttributes {
            task_queue: TaskQueue::normal("q"),
            attempt: 1,
            ..Default::default()
        }));
        self.push(EventAttributes::WorkflowTaskStarted(WorkflowTaskStartedEventAttributes {
            scheduled_event_id: scheduled,
            identity: "test".into(),
            ..Default::default()
        }))
    }

    /// Runs `workflow_type` with `input` to its close (or `max_tasks`); returns the
    /// error of the first failed task, if any.
    pub fn run(&mut self, registry: &Registry, workflow_type: &str, input: Payloads, max_tasks: usize) -> Result<(), RunError> {
        self.push(EventAttributes::WorkflowExecutionStarted(WorkflowExecutionStartedEventAttributes {
            workflow_type: WorkflowType {
                name: workflow_type.into(),
            },
            task_queue: TaskQueue::normal("q"),
            input: Some(input),
            original_execution_run_id: "run-1".into(),
            first_execution_run_id: "run-1".into(),
            workflow_id: "wf-1".into(),
            attempt: 1,
            ..Default::default()
        }));
        let mut run: Option<WorkflowRun> = None;
        let mut fed = 0;
        loop {
            let started = self.workflow_task();
            if run.is_none() || self.no_cache {
                run = Some(WorkflowRun::new(|t| registry.workflow(t), RunIdentity::default(), &self.events[0], None)?);
                fed = 0;
            }
            let commands = run.as_mut().unwrap().apply(&self.events[fed..])?.expect("an open workflow task");
            fed = self.events.len();
            let completed = self.push(EventAttributes::WorkflowTaskCompleted(WorkflowTaskCompletedEventAttributes {
                scheduled_event_id: started - 1,
                started_event_id: started,
                identity: "test".into(),
                ..Default::default()
            }));
            if self.apply_commands(completed, commands) {
                return Ok(());
            }
            self.task += 1;
            if self.task >= max_tasks {
                return Ok(());
            }
            let injected: Vec<EventAttributes> = self
                .inject
                .iter()
                .filter(|(t, _)| *t == self.task)
                .map(|(_, e)| e.clone())
                .collect();
            for attributes in injected {
                self.push(attributes);
            }
            self.resolve();
        }
    }

    /// Records the events of `commands`; true when the run closed.
    fn apply_commands(&mut self, completed: i64, commands: Vec<Command>) -> bool {
        let mut closed = false;
        for command in commands {
            let metadata = command.user_metadata.clone();
            let id = match command.attributes {
                CommandAttributes::ScheduleActivityTask(a) => {
                    let input = a.input.clone().unwrap_or_default();
                    let id = self.push(EventAttributes::ActivityTaskScheduled(ActivityTaskScheduledEventAttributes {
                        activity_id: a.activity_id,
                        activity_type: a.activity_type.clone(),
                        task_queue: a.task_queue.unwrap_or_default(),
                        input: a.input,
                        start_to_close_timeout: a.start_to_close_timeout,
                        workflow_task_completed_event_id: completed,
                        ..Default::default()
                    }));
                    self.pending_activities.push((id, a.activity_type.name, input));
                    id
                }
                CommandAttributes::StartTimer(t) => {
                    let id = self.push(EventAttributes::TimerStarted(TimerStartedEventAttributes {
                        timer_id: t.timer_id.clone(),
                        start_to_fire_timeout: t.start_to_fire_timeout,
                        workflow_task_completed_event_id: completed,
                        ..Default::default()
                    }));
                    self.pending_timers
                        .insert(id, (t.timer_id, t.start_to_fire_timeout.unwrap_or_default()));
                    id
                }
                CommandAttributes::CancelTimer(t) => {
                    let started = self
                        .pending_timers
                        .iter()
                        .find(|(_, (tid, _))| *tid == t.timer_id)
                        .map(|(id, _)| *id)
                        .unwrap_or_default();
                    self.pending_timers.remove(&started);
                    self.push(EventAttributes::TimerCanceled(TimerCanceledEventAttributes {
                        timer_id: t.timer_id,
                        started_event_id: started,
                        workflow_task_completed_event_id: completed,
                        ..Default::default()
                    }))
                }
                CommandAttributes::RecordMarker(m) => self.push(EventAttributes::MarkerRecorded(MarkerRecordedEventAttributes {
                    marker_name: m.marker_name,
                    details: m.details,
                    workflow_task_completed_event_id: completed,
                    ..Default::default()
                })),
                CommandAttributes::CompleteWorkflowExecution(c) => {
                    closed = true;
                    self.push(EventAttributes::WorkflowExecutionCompleted(WorkflowExecutionCompletedEventAttributes {
                        result: c.result,
                        workflow_task_completed_event_id: completed,
                        ..Default::default()
                    }))
                }
                CommandAttributes::FailWorkflowExecution(c) => {
                    closed = true;
                    self.push(EventAttributes::WorkflowExecutionFailed(WorkflowExecutionFailedEventAttributes {
                        failure: c.failure,
                        workflow_task_completed_event_id: completed,
                        ..Default::default()
                    }))
                }
                CommandAttributes::CancelWorkflowExecution(c) => {
                    closed = true;
                    self.push(EventAttributes::WorkflowExecutionCanceled(WorkflowExecutionCanceledEventAttributes {
                        details: c.details,
                        workflow_task_completed_event_id: completed,
                        ..Default::default()
                    }))
                }
                CommandAttributes::ContinueAsNewWorkflowExecution(c) => {
                    closed = true;
                    self.push(EventAttributes::WorkflowExecutionContinuedAsNew(
                        WorkflowExecutionContinuedAsNewEventAttributes {
                            new_execution_run_id: "run-2".into(),
                            workflow_type: c.workflow_type,
                            task_queue: c.task_queue.unwrap_or_default(),
                            input: c.input,
                            workflow_task_completed_event_id: completed,
                            ..Default::default()
                        },
                    ))
                }
                other => panic!("the fake engine does not handle {other:?}"),
            };
            self.events[id as usize - 1].user_metadata = metadata;
        }
        closed
    }

    fn complete_activities(&mut self) {
        for (scheduled, activity_type, input) in std::mem::take(&mut self.pending_activities) {
            let started = self.push(EventAttributes::ActivityTaskStarted(ActivityTaskStartedEventAttributes {
                scheduled_event_id: scheduled,
                attempt: 1,
                identity: "test".into(),
                ..Default::default()
            }));
            match (self.activity)(&activity_type, &input) {
                Ok(result) => self.push(EventAttributes::ActivityTaskCompleted(ActivityTaskCompletedEventAttributes {
                    result: Some(result),
                    scheduled_event_id: scheduled,
                    started_event_id: started,
                    ..Default::default()
                })),
                Err(failure) => self.push(EventAttributes::ActivityTaskFailed(ActivityTaskFailedEventAttributes {
                    failure: Some(failure),
                    scheduled_event_id: scheduled,
                    started_event_id: started,
                    ..Default::default()
                })),
            };
        }
    }

    fn fire_timer(&mut self) {
        // Timers of an hour or more stand for "longer than the test": they never fire.
        let earliest = self
            .pending_timers
            .iter()
            .filter(|(_, (_, d))| *d < Duration::from_secs(3600))
            .min_by_key(|(id, (_, d))| (*d, **id))
            .map(|(id, _)| *id);
        if let Some(started) = earliest {
            let (timer_id, _) = self.pending_timers.remove(&started).unwrap();
            self.push(EventAttributes::TimerFired(TimerFiredEventAttributes {
                timer_id,
                started_event_id: started,
                ..Default::default()
            }));
        }
    }

    fn resolve(&mut self) {
        match self.order {
            Order::ActivitiesFirst if !self.pending_activities.is_empty() => self.complete_activities(),
            Order::ActivitiesFirst => self.fire_timer(),
            Order::TimersFirst if !self.pending_timers.is_empty() => self.fire_timer(),
            Order::TimersFirst => self.complete_activities(),
            Order::Together => {
                self.complete_activities();
                self.fire_timer();
            }
        }
    }

    pub fn history(&self) -> workshop_protocol::history::History {
        workshop_protocol::history::History {
            events: self.events.clone(),
        }
    }

    pub fn event_types(&self) -> Vec<String> {
        self.events.iter().map(|e| e.event_type().to_string()).collect()
    }

    pub fn result<T: serde::de::DeserializeOwned>(&self) -> Option<T> {
        self.events.iter().rev().find_map(|e| match &e.attributes {
            EventAttributes::WorkflowExecutionCompleted(c) => c.result.as_ref()?.decode().ok(),
            _ => None,
        })
    }
}
