//! The workflows and activities a worker (or a replayer) knows, by type name, with
//! their inputs and outputs erased to payloads.

use std::collections::BTreeMap;
use std::future::Future;
use std::panic::Location;
use std::sync::Arc;

use futures::FutureExt;
use futures::future::LocalBoxFuture;
use serde::Serialize;
use serde::de::DeserializeOwned;
use workshop_protocol::payload::Payloads;

use crate::activity::ActivityContext;
use crate::error::{ActivityError, WorkflowError};
use crate::names;
use crate::workflow::WorkflowContext;

pub(crate) type WorkflowFn =
    Arc<dyn Fn(WorkflowContext, Option<Payloads>) -> LocalBoxFuture<'static, Result<Payloads, WorkflowError>> + Send + Sync>;

pub(crate) type ActivityFn = Arc<
    dyn Fn(ActivityContext, Option<Payloads>) -> LocalBoxFuture<'static, Result<Option<Payloads>, ActivityError>>
        + Send
        + Sync,
>;

#[derive(Clone)]
pub struct RegisteredWorkflow {
    pub(crate) run: WorkflowFn,
    /// Where it was registered: the source location given to close commands.
    pub(crate) location: &'static Location<'static>,
}

#[derive(Clone)]
pub struct RegisteredActivity {
    pub(crate) run: ActivityFn,
}

/// Workflow and activity functions by type name.
#[derive(Clone, Default)]
pub struct Registry {
    workflows: BTreeMap<String, RegisteredWorkflow>,
    activities: BTreeMap<String, RegisteredActivity>,
}

impl Registry {
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers `workflow` under the PascalCase form of its function name
    /// (`translation_workflow` -> `TranslationWorkflow`).
    #[track_caller]
    pub fn register_workflow<F, Fut, I, O>(&mut self, workflow: F) -> &mut Self
    where
        F: Fn(WorkflowContext, I) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<O, WorkflowError>> + 'static,
        I: DeserializeOwned + 'static,
        O: Serialize + 'static,
    {
        let name = names::required_type_name::<F>("workflow");
        self.register_workflow_as(&name, workflow)
    }

    #[track_caller]
    pub fn register_workflow_as<F, Fut, I, O>(&mut self, name: &str, workflow: F) -> &mut Self
    where
        F: Fn(WorkflowContext, I) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<O, WorkflowError>> + 'static,
        I: DeserializeOwned + 'static,
        O: Serialize + 'static,
    {
        let type_name = name.to_string();
        let workflow = Arc::new(workflow);
        let run: WorkflowFn = Arc::new(move |ctx, input: Option<Payloads>| {
            let workflow = workflow.clone();
            let type_name = type_name.clone();
            async move {
                let input: I = input.unwrap_or_default().decode().unwrap_or_else(|e| {
                    panic!(
                        "the input of workflow {type_name} does not decode as {}: {e}",
                        std::any::type_name::<I>()
                    )
                });
                let output = workflow(ctx, input).await?;
                Payloads::json(&output)
                    .map_err(|e| WorkflowError::new(format!("the result of workflow {type_name} does not serialize: {e}")))
            }
            .boxed_local()
        });
        self.workflows.insert(
            name.to_string(),
            RegisteredWorkflow {
                run,
                location: Location::caller(),
            },
        );
        self
    }

    /// Registers `activity` under the PascalCase form of its function name
    /// (`translate_term` -> `TranslateTerm`).
    pub fn register_activity<F, Fut, I, O>(&mut self, activity: F) -> &mut Self
    where
        F: Fn(ActivityContext, I) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<O, ActivityError>> + 'static,
        I: DeserializeOwned + 'static,
        O: Serialize + 'static,
    {
        let name = names::required_type_name::<F>("activity");
        self.register_activity_as(&name, activity)
    }

    pub fn register_activity_as<F, Fut, I, O>(&mut self, name: &str, activity: F) -> &mut Self
    where
        F: Fn(ActivityContext, I) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<O, ActivityError>> + 'static,
        I: DeserializeOwned + 'static,
        O: Serialize + 'static,
    {
        let type_name = name.to_string();
        let activity = Arc::new(activity);
        let run: ActivityFn = Arc::new(move |ctx, input: Option<Payloads>| {
            let activity = activity.clone();
            let type_name = type_name.clone();
            async move {
                let input: I = input.unwrap_or_default().decode().map_err(|e| {
                    ActivityError::non_retryable(format!(
                        "the input of activity {type_name} does not decode as {}: {e}",
                        std::any::type_name::<I>()
                    ))
                    .with_type("InputDecodeError")
                })?;
                let output = activity(ctx, input).await?;
                Payloads::json(&output).map(Some).map_err(|e| {
                    ActivityError::non_retryable(format!("the result of activity {type_name} does not serialize: {e}"))
                })
            }
            .boxed_local()
        });
        self.activities.insert(name.to_string(), RegisteredActivity { run });
        self
    }

    pub fn workflow(&self, name: &str) -> Option<RegisteredWorkflow> {
        self.workflows.get(name).cloned()
    }

    pub fn activity(&self, name: &str) -> Option<RegisteredActivity> {
        self.activities.get(name).cloned()
    }

    pub fn workflow_types(&self) -> impl Iterator<Item = &str> {
        self.workflows.keys().map(String::as_str)
    }

    pub fn activity_types(&self) -> impl Iterator<Item = &str> {
        self.activities.keys().map(String::as_str)
    }

    pub fn has_workflows(&self) -> bool {
        !self.workflows.is_empty()
    }

    pub fn has_activities(&self) -> bool {
        !self.activities.is_empty()
    }
}
