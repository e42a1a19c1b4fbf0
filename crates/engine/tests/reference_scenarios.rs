//! Reproduces real Temporal histories (shared/reference/temporal) through the engine's
//! HTTP API with a scripted worker that sends what the recorded worker sent (commands,
//! activity results and failures, stickiness), on a virtual clock. The histories must
//! match event for event: type, the checked-in attribute-key allowlist, and the values
//! that carry meaning (queue kind, attempt, links, IDs, types, timer duration, retry policy).

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use common::*;
use serde_json::Value;
use workshop_protocol::*;

fn reference(name: &str) -> History {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference/temporal");
    assert!(dir.is_dir(), "reference histories not found at {}", dir.display());
    History::from_file(&dir.join(format!("{name}.json"))).unwrap()
}

/// The commands the recorded worker sent with each completed workflow task.
fn commands_per_task(h: &History) -> Vec<Vec<Command>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < h.events.len() {
        if h.events[i].event_type() == EventType::WorkflowTaskCompleted {
            let mut cmds = Vec::new();
            let mut j = i + 1;
            while j < h.events.len() && h.events[j].is_command_event() {
                cmds.push(command_of(&h.events[j]));
                j += 1;
            }
            out.push(cmds);
        }
        i += 1;
    }
    out
}

fn command_of(e: &HistoryEvent) -> Command {
    let attrs: CommandAttributes = match &e.attributes {
        EventAttributes::ActivityTaskScheduled(a) => ScheduleActivityTaskCommandAttributes {
            activity_id: a.activity_id.clone(),
            activity_type: a.activity_type.clone(),
            task_queue: Some(a.task_queue.clone()),
            input: a.input.clone(),
            schedule_to_close_timeout: a.schedule_to_close_timeout.filter(|d| !d.is_zero()),
            schedule_to_start_timeout: a.schedule_to_start_timeout.filter(|d| !d.is_zero()),
            start_to_close_timeout: a.start_to_close_timeout.filter(|d| !d.is_zero()),
            heartbeat_timeout: a.heartbeat_timeout.filter(|d| !d.is_zero()),
            retry_policy: a.retry_policy.clone(),
            ..Default::default()
        }
        .into(),
        EventAttributes::TimerStarted(t) => {
            StartTimerCommandAttributes { timer_id: t.timer_id.clone(), start_to_fire_timeout: t.start_to_fire_timeout }.into()
        }
        EventAttributes::WorkflowExecutionCompleted(c) => CompleteWorkflowExecutionCommandAttributes { result: c.result.clone() }.into(),
        EventAttributes::WorkflowExecutionFailed(f) => FailWorkflowExecutionCommandAttributes { failure: f.failure.clone() }.into(),
        other => panic!("no command for {:?}", other.event_type()),
    };
    Command::new(attrs)
}

/// How the recorded worker answered each activity (by activity ID): the final attempt,
/// the failure of the attempt before it, and the final outcome.
struct ActivityScript {
    final_attempt: i32,
    last_failure: Option<Failure>,
    outcome: EventAttributes,
}

fn activity_scripts(h: &History) -> BTreeMap<String, ActivityScript> {
    let mut by_sid: BTreeMap<i64, String> = BTreeMap::new();
    let mut out = BTreeMap::new();
    let mut started: BTreeMap<i64, (i32, Option<Failure>)> = BTreeMap::new();
    for e in &h.events {
        match &e.attributes {
            EventAttributes::ActivityTaskScheduled(a) => {
                by_sid.insert(e.event_id, a.activity_id.clone());
            }
            EventAttributes::ActivityTaskStarted(a) => {
                started.insert(a.scheduled_event_id, (a.attempt, a.last_failure.clone()));
            }
            EventAttributes::ActivityTaskCompleted(_) | EventAttributes::ActivityTaskFailed(_) => {
                let sid = e.scheduled_event_id().unwrap();
                let (final_attempt, last_failure) = started[&sid].clone();
                out.insert(by_sid[&sid].clone(), ActivityScript { final_attempt, last_failure, outcome: e.attributes.clone() });
            }
            _ => {}
        }
    }
    out
}

/// The failure the recorded worker reported on an earlier attempt.
fn failure_on_attempt(s: &ActivityScript, attempt: i32) -> Failure {
    let mut f = s.last_failure.clone().expect("a retried activity has a lastFailure");
    f.message = f.message.replace(&format!("attempt {}", s.final_attempt - 1), &format!("attempt {attempt}"));
    f
}

struct Scenario {
    name: &'static str,
    /// The sticky worker dies right after completing this workflow task (1-based); a
    /// second worker polls the normal queue only.
    sticky_worker_dies_after: Option<usize>,
}

