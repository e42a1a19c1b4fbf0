//! `TestWorkflowEnvironment`: runs workflows end to end in a plain `#[test] fn`: the
//! engine in-process (in-memory database, virtual clock with time skipping), a worker of
//! the registered workflows and of real or mocked activities, and what the run left:
//! its result or typed failure, its history, the activity calls, the log lines, and the
//! virtual time that passed.
//!
//! Each `execute_workflow` runs on a fresh engine and a fresh worker (same virtual
//! clock), so one run cannot leak tasks into the next. The worker keeps no workflow
//! cache by default: every workflow task replays the run from its start, so workflow
//! code that is not deterministic fails in the test, and replayed log lines show up in
//! `logs()` flagged `replaying`.

use std::collections::BTreeSet;
use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;
use workshop_engine::{Clock, Db, Engine, EngineConfig, RunningEngine, Settings, VirtualClock};
use workshop_protocol::history::History;
use workshop_protocol::payload::{Payload, Payloads};

use crate::activity::ActivityContext;
use crate::client::{Client, ClientOptions, WorkflowOptions};
use crate::error::{ActivityError, WorkflowError};
use crate::names;
use crate::registry::Registry;
use crate::worker::{Worker, WorkerOptions};
use crate::workflow::WorkflowContext;

use super::activity_calls::{ActivityCall, CallRecorder};
use super::failure::WorkflowFailure;
use super::logs::{LogCapture, LogRecord};
use super::time_skipping::TimeSkipper;

pub const DEFAULT_WORKFLOW_ID: &str = "test-workflow";
pub const DEFAULT_TASK_QUEUE: &str = "test-task-queue";

/// A workflow test environment. Register workflows and activities (or mocks), then
/// `execute_workflow`; inspect the last run afterwards.
pub struct TestWorkflowEnvironment {
    runtime: Option<tokio::runtime::Runtime>,
    clock: Arc<VirtualClock>,
    started_at: DateTime<Utc>,
    /// The engine for the next run (one is started up front so that a broken engine
    /// shows at `new()`).
    engine: Option<RunningEngine>,
    registry: Registry,
    calls: CallRecorder,
    logs: LogCapture,
    workflow_id: String,
    task_queue: String,
    max_cached_workflows: usize,
    execution_timeout: Option<Duration>,
    history: History,
}

impl Default for TestWorkflowEnvironment {
    fn default() -> Self {
        Self::new()
    }
}

impl TestWorkflowEnvironment {
    /// Starts the in-process engine; panics with the reason if it cannot.
    pub fn new() -> Self {
        refuse_async_context("TestWorkflowEnvironment");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .thread_name("test-workflow-env")
            .build()
            .unwrap_or_else(|e| panic!("TestWorkflowEnvironment: cannot create an async runtime: {e}"));
        let clock = Arc::new(VirtualClock::starting_now());
        let started_at = clock.now();
        let engine = runtime
            .block_on(start_engine(&clock))
            .unwrap_or_else(|e| panic!("TestWorkflowEnvironment: cannot start the in-process engine: {e:#}"));
        Self {
            runtime: Some(runtime),
            clock,
            started_at,
            engine: Some(engine),
            registry: Registry::new(),
            calls: CallRecorder::default(),
            logs: LogCapture::default(),
            workflow_id: DEFAULT_WORKFLOW_ID.to_string(),
            task_queue: DEFAULT_TASK_QUEUE.to_string(),
            max_cached_workflows: 0,
            execution_timeout: None,
            history: History::default(),
        }
    }

    /// Registers a workflow under the PascalCase form of its function name.
    /// (`execute_workflow` registers the workflow it runs if needed.)
    #[track_caller]
    pub fn register_workflow<F, Fut, I, O>(&mut self, workflow: F) -> &mut Self
    where
        F: Fn(WorkflowContext, I) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<O, WorkflowError>> + 'static,
        I: DeserializeOwned + 'static,
        O: Serialize + 'static,
    {
        self.registry.register_workflow(workflow);
        self
    }

    /// Registers a workflow under an explicit type name.
    #[track_caller]
    pub fn register_workflow_as<F, Fut, I, O>(&mut self, name: &str, workflow: F) -> &mut Self
    where
        F: Fn(WorkflowContext, I) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<O, WorkflowError>> + 'static,
        I: DeserializeOwned + 'static,
        O: Serialize + 'static,
    {
        self.registry.register_workflow_as(name, workflow);
        self
    }

    /// Registers the real activity under the PascalCase form of its function name.
    pub fn register_activity<F, Fut, I, O>(&mut self, activity: F) -> &mut Self
    where
        F: Fn(ActivityContext, I) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<O, ActivityError>> + 'static,
        I: DeserializeOwned + 'static,
        O: Serialize + 'static,
    {
        let name = names::required_type_name::<F>("activity");
        self.register_activity_as(&name, activity)
    }

