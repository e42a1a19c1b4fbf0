//! Running activity tasks: each attempt on its own blocking thread with a
//! current-thread runtime (so activity code may block, or use tokio, without stalling
//! the pollers), heartbeats throttled into RecordActivityTaskHeartbeat calls, and
//! cancellation delivered from their answers.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use workshop_protocol::failure::Failure;
use workshop_protocol::payload::Payloads;
use workshop_protocol::rpc::{
    Empty, PollActivityTaskQueueResponse, RecordActivityTaskHeartbeatRequest, RecordActivityTaskHeartbeatResponse,
    RespondActivityTaskCanceledRequest, RespondActivityTaskCompletedRequest, RespondActivityTaskFailedRequest,
};

use crate::activity::{ActivityContext, ActivityInfo, CancellationState, HeartbeatFn};
use crate::error::ActivityError;
use crate::registry::Registry;
use crate::workflow::run::panic_message;

use super::Shared;

/// Runs one activity task to its answer.
pub(crate) async fn run_activity_task(shared: Arc<Shared>, registry: Registry, task: PollActivityTaskQueueResponse) {
    let activity_type = task.activity_type.clone().unwrap_or_default().name;
    let execution = task.workflow_execution.clone().unwrap_or_default();
    let info = ActivityInfo {
        activity_id: task.activity_id.clone(),
        activity_type: activity_type.clone(),
        attempt: task.attempt.max(1) as u32,
        workflow_id: execution.workflow_id.clone(),
        run_id: execution.run_id.clone(),
        workflow_type: task.workflow_type.clone().unwrap_or_default().name,
        namespace: shared.namespace.clone(),
        task_queue: shared.task_queue.clone(),
        scheduled_time: task.scheduled_time,
        started_time: task.started_time,
        start_to_close_timeout: task.start_to_close_timeout,
        heartbeat_timeout: task.heartbeat_timeout,
        heartbeat_details: task.heartbeat_details.clone(),
    };
    let (hb_tx, hb_rx) = mpsc::unbounded_channel::<Option<Payloads>>();
    let heartbeat: HeartbeatFn = Arc::new(move |details| {
        let _ = hb_tx.send(details);
    });
    let ctx = ActivityContext::new(info, Some(heartbeat), shared.sink.clone());
    let cancellation = ctx.cancellation();
    let heartbeats = tokio::spawn(heartbeat_loop(
        shared.clone(),
        task.task_token.clone(),
        task.heartbeat_timeout,
        hb_rx,
        cancellation,
    ));

    let result = match registry.activity(&activity_type) {
        None => {
            let known: Vec<&str> = registry.activity_types().collect();
            Err(ActivityError::retryable(format!(
                "activity type {activity_type} is not registered on this worker (registered: {})",
                known.join(", ")
            ))
            .with_type("ActivityNotRegistered"))
        }
        Some(activity) => {
            let input = task.input.clone();
            let joined = tokio::task::spawn_blocking(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| ActivityError::retryable(format!("cannot start the activity runtime: {e}")))?;
                runtime.block_on((activity.run)(ctx, input))
            })
            .await;
            match joined {
                Ok(result) => result,
                Err(e) if e.is_panic() => {
                    let message = panic_message(&*e.into_panic());
                    Err(ActivityError::retryable(format!("activity panicked: {message}")).with_type("Panic"))
                }
                Err(e) => Err(ActivityError::retryable(format!("activity task was lost: {e}"))),
            }
        }
    };
    heartbeats.abort();

    let outcome = match result {
        Ok(output) => {
            shared
                .transport
                .post_rpc::<_, Empty>(
                    "RespondActivityTaskCompleted",
                    &RespondActivityTaskCompletedRequest {
                        namespace: shared.namespace.clone(),
                        task_token: task.task_token.clone(),
                        result: output,
                        identity: shared.identity.clone(),
                    },
                )
                .await
        }
        Err(e) if e.cancelled => {
            shared
                .transport
                .post_rpc::<_, Empty>(
                    "RespondActivityTaskCanceled",
                    &RespondActivityTaskCanceledRequest {
                        namespace: shared.namespace.clone(),
                        task_token: task.task_token.clone(),
                        details: None,
                        identity: shared.identity.clone(),
                    },
                )
                .await
        }
        Err(e) => {
            tracing::warn!(
                target: "activity",
                ActivityType = %activity_type,
                ActivityID = %task.activity_id,
                Attempt = task.attempt,
                "activity attempt failed: {e}"
            );
            let failure: Failure = e.to_failure();
            shared
                .transport
                .post_rpc::<_, Empty>(
                    "RespondActivityTaskFailed",
                    &RespondActivityTaskFailedRequest {
                        namespace: shared.namespace.clone(),
                        task_token: task.task_token.clone(),
                        failure: Some(failure),
                        identity: shared.identity.clone(),
                        last_heartbeat_details: None,
                    },
                )
                .await
        }
    };
    if let Err(e) = outcome {
        if e.is_not_found() {
            tracing::info!(
                ActivityType = %activity_type,
                ActivityID = %task.activity_id,
                "the engine no longer expects this activity's result (the run closed, or the attempt timed out)"
            );
        } else {
            tracing::warn!(ActivityType = %activity_type, ActivityID = %task.activity_id, "cannot report the activity result: {e}");
        }
    }
}

/// Sends heartbeats at most every 80% of the heartbeat timeout (or every second), the
/// latest details winning; marks the attempt canceled when the engine says so.
async fn heartbeat_loop(
    shared: Arc<Shared>,
    task_token: Vec<u8>,
    heartbeat_timeout: Option<Duration>,
    mut rx: mpsc::UnboundedReceiver<Option<Payloads>>,
    cancellation: Arc<CancellationState>,
) {
    let interval = heartbeat_timeout
        .filter(|d| !d.is_zero())
        .map(|d| d.mul_f64(0.8))
        .unwrap_or(Duration::from_secs(1))
        .min(Duration::from_secs(1));
    while let Some(mut details) = rx.recv().await {
        while let Ok(newer) = rx.try_recv() {
            details = newer;
        }
        let answer = shared
            .transport
            .post_rpc::<_, RecordActivityTaskHeartbeatResponse>(
                "RecordActivityTaskHeartbeat",
                &RecordActivityTaskHeartbeatRequest {
                    namespace: shared.namespace.clone(),
                    task_token: task_token.clone(),
                    details,
                    identity: shared.identity.clone(),
                },
            )
            .await;
        match answer {
            Ok(r) if r.cancel_requested => cancellation.cancel(),
            Ok(_) => {}
            Err(e) if e.is_not_found() => cancellation.cancel(),
            Err(e) => tracing::debug!("heartbeat not delivered: {e}"),
        }
        tokio::time::sleep(interval).await;
    }
}
