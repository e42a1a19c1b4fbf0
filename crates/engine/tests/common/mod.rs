//! Test support: an in-process engine on a virtual clock, a blocking HTTP client, and a
//! scripted worker that speaks the worker RPCs as an SDK would (with stickiness).
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use workshop_engine::{Db, Engine, EngineConfig, RunningEngine, Settings, VirtualClock};
use workshop_protocol::*;

pub fn http() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into()
}

/// An HTTP answer: status and JSON body.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

impl Answer {
    pub fn ok(self) -> Value {
        assert!(self.status == 200, "expected 200, got {}: {}", self.status, self.body);
        self.body
    }
    pub fn into<T: DeserializeOwned>(self) -> T {
        serde_json::from_value(self.ok()).expect("answer parses")
    }
    pub fn err(self, status: u16) -> RpcError {
        assert_eq!(self.status, status, "unexpected answer: {}", self.body);
        serde_json::from_value(self.body).expect("error parses as RpcError")
    }
}

pub struct Client {
    pub base: String,
    agent: ureq::Agent,
}

impl Client {
    pub fn new(base: &str) -> Client {
        Client { base: base.to_string(), agent: http() }
    }
    pub fn try_post_raw(&self, path: &str, body: &str) -> Result<Answer, ureq::Error> {
        let mut r = self.agent.post(&format!("{}{}", self.base, path)).header("content-type", "application/json").send(body)?;
        let status = r.status().as_u16();
        let text = r.body_mut().read_to_string()?;
        let body = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
        Ok(Answer { status, body })
    }
    pub fn post_raw(&self, path: &str, body: &str) -> Answer {
        self.try_post_raw(path, body).expect("HTTP request")
    }
    pub fn post<T: Serialize>(&self, path: &str, body: &T) -> Answer {
        self.post_raw(path, &serde_json::to_string(body).unwrap())
    }
    pub fn try_post<T: Serialize>(&self, path: &str, body: &T) -> Result<Answer, ureq::Error> {
        self.try_post_raw(path, &serde_json::to_string(body).unwrap())
    }
    pub fn get(&self, path: &str) -> Answer {
        let mut r = self.agent.get(&format!("{}{}", self.base, path)).call().expect("HTTP request");
        let status = r.status().as_u16();
        let text = r.body_mut().read_to_string().unwrap();
        Answer { status, body: serde_json::from_str(&text).unwrap_or(Value::String(text)) }
    }
    pub fn rpc<T: Serialize>(&self, method: &str, body: &T) -> Answer {
        self.post(&format!("/api/v1/rpc/{method}"), body)
    }

    pub fn start(&self, wid: &str, wtype: &str, queue: &str, input: Option<Payloads>) -> String {
        let req = StartWorkflowExecutionRequest {
            workflow_type: WorkflowType { name: wtype.into() },
            task_queue: TaskQueue::normal(queue),
            input,
            request_id: uuid::Uuid::new_v4().to_string(),
            identity: "test-client".into(),
            ..Default::default()
        };
        let r: StartWorkflowExecutionResponse = self.post(&format!("/api/v1/namespaces/default/workflows/{wid}"), &req).into();
        r.run_id
    }

    /// Full history in CLI form (base64 payloads), all pages.
    pub fn history(&self, wid: &str) -> History {
        let mut events = Vec::new();
        let mut token = String::new();
        loop {
            let mut path = format!("/api/v1/namespaces/default/workflows/{wid}/history?form=cli");
            if !token.is_empty() {
                path.push_str(&format!("&nextPageToken={}", urlencode(&token)));
            }
            let v = self.get(&path).ok();
            let h = History::from_json_value(v.clone()).expect("history parses");
            events.extend(h.events);
            match v.get("nextPageToken").and_then(|t| t.as_str()) {
                Some(t) if !t.is_empty() => token = t.to_string(),
                _ => break,
            }
        }
        History { events }
    }

    pub fn describe(&self, wid: &str) -> DescribeWorkflowExecutionResponse {
        self.get(&format!("/api/v1/namespaces/default/workflows/{wid}")).into()
    }
}

pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// An engine in this process on a virtual clock and an in-memory database.
pub struct TestEngine {
    pub rt: tokio::runtime::Runtime,
    pub engine: Option<RunningEngine>,
    pub clock: Arc<VirtualClock>,
    pub client: Client,
}

pub fn short_settings() -> Settings {
    Settings { long_poll_timeout: Duration::from_millis(150), ..Settings::default() }
}

impl TestEngine {
    pub fn start(settings: Settings) -> TestEngine {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let clock = Arc::new(VirtualClock::starting_now());
        let engine = rt
            .block_on(Engine::start(EngineConfig {
                db: Db::InMemory,
                clock: clock.clone(),
                settings,
                bind: "127.0.0.1:0".parse().unwrap(),
            }))
            .expect("engine starts");
        let client = Client::new(&engine.url());
        TestEngine { rt, engine: Some(engine), clock, client }
    }

    pub fn engine(&self) -> &RunningEngine {
        self.engine.as_ref().unwrap()
    }

    pub fn next_deadline(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.rt.block_on(self.engine().next_deadline())
    }

    pub fn outstanding(&self) -> bool {
        self.rt.block_on(self.engine().has_outstanding_tasks())
    }

    /// Moves the virtual clock to the next deadline and fires it. False when there is none.
    pub fn skip_to_next_deadline(&self) -> bool {
        match self.next_deadline() {
            Some(t) => {
                self.clock.set(t);
                self.rt.block_on(self.engine().process_due()).unwrap();
                true
            }
            None => false,
        }
    }

