//! Replaying a recorded history against the current workflow code: the core of the
//! worker's recovery, of `--replay FILE`, and of the test kit's replayer.

use std::fmt;

use workshop_protocol::history::History;

use crate::logging::LogSink;
use crate::registry::Registry;
use crate::workflow::NonDeterminismError;
use crate::workflow::run::{RunError, RunIdentity, WorkflowRun};

/// Why a history did not replay.
#[derive(Debug, Clone)]
pub enum ReplayError {
    /// The code produced commands that do not fit the history.
    NonDeterminism(Box<NonDeterminismError>),
    /// The workflow code panicked during replay.
    Panic(String),
    /// The history names a workflow type that is not registered.
    UnknownWorkflowType(String),
    /// The events are not a usable history.
    BadHistory(String),
}

impl ReplayError {
    pub fn non_determinism(&self) -> Option<&NonDeterminismError> {
        match self {
            ReplayError::NonDeterminism(e) => Some(e),
            _ => None,
        }
    }
}

impl fmt::Display for ReplayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReplayError::NonDeterminism(e) => write!(f, "{e}"),
            ReplayError::Panic(m) => write!(f, "the workflow code panicked during replay: {m}"),
            ReplayError::UnknownWorkflowType(t) => write!(
                f,
                "the history is of workflow type {t}, which is not registered (register it, or check the name)"
            ),
            ReplayError::BadHistory(m) => write!(f, "not a usable history: {m}"),
        }
    }
}

impl std::error::Error for ReplayError {}

impl From<RunError> for ReplayError {
    fn from(e: RunError) -> Self {
        match e {
            RunError::NonDeterminism(e) => ReplayError::NonDeterminism(e),
            RunError::Panic(m) => ReplayError::Panic(m),
            RunError::UnknownWorkflowType(t) => ReplayError::UnknownWorkflowType(t),
            RunError::BadHistory(m) | RunError::StaleCache(m) => ReplayError::BadHistory(m),
        }
    }
}

/// Replays `history` against the workflows in `registry`, task by task. `Ok` when
/// every recorded command is produced again in the same order.
pub fn replay_history(registry: &Registry, history: &History) -> Result<(), ReplayError> {
    replay_history_with_sink(registry, history, None)
}

/// [`replay_history`] with a sink that receives the workflow's log records (all flagged
/// as replaying, except those of a final open workflow task).
pub fn replay_history_with_sink(registry: &Registry, history: &History, sink: Option<LogSink>) -> Result<(), ReplayError> {
    let first = history
        .events
        .first()
        .ok_or_else(|| ReplayError::BadHistory("the history has no events".to_string()))?;
    let mut run = WorkflowRun::new(|t| registry.workflow(t), RunIdentity::default(), first, sink)?;
    run.apply(&history.events)?;
    Ok(())
}
