//! The history service's state machines, as plain functions over data: each takes the
//! mutable state of one run and an input (a start request, a poll, a worker's answer, a
//! deadline), appends the events it produces and updates the state. Nothing here touches
//! the database or the network; the service commits the result in one transaction.

use std::time::Duration;

use chrono::{DateTime, Utc};
use workshop_protocol::*;

use crate::settings::Settings;
use crate::state::*;

/// What the transitions need from outside: the time, the settings, and whether a sticky
/// queue has a live poller.
pub type StickyAvailable<'a> = Box<dyn Fn(&str, &str) -> bool + 'a>;

pub struct Ctx<'a> {
    pub now: DateTime<Utc>,
    pub settings: &'a Settings,
    pub sticky_available: StickyAvailable<'a>,
}

/// A run being changed: its state and the events appended so far in this transaction.
pub struct Txn {
    pub state: MutableState,
    pub events: Vec<HistoryEvent>,
    /// A run to create in the same transaction (continue-as-new).
    pub new_run: Option<Box<Txn>>,
}

fn event_size(e: &HistoryEvent) -> u64 {
    serde_json::to_vec(e).map(|v| v.len() as u64).unwrap_or(0)
}

fn check_payloads(p: &Option<Payloads>, limit: usize, what: &str) -> Result<(), String> {
    match p {
        Some(p) if p.size() > limit => Err(format!(
            "{what} is {} bytes, over the {} byte payload limit",
            p.size(),
            limit
        )),
        _ => Ok(()),
    }
}

pub fn new_uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Starts a run: WorkflowExecutionStarted and the first WorkflowTaskScheduled.
pub fn start_execution(
    key: ExecKey,
    req: &StartWorkflowExecutionRequest,
    continued_from: Option<(&str, &str)>,
    ctx: &Ctx,
) -> Txn {
    // (previous run ID, first run ID) when this run continues another.
    let first_run = continued_from.map(|(_, first)| first.to_string()).unwrap_or_else(|| key.rid.clone());
    let wt_timeout = req.workflow_task_timeout.filter(|d| !d.is_zero()).unwrap_or(ctx.settings.workflow_task_timeout);
    let run_timeout = req.workflow_run_timeout.filter(|d| !d.is_zero()).or(req.workflow_execution_timeout.filter(|d| !d.is_zero()));
    let state = MutableState {
        key: key.clone(),
        workflow_type: req.workflow_type.name.clone(),
        task_queue: req.task_queue.name.clone(),
        status: WorkflowExecutionStatus::Running,
        start_time: ctx.now,
        close_time: None,
        start_request_id: req.request_id.clone(),
        first_execution_run_id: first_run.clone(),
        next_event_id: 1,
        history_size: 0,
        workflow_task_timeout: wt_timeout,
        workflow_execution_timeout: req.workflow_execution_timeout.filter(|d| !d.is_zero()),
        workflow_run_timeout: req.workflow_run_timeout.filter(|d| !d.is_zero()),
        run_deadline: run_timeout.map(|d| add(ctx.now, d)),
        workflow_task: None,
        last_completed_started_id: 0,
        sticky: None,
        activities: Default::default(),
        timers: Default::default(),
        buffered: Vec::new(),
        cancel_requested: false,
        history_warned: false,
    };
    let mut txn = Txn { state, events: Vec::new(), new_run: None };
    txn.append(
        WorkflowExecutionStartedEventAttributes {
            workflow_type: req.workflow_type.clone(),
            task_queue: TaskQueue::normal(&req.task_queue.name),
            input: req.input.clone(),
            workflow_execution_timeout: txn.state.workflow_execution_timeout,
            workflow_run_timeout: txn.state.workflow_run_timeout,
            workflow_task_timeout: Some(wt_timeout),
            continued_execution_run_id: continued_from.map(|(prev, _)| prev.to_string()).unwrap_or_default(),
            original_execution_run_id: key.rid.clone(),
            identity: req.identity.clone(),
            first_execution_run_id: first_run,
            attempt: 1,
            workflow_execution_expiration_time: req
                .workflow_execution_timeout
                .filter(|d| !d.is_zero())
                .map(|d| add(ctx.now, d)),
            first_workflow_task_backoff: Some(Duration::ZERO),
            workflow_id: key.wid.clone(),
            ..Default::default()
        },
        None,
        ctx.now,
    );
    txn.schedule_workflow_task(ctx);
    txn
}

impl Txn {
    pub fn new(state: MutableState) -> Txn {
        Txn { state, events: Vec::new(), new_run: None }
    }

    /// Appends an event now; returns its ID.
    pub fn append(&mut self, attrs: impl Into<EventAttributes>, user_metadata: Option<UserMetadata>, time: DateTime<Utc>) -> i64 {
        let id = self.state.next_event_id;
        self.state.next_event_id += 1;
        let e = HistoryEvent { event_id: id, event_time: time, task_id: 0, attributes: attrs.into(), user_metadata };
        self.state.history_size += event_size(&e);
        self.events.push(e);
        id
    }

    /// Appends an event from the buffer (or an external batch), resolving the -1
    /// "previous event" link of activity outcomes.
    fn append_linked(&mut self, mut e: HistoryEvent) -> i64 {
        let prev = self.state.next_event_id - 1;
        use EventAttributes as A;
        match &mut e.attributes {
            A::ActivityTaskCompleted(a) if a.started_event_id == -1 => a.started_event_id = prev,
            A::ActivityTaskFailed(a) if a.started_event_id == -1 => a.started_event_id = prev,
            A::ActivityTaskTimedOut(a) if a.started_event_id == -1 => a.started_event_id = prev,
            A::ActivityTaskCanceled(a) if a.started_event_id == -1 => a.started_event_id = prev,
            _ => {}
        }
        self.append(e.attributes, e.user_metadata, e.event_time)
    }

