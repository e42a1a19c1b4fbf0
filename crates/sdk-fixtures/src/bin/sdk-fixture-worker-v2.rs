//! The "changed code" worker: NDEWorkflow v2 (timer first), everything else the same.

fn main() -> anyhow::Result<()> {
    workshop_sdk::worker::run_from_args(workshop_sdk_fixtures::TASK_QUEUE, |worker| {
        workshop_sdk_fixtures::register_all_v2(worker.registry_mut());
    })
}
