//! One workflow run on a worker: its future, its state, and the driver that feeds it
//! history task by task. The history is split at each WorkflowTaskStarted: the events
//! before it are the jobs of that activation (activity results, fired timers, signals,
//! cancel requests, resolved in history order); the command events after its
//! WorkflowTaskCompleted must match the commands the activation produced. Tasks that
//! failed or timed out are skipped (their commands never counted). The last
//! WorkflowTaskStarted with no outcome yet is the task the worker answers.

use std::cell::RefCell;
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, Location, catch_unwind};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};

use futures::future::LocalBoxFuture;
use workshop_protocol::command::Command;
use workshop_protocol::enums::EventType;
use workshop_protocol::event::{EventAttributes, HistoryEvent};
use workshop_protocol::failure::{CanceledFailureInfo, Failure};
use workshop_protocol::payload::Payloads;

use crate::error::{ActivityFailure, ActivityFailureKind, WorkflowError, WorkflowErrorKind};
use crate::logging::LogSink;
use crate::registry::RegisteredWorkflow;

use super::commands::{self, Match};
use super::context::WorkflowContext;
use super::info::WorkflowInfo;
use super::nondeterminism::{CommandRow, ExpectedCommand, NonDeterminismError, ProducedCommandInfo};
use super::state::{CommandTarget, ProducedCommand, RunState, TimerOutcome};

/// Why a run cannot answer its workflow task.
#[derive(Debug, Clone)]
pub enum RunError {
    NonDeterminism(Box<NonDeterminismError>),
    /// Workflow code panicked (or its input did not decode).
    Panic(String),
    /// The cached run cannot continue with these events (a gap, or a task it answered
    /// that failed): fetch the full history and replay.
    StaleCache(String),
    /// The events are not a usable history.
    BadHistory(String),
    /// No workflow of this type is registered.
    UnknownWorkflowType(String),
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::NonDeterminism(e) => write!(f, "{e}"),
            RunError::Panic(m) => write!(f, "workflow code panicked: {m}"),
            RunError::StaleCache(m) => write!(f, "cached workflow state is stale: {m}"),
            RunError::BadHistory(m) => write!(f, "not a usable history: {m}"),
            RunError::UnknownWorkflowType(t) => write!(f, "workflow type {t} is not registered on this worker"),
        }
    }
}

impl std::error::Error for RunError {}

/// Who the run is, where the events alone do not say (poll responses carry it).
#[derive(Debug, Clone, Default)]
pub struct RunIdentity {
    pub namespace: String,
    pub workflow_id: String,
    pub run_id: String,
}

struct FlagWaker(AtomicBool);

impl Wake for FlagWaker {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::Release);
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.store(true, Ordering::Release);
    }
}

/// How many consecutive self-wakeups an activation allows before calling the code stuck.
const MAX_POLLS_PER_ACTIVATION: usize = 100_000;

pub struct WorkflowRun {
    state: Rc<RefCell<RunState>>,
    workflow: RegisteredWorkflow,
    future: Option<LocalBoxFuture<'static, Result<Payloads, WorkflowError>>>,
    finished: bool,
    /// Commands of the last activation, waiting for their events.
    unmatched: Vec<ProducedCommand>,
    /// Command event ID -> the machine it belongs to.
    links: HashMap<i64, CommandTarget>,
    jobs: Vec<HistoryEvent>,
    last_event_id: i64,
    /// The last activation was live and its answer has not shown up in history yet.
    open_task: bool,
    waker_flag: Arc<FlagWaker>,
    waker: Waker,
}

