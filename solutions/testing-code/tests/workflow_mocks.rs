//! Tests of `TranslationWorkflow` with its activity mocked: the workflow's own logic, with
//! no microservice.

use testing_code::{
    TranslationActivityInput, TranslationActivityOutput, TranslationWorkflowInput, translate_term,
    translation_workflow,
};
use workshop_sdk::testing::TestWorkflowEnvironment;

#[test]
fn successful_translation_with_mocks() {
    let mut env = TestWorkflowEnvironment::new();
    env.register_workflow(translation_workflow);
    env.mock_activity(translate_term, |input: TranslationActivityInput| {
        let translation = if input.term == "Hello" {
            "Bonjour"
        } else {
            "Au revoir"
        };
        Ok(TranslationActivityOutput {
            translation: translation.to_string(),
        })
    });

    let input = TranslationWorkflowInput {
        name: "Pierre".to_string(),
        language_code: "fr".to_string(),
    };
    let output = env
        .execute_workflow(translation_workflow, input)
        .expect("the workflow completes");

    assert_eq!(output.hello_message, "Bonjour, Pierre");
    assert_eq!(output.goodbye_message, "Au revoir, Pierre");
}
