//! Non-determinism (`nde.json`, `nde-timer-branch.json`): v1 runs an activity before
//! its timer, v2 (the "changed code") goes straight to the timer.

use workshop_sdk::prelude::*;

pub async fn noop(_ctx: ActivityContext, i: i64) -> Result<i64, ActivityError> {
    Ok(i + 1)
}

fn opts() -> ActivityOptions {
    ActivityOptions::start_to_close(Duration::from_secs(5))
}

/// The recorded version: activity, timer, activity.
pub async fn nde_workflow_v1(ctx: WorkflowContext, _name: String) -> Result<String, WorkflowError> {
    ctx.execute_activity(noop, 1, opts()).await?;
    ctx.sleep(Duration::from_secs(2)).await;
    ctx.execute_activity(noop, 2, opts()).await?;
    Ok("activity-branch".into())
}

/// The changed version: the first activity is gone.
pub async fn nde_workflow_v2(ctx: WorkflowContext, _name: String) -> Result<String, WorkflowError> {
    ctx.sleep(Duration::from_secs(2)).await;
    ctx.execute_activity(noop, 2, opts()).await?;
    Ok("timer-branch".into())
}
