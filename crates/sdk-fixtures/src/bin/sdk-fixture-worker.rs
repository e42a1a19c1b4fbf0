//! A worker for every fixture workflow (NDEWorkflow v1).

fn main() -> anyhow::Result<()> {
    workshop_sdk::worker::run_from_args(workshop_sdk_fixtures::TASK_QUEUE, |worker| {
        workshop_sdk_fixtures::register_all(worker.registry_mut());
    })
}
