//! Captured log lines: what workflow and activity code logged through `ctx.logger()`
//! during a test, with the level, fields, and whether the workflow was replaying.

use std::fmt;
use std::sync::{Arc, Mutex};

use crate::logging::{self, LogScope, LogSink};

/// The level of a captured line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LogLevel {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
}

impl LogLevel {
    fn from_tracing(level: logging::Level) -> Self {
        match level {
            logging::Level::ERROR => LogLevel::Error,
            logging::Level::WARN => LogLevel::Warn,
            logging::Level::INFO => LogLevel::Info,
            logging::Level::DEBUG => LogLevel::Debug,
            _ => LogLevel::Trace,
        }
    }
}

impl fmt::Display for LogLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LogLevel::Trace => "TRACE",
            LogLevel::Debug => "DEBUG",
            LogLevel::Info => "INFO",
            LogLevel::Warn => "WARN",
            LogLevel::Error => "ERROR",
        })
    }
}

/// Whose code logged a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LogSource {
    Workflow,
    Activity,
}

/// One captured line.
#[derive(Debug, Clone, PartialEq)]
pub struct LogRecord {
    pub level: LogLevel,
    pub message: String,
    /// The fields the code gave (`&[("Name", &input.name)]`), values as displayed.
    pub fields: Vec<(String, String)>,
    /// True when the workflow was replaying history: a worker prints nothing then.
    pub replaying: bool,
    pub source: LogSource,
}

impl LogRecord {
    /// The value of field `key`, if the line has it.
    pub fn field(&self, key: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    fn from_sdk(record: &logging::LogRecord) -> Self {
        LogRecord {
            level: LogLevel::from_tracing(record.level),
            message: record.message.clone(),
            fields: record.fields.clone(),
            replaying: record.replaying,
            source: match record.scope {
                LogScope::Workflow { .. } => LogSource::Workflow,
                LogScope::Activity { .. } => LogSource::Activity,
            },
        }
    }
}

impl fmt::Display for LogRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let source = match self.source {
            LogSource::Workflow => "workflow",
            LogSource::Activity => "activity",
        };
        write!(f, "{:<5} [{source}] {}", self.level, self.message)?;
        for (k, v) in &self.fields {
            write!(f, " {k}={v}")?;
        }
        if self.replaying {
            f.write_str(" (replaying)")?;
        }
        Ok(())
    }
}

/// Collects the records a worker or an activity context hands to its sink.
#[derive(Clone, Default)]
pub(crate) struct LogCapture {
    records: Arc<Mutex<Vec<LogRecord>>>,
}

impl LogCapture {
    pub(crate) fn sink(&self) -> LogSink {
        let records = self.records.clone();
        Arc::new(move |record: &logging::LogRecord| {
            records
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(LogRecord::from_sdk(record));
        })
    }

    pub(crate) fn records(&self) -> Vec<LogRecord> {
        self.records.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub(crate) fn clear(&self) {
        self.records.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}
