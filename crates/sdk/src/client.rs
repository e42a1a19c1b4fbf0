//! The Temporal client: start workflow executions and talk to them from outside.
//!
//! What the course's `starter` programs and the `temporal` CLI do: connect to the service
//! (address + namespace), start a workflow execution (workflow ID, type, task queue,
//! input), then, through a [`WorkflowHandle`], wait for its result, describe it, signal,
//! cancel or terminate it, and read its event history. Everything goes through the
//! engine's HTTP API (Temporal's paths, see [`crate::transport`]).
//!
//! A workflow's outcome is typed: `result::<O>()` answers `Ok(O)` when the run completed,
//! or [`ClientError::Workflow`] with a [`WorkflowFailure`] that tells Failed, TimedOut,
//! Terminated and Canceled apart. A run that continued-as-new is followed to its new run,
//! as Temporal's SDKs do.

use std::fmt;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use workshop_protocol::common::{TaskQueue, WorkflowExecution, WorkflowType};
use workshop_protocol::enums::{RetryState, TaskQueueKind};
use workshop_protocol::error::Code;
use workshop_protocol::event::{EventAttributes, HistoryEvent};
use workshop_protocol::failure::Failure;
use workshop_protocol::history::History;
use workshop_protocol::payload::{Payload, Payloads};
use workshop_protocol::rpc::{
    DescribeTaskQueueResponse, DescribeWorkflowExecutionResponse,
    GetWorkflowExecutionHistoryResponse, ListNamespacesResponse, ListWorkflowExecutionsResponse,
    RegisterNamespaceRequest, RequestCancelWorkflowExecutionRequest,
    SignalWorkflowExecutionRequest, StartWorkflowExecutionRequest, StartWorkflowExecutionResponse,
    TerminateWorkflowExecutionRequest, WorkflowExecutionInfo,
};

use crate::transport::{ADDRESS_ENV, DEFAULT_ADDRESS, Transport, TransportError, path_segment};

/// The namespace every engine has, and the one used when none is given.
pub const DEFAULT_NAMESPACE: &str = "default";

/// How many times a start is sent again, with the same request ID, when the engine could
/// not be reached or did not answer: the engine deduplicates by request ID, so a start
/// that did land is not repeated.
const START_ATTEMPTS: u32 = 3;

/// How long `result()` waits for an engine that went away after answering (a restart).
const RESULT_RECONNECT_LIMIT: Duration = Duration::from_secs(120);

/// Where and as whom the client talks to the engine.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// `host:port` or `http://host:port` of the engine.
    pub address: String,
    /// Namespace of every call made through this client.
    pub namespace: String,
    /// Who is calling, written into events this client causes (`WorkflowExecutionStarted`,
    /// `WorkflowExecutionTerminated`, ...).
    pub identity: String,
}

impl Default for ClientOptions {
    /// `$WORKSHOP_ADDRESS` or `127.0.0.1:7233`, namespace `default`, identity `pid@host`.
    fn default() -> Self {
        ClientOptions {
            address: std::env::var(ADDRESS_ENV)
                .ok()
                .filter(|a| !a.trim().is_empty())
                .unwrap_or_else(|| DEFAULT_ADDRESS.to_string()),
            namespace: DEFAULT_NAMESPACE.to_string(),
            identity: default_identity(),
        }
    }
}

/// `pid@hostname`, the identity Temporal's SDKs give a process.
pub fn default_identity() -> String {
    format!(
        "{}@{}",
        std::process::id(),
        gethostname::gethostname().to_string_lossy()
    )
}

/// What can go wrong talking to a workflow from outside.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The engine could not be reached, or answered with an error.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// A run with this workflow ID is already running (Temporal's
    /// WorkflowExecutionAlreadyStarted). Only one run per workflow ID may be open.
    #[error("workflow execution already started: workflow ID `{workflow_id}` is running as run {}", .run_id.as_deref().unwrap_or("(unknown)"))]
    AlreadyStarted {
        workflow_id: String,
        run_id: Option<String>,
        message: String,
    },
    /// The run closed without a result (boxed: failures are large, errors travel far).
    #[error(transparent)]
    Workflow(Box<WorkflowExecutionError>),
    /// An input could not be turned into a payload.
    #[error("cannot encode {what} as JSON: {message}")]
    Encode { what: String, message: String },
    /// The run's result does not decode into the type asked for.
    #[error("the result of workflow `{workflow_id}` does not decode as {type_name}: {message}")]
    Decode {
        workflow_id: String,
        type_name: &'static str,
        message: String,
    },
}

