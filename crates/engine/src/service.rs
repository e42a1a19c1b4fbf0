//! The service core: all runs' mutable state, matching and the database behind one lock
//! (the single writer). Every operation builds a transaction with the history functions,
//! commits it, and only then updates memory and answers.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use chrono::{DateTime, Utc};
use tokio::sync::watch;
use workshop_protocol::*;

use crate::clock::Clock;
use crate::history::{Ctx, Txn, WtFailure, new_uuid, start_execution};
use crate::matching::{Matching, QueueKind};
use crate::persistence::{Persistence, RunWrite};
use crate::settings::Settings;
use crate::state::{ExecKey, MutableState};
use crate::token::TaskToken;

pub type RpcResult<T> = Result<T, RpcError>;

struct Run {
    state: MutableState,
    /// Events of open runs are kept in memory; closed runs are read from the database.
    events: Option<Vec<HistoryEvent>>,
}

pub struct Core {
    db: Persistence,
    runs: HashMap<ExecKey, Run>,
    latest: HashMap<(String, String), ExecKey>,
    namespaces: Vec<(String, String)>,
    pub(crate) matching: Matching,
    deadlines: BTreeSet<(DateTime<Utc>, ExecKey)>,
    deadline_of: HashMap<ExecKey, DateTime<Utc>>,
    next_task_id: i64,
    commits: u64,
    settings: Arc<Settings>,
    clock: Arc<dyn Clock>,
    notify: Arc<watch::Sender<u64>>,
}

fn internal(e: anyhow::Error) -> RpcError {
    RpcError::internal(format!("database error: {e:#}"))
}

fn page_token(next: i64) -> Vec<u8> {
    next.to_string().into_bytes()
}

pub fn parse_page_token(t: &[u8]) -> RpcResult<i64> {
    std::str::from_utf8(t)
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
        .filter(|n| *n >= 1)
        .ok_or_else(|| RpcError::invalid_argument("nextPageToken is not a token this engine issued"))
}

/// Decodes a base64 page token from a URL query.
pub fn decode_query_token(s: &str) -> RpcResult<Vec<u8>> {
    workshop_protocol::json::base64_bytes::decode(s).map_err(|e| RpcError::invalid_argument(format!("nextPageToken: {e}")))
}

pub fn encode_token(t: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(t)
}

impl Core {
    pub fn load(db: Persistence, clock: Arc<dyn Clock>, settings: Arc<Settings>, notify: Arc<watch::Sender<u64>>) -> anyhow::Result<Core> {
        let namespaces = db.namespaces()?;
        let next_task_id = db.max_task_id()?.max(1_048_576) + 1;
        let mut core = Core {
            db,
            runs: HashMap::new(),
            latest: HashMap::new(),
            namespaces,
            matching: Matching::default(),
            deadlines: BTreeSet::new(),
            deadline_of: HashMap::new(),
            next_task_id,
            commits: 0,
            settings,
            clock,
            notify,
        };
        let states = core.db.load_states()?;
        for state in states {
            let events = if state.is_open() { Some(core.db.events(&state.key, 1, usize::MAX)?) } else { None };
            core.index(&state);
            // Matching queues are rebuilt from the stored state.
            core.matching.sync(&state);
            core.runs.insert(state.key.clone(), Run { state, events });
        }
        Ok(core)
    }

