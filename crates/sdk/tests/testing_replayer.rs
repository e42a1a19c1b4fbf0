//! The replayer over the reference histories recorded by a real Temporal server, each
//! with its expected outcome, and bad input.

// The kit is behind the `testing` feature: `cargo test -p workshop-sdk --features testing`
// (a workspace `cargo test` enables it through the solutions' dev-dependencies).
#![cfg(feature = "testing")]

mod testing_workflows;

use testing_workflows::*;
use workshop_sdk::testing::{ReplayError, WorkflowReplayer};

fn expect_ok(replayer: &WorkflowReplayer, file: &str) {
    if let Err(e) = replayer.replay_file(reference(file)) {
        panic!("{file} should replay, got:\n{e}");
    }
}

fn expect_nde(replayer: &WorkflowReplayer, file: &str) -> workshop_sdk::testing::NonDeterminismError {
    match replayer.replay_file(reference(file)) {
        Err(ReplayError::NonDeterminism(e)) => e,
        Err(other) => panic!("{file}: expected non-determinism, got another error:\n{other}"),
        Ok(()) => panic!("{file}: expected non-determinism, but it replayed"),
    }
}

#[test]
fn translation_histories_replay() {
    let replayer = WorkflowReplayer::new().register_workflow(translation_workflow);
    for file in [
        "translation.json",
        "translation.http.json",
        "worker-crash-short-timer.json",
        "worker-crash-short-timer.http.json",
    ] {
        expect_ok(&replayer, file);
    }
}

#[test]
fn pizza_history_replays() {
    let replayer = WorkflowReplayer::new().register_workflow(pizza_workflow);
    expect_ok(&replayer, "pizza.json");
    expect_ok(&replayer, "pizza.http.json");
    // The far-away order that failed the workflow replays too.
    expect_ok(&replayer, "failed.json");
}

#[test]
fn retry_history_replays() {
    let replayer = WorkflowReplayer::new().register_workflow(retry_workflow);
    expect_ok(&replayer, "retry.json");
    expect_ok(&replayer, "retry.http.json");
}

#[test]
fn nde_history_fits_only_the_recorded_branch() {
    let recorded = WorkflowReplayer::new().register_workflow_as("NDEWorkflow", nde_activity_branch);
    expect_ok(&recorded, "nde.json");
    expect_ok(&recorded, "nde.http.json");

    let other = WorkflowReplayer::new().register_workflow_as("NDEWorkflow", nde_timer_branch);
    let e = expect_nde(&other, "nde.json");
    let text = e.to_string();
    println!("{text}");
    assert_eq!(e.event_id, 5, "the first event that does not fit is the activity's:\n{text}");
    assert_eq!(e.workflow_type, "NDEWorkflow");
    assert!(text.contains("event 5"), "the error names event 5:\n{text}");
    assert!(text.contains("Noop"), "the error names the activity:\n{text}");
    assert!(text.contains('✗') && text.contains("produced"), "the error has the expected/produced table:\n{text}");

    // The opposite direction: recorded on the timer branch, replayed with the activity first.
    let e = expect_nde(&recorded, "nde-timer-branch.json");
    assert_eq!(e.event_id, 5, "{e}");
}

#[test]
fn moving_an_activity_after_the_timer_is_caught_and_patched_fixes_it() {
    let moved = WorkflowReplayer::new().register_workflow_as("TranslationWorkflow", translation_workflow_sleep_first);
    let e = expect_nde(&moved, "translation.json");
    println!("{e}");
    assert_eq!(e.event_id, 5, "{e}");
    assert!(e.to_string().contains("TranslateTerm"), "{e}");

    let patched = WorkflowReplayer::new().register_workflow_as("TranslationWorkflow", translation_workflow_patched);
    expect_ok(&patched, "translation.json");
    expect_ok(&patched, "worker-crash-short-timer.json");
}

#[test]
fn replay_str_takes_the_text() {
    let replayer = WorkflowReplayer::new().register_workflow(translation_workflow);
    let text = std::fs::read_to_string(reference("translation.json")).unwrap();
    replayer.replay_str(&text).unwrap();
}

fn invalid(result: Result<(), ReplayError>) -> String {
    match result {
        Err(ReplayError::InvalidHistory(m)) => m,
        other => panic!("expected InvalidHistory, got {other:?}"),
    }
}

#[test]
fn bad_input_gets_a_clear_error() {
    let replayer = WorkflowReplayer::new().register_workflow(translation_workflow);

    let m = invalid(replayer.replay_str("{\"events\": [ this is not json"));
    assert!(m.contains("JSON"), "{m}");

    let m = invalid(replayer.replay_str("{\"workflows\": []}"));
    assert!(m.contains("history"), "{m}");

    let m = invalid(replayer.replay_str("{\"events\": []}"));
    assert!(m.contains("no events"), "{m}");

    let m = invalid(replayer.replay_file(reference("pizza.json")));
    assert!(m.contains("PizzaWorkflow") && m.contains("TranslationWorkflow"), "names both types: {m}");

    let m = invalid(replayer.replay_file("/nonexistent/history.json"));
    assert!(m.contains("cannot read"), "{m}");
}

/// Replay checks every workflow task to the end, not just the first one.
#[test]
fn a_missing_last_activity_is_caught() {
    async fn translation_without_goodbye(
        ctx: workshop_sdk::WorkflowContext,
        input: TranslationWorkflowInput,
    ) -> Result<TranslationWorkflowOutput, workshop_sdk::WorkflowError> {
        let opts = workshop_sdk::ActivityOptions::start_to_close(std::time::Duration::from_secs(45));
        let hello = ctx
            .execute_activity(translate_term, TranslationActivityInput { term: "hello".into(), language_code: input.language_code }, opts)
            .await?;
        ctx.sleep(TRANSLATION_SLEEP).await;
        Ok(TranslationWorkflowOutput { hello_message: hello.translation, goodbye_message: String::new() })
    }
    let replayer = WorkflowReplayer::new().register_workflow_as("TranslationWorkflow", translation_without_goodbye);
    let e = expect_nde(&replayer, "translation.json");
    assert_eq!(e.event_id, 16, "{e}");
}

#[test]
fn workflow_code_that_panics_on_replay_is_a_workflow_failure() {
    async fn broken(_ctx: workshop_sdk::WorkflowContext, _input: String) -> Result<String, workshop_sdk::WorkflowError> {
        panic!("retry budget missing");
    }
    let replayer = WorkflowReplayer::new().register_workflow_as("RetryWorkflow", broken);
    match replayer.replay_file(reference("retry.json")) {
        Err(ReplayError::WorkflowFailed(m)) => assert!(m.contains("retry budget missing"), "{m}"),
        other => panic!("expected WorkflowFailed, got {other:?}"),
    }
}

#[test]
fn replayed_log_lines_are_flagged() {
    let replayer = WorkflowReplayer::new().register_workflow(translation_workflow);
    replayer.replay_file(reference("translation.json")).unwrap();
    let logs = replayer.logs();
    let messages: Vec<&str> = logs.iter().map(|r| r.message.as_str()).collect();
    assert_eq!(
        messages,
        ["TranslationWorkflow invoked", "Sleeping between translation calls", "TranslationWorkflow complete"]
    );
    assert!(logs.iter().all(|r| r.replaying), "{logs:?}");
}