impl From<WorkflowExecutionError> for ClientError {
    fn from(error: WorkflowExecutionError) -> Self {
        ClientError::Workflow(Box::new(error))
    }
}

impl ClientError {
    /// The engine's NotFound: unknown namespace, workflow ID or run ID.
    pub fn is_not_found(&self) -> bool {
        matches!(self, ClientError::Transport(e) if e.is_not_found())
    }

    /// Nothing listens at the address.
    pub fn is_unreachable(&self) -> bool {
        matches!(self, ClientError::Transport(e) if e.is_unreachable())
    }

    /// The failure of the run, when it closed without a result.
    pub fn workflow_failure(&self) -> Option<&WorkflowFailure> {
        match self {
            ClientError::Workflow(e) => Some(&e.failure),
            _ => None,
        }
    }
}

/// A run that closed without a result: which run, and how it closed.
#[derive(Debug, Clone, thiserror::Error)]
#[error("workflow `{workflow_id}` (run {run_id}) {failure}")]
pub struct WorkflowExecutionError {
    pub workflow_id: String,
    pub run_id: String,
    pub failure: WorkflowFailure,
}

/// How a run closed, when it did not complete: Temporal's close states other than
/// Completed (ContinuedAsNew is followed, never returned).
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant)] // Built once per closed run; boxing would only add noise to matches.
pub enum WorkflowFailure {
    /// The workflow returned an error (WorkflowExecutionFailed); `failure` holds its
    /// message, type and cause chain (e.g. the activity failure that ended it).
    Failed {
        failure: Failure,
        retry_state: Option<RetryState>,
    },
    /// The execution or run timeout from the start options passed (WorkflowExecutionTimedOut).
    TimedOut { retry_state: Option<RetryState> },
    /// Someone terminated the run (WorkflowExecutionTerminated): no workflow code ran
    /// after that.
    Terminated { reason: String, identity: String },
    /// The workflow accepted a cancellation request and closed as Canceled.
    Canceled { details: Option<Payloads> },
}

impl fmt::Display for WorkflowFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WorkflowFailure::Failed { failure, .. } => {
                write!(f, "failed: {}", failure_chain(failure))
            }
            WorkflowFailure::TimedOut { .. } => write!(f, "timed out"),
            WorkflowFailure::Terminated { reason, identity } => {
                write!(f, "was terminated")?;
                if !reason.is_empty() {
                    write!(f, ": {reason}")?;
                }
                if !identity.is_empty() {
                    write!(f, " (by {identity})")?;
                }
                Ok(())
            }
            WorkflowFailure::Canceled { .. } => write!(f, "was canceled"),
        }
    }
}

