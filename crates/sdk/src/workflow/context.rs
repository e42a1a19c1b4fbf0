//! `WorkflowContext`: everything workflow code may do, each call recorded as a command
//! (at the call, not at the first poll, so the order of commands is the order of calls)
//! or answered deterministically from the history (time, randomness, side effects,
//! patches, signals, cancellation).

use std::cell::RefCell;
use std::future::Future;
use std::marker::PhantomData;
use std::panic::Location;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;
use workshop_protocol::payload::Payloads;

use crate::activity::ActivityContext;
use crate::error::{ActivityError, ActivityFailure, WorkflowError};
use crate::logging::{LogScope, Logger};
use crate::names;
use crate::options::ActivityOptions;

use super::commands;
use super::info::WorkflowInfo;
use super::state::{CodeMismatch, CommandTarget, ProducedCommand, RunState};
pub use super::state::TimerOutcome;

/// The handle workflow code gets: pass it by value into the workflow function, clone it
/// freely. Not `Send`: a workflow runs on one thread, its worker's executor.
#[derive(Clone)]
pub struct WorkflowContext {
    pub(crate) state: Rc<RefCell<RunState>>,
}

impl WorkflowContext {
    pub(crate) fn new(state: Rc<RefCell<RunState>>) -> Self {
        Self { state }
    }

    fn push(&self, command: workshop_protocol::command::Command, target: CommandTarget, location: &'static Location<'static>) {
        self.state.borrow_mut().commands.push(ProducedCommand {
            command: commands::with_location(command, location),
            target,
            location,
        });
    }

    /// Schedules `activity` (the activity function itself, which gives its type name and
    /// its input and output types). The command is recorded now; await the returned
    /// future for the result.
    #[track_caller]
    pub fn execute_activity<F, Fut, I, O>(&self, _activity: F, input: I, options: ActivityOptions) -> ActivityFuture<O>
    where
        F: Fn(ActivityContext, I) -> Fut,
        Fut: Future<Output = Result<O, ActivityError>>,
        I: Serialize,
        O: DeserializeOwned,
    {
        let name = names::required_type_name::<F>("activity");
        self.schedule_activity(name, &input, options, Location::caller())
    }

    /// Schedules an activity by type name (one registered elsewhere, or under another
    /// name with `register_activity_as`).
    #[track_caller]
    pub fn execute_activity_named<I, O>(&self, activity_type: &str, input: &I, options: ActivityOptions) -> ActivityFuture<O>
    where
        I: Serialize + ?Sized,
        O: DeserializeOwned,
    {
        self.schedule_activity(activity_type.to_string(), input, options, Location::caller())
    }

    fn schedule_activity<I: Serialize + ?Sized, O>(
        &self,
        activity_type: String,
        input: &I,
        options: ActivityOptions,
        location: &'static Location<'static>,
    ) -> ActivityFuture<O> {
        let input = Payloads::json(input).unwrap_or_else(|e| {
            panic!("the input of activity {activity_type} does not serialize to JSON: {e}")
        });
        let (seq, task_queue) = {
            let mut state = self.state.borrow_mut();
            let seq = state.next_activity_seq;
            state.next_activity_seq += 1;
            (seq, state.info.task_queue.clone())
        };
        let activity_id = options.activity_id.clone().unwrap_or_else(|| seq.to_string());
        let command = commands::schedule_activity(&activity_id, &activity_type, &task_queue, input, &options);
        {
            let mut state = self.state.borrow_mut();
            let slot = state.activities.entry(seq).or_default();
            slot.activity_type = activity_type;
            slot.activity_id = activity_id;
        }
        self.push(command, CommandTarget::Activity(seq), location);
        ActivityFuture {
            state: self.state.clone(),
            seq,
            _output: PhantomData,
        }
    }

    /// Waits `duration` of workflow time (a durable timer: survives worker restarts).
    #[track_caller]
    pub fn sleep(&self, duration: Duration) -> Sleep {
        Sleep(self.start_timer(duration, Location::caller()))
    }

    /// A durable timer that can be canceled (`Timer::cancel`).
    #[track_caller]
    pub fn timer(&self, duration: Duration) -> Timer {
        self.start_timer(duration, Location::caller())
    }

