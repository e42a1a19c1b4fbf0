//! End-to-end tests of the client side: `workshop workflow|task-queue|namespace` and the
//! SDK `Client`, against a real `workshop server --port 0 --in-memory` process. Where a
//! run must progress, a scripted worker answers workflow tasks with raw RPCs through the
//! SDK's `Transport`, so these tests depend on the engine and the client only.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command as StdCommand, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use assert_cmd::Command;
use serde_json::{Value, json};
use workshop_protocol::command::ScheduleActivityTaskCommandAttributes;
use workshop_protocol::command::{
    Command as WfCommand, CompleteWorkflowExecutionCommandAttributes,
    ContinueAsNewWorkflowExecutionCommandAttributes, FailWorkflowExecutionCommandAttributes,
};
use workshop_protocol::common::{ActivityType, RetryPolicy, TaskQueue, WorkflowType};
use workshop_protocol::enums::{EventType, WorkflowExecutionStatus};
use workshop_protocol::failure::Failure;
use workshop_protocol::history::{History, validate_history};
use workshop_protocol::payload::Payloads;
use workshop_protocol::rpc::{
    PollActivityTaskQueueRequest, PollActivityTaskQueueResponse, PollWorkflowTaskQueueRequest,
    PollWorkflowTaskQueueResponse, RespondActivityTaskFailedRequest,
    RespondWorkflowTaskCompletedRequest,
};
use workshop_sdk::client::{Client, ClientError, ClientOptions, WorkflowFailure, WorkflowOptions};
use workshop_sdk::transport::Transport;

/// Generous: debug builds on two busy cores.
const STARTUP_LIMIT: Duration = Duration::from_secs(60);

/// A `workshop server` child process, killed (by its PID) when dropped.
struct Server {
    child: Child,
    address: String,
}

impl Server {
    fn start() -> Server {
        Server::start_with(&["--port", "0", "--in-memory"])
    }

