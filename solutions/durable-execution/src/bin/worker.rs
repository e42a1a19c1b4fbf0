//! The worker process: polls `durable-exec-tasks` for the translation workflow and its
//! activity. Run it with `workshop worker durable-execution` (options: `--help`).

use durable_execution::{TASK_QUEUE, translate_term, translation_workflow};

fn main() -> anyhow::Result<()> {
    workshop_sdk::worker::run_from_args(TASK_QUEUE, |worker| {
        worker.register_workflow(translation_workflow);
        worker.register_activity(translate_term);
    })
}
