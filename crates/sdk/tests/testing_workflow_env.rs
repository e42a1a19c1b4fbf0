//! Workflow tests with `TestWorkflowEnvironment`: time skipping, real and mocked
//! activities, typed failures, recorded activity calls, captured logs, and runs that
//! can never progress.

// The kit is behind the `testing` feature: `cargo test -p workshop-sdk --features testing`
// (a workspace `cargo test` enables it through the solutions' dev-dependencies).
#![cfg(feature = "testing")]

mod testing_workflows;

use std::time::{Duration, Instant};

use testing_workflows::*;
use workshop_protocol::enums::EventType;
use workshop_sdk::prelude::*;
use workshop_sdk::testing::{LogLevel, LogSource, TestWorkflowEnvironment, WorkflowFailure, WorkflowReplayer};

/// Real sleeping would take at least the workflow's timer; far less means time skipped.
const WALL_GUARD: Duration = Duration::from_secs(30);

fn pierre() -> TranslationWorkflowInput {
    TranslationWorkflowInput { name: "Pierre".into(), language_code: "fr".into() }
}

#[test]
fn translation_with_real_activities_skips_the_sleep() {
    let mut env = TestWorkflowEnvironment::new();
    env.register_workflow(translation_workflow);
    env.register_activity(translate_term);
    let wall = Instant::now();
    let out = env.execute_workflow(translation_workflow, pierre()).unwrap();
    let wall = wall.elapsed();
    let virtual_time = env.virtual_time_elapsed();
    println!("translation (real activities): virtual time {virtual_time:?}, wall time {wall:?}");
    assert_eq!(out.hello_message, "Bonjour, Pierre");
    assert_eq!(out.goodbye_message, "Au revoir, Pierre");
    assert!(virtual_time >= TRANSLATION_SLEEP, "virtual time {virtual_time:?} < {TRANSLATION_SLEEP:?}");
    assert!(wall < WALL_GUARD, "took {wall:?} of real time: the sleep was not skipped");

    let calls = env.activity_calls();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].activity_type, "TranslateTerm");
    assert_eq!(calls[0].input, serde_json::json!({"Term": "hello", "LanguageCode": "fr"}));
    assert_eq!(calls[1].input["Term"], "goodbye");
    assert_eq!(calls[1].attempt, 1);

    let history = env.history();
    let types: Vec<EventType> = history.events.iter().map(|e| e.event_type()).collect();
    assert_eq!(types.first(), Some(&EventType::WorkflowExecutionStarted));
    assert_eq!(types.last(), Some(&EventType::WorkflowExecutionCompleted));
    assert_eq!(types.iter().filter(|t| **t == EventType::TimerFired).count(), 1);
    // What the environment recorded replays against the same code.
    WorkflowReplayer::new()
        .register_workflow(translation_workflow)
        .replay_history(&history)
        .unwrap();
}

#[test]
fn translation_with_mocked_activities_skips_the_sleep() {
    let mut env = TestWorkflowEnvironment::new();
    env.register_workflow(translation_workflow);
    env.mock_activity(translate_term, |input: TranslationActivityInput| {
        Ok(TranslationActivityOutput { translation: format!("<{}>", input.term) })
    });
    let wall = Instant::now();
    let out = env.execute_workflow(translation_workflow, pierre()).unwrap();
    let wall = wall.elapsed();
    let virtual_time = env.virtual_time_elapsed();
    println!("translation (mocked activities): virtual time {virtual_time:?}, wall time {wall:?}");
    assert_eq!(out.hello_message, "<hello>, Pierre");
    assert_eq!(out.goodbye_message, "<goodbye>, Pierre");
    assert!(virtual_time >= TRANSLATION_SLEEP, "virtual time {virtual_time:?} < {TRANSLATION_SLEEP:?}");
    assert!(wall < WALL_GUARD, "took {wall:?} of real time: the sleep was not skipped");
    assert_eq!(env.activity_calls().len(), 2);
}