    /// Registers the real activity under an explicit type name.
    pub fn register_activity_as<F, Fut, I, O>(&mut self, name: &str, activity: F) -> &mut Self
    where
        F: Fn(ActivityContext, I) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<O, ActivityError>> + 'static,
        I: DeserializeOwned + 'static,
        O: Serialize + 'static,
    {
        self.calls.register(&mut self.registry, name, activity);
        self
    }

    /// Replaces `activity` (named by the function itself, so input and output stay
    /// typed) with `mock`, which answers every call. The last registration of a type wins.
    pub fn mock_activity<F, Fut, I, O, M>(&mut self, activity: F, mock: M) -> &mut Self
    where
        F: Fn(ActivityContext, I) -> Fut,
        Fut: Future<Output = Result<O, ActivityError>>,
        M: Fn(I) -> Result<O, ActivityError> + Send + Sync + 'static,
        I: DeserializeOwned + 'static,
        O: Serialize + 'static,
    {
        let _ = activity;
        let name = names::required_type_name::<F>("activity");
        self.calls.register_mock(&mut self.registry, &name, mock);
        self
    }

    /// Mocks `activity` with a fixed result.
    pub fn mock_activity_result<F, Fut, I, O>(&mut self, activity: F, result: O) -> &mut Self
    where
        F: Fn(ActivityContext, I) -> Fut,
        Fut: Future<Output = Result<O, ActivityError>>,
        I: DeserializeOwned + 'static,
        O: Serialize + Clone + Send + Sync + 'static,
    {
        self.mock_activity(activity, move |_: I| Ok(result.clone()))
    }

    /// Mocks `activity` with a fixed error (every attempt fails with it).
    pub fn mock_activity_error<F, Fut, I, O>(&mut self, activity: F, error: ActivityError) -> &mut Self
    where
        F: Fn(ActivityContext, I) -> Fut,
        Fut: Future<Output = Result<O, ActivityError>>,
        I: DeserializeOwned + 'static,
        O: Serialize + 'static,
    {
        self.mock_activity(activity, move |_: I| Err::<O, _>(error.clone()))
    }

    /// The workflow ID of the next run (default `test-workflow`).
    pub fn set_workflow_id(&mut self, workflow_id: impl Into<String>) -> &mut Self {
        self.workflow_id = workflow_id.into();
        self
    }

    /// The task queue of the next run (default `test-task-queue`).
    pub fn set_task_queue(&mut self, task_queue: impl Into<String>) -> &mut Self {
        self.task_queue = task_queue.into();
        self
    }

    /// Limits the next runs as the start option `execution_timeout` does: a run still
    /// open after this much (virtual) time closes as `WorkflowFailure::TimedOut`.
    pub fn set_execution_timeout(&mut self, timeout: Duration) -> &mut Self {
        self.execution_timeout = Some(timeout);
        self
    }

    /// Runs kept cached by the worker between workflow tasks. 0 (the default) replays
    /// every workflow task from the start of the run.
    pub fn set_max_cached_workflows(&mut self, runs: usize) -> &mut Self {
        self.max_cached_workflows = runs;
        self
    }

    /// Registers `workflow` if needed, starts it with `input`, and drives it to its
    /// close, skipping time: its result, or how it failed.
    #[track_caller]
    pub fn execute_workflow<F, Fut, I, O>(&mut self, workflow: F, input: I) -> Result<O, WorkflowFailure>
    where
        F: Fn(WorkflowContext, I) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<O, WorkflowError>> + 'static,
        I: Serialize + DeserializeOwned + 'static,
        O: Serialize + DeserializeOwned + 'static,
    {
        let name = names::required_type_name::<F>("workflow");
        if self.registry.workflow(&name).is_none() {
            self.registry.register_workflow_as(&name, workflow);
        }
        self.execute_workflow_as(&name, input)
    }

    /// Starts the workflow registered as `workflow_type` and drives it to its close.
    pub fn execute_workflow_as<I, O>(&mut self, workflow_type: &str, input: I) -> Result<O, WorkflowFailure>
    where
        I: Serialize,
        O: DeserializeOwned,
    {
        let input = Payloads::json(&input)
            .unwrap_or_else(|e| panic!("the input of workflow {workflow_type} does not serialize to JSON: {e}"));
        let payload = self.run(workflow_type, input)?;
        let decoded = match &payload {
            Some(p) => p.decode::<O>().map_err(|e| e.to_string()),
            None => serde_json::from_value::<O>(serde_json::Value::Null).map_err(|e| e.to_string()),
        };
        match decoded {
            Ok(output) => Ok(output),
            Err(e) => panic!(
                "the result of workflow {workflow_type} does not decode as {}: {e}",
                std::any::type_name::<O>()
            ),
        }
    }