fn drive(s: &Scenario) -> (History, History) {
    let reference = reference(s.name);
    let te = TestEngine::start(short_settings());
    let started = match &reference.events[0].attributes {
        EventAttributes::WorkflowExecutionStarted(a) => a.clone(),
        _ => unreachable!(),
    };
    let wid = format!("{}-repro", s.name);
    let queue = started.task_queue.name.clone();
    let req = StartWorkflowExecutionRequest {
        workflow_type: started.workflow_type.clone(),
        task_queue: TaskQueue::normal(&queue),
        input: started.input.clone(),
        workflow_task_timeout: started.workflow_task_timeout,
        identity: "test-client".into(),
        request_id: uuid::Uuid::new_v4().to_string(),
        ..Default::default()
    };
    te.client.post(&format!("/api/v1/namespaces/default/workflows/{wid}"), &req).ok();

    let commands = commands_per_task(&reference);
    let scripts = activity_scripts(&reference);
    let worker1 = ScriptedWorker::new(&te.client, &queue, "worker-1@test");
    let worker2 = ScriptedWorker::new(&te.client, &queue, "worker-2@test");
    let mut completed_tasks = 0usize;
    let mut dead = false;
    let mut steps = 0;
    loop {
        steps += 1;
        assert!(steps < 200, "{}: the scenario does not finish", s.name);
        let h = te.client.history(&wid);
        if is_closed(&h.events) {
            break;
        }
        // Outside actions the reference shows next (terminate).
        if let Some(next) = reference.events.get(h.events.len())
            && let EventAttributes::WorkflowExecutionTerminated(t) = &next.attributes {
                let body = TerminateWorkflowExecutionRequest { reason: t.reason.clone(), identity: t.identity.clone(), ..Default::default() };
                te.client.post(&format!("/api/v1/namespaces/default/workflows/{wid}/terminate"), &body).ok();
                continue;
            }
        let worker = if dead { &worker2 } else { &worker1 };
        let task = if dead { None } else { worker.poll_sticky() }.or_else(|| worker.poll_wt());
        if let Some(task) = task {
            let cmds = commands.get(completed_tasks).cloned().unwrap_or_default();
            worker.complete_wt(&task.task_token, cmds);
            completed_tasks += 1;
            if s.sticky_worker_dies_after == Some(completed_tasks) {
                dead = true;
            }
            continue;
        }
        if let Some(act) = worker.poll_act() {
            let script = &scripts[&act.activity_id];
            let attempt = act.attempt;
            if attempt < script.final_attempt {
                worker.fail_act(&act.task_token, failure_on_attempt(script, attempt)).ok();
            } else {
                match &script.outcome {
                    EventAttributes::ActivityTaskCompleted(c) => {
                        worker.complete_act(&act.task_token, c.result.clone()).ok();
                    }
                    EventAttributes::ActivityTaskFailed(f) => {
                        worker.fail_act(&act.task_token, f.failure.clone().unwrap()).ok();
                    }
                    _ => unreachable!(),
                }
            }
            continue;
        }
        assert!(te.skip_to_next_deadline(), "{}: blocked with nothing to do:\n{}", s.name, h.to_cli_json());
    }
    (te.client.history(&wid), reference)
}

fn allowlist() -> BTreeMap<String, Vec<String>> {
    let text = include_str!("data/attribute-allowlist.json");
    let v: BTreeMap<String, Value> = serde_json::from_str(text).unwrap();
    v.into_iter()
        .filter(|(k, _)| !k.starts_with('_'))
        .map(|(k, v)| (k, serde_json::from_value(v).unwrap()))
        .collect()
}

const INT64_KEYS: &[&str] = &[
    "scheduledEventId",
    "startedEventId",
    "workflowTaskCompletedEventId",
    "historySizeBytes",
    "latestCancelRequestedEventId",
];
const COMPARED: &[&str] = &[
    "attempt",
    "scheduledEventId",
    "startedEventId",
    "workflowTaskCompletedEventId",
    "activityId",
    "timerId",
    "activityType",
    "startToFireTimeout",
    "retryPolicy",
    "retryState",
    "timeoutType",
    "cause",
];

