//! Tests of the `TranslateTerm` activity, each run on its own in a test activity
//! environment, against the translation microservice.

mod common;

use testing_code::{TranslationActivityInput, translate_term};
use workshop_sdk::testing::TestActivityEnvironment;

#[test]
fn translates_hello_to_german() {
    common::start_translation_service();
    let env = TestActivityEnvironment::new();
    let input = TranslationActivityInput {
        term: "Hello".to_string(),
        language_code: "de".to_string(),
    };

    let output = env
        .run(translate_term, input)
        .expect("the translation succeeds");

    assert_eq!(output.translation, "Hallo");
}

// TODO Part B: write the test `translates_goodbye_to_latvian`, like the one above:
// "Goodbye" in Latvian (language code "lv") is "Ardievu".

// TODO Part C: write the test `fails_on_unknown_language_code`: translating "Hello" to the
// language code "xq" fails with the message "HTTP Error 400: Unknown language code 'xq'\n"
// (the microservice ends its error messages with a newline). `env.run` returns the
// activity's error: take it with `.unwrap_err()` and compare its `.message()`.