#[test]
fn pizza_delivers_after_thirty_virtual_minutes() {
    let mut env = TestWorkflowEnvironment::new();
    env.register_activity(get_distance).register_activity(send_bill);
    let wall = Instant::now();
    let confirmation = env.execute_workflow(pizza_workflow, reference_order(false)).unwrap();
    println!("pizza: virtual time {:?}, wall time {:?}", env.virtual_time_elapsed(), wall.elapsed());
    assert_eq!(confirmation.status, "SUCCESS");
    assert_eq!(confirmation.amount, 2500);
    assert!(env.virtual_time_elapsed() >= PIZZA_SLEEP);
}

#[test]
fn pizza_too_far_away_is_a_typed_failure() {
    let mut env = TestWorkflowEnvironment::new();
    env.register_activity(get_distance).register_activity(send_bill);
    let failure = env.execute_workflow(pizza_workflow, reference_order(true)).unwrap_err();
    match &failure {
        WorkflowFailure::Failed { message, .. } => assert_eq!(message, "customer lives too far away for delivery"),
        other => panic!("expected a failed workflow, got {other:?}"),
    }
    assert_eq!(failure.message(), "customer lives too far away for delivery");
    // The bill was never sent.
    let calls: Vec<String> = env.activity_calls().into_iter().map(|c| c.activity_type).collect();
    assert_eq!(calls, ["GetDistance"]);
    assert_eq!(env.history().events.last().unwrap().event_type(), EventType::WorkflowExecutionFailed);
}

#[test]
fn a_mocked_activity_error_fails_the_workflow_with_its_cause() {
    let mut env = TestWorkflowEnvironment::new();
    env.mock_activity_result(get_distance, Distance { kilometers: 3 });
    env.mock_activity_error(send_bill, ActivityError::non_retryable("card declined").with_type("CardDeclined"));
    let failure = env.execute_workflow(pizza_workflow, reference_order(false)).unwrap_err();
    assert_eq!(failure.message(), "Activity task failed");
    assert_eq!(failure.root_cause_message(), "card declined");
    assert_eq!(failure.error_type(), Some("CardDeclined"));
    // Non-retryable: one attempt only.
    assert_eq!(env.activity_calls().iter().filter(|c| c.activity_type == "SendBill").count(), 1);
}

#[test]
fn retries_are_skipped_and_recorded() {
    let mut env = TestWorkflowEnvironment::new();
    env.register_activity(flaky_activity);
    let wall = Instant::now();
    let out = env.execute_workflow(retry_workflow, "flaky".to_string()).unwrap();
    println!("retry: virtual time {:?}, wall time {:?}", env.virtual_time_elapsed(), wall.elapsed());
    assert_eq!(out, "succeeded on attempt 4 for flaky");
    let attempts: Vec<u32> = env.activity_calls().iter().map(|c| c.attempt).collect();
    assert_eq!(attempts, [1, 2, 3, 4]);
    // Backoffs of 1 s, 2 s and 4 s.
    assert!(env.virtual_time_elapsed() >= Duration::from_secs(7), "{:?}", env.virtual_time_elapsed());
}

#[test]
fn logs_are_captured_and_replayed_lines_flagged() {
    let mut env = TestWorkflowEnvironment::new();
    env.register_activity(translate_term);
    env.execute_workflow(translation_workflow, pierre()).unwrap();
    let logs = env.logs();
    for line in &logs {
        println!("{line}");
    }
    let live: Vec<_> = logs.iter().filter(|r| r.source == LogSource::Workflow && !r.replaying).collect();
    let messages: Vec<(LogLevel, &str)> = live.iter().map(|r| (r.level, r.message.as_str())).collect();
    assert_eq!(
        messages,
        [
            (LogLevel::Info, "TranslationWorkflow invoked"),
            (LogLevel::Debug, "Sleeping between translation calls"),
            (LogLevel::Info, "TranslationWorkflow complete"),
        ]
    );
    assert_eq!(live[0].field("Name"), Some("Pierre"));
    assert_eq!(live[1].field("Seconds"), Some("15"));
    // Every workflow task replays the run from its start: the earlier lines come again,
    // flagged (a worker prints nothing for them).
    let replayed: Vec<&str> = logs
        .iter()
        .filter(|r| r.source == LogSource::Workflow && r.replaying)
        .map(|r| r.message.as_str())
        .collect();
    assert!(replayed.contains(&"TranslationWorkflow invoked"), "{replayed:?}");
    assert!(replayed.contains(&"Sleeping between translation calls"), "{replayed:?}");
    assert!(!replayed.contains(&"TranslationWorkflow complete"), "{replayed:?}");
    // Activities log too, never replaying.
    let activity: Vec<_> = logs.iter().filter(|r| r.source == LogSource::Activity).collect();
    assert_eq!(activity.len(), 2);
    assert!(activity.iter().all(|r| !r.replaying));
}

