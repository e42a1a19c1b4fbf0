//! Replays recorded histories against the current workflow code: the test to run before
//! deploying a change to a workflow that has open executions.

use nondeterminism::workflow::daily_report_workflow;
use workshop_sdk::testing::WorkflowReplayer;

#[test]
fn replays_the_recorded_history() {
    let history = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/histories/daily-report-v1.json"
    );
    let replayer = WorkflowReplayer::new().register_workflow(daily_report_workflow);
    if let Err(error) = replayer.replay_file(history) {
        panic!("{error}");
    }
}
