//! The other shapes the SDK must handle: one and three sequential activities (the
//! benchmark's), parallel activities, a select between an activity and a timer,
//! continue-as-new, cancellation, a long sleep (for terminate), patching, side
//! effects, signals, and a workflow that panics.

use workshop_sdk::prelude::*;

use crate::nde::noop;

fn opts() -> ActivityOptions {
    ActivityOptions::start_to_close(Duration::from_secs(30))
}

pub async fn one_activity_workflow(ctx: WorkflowContext, i: i64) -> Result<i64, WorkflowError> {
    Ok(ctx.execute_activity(noop, i, opts()).await?)
}

pub async fn three_activity_workflow(ctx: WorkflowContext, mut i: i64) -> Result<i64, WorkflowError> {
    for _ in 0..3 {
        i = ctx.execute_activity(noop, i, opts()).await?;
    }
    Ok(i)
}

/// Three activities started together, joined; the results in start order.
pub async fn parallel_workflow(ctx: WorkflowContext, base: i64) -> Result<Vec<i64>, WorkflowError> {
    let futures = vec![
        ctx.execute_activity(noop, base, opts()),
        ctx.execute_activity(noop, base + 10, opts()),
        ctx.execute_activity(noop, base + 20, opts()),
    ];
    let mut results = Vec::new();
    for r in ctx.join_all(futures).await {
        results.push(r?);
    }
    Ok(results)
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SelectInput {
    pub activity_millis: u64,
    pub timer_millis: u64,
}

/// Whichever of a slow activity and a timer finishes first.
pub async fn select_workflow(ctx: WorkflowContext, input: SelectInput) -> Result<String, WorkflowError> {
    let activity = ctx.execute_activity(slow_echo, input.activity_millis, opts());
    let timer = ctx.timer(Duration::from_millis(input.timer_millis));
    let winner = match ctx.select(activity, timer).await {
        Either::Left((result, timer)) => {
            timer.cancel();
            format!("activity:{}", result?)
        }
        Either::Right((_, _activity)) => "timer".to_string(),
    };
    ctx.logger().info("select decided", &[("Winner", &winner)]);
    Ok(winner)
}

pub async fn slow_echo(_ctx: ActivityContext, millis: u64) -> Result<u64, ActivityError> {
    tokio::time::sleep(Duration::from_millis(millis)).await;
    Ok(millis)
}

/// Continues as new until the count reaches 3.
pub async fn counter_workflow(ctx: WorkflowContext, count: u32) -> Result<u32, WorkflowError> {
    ctx.logger().info("counter", &[("Count", &count)]);
    if count < 3 {
        return Err(ctx.continue_as_new(&(count + 1)));
    }
    Ok(count)
}

/// Sleeps an hour unless canceled; on cancellation cancels its timer and accepts.
pub async fn cancellable_workflow(ctx: WorkflowContext, _name: String) -> Result<String, WorkflowError> {
    let timer = ctx.timer(Duration::from_secs(3600));
    match ctx.select(timer, ctx.cancelled()).await {
        Either::Left(_) => Ok("timer fired".into()),
        Either::Right((_, timer)) => {
            timer.cancel();
            ctx.logger().info("canceled, cleaning up", &[]);
            Err(WorkflowError::cancelled())
        }
    }
}

pub async fn long_sleep_workflow(ctx: WorkflowContext, _name: String) -> Result<String, WorkflowError> {
    ctx.sleep(Duration::from_secs(3600)).await;
    Ok("never".into())
}

pub async fn patched_workflow(ctx: WorkflowContext, _name: String) -> Result<i64, WorkflowError> {
    if ctx.patched("use-two") {
        Ok(ctx.execute_activity(noop, 2, opts()).await?)
    } else {
        Ok(ctx.execute_activity(noop, 1, opts()).await?)
    }
}

/// Random values from history-seeded sources and a side effect, then a timer.
pub async fn side_effect_workflow(ctx: WorkflowContext, _name: String) -> Result<String, WorkflowError> {
    let id = ctx.uuid();
    let dice = ctx.random_range(1..7);
    let recorded: u64 = ctx.side_effect(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0)
    });
    ctx.sleep(Duration::from_millis(100)).await;
    Ok(format!("{id} {dice} {recorded}"))
}

/// Waits for the signal `approve` and returns its value.
pub async fn signal_workflow(ctx: WorkflowContext, _name: String) -> Result<String, WorkflowError> {
    let approvals = ctx.signal_channel::<String>("approve");
    Ok(approvals.recv().await)
}

/// Panics when asked to: the task fails, the worker lives on.
pub async fn panicking_workflow(ctx: WorkflowContext, what: String) -> Result<String, WorkflowError> {
    if what == "panic" {
        panic!("this workflow panics on purpose");
    }
    ctx.sleep(Duration::from_millis(10)).await;
    Ok(what)
}

/// Heartbeats every 100 ms until canceled (cancellation arrives with a heartbeat answer).
pub async fn heartbeating_activity(ctx: ActivityContext, _name: String) -> Result<String, ActivityError> {
    for i in 0..600u32 {
        ctx.heartbeat(&i);
        if ctx.is_cancelled() {
            ctx.logger().info("activity canceled, stopping", &[("Beats", &i)]);
            return Err(ActivityError::cancelled());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok("finished".into())
}

/// Starts a heartbeating activity, cancels it half a second later, reports the outcome.
pub async fn cancel_activity_workflow(ctx: WorkflowContext, name: String) -> Result<String, WorkflowError> {
    let activity = ctx.execute_activity(
        heartbeating_activity,
        name,
        ActivityOptions::start_to_close(Duration::from_secs(60)).heartbeat_timeout(Duration::from_secs(5)),
    );
    ctx.sleep(Duration::from_millis(500)).await;
    activity.cancel();
    match activity.await {
        Err(failure) if failure.is_cancelled() => Ok("activity canceled".into()),
        Err(failure) => Err(failure.into()),
        Ok(v) => Ok(v),
    }
}