/// A failure and its causes on one line: `Activity task failed: caused by: card declined
/// (type CardDeclined, non-retryable)`.
pub fn failure_chain(failure: &Failure) -> String {
    let mut out = String::new();
    let mut next = Some(failure);
    while let Some(f) = next {
        if !out.is_empty() {
            out.push_str(": caused by: ");
        }
        out.push_str(if f.message.is_empty() {
            "(no message)"
        } else {
            &f.message
        });
        if let Some(info) = &f.application_failure_info {
            let mut notes = Vec::new();
            if !info.r#type.is_empty() {
                notes.push(format!("type {}", info.r#type));
            }
            if info.non_retryable {
                notes.push("non-retryable".to_string());
            }
            if !notes.is_empty() {
                out.push_str(&format!(" ({})", notes.join(", ")));
            }
        }
        if let Some(timeout_type) = f.timeout_failure_info.as_ref().and_then(|i| i.timeout_type) {
            out.push_str(&format!(" ({})", timeout_type.short_name()));
        }
        next = f.cause.as_deref();
    }
    out
}

/// Something that names a workflow type: its registered name as a string, or the
/// workflow function itself (named as the worker registers it: `pizza_workflow` ->
/// `PizzaWorkflow`). So `start_workflow(pizza_workflow, ...)` and
/// `start_workflow("PizzaWorkflow", ...)` both work. `Marker` only tells the two kinds of
/// implementations apart; callers never name it.
pub trait WorkflowTypeName<Marker = ()> {
    /// `None` when no name can be derived (a closure): pass the name as a string then.
    fn workflow_type_name(&self) -> Option<String>;
}

impl WorkflowTypeName for &str {
    fn workflow_type_name(&self) -> Option<String> {
        Some(self.to_string())
    }
}

impl WorkflowTypeName for String {
    fn workflow_type_name(&self) -> Option<String> {
        Some(self.clone())
    }
}

impl WorkflowTypeName for &String {
    fn workflow_type_name(&self) -> Option<String> {
        Some((*self).clone())
    }
}

/// Marks the implementation of [`WorkflowTypeName`] for workflow functions.
#[doc(hidden)]
pub struct WorkflowFnMarker<I, Fut>(std::marker::PhantomData<fn(I) -> Fut>);

impl<F, I, Fut> WorkflowTypeName<WorkflowFnMarker<I, Fut>> for F
where
    F: Fn(crate::workflow::WorkflowContext, I) -> Fut,
{
    fn workflow_type_name(&self) -> Option<String> {
        crate::names::type_name_of::<F>()
    }
}

/// Options of one workflow start, as in Temporal's `StartWorkflowOptions`.
#[derive(Debug, Clone, Default)]
pub struct WorkflowOptions {
    /// The workflow ID: your business identifier (`pizza-workflow-order-Z1238`). At most
    /// one run per ID is open at a time.
    pub id: String,
    /// The task queue whose workers run this workflow.
    pub task_queue: String,
    /// Limit for the whole execution, across retries and continue-as-new.
    pub execution_timeout: Option<Duration>,
    /// Limit for one run.
    pub run_timeout: Option<Duration>,
    /// Start-to-close limit of each workflow task (10 s when unset).
    pub task_timeout: Option<Duration>,
    /// Makes the start idempotent: a start sent again with the same request ID returns
    /// the run the first one created. Generated (and reused on retries) when unset.
    pub request_id: Option<String>,
}

impl WorkflowOptions {
    /// Options with a workflow ID and a task queue, the two a start needs.
    pub fn new(id: impl Into<String>, task_queue: impl Into<String>) -> Self {
        WorkflowOptions {
            id: id.into(),
            task_queue: task_queue.into(),
            ..Default::default()
        }
    }
}

/// A connection to the engine for one namespace. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Client {
    transport: Transport,
    namespace: String,
    identity: String,
}

impl Client {
    /// A client for `options.address`. Makes no call: an engine that is down shows up as
    /// [`TransportError::Unreachable`] on the first request (workers wait for it; the CLI
    /// says how to start one).
    pub async fn connect(options: ClientOptions) -> Result<Client, ClientError> {
        Client::new(options)
    }

    /// [`Client::connect`] for code that is not async.
    pub fn new(options: ClientOptions) -> Result<Client, ClientError> {
        let transport = Transport::new(&options.address)?;
        Ok(Client {
            transport,
            namespace: if options.namespace.is_empty() {
                DEFAULT_NAMESPACE.to_string()
            } else {
                options.namespace
            },
            identity: if options.identity.is_empty() {
                default_identity()
            } else {
                options.identity
            },
        })
    }

    /// The HTTP layer, shared with workers built on this client.
    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    pub fn identity(&self) -> &str {
        &self.identity
    }

    /// The same connection, for another namespace.
    pub fn with_namespace(&self, namespace: impl Into<String>) -> Client {
        Client {
            namespace: namespace.into(),
            ..self.clone()
        }
    }

    /// Starts a workflow execution and returns a handle on it. `workflow` is the
    /// registered type name (or a workflow definition), `input` its one input struct.
    pub async fn start_workflow<W, M, I>(
        &self,
        workflow: W,
        input: &I,
        options: WorkflowOptions,
    ) -> Result<WorkflowHandle, ClientError>
    where
        W: WorkflowTypeName<M>,
        I: Serialize + ?Sized,
    {
        let workflow_type = workflow
            .workflow_type_name()
            .ok_or_else(|| ClientError::Encode {
                what: "the workflow type".into(),
                message: format!(
                    "no type name can be derived from `{}`: pass the registered name as a string",
                    std::any::type_name::<W>()
                ),
            })?;
        let payload = Payload::json(input).map_err(|e| ClientError::Encode {
            what: format!("the input of workflow {workflow_type}"),
            message: e.to_string(),
        })?;
        self.start_workflow_with_payloads(&workflow_type, Some(Payloads::single(payload)), options)
            .await
    }