    fn index(&mut self, state: &MutableState) {
        let lk = (state.key.ns.clone(), state.key.wid.clone());
        let newer = match self.latest.get(&lk).and_then(|k| self.runs.get(k)) {
            Some(cur) => state.start_time >= cur.state.start_time,
            None => true,
        };
        if newer {
            self.latest.insert(lk, state.key.clone());
        }
        if let Some(old) = self.deadline_of.remove(&state.key) {
            self.deadlines.remove(&(old, state.key.clone()));
        }
        if let Some(d) = state.next_deadline() {
            self.deadline_of.insert(state.key.clone(), d);
            self.deadlines.insert((d, state.key.clone()));
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    fn ctx(&self, now: DateTime<Utc>) -> Ctx<'_> {
        let window = self.settings.sticky_unavailable_after;
        let matching = &self.matching;
        Ctx {
            now,
            settings: &self.settings,
            sticky_available: Box::new(move |ns: &str, q: &str| matching.is_available(ns, q, now, window)),
        }
    }

    /// Commits the transactions (and any runs they create), then updates memory.
    fn commit(&mut self, txns: Vec<Txn>) -> RpcResult<()> {
        let mut all = Vec::new();
        for mut t in txns {
            let nr = t.new_run.take();
            all.push(t);
            if let Some(n) = nr {
                all.push(*n);
            }
        }
        {
            let ctx = self.ctx(self.clock.now());
            for t in all.iter_mut() {
                t.check_limits(&ctx);
            }
        }
        for t in all.iter_mut() {
            for e in t.events.iter_mut() {
                e.task_id = self.next_task_id;
                self.next_task_id += 1;
            }
        }
        let writes: Vec<RunWrite> = all.iter().map(|t| RunWrite { state: &t.state, new_events: &t.events }).collect();
        self.db.commit(&writes).map_err(internal)?;
        self.commits += 1;
        if self.settings.crash_after_commits == Some(self.commits) {
            eprintln!("WORKSHOP_CRASH_AFTER_COMMITS={}: aborting after commit {}", self.commits, self.commits);
            std::process::abort();
        }
        for t in all {
            self.index(&t.state);
            self.matching.sync(&t.state);
            let key = t.state.key.clone();
            let open = t.state.is_open();
            let run = self.runs.entry(key).or_insert_with(|| Run { state: t.state.clone(), events: Some(Vec::new()) });
            if open {
                match &mut run.events {
                    Some(ev) => ev.extend(t.events),
                    None => run.events = None,
                }
            } else {
                run.events = None;
            }
            run.state = t.state;
        }
        self.notify.send_modify(|v| *v = v.wrapping_add(1));
        Ok(())
    }

    fn check_namespace(&self, ns: &str) -> RpcResult<()> {
        if self.namespaces.iter().any(|(n, _)| n == ns) {
            Ok(())
        } else {
            Err(RpcError::not_found(format!(
                "namespace {ns:?} not found; create it with `workshop namespace create --namespace {ns}` or use \"default\""
            )))
        }
    }

    /// The run a request names: the given run ID, or the latest run of the workflow ID.
    fn resolve(&self, ns: &str, wid: &str, rid: Option<&str>) -> RpcResult<ExecKey> {
        self.check_namespace(ns)?;
        let key = match rid.filter(|r| !r.is_empty()) {
            Some(r) => ExecKey { ns: ns.into(), wid: wid.into(), rid: r.into() },
            None => self
                .latest
                .get(&(ns.to_string(), wid.to_string()))
                .cloned()
                .ok_or_else(|| RpcError::not_found(format!("workflow {wid:?} not found in namespace {ns:?}")))?,
        };
        if !self.runs.contains_key(&key) {
            return Err(RpcError::not_found(format!("workflow {wid:?} run {} not found in namespace {ns:?}", key.rid)));
        }
        Ok(key)
    }

    fn state(&self, key: &ExecKey) -> &MutableState {
        &self.runs[key].state
    }

    fn open_state(&self, key: &ExecKey) -> RpcResult<MutableState> {
        let s = self.state(key);
        if !s.is_open() {
            return Err(RpcError::not_found(format!(
                "workflow execution {} (run {}) already completed: {}",
                key.wid,
                key.rid,
                s.status.short_name()
            )));
        }
        Ok(s.clone())
    }

    // ---- client calls ----

    pub fn start_workflow(&mut self, ns: &str, wid: &str, mut req: StartWorkflowExecutionRequest) -> RpcResult<StartWorkflowExecutionResponse> {
        self.check_namespace(ns)?;
        if wid.is_empty() {
            return Err(RpcError::invalid_argument("workflowId is empty"));
        }
        if req.workflow_type.name.is_empty() {
            return Err(RpcError::invalid_argument("workflowType.name is empty: say which workflow to run"));
        }
        if req.task_queue.name.is_empty() {
            return Err(RpcError::invalid_argument("taskQueue.name is empty: say which task queue the workers poll"));
        }
        if let Some(p) = &req.input
            && p.size() > self.settings.payload_max_bytes {
                return Err(RpcError::invalid_argument(format!(
                    "input is {} bytes, over the {} byte payload limit",
                    p.size(),
                    self.settings.payload_max_bytes
                )));
            }
        if let Some(cur) = self.latest.get(&(ns.to_string(), wid.to_string())) {
            let s = self.state(cur);
            if !req.request_id.is_empty() && s.start_request_id == req.request_id {
                // A retried start: the same answer as the first time.
                return Ok(StartWorkflowExecutionResponse { run_id: s.key.rid.clone(), started: true });
            }
            if s.is_open() {
                return Err(RpcError::already_started(wid, &s.key.rid, &s.start_request_id));
            }
        }
        if req.request_id.is_empty() {
            req.request_id = new_uuid();
        }
        let key = ExecKey { ns: ns.into(), wid: wid.into(), rid: uuid::Uuid::now_v7().to_string() };
        let txn = {
            let ctx = self.ctx(self.clock.now());
            start_execution(key.clone(), &req, None, &ctx)
        };
        self.commit(vec![txn])?;
        Ok(StartWorkflowExecutionResponse { run_id: key.rid, started: true })
    }

    /// Imports a history (any JSON form) as a run for inspection: describe, show, list.
    /// The run gets a new run ID; nothing is scheduled for it.
    pub fn import_history(&mut self, ns: &str, wid: &str, text: &[u8]) -> RpcResult<StartWorkflowExecutionResponse> {
        self.check_namespace(ns)?;
        let text = std::str::from_utf8(text).map_err(|_| RpcError::invalid_argument("the history file is not UTF-8 text"))?;
        let h = History::from_json_str(text).map_err(|e| RpcError::invalid_argument(format!("cannot import: {e}")))?;
        validate_history(&h.events)
            .map_err(|e| RpcError::invalid_argument(format!("cannot import: the history is inconsistent: {}", e.join("; "))))?;
        if let Some(cur) = self.latest.get(&(ns.to_string(), wid.to_string()))
            && self.state(cur).is_open() {
                return Err(RpcError::already_started(wid, &cur.rid, ""));
            }
        let EventAttributes::WorkflowExecutionStarted(st) = &h.events[0].attributes else { unreachable!("validated") };
        let key = ExecKey { ns: ns.into(), wid: wid.into(), rid: uuid::Uuid::now_v7().to_string() };
        let last = h.events.last().expect("validated");
        let status = match last.event_type() {
            EventType::WorkflowExecutionCompleted => WorkflowExecutionStatus::Completed,
            EventType::WorkflowExecutionFailed => WorkflowExecutionStatus::Failed,
            EventType::WorkflowExecutionTimedOut => WorkflowExecutionStatus::TimedOut,
            EventType::WorkflowExecutionTerminated => WorkflowExecutionStatus::Terminated,
            EventType::WorkflowExecutionCanceled => WorkflowExecutionStatus::Canceled,
            EventType::WorkflowExecutionContinuedAsNew => WorkflowExecutionStatus::ContinuedAsNew,
            // An unfinished history is shown as terminated at import: nothing will drive it.
            _ => WorkflowExecutionStatus::Terminated,
        };
        let req = StartWorkflowExecutionRequest {
            workflow_type: st.workflow_type.clone(),
            task_queue: st.task_queue.clone(),
            ..Default::default()
        };
        let mut txn = {
            let ctx = self.ctx(h.events[0].event_time);
            start_execution(key.clone(), &req, None, &ctx)
        };
        txn.events = h.events.clone();
        txn.state.next_event_id = last.event_id + 1;
        txn.state.workflow_task = None;
        txn.state.status = status;
        txn.state.start_time = h.events[0].event_time;
        txn.state.close_time = Some(last.event_time);
        self.commit(vec![txn])?;
        Ok(StartWorkflowExecutionResponse { run_id: key.rid, started: false })
    }

    pub fn describe(&self, ns: &str, wid: &str, rid: Option<&str>) -> RpcResult<DescribeWorkflowExecutionResponse> {
        let key = self.resolve(ns, wid, rid)?;
        let s = self.state(&key);
        let pending_activities = s
            .activities
            .values()
            .map(|a| PendingActivityInfo {
                activity_id: a.activity_id.clone(),
                activity_type: Some(a.activity_type.clone()),
                state: Some(if a.cancel_requested_event_id != 0 {
                    PendingActivityState::CancelRequested
                } else if a.started.is_some() {
                    PendingActivityState::Started
                } else {
                    PendingActivityState::Scheduled
                }),
                attempt: a.attempt,
                maximum_attempts: a.retry_policy.maximum_attempts,
                scheduled_time: Some(a.scheduled_time),
                last_started_time: a.started.as_ref().map(|st| st.time),
                last_heartbeat_time: a.last_heartbeat_time,
                heartbeat_details: a.heartbeat_details.clone(),
                last_failure: a.last_failure.clone(),
                last_worker_identity: a.last_worker_identity.clone(),
                next_attempt_schedule_time: a.not_before,
            })
            .collect();
        let pending_workflow_task = s.workflow_task.as_ref().map(|wt| PendingWorkflowTaskInfo {
            state: Some(if wt.started.is_some() { PendingWorkflowTaskState::Started } else { PendingWorkflowTaskState::Scheduled }),
            scheduled_time: Some(wt.scheduled_time),
            started_time: wt.started.as_ref().map(|st| st.time),
            attempt: wt.attempt,
        });
        Ok(DescribeWorkflowExecutionResponse {
            execution_config: Some(WorkflowExecutionConfig {
                task_queue: TaskQueue::normal(&s.task_queue),
                workflow_execution_timeout: s.workflow_execution_timeout,
                workflow_run_timeout: s.workflow_run_timeout,
                default_workflow_task_timeout: Some(s.workflow_task_timeout),
            }),
            workflow_execution_info: info(s),
            pending_activities,
            pending_workflow_task,
        })
    }

    pub fn list(&self, ns: &str, query: &str) -> RpcResult<ListWorkflowExecutionsResponse> {
        self.check_namespace(ns)?;
        let filters = parse_query(query)?;
        let mut matching: Vec<&MutableState> = self
            .runs
            .values()
            .map(|r| &r.state)
            .filter(|s| s.key.ns == ns)
            .filter(|s| {
                filters.iter().all(|(k, v)| match k.as_str() {
                    "ExecutionStatus" => s.status.short_name().eq_ignore_ascii_case(v),
                    "WorkflowType" => &s.workflow_type == v,
                    "WorkflowId" => &s.key.wid == v,
                    "TaskQueue" => &s.task_queue == v,
                    _ => false,
                })
            })
            .collect();
        matching.sort_by(|a, b| b.start_time.cmp(&a.start_time).then_with(|| b.key.cmp(&a.key)));
        Ok(ListWorkflowExecutionsResponse { executions: matching.into_iter().map(info).collect(), next_page_token: Vec::new() })
    }

    /// Events from `from` (inclusive), at most `page_size`, and the next page's token.
    /// With `close_only`, just the close event (empty while running).
    pub fn history(&self, key: &ExecKey, from: i64, page_size: usize, close_only: bool) -> RpcResult<(Vec<HistoryEvent>, Vec<u8>)> {
        let run = &self.runs[key];
        let last = run.state.next_event_id - 1;
        if close_only {
            if run.state.is_open() {
                return Ok((Vec::new(), Vec::new()));
            }
            let e = match &run.events {
                Some(ev) => ev.last().cloned(),
                None => self.db.last_event(key).map_err(internal)?,
            };
            return Ok((e.into_iter().collect(), Vec::new()));
        }
        let page_size = if page_size == 0 { self.settings.history_page_size } else { page_size };
        let events = match &run.events {
            Some(ev) => ev.iter().skip((from - 1).max(0) as usize).take(page_size).cloned().collect(),
            None => self.db.events(key, from, page_size).map_err(internal)?,
        };
        let next = from + events.len() as i64;
        let token = if !events.is_empty() && next <= last { page_token(next) } else { Vec::new() };
        Ok((events, token))
    }

    pub fn is_closed(&self, key: &ExecKey) -> bool {
        !self.state(key).is_open()
    }

    pub fn last_event_id(&self, key: &ExecKey) -> i64 {
        self.state(key).next_event_id - 1
    }

    pub fn resolve_key(&self, ns: &str, wid: &str, rid: Option<&str>) -> RpcResult<ExecKey> {
        self.resolve(ns, wid, rid)
    }

    pub fn terminate(&mut self, ns: &str, wid: &str, req: TerminateWorkflowExecutionRequest) -> RpcResult<()> {
        let rid = req.workflow_execution.as_ref().map(|e| e.run_id.clone());
        let key = self.resolve(ns, wid, rid.as_deref())?;
        let mut txn = Txn::new(self.open_state(&key)?);
        {
            let ctx = self.ctx(self.clock.now());
            txn.terminate(&req.reason, req.details.clone(), &req.identity, &ctx);
        }
        self.commit(vec![txn])
    }

    pub fn request_cancel(&mut self, ns: &str, wid: &str, req: RequestCancelWorkflowExecutionRequest) -> RpcResult<()> {
        let rid = req.workflow_execution.as_ref().map(|e| e.run_id.clone());
        let key = self.resolve(ns, wid, rid.as_deref())?;
        let state = self.open_state(&key)?;
        if state.cancel_requested {
            return Ok(());
        }
        let mut txn = Txn::new(state);
        {
            let ctx = self.ctx(self.clock.now());
            txn.request_cancel(&req.reason, &req.identity, &ctx);
        }
        self.commit(vec![txn])
    }

    pub fn signal(&mut self, ns: &str, wid: &str, name: &str, req: SignalWorkflowExecutionRequest) -> RpcResult<()> {
        let rid = req.workflow_execution.as_ref().map(|e| e.run_id.clone());
        let key = self.resolve(ns, wid, rid.as_deref())?;
        if name.is_empty() {
            return Err(RpcError::invalid_argument("signal name is empty"));
        }
        if let Some(p) = &req.input
            && p.size() > self.settings.payload_max_bytes {
                return Err(RpcError::invalid_argument(format!(
                    "signal input is {} bytes, over the {} byte payload limit",
                    p.size(),
                    self.settings.payload_max_bytes
                )));
            }
        let mut txn = Txn::new(self.open_state(&key)?);
        {
            let ctx = self.ctx(self.clock.now());
            txn.signal(name, req.input.clone(), &req.identity, &ctx);
        }
        self.commit(vec![txn])
    }

    pub fn list_namespaces(&self) -> ListNamespacesResponse {
        ListNamespacesResponse {
            namespaces: self
                .namespaces
                .iter()
                .map(|(name, description)| DescribeNamespaceResponse {
                    namespace_info: NamespaceInfo {
                        name: name.clone(),
                        state: Some(NamespaceState::Registered),
                        description: description.clone(),
                    },
                })
                .collect(),
        }
    }

    pub fn register_namespace(&mut self, req: RegisterNamespaceRequest) -> RpcResult<()> {
        let name = req.namespace.trim();
        if name.is_empty() {
            return Err(RpcError::invalid_argument("namespace name is empty"));
        }
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.') {
            return Err(RpcError::invalid_argument(format!(
                "namespace name {name:?} may only contain letters, digits, '-', '_' and '.'"
            )));
        }
        if self.namespaces.iter().any(|(n, _)| n == name) {
            return Err(RpcError::new(Code::AlreadyExists, format!("namespace {name:?} already exists")));
        }
        self.db.insert_namespace(name, &req.description).map_err(internal)?;
        self.namespaces.push((name.to_string(), req.description.clone()));
        self.namespaces.sort();
        Ok(())
    }

