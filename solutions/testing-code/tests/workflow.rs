//! Tests of `TranslationWorkflow` in a test workflow environment: the real activity runs
//! against the translation microservice, and the environment skips the timer's wait.

mod common;

use testing_code::{TranslationWorkflowInput, translate_term, translation_workflow};
use workshop_sdk::testing::TestWorkflowEnvironment;

#[test]
fn successful_complete_french_translation() {
    common::start_translation_service();
    let mut env = TestWorkflowEnvironment::new();
    env.register_workflow(translation_workflow);
    env.register_activity(translate_term);

    let input = TranslationWorkflowInput {
        name: "Pierre".to_string(),
        language_code: "fr".to_string(),
    };
    let output = env
        .execute_workflow(translation_workflow, input)
        .expect("the workflow completes");

    assert_eq!(output.hello_message, "Bonjour, Pierre");
    assert_eq!(output.goodbye_message, "Au revoir, Pierre");
    println!(
        "The workflow's timers took {:?} of virtual time.",
        env.virtual_time_elapsed()
    );
}
