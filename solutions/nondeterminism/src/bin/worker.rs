//! The worker: polls the `daily-report-tasks` task queue and runs the daily report
//! workflow and its activities. Start two of them: `workshop worker nondeterminism --solution`.

use nondeterminism::{TASK_QUEUE, activities, workflow};

fn main() -> anyhow::Result<()> {
    workshop_sdk::worker::run_from_args(TASK_QUEUE, |worker| {
        worker.register_workflow(workflow::daily_report_workflow);
        worker.register_activity(activities::import_sales_data);
        worker.register_activity(activities::run_daily_report);
    })
}
