//! The age-estimation sample's workflow test, with its activity mocked: no network, and
//! an answer that does not change from one day to the next.

use testing_code::age_estimation::{estimate_age, retrieve_estimate};
use workshop_sdk::prelude::ActivityError;
use workshop_sdk::testing::TestWorkflowEnvironment;

#[test]
fn estimate_age_with_mock_activity() {
    let mut env = TestWorkflowEnvironment::new();
    env.register_workflow(estimate_age);
    // In place of the real activity: an estimate of 76 for Betty.
    env.mock_activity(retrieve_estimate, |name: String| match name.as_str() {
        "Betty" => Ok(76),
        other => Err(ActivityError::non_retryable(format!(
            "the mock knows only Betty, not {other}"
        ))),
    });

    let message = env
        .execute_workflow(estimate_age, "Betty".to_string())
        .expect("the workflow completes");

    assert_eq!(message, "Betty has an estimated age of 76");
    let calls = env.activity_calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].activity_type, "RetrieveEstimate");
}
