//! Errors that cross the workflow/activity boundary: `WorkflowError` (how a workflow
//! run fails, is canceled or continues as new), `ActivityError` (how an activity attempt
//! fails) and `ActivityFailure` (what a workflow sees when an activity finally failed).

use std::fmt;

use workshop_protocol::common::WorkflowType;
use workshop_protocol::enums::RetryState;
use workshop_protocol::failure::Failure;
use workshop_protocol::payload::Payloads;

/// Why a workflow function returned without a result.
#[derive(Debug, Clone)]
pub struct WorkflowError {
    pub(crate) kind: WorkflowErrorKind,
}

#[derive(Debug, Clone)]
pub(crate) enum WorkflowErrorKind {
    /// An application error: the run fails (WorkflowExecutionFailed).
    Application {
        message: String,
        error_type: Option<String>,
        non_retryable: bool,
    },
    /// An activity failed and the workflow passed the failure on with `?`.
    Activity(Box<ActivityFailure>),
    /// The workflow accepts a cancellation request (WorkflowExecutionCanceled).
    Cancelled,
    /// Continue as new: the run closes and a fresh run starts with this input.
    ContinueAsNew(Box<ContinueAsNew>),
}

#[derive(Debug, Clone)]
pub(crate) struct ContinueAsNew {
    pub workflow_type: Option<WorkflowType>,
    pub input: Payloads,
}

impl WorkflowError {
    /// A workflow failure with a message (no type).
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            kind: WorkflowErrorKind::Application {
                message: message.into(),
                error_type: None,
                non_retryable: false,
            },
        }
    }

    /// A workflow failure with a message and an error type name, as Temporal's
    /// `ApplicationError` carries.
    pub fn application(message: impl Into<String>, error_type: impl Into<String>) -> Self {
        Self {
            kind: WorkflowErrorKind::Application {
                message: message.into(),
                error_type: Some(error_type.into()),
                non_retryable: false,
            },
        }
    }

    /// Return this from a workflow to accept its cancellation request.
    pub fn cancelled() -> Self {
        Self {
            kind: WorkflowErrorKind::Cancelled,
        }
    }

    pub(crate) fn continue_as_new(workflow_type: Option<WorkflowType>, input: Payloads) -> Self {
        Self {
            kind: WorkflowErrorKind::ContinueAsNew(Box::new(ContinueAsNew {
                workflow_type,
                input,
            })),
        }
    }

    pub fn message(&self) -> String {
        match &self.kind {
            WorkflowErrorKind::Application { message, .. } => message.clone(),
            WorkflowErrorKind::Activity(failure) => failure.to_string(),
            WorkflowErrorKind::Cancelled => "workflow canceled".to_string(),
            WorkflowErrorKind::ContinueAsNew(_) => "continue as new".to_string(),
        }
    }

    /// The error type name, if any (the activity's error type for activity failures).
    pub fn error_type(&self) -> Option<&str> {
        match &self.kind {
            WorkflowErrorKind::Application { error_type, .. } => error_type.as_deref(),
            WorkflowErrorKind::Activity(failure) => failure.error_type(),
            _ => None,
        }
    }

    pub fn is_cancelled(&self) -> bool {
        matches!(self.kind, WorkflowErrorKind::Cancelled)
            || matches!(&self.kind, WorkflowErrorKind::Activity(f) if f.is_cancelled())
    }

    pub fn is_continue_as_new(&self) -> bool {
        matches!(self.kind, WorkflowErrorKind::ContinueAsNew(_))
    }

    /// The activity failure this error carries, if it came from one.
    pub fn activity_failure(&self) -> Option<&ActivityFailure> {
        match &self.kind {
            WorkflowErrorKind::Activity(failure) => Some(failure),
            _ => None,
        }
    }

    /// The failure recorded in WorkflowExecutionFailed.
    pub(crate) fn to_failure(&self) -> Failure {
        match &self.kind {
            WorkflowErrorKind::Application {
                message,
                error_type,
                non_retryable,
            } => Failure::application(
                message.clone(),
                error_type.clone().unwrap_or_default(),
                *non_retryable,
            ),
            WorkflowErrorKind::Activity(failure) => failure.to_workflow_failure(),
            WorkflowErrorKind::Cancelled | WorkflowErrorKind::ContinueAsNew(_) => {
                Failure::application(self.message(), String::new(), false)
            }
        }
    }
}

impl fmt::Display for WorkflowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())?;
        if let Some(t) = self.error_type() {
            write!(f, " (type {t})")?;
        }
        Ok(())
    }
}

/// `?` on any ordinary error inside a workflow fails the run with its message; an
/// activity failure keeps its structure (Temporal's "Activity task failed" with a cause).
impl<E> From<E> for WorkflowError
where
    E: Into<anyhow::Error>,
{
    fn from(error: E) -> Self {
        let error: anyhow::Error = error.into();
        match error.downcast::<ActivityFailure>() {
            // A canceled activity passed on with `?` counts as accepting the run's own
            // cancellation (see `is_cancelled`).
            Ok(failure) => Self {
                kind: WorkflowErrorKind::Activity(Box::new(failure)),
            },
            Err(error) => WorkflowError::new(format!("{error:#}")),
        }
    }
}