    pub fn describe_task_queue(&self, ns: &str, queue: &str) -> RpcResult<DescribeTaskQueueResponse> {
        self.check_namespace(ns)?;
        if queue.is_empty() {
            return Err(RpcError::invalid_argument("taskQueue.name is empty"));
        }
        let pollers = self
            .matching
            .pollers(ns, queue, self.clock.now(), Duration::from_secs(300))
            .into_iter()
            .map(|(identity, t)| PollerInfo { last_access_time: Some(t), identity })
            .collect();
        Ok(DescribeTaskQueueResponse { pollers })
    }

    // ---- worker calls ----

    pub fn poll_started(&mut self, ns: &str, queue: &str, identity: &str) {
        let now = self.clock.now();
        self.matching.poll_started(ns, queue, identity, now);
    }

    pub fn poll_ended(&mut self, ns: &str, queue: &str, identity: &str) {
        let now = self.clock.now();
        self.matching.poll_ended(ns, queue, identity, now);
    }

    pub fn check_poll(&self, ns: &str, queue: &TaskQueue) -> RpcResult<()> {
        self.check_namespace(ns)?;
        if queue.name.is_empty() {
            return Err(RpcError::invalid_argument("taskQueue.name is empty"));
        }
        Ok(())
    }

    pub fn try_poll_workflow(&mut self, ns: &str, queue: &str, identity: &str) -> RpcResult<Option<PollWorkflowTaskQueueResponse>> {
        while let Some(t) = self.matching.pop(ns, queue, QueueKind::Workflow) {
            let Some(run) = self.runs.get(&t.exec) else { continue };
            let s = &run.state;
            let valid = s.is_open()
                && s.workflow_task.as_ref().is_some_and(|wt| {
                    wt.is_dispatchable() && wt.scheduled_event_id == t.sid && wt.attempt == t.attempt && wt.dispatch_queue == queue
                });
            if !valid {
                continue;
            }
            let mut txn = Txn::new(s.clone());
            let now = self.clock.now();
            let (sid, started_id, attempt, transient) = {
                let ctx = self.ctx(now);
                txn.start_workflow_task(identity, &ctx)
            };
            self.commit(vec![txn])?;
            let s = self.state(&t.exec).clone();
            let sticky = queue != s.task_queue;
            let from = if sticky { s.last_completed_started_id + 1 } else { 1 };
            let (mut events, next_page_token) = self.history(&t.exec, from, usize::MAX, false)?;
            let paged = !sticky && events.len() > self.settings.history_page_size;
            let next_page_token = if paged {
                events.truncate(self.settings.history_page_size);
                page_token(self.settings.history_page_size as i64 + 1)
            } else {
                events.extend(transient);
                next_page_token
            };
            let wt = s.workflow_task.as_ref().expect("just started");
            let token = TaskToken { kind: "wt".into(), ns: ns.into(), wid: t.exec.wid.clone(), rid: t.exec.rid.clone(), sid, attempt };
            return Ok(Some(PollWorkflowTaskQueueResponse {
                task_token: token.encode(),
                workflow_execution: Some(WorkflowExecution { workflow_id: t.exec.wid.clone(), run_id: t.exec.rid.clone() }),
                workflow_type: Some(WorkflowType { name: s.workflow_type.clone() }),
                previous_started_event_id: s.last_completed_started_id,
                started_event_id: started_id,
                attempt,
                history: History { events },
                next_page_token,
                scheduled_time: Some(wt.scheduled_time),
                started_time: Some(now),
                workflow_execution_task_queue: Some(TaskQueue::normal(&s.task_queue)),
            }));
        }
        Ok(None)
    }