fn compare(name: &str, ours: &History, theirs: &History) {
    assert_valid(ours);
    let our_types = types(ours);
    let their_types = types(theirs);
    assert_eq!(our_types, their_types, "{name}: event types differ\nours:\n{}", ours.to_cli_json());
    let allow = allowlist();
    let ours_json = ours.to_cli_value();
    let theirs_json = theirs.to_cli_value();
    for (i, (o, t)) in ours_json["events"].as_array().unwrap().iter().zip(theirs_json["events"].as_array().unwrap()).enumerate() {
        let ty = o["eventType"].as_str().unwrap();
        assert!(o["eventId"].is_string() && o["taskId"].is_string(), "{name} event {}: 64-bit IDs must be strings", i + 1);
        let key = ours.events[i].event_type().attributes_key();
        let (oa, ta) = (&o[&key], &t[&key]);
        let keys = allow.get(ty).unwrap_or_else(|| panic!("{name}: no allowlist entry for {ty}"));
        for k in oa.as_object().unwrap().keys() {
            assert!(keys.contains(k), "{name} event {} ({ty}): we write {k:?}, which is not in the allowlist", i + 1);
        }
        for k in keys {
            assert_eq!(
                oa.get(k).is_some(),
                ta.get(k).is_some(),
                "{name} event {} ({ty}): key {k:?} present in ours: {}, in Temporal's: {}\nours: {oa}\ntheirs: {ta}",
                i + 1,
                oa.get(k).is_some(),
                ta.get(k).is_some()
            );
        }
        for k in COMPARED {
            assert_eq!(oa.get(*k), ta.get(*k), "{name} event {} ({ty}): {k} differs\nours: {oa}\ntheirs: {ta}", i + 1);
        }
        for k in INT64_KEYS {
            if let Some(v) = oa.get(*k) {
                assert!(v.is_string(), "{name} event {} ({ty}): {k} must be a JSON string", i + 1);
            }
        }
        if let Some(q) = oa.get("taskQueue") {
            assert_eq!(q.get("kind"), ta["taskQueue"].get("kind"), "{name} event {} ({ty}): task queue kind", i + 1);
        }
        // Payloads and failures the worker sent come back unchanged.
        for k in ["input", "result", "failure", "lastFailure"] {
            if ta.get(k).is_some() && !matches!(ty, "EVENT_TYPE_WORKFLOW_EXECUTION_STARTED") {
                assert_eq!(oa.get(k), ta.get(k), "{name} event {} ({ty}): {k} differs", i + 1);
            }
        }
    }
}

fn run(name: &'static str, sticky_worker_dies_after: Option<usize>) {
    let (ours, theirs) = drive(&Scenario { name, sticky_worker_dies_after });
    compare(name, &ours, &theirs);
}

#[test]
fn translation() {
    run("translation", None);
}

#[test]
fn pizza() {
    run("pizza", None);
}

#[test]
fn retry() {
    run("retry", None);
}

#[test]
fn retry_exhausted() {
    run("retry-exhausted", None);
}

#[test]
fn failed() {
    run("failed", None);
}

#[test]
fn terminated() {
    run("terminated", None);
}

#[test]
fn worker_crash_short_timer() {
    // Killed right after the timer started (3 s timer, well inside the 10 s sticky window):
    // the task waits on the dead worker's sticky queue, times out (schedule-to-start), and
    // the second worker takes it from the normal queue.
    run("worker-crash-short-timer", Some(2));
}

#[test]
fn retry_waits_the_backoff() {
    // retry.json: attempts 1-3 fail, backoff 1 s, 2 s, 4 s: the final ActivityTaskStarted
    // is written at the start of attempt 4, 7 s after scheduling (virtual time).
    let (ours, _) = drive(&Scenario { name: "retry", sticky_worker_dies_after: None });
    let sched = ours.events.iter().find(|e| e.event_type() == EventType::ActivityTaskScheduled).unwrap();
    let started = ours.events.iter().find(|e| e.event_type() == EventType::ActivityTaskStarted).unwrap();
    let gap = (started.event_time - sched.event_time).to_std().unwrap();
    assert!(gap >= Duration::from_secs(7) && gap < Duration::from_secs(8), "gap {gap:?}");
}

#[test]
fn comparison_catches_a_different_history() {
    // A history with a WorkflowTaskTimedOut must not pass as translation.json.
    let (ours, _) = drive(&Scenario { name: "worker-crash-short-timer", sticky_worker_dies_after: Some(2) });
    assert!(types(&ours).contains(&"WorkflowTaskTimedOut"));
    let r = std::panic::catch_unwind(|| compare("translation", &ours, &reference("translation")));
    assert!(r.is_err(), "a history with a WorkflowTaskTimedOut compared equal to translation.json");
}

#[test]
fn sticky_worker_dead_for_the_whole_sticky_window_leaves_no_event() {
    // worker-crash.json: the worker dies when a 10 s timer starts; at fire time its sticky
    // queue has not been polled for 10 s, so the task goes to the normal queue with no
    // WorkflowTaskTimedOut: the history has translation.json's shape.
    let (ours, theirs) = drive(&Scenario { name: "translation", sticky_worker_dies_after: Some(2) });
    compare("translation (worker killed at TimerStarted)", &ours, &theirs);
    let identity = |i: usize| match &ours.events[i].attributes {
        EventAttributes::WorkflowTaskStarted(a) => a.identity.clone(),
        _ => panic!("event {} is not WorkflowTaskStarted", i + 1),
    };
    assert_eq!(identity(13), "worker-2@test", "the second worker took over");
}