    fn start_timer(&self, duration: Duration, location: &'static Location<'static>) -> Timer {
        let seq = {
            let mut state = self.state.borrow_mut();
            let seq = state.next_timer_seq;
            state.next_timer_seq += 1;
            let slot = state.timers.entry(seq).or_default();
            slot.timer_id = seq.to_string();
            seq
        };
        self.push(commands::start_timer(&seq.to_string(), duration), CommandTarget::Timer(seq), location);
        Timer {
            state: self.state.clone(),
            seq,
        }
    }

    /// Workflow time: the start time of the current workflow task, the same on replay.
    pub fn now(&self) -> DateTime<Utc> {
        self.state.borrow().now
    }

    /// A deterministic random number (seeded from the first run ID).
    pub fn random(&self) -> u64 {
        self.state.borrow_mut().rng.next_u64()
    }

    /// A deterministic random number in `range` (`low..high`, `high` excluded).
    pub fn random_range(&self, range: std::ops::Range<u64>) -> u64 {
        let span = range.end.saturating_sub(range.start).max(1);
        range.start + self.random() % span
    }

    /// A deterministic UUID v4 (seeded from the first run ID).
    pub fn uuid(&self) -> String {
        let mut state = self.state.borrow_mut();
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&state.rng.next_u64().to_le_bytes());
        bytes[8..].copy_from_slice(&state.rng.next_u64().to_le_bytes());
        uuid::Builder::from_random_bytes(bytes).into_uuid().to_string()
    }

    /// Runs `f` once, records its value in the history (a marker) and returns the
    /// recorded value on replay instead of running `f` again.
    #[track_caller]
    pub fn side_effect<T, F>(&self, f: F) -> T
    where
        T: Serialize + DeserializeOwned,
        F: FnOnce() -> T,
    {
        let location = Location::caller();
        let (seq, replaying, recorded) = {
            let mut state = self.state.borrow_mut();
            let seq = state.next_side_effect_seq;
            state.next_side_effect_seq += 1;
            let replaying = state.is_replaying();
            let recorded = if replaying {
                state.lookahead_side_effects.pop_front()
            } else {
                None
            };
            (seq, replaying, recorded)
        };
        if replaying {
            if let Some(value) = recorded.flatten().and_then(|p| p.decode::<T>().ok()) {
                let payloads = Payloads::json(&value).expect("a decoded value serializes again");
                self.push(commands::side_effect_marker(seq, payloads), CommandTarget::SideEffect(seq), location);
                return value;
            }
            self.state.borrow_mut().mismatch.get_or_insert(CodeMismatch {
                message: format!("side effect #{seq} has no recorded value of this type in the history"),
                location,
            });
        }
        let value = f();
        let payloads = Payloads::json(&value)
            .unwrap_or_else(|e| panic!("the value of a side effect does not serialize to JSON: {e}"));
        self.push(commands::side_effect_marker(seq, payloads), CommandTarget::SideEffect(seq), location);
        value
    }

    /// True when this run may take the new code path of change `patch_id`: always for
    /// new runs (a marker is recorded), on replay only if the history has the marker.
    #[track_caller]
    pub fn patched(&self, patch_id: &str) -> bool {
        self.patch(patch_id, false, Location::caller())
    }

    /// Marks `patch_id` as deprecated: every run still open has taken the new path, the
    /// old branch may be deleted; keeps recording the marker for compatibility.
    #[track_caller]
    pub fn deprecate_patch(&self, patch_id: &str) {
        self.patch(patch_id, true, Location::caller());
    }

    fn patch(&self, patch_id: &str, deprecated: bool, location: &'static Location<'static>) -> bool {
        let decided = {
            let mut state = self.state.borrow_mut();
            if let Some(decided) = state.patches.get(patch_id) {
                return *decided;
            }
            let decided = if state.is_replaying() {
                deprecated || state.lookahead_patches.iter().any(|p| p == patch_id)
            } else {
                true
            };
            state.patches.insert(patch_id.to_string(), decided);
            decided
        };
        if decided {
            self.push(commands::patch_marker(patch_id, deprecated), CommandTarget::Patch, location);
        }
        decided
    }

    /// Returns the error that ends this run and starts a new one of the same type with
    /// `input`: `return Err(ctx.continue_as_new(&next_input))`.
    pub fn continue_as_new<I: Serialize + ?Sized>(&self, input: &I) -> WorkflowError {
        let payloads = Payloads::json(input)
            .unwrap_or_else(|e| panic!("the continue-as-new input does not serialize to JSON: {e}"));
        WorkflowError::continue_as_new(None, payloads)
    }

    /// The signals named `name`, in arrival order.
    pub fn signal_channel<T: DeserializeOwned>(&self, name: &str) -> SignalChannel<T> {
        SignalChannel {
            state: self.state.clone(),
            name: name.to_string(),
            _t: PhantomData,
        }
    }

    /// Resolves when cancellation of this run has been requested.
    pub fn cancelled(&self) -> Cancelled {
        Cancelled {
            state: self.state.clone(),
        }
    }

    pub fn is_cancel_requested(&self) -> bool {
        self.state.borrow().cancel_requested
    }

    /// True while the code re-runs history it already made (a worker that was
    /// restarted or lost its cache); logs are silent then.
    pub fn is_replaying(&self) -> bool {
        self.state.borrow().is_replaying()
    }

    pub fn workflow_info(&self) -> WorkflowInfo {
        self.state.borrow().info.clone()
    }

    /// The run's logger: `tracing` with workflow ID, run ID and type; silent on replay.
    pub fn logger(&self) -> Logger {
        let state = self.state.borrow();
        Logger::new(
            LogScope::Workflow {
                workflow_type: state.info.workflow_type.clone(),
                workflow_id: state.info.workflow_id.clone(),
                run_id: state.info.run_id.clone(),
            },
            Some(state.replaying.clone()),
            state.sink.clone(),
        )
    }

    /// Waits for the first of two futures; `a` wins when both are ready (biased, so
    /// replay picks the same winner). The loser is not canceled.
    pub fn select<A, B>(&self, a: A, b: B) -> super::combinators::Select<A, B>
    where
        A: Future + Unpin,
        B: Future + Unpin,
    {
        super::combinators::select(a, b)
    }

    /// Waits for both futures; polls them in argument order.
    pub fn join<A: Future, B: Future>(&self, a: A, b: B) -> impl Future<Output = (A::Output, B::Output)> {
        futures::future::join(a, b)
    }

    /// Waits for all futures, results in input order.
    pub fn join_all<F: Future>(&self, futures: Vec<F>) -> impl Future<Output = Vec<F::Output>> {
        futures::future::join_all(futures)
    }
}

