//! The starter: starts `DailyReportWorkflow` for today and waits for the report.
//!
//! Run it with `cargo run -q -p nondeterminism-solution --bin nondeterminism-solution-starter`.

use nondeterminism::shared::{DailyReport, ReportInput};
use nondeterminism::workflow::daily_report_workflow;
use nondeterminism::{TASK_QUEUE, WORKFLOW_ID};
use workshop_sdk::client::{Client, ClientOptions, WorkflowOptions};

#[workshop_sdk::tokio::main(crate = "workshop_sdk::tokio")]
async fn main() -> anyhow::Result<()> {
    let client = Client::connect(ClientOptions::default()).await?;

    let input = ReportInput {
        date: "2026-11-25".to_string(),
    };
    let options = WorkflowOptions::new(WORKFLOW_ID, TASK_QUEUE);
    let handle = client
        .start_workflow(daily_report_workflow, &input, options)
        .await?;
    println!(
        "Started workflow {} (run {})",
        handle.workflow_id(),
        handle.run_id().unwrap_or("?")
    );

    let report: DailyReport = handle.result().await?;
    println!("Workflow result: {report:#?}");
    Ok(())
}
