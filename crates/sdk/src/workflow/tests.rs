//! Executor and command-machine tests against the fake engine: command order at the
//! call, deterministic select and join, replay with and without cache, panics,
//! patches, side effects, randomness, signals, cancellation, continue-as-new.

use std::cell::Cell;
use std::time::Duration;

use workshop_protocol::event::{EventAttributes, WorkflowExecutionCancelRequestedEventAttributes, WorkflowExecutionSignaledEventAttributes};
use workshop_protocol::failure::Failure;
use workshop_protocol::history::{History, validate_history};
use workshop_protocol::payload::Payloads;

use super::fake_engine::{FakeEngine, Order};
use super::run::RunError;
use super::*;
use crate::prelude::*;
use crate::registry::Registry;
use crate::replay::replay_history;

async fn echo(_ctx: ActivityContext, s: String) -> Result<String, ActivityError> {
    Ok(s)
}

async fn other(_ctx: ActivityContext, s: String) -> Result<String, ActivityError> {
    Ok(s)
}

fn echo_engine() -> FakeEngine {
    FakeEngine::new(Box::new(|_t: &str, input: &Payloads| Ok(input.clone())))
}

fn opts() -> ActivityOptions {
    ActivityOptions::start_to_close(Duration::from_secs(5))
}

fn registry(register: impl FnOnce(&mut Registry)) -> Registry {
    let mut r = Registry::new();
    register(&mut r);
    r
}

fn run(engine: &mut FakeEngine, r: &Registry, name: &str, input: impl serde::Serialize) {
    engine.run(r, name, Payloads::json(&input).unwrap(), 50).unwrap_or_else(|e| panic!("{e}"));
    validate_history(&engine.events).unwrap_or_else(|e| panic!("invalid history: {e:?}\n{:?}", engine.event_types()));
    replay_history(r, &engine.history()).unwrap_or_else(|e| panic!("replay: {e}"));
}

fn scheduled_types(history: &History) -> Vec<String> {
    history
        .events
        .iter()
        .filter_map(|e| match &e.attributes {
            EventAttributes::ActivityTaskScheduled(a) => Some(a.activity_type.name.clone()),
            _ => None,
        })
        .collect()
}

async fn join_reversed(ctx: WorkflowContext, _: ()) -> Result<String, WorkflowError> {
    let a = ctx.execute_activity(echo, "a".to_string(), opts());
    let b = ctx.execute_activity(other, "b".to_string(), opts());
    let (b, a) = ctx.join(b, a).await;
    Ok(format!("{}{}", a?, b?))
}

#[test]
fn commands_are_recorded_at_the_call_not_at_the_first_poll() {
    let r = registry(|r| {
        r.register_workflow(join_reversed);
    });
    for no_cache in [false, true] {
        let mut engine = echo_engine();
        engine.no_cache = no_cache;
        run(&mut engine, &r, "JoinReversed", ());
        assert_eq!(scheduled_types(&engine.history()), ["Echo", "Other"]);
        assert_eq!(engine.result::<String>().as_deref(), Some("ab"));
    }
}

async fn race(ctx: WorkflowContext, _: ()) -> Result<String, WorkflowError> {
    let activity = ctx.execute_activity(echo, "activity".to_string(), opts());
    let timer = ctx.timer(Duration::from_secs(1));
    Ok(match ctx.select(activity, timer).await {
        Either::Left((r, timer)) => {
            timer.cancel();
            r?
        }
        Either::Right(_) => "timer".to_string(),
    })
}

#[test]
fn select_is_biased_and_replays_to_the_same_winner() {
    let r = registry(|r| {
        r.register_workflow(race);
    });
    for (order, winner) in [
        (Order::ActivitiesFirst, "activity"),
        (Order::TimersFirst, "timer"),
        (Order::Together, "activity"),
    ] {
        let mut engine = echo_engine();
        engine.order = order;
        run(&mut engine, &r, "Race", ());
        assert_eq!(engine.result::<String>().as_deref(), Some(winner), "{order:?}");
        if order == Order::ActivitiesFirst {
            assert!(engine.event_types().iter().any(|t| t.contains("TIMER_CANCELED")), "{:?}", engine.event_types());
        }
    }
}

async fn panics(ctx: WorkflowContext, _: ()) -> Result<(), WorkflowError> {
    ctx.sleep(Duration::from_secs(1)).await;
    panic!("boom in workflow code");
}

#[test]
fn a_panic_fails_the_task_not_the_process() {
    let r = registry(|r| {
        r.register_workflow(panics);
    });
    let mut engine = echo_engine();
    match engine.run(&r, "Panics", Payloads::json(&()).unwrap(), 10) {
        Err(RunError::Panic(m)) => assert!(m.contains("boom in workflow code"), "{m}"),
        other => panic!("expected a panic error, got {other:?}"),
    }
}