    /// Events the workflow must see (activity outcomes, timer fired, signals, cancel
    /// requests): buffered while a workflow task is started, else written; then a workflow
    /// task is scheduled if none is pending.
    pub fn add_workflow_events(&mut self, batch: Vec<(EventAttributes, DateTime<Utc>)>, ctx: &Ctx) {
        if self.state.wt_started() {
            for (attrs, time) in batch {
                self.state.buffered.push(HistoryEvent {
                    event_id: 0,
                    event_time: time,
                    task_id: 0,
                    attributes: attrs,
                    user_metadata: None,
                });
            }
            return;
        }
        for (attrs, time) in batch {
            let e = HistoryEvent { event_id: 0, event_time: time, task_id: 0, attributes: attrs, user_metadata: None };
            self.append_linked(e);
        }
        self.schedule_workflow_task(ctx);
    }

    /// Writes the buffered events; returns how many there were.
    fn flush_buffered(&mut self) -> usize {
        let buffered = std::mem::take(&mut self.state.buffered);
        let n = buffered.len();
        for e in buffered {
            self.append_linked(e);
        }
        n
    }

    fn sticky_dispatch(&self, ctx: &Ctx) -> (TaskQueue, String, Option<DateTime<Utc>>) {
        let normal = &self.state.task_queue;
        match &self.state.sticky {
            Some(s) => {
                let event_queue = TaskQueue::sticky(&s.queue, normal);
                if (ctx.sticky_available)(&self.state.key.ns, &s.queue) {
                    (event_queue, s.queue.clone(), Some(add(ctx.now, s.schedule_to_start)))
                } else {
                    // As in Temporal: the event still names the sticky queue, the task
                    // goes to the normal queue with no extra event.
                    (event_queue, normal.clone(), None)
                }
            }
            None => (TaskQueue::normal(normal), normal.clone(), None),
        }
    }

    /// Schedules a workflow task (written, attempt 1) unless one is pending or the run is closed.
    pub fn schedule_workflow_task(&mut self, ctx: &Ctx) {
        if !self.state.is_open() || self.state.workflow_task.is_some() {
            return;
        }
        let (event_queue, dispatch_queue, s2s) = self.sticky_dispatch(ctx);
        let id = self.append(
            WorkflowTaskScheduledEventAttributes {
                task_queue: event_queue.clone(),
                start_to_close_timeout: Some(self.state.workflow_task_timeout),
                attempt: 1,
                ..Default::default()
            },
            None,
            ctx.now,
        );
        self.state.workflow_task = Some(WorkflowTaskState {
            scheduled_event_id: id,
            attempt: 1,
            transient: false,
            event_queue,
            dispatch_queue,
            scheduled_time: ctx.now,
            not_before: None,
            schedule_to_start_deadline: s2s,
            started: None,
        });
    }

    /// Starts the pending workflow task for a poller. Returns (scheduled ID, started ID,
    /// attempt, the transient Scheduled/Started events to append to the poll's history).
    pub fn start_workflow_task(&mut self, identity: &str, ctx: &Ctx) -> (i64, i64, i32, Vec<HistoryEvent>) {
        let wt_timeout = self.state.workflow_task_timeout;
        let history_size = self.state.history_size as i64;
        let request_id = new_uuid();
        let wt = self.state.workflow_task.as_ref().expect("dispatchable workflow task").clone();
        let mut transient_events = Vec::new();
        let (sid, started_id) = if wt.transient {
            // Transient attempt: its events are shown to the worker but written only if it completes.
            let sid = self.state.next_event_id;
            transient_events.push(HistoryEvent {
                event_id: sid,
                event_time: wt.scheduled_time,
                task_id: 0,
                attributes: WorkflowTaskScheduledEventAttributes {
                    task_queue: wt.event_queue.clone(),
                    start_to_close_timeout: Some(wt_timeout),
                    attempt: wt.attempt,
                    ..Default::default()
                }
                .into(),
                user_metadata: None,
            });
            transient_events.push(HistoryEvent {
                event_id: sid + 1,
                event_time: ctx.now,
                task_id: 0,
                attributes: WorkflowTaskStartedEventAttributes {
                    scheduled_event_id: sid,
                    identity: identity.to_string(),
                    request_id: request_id.clone(),
                    history_size_bytes: history_size,
                    ..Default::default()
                }
                .into(),
                user_metadata: None,
            });
            (sid, sid + 1)
        } else {
            let started = self.append(
                WorkflowTaskStartedEventAttributes {
                    scheduled_event_id: wt.scheduled_event_id,
                    identity: identity.to_string(),
                    request_id: request_id.clone(),
                    history_size_bytes: history_size,
                    ..Default::default()
                },
                None,
                ctx.now,
            );
            (wt.scheduled_event_id, started)
        };
        let wt = self.state.workflow_task.as_mut().unwrap();
        wt.scheduled_event_id = sid;
        wt.schedule_to_start_deadline = None;
        wt.started = Some(WorkflowTaskStarted {
            started_event_id: started_id,
            time: ctx.now,
            identity: identity.to_string(),
            request_id,
            deadline: add(ctx.now, wt_timeout),
        });
        (sid, started_id, wt.attempt, transient_events)
    }

