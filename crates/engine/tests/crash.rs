//! Crash tests: the engine runs as a child process that aborts after N commits
//! (`WORKSHOP_CRASH_AFTER_COMMITS=N`); for N = 1, 2, ... a scripted translation workflow runs
//! until the crash, the engine restarts on the same database, the run finishes, its history
//! is valid, and every answer the engine gave before the crash is reflected in it.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command as Process, Stdio};
use std::time::{Duration, Instant};

use common::*;
use workshop_protocol::*;

struct EngineProcess {
    child: Child,
    url: String,
}

impl Drop for EngineProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn_engine(db: &Path, crash_after: Option<u64>) -> EngineProcess {
    let mut cmd = Process::new(env!("CARGO_BIN_EXE_workshop-engine"));
    cmd.args(["--port", "0", "--long-poll-ms", "200", "--db"]).arg(db);
    cmd.stdout(Stdio::piped()).stderr(Stdio::null());
    match crash_after {
        Some(n) => cmd.env("WORKSHOP_CRASH_AFTER_COMMITS", n.to_string()),
        None => cmd.env_remove("WORKSHOP_CRASH_AFTER_COMMITS"),
    };
    let mut child = cmd.spawn().expect("spawn workshop-engine");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx.recv_timeout(Duration::from_secs(60)).expect("engine prints its address");
    let url = line.trim().strip_prefix("listening on ").unwrap_or_else(|| panic!("unexpected first line {line:?}")).to_string();
    EngineProcess { child, url }
}

#[derive(Debug, Clone)]
enum Ack {
    Started(String),
    WorkflowTaskCompleted(i64),
    ActivityCompleted(i64),
}

/// What the translation workflow does next, from its full history (as a replaying SDK would).
fn decide(h: &[HistoryEvent]) -> Vec<Command> {
    let count = |t: EventType| h.iter().filter(|e| e.event_type() == t).count();
    let scheduled = count(EventType::ActivityTaskScheduled);
    let completed = count(EventType::ActivityTaskCompleted);
    let timer_started = count(EventType::TimerStarted);
    let fired = count(EventType::TimerFired);
    let input = |term: &str| Some(Payloads::json(&serde_json::json!({"Term": term, "LanguageCode": "fr"})).unwrap());
    if scheduled == 0 {
        vec![schedule_activity("1", "TranslateTerm", input("hello"), Duration::from_secs(2))]
    } else if completed == 1 && timer_started == 0 {
        vec![start_timer("1", Duration::from_millis(300))]
    } else if fired == 1 && scheduled == 1 {
        vec![schedule_activity("2", "TranslateTerm", input("goodbye"), Duration::from_secs(2))]
    } else if completed == 2 {
        vec![complete_workflow(Some(Payloads::json(&serde_json::json!({"HelloMessage": "Bonjour, Pierre"})).unwrap()))]
    } else {
        vec![]
    }
}