/// How an activity attempt failed. Retryable unless said otherwise; the retry policy's
/// `non_retryable_error_types` are matched against `with_type`.
#[derive(Debug, Clone)]
pub struct ActivityError {
    pub(crate) message: String,
    pub(crate) error_type: Option<String>,
    pub(crate) non_retryable: bool,
    pub(crate) cancelled: bool,
}

impl ActivityError {
    pub fn retryable(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            error_type: None,
            non_retryable: false,
            cancelled: false,
        }
    }

    pub fn non_retryable(message: impl Into<String>) -> Self {
        Self {
            non_retryable: true,
            ..Self::retryable(message)
        }
    }

    /// The activity saw its cancellation (through a heartbeat) and stops.
    pub fn cancelled() -> Self {
        Self {
            cancelled: true,
            ..Self::retryable("activity canceled")
        }
    }

    pub fn with_type(mut self, error_type: impl Into<String>) -> Self {
        self.error_type = Some(error_type.into());
        self
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    pub fn error_type(&self) -> Option<&str> {
        self.error_type.as_deref()
    }

    pub fn is_non_retryable(&self) -> bool {
        self.non_retryable
    }

    pub(crate) fn to_failure(&self) -> Failure {
        Failure::application(
            self.message.clone(),
            self.error_type.clone().unwrap_or_default(),
            self.non_retryable,
        )
    }
}

impl fmt::Display for ActivityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(t) = &self.error_type {
            write!(f, " (type {t})")?;
        }
        Ok(())
    }
}

/// `?` on ordinary errors inside activities: a retryable failure whose type is the
/// error's Rust type name (as the Go SDK uses the Go error type), except for anyhow.
impl<E> From<E> for ActivityError
where
    E: Into<anyhow::Error>,
{
    fn from(error: E) -> Self {
        let full = std::any::type_name::<E>();
        let error_type = if full.starts_with("anyhow::") {
            None
        } else {
            full.split('<')
                .next()
                .and_then(|s| s.rsplit("::").next())
                .map(str::to_string)
        };
        let error: anyhow::Error = error.into();
        Self {
            message: format!("{error:#}"),
            error_type,
            non_retryable: false,
            cancelled: false,
        }
    }
}

/// An activity that failed for good (its retries are over), timed out, or was
/// canceled, as the workflow sees it.
#[derive(Debug, Clone)]
pub struct ActivityFailure {
    pub activity_type: String,
    pub activity_id: String,
    /// The attempt that failed last (from ActivityTaskStarted).
    pub attempt: u32,
    pub retry_state: Option<RetryState>,
    pub(crate) kind: ActivityFailureKind,
    /// The failure the engine recorded (the activity's error, or the timeout).
    pub failure: Failure,
    pub(crate) scheduled_event_id: i64,
    pub(crate) started_event_id: i64,
    pub(crate) identity: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ActivityFailureKind {
    Failed,
    TimedOut,
    Cancelled,
}

impl ActivityFailure {
    /// The activity's own error message.
    pub fn message(&self) -> &str {
        &self.failure.message
    }

    /// The activity's error type, as given with `ActivityError::with_type`.
    pub fn error_type(&self) -> Option<&str> {
        self.failure
            .application_failure_info
            .as_ref()
            .map(|info| info.r#type.as_str())
            .filter(|t| !t.is_empty())
    }

    pub fn is_timeout(&self) -> bool {
        self.kind == ActivityFailureKind::TimedOut
    }

    pub fn is_cancelled(&self) -> bool {
        self.kind == ActivityFailureKind::Cancelled
    }

    pub(crate) fn to_workflow_failure(&self) -> Failure {
        let mut failure = Failure::application("Activity task failed".to_string(), String::new(), false);
        failure.application_failure_info = None;
        failure.cause = Some(Box::new(self.failure.clone()));
        failure.activity_failure_info = Some(workshop_protocol::failure::ActivityFailureInfo {
            scheduled_event_id: self.scheduled_event_id,
            started_event_id: self.started_event_id,
            identity: self.identity.clone(),
            activity_type: Some(workshop_protocol::common::ActivityType {
                name: self.activity_type.clone(),
            }),
            activity_id: self.activity_id.clone(),
            retry_state: self.retry_state,
        });
        failure
    }
}

impl fmt::Display for ActivityFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            ActivityFailureKind::Failed => "failed",
            ActivityFailureKind::TimedOut => "timed out",
            ActivityFailureKind::Cancelled => "was canceled",
        };
        write!(
            f,
            "activity {} (ID {}) {what} on attempt {}: {}",
            self.activity_type,
            self.activity_id,
            self.attempt,
            self.message()
        )?;
        if let Some(t) = self.error_type() {
            write!(f, " (type {t})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ActivityFailure {}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<i32, ActivityError> {
        Ok(s.parse::<i32>()?)
    }

    fn with_anyhow() -> Result<(), ActivityError> {
        Err(anyhow::anyhow!("service down"))?;
        Ok(())
    }

    #[test]
    fn question_mark_converts_ordinary_errors() {
        let e = parse("x").unwrap_err();
        assert_eq!(e.error_type(), Some("ParseIntError"));
        assert!(!e.is_non_retryable());
        let e = with_anyhow().unwrap_err();
        assert_eq!(e.message(), "service down");
        assert_eq!(e.error_type(), None);
        let wf: WorkflowError = "x".parse::<i32>().unwrap_err().into();
        assert!(wf.message().contains("invalid digit"));
    }
}