    /// Writes the Scheduled/Started events of a transient attempt that reached an outcome.
    fn materialize_transient(&mut self) {
        let Some(wt) = self.state.workflow_task.clone() else { return };
        if !wt.transient {
            return;
        }
        let Some(st) = wt.started else { return };
        let sid = self.append(
            WorkflowTaskScheduledEventAttributes {
                task_queue: wt.event_queue.clone(),
                start_to_close_timeout: Some(self.state.workflow_task_timeout),
                attempt: wt.attempt,
                ..Default::default()
            },
            None,
            wt.scheduled_time,
        );
        let started = self.append(
            WorkflowTaskStartedEventAttributes {
                scheduled_event_id: sid,
                identity: st.identity.clone(),
                request_id: st.request_id.clone(),
                history_size_bytes: self.state.history_size as i64,
                ..Default::default()
            },
            None,
            st.time,
        );
        debug_assert_eq!((sid, started), (wt.scheduled_event_id, st.started_event_id));
        let w = self.state.workflow_task.as_mut().unwrap();
        w.transient = false;
    }

    /// A workflow task failed or timed out: the first failure is written, later attempts
    /// are transient; stickiness is cleared; buffered events are flushed.
    pub fn fail_workflow_task(&mut self, outcome: WtFailure, ctx: &Ctx) {
        let Some(wt) = self.state.workflow_task.clone() else { return };
        let write = !wt.transient;
        let mut schedule_to_start = false;
        if write {
            match outcome {
                WtFailure::Failed { cause, failure, identity } => {
                    let st = wt.started.as_ref().map(|s| s.started_event_id).unwrap_or(0);
                    self.append(
                        WorkflowTaskFailedEventAttributes {
                            scheduled_event_id: wt.scheduled_event_id,
                            started_event_id: st,
                            cause: Some(cause),
                            failure: failure.map(|f| *f),
                            identity,
                            ..Default::default()
                        },
                        None,
                        ctx.now,
                    );
                }
                WtFailure::TimedOut(tt) => {
                    schedule_to_start = tt == TimeoutType::ScheduleToStart;
                    self.append(
                        WorkflowTaskTimedOutEventAttributes {
                            scheduled_event_id: wt.scheduled_event_id,
                            started_event_id: wt.started.as_ref().map(|s| s.started_event_id).unwrap_or(0),
                            timeout_type: Some(tt),
                            ..Default::default()
                        },
                        None,
                        ctx.now,
                    );
                }
            }
        }
        self.state.workflow_task = None;
        self.state.sticky = None;
        let flushed = self.flush_buffered();
        if !self.state.is_open() {
            return;
        }
        if schedule_to_start || flushed > 0 {
            // A sticky schedule-to-start timeout is not a failure of the task (Temporal
            // writes a fresh attempt-1 task on the normal queue); new events make a new task.
            self.schedule_workflow_task(ctx);
            return;
        }
        let attempt = wt.attempt + 1;
        let backoff = ctx.settings.workflow_task_backoff(attempt);
        self.state.workflow_task = Some(WorkflowTaskState {
            scheduled_event_id: 0,
            attempt,
            transient: true,
            event_queue: TaskQueue::normal(&self.state.task_queue),
            dispatch_queue: self.state.task_queue.clone(),
            scheduled_time: add(ctx.now, backoff),
            not_before: if backoff.is_zero() { None } else { Some(add(ctx.now, backoff)) },
            schedule_to_start_deadline: None,
            started: None,
        });
    }

    /// RespondWorkflowTaskCompleted. Returns Err(cause, message) when a command is bad;
    /// the caller then fails the task with that cause.
    pub fn complete_workflow_task(
        &mut self,
        req: &RespondWorkflowTaskCompletedRequest,
        ctx: &Ctx,
    ) -> Result<(), (WorkflowTaskFailedCause, String)> {
        validate_commands(&self.state, &req.commands, ctx.settings)?;
        let closes = req.commands.iter().any(|c| is_close_command(c.command_type()));
        if closes && !self.state.buffered.is_empty() {
            return Err((
                WorkflowTaskFailedCause::UnhandledCommand,
                "new events arrived while the workflow task ran; the workflow must see them before it closes".into(),
            ));
        }
        self.materialize_transient();
        let wt = self.state.workflow_task.take().expect("started workflow task");
        let started = wt.started.as_ref().expect("started").started_event_id;
        let completed_id = self.append(
            WorkflowTaskCompletedEventAttributes {
                scheduled_event_id: wt.scheduled_event_id,
                started_event_id: started,
                identity: req.identity.clone(),
                ..Default::default()
            },
            None,
            ctx.now,
        );
        self.state.last_completed_started_id = started;
        self.state.sticky = req.sticky_attributes.as_ref().filter(|s| !s.worker_task_queue.name.is_empty()).map(|s| Sticky {
            queue: s.worker_task_queue.name.clone(),
            schedule_to_start: s.schedule_to_start_timeout.filter(|d| !d.is_zero()).unwrap_or(Duration::from_secs(10)),
        });
        for cmd in &req.commands {
            self.apply_command(cmd, completed_id, &req.identity, ctx);
        }
        let flushed = self.flush_buffered();
        if flushed > 0 {
            self.schedule_workflow_task(ctx);
        }
        Ok(())
    }

