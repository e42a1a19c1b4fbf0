//! Replays the real Temporal histories in `shared/reference/temporal` against the
//! fixture workflows: each replays as recorded (both JSON forms), and changed code
//! fails with a non-determinism error that names the event and shows the table.

use std::path::PathBuf;

use workshop_protocol::history::History;
use workshop_sdk::prelude::*;
use workshop_sdk::{Registry, ReplayError, replay_history};

fn reference(name: &str) -> History {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference/temporal").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    History::from_json_str(&text).unwrap_or_else(|e| panic!("parse {}: {e}", path.display()))
}

fn v1() -> Registry {
    let mut r = Registry::new();
    workshop_sdk_fixtures::register_all(&mut r);
    r
}

fn v2() -> Registry {
    let mut r = Registry::new();
    workshop_sdk_fixtures::register_all_v2(&mut r);
    r
}

#[test]
fn reference_histories_replay_against_the_fixtures() {
    for name in [
        "translation.json",
        "translation.http.json",
        "worker-crash-short-timer.json",
        "worker-crash-short-timer.http.json",
        "pizza.json",
        "pizza.http.json",
        "failed.json",
        "failed.http.json",
        "retry.json",
        "retry.http.json",
        "retry-exhausted.json",
        "retry-exhausted.http.json",
        "terminated.json",
        "nde.json",
        "nde.http.json",
    ] {
        let history = reference(name);
        if let Err(e) = replay_history(&v1(), &history) {
            panic!("{name} does not replay: {e}");
        }
    }
    replay_history(&v2(), &reference("nde-timer-branch.json")).expect("v2 replays its own branch");
}

#[test]
fn removed_activity_is_a_non_determinism_error_with_a_table() {
    let err = replay_history(&v2(), &reference("nde.json")).unwrap_err();
    let nde = err.non_determinism().unwrap_or_else(|| panic!("expected NDE, got {err}"));
    assert_eq!(nde.workflow_type, "NDEWorkflow");
    assert_eq!(nde.event_id, 5, "{nde}");
    let text = nde.to_string();
    assert!(text.contains("✗"), "{text}");
    assert!(text.contains("ScheduleActivityTask Noop"), "{text}");
    assert!(text.contains("StartTimer 2s"), "{text}");
    assert!(text.contains("src/nde.rs:"), "produced commands carry their source line: {text}");
    assert!(text.contains("NDEWorkflow"), "{text}");
}

#[test]
fn added_activity_is_detected_in_the_other_direction() {
    let err = replay_history(&v1(), &reference("nde-timer-branch.json")).unwrap_err();
    let nde = err.non_determinism().expect("NDE");
    assert_eq!(nde.event_id, 5);
    assert!(nde.reason.contains("TimerStarted") || nde.reason.contains("StartTimer"), "{}", nde.reason);
}

async fn renamed_activity(ctx: WorkflowContext, _name: String) -> Result<String, WorkflowError> {
    let o = ActivityOptions::start_to_close(Duration::from_secs(5));
    ctx.execute_activity_named::<_, i64>("Noop", &1, o.clone()).await?;
    ctx.sleep(Duration::from_secs(2)).await;
    ctx.execute_activity_named::<_, i64>("SomeOtherActivity", &2, o).await?;
    Ok("x".into())
}

#[test]
fn changed_activity_type_is_named() {
    let mut r = Registry::new();
    r.register_workflow_as("NDEWorkflow", renamed_activity);
    let err = replay_history(&r, &reference("nde.json")).unwrap_err();
    let nde = err.non_determinism().expect("NDE");
    assert_eq!(nde.event_id, 16);
    assert!(nde.reason.contains("'Noop'") && nde.reason.contains("'SomeOtherActivity'"), "{}", nde.reason);
    // The rows before the mismatch are the ones of that workflow task only: one ✗.
    assert_eq!(nde.rows.iter().filter(|r| !r.matches).count(), 1, "{nde}");
}

async fn shorter_sleep(ctx: WorkflowContext, input: workshop_sdk_fixtures::translation::TranslationWorkflowInput) -> Result<String, WorkflowError> {
    let o = ActivityOptions::start_to_close(Duration::from_secs(1));
    let t = workshop_sdk_fixtures::translation::TranslationActivityInput {
        term: "hello".into(),
        language_code: input.language_code.clone(),
    };
    ctx.execute_activity(workshop_sdk_fixtures::translation::translate_term, t.clone(), o.clone()).await?;
    ctx.sleep(Duration::from_secs(1)).await;
    ctx.execute_activity(workshop_sdk_fixtures::translation::translate_term, t, o).await?;
    Ok("ok".into())
}

#[test]
fn durations_and_inputs_are_not_compared() {
    let mut r = Registry::new();
    r.register_workflow_as("TranslationWorkflow", shorter_sleep);
    replay_history(&r, &reference("translation.json")).expect("a 1 s sleep replays a 10 s timer");
}

#[test]
fn unknown_workflow_type_is_reported() {
    let r = Registry::new();
    match replay_history(&r, &reference("translation.json")) {
        Err(ReplayError::UnknownWorkflowType(t)) => assert_eq!(t, "TranslationWorkflow"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn logs_are_flagged_as_replaying() {
    use std::sync::{Arc, Mutex};
    let records = Arc::new(Mutex::new(Vec::new()));
    let sink_records = records.clone();
    let sink: workshop_sdk::LogSink = Arc::new(move |r: &workshop_sdk::LogRecord| sink_records.lock().unwrap().push(r.clone()));
    workshop_sdk::replay::replay_history_with_sink(&v1(), &reference("translation.json"), Some(sink)).unwrap();
    let records = records.lock().unwrap();
    assert!(records.iter().any(|r| r.message == "TranslationWorkflow invoked"));
    assert!(records.iter().all(|r| r.replaying), "{records:?}");
    let invoked = records.iter().filter(|r| r.message == "TranslationWorkflow invoked").count();
    assert_eq!(invoked, 1, "each line once per replay");
}
