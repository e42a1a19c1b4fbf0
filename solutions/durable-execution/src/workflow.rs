//! The `TranslationWorkflow` (the Go course's `SayHelloGoodbye`): translate "Hello",
//! wait 10 seconds, translate "Goodbye".

use workshop_sdk::prelude::*;

use crate::{TranslationActivityInput, TranslationWorkflowInput, TranslationWorkflowOutput, translate_term};

pub async fn translation_workflow(
    ctx: WorkflowContext,
    input: TranslationWorkflowInput,
) -> Result<TranslationWorkflowOutput, WorkflowError> {
    let log = ctx.logger();
    log.info("TranslationWorkflow invoked", &[("Name", &input.name)]);

    let opts = ActivityOptions::start_to_close(Duration::from_secs(45));

    log.debug("Preparing to translate Hello", &[("LanguageCode", &input.language_code)]);
    let hello_input = TranslationActivityInput { term: "Hello".into(), language_code: input.language_code.clone() };
    let hello = ctx.execute_activity(translate_term, hello_input, opts.clone()).await?;
    let hello_message = format!("{}, {}", hello.translation, input.name);

    log.debug("Sleeping between translation calls", &[]);
    ctx.sleep(Duration::from_secs(10)).await;

    log.debug("Preparing to translate Goodbye", &[("LanguageCode", &input.language_code)]);
    let goodbye_input = TranslationActivityInput { term: "Goodbye".into(), language_code: input.language_code.clone() };
    let goodbye = ctx.execute_activity(translate_term, goodbye_input, opts).await?;
    let goodbye_message = format!("{}, {}", goodbye.translation, input.name);

    Ok(TranslationWorkflowOutput { hello_message, goodbye_message })
}
