//! `DailyReportWorkflow`: imports the day's sales, waits for late sales if the report was
//! requested right at the close of business, then runs the report.

use std::time::SystemTime;

use workshop_sdk::prelude::*;

use crate::activities::{import_sales_data, run_daily_report};
use crate::shared::{DailyReport, ReportInput};

/// A report requested this soon after the workflow started is "fresh": sales made just
/// before the close of business may still be on their way.
pub const FRESH_REQUEST: Duration = Duration::from_secs(5);

/// How long a fresh report waits for late sales. Long enough to kill a worker during it.
pub const LATE_SALES_WAIT: Duration = Duration::from_secs(20);

pub async fn daily_report_workflow(
    ctx: WorkflowContext,
    input: ReportInput,
) -> Result<DailyReport, WorkflowError> {
    ctx.logger()
        .info("DailyReportWorkflow invoked", &[("Date", &input.date)]);
    let options = ActivityOptions::start_to_close(Duration::from_secs(45));

    // Late sales belong in the report, so new runs import after the wait. Runs that
    // started before this change imported first, and must replay that order.
    let sales = if ctx.patched("import-after-wait") {
        wait_for_late_sales(&ctx).await;
        ctx.execute_activity(import_sales_data, input, options.clone())
            .await?
    } else {
        let sales = ctx
            .execute_activity(import_sales_data, input, options.clone())
            .await?;
        wait_for_late_sales(&ctx).await;
        sales
    };

    let report = ctx
        .execute_activity(run_daily_report, sales, options)
        .await?;
    Ok(report)
}

/// Waits `LATE_SALES_WAIT` when the report is fresh.
async fn wait_for_late_sales(ctx: &WorkflowContext) {
    // Workflow time, recorded in the history: a replay makes the same decision.
    let now: SystemTime = ctx.now().into();
    let started: SystemTime = ctx.workflow_info().start_time.into();
    let since_start = now.duration_since(started).unwrap_or_default();

    if since_start < FRESH_REQUEST {
        ctx.logger().info(
            "Waiting for late sales",
            &[("Seconds", &LATE_SALES_WAIT.as_secs())],
        );
        ctx.sleep(LATE_SALES_WAIT).await;
    }
}