async fn wait_for_approval(ctx: WorkflowContext, _order: String) -> Result<String, WorkflowError> {
    let approvals = ctx.signal_channel::<String>("approve");
    Ok(approvals.recv().await)
}

#[test]
fn a_run_that_can_never_progress_is_blocked() {
    let mut env = TestWorkflowEnvironment::new();
    let wall = Instant::now();
    let failure = env.execute_workflow(wait_for_approval, "Z1".to_string()).unwrap_err();
    assert!(failure.is_blocked(), "{failure:?}");
    println!("{failure} (after {:?})", wall.elapsed());
    assert!(failure.message().contains("nothing can ever happen"), "{failure}");
    assert!(wall.elapsed() < WALL_GUARD);
}

#[test]
fn an_activity_nobody_registered_is_named() {
    let mut env = TestWorkflowEnvironment::new();
    env.register_activity(get_distance);
    let failure = env.execute_workflow(pizza_workflow, reference_order(false)).unwrap_err();
    assert!(failure.is_blocked(), "{failure:?}");
    assert!(failure.message().contains("SendBill"), "{failure}");
}

async fn panicking_workflow(_ctx: WorkflowContext, _input: String) -> Result<String, WorkflowError> {
    panic!("the order book is empty");
}

#[test]
fn a_panicking_workflow_task_is_reported() {
    let mut env = TestWorkflowEnvironment::new();
    let wall = Instant::now();
    let failure = env.execute_workflow(panicking_workflow, "x".to_string()).unwrap_err();
    assert!(failure.is_blocked(), "{failure:?}");
    assert!(failure.message().contains("the order book is empty"), "{failure}");
    assert!(wall.elapsed() < WALL_GUARD);
}

#[test]
fn a_new_run_takes_the_patched_path() {
    let mut env = TestWorkflowEnvironment::new();
    env.register_activity(translate_term);
    env.register_workflow_as("TranslationWorkflow", translation_workflow_patched);
    let out: TranslationWorkflowOutput = env.execute_workflow_as("TranslationWorkflow", pierre()).unwrap();
    assert_eq!(out.hello_message, "Bonjour, Pierre");
    let types: Vec<EventType> = env.history().events.iter().map(|e| e.event_type()).collect();
    let marker = types.iter().position(|t| *t == EventType::MarkerRecorded).expect("a patch marker");
    let timer = types.iter().position(|t| *t == EventType::TimerStarted).unwrap();
    let first_activity = types.iter().position(|t| *t == EventType::ActivityTaskScheduled).unwrap();
    assert!(marker < timer && timer < first_activity, "{types:?}");
}

#[test]
fn runs_in_one_environment_are_independent() {
    let mut env = TestWorkflowEnvironment::new();
    env.register_activity(translate_term);
    env.execute_workflow(translation_workflow, pierre()).unwrap();
    let after_first = env.virtual_time_elapsed();
    env.set_workflow_id("second");
    let out = env
        .execute_workflow(translation_workflow, TranslationWorkflowInput { name: "Ana".into(), language_code: "es".into() })
        .unwrap();
    assert_eq!(out.hello_message, "Hola, Ana");
    assert_eq!(env.activity_calls().len(), 2, "calls are those of the last run");
    assert!(env.virtual_time_elapsed() >= after_first + TRANSLATION_SLEEP);
    let started = &env.history().events[0];
    assert!(format!("{started:?}").contains("second"));
}

