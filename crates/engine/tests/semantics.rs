//! Temporal's rules the engine reproduces (TEMPORAL-SEMANTICS.md), through real HTTP with
//! a scripted worker on a virtual clock. Every test ends with `validate_history`.

mod common;

use std::time::Duration;

use common::*;
use workshop_engine::Settings;
use workshop_protocol::*;

fn wf_path(wid: &str) -> String {
    format!("/api/v1/namespaces/default/workflows/{wid}")
}

fn start_req(wtype: &str, queue: &str) -> StartWorkflowExecutionRequest {
    StartWorkflowExecutionRequest {
        workflow_type: WorkflowType { name: wtype.into() },
        task_queue: TaskQueue::normal(queue),
        input: Some(Payloads::json("hi").unwrap()),
        request_id: uuid::Uuid::new_v4().to_string(),
        ..Default::default()
    }
}

#[test]
fn duplicate_workflow_id_and_request_id_retry() {
    let te = TestEngine::start(short_settings());
    let req = start_req("W", "q");
    let first: StartWorkflowExecutionResponse = te.client.post(&wf_path("dup"), &req).into();
    // The same request again (a client retry): the same run.
    let again: StartWorkflowExecutionResponse = te.client.post(&wf_path("dup"), &req).into();
    assert_eq!(again.run_id, first.run_id);
    // A different start of the same workflow ID: already started, naming the running run.
    let err = te.client.post(&wf_path("dup"), &start_req("W", "q")).err(409);
    assert_eq!(err.code, Code::AlreadyExists);
    assert!(err.message.contains(&first.run_id), "{}", err.message);
    assert_eq!(err.already_started_run_id(), Some(first.run_id.as_str()));
    let h = te.client.history("dup");
    assert_eq!(types(&h), ["WorkflowExecutionStarted", "WorkflowTaskScheduled"]);
    assert_valid(&h);
    // After it closes, the ID can be used again.
    te.client.post(&format!("{}/terminate", wf_path("dup")), &serde_json::json!({"reason": "done"})).ok();
    let second: StartWorkflowExecutionResponse = te.client.post(&wf_path("dup"), &start_req("W", "q")).into();
    assert_ne!(second.run_id, first.run_id);
    assert_valid(&te.client.history("dup"));
}

#[test]
fn terminate_during_a_started_workflow_task() {
    let te = TestEngine::start(short_settings());
    te.client.start("term", "W", "q", None);
    let w = ScriptedWorker::new(&te.client, "q", "w1");
    let task = w.poll_wt().expect("task");
    te.client.post(&format!("{}/terminate", wf_path("term")), &serde_json::json!({"reason": "stop", "identity": "me"})).ok();
    let h = te.client.history("term");
    assert_eq!(
        types(&h),
        ["WorkflowExecutionStarted", "WorkflowTaskScheduled", "WorkflowTaskStarted", "WorkflowTaskFailed", "WorkflowExecutionTerminated"]
    );
    match &h.events[3].attributes {
        EventAttributes::WorkflowTaskFailed(a) => assert_eq!(a.cause, Some(WorkflowTaskFailedCause::ForceCloseCommand)),
        _ => unreachable!(),
    }
    // The late answer is refused with NotFound and changes nothing.
    let err = w.complete_wt_answer(&task.task_token, vec![complete_workflow(None)]).err(404);
    assert_eq!(err.code, Code::NotFound);
    assert_eq!(te.client.history("term").events.len(), 5);
    assert_valid(&te.client.history("term"));
    assert_eq!(te.client.describe("term").workflow_execution_info.status, Some(WorkflowExecutionStatus::Terminated));
    // Terminating again: NotFound (already completed).
    te.client.post(&format!("{}/terminate", wf_path("term")), &serde_json::json!({})).err(404);
}

