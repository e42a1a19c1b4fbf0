//! Small workflows and activities for the SDK's tests: the course's translation and
//! pizza workflows (shaped like the reference histories in `shared/reference/temporal`,
//! with Go's PascalCase JSON field names), retries, parallel activities, a select
//! between an activity and a timer, non-determinism (v1 and v2 of one workflow),
//! continue-as-new, cancellation and a long sleep.
//!
//! Test hooks are environment variables read by activities only (never by workflow
//! code): `FIXTURE_COUNT_DIR` (each activity execution appends a line to a file there),
//! `FIXTURE_FAIL_ATTEMPTS` (GetDistance fails attempts up to this number).

pub mod misc;
pub mod nde;
pub mod pizza;
pub mod retry;
pub mod translation;

use workshop_sdk::Registry;

/// The task queue the fixture workers poll unless told otherwise.
pub const TASK_QUEUE: &str = "sdk-fixtures";

/// Every fixture workflow and activity (NDEWorkflow in its v1 form).
pub fn register_all(registry: &mut Registry) {
    register_common(registry);
    registry.register_workflow_as("NDEWorkflow", nde::nde_workflow_v1);
}

/// Every fixture workflow and activity, with NDEWorkflow changed (v2: timer first).
pub fn register_all_v2(registry: &mut Registry) {
    register_common(registry);
    registry.register_workflow_as("NDEWorkflow", nde::nde_workflow_v2);
}

fn register_common(registry: &mut Registry) {
    registry
        .register_workflow(translation::translation_workflow)
        .register_activity(translation::translate_term)
        .register_workflow(pizza::pizza_workflow)
        .register_activity(pizza::get_distance)
        .register_activity(pizza::send_bill)
        .register_workflow(retry::retry_workflow)
        .register_activity(retry::flaky_activity)
        .register_workflow(retry::retry_exhausted_workflow)
        .register_activity(retry::always_fail_activity)
        .register_activity(nde::noop)
        .register_workflow(misc::one_activity_workflow)
        .register_workflow(misc::three_activity_workflow)
        .register_workflow(misc::parallel_workflow)
        .register_workflow(misc::select_workflow)
        .register_activity(misc::slow_echo)
        .register_workflow(misc::counter_workflow)
        .register_workflow(misc::cancellable_workflow)
        .register_workflow(misc::long_sleep_workflow)
        .register_workflow(misc::patched_workflow)
        .register_workflow(misc::side_effect_workflow)
        .register_workflow(misc::signal_workflow)
        .register_workflow(misc::panicking_workflow)
        .register_workflow(misc::cancel_activity_workflow)
        .register_activity(misc::heartbeating_activity);
}

/// Appends `line` to `$FIXTURE_COUNT_DIR/<file>` so tests can count executions.
pub fn count_execution(file: &str, line: &str) {
    if let Ok(dir) = std::env::var("FIXTURE_COUNT_DIR") {
        use std::io::Write;
        let path = std::path::Path::new(&dir).join(file);
        if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
            let _ = writeln!(f, "{line}");
        }
    }
}
