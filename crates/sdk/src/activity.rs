//! `ActivityContext`: what an activity attempt knows (activity ID, type, attempt, its
//! workflow), its logger (fields carry ID, type and attempt), heartbeats, and the
//! cancellation that heartbeat responses deliver.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::Notify;
use workshop_protocol::payload::Payloads;

use crate::logging::{LogScope, LogSink, Logger};

/// What an activity attempt knows about itself.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActivityInfo {
    pub activity_id: String,
    pub activity_type: String,
    /// 1 for the first attempt, 2 for the first retry, ...
    pub attempt: u32,
    pub workflow_id: String,
    pub run_id: String,
    pub workflow_type: String,
    pub namespace: String,
    pub task_queue: String,
    pub scheduled_time: Option<DateTime<Utc>>,
    pub started_time: Option<DateTime<Utc>>,
    pub start_to_close_timeout: Option<Duration>,
    pub heartbeat_timeout: Option<Duration>,
    /// Details of the last heartbeat of an earlier attempt (progress to resume from).
    pub heartbeat_details: Option<Payloads>,
}

/// Sends heartbeat details on (the worker throttles them into
/// RecordActivityTaskHeartbeat calls).
pub type HeartbeatFn = Arc<dyn Fn(Option<Payloads>) + Send + Sync>;

/// Shared between an attempt and whoever may cancel it.
#[derive(Debug, Default)]
pub struct CancellationState {
    cancelled: AtomicBool,
    notify: Notify,
}

impl CancellationState {
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
        self.notify.notify_waiters();
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }
}

/// The handle an activity gets. Cheap to clone; `Send`.
#[derive(Clone)]
pub struct ActivityContext {
    info: Arc<ActivityInfo>,
    logger: Logger,
    heartbeat: Option<HeartbeatFn>,
    cancellation: Arc<CancellationState>,
}

impl ActivityContext {
    /// A context for `info`; `heartbeat` receives heartbeat details (none: heartbeats
    /// are dropped), `sink` receives log records.
    pub fn new(info: ActivityInfo, heartbeat: Option<HeartbeatFn>, sink: Option<LogSink>) -> Self {
        let logger = Logger::new(
            LogScope::Activity {
                activity_type: info.activity_type.clone(),
                activity_id: info.activity_id.clone(),
                attempt: info.attempt,
                workflow_id: info.workflow_id.clone(),
            },
            None,
            sink,
        );
        Self {
            info: Arc::new(info),
            logger,
            heartbeat,
            cancellation: Arc::new(CancellationState::default()),
        }
    }

    pub fn info(&self) -> &ActivityInfo {
        &self.info
    }

    /// The attempt's logger: `tracing` with activity ID, type and attempt.
    pub fn logger(&self) -> Logger {
        self.logger.clone()
    }

    /// Reports progress (and liveness, for a heartbeat timeout). Cancellation of the
    /// activity is learned through heartbeats: check `is_cancelled` after.
    pub fn heartbeat<T: Serialize + ?Sized>(&self, details: &T) {
        if let Some(heartbeat) = &self.heartbeat {
            heartbeat(Payloads::json(details).ok());
        }
    }

    /// The details of the last heartbeat of an earlier attempt, if any.
    pub fn heartbeat_details<T: DeserializeOwned>(&self) -> Option<T> {
        self.info.heartbeat_details.as_ref()?.decode().ok()
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancellation.is_cancelled()
    }

    /// Resolves once the activity's cancellation has been requested (learned through
    /// a heartbeat).
    pub async fn cancelled(&self) {
        loop {
            let notified = self.cancellation.notify.notified();
            if self.is_cancelled() {
                return;
            }
            notified.await;
        }
    }

    /// The cancellation state, for whoever delivers cancellation to this attempt.
    pub fn cancellation(&self) -> Arc<CancellationState> {
        self.cancellation.clone()
    }
}