    fn apply_command(&mut self, cmd: &Command, wtc: i64, identity: &str, ctx: &Ctx) {
        let um = cmd.user_metadata.clone();
        let now = ctx.now;
        match &cmd.attributes {
            CommandAttributes::ScheduleActivityTask(a) => {
                let task_queue = a
                    .task_queue
                    .as_ref()
                    .filter(|q| !q.name.is_empty())
                    .map(|q| q.name.clone())
                    .unwrap_or_else(|| self.state.task_queue.clone());
                let s2c = a.schedule_to_close_timeout.filter(|d| !d.is_zero());
                let stc = a.start_to_close_timeout.filter(|d| !d.is_zero()).or(s2c);
                let retry_policy = a.retry_policy.clone().unwrap_or_default().with_defaults();
                let zero = Some(Duration::ZERO);
                let id = self.append(
                    ActivityTaskScheduledEventAttributes {
                        activity_id: a.activity_id.clone(),
                        activity_type: a.activity_type.clone(),
                        task_queue: TaskQueue::normal(&task_queue),
                        input: a.input.clone(),
                        schedule_to_close_timeout: s2c.or(zero),
                        schedule_to_start_timeout: a.schedule_to_start_timeout.or(zero),
                        start_to_close_timeout: stc.or(zero),
                        heartbeat_timeout: a.heartbeat_timeout.or(zero),
                        workflow_task_completed_event_id: wtc,
                        retry_policy: Some(retry_policy.clone()),
                        ..Default::default()
                    },
                    um,
                    now,
                );
                self.state.activities.insert(
                    id,
                    ActivityState {
                        scheduled_event_id: id,
                        activity_id: a.activity_id.clone(),
                        activity_type: a.activity_type.clone(),
                        task_queue,
                        input: a.input.clone(),
                        schedule_to_close: s2c,
                        schedule_to_start: a.schedule_to_start_timeout.filter(|d| !d.is_zero()),
                        start_to_close: stc,
                        heartbeat: a.heartbeat_timeout.filter(|d| !d.is_zero()),
                        retry_policy,
                        attempt: 1,
                        scheduled_time: now,
                        attempt_scheduled_time: now,
                        not_before: None,
                        started: None,
                        last_failure: None,
                        heartbeat_details: None,
                        last_heartbeat_time: None,
                        last_worker_identity: String::new(),
                        cancel_requested_event_id: 0,
                    },
                );
            }
            CommandAttributes::StartTimer(t) => {
                let d = t.start_to_fire_timeout.unwrap_or_default();
                let id = self.append(
                    TimerStartedEventAttributes {
                        timer_id: t.timer_id.clone(),
                        start_to_fire_timeout: Some(d),
                        workflow_task_completed_event_id: wtc,
                        ..Default::default()
                    },
                    um,
                    now,
                );
                self.state.timers.insert(
                    t.timer_id.clone(),
                    TimerState { timer_id: t.timer_id.clone(), started_event_id: id, fire_time: add(now, d) },
                );
            }
            CommandAttributes::CancelTimer(t) => {
                if let Some(timer) = self.state.timers.remove(&t.timer_id) {
                    self.append(
                        TimerCanceledEventAttributes {
                            timer_id: t.timer_id.clone(),
                            started_event_id: timer.started_event_id,
                            workflow_task_completed_event_id: wtc,
                            identity: identity.to_string(),
                            ..Default::default()
                        },
                        um,
                        now,
                    );
                }
            }
            CommandAttributes::RequestCancelActivityTask(c) => {
                let sid = c.scheduled_event_id;
                let req_id = self.append(
                    ActivityTaskCancelRequestedEventAttributes {
                        scheduled_event_id: sid,
                        workflow_task_completed_event_id: wtc,
                        ..Default::default()
                    },
                    um,
                    now,
                );
                let started = self.state.activities.get(&sid).map(|a| a.started.is_some()).unwrap_or(true);
                if started {
                    if let Some(a) = self.state.activities.get_mut(&sid) {
                        a.cancel_requested_event_id = req_id;
                    }
                } else {
                    // Not running (scheduled or in backoff): canceled at once.
                    self.state.activities.remove(&sid);
                    self.append(
                        ActivityTaskCanceledEventAttributes {
                            latest_cancel_requested_event_id: req_id,
                            scheduled_event_id: sid,
                            identity: identity.to_string(),
                            ..Default::default()
                        },
                        None,
                        now,
                    );
                }
            }
            CommandAttributes::RecordMarker(m) => {
                self.append(
                    MarkerRecordedEventAttributes {
                        marker_name: m.marker_name.clone(),
                        details: m.details.clone(),
                        workflow_task_completed_event_id: wtc,
                        failure: m.failure.clone(),
                        ..Default::default()
                    },
                    um,
                    now,
                );
            }
            CommandAttributes::CompleteWorkflowExecution(c) => {
                self.append(
                    WorkflowExecutionCompletedEventAttributes {
                        result: c.result.clone(),
                        workflow_task_completed_event_id: wtc,
                        ..Default::default()
                    },
                    um,
                    now,
                );
                self.close(WorkflowExecutionStatus::Completed, now);
            }
            CommandAttributes::FailWorkflowExecution(f) => {
                self.append(
                    WorkflowExecutionFailedEventAttributes {
                        failure: f.failure.clone(),
                        retry_state: Some(RetryState::RetryPolicyNotSet),
                        workflow_task_completed_event_id: wtc,
                        ..Default::default()
                    },
                    um,
                    now,
                );
                self.close(WorkflowExecutionStatus::Failed, now);
            }
            CommandAttributes::CancelWorkflowExecution(c) => {
                self.append(
                    WorkflowExecutionCanceledEventAttributes {
                        workflow_task_completed_event_id: wtc,
                        details: c.details.clone(),
                        ..Default::default()
                    },
                    um,
                    now,
                );
                self.close(WorkflowExecutionStatus::Canceled, now);
            }
            CommandAttributes::ContinueAsNewWorkflowExecution(c) => {
                let new_rid = uuid::Uuid::now_v7().to_string();
                let workflow_type = if c.workflow_type.name.is_empty() {
                    WorkflowType { name: self.state.workflow_type.clone() }
                } else {
                    c.workflow_type.clone()
                };
                let task_queue = c
                    .task_queue
                    .clone()
                    .filter(|q| !q.name.is_empty())
                    .unwrap_or_else(|| TaskQueue::normal(&self.state.task_queue));
                self.append(
                    WorkflowExecutionContinuedAsNewEventAttributes {
                        new_execution_run_id: new_rid.clone(),
                        workflow_type: workflow_type.clone(),
                        task_queue: task_queue.clone(),
                        input: c.input.clone(),
                        workflow_run_timeout: c.workflow_run_timeout.or(self.state.workflow_run_timeout),
                        workflow_task_timeout: c.workflow_task_timeout.or(Some(self.state.workflow_task_timeout)),
                        workflow_task_completed_event_id: wtc,
                        ..Default::default()
                    },
                    um,
                    now,
                );
                self.close(WorkflowExecutionStatus::ContinuedAsNew, now);
                let req = StartWorkflowExecutionRequest {
                    namespace: self.state.key.ns.clone(),
                    workflow_id: self.state.key.wid.clone(),
                    workflow_type,
                    task_queue,
                    input: c.input.clone(),
                    workflow_execution_timeout: self.state.workflow_execution_timeout,
                    workflow_run_timeout: c.workflow_run_timeout.or(self.state.workflow_run_timeout),
                    workflow_task_timeout: c.workflow_task_timeout.or(Some(self.state.workflow_task_timeout)),
                    identity: identity.to_string(),
                    request_id: new_uuid(),
                };
                let key = ExecKey { ns: self.state.key.ns.clone(), wid: self.state.key.wid.clone(), rid: new_rid };
                let prev = self.state.key.rid.clone();
                let first = if self.state.first_execution_run_id.is_empty() { prev.clone() } else { self.state.first_execution_run_id.clone() };
                self.new_run = Some(Box::new(start_execution(key, &req, Some((&prev, &first)), ctx)));
            }
        }
    }