#[test]
fn cancel_is_a_request_the_workflow_answers() {
    let te = TestEngine::start(short_settings());
    te.client.start("cancel", "W", "q", None);
    let w = ScriptedWorker::new(&te.client, "q", "w1");
    let t = w.poll_wt().unwrap();
    w.complete_wt(
        &t.task_token,
        vec![
            schedule_activity("1", "Slow", None, Duration::from_secs(60)),
            schedule_activity("2", "NeverStarted", None, Duration::from_secs(60)),
        ],
    );
    // Activity 1 is running when the cancel request arrives.
    let act = w.poll_act().unwrap();
    assert_eq!(act.activity_id, "1");
    te.client.post(&format!("{}/cancel", wf_path("cancel")), &serde_json::json!({"reason": "user asked", "identity": "me"})).ok();
    let t = w.poll_sticky().or_else(|| w.poll_wt()).expect("cancel request schedules a task");
    let last = t.history.events.iter().rev().find(|e| e.event_type() == EventType::WorkflowExecutionCancelRequested);
    assert!(last.is_some(), "the task shows the cancel request");
    // The workflow cancels both activities: the unstarted one is canceled at once; the
    // running one learns it from its heartbeat.
    let cancel = |sid: i64| Command::new(RequestCancelActivityTaskCommandAttributes { scheduled_event_id: sid });
    let sid = |id: &str| {
        te.client.history("cancel").events.iter().find(|e| matches!(&e.attributes, EventAttributes::ActivityTaskScheduled(a) if a.activity_id == id)).unwrap().event_id
    };
    w.complete_wt(&t.task_token, vec![cancel(sid("1")), cancel(sid("2"))]);
    let hb: RecordActivityTaskHeartbeatResponse = te
        .client
        .rpc("RecordActivityTaskHeartbeat", &RecordActivityTaskHeartbeatRequest { task_token: act.task_token.clone(), ..Default::default() })
        .into();
    assert!(hb.cancel_requested);
    te.client
        .rpc("RespondActivityTaskCanceled", &RespondActivityTaskCanceledRequest { task_token: act.task_token.clone(), identity: "w1".into(), ..Default::default() })
        .ok();
    let t = w.poll_sticky().or_else(|| w.poll_wt()).unwrap();
    w.complete_wt(&t.task_token, vec![Command::new(CancelWorkflowExecutionCommandAttributes::default())]);
    let h = te.client.history("cancel");
    assert_valid(&h);
    assert_eq!(
        types(&h),
        [
            "WorkflowExecutionStarted",
            "WorkflowTaskScheduled",
            "WorkflowTaskStarted",
            "WorkflowTaskCompleted",
            "ActivityTaskScheduled",
            "ActivityTaskScheduled",
            "WorkflowExecutionCancelRequested",
            "WorkflowTaskScheduled",
            "WorkflowTaskStarted",
            "WorkflowTaskCompleted",
            "ActivityTaskCancelRequested",
            "ActivityTaskCancelRequested",
            "ActivityTaskCanceled",
            "ActivityTaskStarted",
            "ActivityTaskCanceled",
            "WorkflowTaskScheduled",
            "WorkflowTaskStarted",
            "WorkflowTaskCompleted",
            "WorkflowExecutionCanceled",
        ]
    );
    assert_eq!(te.client.describe("cancel").workflow_execution_info.status, Some(WorkflowExecutionStatus::Canceled));
}

#[test]
fn events_during_a_started_task_are_buffered_and_unhandled_close_is_rejected() {
    let te = TestEngine::start(short_settings());
    te.client.start("buf", "W", "q", None);
    let w = ScriptedWorker::new(&te.client, "q", "w1");
    let t = w.poll_wt().unwrap();
    // A signal arrives while the task runs; the worker tries to complete the workflow.
    te.client.post(&format!("{}/signal/go", wf_path("buf")), &serde_json::json!({"input": ["now"]})).ok();
    w.complete_wt(&t.task_token, vec![complete_workflow(None)]);
    let h = te.client.history("buf");
    assert_eq!(
        types(&h),
        [
            "WorkflowExecutionStarted",
            "WorkflowTaskScheduled",
            "WorkflowTaskStarted",
            "WorkflowTaskFailed",
            "WorkflowExecutionSignaled",
            "WorkflowTaskScheduled"
        ]
    );
    match &h.events[3].attributes {
        EventAttributes::WorkflowTaskFailed(a) => assert_eq!(a.cause, Some(WorkflowTaskFailedCause::UnhandledCommand)),
        _ => unreachable!(),
    }
    // Next task sees the signal; completing now works.
    let t = w.poll_wt().unwrap();
    assert!(t.history.events.iter().any(|e| e.event_type() == EventType::WorkflowExecutionSignaled));
    w.complete_wt(&t.task_token, vec![complete_workflow(Some(Payloads::json("ok").unwrap()))]);
    let h = te.client.history("buf");
    assert_valid(&h);
    assert_eq!(h.events.last().unwrap().event_type(), EventType::WorkflowExecutionCompleted);
}

