//! The state one workflow run shares between its code (through `WorkflowContext`) and
//! the run driver: the commands produced in the current activation, one slot per
//! command machine (activities, timers) with its resolution and waker, signals,
//! cancellation, workflow time and the deterministic random source.

use std::collections::{BTreeMap, VecDeque};
use std::panic::Location;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::task::Waker;

use chrono::{DateTime, Utc};
use workshop_protocol::command::Command;
use workshop_protocol::payload::Payloads;

use crate::error::ActivityFailure;
use crate::logging::LogSink;

use super::info::WorkflowInfo;

/// Which machine a produced command belongs to, so its event can be linked back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CommandTarget {
    Activity(u32),
    Timer(u32),
    CancelTimer(u32),
    RequestCancelActivity(u32),
    SideEffect(u32),
    Patch,
    Close,
}

/// A command produced by workflow code, with the code line that produced it.
#[derive(Debug, Clone)]
pub(crate) struct ProducedCommand {
    pub command: Command,
    pub target: CommandTarget,
    pub location: &'static Location<'static>,
}

#[derive(Debug, Default)]
pub(crate) struct ActivitySlot {
    pub activity_type: String,
    pub activity_id: String,
    pub scheduled_event_id: i64,
    pub started_event_id: i64,
    pub attempt: u32,
    pub identity: String,
    pub cancel_requested: bool,
    pub result: Option<Result<Option<Payloads>, ActivityFailure>>,
    pub waker: Option<Waker>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimerOutcome {
    Fired,
    Cancelled,
}

#[derive(Debug, Default)]
pub(crate) struct TimerSlot {
    pub timer_id: String,
    pub started_event_id: i64,
    pub result: Option<TimerOutcome>,
    pub waker: Option<Waker>,
}

/// What the code left behind that makes the run non-deterministic without a command
/// mismatch (a side effect with no recorded value).
#[derive(Debug, Clone)]
pub(crate) struct CodeMismatch {
    pub message: String,
    pub location: &'static Location<'static>,
}

pub(crate) struct RunState {
    pub info: WorkflowInfo,
    pub now: DateTime<Utc>,
    pub replaying: Arc<AtomicBool>,
    pub sink: Option<LogSink>,
    pub rng: SplitMix64,
    pub commands: Vec<ProducedCommand>,
    pub next_activity_seq: u32,
    pub next_timer_seq: u32,
    pub next_side_effect_seq: u32,
    pub activities: BTreeMap<u32, ActivitySlot>,
    pub timers: BTreeMap<u32, TimerSlot>,
    pub signals: BTreeMap<String, VecDeque<Option<Payloads>>>,
    pub signal_wakers: Vec<Waker>,
    pub cancel_requested: bool,
    pub cancel_wakers: Vec<Waker>,
    /// Patch IDs decided in this run (sdk-core memoizes `patched` per ID).
    pub patches: BTreeMap<String, bool>,
    /// Patch markers among the command events of the task being replayed.
    pub lookahead_patches: Vec<String>,
    /// Side-effect values among the command events of the task being replayed, in order.
    pub lookahead_side_effects: VecDeque<Option<Payloads>>,
    pub mismatch: Option<CodeMismatch>,
}

impl RunState {
    pub fn new(info: WorkflowInfo, sink: Option<LogSink>) -> Self {
        let seed = fnv1a(info.first_execution_run_id.as_bytes());
        Self {
            now: info.start_time,
            info,
            replaying: Arc::new(AtomicBool::new(false)),
            sink,
            rng: SplitMix64(seed),
            commands: Vec::new(),
            next_activity_seq: 1,
            next_timer_seq: 1,
            next_side_effect_seq: 1,
            activities: BTreeMap::new(),
            timers: BTreeMap::new(),
            signals: BTreeMap::new(),
            signal_wakers: Vec::new(),
            cancel_requested: false,
            cancel_wakers: Vec::new(),
            patches: BTreeMap::new(),
            lookahead_patches: Vec::new(),
            lookahead_side_effects: VecDeque::new(),
            mismatch: None,
        }
    }

    pub fn is_replaying(&self) -> bool {
        self.replaying.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// A small, portable PRNG: the same seed gives the same numbers on every machine.
#[derive(Debug, Clone)]
pub(crate) struct SplitMix64(pub u64);

impl SplitMix64 {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}