    pub fn try_poll_activity(&mut self, ns: &str, queue: &str, identity: &str) -> RpcResult<Option<PollActivityTaskQueueResponse>> {
        while let Some(t) = self.matching.pop(ns, queue, QueueKind::Activity) {
            let Some(run) = self.runs.get(&t.exec) else { continue };
            let s = &run.state;
            let valid = s.is_open()
                && s.activities.get(&t.sid).is_some_and(|a| a.is_dispatchable() && a.attempt == t.attempt && a.task_queue == queue);
            if !valid {
                continue;
            }
            let mut txn = Txn::new(s.clone());
            let now = self.clock.now();
            {
                let ctx = self.ctx(now);
                txn.start_activity(t.sid, identity, &ctx);
            }
            self.commit(vec![txn])?;
            let s = self.state(&t.exec);
            let a = &s.activities[&t.sid];
            let token = TaskToken {
                kind: "act".into(),
                ns: ns.into(),
                wid: t.exec.wid.clone(),
                rid: t.exec.rid.clone(),
                sid: t.sid,
                attempt: a.attempt,
            };
            return Ok(Some(PollActivityTaskQueueResponse {
                task_token: token.encode(),
                workflow_namespace: ns.into(),
                workflow_type: Some(WorkflowType { name: s.workflow_type.clone() }),
                workflow_execution: Some(WorkflowExecution { workflow_id: t.exec.wid.clone(), run_id: t.exec.rid.clone() }),
                activity_type: Some(a.activity_type.clone()),
                activity_id: a.activity_id.clone(),
                input: a.input.clone(),
                heartbeat_details: a.heartbeat_details.clone(),
                scheduled_time: Some(a.scheduled_time),
                current_attempt_scheduled_time: Some(a.attempt_scheduled_time),
                started_time: Some(now),
                attempt: a.attempt,
                schedule_to_close_timeout: a.schedule_to_close,
                start_to_close_timeout: a.start_to_close,
                heartbeat_timeout: a.heartbeat,
                retry_policy: Some(a.retry_policy.clone()),
            }));
        }
        Ok(None)
    }

