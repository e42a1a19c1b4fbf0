//! The `TranslateTerm` activity: asks the translation microservice
//! (`workshop microservice`) for one term.

use workshop_sdk::prelude::*;

use crate::{TranslationActivityInput, TranslationActivityOutput};

/// Where the microservice listens unless `TRANSLATION_SERVICE_URL` says otherwise.
pub const DEFAULT_SERVICE_URL: &str = "http://localhost:9998";

pub async fn translate_term(
    ctx: ActivityContext,
    input: TranslationActivityInput,
) -> Result<TranslationActivityOutput, ActivityError> {
    // TODO (Part B): get the Activity logger with `ctx.logger()`.
    // TODO (Part B): log, at the Info level, that a term is being translated; include
    //                the term and the language code as name-value pairs
    //                ("Term" and "LanguageCode").
    let _ = &ctx;

    let base = std::env::var("TRANSLATION_SERVICE_URL").unwrap_or_else(|_| DEFAULT_SERVICE_URL.to_string());
    // A 400 answer is not a transport error here: its body says what went wrong.
    let agent = ureq::Agent::new_with_config(ureq::Agent::config_builder().http_status_as_error(false).build());
    let mut response = agent
        .get(format!("{base}/translate"))
        .query("lang", &input.language_code)
        .query("term", &input.term)
        .call()?;
    // This holds the translation if the service could translate the term, or the
    // error message if it could not.
    let content = response.body_mut().read_to_string()?;

    let status = response.status().as_u16();
    if status >= 400 {
        // TODO (Part B): log, at the Error level, that the translation failed, with
        //                the status and the message ("Status" and "Message").
        return Err(ActivityError::retryable(format!("HTTP Error {status}: {content}")));
    }

    // TODO (Part B): log the successful translation at the Debug level; include the
    //                translation as a name-value pair ("Translation").
    Ok(TranslationActivityOutput { translation: content })
}