    /// [`Client::start_workflow`] with input already encoded (the CLI passes raw JSON;
    /// `None` starts without input).
    pub async fn start_workflow_with_payloads(
        &self,
        workflow_type: &str,
        input: Option<Payloads>,
        options: WorkflowOptions,
    ) -> Result<WorkflowHandle, ClientError> {
        let request_id = options
            .request_id
            .clone()
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        let request = StartWorkflowExecutionRequest {
            namespace: self.namespace.clone(),
            workflow_id: options.id.clone(),
            workflow_type: WorkflowType {
                name: workflow_type.to_string(),
            },
            task_queue: TaskQueue {
                name: options.task_queue.clone(),
                kind: TaskQueueKind::Normal,
                normal_name: String::new(),
            },
            input,
            workflow_execution_timeout: options.execution_timeout,
            workflow_run_timeout: options.run_timeout,
            workflow_task_timeout: options.task_timeout,
            identity: self.identity.clone(),
            request_id,
        };
        let path = format!(
            "{}/workflows/{}",
            self.namespace_path(),
            path_segment(&options.id)
        );
        let mut attempt = 1;
        let response: StartWorkflowExecutionResponse = loop {
            match self.transport.post(&path, &request).await {
                Ok(response) => break response,
                // Nothing listening at the first try: say so at once rather than retry.
                Err(e)
                    if attempt < START_ATTEMPTS
                        && e.is_retryable()
                        && !(attempt == 1 && e.is_connection_refused()) =>
                {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(200 * u64::from(attempt))).await;
                }
                Err(e) => return Err(already_started(e, &options.id)),
            }
        };
        Ok(WorkflowHandle {
            client: self.clone(),
            workflow_id: options.id,
            run_id: None,
            result_run_id: Some(response.run_id.clone()),
            first_execution_run_id: Some(response.run_id),
            engine_answered: true,
        })
    }

    /// A handle on the latest run of `workflow_id` (no call is made).
    pub fn workflow_handle(&self, workflow_id: impl Into<String>) -> WorkflowHandle {
        WorkflowHandle {
            client: self.clone(),
            workflow_id: workflow_id.into(),
            run_id: None,
            result_run_id: None,
            first_execution_run_id: None,
            engine_answered: false,
        }
    }

    /// Workflow executions matching a visibility `query` (empty: all), newest first.
    /// Supported: `ExecutionStatus="Running"`, `WorkflowType="PizzaWorkflow"`, joined
    /// with `AND`.
    pub async fn list_workflows(
        &self,
        query: &str,
    ) -> Result<Vec<WorkflowExecutionInfo>, ClientError> {
        let path = format!("{}/workflows", self.namespace_path());
        let mut executions = Vec::new();
        let mut token = String::new();
        loop {
            let mut params = Vec::new();
            if !query.is_empty() {
                params.push(("query", query.to_string()));
            }
            if !token.is_empty() {
                params.push(("nextPageToken", token.clone()));
            }
            let page: ListWorkflowExecutionsResponse = self.transport.get(&path, &params).await?;
            executions.extend(page.executions);
            let next = encode_token(&page.next_page_token);
            if next.is_empty() || next == token {
                return Ok(executions);
            }
            token = next;
        }
    }

    /// Every namespace of the engine.
    pub async fn list_namespaces(&self) -> Result<ListNamespacesResponse, ClientError> {
        Ok(self.transport.get("/api/v1/namespaces", &[]).await?)
    }

    /// Creates a namespace (Temporal's RegisterNamespace).
    pub async fn register_namespace(
        &self,
        name: &str,
        description: &str,
    ) -> Result<(), ClientError> {
        let request = RegisterNamespaceRequest {
            namespace: name.to_string(),
            description: description.to_string(),
        };
        let _: serde_json::Value = self.transport.post("/api/v1/namespaces", &request).await?;
        Ok(())
    }

    /// The workers polling a task queue (identity, last access): why a workflow does not
    /// progress is often that nobody polls its queue.
    pub async fn describe_task_queue(
        &self,
        task_queue: &str,
    ) -> Result<DescribeTaskQueueResponse, ClientError> {
        let path = format!(
            "{}/task-queues/{}",
            self.namespace_path(),
            path_segment(task_queue)
        );
        Ok(self.transport.get(&path, &[]).await?)
    }

    fn namespace_path(&self) -> String {
        format!("/api/v1/namespaces/{}", path_segment(&self.namespace))
    }

    fn workflow_path(&self, workflow_id: &str) -> String {
        format!(
            "{}/workflows/{}",
            self.namespace_path(),
            path_segment(workflow_id)
        )
    }
}

