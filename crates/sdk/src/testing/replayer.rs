//! `WorkflowReplayer`: replays a recorded history (a file or a string, in any form the
//! importer takes: ours, Temporal's CLI or HTTP JSON) against registered workflow code,
//! the way a worker recovering the run would, and reports whether the code still fits.

use std::fmt;
use std::future::Future;
use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;
use workshop_protocol::event::EventAttributes;
use workshop_protocol::history::{History, validate_history};

use crate::registry::Registry;
use crate::replay;
use crate::workflow::{NonDeterminismError, WorkflowContext};
use crate::error::WorkflowError;

use super::logs::{LogCapture, LogRecord};

/// Why a history did not replay.
#[derive(Debug, Clone)]
pub enum ReplayError {
    /// The code produced commands that do not fit the history. Its Display is the
    /// expected/produced table naming the event and the workflow.
    NonDeterminism(NonDeterminismError),
    /// The input is not a usable history (unreadable, not JSON, not a history, broken
    /// event links, or a workflow type that is not registered).
    InvalidHistory(String),
    /// The workflow code itself failed while replaying (it panicked).
    WorkflowFailed(String),
}

impl ReplayError {
    pub fn non_determinism(&self) -> Option<&NonDeterminismError> {
        match self {
            ReplayError::NonDeterminism(e) => Some(e),
            _ => None,
        }
    }

    pub fn is_non_determinism(&self) -> bool {
        matches!(self, ReplayError::NonDeterminism(_))
    }
}

impl fmt::Display for ReplayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReplayError::NonDeterminism(e) => write!(f, "{e}"),
            ReplayError::InvalidHistory(m) => write!(f, "not a usable history: {m}"),
            ReplayError::WorkflowFailed(m) => write!(f, "the workflow code failed during replay: {m}"),
        }
    }
}

impl std::error::Error for ReplayError {}

/// Replays histories against the workflows registered on it.
#[derive(Clone, Default)]
pub struct WorkflowReplayer {
    registry: Registry,
    logs: LogCapture,
}

impl WorkflowReplayer {
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers `workflow` under the PascalCase form of its function name
    /// (`translation_workflow` -> `TranslationWorkflow`), as a worker does.
    #[track_caller]
    pub fn register_workflow<F, Fut, I, O>(mut self, workflow: F) -> Self
    where
        F: Fn(WorkflowContext, I) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<O, WorkflowError>> + 'static,
        I: DeserializeOwned + 'static,
        O: Serialize + 'static,
    {
        self.registry.register_workflow(workflow);
        self
    }

    /// Registers `workflow` under an explicit type name.
    #[track_caller]
    pub fn register_workflow_as<F, Fut, I, O>(mut self, name: &str, workflow: F) -> Self
    where
        F: Fn(WorkflowContext, I) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<O, WorkflowError>> + 'static,
        I: DeserializeOwned + 'static,
        O: Serialize + 'static,
    {
        self.registry.register_workflow_as(name, workflow);
        self
    }

    /// Replays the history in file `path`.
    pub fn replay_file(&self, path: impl AsRef<Path>) -> Result<(), ReplayError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .map_err(|e| ReplayError::InvalidHistory(format!("cannot read {}: {e}", path.display())))?;
        self.replay_str(&text)
            .map_err(|e| match e {
                ReplayError::InvalidHistory(m) => ReplayError::InvalidHistory(format!("{}: {m}", path.display())),
                other => other,
            })
    }

    /// Replays a history given as JSON text.
    pub fn replay_str(&self, json: &str) -> Result<(), ReplayError> {
        let history = History::from_json_str(json).map_err(ReplayError::InvalidHistory)?;
        self.replay_history(&history)
    }

    /// Replays an imported history (`TestWorkflowEnvironment::history()`, say).
    pub fn replay_history(&self, history: &History) -> Result<(), ReplayError> {
        self.logs.clear();
        let first = history
            .events
            .first()
            .ok_or_else(|| ReplayError::InvalidHistory("the history has no events".to_string()))?;
        let EventAttributes::WorkflowExecutionStarted(started) = &first.attributes else {
            return Err(ReplayError::InvalidHistory(format!(
                "the first event is {} (event {}), not WorkflowExecutionStarted",
                first.event_type(),
                first.event_id
            )));
        };
        let workflow_type = &started.workflow_type.name;
        if self.registry.workflow(workflow_type).is_none() {
            let registered: Vec<&str> = self.registry.workflow_types().collect();
            return Err(ReplayError::InvalidHistory(if registered.is_empty() {
                format!("the history is of workflow type {workflow_type}, and no workflow is registered on this replayer")
            } else {
                format!(
                    "the history is of workflow type {workflow_type}, which is not registered here (registered: {})",
                    registered.join(", ")
                )
            }));
        }
        if let Err(problems) = validate_history(&history.events) {
            return Err(ReplayError::InvalidHistory(format!(
                "the events break the rules every history keeps: {}",
                problems.join("; ")
            )));
        }
        replay::replay_history_with_sink(&self.registry, history, Some(self.logs.sink())).map_err(|e| match e {
            replay::ReplayError::NonDeterminism(e) => ReplayError::NonDeterminism(*e),
            replay::ReplayError::Panic(m) => ReplayError::WorkflowFailed(m),
            replay::ReplayError::UnknownWorkflowType(t) => {
                ReplayError::InvalidHistory(format!("the history is of workflow type {t}, which is not registered here"))
            }
            replay::ReplayError::BadHistory(m) => ReplayError::InvalidHistory(m),
        })
    }

    /// What the workflow logged during the last replay (lines of replayed workflow
    /// tasks are flagged `replaying`).
    pub fn logs(&self) -> Vec<LogRecord> {
        self.logs.records()
    }
}
