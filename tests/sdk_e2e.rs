//! End-to-end tests of the SDK: a real `workshop server` and real fixture worker
//! processes (each in its own process group, killed by PID, on port 0 or a port the
//! server chose). Each test ends with `validate_history()`. Tests run one at a time.

mod sdk_common;

use std::process::Command;
use std::time::Duration;

use sdk_common::*;
use workshop_protocol::event::EventAttributes;
use workshop_sdk::client::WorkflowOptions;
use workshop_sdk_fixtures::{TASK_QUEUE, misc, pizza, translation};

const LIMIT: Duration = Duration::from_secs(60);

fn opts(id: &str) -> WorkflowOptions {
    WorkflowOptions::new(id, TASK_QUEUE)
}

fn translation_input(sleep: u64) -> translation::TranslationWorkflowInput {
    translation::TranslationWorkflowInput {
        name: "Pierre".into(),
        language_code: "fr".into(),
        sleep_seconds: Some(sleep),
    }
}

#[test]
fn workflows_reach_every_close_state_with_reference_shaped_histories() {
    let _serial = serial();
    let server = Server::start(0, None);
    let dir = tempfile::tempdir().unwrap();
    let worker = start_worker(
        "sdk-fixture-worker",
        "a",
        &server.address,
        &[("FIXTURE_FAIL_ATTEMPTS", "2"), ("FIXTURE_COUNT_DIR", dir.path().to_str().unwrap())],
    );
    let client = server.client();
    runtime().block_on(async {
        // Translation: the course's shape, event for event.
        let h = client.start_workflow("TranslationWorkflow", &translation_input(1), opts("translation")).await.unwrap();
        let out: translation::TranslationWorkflowOutput = tokio::time::timeout(LIMIT, h.result()).await.unwrap().unwrap();
        assert_eq!(out.hello_message, "Bonjour, Pierre");
        let hist = history(&client, "translation").await;
        assert_valid(&hist);
        assert_eq!(types(&hist), reference_types("translation.json"));

        // Pizza with GetDistance failing its first two attempts: no events for the
        // retries, ActivityTaskStarted carries attempt 3.
        let mut order = pizza::reference_order(false);
        order.sleep_seconds = Some(1);
        let h = client.start_workflow("PizzaWorkflow", &order, opts("pizza")).await.unwrap();
        let out: pizza::OrderConfirmation = tokio::time::timeout(LIMIT, h.result()).await.unwrap().unwrap();
        assert_eq!(out.amount, 2500);
        let hist = history(&client, "pizza").await;
        assert_valid(&hist);
        assert_eq!(types(&hist), reference_types("pizza.json"));
        let started = event(&hist, "ACTIVITY_TASK_STARTED");
        match &started[0].attributes {
            EventAttributes::ActivityTaskStarted(a) => {
                assert_eq!(a.attempt, 3);
                assert!(a.last_failure.as_ref().unwrap().message.contains("attempt 2"));
            }
            other => panic!("{other:?}"),
        }

        // Retries: FlakyActivity succeeds on attempt 4 (retry.json).
        let h = client.start_workflow("RetryWorkflow", &"flaky", opts("retry")).await.unwrap();
        let out: String = tokio::time::timeout(LIMIT, h.result()).await.unwrap().unwrap();
        assert_eq!(out, "succeeded on attempt 4 for flaky");
        let hist = history(&client, "retry").await;
        assert_valid(&hist);
        assert_eq!(types(&hist), reference_types("retry.json"));

        // Three activities started together, joined.
        let h = client.start_workflow("ParallelWorkflow", &1i64, opts("parallel")).await.unwrap();
        let out: Vec<i64> = tokio::time::timeout(LIMIT, h.result()).await.unwrap().unwrap();
        assert_eq!(out, vec![2, 12, 22]);
        let hist = history(&client, "parallel").await;
        assert_valid(&hist);
        let scheduled: Vec<i64> = event(&hist, "ACTIVITY_TASK_SCHEDULED").iter().map(|e| e.event_id).collect();
        assert_eq!(scheduled, vec![5, 6, 7], "all three scheduled by the first task: {:?}", types(&hist));

        // Select between a timer and a slower activity: the timer wins, and the
        // exported history replays with the same winner.
        let input = misc::SelectInput { activity_millis: 1500, timer_millis: 200 };
        let h = client.start_workflow("SelectWorkflow", &input, opts("select")).await.unwrap();
        let out: String = tokio::time::timeout(LIMIT, h.result()).await.unwrap().unwrap();
        assert_eq!(out, "timer");
        let hist = history(&client, "select").await;
        assert_valid(&hist);
        let file = dir.path().join("select.json");
        std::fs::write(&file, hist.to_cli_json()).unwrap();
        let replay = Command::new(fixture_bin("sdk-fixture-worker")).arg("--replay").arg(&file).output().unwrap();
        assert!(replay.status.success(), "{}", String::from_utf8_lossy(&replay.stderr));

        // Continue-as-new: three runs chained, the last one completes.
        let h = client.start_workflow("CounterWorkflow", &1u32, opts("counter")).await.unwrap();
        let out: u32 = tokio::time::timeout(LIMIT, h.result()).await.unwrap().unwrap();
        assert_eq!(out, 3);

        // Failed: the far address.
        let mut far = pizza::reference_order(true);
        far.sleep_seconds = Some(1);
        let h = client.start_workflow("PizzaWorkflow", &far, opts("pizza-far")).await.unwrap();
        let err = tokio::time::timeout(LIMIT, h.result::<pizza::OrderConfirmation>()).await.unwrap().unwrap_err();
        assert!(err.to_string().contains("too far away"), "{err}");
        let hist = history(&client, "pizza-far").await;
        assert_valid(&hist);
        assert_eq!(types(&hist), reference_types("failed.json"));

        // Canceled: the workflow accepts the request, canceling its timer.
        let h = client.start_workflow("CancellableWorkflow", &"x", opts("cancel")).await.unwrap();
        wait_history(&client, "cancel", LIMIT, |h| has(h, "TIMER_STARTED")).await;
        h.cancel("e2e").await.unwrap();
        let err = tokio::time::timeout(LIMIT, h.result::<String>()).await.unwrap().unwrap_err();
        assert!(err.to_string().to_lowercase().contains("cancel"), "{err}");
        let hist = history(&client, "cancel").await;
        assert_valid(&hist);
        assert!(has(&hist, "TIMER_CANCELED"));
        assert_eq!(types(&hist).last().unwrap(), "WORKFLOW_EXECUTION_CANCELED");

        // Activity cancellation, delivered through heartbeats.
        let h = client.start_workflow("CancelActivityWorkflow", &"x", opts("cancel-activity")).await.unwrap();
        let out: String = tokio::time::timeout(LIMIT, h.result()).await.unwrap().unwrap();
        assert_eq!(out, "activity canceled");
        let hist = history(&client, "cancel-activity").await;
        assert_valid(&hist);
        assert!(has(&hist, "ACTIVITY_TASK_CANCEL_REQUESTED") && has(&hist, "ACTIVITY_TASK_CANCELED"), "{:?}", types(&hist));

        // Terminated: a long sleep.
        let h = client.start_workflow("LongSleepWorkflow", &"x", opts("terminate")).await.unwrap();
        wait_history(&client, "terminate", LIMIT, |h| has(h, "TIMER_STARTED")).await;
        h.terminate("e2e").await.unwrap();
        let hist = history(&client, "terminate").await;
        assert_valid(&hist);
        assert_eq!(types(&hist), reference_types("terminated.json"));

        // Timed out: a run timeout shorter than the sleep.
        let mut o = opts("timeout");
        o.run_timeout = Some(Duration::from_secs(1));
        let h = client.start_workflow("LongSleepWorkflow", &"x", o).await.unwrap();
        let err = tokio::time::timeout(LIMIT, h.result::<String>()).await.unwrap().unwrap_err();
        assert!(err.to_string().to_lowercase().contains("time"), "{err}");
        let hist = history(&client, "timeout").await;
        assert_valid(&hist);
        assert_eq!(types(&hist).last().unwrap(), "WORKFLOW_EXECUTION_TIMED_OUT");

        // A panicking workflow fails its task; the worker lives on.
        client.start_workflow("PanickingWorkflow", &"panic", opts("panics")).await.unwrap();
        let hist = wait_history(&client, "panics", LIMIT, |h| has(h, "WORKFLOW_TASK_FAILED")).await;
        assert_valid(&hist);
        let h = client.start_workflow("PanickingWorkflow", &"fine", opts("after-panic")).await.unwrap();
        let out: String = tokio::time::timeout(LIMIT, h.result()).await.unwrap().unwrap();
        assert_eq!(out, "fine");
        client.workflow_handle("panics").terminate("done").await.unwrap();
    });
    drop(worker);
}