async fn tokio_in_workflow(_ctx: WorkflowContext, _: ()) -> Result<(), WorkflowError> {
    tokio::time::sleep(Duration::from_millis(1)).await;
    Ok(())
}

#[test]
fn tokio_timers_in_workflow_code_fail_loudly() {
    let r = registry(|r| {
        r.register_workflow(tokio_in_workflow);
    });
    let mut engine = echo_engine();
    match engine.run(&r, "TokioInWorkflow", Payloads::json(&()).unwrap(), 10) {
        Err(RunError::Panic(m)) => assert!(m.to_lowercase().contains("reactor") || m.contains("runtime"), "{m}"),
        other => panic!("expected a panic error, got {other:?}"),
    }
}

async fn old_code(ctx: WorkflowContext, _: ()) -> Result<String, WorkflowError> {
    Ok(ctx.execute_activity(echo, "old".to_string(), opts()).await?)
}

async fn patched_code(ctx: WorkflowContext, _: ()) -> Result<String, WorkflowError> {
    if ctx.patched("new-activity") {
        Ok(ctx.execute_activity(other, "new".to_string(), opts()).await?)
    } else {
        Ok(ctx.execute_activity(echo, "old".to_string(), opts()).await?)
    }
}

#[test]
fn patched_is_false_against_old_histories_and_true_for_new_runs() {
    let old = registry(|r| {
        r.register_workflow_as("W", old_code);
    });
    let new = registry(|r| {
        r.register_workflow_as("W", patched_code);
    });
    let mut engine = echo_engine();
    run(&mut engine, &old, "W", ());
    replay_history(&new, &engine.history()).expect("patched code replays the old history (old branch)");

    let mut engine = echo_engine();
    run(&mut engine, &new, "W", ());
    assert_eq!(engine.result::<String>().as_deref(), Some("new"));
    assert!(engine.event_types().iter().any(|t| t.contains("MARKER_RECORDED")));
    let err = replay_history(&old, &engine.history());
    assert!(err.is_err(), "old code must not replay a history that took the new branch");
}

thread_local! {
    static SIDE_EFFECT_RUNS: Cell<u32> = const { Cell::new(0) };
}

async fn randomness(ctx: WorkflowContext, _: ()) -> Result<String, WorkflowError> {
    let v: u32 = ctx.side_effect(|| {
        SIDE_EFFECT_RUNS.with(|c| c.set(c.get() + 1));
        SIDE_EFFECT_RUNS.with(|c| c.get()) * 1000
    });
    let r = ctx.random();
    let u = ctx.uuid();
    ctx.sleep(Duration::from_secs(1)).await;
    Ok(format!("{v} {r} {u} {}", ctx.now().timestamp_millis()))
}

#[test]
fn side_effects_random_and_now_are_the_same_on_replay() {
    let r = registry(|r| {
        r.register_workflow(randomness);
    });
    let mut engine = echo_engine();
    engine.no_cache = true;
    run(&mut engine, &r, "Randomness", ());
    let live: String = engine.result().unwrap();
    // The no-cache run replayed the first task once; the side effect ran only live.
    assert_eq!(SIDE_EFFECT_RUNS.with(|c| c.get()), 1);
    // Replay the history without its last task's outcome: the open task recomputes
    // the result, which must be the same.
    let mut events = engine.events.clone();
    let last_started = events.iter().rposition(|e| e.event_type().to_string().contains("WORKFLOW_TASK_STARTED")).unwrap();
    events.truncate(last_started + 1);
    let first = events[0].clone();
    let mut replay = super::run::WorkflowRun::new(|t| r.workflow(t), Default::default(), &first, None).unwrap();
    let commands = replay.apply(&events).unwrap().unwrap();
    let replayed = match &commands.last().unwrap().attributes {
        workshop_protocol::command::CommandAttributes::CompleteWorkflowExecution(c) => {
            c.result.as_ref().unwrap().decode::<String>().unwrap()
        }
        other => panic!("{other:?}"),
    };
    assert_eq!(replayed, live);
    assert_eq!(SIDE_EFFECT_RUNS.with(|c| c.get()), 1, "the side effect closure ran again on replay");
}

async fn waits_for_signal(ctx: WorkflowContext, _: ()) -> Result<String, WorkflowError> {
    let ch = ctx.signal_channel::<String>("approve");
    let first = ch.recv().await;
    Ok(first)
}

#[test]
fn signals_are_delivered_in_order() {
    let r = registry(|r| {
        r.register_workflow(waits_for_signal);
    });
    let mut engine = echo_engine();
    for (i, v) in ["yes", "later"].iter().enumerate() {
        let _ = i;
        engine.inject.push((
            1,
            EventAttributes::WorkflowExecutionSignaled(WorkflowExecutionSignaledEventAttributes {
                signal_name: "approve".into(),
                input: Some(Payloads::json(v).unwrap()),
                ..Default::default()
            }),
        ));
    }
    run(&mut engine, &r, "WaitsForSignal", ());
    assert_eq!(engine.result::<String>().as_deref(), Some("yes"));
}