/// The result of an activity, once the history has it.
#[must_use = "the activity is scheduled either way; await this to get its result"]
pub struct ActivityFuture<O> {
    state: Rc<RefCell<RunState>>,
    seq: u32,
    _output: PhantomData<fn() -> O>,
}

impl<O> Unpin for ActivityFuture<O> {}

impl<O> ActivityFuture<O> {
    /// Asks the engine to cancel the activity (RequestCancelActivityTask). The future
    /// then resolves with a canceled `ActivityFailure` once the engine confirms.
    #[track_caller]
    pub fn cancel(&self) {
        let location = Location::caller();
        let scheduled_event_id = {
            let mut state = self.state.borrow_mut();
            let slot = state.activities.get_mut(&self.seq).expect("activity slot exists");
            if slot.cancel_requested || slot.result.is_some() {
                return;
            }
            slot.cancel_requested = true;
            if slot.scheduled_event_id == 0 {
                // Scheduled in this same activation: drop the command instead (as
                // sdk-core does); the activity never existed for the engine.
                let failure = ActivityFailure {
                    activity_type: slot.activity_type.clone(),
                    activity_id: slot.activity_id.clone(),
                    attempt: 0,
                    retry_state: None,
                    kind: crate::error::ActivityFailureKind::Cancelled,
                    failure: workshop_protocol::failure::Failure {
                        message: "activity canceled before it was scheduled".to_string(),
                        ..Default::default()
                    },
                    scheduled_event_id: 0,
                    started_event_id: 0,
                    identity: String::new(),
                };
                slot.result = Some(Err(failure));
                if let Some(w) = slot.waker.take() {
                    w.wake();
                }
                let seq = self.seq;
                state.commands.retain(|c| c.target != CommandTarget::Activity(seq));
                return;
            }
            slot.scheduled_event_id
        };
        let command = commands::request_cancel_activity(scheduled_event_id);
        let ctx = WorkflowContext::new(self.state.clone());
        ctx.push(command, CommandTarget::RequestCancelActivity(self.seq), location);
    }
}

