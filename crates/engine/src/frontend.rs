//! The frontend: HTTP/JSON routes (Temporal's HTTP API paths for clients, `POST
//! /api/v1/rpc/{Method}` for workers), request parsing and validation, error mapping.

use std::collections::HashMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use workshop_protocol::*;

use crate::server::Service;
use crate::service::{decode_query_token, encode_token, parse_page_token};
use crate::state::ExecKey;

pub struct ApiError(pub RpcError);

impl From<RpcError> for ApiError {
    fn from(e: RpcError) -> Self {
        ApiError(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self.0).unwrap_or_default();
        (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
    }
}

type ApiResult = Result<Response, ApiError>;

fn json<T: Serialize>(v: &T) -> ApiResult {
    let body = serde_json::to_vec(v).map_err(|e| RpcError::internal(e.to_string()))?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

fn empty() -> ApiResult {
    json(&serde_json::json!({}))
}

fn parse<T: DeserializeOwned>(body: &Bytes) -> Result<T, RpcError> {
    let text: &[u8] = if body.iter().all(|b| b.is_ascii_whitespace()) { b"{}" } else { body };
    serde_json::from_slice(text).map_err(|e| RpcError::invalid_argument(format!("malformed JSON request body: {e}")))
}

pub fn router(service: Service) -> Router {
    Router::new()
        .route("/api/v1/namespaces", get(list_namespaces).post(register_namespace))
        .route("/api/v1/namespaces/{ns}/workflows", get(list_workflows))
        .route("/api/v1/namespaces/{ns}/workflows/{wid}", get(describe).post(start))
        .route("/api/v1/namespaces/{ns}/workflows/{wid}/history", get(history))
        .route("/api/v1/namespaces/{ns}/workflows/{wid}/terminate", post(terminate))
        .route("/api/v1/namespaces/{ns}/workflows/{wid}/import", post(import))
        .route("/api/v1/namespaces/{ns}/workflows/{wid}/cancel", post(cancel))
        .route("/api/v1/namespaces/{ns}/workflows/{wid}/signal/{signal}", post(signal))
        .route("/api/v1/namespaces/{ns}/task-queues/{tq}", get(describe_task_queue))
        .route("/api/v1/rpc/{method}", post(rpc))
        .fallback(fallback)
        .with_state(service)
}

async fn fallback(uri: axum::http::Uri) -> ApiError {
    ApiError(RpcError::not_found(format!("no such route: {} (see the engine's HTTP API in DESIGN.md)", uri.path())))
}

async fn list_namespaces(State(s): State<Service>) -> ApiResult {
    json(&s.run(|c| c.list_namespaces()).await)
}

async fn register_namespace(State(s): State<Service>, body: Bytes) -> ApiResult {
    let req: RegisterNamespaceRequest = parse(&body)?;
    s.run(move |c| c.register_namespace(req)).await?;
    empty()
}

async fn list_workflows(State(s): State<Service>, Path(ns): Path<String>, Query(q): Query<HashMap<String, String>>) -> ApiResult {
    let query = q.get("query").cloned().unwrap_or_default();
    json(&s.run(move |c| c.list(&ns, &query)).await?)
}

async fn describe(
    State(s): State<Service>,
    Path((ns, wid)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult {
    let rid = q.get("execution.runId").cloned();
    json(&s.run(move |c| c.describe(&ns, &wid, rid.as_deref())).await?)
}

async fn start(State(s): State<Service>, Path((ns, wid)): Path<(String, String)>, body: Bytes) -> ApiResult {
    let req: StartWorkflowExecutionRequest = parse(&body)?;
    if !req.workflow_id.is_empty() && req.workflow_id != wid {
        return Err(RpcError::invalid_argument(format!(
            "workflowId in the body ({:?}) differs from the one in the path ({wid:?})",
            req.workflow_id
        ))
        .into());
    }
    json(&s.run(move |c| c.start_workflow(&ns, &wid, req)).await?)
}

/// Our extension: import a history file (any form) as a closed run, for inspection.
async fn import(State(s): State<Service>, Path((ns, wid)): Path<(String, String)>, body: Bytes) -> ApiResult {
    let bytes = body.to_vec();
    json(&s.run(move |c| c.import_history(&ns, &wid, &bytes)).await?)
}

async fn terminate(State(s): State<Service>, Path((ns, wid)): Path<(String, String)>, body: Bytes) -> ApiResult {
    let req: TerminateWorkflowExecutionRequest = parse(&body)?;
    s.run(move |c| c.terminate(&ns, &wid, req)).await?;
    empty()
}

async fn cancel(State(s): State<Service>, Path((ns, wid)): Path<(String, String)>, body: Bytes) -> ApiResult {
    let req: RequestCancelWorkflowExecutionRequest = parse(&body)?;
    s.run(move |c| c.request_cancel(&ns, &wid, req)).await?;
    empty()
}

async fn signal(State(s): State<Service>, Path((ns, wid, name)): Path<(String, String, String)>, body: Bytes) -> ApiResult {
    let req: SignalWorkflowExecutionRequest = parse(&body)?;
    if !req.signal_name.is_empty() && req.signal_name != name {
        return Err(RpcError::invalid_argument("signalName in the body differs from the one in the path").into());
    }
    s.run(move |c| c.signal(&ns, &wid, &name, req)).await?;
    empty()
}

async fn describe_task_queue(State(s): State<Service>, Path((ns, tq)): Path<(String, String)>) -> ApiResult {
    json(&s.run(move |c| c.describe_task_queue(&ns, &tq)).await?)
}

/// Reads a history page, long-polling first when asked (`waitNewEvent`).
async fn read_history(
    s: &Service,
    key: ExecKey,
    from: i64,
    page_size: usize,
    wait: bool,
    close_only: bool,
) -> Result<(Vec<HistoryEvent>, Vec<u8>), RpcError> {
    if wait {
        let k = key.clone();
        let timeout = s.settings.long_poll_timeout;
        s.wait_for(timeout, move |c| {
            let ready = if close_only { c.is_closed(&k) } else { c.last_event_id(&k) >= from || c.is_closed(&k) };
            Ok(ready.then_some(()))
        })
        .await?;
    }
    s.run(move |c| c.history(&key, from, page_size, close_only)).await
}

fn is_close_filter(v: Option<&str>) -> Result<bool, RpcError> {
    match v {
        None | Some("") => Ok(false),
        Some(t) => match t.parse::<HistoryEventFilterType>() {
            Ok(HistoryEventFilterType::CloseEvent) => Ok(true),
            Ok(_) => Ok(false),
            Err(e) => Err(RpcError::invalid_argument(e)),
        },
    }
}

async fn history(
    State(s): State<Service>,
    Path((ns, wid)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult {
    let rid = q.get("execution.runId").cloned();
    let from = match q.get("nextPageToken").filter(|t| !t.is_empty()) {
        Some(t) => parse_page_token(&decode_query_token(t)?)?,
        None => 1,
    };
    let page_size = match q.get("maximumPageSize") {
        Some(n) => n.parse::<usize>().map_err(|_| RpcError::invalid_argument(format!("maximumPageSize {n:?} is not a number")))?,
        None => 0,
    };
    let wait = q.get("waitNewEvent").is_some_and(|v| v == "true");
    let close_only = is_close_filter(q.get("historyEventFilterType").map(String::as_str))?;
    let cli = q.get("form").is_some_and(|f| f == "cli");
    let key = s.run(move |c| c.resolve_key(&ns, &wid, rid.as_deref())).await?;
    let (events, token) = read_history(&s, key, from, page_size, wait, close_only).await?;
    let h = History { events };
    let mut out = if cli { serde_json::json!({ "history": h.to_cli_value() }) } else { h.to_http_value() };
    if !token.is_empty() {
        out["nextPageToken"] = Value::String(encode_token(&token));
    }
    json(&out)
}

async fn rpc(State(s): State<Service>, Path(method): Path<String>, body: Bytes) -> ApiResult {
    match method.as_str() {
        "PollWorkflowTaskQueue" => json(&s.poll_workflow(parse(&body)?).await?),
        "PollActivityTaskQueue" => json(&s.poll_activity(parse(&body)?).await?),
        "RespondWorkflowTaskCompleted" => {
            let req: RespondWorkflowTaskCompletedRequest = parse(&body)?;
            s.run(move |c| c.respond_workflow_task_completed(req)).await?;
            empty()
        }
        "RespondWorkflowTaskFailed" => {
            let req: RespondWorkflowTaskFailedRequest = parse(&body)?;
            s.run(move |c| c.respond_workflow_task_failed(req)).await?;
            empty()
        }
        "RespondActivityTaskCompleted" => {
            let req: RespondActivityTaskCompletedRequest = parse(&body)?;
            s.run(move |c| c.respond_activity_completed(req)).await?;
            empty()
        }
        "RespondActivityTaskFailed" => {
            let req: RespondActivityTaskFailedRequest = parse(&body)?;
            s.run(move |c| c.respond_activity_failed(req)).await?;
            empty()
        }
        "RespondActivityTaskCanceled" => {
            let req: RespondActivityTaskCanceledRequest = parse(&body)?;
            s.run(move |c| c.respond_activity_canceled(req)).await?;
            empty()
        }
        "RecordActivityTaskHeartbeat" => {
            let req: RecordActivityTaskHeartbeatRequest = parse(&body)?;
            json(&s.run(move |c| c.heartbeat(req)).await?)
        }
        "GetWorkflowExecutionHistory" => {
            let req: GetWorkflowExecutionHistoryRequest = parse(&body)?;
            let ns = if req.namespace.is_empty() { "default".to_string() } else { req.namespace.clone() };
            let from = if req.next_page_token.is_empty() { 1 } else { parse_page_token(&req.next_page_token)? };
            let close_only = req.history_event_filter_type == Some(HistoryEventFilterType::CloseEvent);
            let exec = req.execution.clone();
            if exec.workflow_id.is_empty() {
                return Err(RpcError::invalid_argument("execution.workflowId is empty").into());
            }
            let key = s.run(move |c| c.resolve_key(&ns, &exec.workflow_id, Some(&exec.run_id))).await?;
            let page = req.maximum_page_size.max(0) as usize;
            let (events, token) = read_history(&s, key, from, page, req.wait_new_event, close_only).await?;
            json(&GetWorkflowExecutionHistoryResponse { history: History { events }, next_page_token: token })
        }
        "ResetStickyTaskQueue" => {
            let req: ResetStickyTaskQueueRequest = parse(&body)?;
            s.run(move |c| c.reset_sticky(req)).await?;
            empty()
        }
        "ShutdownWorker" => {
            let req: ShutdownWorkerRequest = parse(&body)?;
            s.run(move |c| c.shutdown_worker(req)).await?;
            empty()
        }
        "DescribeTaskQueue" => {
            let req: DescribeTaskQueueRequest = parse(&body)?;
            let ns = if req.namespace.is_empty() { "default".to_string() } else { req.namespace.clone() };
            json(&s.run(move |c| c.describe_task_queue(&ns, &req.task_queue.name)).await?)
        }
        other => Err(RpcError::new(
            Code::Unimplemented,
            format!(
                "unknown RPC method {other:?}; the engine serves PollWorkflowTaskQueue, RespondWorkflowTaskCompleted, \
                 RespondWorkflowTaskFailed, PollActivityTaskQueue, RespondActivityTaskCompleted, RespondActivityTaskFailed, \
                 RespondActivityTaskCanceled, RecordActivityTaskHeartbeat, GetWorkflowExecutionHistory, \
                 ResetStickyTaskQueue, ShutdownWorker, DescribeTaskQueue"
            ),
        )
        .into()),
    }
}
