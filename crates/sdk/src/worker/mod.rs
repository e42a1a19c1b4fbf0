//! The worker: polls one task queue for workflow tasks (normal and its own sticky
//! queue) and activity tasks, runs them, answers the engine. Survives an engine that
//! is down (pollers back off, say so once), evicts runs the engine no longer knows,
//! and shuts down gracefully on Ctrl-C (ShutdownWorker, so the next task of its runs
//! goes straight to another worker).

mod activities;
mod args;
mod executor;

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use workshop_protocol::common::{TaskQueue, WorkflowExecution};
use workshop_protocol::enums::HistoryEventFilterType;
use workshop_protocol::rpc::{
    DescribeTaskQueueRequest, DescribeTaskQueueResponse, Empty, GetWorkflowExecutionHistoryRequest, GetWorkflowExecutionHistoryResponse, PollActivityTaskQueueRequest,
    PollActivityTaskQueueResponse, PollWorkflowTaskQueueRequest, PollWorkflowTaskQueueResponse,
    ResetStickyTaskQueueRequest, RespondWorkflowTaskCompletedRequest, RespondWorkflowTaskFailedRequest,
    ShutdownWorkerRequest, StickyExecutionAttributes,
};

pub use args::{WorkerArgs, run_from_args};

use crate::activity::ActivityContext;
use crate::client::Client;
use crate::error::{ActivityError, WorkflowError};
use crate::logging::LogSink;
use crate::registry::Registry;
use crate::transport::{Transport, TransportError};
use crate::workflow::WorkflowContext;

use executor::{ExecutorHandle, TaskOutcome};

/// The environment variable that sets the sticky schedule-to-start timeout in
/// milliseconds (tests shrink it).
pub const STICKY_TIMEOUT_ENV: &str = "WORKSHOP_STICKY_SCHEDULE_TO_START_MS";

/// How a worker polls and caches.
#[derive(Clone)]
pub struct WorkerOptions {
    pub task_queue: String,
    /// Defaults to the client's identity (`pid@hostname`).
    pub identity: Option<String>,
    pub max_concurrent_workflow_task_polls: usize,
    pub max_concurrent_activity_task_polls: usize,
    pub max_concurrent_activities: usize,
    /// Runs kept in memory between tasks (sticky execution); 0 disables stickiness.
    pub max_cached_workflows: usize,
    /// How long the engine waits for this worker to pick up a task on its sticky
    /// queue before giving it to any worker (Go's default: 5 s).
    pub sticky_schedule_to_start_timeout: Duration,
    /// Receives every log record of workflows and activities (test kits capture them).
    pub log_sink: Option<LogSink>,
}

impl WorkerOptions {
    pub fn new(task_queue: impl Into<String>) -> Self {
        let sticky = std::env::var(STICKY_TIMEOUT_ENV)
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
            .map(Duration::from_millis)
            .unwrap_or(Duration::from_secs(5));
        Self {
            task_queue: task_queue.into(),
            identity: None,
            max_concurrent_workflow_task_polls: 2,
            max_concurrent_activity_task_polls: 2,
            max_concurrent_activities: 100,
            max_cached_workflows: 1000,
            sticky_schedule_to_start_timeout: sticky,
            log_sink: None,
        }
    }
}

/// A worker for one task queue.
pub struct Worker {
    client: Client,
    options: WorkerOptions,
    registry: Registry,
}

/// What every poller and task of a running worker shares.
pub(crate) struct Shared {
    pub transport: Transport,
    pub namespace: String,
    pub task_queue: String,
    pub identity: String,
    pub sticky_queue: String,
    pub sink: Option<LogSink>,
    /// Set while the engine cannot be reached (so it is said once).
    pub unreachable: AtomicBool,
}

impl Worker {
    pub fn new(client: Client, task_queue: impl Into<String>) -> Self {
        Self::with_options(client, WorkerOptions::new(task_queue))
    }