#[test]
fn activity_completion_during_a_started_task_comes_after_its_commands() {
    let te = TestEngine::start(short_settings());
    te.client.start("order", "W", "q", None);
    let w = ScriptedWorker::new(&te.client, "q", "w1");
    let t = w.poll_wt().unwrap();
    w.complete_wt(&t.task_token, vec![schedule_activity("1", "A", None, Duration::from_secs(30)), start_timer("1", Duration::from_secs(60))]);
    // Timer fires... no: the activity completes while the next task runs.
    let act = w.poll_act().unwrap();
    te.client.post(&format!("{}/signal/s", wf_path("order")), &serde_json::json!({})).ok();
    let t = w.poll_sticky().or_else(|| w.poll_wt()).unwrap();
    w.complete_act(&act.task_token, Some(Payloads::json(&1).unwrap())).ok();
    w.complete_wt(&t.task_token, vec![start_timer("2", Duration::from_secs(5))]);
    let h = te.client.history("order");
    assert_valid(&h);
    let tail: Vec<_> = types(&h)[6..].to_vec();
    assert_eq!(
        tail,
        ["WorkflowExecutionSignaled", "WorkflowTaskScheduled", "WorkflowTaskStarted", "WorkflowTaskCompleted", "TimerStarted", "ActivityTaskStarted", "ActivityTaskCompleted", "WorkflowTaskScheduled"]
    );
}

#[test]
fn workflow_task_timeouts_and_failures_write_one_event_then_retry_transiently() {
    let te = TestEngine::start(short_settings());
    te.client.start("wtretry", "W", "q", None);
    let w = ScriptedWorker::new(&te.client, "q", "w1");
    // First attempt: the worker reports a failure (as an SDK does on attempt 1).
    let t = w.poll_wt().unwrap();
    assert_eq!(t.attempt, 1);
    w.fail_wt(&t.task_token, WorkflowTaskFailedCause::NonDeterministicError, "boom").ok();
    // Later attempts: the broken worker lets them time out, for 60 s of virtual time.
    let start = te.clock_now();
    let mut attempts = vec![];
    while te.clock_now() - start < chrono::Duration::seconds(60) {
        if let Some(t) = w.poll_wt() {
            attempts.push(t.attempt);
            // The transient task's events are in the poll response but not in history.
            let n = t.history.events.len();
            assert_eq!(t.history.events[n - 1].event_type(), EventType::WorkflowTaskStarted);
            assert_eq!(t.history.events[n - 2].event_type(), EventType::WorkflowTaskScheduled);
        }
        assert!(te.skip_to_next_deadline());
    }
    assert!(attempts.len() >= 4, "attempts {attempts:?}");
    assert!(attempts.windows(2).all(|w| w[1] == w[0] + 1), "attempts {attempts:?}");
    let h = te.client.history("wtretry");
    assert_eq!(types(&h), ["WorkflowExecutionStarted", "WorkflowTaskScheduled", "WorkflowTaskStarted", "WorkflowTaskFailed"]);
    let d = te.client.describe("wtretry");
    let pending = d.pending_workflow_task.unwrap();
    assert!(pending.attempt >= 5, "attempt {}", pending.attempt);
    // The backoff between attempts is capped at 10 s.
    if let Some(next) = te.next_deadline() {
        assert!(next - te.clock_now() <= chrono::Duration::seconds(10));
    }
    // A fixed worker completes the next attempt: its Scheduled/Started are written then.
    let t = loop {
        if let Some(t) = w.poll_wt() {
            break t;
        }
        assert!(te.skip_to_next_deadline());
    };
    w.complete_wt(&t.task_token, vec![complete_workflow(None)]);
    let h = te.client.history("wtretry");
    assert_valid(&h);
    assert_eq!(h.events.iter().filter(|e| e.event_type() == EventType::WorkflowTaskFailed).count(), 1);
    assert_eq!(h.events.iter().filter(|e| e.event_type() == EventType::WorkflowTaskTimedOut).count(), 0);
    match &h.events[4].attributes {
        EventAttributes::WorkflowTaskScheduled(a) => assert_eq!(a.attempt, t.attempt),
        other => panic!("expected WorkflowTaskScheduled, got {:?}", other.event_type()),
    }
}

#[test]
fn workflow_task_start_to_close_timeout() {
    let te = TestEngine::start(short_settings());
    te.client.start("wtto", "W", "q", None);
    let w = ScriptedWorker::new(&te.client, "q", "w1");
    let t = w.poll_wt().unwrap();
    assert!(te.skip_to_next_deadline()); // 10 s start-to-close
    let h = te.client.history("wtto");
    assert_eq!(types(&h)[3], "WorkflowTaskTimedOut");
    match &h.events[3].attributes {
        EventAttributes::WorkflowTaskTimedOut(a) => assert_eq!(a.timeout_type, Some(TimeoutType::StartToClose)),
        _ => unreachable!(),
    }
    w.complete_wt_answer(&t.task_token, vec![]).err(404);
    let t = w.poll_wt().unwrap();
    assert_eq!(t.attempt, 2);
    w.complete_wt(&t.task_token, vec![complete_workflow(None)]);
    assert_valid(&te.client.history("wtto"));
}

