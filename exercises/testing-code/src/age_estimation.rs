//! The course's age-estimation sample: `EstimateAge` asks the `RetrieveEstimate` activity
//! how old someone with a given first name probably is. It shows why tests mock
//! activities: the real one calls a public web API (agify.io), whose answers change and
//! which a test should not depend on.

use serde::Deserialize;
use workshop_sdk::prelude::*;

/// The API the activity asks, unless `AGE_ESTIMATION_URL` says otherwise.
pub const DEFAULT_ESTIMATOR_URL: &str = "https://api.agify.io";

/// The task queue of the sample.
pub const TASK_QUEUE: &str = "testing-estimate-age-tasks";

pub async fn estimate_age(ctx: WorkflowContext, name: String) -> Result<String, WorkflowError> {
    let options = ActivityOptions::start_to_close(Duration::from_secs(5));
    let age = ctx
        .execute_activity(retrieve_estimate, name.clone(), options)
        .await?;
    Ok(format!("{name} has an estimated age of {age}"))
}

/// What the estimator API answers, e.g. `{"count":12345,"name":"Betty","age":76}`.
#[derive(Debug, Deserialize)]
struct EstimatorResponse {
    age: u32,
}

pub async fn retrieve_estimate(ctx: ActivityContext, name: String) -> Result<u32, ActivityError> {
    ctx.logger()
        .info("Retrieving age estimate", &[("Name", &name)]);
    // The workshop's HTTP client is built without TLS (it only talks to local services),
    // so the default https address fails here; tests mock this activity instead.
    let base =
        std::env::var("AGE_ESTIMATION_URL").unwrap_or_else(|_| DEFAULT_ESTIMATOR_URL.to_string());
    let mut response = ureq::get(format!("{base}/")).query("name", &name).call()?;
    let estimate: EstimatorResponse = response.body_mut().read_json()?;
    Ok(estimate.age)
}