    pub fn with_options(client: Client, options: WorkerOptions) -> Self {
        Self {
            client,
            options,
            registry: Registry::new(),
        }
    }

    pub fn options_mut(&mut self) -> &mut WorkerOptions {
        &mut self.options
    }

    pub fn registry_mut(&mut self) -> &mut Registry {
        &mut self.registry
    }

    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Registers a workflow under the PascalCase form of its function name.
    #[track_caller]
    pub fn register_workflow<F, Fut, I, O>(&mut self, workflow: F) -> &mut Self
    where
        F: Fn(WorkflowContext, I) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<O, WorkflowError>> + 'static,
        I: DeserializeOwned + 'static,
        O: Serialize + 'static,
    {
        let name = crate::names::required_type_name::<F>("workflow");
        self.register_workflow_as(&name, workflow)
    }

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

    /// Registers an activity under the PascalCase form of its function name.
    pub fn register_activity<F, Fut, I, O>(&mut self, activity: F) -> &mut Self
    where
        F: Fn(ActivityContext, I) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<O, ActivityError>> + 'static,
        I: DeserializeOwned + 'static,
        O: Serialize + 'static,
    {
        self.registry.register_activity(activity);
        self
    }

    pub fn register_activity_as<F, Fut, I, O>(&mut self, name: &str, activity: F) -> &mut Self
    where
        F: Fn(ActivityContext, I) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<O, ActivityError>> + 'static,
        I: DeserializeOwned + 'static,
        O: Serialize + 'static,
    {
        self.registry.register_activity_as(name, activity);
        self
    }

    /// Runs until Ctrl-C (SIGINT) or SIGTERM, then shuts down gracefully.
    pub async fn run(self) -> anyhow::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Runs until `shutdown` resolves, then stops polling, tells the engine
    /// (ShutdownWorker) and lets running tasks finish for a moment.
    pub async fn run_until(self, shutdown: impl Future<Output = ()>) -> anyhow::Result<()> {
        let identity = self
            .options
            .identity
            .clone()
            .unwrap_or_else(|| self.client.identity().to_string());
        let sticky_queue = format!("{identity}-{}", uuid::Uuid::new_v4().simple());
        let shared = Arc::new(Shared {
            transport: self.client.transport().clone(),
            namespace: self.client.namespace().to_string(),
            task_queue: self.options.task_queue.clone(),
            identity: identity.clone(),
            sticky_queue: sticky_queue.clone(),
            sink: self.options.log_sink.clone(),
            unreachable: AtomicBool::new(false),
        });
        let sticky = self.options.max_cached_workflows > 0;
        let executor = ExecutorHandle::start(self.registry.clone(), self.options.max_cached_workflows, shared.sink.clone());
        let (stop_tx, stop_rx) = watch::channel(false);
        let mut pollers = JoinSet::new();

        if self.registry.has_workflows() {
            for _ in 0..self.options.max_concurrent_workflow_task_polls.max(1) {
                pollers.spawn(workflow_poller(
                    shared.clone(),
                    executor.clone(),
                    TaskQueue::normal(&shared.task_queue),
                    sticky.then_some(self.options.sticky_schedule_to_start_timeout),
                    stop_rx.clone(),
                ));
            }
            if sticky {
                pollers.spawn(workflow_poller(
                    shared.clone(),
                    executor.clone(),
                    TaskQueue::sticky(&sticky_queue, &shared.task_queue),
                    Some(self.options.sticky_schedule_to_start_timeout),
                    stop_rx.clone(),
                ));
            }
        }
        let activity_slots = Arc::new(Semaphore::new(self.options.max_concurrent_activities.max(1)));
        let running_activities = Arc::new(tokio::sync::Mutex::new(JoinSet::new()));
        if self.registry.has_activities() {
            for _ in 0..self.options.max_concurrent_activity_task_polls.max(1) {
                pollers.spawn(activity_poller(
                    shared.clone(),
                    self.registry.clone(),
                    activity_slots.clone(),
                    running_activities.clone(),
                    stop_rx.clone(),
                ));
            }
        }
        tracing::info!(
            TaskQueue = %shared.task_queue,
            Identity = %identity,
            Workflows = %self.registry.workflow_types().collect::<Vec<_>>().join(","),
            Activities = %self.registry.activity_types().collect::<Vec<_>>().join(","),
            "worker started"
        );

        shutdown.await;
        tracing::info!("worker shutting down");
        let _ = stop_tx.send(true);
        // In-flight workflow tasks finish (they are quick); long polls are dropped.
        let drain = async { while pollers.join_next().await.is_some() {} };
        let _ = tokio::time::timeout(Duration::from_secs(5), drain).await;
        if self.registry.has_workflows() {
            let answer = shared
                .transport
                .post_rpc::<_, Empty>(
                    "ShutdownWorker",
                    &ShutdownWorkerRequest {
                        namespace: shared.namespace.clone(),
                        sticky_task_queue: sticky_queue,
                        identity,
                        reason: "graceful shutdown".into(),
                    },
                )
                .await;
            if let Err(e) = answer {
                tracing::debug!("ShutdownWorker not delivered: {e}");
            }
        }
        let mut running = running_activities.lock().await;
        let drain = async { while running.join_next().await.is_some() {} };
        if tokio::time::timeout(Duration::from_secs(2), drain).await.is_err() {
            tracing::warn!("activities still running at shutdown were abandoned; the engine will retry them");
        }
        Ok(())
    }
}

/// Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                return;
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Backoff for a poller that cannot reach the engine: 100 ms doubling to 2 s.
struct Backoff {
    next: Duration,
}

impl Backoff {
    const FIRST: Duration = Duration::from_millis(100);
    const MAX: Duration = Duration::from_secs(2);

    fn new() -> Self {
        Self { next: Self::FIRST }
    }

    fn reset(&mut self) {
        self.next = Self::FIRST;
    }

    fn next_delay(&mut self) -> Duration {
        let d = self.next;
        self.next = (self.next * 2).min(Self::MAX);
        d
    }
}

impl Shared {
    /// Notes a poll error; says "cannot reach" once per outage.
    fn poll_failed(&self, error: &TransportError) {
        if error.is_unreachable() || error.is_retryable() {
            if !self.unreachable.swap(true, Ordering::SeqCst) {
                tracing::warn!(
                    "cannot reach the workshop server at {} ({error}); retrying until it is back",
                    self.transport.address()
                );
            }
        } else {
            tracing::error!("polling failed: {error}");
        }
    }

    /// After an outage, a quick call tells whether the engine is back (a long poll
    /// would only say so when it returns).
    async fn probe(&self) {
        if !self.unreachable.load(Ordering::SeqCst) {
            return;
        }
        let answer = self
            .transport
            .post_rpc::<_, DescribeTaskQueueResponse>(
                "DescribeTaskQueue",
                &DescribeTaskQueueRequest {
                    namespace: self.namespace.clone(),
                    task_queue: TaskQueue::normal(&self.task_queue),
                },
            )
            .await;
        if answer.is_ok() {
            self.poll_succeeded();
        }
    }

    fn poll_succeeded(&self) {
        if self.unreachable.swap(false, Ordering::SeqCst) {
            tracing::info!("reconnected to the workshop server at {}", self.transport.address());
        }
    }
}

async fn stopped(stop: &mut watch::Receiver<bool>) {
    while !*stop.borrow() {
        if stop.changed().await.is_err() {
            return;
        }
    }
}