#[test]
fn graceful_shutdown_clears_stickiness() {
    let te = TestEngine::start(short_settings());
    te.client.start("shutdown", "W", "q", None);
    let w = ScriptedWorker::new(&te.client, "q", "w1");
    let t = w.poll_wt().unwrap();
    w.complete_wt(&t.task_token, vec![start_timer("1", Duration::from_secs(3))]);
    te.client
        .rpc("ShutdownWorker", &ShutdownWorkerRequest { sticky_task_queue: w.sticky_queue.clone(), identity: "w1".into(), ..Default::default() })
        .ok();
    assert!(te.skip_to_next_deadline()); // timer fires
    // The task is on the normal queue at once: no schedule-to-start timeout.
    let w2 = ScriptedWorker::new(&te.client, "q", "w2");
    let t = w2.poll_wt().expect("task on the normal queue");
    assert_eq!(t.history.events[0].event_type(), EventType::WorkflowExecutionStarted, "full history");
    w2.complete_wt(&t.task_token, vec![complete_workflow(None)]);
    let h = te.client.history("shutdown");
    assert_valid(&h);
    assert!(!types(&h).contains(&"WorkflowTaskTimedOut"));
}

#[test]
fn sticky_polls_get_partial_history_and_reset_sticky_moves_the_task() {
    let te = TestEngine::start(short_settings());
    te.client.start("sticky", "W", "q", None);
    let w = ScriptedWorker::new(&te.client, "q", "w1");
    let t = w.poll_wt().unwrap();
    w.complete_wt(&t.task_token, vec![start_timer("1", Duration::from_secs(1))]);
    assert!(w.poll_sticky().is_none()); // keeps the sticky queue alive
    assert!(te.skip_to_next_deadline());
    let t = w.poll_sticky().expect("the task goes to the sticky queue");
    assert_eq!(t.previous_started_event_id, 3);
    assert_eq!(t.history.events[0].event_id, 4, "only new events on the sticky queue");
    w.complete_wt(&t.task_token, vec![start_timer("2", Duration::from_secs(1))]);
    assert!(w.poll_sticky().is_none());
    te.client
        .rpc(
            "ResetStickyTaskQueue",
            &ResetStickyTaskQueueRequest { namespace: "default".into(), execution: WorkflowExecution { workflow_id: "sticky".into(), run_id: String::new() } },
        )
        .ok();
    assert!(te.skip_to_next_deadline());
    let t = w.poll_wt().expect("after a reset the task is on the normal queue");
    w.complete_wt(&t.task_token, vec![complete_workflow(None)]);
    assert_valid(&te.client.history("sticky"));
}

#[test]
fn timers_fire_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("engine.db");
    let clock = std::sync::Arc::new(workshop_engine::VirtualClock::starting_now());
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let start = |clock: std::sync::Arc<workshop_engine::VirtualClock>| {
        rt.block_on(workshop_engine::Engine::start(workshop_engine::EngineConfig {
            db: workshop_engine::Db::File(db.clone()),
            clock,
            settings: short_settings(),
            bind: "127.0.0.1:0".parse().unwrap(),
        }))
        .unwrap()
    };
    let engine = start(clock.clone());
    let client = Client::new(&engine.url());
    client.start("restart", "W", "q", None);
    let w = ScriptedWorker::new(&client, "q", "w1");
    let t = w.poll_wt().unwrap();
    w.complete_wt(&t.task_token, vec![start_timer("1", Duration::from_secs(30)), start_timer("2", Duration::from_secs(60))]);
    rt.block_on(engine.shutdown());
    // While the engine is down, both timers come due.
    clock.advance(Duration::from_secs(120));
    let engine = start(clock.clone());
    let client = Client::new(&engine.url());
    rt.block_on(engine.process_due()).unwrap();
    let h = client.history("restart");
    assert_eq!(&types(&h)[5..], ["TimerStarted", "TimerFired", "TimerFired", "WorkflowTaskScheduled"]);
    // The matching queue was rebuilt: a worker gets the task.
    let w = ScriptedWorker::new(&client, "q", "w2");
    let t = w.poll_wt().expect("task after restart");
    w.complete_wt(&t.task_token, vec![complete_workflow(None)]);
    assert_valid(&client.history("restart"));
    rt.block_on(engine.shutdown());
}