/// Starts the translation workflow on two workers and returns (holder, other) once
/// the timer has started.
async fn translation_on_two_workers(
    client: &workshop_sdk::Client,
    a: Proc,
    b: Proc,
    id: &str,
    sleep: u64,
) -> (Proc, Proc) {
    client.start_workflow("TranslationWorkflow", &translation_input(sleep), opts(id)).await.unwrap();
    let hist = wait_history(client, id, LIMIT, |h| has(h, "TIMER_STARTED")).await;
    if holder(&hist) == "a@test" { (a, b) } else { (b, a) }
}

fn counted(dir: &std::path::Path, term: &str) -> usize {
    std::fs::read_to_string(dir.join("TranslateTerm"))
        .unwrap_or_default()
        .lines()
        .filter(|l| *l == term)
        .count()
}

#[test]
fn worker_killed_three_seconds_into_the_timer_hands_over_after_a_sticky_timeout() {
    let _serial = serial();
    let server = Server::start(0, None);
    let dir = tempfile::tempdir().unwrap();
    let env = [("FIXTURE_COUNT_DIR", dir.path().to_str().unwrap())];
    let a = start_worker("sdk-fixture-worker", "a", &server.address, &env);
    let b = start_worker("sdk-fixture-worker", "b", &server.address, &env);
    let client = server.client();
    runtime().block_on(async {
        let (mut holder, other) = translation_on_two_workers(&client, a, b, "crash-short", 10).await;
        tokio::time::sleep(Duration::from_secs(3)).await;
        holder.kill();
        let handle = client.workflow_handle("crash-short");
        let out: translation::TranslationWorkflowOutput =
            tokio::time::timeout(LIMIT, handle.result()).await.unwrap().unwrap();
        assert_eq!(out.goodbye_message, "Au revoir, Pierre");
        let hist = history(&client, "crash-short").await;
        assert_valid(&hist);
        assert_eq!(types(&hist), reference_types("worker-crash-short-timer.json"));
        assert_eq!(counted(dir.path(), "hello"), 1, "the first activity ran once");
        assert_eq!(counted(dir.path(), "goodbye"), 1);
        let before_kill = holder.output();
        let after = other.output();
        assert!(before_kill.contains("TranslationWorkflow invoked"), "{before_kill}");
        assert!(!after.contains("TranslationWorkflow invoked"), "replayed lines are silent:\n{after}");
        assert!(!after.contains("Sleeping between translation calls"), "{after}");
        assert!(after.contains("TranslationWorkflow done"), "{after}");
    });
}