async fn cancellable(ctx: WorkflowContext, _: ()) -> Result<String, WorkflowError> {
    let timer = ctx.timer(Duration::from_secs(3600));
    // The fake engine fires the timer in the same task as the cancel request: the
    // first argument wins ties.
    match ctx.select(ctx.cancelled(), timer).await {
        Either::Right(_) => Ok("fired".into()),
        Either::Left((_, timer)) => {
            timer.cancel();
            Err(WorkflowError::cancelled())
        }
    }
}

#[test]
fn cancellation_cancels_the_timer_and_the_run() {
    let r = registry(|r| {
        r.register_workflow(cancellable);
    });
    let mut engine = echo_engine();
    engine.order = Order::ActivitiesFirst;
    engine.inject.push((
        1,
        EventAttributes::WorkflowExecutionCancelRequested(WorkflowExecutionCancelRequestedEventAttributes::default()),
    ));
    run(&mut engine, &r, "Cancellable", ());
    let types = engine.event_types();
    assert!(types.iter().any(|t| t.contains("TIMER_CANCELED")), "{types:?}");
    assert!(types.last().unwrap().contains("WORKFLOW_EXECUTION_CANCELED"), "{types:?}");
}

async fn counter(ctx: WorkflowContext, n: u32) -> Result<u32, WorkflowError> {
    if n < 3 {
        return Err(ctx.continue_as_new(&(n + 1)));
    }
    Ok(n)
}

#[test]
fn continue_as_new_closes_the_run_with_the_next_input() {
    let r = registry(|r| {
        r.register_workflow(counter);
    });
    let mut engine = echo_engine();
    run(&mut engine, &r, "Counter", 1u32);
    match &engine.events.last().unwrap().attributes {
        EventAttributes::WorkflowExecutionContinuedAsNew(c) => {
            assert_eq!(c.workflow_type.name, "Counter");
            assert_eq!(c.input.as_ref().unwrap().decode::<u32>().unwrap(), 2);
        }
        other => panic!("{other:?}"),
    }
}

async fn fails_on_activity(ctx: WorkflowContext, _: ()) -> Result<String, WorkflowError> {
    match ctx.execute_activity(echo, "x".to_string(), opts()).await {
        Ok(v) => Ok(v),
        Err(failure) => {
            assert_eq!(failure.error_type(), Some("Bad"));
            assert_eq!(failure.attempt, 1);
            Err(failure.into())
        }
    }
}

#[test]
fn activity_failures_reach_the_workflow_and_fail_it_with_a_cause() {
    let r = registry(|r| {
        r.register_workflow(fails_on_activity);
    });
    let mut engine = FakeEngine::new(Box::new(|_t: &str, _i: &Payloads| Err(Failure::application("nope", "Bad", true))));
    run(&mut engine, &r, "FailsOnActivity", ());
    match &engine.events.last().unwrap().attributes {
        EventAttributes::WorkflowExecutionFailed(f) => {
            let failure = f.failure.as_ref().unwrap();
            assert_eq!(failure.message, "Activity task failed");
            assert_eq!(failure.cause.as_ref().unwrap().message, "nope");
            assert!(failure.activity_failure_info.is_some());
        }
        other => panic!("{other:?}"),
    }
}

async fn many_timers(ctx: WorkflowContext, n: u32) -> Result<u32, WorkflowError> {
    for _ in 0..n {
        ctx.sleep(Duration::from_secs(1)).await;
    }
    Ok(n)
}

#[test]
fn commands_carry_their_source_line() {
    let r = registry(|r| {
        r.register_workflow(many_timers);
    });
    let mut engine = echo_engine();
    run(&mut engine, &r, "ManyTimers", 2u32);
    let timer = engine.events.iter().find(|e| e.event_type().to_string().contains("TIMER_STARTED")).unwrap();
    let location = timer.user_metadata.as_ref().unwrap().get_source_location().unwrap();
    assert!(location.file.ends_with("workflow/tests.rs"), "{location:?}");
    assert!(location.line > 0);
}

#[test]
fn a_fifty_thousand_event_history_replays() {
    let r = registry(|r| {
        r.register_workflow(many_timers);
    });
    let mut engine = echo_engine();
    engine
        .run(&r, "ManyTimers", Payloads::json(&10_000u32).unwrap(), 20_000)
        .unwrap();
    assert!(engine.events.len() >= 50_000, "{}", engine.events.len());
    let history = engine.history();
    let started = std::time::Instant::now();
    replay_history(&r, &history).unwrap();
    // A figure, not an assertion: `workshop bench` reports it from a release build.
    eprintln!("replayed {} events in {:?} (debug build)", history.events.len(), started.elapsed());
}