#[test]
fn activity_timeouts_and_non_retryable_errors() {
    let te = TestEngine::start(short_settings());
    te.client.start("acts", "W", "q", None);
    let w = ScriptedWorker::new(&te.client, "q", "w1");
    let t = w.poll_wt().unwrap();
    let mut limited = schedule_activity("1", "Slow", None, Duration::from_secs(5));
    if let CommandAttributes::ScheduleActivityTask(a) = &mut limited.attributes {
        a.retry_policy = Some(RetryPolicy { maximum_attempts: 2, ..Default::default() });
    }
    let mut nonretry = schedule_activity("2", "Picky", None, Duration::from_secs(5));
    if let CommandAttributes::ScheduleActivityTask(a) = &mut nonretry.attributes {
        a.retry_policy = Some(RetryPolicy { non_retryable_error_types: vec!["BadInput".into()], ..Default::default() });
    }
    w.complete_wt(&t.task_token, vec![limited, nonretry]);
    // Activity 1 times out twice (start-to-close) and gives up; activity 2 fails with a
    // non-retryable type at once.
    let mut seen = 0;
    for _ in 0..10 {
        if let Some(a) = w.poll_act() {
            if a.activity_id == "2" {
                w.fail_act(&a.task_token, Failure::application("bad", "BadInput", false)).ok();
            } else {
                seen += 1;
                let d = te.client.describe("acts");
                assert_eq!(d.pending_activities.iter().find(|p| p.activity_id == "1").unwrap().attempt, a.attempt);
            }
            continue;
        }
        if !te.skip_to_next_deadline() {
            break;
        }
        if is_closed(&te.client.history("acts").events) || te.client.history("acts").events.iter().any(|e| e.event_type() == EventType::ActivityTaskTimedOut) {
            break;
        }
    }
    assert_eq!(seen, 2);
    let h = te.client.history("acts");
    assert_valid(&h);
    let failed = h.events.iter().find_map(|e| match &e.attributes {
        EventAttributes::ActivityTaskFailed(a) => Some(a.clone()),
        _ => None,
    });
    assert_eq!(failed.unwrap().retry_state, Some(RetryState::NonRetryableFailure));
    let timed_out = h.events.iter().find_map(|e| match &e.attributes {
        EventAttributes::ActivityTaskTimedOut(a) => Some(a.clone()),
        _ => None,
    });
    let timed_out = timed_out.expect("ActivityTaskTimedOut");
    assert_eq!(timed_out.retry_state, Some(RetryState::MaximumAttemptsReached));
    assert_eq!(timed_out.failure.unwrap().timeout_failure_info.unwrap().timeout_type, Some(TimeoutType::StartToClose));
}

#[test]
fn history_limit_terminates() {
    let settings = Settings { history_max_events: 12, history_warn_events: 8, ..short_settings() };
    let te = TestEngine::start(settings);
    te.client.start("limit", "W", "q", None);
    let w = ScriptedWorker::new(&te.client, "q", "w1");
    for i in 0..10 {
        let Some(t) = w.poll_sticky().or_else(|| w.poll_wt()) else { break };
        w.complete_wt(&t.task_token, vec![start_timer(&i.to_string(), Duration::from_secs(1))]);
        te.skip_to_next_deadline();
    }
    let h = te.client.history("limit");
    assert_valid(&h);
    assert_eq!(h.events.last().unwrap().event_type(), EventType::WorkflowExecutionTerminated);
    assert!(h.events.len() <= 14);
}

#[test]
fn result_long_poll_waits_for_the_close_event() {
    let te = TestEngine::start(Settings { long_poll_timeout: Duration::from_secs(30), ..Settings::default() });
    te.client.start("wait", "W", "q", None);
    let base = te.client.base.clone();
    let waiter = std::thread::spawn(move || {
        Client::new(&base)
            .get("/api/v1/namespaces/default/workflows/wait/history?waitNewEvent=true&historyEventFilterType=HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT")
            .ok()
    });
    let w = ScriptedWorker::new(&te.client, "q", "w1");
    let t = w.poll_wt().unwrap();
    w.complete_wt(&t.task_token, vec![complete_workflow(Some(Payloads::json(&serde_json::json!({"B": 1, "A": 2})).unwrap()))]);
    let v = waiter.join().unwrap();
    let events = v["history"]["events"].as_array().unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["eventType"], "EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED");
    // HTTP form: shorthand payloads with sorted keys.
    assert_eq!(events[0]["workflowExecutionCompletedEventAttributes"]["result"], serde_json::json!([{"A": 2, "B": 1}]));
    assert_valid(&te.client.history("wait"));
}

