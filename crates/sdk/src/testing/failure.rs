//! `WorkflowFailure`: how a test run ended when it did not complete, one variant per
//! close state, plus `Blocked` for a run that could never progress.

use std::fmt;

use workshop_protocol::failure::Failure;

/// Why `execute_workflow` has no result.
#[derive(Debug, Clone, PartialEq)]
pub enum WorkflowFailure {
    /// The workflow returned an error (WorkflowExecutionFailed). `failure` is the
    /// recorded failure: for an activity's error passed on with `?` the activity's own
    /// failure is its `cause`.
    Failed { message: String, failure: Failure },
    /// The execution or run timeout passed (WorkflowExecutionTimedOut).
    TimedOut,
    /// WorkflowExecutionTerminated.
    Terminated { reason: String },
    /// The workflow accepted a cancellation request (WorkflowExecutionCanceled).
    Canceled,
    /// Nothing can ever happen again: no workflow or activity task is queued or running,
    /// and no timer, retry or timeout is pending. Without it the test would hang.
    Blocked { reason: String },
}

impl WorkflowFailure {
    pub fn message(&self) -> String {
        match self {
            WorkflowFailure::Failed { message, .. } => message.clone(),
            WorkflowFailure::TimedOut => "workflow execution timed out".to_string(),
            WorkflowFailure::Terminated { reason } => format!("workflow execution terminated: {reason}"),
            WorkflowFailure::Canceled => "workflow execution canceled".to_string(),
            WorkflowFailure::Blocked { reason } => format!("workflow blocked: {reason}"),
        }
    }

    /// The application error type of a failed run (`WorkflowError::application`'s
    /// second argument), or of the activity failure it passed on.
    pub fn error_type(&self) -> Option<&str> {
        let WorkflowFailure::Failed { failure, .. } = self else {
            return None;
        };
        let mut current = Some(failure);
        while let Some(f) = current {
            if let Some(t) = f.application_type().filter(|t| !t.is_empty()) {
                return Some(t);
            }
            current = f.cause.as_deref();
        }
        None
    }

    /// The innermost message of the failure chain: for an activity failure passed on
    /// with `?`, the activity's own error message.
    pub fn root_cause_message(&self) -> String {
        let WorkflowFailure::Failed { failure, .. } = self else {
            return self.message();
        };
        let mut f = failure;
        while let Some(cause) = f.cause.as_deref() {
            f = cause;
        }
        f.message.clone()
    }

    pub fn is_blocked(&self) -> bool {
        matches!(self, WorkflowFailure::Blocked { .. })
    }
}

impl fmt::Display for WorkflowFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())?;
        if let WorkflowFailure::Failed { failure, .. } = self {
            let mut cause = failure.cause.as_deref();
            while let Some(c) = cause {
                write!(f, ": {}", c.message)?;
                cause = c.cause.as_deref();
            }
        }
        Ok(())
    }
}

impl std::error::Error for WorkflowFailure {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_type_and_root_cause_follow_the_chain() {
        let mut outer = Failure::application("Activity task failed", "", false);
        outer.application_failure_info = None;
        outer.cause = Some(Box::new(Failure::application("card declined", "PaymentError", true)));
        let failure = WorkflowFailure::Failed {
            message: outer.message.clone(),
            failure: outer,
        };
        assert_eq!(failure.error_type(), Some("PaymentError"));
        assert_eq!(failure.root_cause_message(), "card declined");
        assert_eq!(failure.to_string(), "Activity task failed: card declined");
        let blocked = WorkflowFailure::Blocked { reason: "waiting".into() };
        assert!(blocked.is_blocked());
        assert_eq!(blocked.message(), "workflow blocked: waiting");
    }
}