#[test]
fn worker_killed_at_the_start_of_a_long_timer_hands_over_without_a_timeout() {
    let _serial = serial();
    let server = Server::start(0, None);
    let a = start_worker("sdk-fixture-worker", "a", &server.address, &[]);
    let b = start_worker("sdk-fixture-worker", "b", &server.address, &[]);
    let client = server.client();
    runtime().block_on(async {
        let (mut holder, _other) = translation_on_two_workers(&client, a, b, "crash-long", 20).await;
        holder.kill();
        let handle = client.workflow_handle("crash-long");
        let _: translation::TranslationWorkflowOutput = tokio::time::timeout(LIMIT, handle.result()).await.unwrap().unwrap();
        let hist = history(&client, "crash-long").await;
        assert_valid(&hist);
        assert!(!has(&hist, "WORKFLOW_TASK_TIMED_OUT"), "{:?}", types(&hist));
        assert_eq!(types(&hist), reference_types("translation.json"));
    });
}

#[test]
fn ctrl_c_sends_the_next_task_straight_to_the_other_worker() {
    let _serial = serial();
    let server = Server::start(0, None);
    let a = start_worker("sdk-fixture-worker", "a", &server.address, &[]);
    let b = start_worker("sdk-fixture-worker", "b", &server.address, &[]);
    let client = server.client();
    runtime().block_on(async {
        let (mut holder, _other) = translation_on_two_workers(&client, a, b, "ctrl-c", 3).await;
        let holder_identity = holder.name.clone();
        assert!(holder.interrupt(Duration::from_secs(20)), "the worker exits on Ctrl-C");
        let handle = client.workflow_handle("ctrl-c");
        let _: translation::TranslationWorkflowOutput = tokio::time::timeout(LIMIT, handle.result()).await.unwrap().unwrap();
        let hist = history(&client, "ctrl-c").await;
        assert_valid(&hist);
        assert!(!has(&hist, "WORKFLOW_TASK_TIMED_OUT"), "{:?}", types(&hist));
        let fired = event(&hist, "TIMER_FIRED")[0];
        let next_started = hist
            .events
            .iter()
            .find(|e| e.event_id > fired.event_id && short(&e.event_type().to_string()) == "WORKFLOW_TASK_STARTED")
            .unwrap();
        let gap = next_started.event_time - fired.event_time;
        assert!(gap < chrono::Duration::seconds(3), "the other worker took the task at once (took {gap})");
        assert_ne!(sdk_common::holder(&hist), format!("{holder_identity}@test"));
    });
}

