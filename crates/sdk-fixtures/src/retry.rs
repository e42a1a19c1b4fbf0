//! Retries (`retry.json`, `retry-exhausted.json`): an activity that fails its first
//! three attempts, and one that always fails with a maximum of three attempts.

use workshop_sdk::prelude::*;

pub async fn retry_workflow(ctx: WorkflowContext, name: String) -> Result<String, WorkflowError> {
    let opts = ActivityOptions::start_to_close(Duration::from_secs(5)).retry_policy(RetryPolicy {
        initial_interval: Some(Duration::from_millis(200)),
        backoff_coefficient: Some(2.0),
        maximum_interval: Some(Duration::from_secs(1)),
        ..Default::default()
    });
    Ok(ctx.execute_activity(flaky_activity, name, opts).await?)
}

pub async fn flaky_activity(ctx: ActivityContext, name: String) -> Result<String, ActivityError> {
    let attempt = ctx.info().attempt;
    crate::count_execution("FlakyActivity", &attempt.to_string());
    if attempt <= 3 {
        return Err(ActivityError::retryable(format!("simulated failure on attempt {attempt}")).with_type("FlakyError"));
    }
    Ok(format!("succeeded on attempt {attempt} for {name}"))
}

pub async fn retry_exhausted_workflow(ctx: WorkflowContext, name: String) -> Result<String, WorkflowError> {
    let opts = ActivityOptions::start_to_close(Duration::from_secs(5)).retry_policy(RetryPolicy {
        initial_interval: Some(Duration::from_millis(200)),
        backoff_coefficient: Some(2.0),
        maximum_attempts: 3,
        ..Default::default()
    });
    Ok(ctx.execute_activity(always_fail_activity, name, opts).await?)
}

pub async fn always_fail_activity(ctx: ActivityContext, _name: String) -> Result<String, ActivityError> {
    Err(ActivityError::retryable(format!("permanent failure on attempt {}", ctx.info().attempt)).with_type("PermanentError"))
}
