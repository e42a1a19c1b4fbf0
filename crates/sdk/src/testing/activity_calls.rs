//! Which activities a test run called, with what input and on which attempt: every
//! activity the test environment registers or mocks is wrapped to record its calls.

use std::future::Future;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::activity::ActivityContext;
use crate::error::ActivityError;
use crate::registry::Registry;

/// One call of an activity (one attempt).
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityCall {
    pub activity_type: String,
    /// The input as JSON (field names as serialized: `{"Term":"hello",...}`).
    pub input: serde_json::Value,
    /// 1 for the first attempt, 2 for the first retry, ...
    pub attempt: u32,
}

#[derive(Clone, Default)]
pub(crate) struct CallRecorder {
    calls: Arc<Mutex<Vec<ActivityCall>>>,
}

impl CallRecorder {
    pub(crate) fn calls(&self) -> Vec<ActivityCall> {
        self.lock().clone()
    }

    pub(crate) fn clear(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<ActivityCall>> {
        self.calls.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn record(&self, activity_type: &str, input: &serde_json::Value, attempt: u32) {
        self.lock().push(ActivityCall {
            activity_type: activity_type.to_string(),
            input: input.clone(),
            attempt,
        });
    }

    /// Registers `activity` as `name` in `registry`, recording each call with its input
    /// exactly as the workflow sent it.
    pub(crate) fn register<F, Fut, I, O>(&self, registry: &mut Registry, name: &str, activity: F)
    where
        F: Fn(ActivityContext, I) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<O, ActivityError>> + 'static,
        I: DeserializeOwned + 'static,
        O: Serialize + 'static,
    {
        let recorder = self.clone();
        let activity_type = name.to_string();
        let activity = Arc::new(activity);
        registry.register_activity_as(name, move |ctx: ActivityContext, input: serde_json::Value| {
            recorder.record(&activity_type, &input, ctx.info().attempt);
            let typed = serde_json::from_value::<I>(input).map_err(|e| {
                ActivityError::non_retryable(format!(
                    "the input of activity {activity_type} does not decode as {}: {e}",
                    std::any::type_name::<I>()
                ))
                .with_type("InputDecodeError")
            });
            let activity = activity.clone();
            async move { activity(ctx, typed?).await }
        });
    }

    /// Registers a mock for activity type `name`: `mock` gets the typed input and
    /// answers in place of the activity.
    pub(crate) fn register_mock<I, O, M>(&self, registry: &mut Registry, name: &str, mock: M)
    where
        M: Fn(I) -> Result<O, ActivityError> + Send + Sync + 'static,
        I: DeserializeOwned + 'static,
        O: Serialize + 'static,
    {
        self.register(registry, name, move |_ctx: ActivityContext, input: I| {
            let result = mock(input);
            async move { result }
        });
    }
}
