//! The `TranslationWorkflow` (the Go course's `SayHelloGoodbye`): translate "Hello",
//! wait 10 seconds, translate "Goodbye".

use workshop_sdk::prelude::*;

use crate::{TranslationActivityInput, TranslationWorkflowInput, TranslationWorkflowOutput, translate_term};

pub async fn translation_workflow(
    ctx: WorkflowContext,
    input: TranslationWorkflowInput,
) -> Result<TranslationWorkflowOutput, WorkflowError> {
    // TODO (Part A): get the Workflow logger with `ctx.logger()`.
    // TODO (Part A): log, at the Info level, that the Workflow was invoked; include the
    //                name from the input as a name-value pair: `&[("Name", &input.name)]`.

    let opts = ActivityOptions::start_to_close(Duration::from_secs(45));

    // TODO (Part A): log, at the Debug level, which term is about to be translated;
    //                include the language code from the input as a name-value pair.
    let hello_input = TranslationActivityInput { term: "Hello".into(), language_code: input.language_code.clone() };
    let hello = ctx.execute_activity(translate_term, hello_input, opts.clone()).await?;
    let hello_message = format!("{}, {}", hello.translation, input.name);

    // TODO (Part C): log "Sleeping between translation calls" at the Debug level, then
    //                start a Timer for 10 seconds with `ctx.sleep(..).await`.

    // TODO (Part A): log, at the Debug level, which term is about to be translated;
    //                include the language code from the input as a name-value pair.
    let goodbye_input = TranslationActivityInput { term: "Goodbye".into(), language_code: input.language_code.clone() };
    let goodbye = ctx.execute_activity(translate_term, goodbye_input, opts).await?;
    let goodbye_message = format!("{}, {}", goodbye.translation, input.name);

    Ok(TranslationWorkflowOutput { hello_message, goodbye_message })
}
