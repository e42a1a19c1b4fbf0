//! The course's durable-execution exercise: translate "hello", sleep, translate
//! "goodbye" (`translation.json`, `worker-crash*.json`).

use workshop_sdk::prelude::*;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TranslationWorkflowInput {
    pub name: String,
    pub language_code: String,
    /// Test setting: the sleep between the calls (10 s when absent, as in the course).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sleep_seconds: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TranslationWorkflowOutput {
    pub hello_message: String,
    pub goodbye_message: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TranslationActivityInput {
    pub term: String,
    pub language_code: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TranslationActivityOutput {
    pub translation: String,
}

pub async fn translation_workflow(
    ctx: WorkflowContext,
    input: TranslationWorkflowInput,
) -> Result<TranslationWorkflowOutput, WorkflowError> {
    let log = ctx.logger();
    log.info("TranslationWorkflow invoked", &[("Name", &input.name)]);
    let opts = ActivityOptions::start_to_close(Duration::from_secs(45));
    let hello = ctx
        .execute_activity(
            translate_term,
            TranslationActivityInput {
                term: "hello".into(),
                language_code: input.language_code.clone(),
            },
            opts.clone(),
        )
        .await?;
    let hello_message = format!("{}, {}", hello.translation, input.name);
    log.info("Sleeping between translation calls", &[]);
    ctx.sleep(Duration::from_secs(input.sleep_seconds.unwrap_or(10))).await;
    let bye = ctx
        .execute_activity(
            translate_term,
            TranslationActivityInput {
                term: "goodbye".into(),
                language_code: input.language_code.clone(),
            },
            opts,
        )
        .await?;
    log.info("TranslationWorkflow done", &[("Hello", &hello_message)]);
    Ok(TranslationWorkflowOutput {
        hello_message,
        goodbye_message: format!("{}, {}", bye.translation, input.name),
    })
}

pub async fn translate_term(
    ctx: ActivityContext,
    input: TranslationActivityInput,
) -> Result<TranslationActivityOutput, ActivityError> {
    ctx.logger().info("Translating term", &[("Term", &input.term)]);
    crate::count_execution("TranslateTerm", &input.term);
    let translation = match (input.term.to_lowercase().as_str(), input.language_code.as_str()) {
        ("hello", "fr") => "Bonjour",
        ("goodbye", "fr") => "Au revoir",
        ("hello", "es") => "Hola",
        ("goodbye", "es") => "Adiós",
        ("hello", "de") => "Hallo",
        ("goodbye", "de") => "Auf Wiedersehen",
        _ => {
            return Err(ActivityError::non_retryable(format!(
                "unknown term/language {}/{}",
                input.term, input.language_code
            ))
            .with_type("UnknownTerm"));
        }
    };
    Ok(TranslationActivityOutput {
        translation: translation.to_string(),
    })
}