impl WorkflowRun {
    /// A run for the history starting with `first` (WorkflowExecutionStarted).
    pub fn new(
        lookup: impl FnOnce(&str) -> Option<RegisteredWorkflow>,
        identity: RunIdentity,
        first: &HistoryEvent,
        sink: Option<LogSink>,
    ) -> Result<Self, RunError> {
        let EventAttributes::WorkflowExecutionStarted(started) = &first.attributes else {
            return Err(RunError::BadHistory(format!(
                "the first event is {} (event {}), not WorkflowExecutionStarted",
                first.event_type(),
                first.event_id
            )));
        };
        let workflow_type = started.workflow_type.name.clone();
        let workflow = lookup(&workflow_type).ok_or_else(|| RunError::UnknownWorkflowType(workflow_type.clone()))?;
        let run_id = if identity.run_id.is_empty() {
            started.original_execution_run_id.clone()
        } else {
            identity.run_id
        };
        let workflow_id = if identity.workflow_id.is_empty() {
            started.workflow_id.clone()
        } else {
            identity.workflow_id
        };
        let first_execution_run_id = if started.first_execution_run_id.is_empty() {
            run_id.clone()
        } else {
            started.first_execution_run_id.clone()
        };
        let info = WorkflowInfo {
            namespace: if identity.namespace.is_empty() {
                "default".to_string()
            } else {
                identity.namespace
            },
            workflow_id,
            run_id,
            workflow_type,
            task_queue: started.task_queue.name.clone(),
            attempt: started.attempt.max(1) as u32,
            first_execution_run_id,
            continued_from_run_id: Some(started.continued_execution_run_id.clone()).filter(|s| !s.is_empty()),
            start_time: first.event_time,
        };
        let waker_flag = Arc::new(FlagWaker(AtomicBool::new(false)));
        Ok(Self {
            state: Rc::new(RefCell::new(RunState::new(info, sink))),
            workflow,
            future: None,
            finished: false,
            unmatched: Vec::new(),
            links: HashMap::new(),
            jobs: Vec::new(),
            last_event_id: 0,
            open_task: false,
            waker: Waker::from(waker_flag.clone()),
            waker_flag,
        })
    }

    pub fn info(&self) -> WorkflowInfo {
        self.state.borrow().info.clone()
    }

    pub fn last_event_id(&self) -> i64 {
        self.last_event_id
    }

    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// Feeds the next events (a whole history, or the new events of a sticky task).
    /// Returns the commands of the open workflow task if the events end with one.
    pub fn apply(&mut self, events: &[HistoryEvent]) -> Result<Option<Vec<Command>>, RunError> {
        let mut i = 0;
        while i < events.len() {
            let event = &events[i];
            if event.event_id <= self.last_event_id {
                i += 1;
                continue;
            }
            if event.event_id != self.last_event_id + 1 {
                return Err(RunError::StaleCache(format!(
                    "expected event {} next, got event {}",
                    self.last_event_id + 1,
                    event.event_id
                )));
            }
            self.last_event_id = event.event_id;
            match event.event_type() {
                EventType::WorkflowTaskScheduled => {}
                EventType::WorkflowTaskStarted => match events.get(i + 1).map(HistoryEvent::event_type) {
                    Some(EventType::WorkflowTaskCompleted) => {
                        let window = command_window(events, i + 2);
                        self.activate(event, true, &window)?;
                    }
                    Some(_) => {
                        // A failed or timed-out attempt: its commands never counted, and
                        // its jobs stay for the next attempt.
                    }
                    None => {
                        self.activate(event, false, &[])?;
                        self.open_task = true;
                        return Ok(Some(self.unmatched.iter().map(|c| c.command.clone()).collect()));
                    }
                },
                EventType::WorkflowTaskCompleted => {
                    self.open_task = false;
                    let window = command_window(events, i + 1);
                    self.match_commands(event, &window)?;
                }
                EventType::WorkflowTaskFailed | EventType::WorkflowTaskTimedOut => {
                    if self.open_task {
                        return Err(RunError::StaleCache(format!(
                            "the workflow task this worker answered ended with {} (event {})",
                            event.event_type(),
                            event.event_id
                        )));
                    }
                }
                _ if event.is_command_event() => {
                    // Matched with its workflow task's commands at WorkflowTaskCompleted.
                }
                _ => self.jobs.push(event.clone()),
            }
            i += 1;
        }
        Ok(None)
    }

