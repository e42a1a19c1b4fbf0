//! The check of the testing-code exercise (`workshop check testing-code`). The exercise
//! and its solution have this same file; each test names the part of the README it
//! checks. The tests you write run with it: `cargo test -p testing-code` runs them all.

use std::sync::OnceLock;
use std::time::Duration;

use testing_code::{
    TranslationActivityInput, TranslationWorkflowInput, translate_term, translation_workflow,
};
use workshop_sdk::testing::{TestActivityEnvironment, TestWorkflowEnvironment};

/// One translation service for this test binary, found through `TRANSLATION_SERVICE_URL`.
fn start_translation_service() {
    static SERVICE: OnceLock<translation_service::ServiceHandle> = OnceLock::new();
    SERVICE.get_or_init(|| {
        let (_, service) =
            translation_service::start("127.0.0.1:0").expect("start the translation service");
        // SAFETY: set once, under the OnceLock, before any activity of this test binary reads it.
        unsafe { std::env::set_var("TRANSLATION_SERVICE_URL", service.url()) };
        service
    });
}

/// A test file of this crate, as you wrote it.
fn test_source(name: &str) -> String {
    let path = format!("{}/tests/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

#[test]
fn part_b_a_test_translates_goodbye_to_latvian() {
    let tests = test_source("activity.rs");
    assert!(
        tests.contains("fn translates_goodbye_to_latvian")
            && tests.contains("\"lv\"")
            && tests.contains("\"Ardievu\""),
        "Part B: write the test `translates_goodbye_to_latvian` in tests/activity.rs: \"Goodbye\" in \"lv\" is \"Ardievu\"."
    );
    start_translation_service();
    let input = TranslationActivityInput {
        term: "Goodbye".to_string(),
        language_code: "lv".to_string(),
    };
    let output = TestActivityEnvironment::new().run(translate_term, input);
    assert_eq!(
        output
            .map(|o| o.translation)
            .map_err(|e| e.message().to_string()),
        Ok("Ardievu".to_string()),
        "Part B: TranslateTerm should translate \"Goodbye\" to Latvian"
    );
}

#[test]
fn part_c_a_test_checks_an_unknown_language_code() {
    let tests = test_source("activity.rs");
    assert!(
        tests.contains("fn fails_on_unknown_language_code")
            && tests.contains("\"xq\"")
            && tests.contains("Unknown language code"),
        "Part C: write the test `fails_on_unknown_language_code` in tests/activity.rs: translating to \"xq\" \
         fails with \"HTTP Error 400: Unknown language code 'xq'\\n\"."
    );
    start_translation_service();
    let input = TranslationActivityInput {
        term: "Hello".to_string(),
        language_code: "xq".to_string(),
    };
    let error = TestActivityEnvironment::new()
        .run(translate_term, input)
        .expect_err("Part C: TranslateTerm should fail for the language code xq");
    assert_eq!(
        error.message(),
        "HTTP Error 400: Unknown language code 'xq'\n",
        "Part C: the error message"
    );
}

#[test]
fn part_d_the_workflow_test_is_enabled() {
    let tests = test_source("workflow.rs");
    assert!(
        !tests.contains("#[ignore"),
        "Part D: enable `successful_complete_french_translation` in tests/workflow.rs by deleting its `#[ignore]` line."
    );
}

#[test]
fn part_d_the_workflow_greets_pierre_in_french() {
    start_translation_service();
    let mut env = TestWorkflowEnvironment::new();
    env.register_workflow(translation_workflow);
    env.register_activity(translate_term);

    let input = TranslationWorkflowInput {
        name: "Pierre".to_string(),
        language_code: "fr".to_string(),
    };
    let output = env
        .execute_workflow(translation_workflow, input)
        .unwrap_or_else(|failure| {
            panic!(
                "Part D: the workflow should complete, but: {}",
                failure.message()
            )
        });

    assert_eq!(
        output.hello_message, "Bonjour, Pierre",
        "Part D: the hello message"
    );
    assert_eq!(
        output.goodbye_message, "Au revoir, Pierre",
        "Part D: the goodbye message is not formatted like the hello message: find the bug in src/workflow.rs"
    );
    assert!(
        env.virtual_time_elapsed() >= Duration::from_secs(15),
        "the workflow sleeps 15 s between the translations, in virtual time"
    );
}