    fn close(&mut self, status: WorkflowExecutionStatus, now: DateTime<Utc>) {
        self.state.status = status;
        self.state.close_time = Some(now);
        self.state.workflow_task = None;
        self.state.activities.clear();
        self.state.timers.clear();
        self.state.sticky = None;
        self.state.run_deadline = None;
    }

    /// Closes a run from outside (terminate, run timeout, history limit): a started
    /// workflow task fails first (FORCE_CLOSE_COMMAND), buffered events are flushed.
    fn force_close(&mut self, identity: &str, ctx: &Ctx) {
        if let Some(wt) = self.state.workflow_task.clone()
            && let Some(st) = &wt.started
                && !wt.transient {
                    self.append(
                        WorkflowTaskFailedEventAttributes {
                            scheduled_event_id: wt.scheduled_event_id,
                            started_event_id: st.started_event_id,
                            cause: Some(WorkflowTaskFailedCause::ForceCloseCommand),
                            identity: identity.to_string(),
                            ..Default::default()
                        },
                        None,
                        ctx.now,
                    );
                }
        self.state.workflow_task = None;
        self.flush_buffered();
    }

    pub fn terminate(&mut self, reason: &str, details: Option<Payloads>, identity: &str, ctx: &Ctx) {
        self.force_close(identity, ctx);
        self.append(
            WorkflowExecutionTerminatedEventAttributes {
                reason: reason.to_string(),
                details,
                identity: identity.to_string(),
                ..Default::default()
            },
            None,
            ctx.now,
        );
        self.close(WorkflowExecutionStatus::Terminated, ctx.now);
    }

    pub fn request_cancel(&mut self, reason: &str, identity: &str, ctx: &Ctx) {
        if self.state.cancel_requested {
            return;
        }
        self.state.cancel_requested = true;
        self.add_workflow_events(
            vec![(
                WorkflowExecutionCancelRequestedEventAttributes {
                    cause: reason.to_string(),
                    identity: identity.to_string(),
                    ..Default::default()
                }
                .into(),
                ctx.now,
            )],
            ctx,
        );
    }

    pub fn signal(&mut self, name: &str, input: Option<Payloads>, identity: &str, ctx: &Ctx) {
        self.add_workflow_events(
            vec![(
                WorkflowExecutionSignaledEventAttributes {
                    signal_name: name.to_string(),
                    input,
                    identity: identity.to_string(),
                    ..Default::default()
                }
                .into(),
                ctx.now,
            )],
            ctx,
        );
    }

    // ---- activities ----

    pub fn start_activity(&mut self, sid: i64, identity: &str, ctx: &Ctx) {
        let a = self.state.activities.get_mut(&sid).expect("dispatchable activity");
        a.started = Some(ActivityStarted { time: ctx.now, identity: identity.to_string(), request_id: new_uuid() });
        a.last_worker_identity = identity.to_string();
    }

    /// The ActivityTaskStarted event written with an outcome (final attempt, lastFailure).
    fn started_event(a: &ActivityState, identity: &str, now: DateTime<Utc>) -> (EventAttributes, DateTime<Utc>) {
        let (time, identity, request_id) = match &a.started {
            Some(s) => (s.time, s.identity.clone(), s.request_id.clone()),
            None => (now, identity.to_string(), new_uuid()),
        };
        (
            ActivityTaskStartedEventAttributes {
                scheduled_event_id: a.scheduled_event_id,
                identity,
                request_id,
                attempt: a.attempt,
                last_failure: a.last_failure.clone(),
                ..Default::default()
            }
            .into(),
            time,
        )
    }

    pub fn complete_activity(&mut self, sid: i64, result: Option<Payloads>, identity: &str, ctx: &Ctx) {
        let a = self.state.activities.remove(&sid).expect("checked activity");
        let started = Self::started_event(&a, identity, ctx.now);
        let done = ActivityTaskCompletedEventAttributes {
            result,
            scheduled_event_id: sid,
            started_event_id: -1,
            identity: identity.to_string(),
            ..Default::default()
        };
        self.add_workflow_events(vec![started, (done.into(), ctx.now)], ctx);
    }