#[test]
fn describe_list_namespaces_and_task_queues() {
    let te = TestEngine::start(short_settings());
    te.client.start("a", "TypeA", "q", None);
    te.client.start("b", "TypeB", "q", None);
    te.client.post(&format!("{}/terminate", wf_path("b")), &serde_json::json!({})).ok();
    let l: ListWorkflowExecutionsResponse = te.client.get("/api/v1/namespaces/default/workflows?query=ExecutionStatus%3D%22Running%22").into();
    assert_eq!(l.executions.len(), 1);
    assert_eq!(l.executions[0].execution.workflow_id, "a");
    let l: ListWorkflowExecutionsResponse =
        te.client.get("/api/v1/namespaces/default/workflows?query=WorkflowType%3D%22TypeB%22%20AND%20ExecutionStatus%3D%22Terminated%22").into();
    assert_eq!(l.executions.len(), 1);
    let bad = te.client.get("/api/v1/namespaces/default/workflows?query=Nope%3D1").err(400);
    assert!(bad.message.contains("Nope"));
    // Namespaces.
    te.client.post("/api/v1/namespaces", &RegisterNamespaceRequest { namespace: "other".into(), description: "d".into() }).ok();
    let err = te.client.post("/api/v1/namespaces", &RegisterNamespaceRequest { namespace: "other".into(), description: "d".into() }).err(409);
    assert_eq!(err.code, Code::AlreadyExists);
    let ns: ListNamespacesResponse = te.client.get("/api/v1/namespaces").into();
    let names: Vec<_> = ns.namespaces.iter().map(|n| n.namespace_info.name.as_str()).collect();
    assert_eq!(names, ["default", "other"]);
    // Task queue pollers.
    let w = ScriptedWorker::new(&te.client, "q", "poller-1@host");
    let t = w.poll_wt().unwrap();
    let tq: DescribeTaskQueueResponse = te.client.get("/api/v1/namespaces/default/task-queues/q").into();
    assert_eq!(tq.pollers.len(), 1);
    assert_eq!(tq.pollers[0].identity, "poller-1@host");
    let tq: DescribeTaskQueueResponse = te.client.get("/api/v1/namespaces/default/task-queues/nobody-polls").into();
    assert!(tq.pollers.is_empty());
    // Describe with a pending workflow task and activity.
    w.complete_wt(&t.task_token, vec![schedule_activity("1", "Act", None, Duration::from_secs(10))]);
    let d = te.client.describe("a");
    assert_eq!(d.workflow_execution_info.status, Some(WorkflowExecutionStatus::Running));
    assert_eq!(d.pending_activities.len(), 1);
    assert_eq!(d.pending_activities[0].state, Some(PendingActivityState::Scheduled));
    assert_eq!(d.workflow_execution_info.history_length, 5);
    assert_valid(&te.client.history("a"));
    assert_valid(&te.client.history("b"));
}

#[test]
fn reference_histories_import_for_inspection() {
    let te = TestEngine::start(short_settings());
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference/temporal");
    for name in ["pizza.json", "pizza.http.json", "terminated.json", "retry-exhausted.http.json"] {
        let text = std::fs::read_to_string(dir.join(name)).unwrap();
        let wid = format!("imported-{name}");
        te.client.post_raw(&format!("{}/import", wf_path(&wid)), &text).ok();
        let h = te.client.history(&wid);
        let original = History::from_json_str(&text).unwrap();
        assert_eq!(types(&h), types(&original), "{name}");
        assert_valid(&h);
    }
    let text = std::fs::read_to_string(dir.join("event-shapes.json")).unwrap();
    let err = te.client.post_raw(&format!("{}/import", wf_path("shapes")), &text).err(400);
    assert!(err.message.contains("not a workflow history"), "{}", err.message);
    te.client.get(&wf_path("shapes")).err(404);
}