    pub fn clock_now(&self) -> chrono::DateTime<chrono::Utc> {
        use workshop_engine::Clock;
        self.clock.now()
    }

    pub fn advance(&self, d: Duration) {
        self.clock.advance(d);
        self.rt.block_on(self.engine().process_due()).unwrap();
    }
}

impl Drop for TestEngine {
    fn drop(&mut self) {
        if let Some(e) = self.engine.take() {
            self.rt.block_on(e.shutdown());
        }
    }
}

/// A worker driven step by step by the test.
pub struct ScriptedWorker<'a> {
    pub client: &'a Client,
    pub identity: String,
    pub queue: String,
    pub sticky_queue: String,
    pub sticky_timeout: Duration,
    pub use_sticky: bool,
}

impl<'a> ScriptedWorker<'a> {
    pub fn new(client: &'a Client, queue: &str, identity: &str) -> ScriptedWorker<'a> {
        ScriptedWorker {
            client,
            identity: identity.into(),
            queue: queue.into(),
            sticky_queue: format!("{identity}-sticky-{}", uuid::Uuid::new_v4().simple()),
            sticky_timeout: Duration::from_secs(10),
            use_sticky: true,
        }
    }

    pub fn poll_wt_on(&self, queue: TaskQueue) -> Option<PollWorkflowTaskQueueResponse> {
        let req = PollWorkflowTaskQueueRequest { namespace: "default".into(), task_queue: queue, identity: self.identity.clone() };
        let r: PollWorkflowTaskQueueResponse = self.client.rpc("PollWorkflowTaskQueue", &req).into();
        (!r.is_empty()).then_some(r)
    }

    pub fn poll_wt(&self) -> Option<PollWorkflowTaskQueueResponse> {
        self.poll_wt_on(TaskQueue::normal(&self.queue))
    }

    pub fn poll_sticky(&self) -> Option<PollWorkflowTaskQueueResponse> {
        self.poll_wt_on(TaskQueue::sticky(&self.sticky_queue, &self.queue))
    }

    pub fn complete_wt_answer(&self, token: &[u8], commands: Vec<Command>) -> Answer {
        let req = RespondWorkflowTaskCompletedRequest {
            namespace: "default".into(),
            task_token: token.to_vec(),
            commands,
            identity: self.identity.clone(),
            sticky_attributes: self.use_sticky.then(|| StickyExecutionAttributes {
                worker_task_queue: TaskQueue::sticky(&self.sticky_queue, &self.queue),
                schedule_to_start_timeout: Some(self.sticky_timeout),
            }),
        };
        self.client.rpc("RespondWorkflowTaskCompleted", &req)
    }

    pub fn complete_wt(&self, token: &[u8], commands: Vec<Command>) {
        self.complete_wt_answer(token, commands).ok();
    }

    pub fn fail_wt(&self, token: &[u8], cause: WorkflowTaskFailedCause, message: &str) -> Answer {
        let req = RespondWorkflowTaskFailedRequest {
            namespace: "default".into(),
            task_token: token.to_vec(),
            cause: Some(cause),
            failure: Some(Failure { message: message.into(), ..Default::default() }),
            identity: self.identity.clone(),
        };
        self.client.rpc("RespondWorkflowTaskFailed", &req)
    }

    pub fn poll_act(&self) -> Option<PollActivityTaskQueueResponse> {
        let req = PollActivityTaskQueueRequest {
            namespace: "default".into(),
            task_queue: TaskQueue::normal(&self.queue),
            identity: self.identity.clone(),
        };
        let r: PollActivityTaskQueueResponse = self.client.rpc("PollActivityTaskQueue", &req).into();
        (!r.is_empty()).then_some(r)
    }

    pub fn complete_act(&self, token: &[u8], result: Option<Payloads>) -> Answer {
        let req = RespondActivityTaskCompletedRequest {
            namespace: "default".into(),
            task_token: token.to_vec(),
            result,
            identity: self.identity.clone(),
        };
        self.client.rpc("RespondActivityTaskCompleted", &req)
    }

    pub fn fail_act(&self, token: &[u8], failure: Failure) -> Answer {
        let req = RespondActivityTaskFailedRequest {
            namespace: "default".into(),
            task_token: token.to_vec(),
            failure: Some(failure),
            identity: self.identity.clone(),
            last_heartbeat_details: None,
        };
        self.client.rpc("RespondActivityTaskFailed", &req)
    }
}

pub fn schedule_activity(id: &str, ty: &str, input: Option<Payloads>, start_to_close: Duration) -> Command {
    Command::new(ScheduleActivityTaskCommandAttributes {
        activity_id: id.into(),
        activity_type: ActivityType { name: ty.into() },
        input,
        start_to_close_timeout: Some(start_to_close),
        ..Default::default()
    })
}

pub fn start_timer(id: &str, d: Duration) -> Command {
    Command::new(StartTimerCommandAttributes { timer_id: id.into(), start_to_fire_timeout: Some(d) })
}

pub fn complete_workflow(result: Option<Payloads>) -> Command {
    Command::new(CompleteWorkflowExecutionCommandAttributes { result })
}

pub fn types(h: &History) -> Vec<&'static str> {
    h.events.iter().map(|e| e.event_type().short_name()).collect()
}

pub fn assert_valid(h: &History) {
    if let Err(errs) = validate_history(&h.events) {
        panic!("invalid history:\n{}\n{}", errs.join("\n"), h.to_cli_json());
    }
}