    fn activate(&mut self, started: &HistoryEvent, replaying: bool, window: &[&HistoryEvent]) -> Result<(), RunError> {
        {
            let mut state = self.state.borrow_mut();
            state.now = started.event_time;
            state.replaying.store(replaying, Ordering::Relaxed);
            state.lookahead_patches = window.iter().filter_map(|e| commands::patch_id_of(e)).collect();
            state.lookahead_side_effects = window.iter().filter_map(|e| commands::side_effect_value_of(e)).collect();
            state.mismatch = None;
        }
        self.unmatched.clear();
        let jobs = std::mem::take(&mut self.jobs);
        for job in &jobs {
            self.apply_job(job)?;
        }
        if !self.finished {
            if self.future.is_none() {
                return Err(RunError::BadHistory(
                    "a workflow task started before WorkflowExecutionStarted was seen".to_string(),
                ));
            }
            if let Some(result) = self.poll()? {
                self.finished = true;
                self.future = None;
                let close = self.close_command(result);
                self.state.borrow_mut().commands.push(close);
            }
        }
        let mut state = self.state.borrow_mut();
        self.unmatched = std::mem::take(&mut state.commands);
        if let Some(mismatch) = state.mismatch.take() {
            let info = &state.info;
            return Err(RunError::NonDeterminism(Box::new(NonDeterminismError {
                workflow_type: info.workflow_type.clone(),
                workflow_id: info.workflow_id.clone(),
                run_id: info.run_id.clone(),
                event_id: started.event_id,
                workflow_task_started_event_id: started.event_id,
                reason: format!(
                    "{} (at {}:{}:{})",
                    mismatch.message,
                    mismatch.location.file(),
                    mismatch.location.line(),
                    mismatch.location.column()
                ),
                rows: Vec::new(),
                notes: Vec::new(),
            })));
        }
        Ok(())
    }