/// Page tokens travel as base64 in query strings, as protojson writes bytes.
fn encode_token(token: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(token)
}

/// Turns the engine's AlreadyExists answer to a start into [`ClientError::AlreadyStarted`].
fn already_started(error: TransportError, workflow_id: &str) -> ClientError {
    let Some(rpc) = error.rpc_error() else {
        return error.into();
    };
    if rpc.code != Code::AlreadyExists {
        return error.into();
    }
    let run_id = rpc.already_started_run_id().map(str::to_string);
    ClientError::AlreadyStarted {
        workflow_id: workflow_id.to_string(),
        run_id,
        message: rpc.message.clone(),
    }
}

/// One workflow execution, addressed by workflow ID (and run ID when known).
#[derive(Debug, Clone)]
pub struct WorkflowHandle {
    client: Client,
    workflow_id: String,
    /// The run that describe/signal/cancel/terminate/history target; `None` = latest run.
    run_id: Option<String>,
    /// The run `result()` starts following from; `None` = latest run.
    result_run_id: Option<String>,
    first_execution_run_id: Option<String>,
    /// The engine answered for this handle (it started the run): a later outage is a
    /// restart to wait out, not a missing server.
    engine_answered: bool,
}

impl WorkflowHandle {
    pub fn workflow_id(&self) -> &str {
        &self.workflow_id
    }

    /// The run this handle was created for: the started run, or the one given with
    /// [`WorkflowHandle::with_run_id`].
    pub fn run_id(&self) -> Option<&str> {
        self.run_id.as_deref().or(self.result_run_id.as_deref())
    }

    /// The run ID the start returned (the first run of the chain).
    pub fn first_execution_run_id(&self) -> Option<&str> {
        self.first_execution_run_id.as_deref()
    }