    fn start_with(args: &[&str]) -> Server {
        let mut child = StdCommand::new(env!("CARGO_BIN_EXE_workshop"))
            .arg("server")
            .args(args)
            .env_remove("WORKSHOP_ADDRESS")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn workshop server");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            while let Some(Ok(line)) = lines.next() {
                let _ = tx.send(line);
            }
        });
        let mut server = Server {
            child,
            address: String::new(),
        };
        loop {
            let line = rx
                .recv_timeout(STARTUP_LIMIT)
                .expect("workshop server printed no address");
            if let Some(url) = line.split_whitespace().find(|w| w.starts_with("http://")) {
                server.address = url.trim_end_matches([',', '/', ')']).to_string();
                return server;
            }
        }
    }

    /// `workshop <args> --address <this server>`, without colors.
    fn cli(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_workshop"));
        cmd.args(args)
            .args(["--address", &self.address])
            .env_remove("WORKSHOP_ADDRESS")
            .env("NO_COLOR", "1")
            .timeout(Duration::from_secs(120));
        cmd
    }

    fn client(&self) -> Client {
        Client::new(ClientOptions {
            address: self.address.clone(),
            namespace: "default".into(),
            identity: "cli-test".into(),
        })
        .unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn stdout_of(cmd: &mut Command) -> String {
    let output = cmd.output().unwrap();
    assert!(
        output.status.success(),
        "command failed: {}\nstdout: {}\nstderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn failure_of(cmd: &mut Command) -> String {
    let output = cmd.output().unwrap();
    assert!(
        !output.status.success(),
        "command should have failed\nstdout: {}",
        String::from_utf8_lossy(&output.stdout)
    );
    String::from_utf8(output.stderr).unwrap()
}

fn start(server: &Server, id: &str, queue: &str, input: &str) -> String {
    start_typed(server, "TranslationWorkflow", id, queue, input)
}

fn start_typed(server: &Server, workflow_type: &str, id: &str, queue: &str, input: &str) -> String {
    let out = stdout_of(&mut server.cli(&[
        "workflow",
        "start",
        "--type",
        workflow_type,
        "--task-queue",
        queue,
        "--workflow-id",
        id,
        "--input",
        input,
    ]));
    let run_id = out.trim().to_string();
    assert!(
        !run_id.is_empty() && !run_id.contains(' '),
        "start printed {out:?}"
    );
    run_id
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Polls one workflow task from `queue` (retrying empty long polls) as a scripted worker.
async fn poll_task(transport: &Transport, queue: &str) -> PollWorkflowTaskQueueResponse {
    for _ in 0..5 {
        let task: PollWorkflowTaskQueueResponse = transport
            .post_rpc(
                "PollWorkflowTaskQueue",
                &PollWorkflowTaskQueueRequest {
                    namespace: "default".into(),
                    task_queue: TaskQueue::normal(queue),
                    identity: "scripted-worker".into(),
                },
            )
            .await
            .unwrap();
        if !task.is_empty() {
            return task;
        }
    }
    panic!("no workflow task on {queue}");
}

async fn complete_task(
    transport: &Transport,
    task: &PollWorkflowTaskQueueResponse,
    command: WfCommand,
) {
    let _: Value = transport
        .post_rpc(
            "RespondWorkflowTaskCompleted",
            &RespondWorkflowTaskCompletedRequest {
                namespace: "default".into(),
                task_token: task.task_token.clone(),
                commands: vec![command],
                identity: "scripted-worker".into(),
                sticky_attributes: None,
            },
        )
        .await
        .unwrap();
}

fn history_json(server: &Server, id: &str) -> History {
    let json_text =
        stdout_of(&mut server.cli(&["workflow", "show", "--workflow-id", id, "--output", "json"]));
    let history = History::from_json_str(&json_text).expect("show --output json re-imports");
    validate_history(&history.events).expect("a valid history");
    history
}

#[test]
fn start_describe_list_terminate_show() {
    let server = Server::start();
    let input = r#"{"Name":"Pierre","LanguageCode":"fr"}"#;
    let run_id = start(&server, "translation-1", "translation-tasks", input);

    // No worker polls the queue: the run waits, with its first workflow task pending.
    let describe =
        stdout_of(&mut server.cli(&["workflow", "describe", "--workflow-id", "translation-1"]));
    assert!(describe.contains(&run_id), "{describe}");
    assert!(describe.contains("Running"), "{describe}");
    assert!(describe.contains("TranslationWorkflow"), "{describe}");
    assert!(describe.contains("Pending workflow task"), "{describe}");
    assert!(
        describe.contains("No worker is polling task queue `translation-tasks`"),
        "{describe}"
    );
    let describe_json: Value = serde_json::from_str(&stdout_of(&mut server.cli(&[
        "workflow",
        "describe",
        "--workflow-id",
        "translation-1",
        "--output",
        "json",
    ])))
    .unwrap();
    assert_eq!(
        describe_json["workflowExecutionInfo"]["execution"]["runId"],
        run_id.as_str()
    );
    assert_eq!(
        describe_json["workflowExecutionInfo"]["status"],
        "WORKFLOW_EXECUTION_STATUS_RUNNING"
    );
    assert_eq!(describe_json["workflowExecutionInfo"]["historyLength"], "2");

    // One open run per workflow ID.
    let err = failure_of(&mut server.cli(&[
        "workflow",
        "start",
        "--type",
        "TranslationWorkflow",
        "--task-queue",
        "translation-tasks",
        "--workflow-id",
        "translation-1",
    ]));
    assert!(err.contains("already started"), "{err}");
    assert!(err.contains(&run_id), "{err}");

    start_typed(
        &server,
        "PizzaWorkflow",
        "pizza-1",
        "pizza-tasks",
        r#"{"OrderNumber":"Z1238"}"#,
    );
    let list = stdout_of(&mut server.cli(&["workflow", "list"]));
    assert!(
        list.contains("translation-1") && list.contains("pizza-1"),
        "{list}"
    );
    let list = stdout_of(&mut server.cli(&["workflow", "list", "--type", "TranslationWorkflow"]));
    assert!(
        list.contains("translation-1") && !list.contains("pizza-1"),
        "{list}"
    );

    let out = stdout_of(&mut server.cli(&[
        "workflow",
        "terminate",
        "--workflow-id",
        "translation-1",
        "--reason",
        "testing terminate",
    ]));
    assert!(out.contains("Terminated"), "{out}");
    let running = stdout_of(&mut server.cli(&["workflow", "list", "--status", "Running"]));
    assert!(
        !running.contains("translation-1") && running.contains("pizza-1"),
        "{running}"
    );
    let terminated = stdout_of(&mut server.cli(&["workflow", "list", "--status", "terminated"]));
    assert!(terminated.contains("translation-1"), "{terminated}");

    let table = stdout_of(&mut server.cli(&["workflow", "show", "--workflow-id", "translation-1"]));
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].contains("TYPE"), "{table}");
    assert!(
        lines[1].contains("WorkflowExecutionStarted") && lines[1].contains("TranslationWorkflow"),
        "{table}"
    );
    let last = lines.last().unwrap();
    assert!(
        last.contains("WorkflowExecutionTerminated") && last.contains("reason=testing terminate"),
        "{table}"
    );

    let history = history_json(&server, "translation-1");
    let types: Vec<EventType> = history.events.iter().map(|e| e.event_type()).collect();
    assert_eq!(
        types,
        [
            EventType::WorkflowExecutionStarted,
            EventType::WorkflowTaskScheduled,
            EventType::WorkflowExecutionTerminated
        ]
    );
    let input_payload = match &history.events[0].attributes {
        workshop_protocol::event::EventAttributes::WorkflowExecutionStarted(a) => {
            a.input.clone().unwrap()
        }
        other => panic!("{other:?}"),
    };
    assert_eq!(
        input_payload.payloads[0].data,
        input.as_bytes(),
        "input bytes kept as given"
    );

    let detail = stdout_of(&mut server.cli(&[
        "workflow",
        "show",
        "--workflow-id",
        "translation-1",
        "--event",
        "1",
    ]));
    assert!(detail.contains("WorkflowExecutionStarted"), "{detail}");
    assert!(
        detail.contains(r#""LanguageCode": "fr""#),
        "payloads decoded: {detail}"
    );
    let err = failure_of(&mut server.cli(&[
        "workflow",
        "show",
        "--workflow-id",
        "translation-1",
        "--event",
        "99",
    ]));
    assert!(err.contains("no event 99"), "{err}");

    // `result` of a terminated run: the reason, exit status 1.
    let output = server
        .cli(&["workflow", "result", "--workflow-id", "translation-1"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("terminated: testing terminate"), "{stderr}");

    // A new run may reuse the ID once the old one closed.
    let second = start(&server, "translation-1", "translation-tasks", input);
    assert_ne!(second, run_id);
}

#[test]
fn result_waits_for_a_scripted_worker() {
    let server = Server::start();
    start(&server, "greet-1", "greetings", r#""Pierre""#);

    // `workflow result` blocks until the run closes.
    let waiting = StdCommand::new(env!("CARGO_BIN_EXE_workshop"))
        .args([
            "workflow",
            "result",
            "--workflow-id",
            "greet-1",
            "--address",
            &server.address,
        ])
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    let rt = runtime();
    let transport = Transport::new(&server.address).unwrap();
    rt.block_on(async {
        let task = poll_task(&transport, "greetings").await;
        assert_eq!(
            task.workflow_type.as_ref().unwrap().name,
            "TranslationWorkflow"
        );
        let result = Payloads::json(&json!({"Greeting": "Bonjour, Pierre"})).unwrap();
        complete_task(
            &transport,
            &task,
            WfCommand::new(CompleteWorkflowExecutionCommandAttributes {
                result: Some(result),
            }),
        )
        .await;
    });

    let output = waiting.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(printed, json!({"Greeting": "Bonjour, Pierre"}));

    // The SDK client sees the same typed result.
    #[derive(serde::Deserialize, Debug, PartialEq)]
    #[serde(rename_all = "PascalCase")]
    struct Output {
        greeting: String,
    }
    let out: Output = rt
        .block_on(server.client().workflow_handle("greet-1").result())
        .unwrap();
    assert_eq!(out.greeting, "Bonjour, Pierre");
    history_json(&server, "greet-1");
}

#[test]
fn sdk_client_follows_continue_as_new_and_types_failures() {
    let server = Server::start();
    let rt = runtime();
    let client = server.client();
    let transport = client.transport().clone();
    rt.block_on(async {
        let handle = client
            .start_workflow(
                "Counter",
                &json!({"Count": 0}),
                WorkflowOptions::new("counter-1", "counters"),
            )
            .await
            .unwrap();
        let first_run = handle.run_id().unwrap().to_string();

        // A second start with the same ID fails, typed.
        let err = client
            .start_workflow(
                "Counter",
                &json!({}),
                WorkflowOptions::new("counter-1", "counters"),
            )
            .await
            .unwrap_err();
        match err {
            ClientError::AlreadyStarted { run_id, .. } => {
                assert_eq!(run_id.as_deref(), Some(first_run.as_str()))
            }
            other => panic!("{other:?}"),
        }

        // The same request ID is idempotent: it returns the existing run.
        let retried = client
            .start_workflow(
                "Counter",
                &json!({}),
                WorkflowOptions {
                    request_id: Some("req-42".into()),
                    ..WorkflowOptions::new("counter-2", "counters")
                },
            )
            .await
            .unwrap();
        let again = client
            .start_workflow(
                "Counter",
                &json!({}),
                WorkflowOptions {
                    request_id: Some("req-42".into()),
                    ..WorkflowOptions::new("counter-2", "counters")
                },
            )
            .await
            .unwrap();
        assert_eq!(retried.run_id(), again.run_id());

        let waiter = tokio::spawn({
            let handle = handle.clone();
            async move { handle.result::<Value>().await }
        });

        // Run 1 continues as new; run 2 completes.
        let task = poll_task(&transport, "counters").await;
        complete_task(
            &transport,
            &task,
            WfCommand::new(ContinueAsNewWorkflowExecutionCommandAttributes {
                workflow_type: WorkflowType {
                    name: "Counter".into(),
                },
                task_queue: Some(TaskQueue::normal("counters")),
                input: Some(Payloads::json(&json!({"Count": 1})).unwrap()),
                workflow_run_timeout: None,
                workflow_task_timeout: None,
            }),
        )
        .await;
        let task = loop {
            let task = poll_task(&transport, "counters").await;
            if task.workflow_execution.as_ref().unwrap().workflow_id == "counter-1" {
                break task;
            }
        };
        assert_ne!(task.workflow_execution.as_ref().unwrap().run_id, first_run);
        complete_task(
            &transport,
            &task,
            WfCommand::new(CompleteWorkflowExecutionCommandAttributes {
                result: Some(Payloads::json(&json!({"Count": 2})).unwrap()),
            }),
        )
        .await;
        let result = tokio::time::timeout(Duration::from_secs(60), waiter)
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        assert_eq!(result, json!({"Count": 2}));

        // A failed run gives a typed failure with the workflow's message.
        let handle = client
            .start_workflow(
                "Counter",
                &json!({}),
                WorkflowOptions::new("counter-3", "failing"),
            )
            .await
            .unwrap();
        let task = poll_task(&transport, "failing").await;
        complete_task(
            &transport,
            &task,
            WfCommand::new(FailWorkflowExecutionCommandAttributes {
                failure: Some(Failure::application(
                    "customer lives too far away",
                    "TooFar",
                    true,
                )),
            }),
        )
        .await;
        let err = handle.result::<Value>().await.unwrap_err();
        match err.workflow_failure() {
            Some(WorkflowFailure::Failed { failure, .. }) => {
                assert_eq!(failure.message, "customer lives too far away");
                assert_eq!(failure.application_type(), Some("TooFar"));
            }
            other => panic!("{other:?} from {err}"),
        }
        let description = handle.describe().await.unwrap();
        assert_eq!(
            description.workflow_execution_info.status,
            Some(WorkflowExecutionStatus::Failed)
        );

        // Paged history through the client matches `show --output json`.
        let history = handle.history().await.unwrap();
        assert_eq!(
            history.events.last().unwrap().event_type(),
            EventType::WorkflowExecutionFailed
        );
        validate_history(&history.events).unwrap();
    });

    let output = server
        .cli(&["workflow", "result", "--workflow-id", "counter-3"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("customer lives too far away (type TooFar, non-retryable)"),
        "{stderr}"
    );
}

#[test]
fn describe_shows_a_retrying_activity() {
    let server = Server::start();
    start_typed(
        &server,
        "PizzaWorkflow",
        "pizza-9",
        "pizza-tasks",
        r#"{"OrderNumber":"Z1239"}"#,
    );
    let transport = Transport::new(&server.address).unwrap();
    runtime().block_on(async {
        let task = poll_task(&transport, "pizza-tasks").await;
        complete_task(
            &transport,
            &task,
            WfCommand::new(ScheduleActivityTaskCommandAttributes {
                activity_id: "1".into(),
                activity_type: ActivityType {
                    name: "GetDistance".into(),
                },
                task_queue: Some(TaskQueue::normal("pizza-tasks")),
                input: Some(Payloads::json(&json!({"Line1": "701 Mission Street"})).unwrap()),
                start_to_close_timeout: Some(Duration::from_secs(5)),
                // A long first backoff keeps the next retry in the future while we look.
                retry_policy: Some(RetryPolicy {
                    initial_interval: Some(Duration::from_secs(600)),
                    maximum_attempts: 5,
                    ..Default::default()
                }),
                ..Default::default()
            }),
        )
        .await;
        let activity: PollActivityTaskQueueResponse = loop {
            let activity: PollActivityTaskQueueResponse = transport
                .post_rpc(
                    "PollActivityTaskQueue",
                    &PollActivityTaskQueueRequest {
                        namespace: "default".into(),
                        task_queue: TaskQueue::normal("pizza-tasks"),
                        identity: "scripted-worker".into(),
                    },
                )
                .await
                .unwrap();
            if !activity.is_empty() {
                break activity;
            }
        };
        let _: Value = transport
            .post_rpc(
                "RespondActivityTaskFailed",
                &RespondActivityTaskFailedRequest {
                    namespace: "default".into(),
                    task_token: activity.task_token,
                    failure: Some(Failure::application(
                        "maps service unavailable",
                        "MapsDown",
                        false,
                    )),
                    identity: "scripted-worker".into(),
                    last_heartbeat_details: None,
                },
            )
            .await
            .unwrap();
    });
    let describe =
        stdout_of(&mut server.cli(&["workflow", "describe", "--workflow-id", "pizza-9"]));
    assert!(describe.contains("Activity 1 GetDistance"), "{describe}");
    assert!(describe.contains("Attempt       2 of 5"), "{describe}");
    assert!(
        describe.contains("Next retry") && describe.contains("(in "),
        "{describe}"
    );
    assert!(
        describe.contains("maps service unavailable (type MapsDown)"),
        "{describe}"
    );
    // Retries add no events: the history ends at ActivityTaskScheduled.
    let table = stdout_of(&mut server.cli(&["workflow", "show", "--workflow-id", "pizza-9"]));
    let last = table.lines().last().unwrap();
    assert!(
        last.contains("ActivityTaskScheduled") && last.contains("GetDistance id=1"),
        "{table}"
    );
    assert!(last.contains("maxAttempts=5"), "{table}");
}

#[test]
fn signal_and_cancel_are_recorded() {
    let server = Server::start();
    start(&server, "order-7", "orders", "{}");
    let out = stdout_of(&mut server.cli(&[
        "workflow",
        "signal",
        "--workflow-id",
        "order-7",
        "--name",
        "AddItem",
        "--input",
        r#"{"Item":"Margherita"}"#,
    ]));
    assert!(out.contains("AddItem"), "{out}");
    let out = stdout_of(&mut server.cli(&[
        "workflow",
        "cancel",
        "--workflow-id",
        "order-7",
        "--reason",
        "changed mind",
    ]));
    assert!(out.contains("Cancellation requested"), "{out}");
    let history = history_json(&server, "order-7");
    let types: Vec<EventType> = history.events.iter().map(|e| e.event_type()).collect();
    assert!(
        types.contains(&EventType::WorkflowExecutionSignaled),
        "{types:?}"
    );
    assert!(
        types.contains(&EventType::WorkflowExecutionCancelRequested),
        "{types:?}"
    );
    let table = stdout_of(&mut server.cli(&["workflow", "show", "--workflow-id", "order-7"]));
    assert!(
        table.contains(r#"AddItem input={"Item":"Margherita"}"#),
        "{table}"
    );
}

#[test]
fn task_queues_and_namespaces() {
    let server = Server::start();
    let out = stdout_of(&mut server.cli(&["task-queue", "describe", "--task-queue", "idle-queue"]));
    assert!(
        out.contains("No worker is polling task queue `idle-queue`"),
        "{out}"
    );

    // A poll in flight makes a poller with its identity.
    let transport = Transport::new(&server.address).unwrap();
    // Its own thread: the poll waits up to the engine's long-poll limit.
    std::thread::spawn(move || {
        runtime().block_on(async move {
            let _: Result<PollWorkflowTaskQueueResponse, _> = transport
                .post_rpc(
                    "PollWorkflowTaskQueue",
                    &PollWorkflowTaskQueueRequest {
                        namespace: "default".into(),
                        task_queue: TaskQueue::normal("busy-queue"),
                        identity: "4242@test-host".into(),
                    },
                )
                .await;
        })
    });
    let mut seen = String::new();
    for _ in 0..300 {
        seen =
            stdout_of(&mut server.cli(&["task-queue", "describe", "--task-queue", "busy-queue"]));
        if seen.contains("4242@test-host") {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        seen.contains("4242@test-host") && seen.contains("ago"),
        "{seen}"
    );

    let out = stdout_of(&mut server.cli(&[
        "namespace",
        "create",
        "course",
        "--description",
        "Temporal 102",
    ]));
    assert!(out.contains("course"), "{out}");
    let list = stdout_of(&mut server.cli(&["namespace", "list"]));
    assert!(
        list.contains("default") && list.contains("course"),
        "{list}"
    );
    // Namespaces isolate workflow IDs.
    start(&server, "same-id", "q", "{}");
    let out = stdout_of(&mut server.cli(&[
        "workflow",
        "start",
        "--namespace",
        "course",
        "--type",
        "T",
        "--task-queue",
        "q",
        "--workflow-id",
        "same-id",
    ]));
    assert!(!out.trim().is_empty());
}

#[test]
fn errors_say_what_to_do() {
    let server = Server::start();
    let err = failure_of(&mut server.cli(&["workflow", "describe", "--workflow-id", "nope"]));
    assert!(
        err.contains("nope") && err.contains("workshop workflow list"),
        "{err}"
    );

    let err = failure_of(&mut server.cli(&[
        "workflow",
        "start",
        "--type",
        "T",
        "--task-queue",
        "q",
        "--workflow-id",
        "bad-input",
        "--input",
        "{Name: Pierre}",
    ]));
    assert!(err.contains("--input is not valid JSON"), "{err}");
    // Nothing was started.
    let err = failure_of(&mut server.cli(&["workflow", "describe", "--workflow-id", "bad-input"]));
    assert!(err.contains("bad-input"), "{err}");

    // Input from a file: good JSON starts the run, bad JSON is refused naming the file.
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.json");
    std::fs::write(&good, "{\n  \"Name\": \"Pierre\"\n}\n").unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"Name\": }").unwrap();
    let start_from = |id: &str, file: &std::path::Path| {
        let file = file.to_str().unwrap().to_string();
        server.cli(&[
            "workflow",
            "start",
            "--type",
            "T",
            "--task-queue",
            "q",
            "--workflow-id",
            id,
            "--input-file",
            &file,
        ])
    };
    stdout_of(&mut start_from("from-file", &good));
    let history = history_json(&server, "from-file");
    match &history.events[0].attributes {
        workshop_protocol::event::EventAttributes::WorkflowExecutionStarted(a) => {
            assert_eq!(
                a.input.as_ref().unwrap().payloads[0].data,
                br#"{"Name":"Pierre"}"#
            );
        }
        other => panic!("{other:?}"),
    }
    let err = failure_of(&mut start_from("from-bad-file", &bad));
    assert!(err.contains("bad.json is not valid JSON"), "{err}");

    let err = failure_of(&mut server.cli(&["workflow", "list", "--namespace", "missing-ns"]));
    assert!(
        err.contains("missing-ns") || err.contains("namespace"),
        "{err}"
    );

    // Nobody listens on a port we just released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let address = format!("127.0.0.1:{port}");
    let output = Command::new(env!("CARGO_BIN_EXE_workshop"))
        .args(["workflow", "list", "--address", &address])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "no workshop server at {address}: start one with `workshop server`"
        )),
        "{stderr}"
    );
    // WORKSHOP_ADDRESS is honoured when --address is absent.
    let output = Command::new(env!("CARGO_BIN_EXE_workshop"))
        .args(["namespace", "list"])
        .env("WORKSHOP_ADDRESS", &address)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&output.stderr).contains(&address));
}

#[test]
fn result_waits_out_an_engine_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("engine.db");
    let db = db.to_str().unwrap();
    let mut server = Server::start_with(&["--port", "0", "--db", db]);
    let port = server.address.rsplit(':').next().unwrap().to_string();
    let client = server.client();

    let rt = runtime();
    let handle = rt
        .block_on(client.start_workflow(
            "Counter",
            &json!({}),
            WorkflowOptions::new("restart-1", "restarts"),
        ))
        .unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(runtime().block_on(handle.result::<Value>()));
    });

    // Kill the engine under the waiting client, then bring it back on the same port and
    // database; the run (durable) completes and the waiter gets the result.
    drop(server);
    server = Server::start_with(&["--port", &port, "--db", db]);
    let transport = Transport::new(&server.address).unwrap();
    rt.block_on(async {
        let task = poll_task(&transport, "restarts").await;
        complete_task(
            &transport,
            &task,
            WfCommand::new(CompleteWorkflowExecutionCommandAttributes {
                result: Some(Payloads::json(&json!("survived")).unwrap()),
            }),
        )
        .await;
    });
    let result = rx
        .recv_timeout(Duration::from_secs(90))
        .expect("the waiter answered")
        .unwrap();
    assert_eq!(result, json!("survived"));
    history_json(&server, "restart-1");
}