async fn workflow_poller(
    shared: Arc<Shared>,
    executor: ExecutorHandle,
    task_queue: TaskQueue,
    sticky_timeout: Option<Duration>,
    mut stop: watch::Receiver<bool>,
) {
    let mut backoff = Backoff::new();
    let request = PollWorkflowTaskQueueRequest {
        namespace: shared.namespace.clone(),
        task_queue,
        identity: shared.identity.clone(),
    };
    loop {
        if *stop.borrow() {
            return;
        }
        let poll = shared
            .transport
            .post_rpc::<_, PollWorkflowTaskQueueResponse>("PollWorkflowTaskQueue", &request);
        let answer = tokio::select! {
            biased;
            _ = stopped(&mut stop) => return,
            answer = poll => answer,
        };
        match answer {
            Ok(task) => {
                shared.poll_succeeded();
                backoff.reset();
                if !task.is_empty() {
                    handle_workflow_task(&shared, &executor, task, sticky_timeout).await;
                }
            }
            Err(e) => {
                shared.poll_failed(&e);
                let delay = backoff.next_delay();
                tokio::select! {
                    _ = stopped(&mut stop) => return,
                    _ = tokio::time::sleep(delay) => {}
                }
                shared.probe().await;
            }
        }
    }
}

async fn handle_workflow_task(
    shared: &Arc<Shared>,
    executor: &ExecutorHandle,
    mut task: PollWorkflowTaskQueueResponse,
    sticky_timeout: Option<Duration>,
) {
    let execution = task.workflow_execution.clone().unwrap_or_default();
    if !task.next_page_token.is_empty() {
        let token = std::mem::take(&mut task.next_page_token);
        match fetch_history(shared, &execution, token).await {
            Ok(mut rest) => task.history.events.append(&mut rest),
            Err(e) => {
                tracing::warn!(WorkflowID = %execution.workflow_id, "cannot read the rest of the history: {e}");
                return;
            }
        }
    }
    let attempt = task.attempt;
    let token = task.task_token.clone();
    let started_event_id = task.started_event_id;
    let mut result = executor.run_task(&shared.namespace, task.clone()).await;
    if matches!(result.outcome, TaskOutcome::NeedFullHistory) {
        match fetch_history(shared, &execution, Vec::new()).await {
            Ok(mut events) => {
                if started_event_id > 0 {
                    events.retain(|e| e.event_id <= started_event_id);
                }
                task.history.events = events;
                result = executor.run_task(&shared.namespace, task).await;
            }
            Err(e) => {
                tracing::warn!(WorkflowID = %execution.workflow_id, "cannot read the history: {e}");
                return;
            }
        }
    }
    for evicted in &result.evicted {
        reset_sticky(shared, evicted).await;
    }
    let answer = match result.outcome {
        TaskOutcome::Complete { commands } => {
            shared
                .transport
                .post_rpc::<_, Empty>(
                    "RespondWorkflowTaskCompleted",
                    &RespondWorkflowTaskCompletedRequest {
                        namespace: shared.namespace.clone(),
                        task_token: token,
                        commands,
                        identity: shared.identity.clone(),
                        sticky_attributes: sticky_timeout.map(|timeout| StickyExecutionAttributes {
                            worker_task_queue: TaskQueue::sticky(&shared.sticky_queue, &shared.task_queue),
                            schedule_to_start_timeout: Some(timeout),
                        }),
                    },
                )
                .await
        }
        TaskOutcome::Fail { cause, failure, report } => {
            executor.evict(&execution.run_id);
            if attempt <= 1 {
                tracing::error!(
                    WorkflowID = %execution.workflow_id,
                    RunID = %execution.run_id,
                    "workflow task failed:\n{report}"
                );
                shared
                    .transport
                    .post_rpc::<_, Empty>(
                        "RespondWorkflowTaskFailed",
                        &RespondWorkflowTaskFailedRequest {
                            namespace: shared.namespace.clone(),
                            task_token: token,
                            cause: Some(cause),
                            failure: Some(*failure),
                            identity: shared.identity.clone(),
                        },
                    )
                    .await
            } else {
                // Reported on attempt 1 already; letting later attempts time out keeps
                // a broken worker from spinning.
                tracing::warn!(
                    WorkflowID = %execution.workflow_id,
                    RunID = %execution.run_id,
                    Attempt = attempt,
                    "workflow task failed again (not reported; it will time out): {}",
                    report.lines().next().unwrap_or_default()
                );
                Ok(Empty {})
            }
        }
        TaskOutcome::NeedFullHistory => {
            executor.evict(&execution.run_id);
            tracing::warn!(WorkflowID = %execution.workflow_id, "the history does not continue the cached run; dropping the task");
            Ok(Empty {})
        }
    };
    if let Err(e) = answer {
        executor.evict(&execution.run_id);
        if e.is_not_found() {
            tracing::info!(
                WorkflowID = %execution.workflow_id,
                RunID = %execution.run_id,
                "the engine no longer expects this workflow task (the run closed or the task timed out); evicted"
            );
        } else {
            tracing::warn!(WorkflowID = %execution.workflow_id, "cannot answer the workflow task: {e}");
        }
    }
}