    /// The same workflow, pinned to one run.
    pub fn with_run_id(mut self, run_id: impl Into<String>) -> Self {
        let run_id = run_id.into();
        self.run_id = Some(run_id.clone());
        self.result_run_id = Some(run_id);
        self
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Waits for the run to close and returns its result decoded as `O`; a run that
    /// continued-as-new is followed to the new run. Waits as long as it takes.
    pub async fn result<O: DeserializeOwned>(&self) -> Result<O, ClientError> {
        let value = self.result_payload().await?;
        let value = match value {
            Some(payload) => payload.decode::<O>().map_err(|e| e.to_string()),
            // No result payload: a workflow returning `()`.
            None => serde_json::from_value::<O>(serde_json::Value::Null).map_err(|e| e.to_string()),
        };
        value.map_err(|message| ClientError::Decode {
            workflow_id: self.workflow_id.clone(),
            type_name: std::any::type_name::<O>(),
            message,
        })
    }

    /// [`WorkflowHandle::result`] without decoding: the first result payload, if any.
    pub async fn result_payload(&self) -> Result<Option<Payload>, ClientError> {
        let mut engine_answered = self.engine_answered;
        let mut run_id = match &self.result_run_id {
            Some(run_id) => run_id.clone(),
            // Pin "latest" now: a run started later under the same ID is not this one.
            None => {
                let run_id = self
                    .describe()
                    .await?
                    .workflow_execution_info
                    .execution
                    .run_id;
                engine_answered = true;
                run_id
            }
        };
        loop {
            let close = self.wait_close_event(&run_id, engine_answered).await?;
            engine_answered = true;
            match outcome(close) {
                Outcome::Completed(result) => return Ok(result),
                Outcome::ContinuedAsNew(new_run_id) => run_id = new_run_id,
                Outcome::Closed(failure) => {
                    return Err(WorkflowExecutionError {
                        workflow_id: self.workflow_id.clone(),
                        run_id,
                        failure,
                    }
                    .into());
                }
            }
        }
    }

    /// Long-polls the history for the run's close event. Once the engine has been seen
    /// (`engine_answered`, or any answer here), an engine that goes away (a restart) is
    /// waited for, up to [`RESULT_RECONNECT_LIMIT`]: a run outlives the engine process,
    /// so should its waiter. Nothing listening at the very first try fails at once.
    async fn wait_close_event(
        &self,
        run_id: &str,
        engine_answered: bool,
    ) -> Result<HistoryEvent, ClientError> {
        let path = format!("{}/history", self.client.workflow_path(&self.workflow_id));
        let mut token = String::new();
        let mut first_try = !engine_answered;
        let mut down_since: Option<std::time::Instant> = None;
        let mut backoff = Duration::from_millis(100);
        loop {
            let mut params = vec![
                ("waitNewEvent", "true".to_string()),
                (
                    "historyEventFilterType",
                    "HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT".to_string(),
                ),
                ("form", "cli".to_string()),
            ];
            params.push(("execution.runId", run_id.to_string()));
            if !token.is_empty() {
                params.push(("nextPageToken", token.clone()));
            }
            let answer = self.client.transport.get(&path, &params).await;
            let was_first_try = std::mem::replace(&mut first_try, false);
            let page: GetWorkflowExecutionHistoryResponse = match answer {
                Ok(page) => {
                    down_since = None;
                    backoff = Duration::from_millis(100);
                    page
                }
                // The engine answers a long poll within 60 s; a slower answer is worth
                // another try rather than an error for someone waiting on a result.
                Err(TransportError::Timeout { .. }) => continue,
                Err(e) if e.is_retryable() && !(was_first_try && e.is_connection_refused()) => {
                    let since = *down_since.get_or_insert_with(std::time::Instant::now);
                    if since.elapsed() > RESULT_RECONNECT_LIMIT {
                        return Err(e.into());
                    }
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(2));
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            if let Some(close) = page.history.events.into_iter().find(|e| e.is_close_event()) {
                return Ok(close);
            }
            token = encode_token(&page.next_page_token);
        }
    }

    /// Status, history length, pending activities and workflow task of the run.
    pub async fn describe(&self) -> Result<DescribeWorkflowExecutionResponse, ClientError> {
        let path = self.client.workflow_path(&self.workflow_id);
        Ok(self.client.transport.get(&path, &self.run_params()).await?)
    }

    /// Ends the run at once: WorkflowExecutionTerminated, no workflow code runs again.
    pub async fn terminate(&self, reason: &str) -> Result<(), ClientError> {
        let request = TerminateWorkflowExecutionRequest {
            workflow_execution: Some(self.execution()),
            reason: reason.to_string(),
            details: None,
            identity: self.client.identity.clone(),
        };
        let path = format!("{}/terminate", self.client.workflow_path(&self.workflow_id));
        let _: serde_json::Value = self.client.transport.post(&path, &request).await?;
        Ok(())
    }

    /// Asks the run to cancel (WorkflowExecutionCancelRequested); the workflow decides
    /// what to do and closes as Canceled when it accepts.
    pub async fn cancel(&self, reason: &str) -> Result<(), ClientError> {
        let request = RequestCancelWorkflowExecutionRequest {
            workflow_execution: Some(self.execution()),
            identity: self.client.identity.clone(),
            reason: reason.to_string(),
            request_id: uuid::Uuid::new_v4().to_string(),
        };
        let path = format!("{}/cancel", self.client.workflow_path(&self.workflow_id));
        let _: serde_json::Value = self.client.transport.post(&path, &request).await?;
        Ok(())
    }

    /// Sends signal `name` with one input struct (WorkflowExecutionSignaled).
    pub async fn signal<I: Serialize + ?Sized>(
        &self,
        name: &str,
        input: &I,
    ) -> Result<(), ClientError> {
        let payload = Payload::json(input).map_err(|e| ClientError::Encode {
            what: format!("the input of signal {name}"),
            message: e.to_string(),
        })?;
        self.signal_with_payloads(name, Some(Payloads::single(payload)))
            .await
    }

    /// [`WorkflowHandle::signal`] with input already encoded (`None`: no input).
    pub async fn signal_with_payloads(
        &self,
        name: &str,
        input: Option<Payloads>,
    ) -> Result<(), ClientError> {
        let request = SignalWorkflowExecutionRequest {
            workflow_execution: Some(self.execution()),
            signal_name: name.to_string(),
            input,
            identity: self.client.identity.clone(),
            request_id: uuid::Uuid::new_v4().to_string(),
        };
        let path = format!(
            "{}/signal/{}",
            self.client.workflow_path(&self.workflow_id),
            path_segment(name)
        );
        let _: serde_json::Value = self.client.transport.post(&path, &request).await?;
        Ok(())
    }

    /// The run's whole event history (read page by page), payloads as recorded.
    pub async fn history(&self) -> Result<History, ClientError> {
        let path = format!("{}/history", self.client.workflow_path(&self.workflow_id));
        let mut events = Vec::new();
        let mut token = String::new();
        loop {
            let mut params = self.run_params();
            params.push(("form", "cli".to_string()));
            if !token.is_empty() {
                params.push(("nextPageToken", token.clone()));
            }
            let page: GetWorkflowExecutionHistoryResponse =
                self.client.transport.get(&path, &params).await?;
            events.extend(page.history.events);
            let next = encode_token(&page.next_page_token);
            if next.is_empty() || next == token {
                return Ok(History { events });
            }
            token = next;
        }
    }

    fn run_params(&self) -> Vec<(&'static str, String)> {
        match &self.run_id {
            Some(run_id) => vec![("execution.runId", run_id.clone())],
            None => Vec::new(),
        }
    }

    fn execution(&self) -> WorkflowExecution {
        WorkflowExecution {
            workflow_id: self.workflow_id.clone(),
            run_id: self.run_id.clone().unwrap_or_default(),
        }
    }
}

/// What a close event means for someone waiting on the result.
#[derive(Debug, PartialEq)]
#[allow(clippy::large_enum_variant)] // Short-lived, one per close event.
enum Outcome {
    Completed(Option<Payload>),
    ContinuedAsNew(String),
    Closed(WorkflowFailure),
}

fn outcome(close: HistoryEvent) -> Outcome {
    match close.attributes {
        EventAttributes::WorkflowExecutionCompleted(a) => {
            Outcome::Completed(a.result.and_then(|p| p.payloads.into_iter().next()))
        }
        EventAttributes::WorkflowExecutionContinuedAsNew(a) => {
            Outcome::ContinuedAsNew(a.new_execution_run_id)
        }
        EventAttributes::WorkflowExecutionFailed(a) => Outcome::Closed(WorkflowFailure::Failed {
            failure: a.failure.unwrap_or_default(),
            retry_state: a.retry_state,
        }),
        EventAttributes::WorkflowExecutionTimedOut(a) => {
            Outcome::Closed(WorkflowFailure::TimedOut {
                retry_state: a.retry_state,
            })
        }
        EventAttributes::WorkflowExecutionTerminated(a) => {
            Outcome::Closed(WorkflowFailure::Terminated {
                reason: a.reason,
                identity: a.identity,
            })
        }
        EventAttributes::WorkflowExecutionCanceled(a) => {
            Outcome::Closed(WorkflowFailure::Canceled { details: a.details })
        }
        other => Outcome::Closed(WorkflowFailure::Failed {
            failure: Failure {
                message: format!(
                    "the engine answered the close-event wait with a non-close event: {other:?}"
                ),
                ..Default::default()
            },
            retry_state: None,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use workshop_protocol::error::RpcError;

    fn event(json: &str) -> HistoryEvent {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn a_completed_run_yields_its_result_payload() {
        let close = event(
            r#"{"eventId":"22","eventTime":"2026-11-25T22:27:16.139739678Z","eventType":"EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED","taskId":"1","workflowExecutionCompletedEventAttributes":{"result":{"payloads":[{"metadata":{"encoding":"anNvbi9wbGFpbg=="},"data":"eyJLaWxvbWV0ZXJzIjoxNX0="}]},"workflowTaskCompletedEventId":"21"}}"#,
        );
        let Outcome::Completed(Some(payload)) = outcome(close) else {
            panic!("not completed")
        };
        assert_eq!(
            payload.to_json_value(),
            serde_json::json!({"Kilometers": 15})
        );
    }

    #[test]
    fn close_states_map_to_typed_failures() {
        let failed = event(
            r#"{"eventId":"11","eventTime":"2026-11-25T22:37:56.456978158Z","eventType":"EVENT_TYPE_WORKFLOW_EXECUTION_FAILED","taskId":"1","workflowExecutionFailedEventAttributes":{"failure":{"message":"Activity task failed","cause":{"message":"permanent failure on attempt 3","applicationFailureInfo":{"type":"AlwaysFail"}},"activityFailureInfo":{"scheduledEventId":"5","activityId":"1","retryState":"RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED"}},"retryState":"RETRY_STATE_RETRY_POLICY_NOT_SET","workflowTaskCompletedEventId":"10"}}"#,
        );
        let Outcome::Closed(WorkflowFailure::Failed {
            failure,
            retry_state,
        }) = outcome(failed)
        else {
            panic!("not failed")
        };
        assert_eq!(retry_state, Some(RetryState::RetryPolicyNotSet));
        assert_eq!(
            failure_chain(&failure),
            "Activity task failed: caused by: permanent failure on attempt 3 (type AlwaysFail)"
        );

        let terminated = event(
            r#"{"eventId":"6","eventTime":"2026-11-25T22:29:00.316526133Z","eventType":"EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED","taskId":"1","workflowExecutionTerminatedEventAttributes":{"reason":"nde demo done","identity":"temporal-cli:root@vm"}}"#,
        );
        assert_eq!(
            outcome(terminated),
            Outcome::Closed(WorkflowFailure::Terminated {
                reason: "nde demo done".into(),
                identity: "temporal-cli:root@vm".into()
            })
        );

        let timed_out = event(
            r#"{"eventId":"3","eventTime":"2026-11-25T22:29:00Z","eventType":"EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT","taskId":"1","workflowExecutionTimedOutEventAttributes":{"retryState":"RETRY_STATE_TIMEOUT"}}"#,
        );
        assert_eq!(
            outcome(timed_out),
            Outcome::Closed(WorkflowFailure::TimedOut {
                retry_state: Some(RetryState::Timeout)
            })
        );

        let canceled = event(
            r#"{"eventId":"9","eventTime":"2026-11-25T22:29:00Z","eventType":"EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED","taskId":"1","workflowExecutionCanceledEventAttributes":{"workflowTaskCompletedEventId":"8"}}"#,
        );
        assert_eq!(
            outcome(canceled),
            Outcome::Closed(WorkflowFailure::Canceled { details: None })
        );

        let continued = event(
            r#"{"eventId":"5","eventTime":"2026-11-25T22:29:00Z","eventType":"EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW","taskId":"1","workflowExecutionContinuedAsNewEventAttributes":{"newExecutionRunId":"run-2","workflowType":{"name":"W"},"taskQueue":{"name":"q"},"workflowTaskCompletedEventId":"4"}}"#,
        );
        assert_eq!(outcome(continued), Outcome::ContinuedAsNew("run-2".into()));
    }

    #[test]
    fn failures_read_well() {
        let error = WorkflowExecutionError {
            workflow_id: "order-1".into(),
            run_id: "r1".into(),
            failure: WorkflowFailure::Terminated {
                reason: "stuck".into(),
                identity: "me".into(),
            },
        };
        assert_eq!(
            error.to_string(),
            "workflow `order-1` (run r1) was terminated: stuck (by me)"
        );
        let failure = Failure::application("card declined", "PaymentError", true);
        assert_eq!(
            failure_chain(&failure),
            "card declined (type PaymentError, non-retryable)"
        );
    }

    #[test]
    fn already_started_names_the_running_run() {
        let error = TransportError::Rpc {
            status: 409,
            error: RpcError::already_started("order-1", "run-1", "req-1"),
        };
        match already_started(error, "order-1") {
            ClientError::AlreadyStarted {
                workflow_id,
                run_id,
                ..
            } => {
                assert_eq!(workflow_id, "order-1");
                assert_eq!(run_id.as_deref(), Some("run-1"));
            }
            other => panic!("{other:?}"),
        }
        let not_found = TransportError::Rpc {
            status: 404,
            error: RpcError::not_found("no such workflow"),
        };
        assert!(already_started(not_found, "x").is_not_found());
    }

    #[test]
    fn options_default_to_the_local_server() {
        // Only checks the shape; the environment may set WORKSHOP_ADDRESS.
        let options = ClientOptions::default();
        assert_eq!(options.namespace, "default");
        assert!(options.identity.contains('@'), "{}", options.identity);
        assert!(!options.address.is_empty());
    }

    #[test]
    fn page_tokens_are_base64() {
        assert_eq!(encode_token(b""), "");
        assert_eq!(encode_token(b"\x01\x02"), "AQI=");
    }
}

#[cfg(test)]
mod naming_tests {
    use super::*;
    use crate::error::WorkflowError;
    use crate::workflow::WorkflowContext;

    async fn pizza_workflow(
        _ctx: WorkflowContext,
        _input: String,
    ) -> Result<String, WorkflowError> {
        Ok(String::new())
    }

    fn name_of<W: WorkflowTypeName<M>, M>(workflow: W) -> Option<String> {
        workflow.workflow_type_name()
    }

    #[test]
    fn workflows_are_named_by_string_or_by_function() {
        assert_eq!(name_of("PizzaWorkflow").as_deref(), Some("PizzaWorkflow"));
        assert_eq!(name_of(String::from("X")).as_deref(), Some("X"));
        assert_eq!(name_of(pizza_workflow).as_deref(), Some("PizzaWorkflow"));
    }
}