    fn poll(&mut self) -> Result<Option<Result<Payloads, WorkflowError>>, RunError> {
        let future = self.future.as_mut().expect("future exists while not finished");
        let mut cx = Context::from_waker(&self.waker);
        for _ in 0..MAX_POLLS_PER_ACTIVATION {
            self.waker_flag.0.store(false, Ordering::Release);
            match catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(&mut cx))) {
                Err(panic) => return Err(RunError::Panic(panic_message(&*panic))),
                Ok(Poll::Ready(result)) => return Ok(Some(result)),
                Ok(Poll::Pending) => {
                    if !self.waker_flag.0.load(Ordering::Acquire) {
                        return Ok(None);
                    }
                }
            }
        }
        Err(RunError::Panic(
            "the workflow keeps waking itself without waiting on anything durable (a busy loop?)".to_string(),
        ))
    }

    fn close_command(&self, result: Result<Payloads, WorkflowError>) -> ProducedCommand {
        let state = self.state.borrow();
        let command = match result {
            Ok(payloads) => commands::complete_workflow(payloads),
            Err(error) => match error.kind {
                WorkflowErrorKind::ContinueAsNew(can) => {
                    let workflow_type = can.workflow_type.map(|t| t.name).unwrap_or_else(|| state.info.workflow_type.clone());
                    commands::continue_as_new(&workflow_type, &state.info.task_queue, can.input)
                }
                _ if error.is_cancelled() && state.cancel_requested => commands::cancel_workflow(),
                _ => commands::fail_workflow(error.to_failure()),
            },
        };
        let location = self.workflow.location;
        ProducedCommand {
            command: commands::with_location(command, location),
            target: CommandTarget::Close,
            location,
        }
    }

    fn apply_job(&mut self, event: &HistoryEvent) -> Result<(), RunError> {
        match &event.attributes {
            EventAttributes::WorkflowExecutionStarted(started) if self.future.is_none() && !self.finished => {
                let ctx = WorkflowContext::new(self.state.clone());
                self.future = Some((self.workflow.run)(ctx, started.input.clone()));
            }
            EventAttributes::ActivityTaskStarted(a) => {
                let mut slot = self.activity_slot(event, a.scheduled_event_id)?;
                slot.attempt = a.attempt.max(1) as u32;
                slot.started_event_id = event.event_id;
                slot.identity = a.identity.clone();
            }
            EventAttributes::ActivityTaskCompleted(a) => {
                let mut slot = self.activity_slot(event, a.scheduled_event_id)?;
                slot.result = Some(Ok(a.result.clone()));
                wake(&mut slot.waker);
            }
            EventAttributes::ActivityTaskFailed(a) => {
                let failure = a.failure.clone().unwrap_or_default();
                self.fail_activity(event, a.scheduled_event_id, a.started_event_id, failure, a.retry_state, ActivityFailureKind::Failed)?;
            }
            EventAttributes::ActivityTaskTimedOut(a) => {
                let failure = a.failure.clone().unwrap_or_default();
                self.fail_activity(event, a.scheduled_event_id, a.started_event_id, failure, a.retry_state, ActivityFailureKind::TimedOut)?;
            }
            EventAttributes::ActivityTaskCanceled(a) => {
                let failure = Failure {
                    message: "activity canceled".to_string(),
                    canceled_failure_info: Some(CanceledFailureInfo { details: a.details.clone() }),
                    ..Default::default()
                };
                self.fail_activity(event, a.scheduled_event_id, a.started_event_id, failure, None, ActivityFailureKind::Cancelled)?;
            }
            EventAttributes::TimerFired(t) => {
                let seq = match self.links.get(&t.started_event_id) {
                    Some(CommandTarget::Timer(seq)) => *seq,
                    _ => {
                        return Err(unlinked(event, t.started_event_id));
                    }
                };
                let mut state = self.state.borrow_mut();
                if let Some(slot) = state.timers.get_mut(&seq)
                    && slot.result.is_none()
                {
                    slot.result = Some(TimerOutcome::Fired);
                    wake(&mut slot.waker);
                }
            }
            EventAttributes::WorkflowExecutionSignaled(s) => {
                let mut state = self.state.borrow_mut();
                state.signals.entry(s.signal_name.clone()).or_default().push_back(s.input.clone());
                for w in state.signal_wakers.drain(..) {
                    w.wake();
                }
            }
            EventAttributes::WorkflowExecutionCancelRequested(_) => {
                let mut state = self.state.borrow_mut();
                state.cancel_requested = true;
                for w in state.cancel_wakers.drain(..) {
                    w.wake();
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn activity_slot(&mut self, event: &HistoryEvent, scheduled_event_id: i64) -> Result<std::cell::RefMut<'_, super::state::ActivitySlot>, RunError> {
        let seq = match self.links.get(&scheduled_event_id) {
            Some(CommandTarget::Activity(seq)) => *seq,
            _ => return Err(unlinked(event, scheduled_event_id)),
        };
        Ok(std::cell::RefMut::map(self.state.borrow_mut(), |s| {
            s.activities.get_mut(&seq).expect("linked activity has a slot")
        }))
    }

    fn fail_activity(
        &mut self,
        event: &HistoryEvent,
        scheduled_event_id: i64,
        started_event_id: i64,
        failure: Failure,
        retry_state: Option<workshop_protocol::enums::RetryState>,
        kind: ActivityFailureKind,
    ) -> Result<(), RunError> {
        let mut slot = self.activity_slot(event, scheduled_event_id)?;
        let failure = ActivityFailure {
            activity_type: slot.activity_type.clone(),
            activity_id: slot.activity_id.clone(),
            attempt: slot.attempt.max(1),
            retry_state,
            kind,
            failure,
            scheduled_event_id,
            started_event_id,
            identity: slot.identity.clone(),
        };
        slot.result = Some(Err(failure));
        wake(&mut slot.waker);
        Ok(())
    }

    /// Matches the commands of the last activation with the command events recorded
    /// after its WorkflowTaskCompleted.
    fn match_commands(&mut self, completed: &HistoryEvent, window: &[&HistoryEvent]) -> Result<(), RunError> {
        let produced = std::mem::take(&mut self.unmatched);
        let mut rows = Vec::new();
        let mut notes = Vec::new();
        let mut first_error: Option<(i64, String)> = None;
        let mut p = 0;
        for event in window {
            let Some(command) = produced.get(p) else {
                if commands::patch_id_of(event).is_some() {
                    // Patch markers the code no longer asks about are skipped.
                    continue;
                }
                first_error.get_or_insert((
                    event.event_id,
                    format!(
                        "the history has {} (event {}) but the code produced no command for it",
                        commands::describe_event_as_command(event),
                        event.event_id
                    ),
                ));
                rows.push(row(false, Some(event), None));
                continue;
            };
            match commands::compare(&command.command, event) {
                Match::Yes => {
                    if first_error.is_none() {
                        self.link(event, command.target);
                    }
                    rows.push(row(true, Some(event), Some(command)));
                    p += 1;
                }
                Match::YesWithNote(note) => {
                    if first_error.is_none() {
                        self.link(event, command.target);
                    }
                    notes.push(format!("event {}: {note}", event.event_id));
                    rows.push(row(true, Some(event), Some(command)));
                    p += 1;
                }
                Match::No(reason) => {
                    if commands::patch_id_of(event).is_some() {
                        continue;
                    }
                    first_error.get_or_insert((event.event_id, reason));
                    rows.push(row(false, Some(event), Some(command)));
                    p += 1;
                }
            }
        }
        for command in &produced[p..] {
            first_error.get_or_insert((
                completed.event_id,
                format!(
                    "the code produced {} but the history has no event for it",
                    commands::describe_command(&command.command)
                ),
            ));
            rows.push(row(false, None, Some(command)));
        }
        match first_error {
            None => Ok(()),
            Some((event_id, reason)) => {
                let state = self.state.borrow();
                let started_id = completed
                    .attributes_started_event_id()
                    .unwrap_or(completed.event_id - 1);
                Err(RunError::NonDeterminism(Box::new(NonDeterminismError {
                    workflow_type: state.info.workflow_type.clone(),
                    workflow_id: state.info.workflow_id.clone(),
                    run_id: state.info.run_id.clone(),
                    event_id,
                    workflow_task_started_event_id: started_id,
                    reason,
                    rows,
                    notes,
                })))
            }
        }
    }

    fn link(&mut self, event: &HistoryEvent, target: CommandTarget) {
        self.links.insert(event.event_id, target);
        let mut state = self.state.borrow_mut();
        match target {
            CommandTarget::Activity(seq) => {
                if let Some(slot) = state.activities.get_mut(&seq) {
                    slot.scheduled_event_id = event.event_id;
                }
            }
            CommandTarget::Timer(seq) => {
                if let Some(slot) = state.timers.get_mut(&seq) {
                    slot.started_event_id = event.event_id;
                }
            }
            _ => {}
        }
    }
}

trait StartedId {
    fn attributes_started_event_id(&self) -> Option<i64>;
}

impl StartedId for HistoryEvent {
    fn attributes_started_event_id(&self) -> Option<i64> {
        match &self.attributes {
            EventAttributes::WorkflowTaskCompleted(a) if a.started_event_id > 0 => Some(a.started_event_id),
            _ => None,
        }
    }
}

fn row(matches: bool, event: Option<&HistoryEvent>, command: Option<&ProducedCommand>) -> CommandRow {
    CommandRow {
        matches,
        expected: event.map(|e| ExpectedCommand {
            event_id: e.event_id,
            description: commands::describe_event_as_command(e),
            location: e.user_metadata.as_ref().and_then(|m| m.get_source_location()),
        }),
        produced: command.map(|c| ProducedCommandInfo {
            description: commands::describe_command(&c.command),
            location: source_location(c.location),
        }),
    }
}

fn source_location(location: &Location<'_>) -> workshop_protocol::common::SourceLocation {
    workshop_protocol::common::SourceLocation {
        file: location.file().to_string(),
        line: location.line(),
        column: location.column(),
    }
}

/// The command events of one workflow task: from `start` up to the next
/// WorkflowTaskStarted (other events in between are jobs of the next task).
fn command_window(events: &[HistoryEvent], start: usize) -> Vec<&HistoryEvent> {
    events
        .get(start..)
        .unwrap_or_default()
        .iter()
        .take_while(|e| e.event_type() != EventType::WorkflowTaskStarted)
        .filter(|e| e.is_command_event())
        .collect()
}

fn unlinked(event: &HistoryEvent, target_event_id: i64) -> RunError {
    RunError::BadHistory(format!(
        "event {} ({}) refers to event {}, which no command of this workflow code produced",
        event.event_id,
        event.event_type(),
        target_event_id
    ))
}

fn wake(waker: &mut Option<Waker>) {
    if let Some(w) = waker.take() {
        w.wake();
    }
}

pub(crate) fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "(a panic without a message)".to_string()
    }
}