impl<O: DeserializeOwned> Future for ActivityFuture<O> {
    type Output = Result<O, ActivityFailure>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.state.borrow_mut();
        let slot = state.activities.get_mut(&self.seq).expect("activity slot exists");
        match &slot.result {
            None => {
                slot.waker = Some(cx.waker().clone());
                Poll::Pending
            }
            Some(Err(failure)) => Poll::Ready(Err(failure.clone())),
            Some(Ok(payloads)) => {
                let decoded = match payloads {
                    Some(p) => p.decode::<O>(),
                    None => Payloads::default().decode::<O>(),
                };
                match decoded {
                    Ok(value) => Poll::Ready(Ok(value)),
                    Err(e) => panic!(
                        "the result of activity {} (ID {}) does not decode as {}: {e}",
                        slot.activity_type,
                        slot.activity_id,
                        std::any::type_name::<O>()
                    ),
                }
            }
        }
    }
}

/// A durable timer; resolves with whether it fired or was canceled.
#[must_use = "the timer is started either way; await it to wait"]
pub struct Timer {
    state: Rc<RefCell<RunState>>,
    seq: u32,
}

impl Unpin for Timer {}

impl Timer {
    /// Cancels the timer (CancelTimer); it resolves as `TimerOutcome::Cancelled`.
    #[track_caller]
    pub fn cancel(&self) {
        let location = Location::caller();
        {
            let mut state = self.state.borrow_mut();
            let slot = state.timers.get_mut(&self.seq).expect("timer slot exists");
            if slot.result.is_some() {
                return;
            }
            slot.result = Some(TimerOutcome::Cancelled);
            if let Some(w) = slot.waker.take() {
                w.wake();
            }
        }
        let ctx = WorkflowContext::new(self.state.clone());
        ctx.push(commands::cancel_timer(&self.seq.to_string()), CommandTarget::CancelTimer(self.seq), location);
    }

    /// A handle that can cancel this timer while another part of the code awaits it.
    pub fn handle(&self) -> TimerHandle {
        TimerHandle(Timer {
            state: self.state.clone(),
            seq: self.seq,
        })
    }
}

/// Cancels a timer from elsewhere.
pub struct TimerHandle(Timer);

impl TimerHandle {
    #[track_caller]
    pub fn cancel(&self) {
        self.0.cancel()
    }
}

impl Future for Timer {
    type Output = TimerOutcome;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<TimerOutcome> {
        let mut state = self.state.borrow_mut();
        let slot = state.timers.get_mut(&self.seq).expect("timer slot exists");
        match slot.result {
            Some(outcome) => Poll::Ready(outcome),
            None => {
                slot.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

/// `ctx.sleep(d).await`: a timer whose outcome nobody needs.
pub struct Sleep(Timer);

impl Unpin for Sleep {}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.0).poll(cx).map(|_| ())
    }
}

/// Signals of one name.
pub struct SignalChannel<T> {
    state: Rc<RefCell<RunState>>,
    name: String,
    _t: PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned> SignalChannel<T> {
    /// The next signal, if one has arrived.
    pub fn try_recv(&self) -> Option<T> {
        let payloads = self.state.borrow_mut().signals.get_mut(&self.name)?.pop_front()?;
        Some(decode_signal(&self.name, payloads))
    }

    /// Waits for the next signal.
    pub fn recv(&self) -> SignalFuture<'_, T> {
        SignalFuture { channel: self }
    }
}

fn decode_signal<T: DeserializeOwned>(name: &str, payloads: Option<Payloads>) -> T {
    payloads
        .unwrap_or_default()
        .decode::<T>()
        .unwrap_or_else(|e| panic!("signal {name} does not decode as {}: {e}", std::any::type_name::<T>()))
}

pub struct SignalFuture<'a, T> {
    channel: &'a SignalChannel<T>,
}

impl<T: DeserializeOwned> Future for SignalFuture<'_, T> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        match self.channel.try_recv() {
            Some(v) => Poll::Ready(v),
            None => {
                self.channel.state.borrow_mut().signal_wakers.push(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

/// Resolves when the run's cancellation is requested.
pub struct Cancelled {
    state: Rc<RefCell<RunState>>,
}

impl Future for Cancelled {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut state = self.state.borrow_mut();
        if state.cancel_requested {
            Poll::Ready(())
        } else {
            state.cancel_wakers.push(cx.waker().clone());
            Poll::Pending
        }
    }
}

impl Unpin for Cancelled {}
