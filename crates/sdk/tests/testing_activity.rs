//! Activity tests with `TestActivityEnvironment`: results, application errors,
//! heartbeats and cancellation, logs.

// The kit is behind the `testing` feature: `cargo test -p workshop-sdk --features testing`
// (a workspace `cargo test` enables it through the solutions' dev-dependencies).
#![cfg(feature = "testing")]

mod testing_workflows;

use testing_workflows::*;
use workshop_sdk::prelude::*;
use workshop_sdk::testing::{LogLevel, LogSource, TestActivityEnvironment};

#[test]
fn translate_term_translates() {
    let env = TestActivityEnvironment::new();
    let out = env
        .run(translate_term, TranslationActivityInput { term: "Hello".into(), language_code: "fr".into() })
        .unwrap();
    assert_eq!(out.translation, "Bonjour");
    let logs = env.logs();
    assert_eq!(logs.len(), 1);
    assert_eq!((logs[0].level, logs[0].source), (LogLevel::Info, LogSource::Activity));
    assert_eq!(logs[0].field("Term"), Some("Hello"));
}

#[test]
fn an_application_error_carries_its_message() {
    let env = TestActivityEnvironment::new();
    let err = env
        .run(translate_term, TranslationActivityInput { term: "hello".into(), language_code: "xx".into() })
        .unwrap_err();
    assert_eq!(err.message(), "unknown term/language hello/xx");
    assert!(!err.is_non_retryable());

    let bill = Bill { customer_id: 1, order_number: "Z1".into(), description: "Pizza".into(), amount: 0 };
    let err = env.run(send_bill, bill).unwrap_err();
    assert_eq!(err.message(), "invalid charge amount: 0");
    assert_eq!(err.error_type(), Some("InvalidChargeAmount"));
    assert!(err.is_non_retryable());
}

#[test]
fn the_attempt_is_what_the_test_sets() {
    let env = TestActivityEnvironment::new();
    let err = env.run(flaky_activity, "x".to_string()).unwrap_err();
    assert_eq!((err.message(), err.error_type()), ("simulated failure on attempt 1", Some("FlakyError")));
    env.set_attempt(4);
    assert_eq!(env.run(flaky_activity, "x".to_string()).unwrap(), "succeeded on attempt 4 for x");
}

async fn process_items(ctx: ActivityContext, count: u32) -> Result<u32, ActivityError> {
    let start = ctx.heartbeat_details::<u32>().unwrap_or(0);
    for i in start..count {
        ctx.heartbeat(&(i + 1));
        if ctx.is_cancelled() {
            ctx.logger().warn("canceled", &[("Done", &(i + 1))]);
            return Err(ActivityError::cancelled());
        }
    }
    Ok(count)
}

#[test]
fn heartbeats_and_cancellation() {
    let env = TestActivityEnvironment::new();
    assert_eq!(env.run(process_items, 3).unwrap(), 3);
    assert_eq!(env.heartbeats(), vec![serde_json::json!(1), serde_json::json!(2), serde_json::json!(3)]);

    env.cancel_after_heartbeats(2);
    let err = env.run(process_items, 100).unwrap_err();
    assert_eq!(err.message(), "activity canceled");
    assert_eq!(env.heartbeats().len(), 2);
    assert_eq!(env.logs()[0].field("Done"), Some("2"));
}

#[test]
fn a_retry_resumes_from_the_last_heartbeat() {
    let env = TestActivityEnvironment::new();
    env.set_attempt(2);
    env.set_heartbeat_details(&7u32);
    assert_eq!(env.run(process_items, 9).unwrap(), 9);
    assert_eq!(env.heartbeats(), vec![serde_json::json!(8), serde_json::json!(9)]);
}