    fn wt_token_state(&self, token: &[u8]) -> RpcResult<(TaskToken, MutableState)> {
        let tok = TaskToken::decode(token, "wt")?;
        let key = ExecKey { ns: tok.ns.clone(), wid: tok.wid.clone(), rid: tok.rid.clone() };
        self.check_namespace(&tok.ns)?;
        if !self.runs.contains_key(&key) {
            return Err(RpcError::not_found(format!("workflow {} run {} not found", key.wid, key.rid)));
        }
        let s = self.open_state(&key)?;
        let ok = s.workflow_task.as_ref().is_some_and(|wt| {
            wt.started.is_some() && wt.scheduled_event_id == tok.sid && wt.attempt == tok.attempt
        });
        if !ok {
            return Err(RpcError::not_found(format!(
                "workflow task not found (workflow {}, scheduled event {}, attempt {}): it was already completed, failed or timed out",
                tok.wid, tok.sid, tok.attempt
            )));
        }
        Ok((tok, s))
    }

    pub fn respond_workflow_task_completed(&mut self, req: RespondWorkflowTaskCompletedRequest) -> RpcResult<()> {
        let (_, state) = self.wt_token_state(&req.task_token)?;
        let now = self.clock.now();
        let mut txn = Txn::new(state.clone());
        let result = {
            let ctx = self.ctx(now);
            txn.complete_workflow_task(&req, &ctx)
        };
        match result {
            Ok(()) => self.commit(vec![txn]),
            Err((cause, message)) => {
                let mut txn = Txn::new(state);
                {
                    let ctx = self.ctx(now);
                    let failure = Failure { message: message.clone(), ..Default::default() };
                    txn.fail_workflow_task(
                        WtFailure::Failed { cause, failure: Some(Box::new(failure)), identity: req.identity.clone() },
                        &ctx,
                    );
                }
                self.commit(vec![txn])?;
                if cause == WorkflowTaskFailedCause::UnhandledCommand {
                    Ok(())
                } else {
                    Err(RpcError::invalid_argument(format!("{message} (the workflow task failed with {cause})")))
                }
            }
        }
    }