    pub fn cancel_activity(&mut self, sid: i64, details: Option<Payloads>, identity: &str, ctx: &Ctx) {
        let a = self.state.activities.remove(&sid).expect("checked activity");
        let started = Self::started_event(&a, identity, ctx.now);
        let done = ActivityTaskCanceledEventAttributes {
            details,
            latest_cancel_requested_event_id: a.cancel_requested_event_id,
            scheduled_event_id: sid,
            started_event_id: -1,
            identity: identity.to_string(),
            ..Default::default()
        };
        self.add_workflow_events(vec![started, (done.into(), ctx.now)], ctx);
    }

    /// Decides whether a failed attempt is retried: None = retry, Some(state) = final.
    fn retry_decision(a: &ActivityState, failure: &Failure, ctx: &Ctx) -> Option<RetryState> {
        if failure.is_non_retryable() {
            return Some(RetryState::NonRetryableFailure);
        }
        if let Some(t) = failure.application_type()
            && a.retry_policy.non_retryable_error_types.iter().any(|n| n == t) {
                return Some(RetryState::NonRetryableFailure);
            }
        let max = a.retry_policy.maximum_attempts;
        if max > 0 && a.attempt >= max {
            return Some(RetryState::MaximumAttemptsReached);
        }
        if let Some(s2c) = a.schedule_to_close {
            let next = add(ctx.now, a.retry_policy.backoff(a.attempt + 1));
            if next >= add(a.scheduled_time, s2c) {
                return Some(RetryState::Timeout);
            }
        }
        None
    }

    fn retry_activity(&mut self, sid: i64, failure: Failure, heartbeat_details: Option<Payloads>, ctx: &Ctx) {
        let a = self.state.activities.get_mut(&sid).unwrap();
        let delay = a.retry_policy.backoff(a.attempt + 1);
        a.attempt += 1;
        a.started = None;
        a.last_failure = Some(failure);
        if heartbeat_details.is_some() {
            a.heartbeat_details = heartbeat_details;
        }
        let at = add(ctx.now, delay);
        a.attempt_scheduled_time = at;
        a.not_before = if delay.is_zero() { None } else { Some(at) };
    }

    /// RespondActivityTaskFailed: retried silently, or written with its final attempt.
    pub fn fail_activity(&mut self, sid: i64, failure: Failure, heartbeat_details: Option<Payloads>, identity: &str, ctx: &Ctx) {
        let a = self.state.activities.get(&sid).expect("checked activity").clone();
        match Self::retry_decision(&a, &failure, ctx) {
            None => self.retry_activity(sid, failure, heartbeat_details, ctx),
            Some(retry_state) => {
                self.state.activities.remove(&sid);
                let started = Self::started_event(&a, identity, ctx.now);
                let done = ActivityTaskFailedEventAttributes {
                    failure: Some(failure),
                    scheduled_event_id: sid,
                    started_event_id: -1,
                    identity: identity.to_string(),
                    retry_state: Some(retry_state),
                    ..Default::default()
                };
                self.add_workflow_events(vec![started, (done.into(), ctx.now)], ctx);
            }
        }
    }

    fn timeout_activity(&mut self, sid: i64, kind: ActivityDeadline, ctx: &Ctx) {
        let Some(a) = self.state.activities.get(&sid).cloned() else { return };
        let tt = match kind {
            ActivityDeadline::ScheduleToStart => TimeoutType::ScheduleToStart,
            ActivityDeadline::StartToClose => TimeoutType::StartToClose,
            ActivityDeadline::Heartbeat => TimeoutType::Heartbeat,
            ActivityDeadline::ScheduleToClose => TimeoutType::ScheduleToClose,
            ActivityDeadline::BackoffOver => return,
        };
        let failure = Failure::timeout(tt, a.heartbeat_details.clone());
        let retryable = matches!(tt, TimeoutType::StartToClose | TimeoutType::Heartbeat);
        let decision = if retryable { Self::retry_decision(&a, &failure, ctx) } else { Some(RetryState::Timeout) };
        match decision {
            None => self.retry_activity(sid, failure, None, ctx),
            Some(retry_state) => {
                self.state.activities.remove(&sid);
                let mut batch = Vec::new();
                let started_id = if a.started.is_some() {
                    batch.push(Self::started_event(&a, "", ctx.now));
                    -1
                } else {
                    0
                };
                let retry_state = if retry_state == RetryState::NonRetryableFailure { RetryState::Timeout } else { retry_state };
                batch.push((
                    ActivityTaskTimedOutEventAttributes {
                        failure: Some(failure),
                        scheduled_event_id: sid,
                        started_event_id: started_id,
                        retry_state: Some(retry_state),
                        ..Default::default()
                    }
                    .into(),
                    ctx.now,
                ));
                self.add_workflow_events(batch, ctx);
            }
        }
    }