/// The history of a run from `token` on (all pages).
async fn fetch_history(
    shared: &Arc<Shared>,
    execution: &WorkflowExecution,
    mut token: Vec<u8>,
) -> Result<Vec<workshop_protocol::event::HistoryEvent>, TransportError> {
    let mut events = Vec::new();
    loop {
        let page = shared
            .transport
            .post_rpc::<_, GetWorkflowExecutionHistoryResponse>(
                "GetWorkflowExecutionHistory",
                &GetWorkflowExecutionHistoryRequest {
                    namespace: shared.namespace.clone(),
                    execution: execution.clone(),
                    maximum_page_size: 1000,
                    next_page_token: token,
                    wait_new_event: false,
                    history_event_filter_type: None::<HistoryEventFilterType>,
                },
            )
            .await?;
        events.extend(page.history.events);
        if page.next_page_token.is_empty() {
            return Ok(events);
        }
        token = page.next_page_token;
    }
}

async fn reset_sticky(shared: &Arc<Shared>, execution: &WorkflowExecution) {
    let answer = shared
        .transport
        .post_rpc::<_, Empty>(
            "ResetStickyTaskQueue",
            &ResetStickyTaskQueueRequest {
                namespace: shared.namespace.clone(),
                execution: execution.clone(),
            },
        )
        .await;
    if let Err(e) = answer {
        tracing::debug!("ResetStickyTaskQueue not delivered: {e}");
    }
}

async fn activity_poller(
    shared: Arc<Shared>,
    registry: Registry,
    slots: Arc<Semaphore>,
    running: Arc<tokio::sync::Mutex<JoinSet<()>>>,
    mut stop: watch::Receiver<bool>,
) {
    let mut backoff = Backoff::new();
    let request = PollActivityTaskQueueRequest {
        namespace: shared.namespace.clone(),
        task_queue: TaskQueue::normal(&shared.task_queue),
        identity: shared.identity.clone(),
    };
    loop {
        if *stop.borrow() {
            return;
        }
        let permit = tokio::select! {
            biased;
            _ = stopped(&mut stop) => return,
            permit = slots.clone().acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => return,
            },
        };
        let poll = shared
            .transport
            .post_rpc::<_, PollActivityTaskQueueResponse>("PollActivityTaskQueue", &request);
        let answer = tokio::select! {
            biased;
            _ = stopped(&mut stop) => return,
            answer = poll => answer,
        };
        match answer {
            Ok(task) => {
                shared.poll_succeeded();
                backoff.reset();
                if !task.is_empty() {
                    let shared = shared.clone();
                    let registry = registry.clone();
                    let mut running = running.lock().await;
                    // Finished tasks stay in the set until joined.
                    while running.try_join_next().is_some() {}
                    running.spawn(async move {
                        activities::run_activity_task(shared, registry, task).await;
                        drop(permit);
                    });
                }
            }
            Err(e) => {
                drop(permit);
                shared.poll_failed(&e);
                let delay = backoff.next_delay();
                tokio::select! {
                    _ = stopped(&mut stop) => return,
                    _ = tokio::time::sleep(delay) => {}
                }
                shared.probe().await;
            }
        }
    }
}
