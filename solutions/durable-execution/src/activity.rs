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
    let log = ctx.logger();
    log.info("Translating term", &[("Term", &input.term), ("LanguageCode", &input.language_code)]);

    let base = std::env::var("TRANSLATION_SERVICE_URL").unwrap_or_else(|_| DEFAULT_SERVICE_URL.to_string());
    // A 400 answer is not a transport error here: its body says what went wrong.
    let agent = ureq::Agent::new_with_config(ureq::Agent::config_builder().http_status_as_error(false).build());
    let mut response = match agent
        .get(format!("{base}/translate"))
        .query("lang", &input.language_code)
        .query("term", &input.term)
        .call()
    {
        Ok(response) => response,
        Err(err) => {
            log.error("Translation request failed", &[("Error", &err)]);
            return Err(err.into());
        }
    };
    let content = match response.body_mut().read_to_string() {
        Ok(content) => content,
        Err(err) => {
            log.error("Failed to read response content", &[("Error", &err)]);
            return Err(err.into());
        }
    };

    let status = response.status().as_u16();
    if status >= 400 {
        log.error("Translation failed", &[("Status", &status), ("Message", &content)]);
        return Err(ActivityError::retryable(format!("HTTP Error {status}: {content}")));
    }

    log.debug("Translation successful", &[("Translation", &content)]);
    Ok(TranslationActivityOutput { translation: content })
}