    /// Handles everything due at `ctx.now`: timers, activity backoffs and timeouts,
    /// workflow task backoffs and timeouts, the run timeout.
    pub fn process_deadlines(&mut self, ctx: &Ctx) {
        let now = ctx.now;
        if !self.state.is_open() {
            return;
        }
        if self.state.run_deadline.is_some_and(|d| d <= now) {
            self.force_close("", ctx);
            self.append(
                WorkflowExecutionTimedOutEventAttributes {
                    retry_state: Some(RetryState::RetryPolicyNotSet),
                    ..Default::default()
                },
                None,
                now,
            );
            self.close(WorkflowExecutionStatus::TimedOut, now);
            return;
        }
        // Timers in the order they were started.
        let mut due: Vec<TimerState> = self.state.timers.values().filter(|t| t.fire_time <= now).cloned().collect();
        due.sort_by_key(|t| (t.fire_time, t.started_event_id));
        if !due.is_empty() {
            let mut batch = Vec::new();
            for t in due {
                self.state.timers.remove(&t.timer_id);
                let attrs = TimerFiredEventAttributes { timer_id: t.timer_id.clone(), started_event_id: t.started_event_id, ..Default::default() };
                batch.push((attrs.into(), now));
            }
            self.add_workflow_events(batch, ctx);
        }
        let ids: Vec<i64> = self.state.activities.keys().copied().collect();
        for sid in ids {
            let Some(a) = self.state.activities.get(&sid) else { continue };
            let mut due: Vec<(DateTime<Utc>, ActivityDeadline)> =
                a.deadlines().into_iter().filter(|(t, _)| *t <= now).collect();
            due.sort_by_key(|(t, _)| *t);
            if let Some((_, kind)) = due.first() {
                if *kind == ActivityDeadline::BackoffOver {
                    self.state.activities.get_mut(&sid).unwrap().not_before = None;
                } else {
                    self.timeout_activity(sid, *kind, ctx);
                }
            }
        }
        if let Some(wt) = self.state.workflow_task.clone() {
            if wt.not_before.is_some_and(|t| t <= now) {
                self.state.workflow_task.as_mut().unwrap().not_before = None;
            } else if wt.started.is_none() && wt.schedule_to_start_deadline.is_some_and(|t| t <= now) {
                self.fail_workflow_task(WtFailure::TimedOut(TimeoutType::ScheduleToStart), ctx);
            } else if wt.started.as_ref().is_some_and(|s| s.deadline <= now) {
                self.fail_workflow_task(WtFailure::TimedOut(TimeoutType::StartToClose), ctx);
            }
        }
    }

    /// Moves a workflow task waiting on a sticky queue to the normal queue (no event).
    pub fn clear_sticky(&mut self) {
        self.state.sticky = None;
        let normal = self.state.task_queue.clone();
        if let Some(wt) = self.state.workflow_task.as_mut()
            && wt.started.is_none() {
                wt.dispatch_queue = normal;
                wt.schedule_to_start_deadline = None;
            }
    }

    /// Enforces the history limits (warn, then terminate).
    pub fn check_limits(&mut self, ctx: &Ctx) {
        if !self.state.is_open() {
            return;
        }
        let count = (self.state.next_event_id - 1) as usize;
        if count >= ctx.settings.history_max_events || self.state.history_size >= ctx.settings.history_max_bytes {
            tracing::warn!(workflow_id = %self.state.key.wid, count, bytes = self.state.history_size, "history limit reached: terminating");
            self.terminate("Workflow history size exceeds limit.", None, "history-service", ctx);
        } else if count >= ctx.settings.history_warn_events && !self.state.history_warned {
            self.state.history_warned = true;
            tracing::warn!(workflow_id = %self.state.key.wid, count, "history is large: Temporal warns at this size; consider continue-as-new");
        }
    }
}

pub enum WtFailure {
    Failed { cause: WorkflowTaskFailedCause, failure: Option<Box<Failure>>, identity: String },
    TimedOut(TimeoutType),
}

fn is_close_command(t: CommandType) -> bool {
    matches!(
        t,
        CommandType::CompleteWorkflowExecution
            | CommandType::FailWorkflowExecution
            | CommandType::CancelWorkflowExecution
            | CommandType::ContinueAsNewWorkflowExecution
    )
}

