//! The worker process: polls `translation-tasks` for the translation workflow and its
//! activity. Run it with `workshop worker testing-code --solution`.

use testing_code::{TASK_QUEUE, translate_term, translation_workflow};

fn main() -> anyhow::Result<()> {
    workshop_sdk::worker::run_from_args(TASK_QUEUE, |worker| {
        worker.register_workflow(translation_workflow);
        worker.register_activity(translate_term);
    })
}