#[test]
fn bad_input_gets_actionable_errors_and_changes_nothing() {
    let settings = Settings { payload_max_bytes: 1000, ..short_settings() };
    let te = TestEngine::start(settings);
    let c = &te.client;
    // Malformed JSON.
    let e = c.post_raw(&wf_path("x"), "{not json").err(400);
    assert!(e.message.contains("malformed JSON"), "{}", e.message);
    let e = c.post_raw("/api/v1/rpc/PollWorkflowTaskQueue", "[1,2").err(400);
    assert!(e.message.contains("malformed JSON"));
    // Missing fields.
    let e = c.post(&wf_path("x"), &serde_json::json!({"taskQueue": {"name": "q"}})).err(400);
    assert!(e.message.contains("workflowType"), "{}", e.message);
    // Unknown namespace, workflow, route, method.
    let e = c.post("/api/v1/namespaces/nope/workflows/x", &start_req("W", "q")).err(404);
    assert!(e.message.contains("namespace \"nope\""), "{}", e.message);
    let e = c.get(&wf_path("missing")).err(404);
    assert!(e.message.contains("missing"));
    c.get("/api/v1/namespaces/default/workflows/missing/history").err(404);
    c.post(&format!("{}/signal/s", wf_path("missing")), &serde_json::json!({})).err(404);
    c.get("/api/v1/nothing-here").err(404);
    let e = c.post_raw("/api/v1/rpc/Frobnicate", "{}").err(501);
    assert!(e.message.contains("Frobnicate"));
    // Oversized payloads at start and signal: 400, nothing written.
    let big = Payloads::json(&"x".repeat(2000)).unwrap();
    let mut req = start_req("W", "q");
    req.input = Some(big.clone());
    let e = c.post(&wf_path("big"), &req).err(400);
    assert!(e.message.contains("payload limit"), "{}", e.message);
    c.get(&wf_path("big")).err(404);
    c.start("ok", "W", "q", None);
    let e = c.post(&format!("{}/signal/s", wf_path("ok")), &SignalWorkflowExecutionRequest { input: Some(big.clone()), ..Default::default() }).err(400);
    assert!(e.message.contains("payload limit"));
    assert_eq!(c.history("ok").events.len(), 2);
    // Task tokens: garbage, wrong kind, already answered.
    let w = ScriptedWorker::new(c, "q", "w1");
    let e = w.complete_wt_answer(b"garbage", vec![]).err(400);
    assert!(e.message.contains("taskToken"));
    let e = w.complete_wt_answer(&[], vec![]).err(400);
    assert!(e.message.contains("missing"));
    let t = w.poll_wt().unwrap();
    let e = w.complete_act(&t.task_token, None).err(400);
    assert!(e.message.contains("not a activity task token") || e.message.contains("activity task token"), "{}", e.message);
    // A command that does not fit the state: cancel a timer that does not exist. The
    // task fails with a cause, the worker gets 400, a new task is scheduled.
    let e = w.complete_wt_answer(&t.task_token, vec![Command::new(CancelTimerCommandAttributes { timer_id: "nope".into() })]).err(400);
    assert!(e.message.contains("no pending timer"), "{}", e.message);
    let h = c.history("ok");
    match &h.events[3].attributes {
        EventAttributes::WorkflowTaskFailed(a) => assert_eq!(a.cause, Some(WorkflowTaskFailedCause::BadCancelTimerAttributes)),
        other => panic!("{:?}", other.event_type()),
    }
    // Already answered.
    let e = w.complete_wt_answer(&t.task_token, vec![]).err(404);
    assert!(e.message.contains("already completed"), "{}", e.message);
    // Oversized command payload: BAD_SCHEDULE_ACTIVITY_ATTRIBUTES (attempt 2 is transient).
    let next_task = || loop {
        if let Some(t) = w.poll_wt() {
            break t;
        }
        assert!(te.skip_to_next_deadline(), "no task and nothing pending");
    };
    let t = next_task();
    let e = w.complete_wt_answer(&t.task_token, vec![schedule_activity("1", "A", Some(big.clone()), Duration::from_secs(5))]).err(400);
    assert!(e.message.contains("payload limit"), "{}", e.message);
    // An activity without timeouts.
    let t = next_task();
    let e = w.complete_wt_answer(&t.task_token, vec![Command::new(ScheduleActivityTaskCommandAttributes {
        activity_id: "1".into(),
        activity_type: ActivityType { name: "A".into() },
        ..Default::default()
    })]).err(400);
    assert!(e.message.contains("startToCloseTimeout"), "{}", e.message);
    // Oversized activity result: the activity fails, non-retryable.
    let t = next_task();
    w.complete_wt(&t.task_token, vec![schedule_activity("1", "A", None, Duration::from_secs(5))]);
    let a = w.poll_act().unwrap();
    let e = w.complete_act(&a.task_token, Some(big)).err(400);
    assert!(e.message.contains("payload limit"));
    let h = c.history("ok");
    assert_valid(&h);
    let failed = h.events.iter().find_map(|e| match &e.attributes {
        EventAttributes::ActivityTaskFailed(a) => Some(a.clone()),
        _ => None,
    });
    let failed = failed.expect("the activity failed");
    assert_eq!(failed.retry_state, Some(RetryState::NonRetryableFailure));
    assert!(failed.failure.unwrap().is_non_retryable());
    // Stale activity token after the outcome: NotFound.
    w.complete_act(&a.task_token, None).err(404);
    assert_eq!(h.events.iter().filter(|e| e.event_type() == EventType::WorkflowTaskFailed).count(), 1);
}