async fn sleep_for_an_hour(ctx: WorkflowContext, _input: String) -> Result<String, WorkflowError> {
    ctx.sleep(Duration::from_secs(3600)).await;
    Ok("woke up".into())
}

#[test]
fn an_execution_timeout_ends_the_run_in_virtual_time() {
    let mut env = TestWorkflowEnvironment::new();
    env.set_execution_timeout(Duration::from_secs(600));
    let wall = Instant::now();
    let failure = env.execute_workflow(sleep_for_an_hour, "x".to_string()).unwrap_err();
    assert_eq!(failure, WorkflowFailure::TimedOut);
    let virtual_time = env.virtual_time_elapsed();
    assert!(virtual_time >= Duration::from_secs(600) && virtual_time < Duration::from_secs(3600), "{virtual_time:?}");
    assert!(wall.elapsed() < WALL_GUARD);
}

#[test]
#[should_panic(expected = "plain #[test] fn")]
fn async_tests_are_told_to_use_plain_tests() {
    let runtime = workshop_sdk::tokio::runtime::Builder::new_current_thread().build().unwrap();
    runtime.block_on(async {
        let _ = TestWorkflowEnvironment::new();
    });
}

#[test]
fn with_a_workflow_cache_nothing_is_replayed() {
    let mut env = TestWorkflowEnvironment::new();
    env.set_max_cached_workflows(10);
    env.register_activity(translate_term);
    let out = env.execute_workflow(translation_workflow, pierre()).unwrap();
    assert_eq!(out.goodbye_message, "Au revoir, Pierre");
    let logs = env.logs();
    assert!(logs.iter().all(|r| !r.replaying), "{logs:?}");
    assert_eq!(logs.iter().filter(|r| r.source == LogSource::Workflow).count(), 3);
    assert!(env.virtual_time_elapsed() >= TRANSLATION_SLEEP);
}

async fn distance_elsewhere(ctx: WorkflowContext, order: PizzaOrder) -> Result<Distance, WorkflowError> {
    let opts = ActivityOptions::start_to_close(Duration::from_secs(5)).task_queue("maps-tasks");
    Ok(ctx.execute_activity(get_distance, order.address, opts).await?)
}

#[test]
fn an_activity_on_a_queue_nobody_polls_is_named() {
    let mut env = TestWorkflowEnvironment::new();
    env.register_activity(get_distance);
    let wall = Instant::now();
    let failure = env.execute_workflow(distance_elsewhere, reference_order(false)).unwrap_err();
    assert!(failure.is_blocked(), "{failure:?}");
    assert!(failure.message().contains("maps-tasks") && failure.message().contains("GetDistance"), "{failure}");
    assert!(wall.elapsed() < WALL_GUARD);
}

async fn many_activities(ctx: WorkflowContext, count: u32) -> Result<i64, WorkflowError> {
    let opts = ActivityOptions::start_to_close(Duration::from_secs(5));
    let mut total = 0;
    for i in 0..count {
        total = ctx.execute_activity(noop, total + i64::from(i), opts.clone()).await?;
    }
    Ok(total)
}

/// A figure, not a timed assertion: `cargo test -p workshop-sdk --features testing
/// --release --test testing_workflow_env -- --ignored --nocapture long_history`.
#[test]
#[ignore]
fn long_history_replay_figure() {
    let mut env = TestWorkflowEnvironment::new();
    env.set_max_cached_workflows(10);
    env.mock_activity(noop, |i: i64| Ok(i + 1));
    let wall = Instant::now();
    env.execute_workflow(many_activities, 2000).unwrap();
    let run = wall.elapsed();
    let history = env.history();
    let replayer = WorkflowReplayer::new().register_workflow(many_activities);
    let wall = Instant::now();
    replayer.replay_history(&history).unwrap();
    println!(
        "{} events: run {run:?}, replay {:?}",
        history.events.len(),
        wall.elapsed()
    );
}