    /// The history of the last run.
    pub fn history(&self) -> History {
        self.history.clone()
    }

    /// The activity calls of the last run, in call order (one per attempt).
    pub fn activity_calls(&self) -> Vec<ActivityCall> {
        self.calls.calls()
    }

    /// The log lines of workflows and activities in the last run, replayed ones flagged.
    pub fn logs(&self) -> Vec<LogRecord> {
        self.logs.records()
    }

    /// Virtual time since the environment was created: skipped time plus the real time
    /// that passed while work was running.
    pub fn virtual_time_elapsed(&self) -> Duration {
        (self.clock.now() - self.started_at).to_std().unwrap_or_default()
    }

    /// The environment's current virtual time.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    fn run(&mut self, workflow_type: &str, input: Payloads) -> Result<Option<Payload>, WorkflowFailure> {
        if self.registry.workflow(workflow_type).is_none() {
            let known: Vec<&str> = self.registry.workflow_types().collect();
            panic!(
                "workflow type {workflow_type} is not registered in this test environment (registered: {})",
                known.join(", ")
            );
        }
        self.calls.clear();
        self.logs.clear();
        self.history = History::default();
        let runtime = self.runtime.as_ref().expect("the runtime lives as long as the environment");
        let engine = match self.engine.take() {
            Some(engine) => engine,
            None => runtime
                .block_on(start_engine(&self.clock))
                .unwrap_or_else(|e| panic!("TestWorkflowEnvironment: cannot start the in-process engine: {e:#}")),
        };
        let client = Client::new(ClientOptions {
            address: engine.url(),
            namespace: "default".to_string(),
            identity: "test-environment".to_string(),
        })
        .unwrap_or_else(|e| panic!("TestWorkflowEnvironment: cannot create a client: {e}"));
        let mut options = WorkerOptions::new(self.task_queue.clone());
        options.identity = Some("test-worker".to_string());
        options.max_cached_workflows = self.max_cached_workflows;
        options.log_sink = Some(self.logs.sink());
        let mut worker = Worker::with_options(client.clone(), options);
        *worker.registry_mut() = self.registry.clone();
        let skipper = TimeSkipper {
            engine: &engine,
            clock: &self.clock,
            activity_types: self.registry.activity_types().map(str::to_string).collect::<BTreeSet<_>>(),
            task_queue: self.task_queue.clone(),
        };
        let mut workflow_options = WorkflowOptions::new(self.workflow_id.clone(), self.task_queue.clone());
        workflow_options.execution_timeout = self.execution_timeout;
        let (outcome, history) = runtime.block_on(async {
            let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
            let worker_task = tokio::spawn(worker.run_until(async {
                let _ = stop_rx.await;
            }));
            let handle = client
                .start_workflow_with_payloads(workflow_type, Some(input), workflow_options)
                .await
                .unwrap_or_else(|e| panic!("TestWorkflowEnvironment: cannot start workflow {workflow_type}: {e}"));
            let waiter = handle.clone();
            let result = tokio::spawn(async move { waiter.result_payload().await });
            let outcome = skipper.drive(&handle, result).await;
            let history = handle.history().await.unwrap_or_default();
            let _ = stop_tx.send(());
            let _ = tokio::time::timeout(Duration::from_secs(10), worker_task).await;
            (outcome, history)
        });
        self.history = history;
        runtime.block_on(async {
            let _ = tokio::time::timeout(Duration::from_secs(5), engine.shutdown()).await;
        });
        outcome
    }
}

impl Drop for TestWorkflowEnvironment {
    fn drop(&mut self) {
        // Blocking HTTP calls of the worker may still be on the blocking pool; do not
        // wait for them.
        drop(self.engine.take());
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// The environments block on their own runtime; inside another one that would panic
/// with a message about nested runtimes that does not say what to do.
pub(crate) fn refuse_async_context(what: &str) {
    if tokio::runtime::Handle::try_current().is_ok() {
        panic!(
            "{what} is synchronous and runs its own async runtime: use it from a plain #[test] fn, \
             not from #[tokio::test] or other async code"
        );
    }
}

async fn start_engine(clock: &Arc<VirtualClock>) -> anyhow::Result<RunningEngine> {
    let settings = Settings {
        // Polls of a stopped worker end soon after its run.
        long_poll_timeout: Duration::from_secs(5),
        // Poller liveness is measured on the engine's clock, which jumps here: a jump
        // past the window would make the worker's sticky queue look dead while its
        // poller is merely between two polls. The environment's worker lives as long
        // as the run.
        sticky_unavailable_after: Duration::from_secs(10 * 365 * 24 * 3600),
        ..Settings::default()
    };
    Engine::start(EngineConfig {
        db: Db::InMemory,
        clock: clock.clone(),
        settings,
        bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
    })
    .await
}
