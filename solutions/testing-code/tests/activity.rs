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

#[test]
fn translates_goodbye_to_latvian() {
    common::start_translation_service();
    let env = TestActivityEnvironment::new();
    let input = TranslationActivityInput {
        term: "Goodbye".to_string(),
        language_code: "lv".to_string(),
    };

    let output = env
        .run(translate_term, input)
        .expect("the translation succeeds");

    assert_eq!(output.translation, "Ardievu");
}

#[test]
fn fails_on_unknown_language_code() {
    common::start_translation_service();
    let env = TestActivityEnvironment::new();
    let input = TranslationActivityInput {
        term: "Hello".to_string(),
        language_code: "xq".to_string(),
    };

    let error = env.run(translate_term, input).unwrap_err();

    assert_eq!(
        error.message(),
        "HTTP Error 400: Unknown language code 'xq'\n"
    );
}