#[test]
fn continue_as_new_links_runs() {
    let te = TestEngine::start(short_settings());
    let first = te.client.start("can", "W", "q", Some(Payloads::json(&1).unwrap()));
    let w = ScriptedWorker::new(&te.client, "q", "w1");
    let t = w.poll_wt().unwrap();
    w.complete_wt(
        &t.task_token,
        vec![Command::new(ContinueAsNewWorkflowExecutionCommandAttributes { input: Some(Payloads::json(&2).unwrap()), ..Default::default() })],
    );
    let old = te.client.get(&format!("/api/v1/namespaces/default/workflows/can/history?execution.runId={first}&form=cli")).ok();
    let old = History::from_json_value(old).unwrap();
    assert_valid(&old);
    let new_rid = match &old.events.last().unwrap().attributes {
        EventAttributes::WorkflowExecutionContinuedAsNew(a) => a.new_execution_run_id.clone(),
        other => panic!("{:?}", other.event_type()),
    };
    let d = te.client.describe("can");
    assert_eq!(d.workflow_execution_info.execution.run_id, new_rid);
    let h = te.client.history("can");
    match &h.events[0].attributes {
        EventAttributes::WorkflowExecutionStarted(a) => {
            assert_eq!(a.continued_execution_run_id, first);
            assert_eq!(a.first_execution_run_id, first);
            assert_eq!(a.original_execution_run_id, new_rid);
            assert_eq!(a.input.as_ref().unwrap().decode::<i32>().unwrap(), 2);
        }
        _ => unreachable!(),
    }
    let t = w.poll_wt().unwrap();
    assert_eq!(t.workflow_execution.unwrap().run_id, new_rid);
    w.complete_wt(&t.task_token, vec![complete_workflow(None)]);
    assert_valid(&te.client.history("can"));
}

#[test]
fn heartbeat_timeout_retries_with_last_details() {
    let te = TestEngine::start(short_settings());
    te.client.start("hb", "W", "q", None);
    let w = ScriptedWorker::new(&te.client, "q", "w1");
    let t = w.poll_wt().unwrap();
    let mut cmd = schedule_activity("1", "Long", None, Duration::from_secs(600));
    if let CommandAttributes::ScheduleActivityTask(a) = &mut cmd.attributes {
        a.heartbeat_timeout = Some(Duration::from_secs(5));
    }
    w.complete_wt(&t.task_token, vec![cmd]);
    let a = w.poll_act().unwrap();
    let hb = RecordActivityTaskHeartbeatRequest { task_token: a.task_token.clone(), details: Some(Payloads::json(&42).unwrap()), ..Default::default() };
    let r: RecordActivityTaskHeartbeatResponse = te.client.rpc("RecordActivityTaskHeartbeat", &hb).into();
    assert!(!r.cancel_requested);
    // No more heartbeats: 5 s later the attempt times out and is retried (no event).
    assert!(te.skip_to_next_deadline());
    let d = te.client.describe("hb");
    let p = &d.pending_activities[0];
    assert_eq!(p.attempt, 2);
    assert_eq!(p.last_failure.as_ref().unwrap().timeout_failure_info.as_ref().unwrap().timeout_type, Some(TimeoutType::Heartbeat));
    assert!(p.next_attempt_schedule_time.is_some());
    // The stale attempt's heartbeat is refused.
    te.client.rpc("RecordActivityTaskHeartbeat", &hb).err(404);
    assert!(te.skip_to_next_deadline()); // backoff over
    let a2 = w.poll_act().unwrap();
    assert_eq!(a2.attempt, 2);
    assert_eq!(a2.heartbeat_details.unwrap().decode::<i32>().unwrap(), 42);
    w.complete_act(&a2.task_token, None).ok();
    let h = te.client.history("hb");
    assert_valid(&h);
    assert_eq!(&types(&h)[5..], ["ActivityTaskStarted", "ActivityTaskCompleted", "WorkflowTaskScheduled"]);
}