    pub fn respond_workflow_task_failed(&mut self, req: RespondWorkflowTaskFailedRequest) -> RpcResult<()> {
        let (_, state) = self.wt_token_state(&req.task_token)?;
        let mut txn = Txn::new(state);
        {
            let ctx = self.ctx(self.clock.now());
            let cause = req.cause.unwrap_or(WorkflowTaskFailedCause::WorkflowWorkerUnhandledFailure);
            txn.fail_workflow_task(WtFailure::Failed { cause, failure: req.failure.clone().map(Box::new), identity: req.identity.clone() }, &ctx);
        }
        self.commit(vec![txn])
    }

    fn act_token_state(&self, token: &[u8]) -> RpcResult<(TaskToken, MutableState)> {
        let tok = TaskToken::decode(token, "act")?;
        let key = ExecKey { ns: tok.ns.clone(), wid: tok.wid.clone(), rid: tok.rid.clone() };
        self.check_namespace(&tok.ns)?;
        if !self.runs.contains_key(&key) {
            return Err(RpcError::not_found(format!("workflow {} run {} not found", key.wid, key.rid)));
        }
        let s = self.open_state(&key)?;
        let ok = s.activities.get(&tok.sid).is_some_and(|a| a.started.is_some() && a.attempt == tok.attempt);
        if !ok {
            return Err(RpcError::not_found(format!(
                "activity task not found (workflow {}, scheduled event {}, attempt {}): it was already completed, failed, timed out or retried",
                tok.wid, tok.sid, tok.attempt
            )));
        }
        Ok((tok, s))
    }