#[test]
fn workers_reconnect_after_the_engine_restarts() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("engine.db");
    let mut server = Server::start(0, Some(&db));
    let port = server.port();
    let address = server.address.clone();
    let a = start_worker("sdk-fixture-worker", "a", &address, &[]);
    let b = start_worker("sdk-fixture-worker", "b", &address, &[]);
    let client = server.client();
    let rt = runtime();
    rt.block_on(async {
        client.start_workflow("TranslationWorkflow", &translation_input(4), opts("restart")).await.unwrap();
        wait_history(&client, "restart", LIMIT, |h| has(h, "TIMER_STARTED")).await;
    });
    server.proc.kill();
    std::thread::sleep(Duration::from_secs(2));
    let server = Server::start(port, Some(&db));
    rt.block_on(async {
        let _: translation::TranslationWorkflowOutput =
            tokio::time::timeout(LIMIT, client.workflow_handle("restart").result()).await.unwrap().unwrap();
        let hist = history(&client, "restart").await;
        assert_valid(&hist);
    });
    for w in [&a, &b] {
        let out = w.output();
        assert_eq!(out.matches("cannot reach the workshop server").count(), 1, "said once:\n{out}");
        assert!(out.contains("reconnected"), "{out}");
    }
    drop(server);
}

#[test]
fn non_determinism_fails_one_task_and_a_fixed_worker_completes_the_run() {
    let _serial = serial();
    let server = Server::start(0, None);
    let mut v1 = start_worker("sdk-fixture-worker", "v1", &server.address, &[]);
    let client = server.client();
    runtime().block_on(async {
        let mut o = opts("nde");
        o.task_timeout = Some(Duration::from_secs(2));
        client.start_workflow("NDEWorkflow", &"x", o).await.unwrap();
        wait_history(&client, "nde", LIMIT, |h| has(h, "TIMER_STARTED")).await;
        assert!(v1.interrupt(Duration::from_secs(20)));
        let mut v2 = start_worker("sdk-fixture-worker-v2", "v2", &server.address, &[]);
        let hist = wait_history(&client, "nde", LIMIT, |h| has(h, "WORKFLOW_TASK_FAILED")).await;
        let failed = event(&hist, "WORKFLOW_TASK_FAILED")[0];
        match &failed.attributes {
            EventAttributes::WorkflowTaskFailed(f) => {
                let message = &f.failure.as_ref().unwrap().message;
                assert!(message.contains("NDEWorkflow"), "{message}");
                assert!(message.contains("✗"), "{message}");
                assert!(message.contains("ScheduleActivityTask Noop"), "{message}");
                assert!(message.contains("src/nde.rs:"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        // Let the broken worker see a few more attempts, then fix the deployment.
        tokio::time::sleep(Duration::from_secs(3)).await;
        v2.kill();
        assert!(v2.output().contains("Nondeterminism error"), "{}", v2.output());
        let _v1_again = start_worker("sdk-fixture-worker", "v1b", &server.address, &[]);
        let out: String = tokio::time::timeout(LIMIT, client.workflow_handle("nde").result()).await.unwrap().unwrap();
        assert_eq!(out, "activity-branch");
        let hist = history(&client, "nde").await;
        assert_valid(&hist);
        assert_eq!(count(&hist, "WORKFLOW_TASK_FAILED"), 1, "{:?}", types(&hist));
    });
}
