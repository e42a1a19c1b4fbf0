//! Human layouts of what the engine says about executions and task queues: `workflow
//! describe` (status, pending activities and workflow task), `workflow list`, and
//! `task-queue describe` (pollers). Each adds the hint a learner needs when something
//! waits: no worker on the queue, an activity retrying, a workflow task failing.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use colored::{ColoredString, Colorize};
use workshop_protocol::enums::{PendingActivityState, WorkflowExecutionStatus};
use workshop_protocol::rpc::{
    DescribeTaskQueueResponse, DescribeWorkflowExecutionResponse, WorkflowExecutionInfo,
};
use workshop_sdk::client::failure_chain;

/// `workflow describe`: `pollers` is `(task queue, number of pollers)` when known, to
/// explain a workflow task nobody picks up.
pub fn render_description(
    description: &DescribeWorkflowExecutionResponse,
    now: DateTime<Utc>,
    pollers: Option<(String, usize)>,
) -> String {
    let info = &description.workflow_execution_info;
    let mut out = String::new();
    let _ = writeln!(out, "{}", "Execution".bold());
    let row = |out: &mut String, label: &str, value: String| {
        let _ = writeln!(out, "  {:<16}{value}", label);
    };
    row(&mut out, "Workflow ID", info.execution.workflow_id.clone());
    row(&mut out, "Run ID", info.execution.run_id.clone());
    row(&mut out, "Type", info.r#type.name.clone());
    row(&mut out, "Task queue", info.task_queue.clone());
    row(&mut out, "Status", status(info.status).to_string());
    if let Some(start) = info.start_time {
        row(&mut out, "Start time", when(start, now));
    }
    if let Some(close) = info.close_time {
        row(&mut out, "Close time", when(close, now));
    }
    row(&mut out, "History length", info.history_length.to_string());

    if let Some(task) = &description.pending_workflow_task {
        let _ = writeln!(out, "\n{}", "Pending workflow task".bold());
        let state = task.state.map_or("unknown", |s| s.short_name());
        row(&mut out, "State", state.to_string());
        row(&mut out, "Attempt", attempt_text(task.attempt));
        if let Some(t) = task.scheduled_time {
            row(&mut out, "Scheduled", when(t, now));
        }
        if let Some(t) = task.started_time {
            row(&mut out, "Started", when(t, now));
        }
        if task.attempt > 1 {
            let _ = writeln!(
                out,
                "  {}",
                "The workflow task keeps failing: look at the worker's output (a panic, a non-determinism error), fix the code and restart the worker.".yellow()
            );
        }
        if let Some((queue, 0)) = &pollers {
            let _ = writeln!(
                out,
                "  {}",
                format!("No worker is polling task queue `{queue}`: start a worker for it and the workflow continues where it left off.")
                    .yellow()
            );
        }
    }

    if !description.pending_activities.is_empty() {
        let _ = writeln!(
            out,
            "\n{} ({})",
            "Pending activities".bold(),
            description.pending_activities.len()
        );
        for activity in &description.pending_activities {
            let name = activity
                .activity_type
                .as_ref()
                .map_or("", |t| t.name.as_str());
            let state = activity.state.map_or("unknown", |s| s.short_name());
            let _ = writeln!(
                out,
                "  {} {}  {}",
                format!("Activity {}", activity.activity_id).bold(),
                name,
                state
            );
            let attempts = if activity.maximum_attempts > 0 {
                format!(
                    "{} of {}",
                    activity.attempt.max(1),
                    activity.maximum_attempts
                )
            } else {
                format!("{} (unlimited)", activity.attempt.max(1))
            };
            row(&mut out, "  Attempt", attempts);
            if let Some(t) = activity.scheduled_time {
                row(&mut out, "  Scheduled", when(t, now));
            }
            if let Some(t) = activity.last_started_time {
                row(&mut out, "  Last started", when(t, now));
            }
            if let Some(t) = activity.last_heartbeat_time {
                row(&mut out, "  Last heartbeat", when(t, now));
            }
            if !activity.last_worker_identity.is_empty() {
                row(
                    &mut out,
                    "  Last worker",
                    activity.last_worker_identity.clone(),
                );
            }
            if let Some(t) = activity.next_attempt_schedule_time {
                row(&mut out, "  Next retry", when(t, now));
            }
            if let Some(failure) = &activity.last_failure {
                row(
                    &mut out,
                    "  Last failure",
                    failure_chain(failure).red().to_string(),
                );
            }
            if activity.state == Some(PendingActivityState::Scheduled) && activity.attempt > 1 {
                let _ = writeln!(
                    out,
                    "    {}",
                    "Retrying: each failed attempt waits out its backoff, then runs again. No events are added until the final outcome.".dimmed()
                );
            }
        }
    }
    out
}

/// `workflow list`: one line per execution, newest first as the engine sends them.
pub fn render_executions(executions: &[WorkflowExecutionInfo]) -> String {
    if executions.is_empty() {
        return "No workflow executions.\n".to_string();
    }
    let id_width = executions
        .iter()
        .map(|e| e.execution.workflow_id.chars().count())
        .max()
        .unwrap_or(0)
        .clamp(11, 48);
    let type_width = executions
        .iter()
        .map(|e| e.r#type.name.chars().count())
        .max()
        .unwrap_or(0)
        .clamp(4, 32);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        format!(
            "{:<14}  {:<id_width$}  {:<type_width$}  {:<36}  {}",
            "STATUS", "WORKFLOW ID", "TYPE", "RUN ID", "START TIME"
        )
        .bold()
    );
    for e in executions {
        let start = e
            .start_time
            .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_default();
        let status_text = format!("{:<14}", e.status.map_or("Unknown", |s| s.short_name()));
        let _ = writeln!(
            out,
            "{}  {:<id_width$}  {:<type_width$}  {:<36}  {}",
            color_status(&status_text, e.status),
            e.execution.workflow_id,
            e.r#type.name,
            e.execution.run_id,
            start
        );
    }
    out
}

/// `task-queue describe`: the pollers of a queue, or why it matters that there are none.
pub fn render_pollers(
    task_queue: &str,
    description: &DescribeTaskQueueResponse,
    now: DateTime<Utc>,
) -> String {
    let mut out = String::new();
    if description.pollers.is_empty() {
        let _ = writeln!(
            out,
            "No worker is polling task queue `{task_queue}`.\n\
             Workflow and activity tasks scheduled on it wait until a worker polls it: start one \
             (e.g. `workshop worker <exercise>`), and the executions continue where they left off."
        );
        return out;
    }
    let _ = writeln!(
        out,
        "{}",
        format!("Pollers of task queue `{task_queue}`").bold()
    );
    let _ = writeln!(
        out,
        "{}",
        format!("  {:<40}  {}", "IDENTITY", "LAST ACCESS").bold()
    );
    for poller in &description.pollers {
        let last = poller
            .last_access_time
            .map(|t| when(t, now))
            .unwrap_or_default();
        let _ = writeln!(out, "  {:<40}  {last}", poller.identity);
    }
    out
}

fn status(status: Option<WorkflowExecutionStatus>) -> ColoredString {
    let text = status.map_or("Unknown", |s| s.short_name());
    color_status(text, status)
}

fn color_status(text: &str, status: Option<WorkflowExecutionStatus>) -> ColoredString {
    use WorkflowExecutionStatus as S;
    match status {
        Some(S::Running) => text.cyan(),
        Some(S::Completed) => text.green(),
        Some(S::Failed | S::TimedOut | S::Terminated) => text.red(),
        Some(S::Canceled) => text.yellow(),
        Some(S::ContinuedAsNew) => text.blue(),
        _ => text.normal(),
    }
}

fn attempt_text(attempt: i32) -> String {
    attempt.max(1).to_string()
}

/// `2026-11-25 22:27:12 UTC (3s ago)` or `(in 4s)` for future times such as a next retry.
fn when(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let delta = now - at;
    let secs = delta.num_seconds();
    let relative = if secs >= 0 {
        format!("{} ago", human_seconds(secs.unsigned_abs()))
    } else {
        format!("in {}", human_seconds(secs.unsigned_abs()))
    };
    format!("{} ({relative})", at.format("%Y-%m-%d %H:%M:%S UTC"))
}

fn human_seconds(secs: u64) -> String {
    match secs {
        0..60 => format!("{secs}s"),
        60..3600 => format!("{}m{:02}s", secs / 60, secs % 60),
        3600..86400 => format!("{}h{:02}m", secs / 3600, (secs % 3600) / 60),
        _ => format!("{}d{:02}h", secs / 86400, (secs % 86400) / 3600),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use workshop_protocol::common::{ActivityType, WorkflowExecution, WorkflowType};
    use workshop_protocol::enums::PendingWorkflowTaskState;
    use workshop_protocol::failure::Failure;
    use workshop_protocol::rpc::{PendingActivityInfo, PendingWorkflowTaskInfo, PollerInfo};

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn description() -> DescribeWorkflowExecutionResponse {
        DescribeWorkflowExecutionResponse {
            workflow_execution_info: WorkflowExecutionInfo {
                execution: WorkflowExecution {
                    workflow_id: "pizza-workflow-order-Z1238".into(),
                    run_id: "0195".into(),
                },
                r#type: WorkflowType {
                    name: "PizzaWorkflow".into(),
                },
                start_time: Some(t("2026-11-25T22:27:12Z")),
                status: Some(WorkflowExecutionStatus::Running),
                history_length: 11,
                task_queue: "pizza-tasks".into(),
                ..Default::default()
            },
            pending_activities: vec![PendingActivityInfo {
                activity_id: "2".into(),
                activity_type: Some(ActivityType {
                    name: "SendBill".into(),
                }),
                state: Some(PendingActivityState::Scheduled),
                attempt: 3,
                maximum_attempts: 5,
                next_attempt_schedule_time: Some(t("2026-11-25T22:27:24Z")),
                last_failure: Some(Failure::application("card declined", "PaymentError", false)),
                ..Default::default()
            }],
            pending_workflow_task: Some(PendingWorkflowTaskInfo {
                state: Some(PendingWorkflowTaskState::Scheduled),
                attempt: 1,
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn description_names_attempts_retries_and_failures() {
        colored::control::set_override(false);
        let text = render_description(
            &description(),
            t("2026-11-25T22:27:20Z"),
            Some(("pizza-tasks".into(), 0)),
        );
        assert!(text.contains("Status          Running"), "{text}");
        assert!(text.contains("History length  11"), "{text}");
        assert!(text.contains("Activity 2 SendBill  Scheduled"), "{text}");
        assert!(text.contains("    Attempt       3 of 5"), "{text}");
        assert!(
            text.contains("    Next retry    2026-11-25 22:27:24 UTC (in 4s)"),
            "{text}"
        );
        assert!(text.contains("card declined (type PaymentError)"), "{text}");
        assert!(
            text.contains("No worker is polling task queue `pizza-tasks`"),
            "{text}"
        );
    }

    #[test]
    fn pollers_or_advice() {
        colored::control::set_override(false);
        let none = render_pollers(
            "q",
            &DescribeTaskQueueResponse::default(),
            t("2026-01-01T00:00:10Z"),
        );
        assert!(
            none.contains("No worker is polling task queue `q`"),
            "{none}"
        );
        let some = DescribeTaskQueueResponse {
            pollers: vec![PollerInfo {
                identity: "123@laptop".into(),
                last_access_time: Some(t("2026-01-01T00:00:07Z")),
            }],
        };
        let text = render_pollers("q", &some, t("2026-01-01T00:00:10Z"));
        assert!(
            text.contains("123@laptop") && text.contains("(3s ago)"),
            "{text}"
        );
    }

    #[test]
    fn executions_table() {
        colored::control::set_override(false);
        let text = render_executions(&[description().workflow_execution_info]);
        let lines: Vec<_> = text.lines().collect();
        assert!(lines[0].starts_with("STATUS"));
        assert!(
            lines[1].starts_with("Running") && lines[1].contains("PizzaWorkflow"),
            "{text}"
        );
        assert_eq!(render_executions(&[]), "No workflow executions.\n");
    }
}
