//! `TestActivityEnvironment`: runs one activity function with a test context, no engine
//! and no worker: its info, the heartbeats it sent, cancellation delivered through a
//! heartbeat, and its log lines.

use std::future::Future;
use std::sync::{Arc, Mutex, OnceLock};

use serde::Serialize;
use serde::de::DeserializeOwned;
use workshop_protocol::payload::Payloads;

use crate::activity::{ActivityContext, ActivityInfo, CancellationState, HeartbeatFn};
use crate::error::ActivityError;
use crate::names;

use super::logs::{LogCapture, LogRecord};

/// Runs activities in a test. Heartbeats and logs are those of the last `run`.
pub struct TestActivityEnvironment {
    runtime: tokio::runtime::Runtime,
    info: Mutex<ActivityInfo>,
    heartbeats: Arc<Mutex<Vec<serde_json::Value>>>,
    /// Deliver cancellation at this heartbeat (0: already requested at the start).
    cancel_after: Mutex<Option<usize>>,
    logs: LogCapture,
}

impl Default for TestActivityEnvironment {
    fn default() -> Self {
        Self::new()
    }
}

impl TestActivityEnvironment {
    /// Panics if no async runtime can be created (the machine is out of threads).
    pub fn new() -> Self {
        super::workflow_env::refuse_async_context("TestActivityEnvironment");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .thread_name("test-activity")
            .build()
            .unwrap_or_else(|e| panic!("TestActivityEnvironment: cannot create an async runtime: {e}"));
        let info = ActivityInfo {
            activity_id: "1".to_string(),
            activity_type: String::new(),
            attempt: 1,
            workflow_id: "test-workflow".to_string(),
            run_id: "test-run".to_string(),
            workflow_type: "TestWorkflow".to_string(),
            namespace: "default".to_string(),
            task_queue: "test-task-queue".to_string(),
            ..ActivityInfo::default()
        };
        Self {
            runtime,
            info: Mutex::new(info),
            heartbeats: Arc::default(),
            cancel_after: Mutex::new(None),
            logs: LogCapture::default(),
        }
    }

    /// Runs `activity` with `input` on a test context and returns what it returned.
    pub fn run<F, Fut, I, O>(&self, activity: F, input: I) -> Result<O, ActivityError>
    where
        F: Fn(ActivityContext, I) -> Fut,
        Fut: Future<Output = Result<O, ActivityError>>,
    {
        let mut info = lock(&self.info).clone();
        if info.activity_type.is_empty() {
            info.activity_type = names::type_name_of::<F>().unwrap_or_else(|| "TestActivity".to_string());
        }
        let now = chrono::Utc::now();
        info.scheduled_time.get_or_insert(now);
        info.started_time.get_or_insert(now);
        self.heartbeats_clear();
        self.logs.clear();

        let cancel_after = *lock(&self.cancel_after);
        let cancellation: Arc<OnceLock<Arc<CancellationState>>> = Arc::default();
        let heartbeats = self.heartbeats.clone();
        let deliver_to = cancellation.clone();
        let heartbeat: HeartbeatFn = Arc::new(move |details: Option<Payloads>| {
            let value = details
                .as_ref()
                .and_then(|p| p.first())
                .map(|p| p.to_json_value())
                .unwrap_or(serde_json::Value::Null);
            let count = {
                let mut all = lock(&heartbeats);
                all.push(value);
                all.len()
            };
            if cancel_after.is_some_and(|n| count >= n)
                && let Some(state) = deliver_to.get()
            {
                state.cancel();
            }
        });
        let ctx = ActivityContext::new(info, Some(heartbeat), Some(self.logs.sink()));
        let _ = cancellation.set(ctx.cancellation());
        if cancel_after == Some(0) {
            ctx.cancellation().cancel();
        }
        self.runtime.block_on(activity(ctx, input))
    }

    /// The details of each heartbeat of the last run, decoded to JSON (null for a
    /// heartbeat without details).
    pub fn heartbeats(&self) -> Vec<serde_json::Value> {
        lock(&self.heartbeats).clone()
    }

    /// Delivers a cancellation request with the `n`th heartbeat (as the engine answers
    /// a heartbeat of an activity whose cancellation was requested); 0 requests it
    /// before the activity starts.
    pub fn cancel_after_heartbeats(&self, n: usize) {
        *lock(&self.cancel_after) = Some(n);
    }

    /// The log lines of the last run.
    pub fn logs(&self) -> Vec<LogRecord> {
        self.logs.records()
    }

    /// Runs the next activities as attempt `attempt` (1 is the first attempt).
    pub fn set_attempt(&self, attempt: u32) {
        lock(&self.info).attempt = attempt.max(1);
    }

    /// Gives the next runs the details of an earlier attempt's last heartbeat
    /// (`ctx.heartbeat_details()`), as a retried attempt would see them.
    pub fn set_heartbeat_details<T: Serialize + ?Sized>(&self, details: &T) {
        lock(&self.info).heartbeat_details =
            Some(Payloads::json(details).expect("heartbeat details serialize to JSON"));
    }

    /// Replaces the info the next runs see (activity type: derived from the function
    /// when left empty).
    pub fn set_info(&self, info: ActivityInfo) {
        *lock(&self.info) = info;
    }

    /// Decodes the `index`th heartbeat of the last run.
    pub fn heartbeat_as<T: DeserializeOwned>(&self, index: usize) -> Option<T> {
        serde_json::from_value(lock(&self.heartbeats).get(index)?.clone()).ok()
    }

    fn heartbeats_clear(&self) {
        lock(&self.heartbeats).clear();
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::LogLevel;

    async fn count_to(ctx: ActivityContext, n: u32) -> Result<u32, ActivityError> {
        ctx.logger().info("counting", &[("To", &n)]);
        for i in 1..=n {
            ctx.heartbeat(&i);
            if ctx.is_cancelled() {
                return Err(ActivityError::cancelled());
            }
        }
        Ok(n * ctx.info().attempt)
    }

    #[test]
    fn runs_records_heartbeats_and_logs() {
        let env = TestActivityEnvironment::new();
        assert_eq!(env.run(count_to, 3).unwrap(), 3);
        assert_eq!(env.heartbeats(), vec![serde_json::json!(1), serde_json::json!(2), serde_json::json!(3)]);
        let logs = env.logs();
        assert_eq!(logs.len(), 1);
        assert_eq!(logs[0].level, LogLevel::Info);
        assert_eq!(logs[0].field("To"), Some("3"));
        env.set_attempt(2);
        assert_eq!(env.run(count_to, 3).unwrap(), 6);
    }

    #[test]
    fn cancellation_arrives_with_a_heartbeat() {
        let env = TestActivityEnvironment::new();
        env.cancel_after_heartbeats(2);
        let err = env.run(count_to, 10).unwrap_err();
        assert_eq!(err.message(), "activity canceled");
        assert_eq!(env.heartbeats().len(), 2);
    }

    #[test]
    fn activity_type_comes_from_the_function() {
        async fn get_distance(ctx: ActivityContext, _: ()) -> Result<String, ActivityError> {
            Ok(ctx.info().activity_type.clone())
        }
        let env = TestActivityEnvironment::new();
        assert_eq!(env.run(get_distance, ()).unwrap(), "GetDistance");
    }
}