    pub fn respond_activity_completed(&mut self, req: RespondActivityTaskCompletedRequest) -> RpcResult<()> {
        let (tok, state) = self.act_token_state(&req.task_token)?;
        let mut txn = Txn::new(state);
        let limit = self.settings.payload_max_bytes;
        let too_big = req.result.as_ref().is_some_and(|p| p.size() > limit);
        {
            let ctx = self.ctx(self.clock.now());
            if too_big {
                let size = req.result.as_ref().map(|p| p.size()).unwrap_or(0);
                let failure = Failure::application(
                    format!("activity result is {size} bytes, over the {limit} byte payload limit"),
                    "PayloadSizeLimitExceeded",
                    true,
                );
                txn.fail_activity(tok.sid, failure, None, &req.identity, &ctx);
            } else {
                txn.complete_activity(tok.sid, req.result.clone(), &req.identity, &ctx);
            }
        }
        self.commit(vec![txn])?;
        if too_big {
            return Err(RpcError::invalid_argument(format!(
                "activity result is over the {limit} byte payload limit; the activity failed (non-retryable)"
            )));
        }
        Ok(())
    }

    pub fn respond_activity_failed(&mut self, req: RespondActivityTaskFailedRequest) -> RpcResult<()> {
        let (tok, state) = self.act_token_state(&req.task_token)?;
        let mut txn = Txn::new(state);
        {
            let ctx = self.ctx(self.clock.now());
            let failure = req.failure.clone().unwrap_or_else(|| Failure { message: "activity failed".into(), ..Default::default() });
            txn.fail_activity(tok.sid, failure, req.last_heartbeat_details.clone(), &req.identity, &ctx);
        }
        self.commit(vec![txn])
    }

    pub fn respond_activity_canceled(&mut self, req: RespondActivityTaskCanceledRequest) -> RpcResult<()> {
        let (tok, state) = self.act_token_state(&req.task_token)?;
        let mut txn = Txn::new(state);
        {
            let ctx = self.ctx(self.clock.now());
            txn.cancel_activity(tok.sid, req.details.clone(), &req.identity, &ctx);
        }
        self.commit(vec![txn])
    }

    pub fn heartbeat(&mut self, req: RecordActivityTaskHeartbeatRequest) -> RpcResult<RecordActivityTaskHeartbeatResponse> {
        let (tok, state) = self.act_token_state(&req.task_token)?;
        if let Some(p) = &req.details
            && p.size() > self.settings.payload_max_bytes {
                return Err(RpcError::invalid_argument("heartbeat details are over the payload limit"));
            }
        let mut txn = Txn::new(state);
        let now = self.clock.now();
        let a = txn.state.activities.get_mut(&tok.sid).expect("checked");
        if req.details.is_some() {
            a.heartbeat_details = req.details.clone();
        }
        a.last_heartbeat_time = Some(now);
        let cancel_requested = a.cancel_requested_event_id != 0;
        self.commit(vec![txn])?;
        Ok(RecordActivityTaskHeartbeatResponse { cancel_requested })
    }

