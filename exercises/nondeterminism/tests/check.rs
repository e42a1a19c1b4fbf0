//! The check of the nondeterminism exercise (`workshop check nondeterminism`). The
//! exercise and its solution have this same file; each test names the part of the
//! README it checks.

use std::path::PathBuf;

use nondeterminism::activities::{import_sales_data, run_daily_report};
use nondeterminism::shared::{DailyReport, ReportInput, SalesData};
use nondeterminism::workflow::daily_report_workflow;
use workshop_protocol::event::EventAttributes;
use workshop_sdk::testing::{TestWorkflowEnvironment, WorkflowReplayer};

/// The history of a run of the workflow as this exercise ships it, recorded with
/// `workshop workflow show --workflow-id daily-report-workflow --output json`.
const RECORDED_HISTORY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/histories/daily-report-v1.json"
);

/// What the determinism lint (`workshop lint`) finds in `src/`, one line each.
fn lint_findings() -> Vec<String> {
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let report = workshop_lint::lint_paths(&[crate_dir.join("src")]).expect("the lint reads src/");
    report
        .findings
        .iter()
        .map(|f| {
            let file = f.file.strip_prefix(&crate_dir).unwrap_or(&f.file);
            let snippet = f.snippet.trim();
            format!(
                "  {}:{}: {snippet} ({})",
                file.display(),
                f.line,
                f.suggestion
            )
        })
        .collect()
}

#[test]
fn part_b_workflow_code_does_not_read_the_system_clock() {
    let findings = lint_findings();
    assert!(
        findings.is_empty(),
        "Part B: workflow code must make the same decisions when it is replayed, but `workshop lint` finds:\n{}",
        findings.join("\n")
    );
}

#[test]
fn part_d_the_recorded_history_still_replays() {
    let replayer = WorkflowReplayer::new().register_workflow(daily_report_workflow);
    let Err(error) = replayer.replay_file(RECORDED_HISTORY) else {
        return;
    };
    if lint_findings().is_empty() {
        panic!(
            "Part D: histories/daily-report-v1.json, recorded before your change, no longer replays. \
             Runs that were open when you deployed would fail like this:\n{error}\n\
             Keep the old order for them with `ctx.patched(\"import-after-wait\")`."
        );
    }
    panic!(
        "Part B: histories/daily-report-v1.json does not replay, because the workflow reads the system \
         clock (see the lint findings of part_b_workflow_code_does_not_read_the_system_clock):\n{error}"
    );
}

#[test]
fn part_c_new_runs_import_after_the_wait() {
    let mut env = TestWorkflowEnvironment::new();
    env.register_workflow(daily_report_workflow);
    env.mock_activity_result(
        import_sales_data,
        SalesData {
            date: "2026-11-25".to_string(),
            orders: 3,
            total: 6750,
        },
    );
    env.mock_activity_result(
        run_daily_report,
        DailyReport {
            date: "2026-11-25".to_string(),
            summary: "3 orders, $67.50 in sales".to_string(),
        },
    );

    let report = env
        .execute_workflow(
            daily_report_workflow,
            ReportInput {
                date: "2026-11-25".to_string(),
            },
        )
        .unwrap_or_else(|failure| {
            panic!(
                "Part C: the workflow should complete, but: {}",
                failure.message()
            )
        });
    assert_eq!(
        report.summary, "3 orders, $67.50 in sales",
        "Part C: the workflow returns the report"
    );

    let events = env.history().events;
    let position = |wanted: &dyn Fn(&EventAttributes) -> bool| {
        events.iter().position(|e| wanted(&e.attributes))
    };
    let timer = position(&|a| matches!(a, EventAttributes::TimerStarted(_)));
    let import = position(
        &|a| matches!(a, EventAttributes::ActivityTaskScheduled(s) if s.activity_type.name == "ImportSalesData"),
    );
    assert!(
        timer.is_some(),
        "Part C: a report requested just now should wait for late sales (a timer)"
    );
    assert!(
        matches!((timer, import), (Some(timer), Some(import)) if timer < import),
        "Part C: new runs should wait for late sales first, then import the sales (the history has \
         ImportSalesData scheduled before the timer started)"
    );
}