/// Runs the scenario until it completes (Ok) or the engine goes away (Err).
fn drive(url: &str, acks: &mut Vec<Ack>, request_id: &str) -> Result<(), String> {
    let client = Client::new(url);
    let net = |e: ureq::Error| format!("engine unreachable: {e}");
    let req = StartWorkflowExecutionRequest {
        workflow_type: WorkflowType { name: "TranslationWorkflow".into() },
        task_queue: TaskQueue::normal("translation-tasks"),
        input: Some(Payloads::json(&serde_json::json!({"Name": "Pierre", "LanguageCode": "fr"})).unwrap()),
        workflow_task_timeout: Some(Duration::from_secs(1)),
        request_id: request_id.into(),
        ..Default::default()
    };
    let a = client.try_post("/api/v1/namespaces/default/workflows/crash", &req).map_err(net)?;
    if a.status == 200 {
        let r: StartWorkflowExecutionResponse = serde_json::from_value(a.body).unwrap();
        acks.push(Ack::Started(r.run_id));
    } else {
        return Err(format!("start refused: {}", a.body));
    }
    let mut worker = ScriptedWorker::new(&client, "translation-tasks", "crash-worker");
    worker.use_sticky = false;
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        let d = client.try_post_raw("/api/v1/rpc/GetWorkflowExecutionHistory", r#"{"namespace":"default","execution":{"workflowId":"crash"}}"#).map_err(net)?;
        let h: GetWorkflowExecutionHistoryResponse = serde_json::from_value(d.body).unwrap();
        if is_closed(&h.history.events) {
            return Ok(());
        }
        let poll = PollWorkflowTaskQueueRequest { namespace: "default".into(), task_queue: TaskQueue::normal("translation-tasks"), identity: "crash-worker".into() };
        let a = client.try_post("/api/v1/rpc/PollWorkflowTaskQueue", &poll).map_err(net)?;
        let t: PollWorkflowTaskQueueResponse = serde_json::from_value(a.body).unwrap();
        if !t.is_empty() {
            let sid = t.history.events.last().and_then(|e| e.scheduled_event_id()).unwrap();
            let req = RespondWorkflowTaskCompletedRequest {
                namespace: "default".into(),
                task_token: t.task_token.clone(),
                commands: decide(&t.history.events),
                identity: worker.identity.clone(),
                sticky_attributes: None,
            };
            let a = client.try_post("/api/v1/rpc/RespondWorkflowTaskCompleted", &req).map_err(net)?;
            if a.status == 200 {
                acks.push(Ack::WorkflowTaskCompleted(sid));
            }
            continue;
        }
        let poll = PollActivityTaskQueueRequest { namespace: "default".into(), task_queue: TaskQueue::normal("translation-tasks"), identity: "crash-worker".into() };
        let a = client.try_post("/api/v1/rpc/PollActivityTaskQueue", &poll).map_err(net)?;
        let t: PollActivityTaskQueueResponse = serde_json::from_value(a.body).unwrap();
        if !t.is_empty() {
            let sid: i64 = serde_json::from_slice::<serde_json::Value>(&t.task_token).unwrap()["sid"].as_i64().unwrap();
            let result = Some(Payloads::json(&serde_json::json!({"Translation": "Bonjour"})).unwrap());
            let a = worker_complete(&client, &t.task_token, result).map_err(net)?;
            if a.status == 200 {
                acks.push(Ack::ActivityCompleted(sid));
            }
        }
        worker.use_sticky = false;
    }
    Err("the run did not finish within 60 s".into())
}

fn worker_complete(client: &Client, token: &[u8], result: Option<Payloads>) -> Result<Answer, ureq::Error> {
    let req = RespondActivityTaskCompletedRequest { namespace: "default".into(), task_token: token.to_vec(), result, identity: "crash-worker".into() };
    client.try_post("/api/v1/rpc/RespondActivityTaskCompleted", &req)
}

#[test]
fn crash_after_every_commit_then_recover() {
    let mut crashed_at_least_once = false;
    for n in 1..=40u64 {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("engine.db");
        let request_id = uuid::Uuid::new_v4().to_string();
        let mut acks = Vec::new();
        let first = {
            let engine = spawn_engine(&db, Some(n));
            drive(&engine.url, &mut acks, &request_id)
        };
        if first.is_ok() {
            // The run needed fewer than n commits: every commit point has been crashed at.
            assert!(crashed_at_least_once);
            eprintln!("crash loop covered N = 1..{}", n - 1);
            return;
        }
        crashed_at_least_once = true;
        let engine = spawn_engine(&db, None);
        drive(&engine.url, &mut acks, &request_id).unwrap_or_else(|e| panic!("N={n}: after restart: {e}"));
        let client = Client::new(&engine.url);
        let h = client.history("crash");
        assert_valid(&h);
        assert_eq!(h.events.last().unwrap().event_type(), EventType::WorkflowExecutionCompleted, "N={n}");
        assert_eq!(h.events.iter().filter(|e| e.event_type() == EventType::ActivityTaskCompleted).count(), 2, "N={n}");
        assert_eq!(h.events.iter().filter(|e| e.event_type() == EventType::TimerFired).count(), 1, "N={n}");
        let d = client.describe("crash");
        for ack in &acks {
            match ack {
                Ack::Started(rid) => assert_eq!(&d.workflow_execution_info.execution.run_id, rid, "N={n}: one run, the acknowledged one"),
                Ack::WorkflowTaskCompleted(sid) => assert!(
                    h.events.iter().any(|e| e.event_type() == EventType::WorkflowTaskCompleted && e.scheduled_event_id() == Some(*sid)),
                    "N={n}: acknowledged completion of workflow task {sid} is missing"
                ),
                Ack::ActivityCompleted(sid) => assert!(
                    h.events.iter().any(|e| e.event_type() == EventType::ActivityTaskCompleted && e.scheduled_event_id() == Some(*sid)),
                    "N={n}: acknowledged completion of activity {sid} is missing"
                ),
            }
        }
    }
    panic!("the scenario never finished without a crash");
}
