//! Replay-aware logging for workflows and activities: `ctx.logger()` emits through
//! `tracing` (filtered by `RUST_LOG`), stays silent while a workflow replays, and hands
//! every record (replayed ones too, flagged) to an optional sink so a test kit can
//! capture them.

use std::fmt::{self, Display};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

pub use tracing::Level;

/// One log line as the sink sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct LogRecord {
    pub level: Level,
    pub message: String,
    pub fields: Vec<(String, String)>,
    /// True when the workflow was replaying history (the line was not printed).
    pub replaying: bool,
    pub scope: LogScope,
}

/// Where a log line comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum LogScope {
    Workflow {
        workflow_type: String,
        workflow_id: String,
        run_id: String,
    },
    Activity {
        activity_type: String,
        activity_id: String,
        attempt: u32,
        workflow_id: String,
    },
}

/// Receives every record of the workers it is given to (see `WorkerOptions::log_sink`).
pub type LogSink = Arc<dyn Fn(&LogRecord) + Send + Sync>;

/// The logger of one workflow run or activity attempt.
#[derive(Clone)]
pub struct Logger {
    scope: Arc<LogScope>,
    replaying: Option<Arc<AtomicBool>>,
    sink: Option<LogSink>,
}

impl fmt::Debug for Logger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Logger").field("scope", &self.scope).finish()
    }
}

impl Logger {
    pub(crate) fn new(scope: LogScope, replaying: Option<Arc<AtomicBool>>, sink: Option<LogSink>) -> Self {
        Self {
            scope: Arc::new(scope),
            replaying,
            sink,
        }
    }

    pub fn debug(&self, message: &str, fields: &[(&str, &dyn Display)]) {
        self.log(Level::DEBUG, message, fields)
    }

    pub fn info(&self, message: &str, fields: &[(&str, &dyn Display)]) {
        self.log(Level::INFO, message, fields)
    }

    pub fn warn(&self, message: &str, fields: &[(&str, &dyn Display)]) {
        self.log(Level::WARN, message, fields)
    }

    pub fn error(&self, message: &str, fields: &[(&str, &dyn Display)]) {
        self.log(Level::ERROR, message, fields)
    }

    pub fn log(&self, level: Level, message: &str, fields: &[(&str, &dyn Display)]) {
        let replaying = self
            .replaying
            .as_ref()
            .is_some_and(|r| r.load(Ordering::Relaxed));
        if let Some(sink) = &self.sink {
            sink(&LogRecord {
                level,
                message: message.to_string(),
                fields: fields
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                replaying,
                scope: (*self.scope).clone(),
            });
        }
        if replaying {
            return;
        }
        let mut line = message.to_string();
        for (k, v) in fields {
            line.push_str(&format!(" {k}={v}"));
        }
        emit(level, &self.scope, &line);
    }
}

macro_rules! emit_at {
    ($level:expr, $scope:expr, $line:expr) => {
        match $scope {
            LogScope::Workflow {
                workflow_type,
                workflow_id,
                run_id,
            } => tracing::event!(
                target: "workflow",
                $level,
                WorkflowType = %workflow_type,
                WorkflowID = %workflow_id,
                RunID = %run_id,
                "{}",
                $line
            ),
            LogScope::Activity {
                activity_type,
                activity_id,
                attempt,
                workflow_id,
            } => tracing::event!(
                target: "activity",
                $level,
                ActivityType = %activity_type,
                ActivityID = %activity_id,
                Attempt = %attempt,
                WorkflowID = %workflow_id,
                "{}",
                $line
            ),
        }
    };
}

fn emit(level: Level, scope: &LogScope, line: &str) {
    // `tracing` needs the level as a constant at each call site.
    if level == Level::ERROR {
        emit_at!(Level::ERROR, scope, line)
    } else if level == Level::WARN {
        emit_at!(Level::WARN, scope, line)
    } else if level == Level::INFO {
        emit_at!(Level::INFO, scope, line)
    } else if level == Level::DEBUG {
        emit_at!(Level::DEBUG, scope, line)
    } else {
        emit_at!(Level::TRACE, scope, line)
    }
}

/// Installs a `tracing` subscriber for a worker process: `RUST_LOG` or `info`, to stderr.
/// Does nothing if one is installed already.
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn replayed_records_reach_the_sink_flagged() {
        let captured = Arc::new(Mutex::new(Vec::new()));
        let c = captured.clone();
        let replaying = Arc::new(AtomicBool::new(true));
        let logger = Logger::new(
            LogScope::Workflow {
                workflow_type: "W".into(),
                workflow_id: "id".into(),
                run_id: "r".into(),
            },
            Some(replaying.clone()),
            Some(Arc::new(move |r: &LogRecord| c.lock().unwrap().push(r.clone()))),
        );
        logger.info("first", &[("Name", &"Pierre")]);
        replaying.store(false, Ordering::Relaxed);
        logger.warn("second", &[]);
        let records = captured.lock().unwrap();
        assert_eq!(records.len(), 2);
        assert!(records[0].replaying);
        assert_eq!(records[0].fields, vec![("Name".to_string(), "Pierre".to_string())]);
        assert!(!records[1].replaying);
        assert_eq!(records[1].level, Level::WARN);
    }
}