/// Checks every command against the run's state before anything is written.
pub fn validate_commands(
    state: &MutableState,
    commands: &[Command],
    settings: &Settings,
) -> Result<(), (WorkflowTaskFailedCause, String)> {
    use WorkflowTaskFailedCause as C;
    let limit = settings.payload_max_bytes;
    let mut activity_ids: std::collections::HashSet<String> =
        state.activities.values().map(|a| a.activity_id.clone()).collect();
    let mut timer_ids: std::collections::HashSet<String> = state.timers.keys().cloned().collect();
    for (i, cmd) in commands.iter().enumerate() {
        let n = i + 1;
        let last = i + 1 == commands.len();
        match &cmd.attributes {
            CommandAttributes::ScheduleActivityTask(a) => {
                let bad = |m: String| (C::BadScheduleActivityAttributes, format!("command {n} (ScheduleActivityTask): {m}"));
                if a.activity_id.is_empty() {
                    return Err(bad("activityId is empty".into()));
                }
                if a.activity_type.name.is_empty() {
                    return Err(bad("activityType.name is empty".into()));
                }
                let stc = a.start_to_close_timeout.is_some_and(|d| !d.is_zero());
                let s2c = a.schedule_to_close_timeout.is_some_and(|d| !d.is_zero());
                if !stc && !s2c {
                    return Err(bad("set startToCloseTimeout or scheduleToCloseTimeout".into()));
                }
                if !activity_ids.insert(a.activity_id.clone()) {
                    return Err((
                        C::ScheduleActivityDuplicateId,
                        format!("command {n}: activityId {:?} is already in use by a pending activity", a.activity_id),
                    ));
                }
                check_payloads(&a.input, limit, "input").map_err(bad)?;
            }
            CommandAttributes::StartTimer(t) => {
                let bad = |m: String| (C::BadStartTimerAttributes, format!("command {n} (StartTimer): {m}"));
                if t.timer_id.is_empty() {
                    return Err(bad("timerId is empty".into()));
                }
                if t.start_to_fire_timeout.is_none_or(|d| d.is_zero()) {
                    return Err(bad("startToFireTimeout must be positive".into()));
                }
                if !timer_ids.insert(t.timer_id.clone()) {
                    return Err((C::StartTimerDuplicateId, format!("command {n}: timerId {:?} is already in use", t.timer_id)));
                }
            }
            CommandAttributes::CancelTimer(t) => {
                if !timer_ids.remove(&t.timer_id) {
                    return Err((C::BadCancelTimerAttributes, format!("command {n} (CancelTimer): no pending timer {:?}", t.timer_id)));
                }
            }
            CommandAttributes::RequestCancelActivityTask(c) => {
                if !state.activities.contains_key(&c.scheduled_event_id) {
                    return Err((
                        C::BadRequestCancelActivityAttributes,
                        format!("command {n} (RequestCancelActivityTask): no pending activity scheduled by event {}", c.scheduled_event_id),
                    ));
                }
            }
            CommandAttributes::RecordMarker(m) => {
                if m.marker_name.is_empty() {
                    return Err((C::BadRecordMarkerAttributes, format!("command {n} (RecordMarker): markerName is empty")));
                }
                for (k, p) in &m.details {
                    check_payloads(&Some(p.clone()), limit, &format!("details[{k}]"))
                        .map_err(|e| (C::BadRecordMarkerAttributes, format!("command {n}: {e}")))?;
                }
            }
            CommandAttributes::CompleteWorkflowExecution(c) => {
                check_payloads(&c.result, limit, "result")
                    .map_err(|e| (C::BadCompleteWorkflowExecutionAttributes, format!("command {n}: {e}")))?;
                if !last {
                    return Err((C::BadCompleteWorkflowExecutionAttributes, format!("command {n}: CompleteWorkflowExecution must be the last command")));
                }
            }
            CommandAttributes::FailWorkflowExecution(f) => {
                if f.failure.is_none() {
                    return Err((C::BadFailWorkflowExecutionAttributes, format!("command {n}: FailWorkflowExecution needs a failure")));
                }
                if !last {
                    return Err((C::BadFailWorkflowExecutionAttributes, format!("command {n}: FailWorkflowExecution must be the last command")));
                }
            }
            CommandAttributes::CancelWorkflowExecution(_) => {
                if !last {
                    return Err((C::BadCancelWorkflowExecutionAttributes, format!("command {n}: CancelWorkflowExecution must be the last command")));
                }
            }
            CommandAttributes::ContinueAsNewWorkflowExecution(c) => {
                check_payloads(&c.input, limit, "input").map_err(|e| (C::BadContinueAsNewAttributes, format!("command {n}: {e}")))?;
                if !last {
                    return Err((C::BadContinueAsNewAttributes, format!("command {n}: ContinueAsNewWorkflowExecution must be the last command")));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(settings: &Settings, now: DateTime<Utc>) -> Ctx<'_> {
        Ctx { now, settings, sticky_available: Box::new(|_, _| true) }
    }

    fn started_run(settings: &Settings, now: DateTime<Utc>) -> Txn {
        let key = ExecKey { ns: "default".into(), wid: "w".into(), rid: "r".into() };
        let req = StartWorkflowExecutionRequest {
            workflow_type: WorkflowType { name: "W".into() },
            task_queue: TaskQueue::normal("q"),
            ..Default::default()
        };
        let c = ctx(settings, now);
        let mut t = start_execution(key, &req, None, &c);
        t.start_workflow_task("me", &c);
        t
    }

    #[test]
    fn events_during_a_started_task_wait_for_its_outcome() {
        let settings = Settings::default();
        let now = Utc::now();
        let mut t = started_run(&settings, now);
        let c = ctx(&settings, now);
        t.signal("s", None, "client", &c);
        assert_eq!(t.events.len(), 3, "the signal is buffered");
        let req = RespondWorkflowTaskCompletedRequest { identity: "me".into(), ..Default::default() };
        t.complete_workflow_task(&req, &c).unwrap();
        let types: Vec<_> = t.events.iter().map(|e| e.event_type().short_name()).collect();
        assert_eq!(
            types,
            ["WorkflowExecutionStarted", "WorkflowTaskScheduled", "WorkflowTaskStarted", "WorkflowTaskCompleted", "WorkflowExecutionSignaled", "WorkflowTaskScheduled"]
        );
        validate_history(&t.events).unwrap();
    }

    #[test]
    fn second_failure_is_transient() {
        let settings = Settings::default();
        let now = Utc::now();
        let mut t = started_run(&settings, now);
        let c = ctx(&settings, now);
        let fail = || WtFailure::Failed { cause: WorkflowTaskFailedCause::NonDeterministicError, failure: None, identity: "me".into() };
        t.fail_workflow_task(fail(), &c);
        assert_eq!(t.events.len(), 4);
        for attempt in 2..6 {
            let (_, _, a, transient) = t.start_workflow_task("me", &c);
            assert_eq!(a, attempt);
            assert_eq!(transient.len(), 2, "the transient Scheduled/Started go to the worker only");
            t.fail_workflow_task(fail(), &c);
            assert_eq!(t.events.len(), 4, "nothing written for attempt {attempt}");
            // Skip the backoff.
            t.state.workflow_task.as_mut().unwrap().not_before = None;
        }
        validate_history(&t.events).unwrap();
    }

    #[test]
    fn workflow_task_backoff_is_capped() {
        let s = Settings::default();
        assert_eq!(s.workflow_task_backoff(2), Duration::ZERO);
        assert_eq!(s.workflow_task_backoff(3), Duration::from_secs(1));
        assert_eq!(s.workflow_task_backoff(5), Duration::from_secs(4));
        assert_eq!(s.workflow_task_backoff(50), Duration::from_secs(10));
    }
}
