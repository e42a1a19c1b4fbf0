//! The worker: polls the `pizza-tasks` task queue and runs the pizza workflow and its
//! activities. Start two of them: `workshop worker debug-activity --solution`.

use debug_activity::{TASK_QUEUE, activities, workflow};

fn main() -> anyhow::Result<()> {
    workshop_sdk::worker::run_from_args(TASK_QUEUE, |worker| {
        worker.register_workflow(workflow::pizza_workflow);
        worker.register_activity(activities::get_distance);
        worker.register_activity(activities::send_bill);
    })
}