    pub fn reset_sticky(&mut self, req: ResetStickyTaskQueueRequest) -> RpcResult<()> {
        let ns = if req.namespace.is_empty() { "default" } else { &req.namespace };
        let rid = Some(req.execution.run_id.as_str());
        let key = self.resolve(ns, &req.execution.workflow_id, rid)?;
        let state = self.open_state(&key)?;
        if state.sticky.is_none() {
            return Ok(());
        }
        let mut txn = Txn::new(state);
        txn.clear_sticky();
        self.commit(vec![txn])
    }

    pub fn shutdown_worker(&mut self, req: ShutdownWorkerRequest) -> RpcResult<()> {
        let ns = if req.namespace.is_empty() { "default".to_string() } else { req.namespace.clone() };
        self.check_namespace(&ns)?;
        if req.sticky_task_queue.is_empty() {
            return Ok(());
        }
        self.matching.forget_pollers(&ns, &req.sticky_task_queue);
        let txns: Vec<Txn> = self
            .runs
            .values()
            .filter(|r| r.state.key.ns == ns && r.state.is_open())
            .filter(|r| r.state.sticky.as_ref().is_some_and(|s| s.queue == req.sticky_task_queue))
            .map(|r| {
                let mut t = Txn::new(r.state.clone());
                t.clear_sticky();
                t
            })
            .collect();
        if txns.is_empty() {
            return Ok(());
        }
        self.commit(txns)
    }

    // ---- time ----

    pub fn next_deadline(&self) -> Option<DateTime<Utc>> {
        self.deadlines.first().map(|(t, _)| *t)
    }

    pub fn has_outstanding_tasks(&self) -> bool {
        self.runs.values().any(|r| r.state.has_outstanding_task())
    }

    /// Handles every deadline that is due now, one transaction per run.
    pub fn process_due(&mut self) -> RpcResult<usize> {
        let now = self.clock.now();
        let due: Vec<ExecKey> = self.deadlines.iter().take_while(|(t, _)| *t <= now).map(|(_, k)| k.clone()).collect();
        let n = due.len();
        for key in due {
            let state = self.state(&key).clone();
            let mut txn = Txn::new(state);
            {
                let ctx = self.ctx(now);
                txn.process_deadlines(&ctx);
            }
            self.commit(vec![txn])?;
        }
        Ok(n)
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }
}

fn info(s: &MutableState) -> WorkflowExecutionInfo {
    WorkflowExecutionInfo {
        execution: WorkflowExecution { workflow_id: s.key.wid.clone(), run_id: s.key.rid.clone() },
        r#type: WorkflowType { name: s.workflow_type.clone() },
        start_time: Some(s.start_time),
        close_time: s.close_time,
        status: Some(s.status),
        history_length: s.next_event_id - 1,
        task_queue: s.task_queue.clone(),
    }
}

/// Parses `ExecutionStatus="Running" AND WorkflowType="X"`.
pub fn parse_query(q: &str) -> RpcResult<Vec<(String, String)>> {
    let q = q.trim();
    if q.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    let upper = q.to_string();
    let parts: Vec<&str> = split_and(&upper);
    for part in parts {
        let (k, v) = part.split_once('=').ok_or_else(|| {
            RpcError::invalid_argument(format!("query part {part:?} is not Key=\"Value\" (supported: ExecutionStatus, WorkflowType, WorkflowId, TaskQueue, joined with AND)"))
        })?;
        let k = k.trim();
        let v = v.trim().trim_matches(|c| c == '"' || c == '\'');
        if !["ExecutionStatus", "WorkflowType", "WorkflowId", "TaskQueue"].contains(&k) {
            return Err(RpcError::invalid_argument(format!(
                "unknown search attribute {k:?} in query (supported: ExecutionStatus, WorkflowType, WorkflowId, TaskQueue)"
            )));
        }
        if k == "ExecutionStatus" && !WorkflowExecutionStatus::ALL.iter().any(|s| s.short_name().eq_ignore_ascii_case(v)) {
            return Err(RpcError::invalid_argument(format!(
                "unknown ExecutionStatus {v:?} (Running, Completed, Failed, Canceled, Terminated, ContinuedAsNew, TimedOut)"
            )));
        }
        out.push((k.to_string(), v.to_string()));
    }
    Ok(out)
}

fn split_and(q: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let lower = q.to_ascii_lowercase();
    let mut start = 0;
    let mut i = 0;
    while let Some(pos) = lower[i..].find(" and ") {
        let at = i + pos;
        parts.push(q[start..at].trim());
        start = at + 5;
        i = start;
    }
    parts.push(q[start..].trim());
    parts
}
