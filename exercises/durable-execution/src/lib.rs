//! Exercise 1, "Observing Durable Execution": a workflow that translates "Hello" and
//! "Goodbye" through the course's translation microservice, with a timer in between.
//!
//! `workflow.rs` holds the workflow, `activity.rs` the activity that calls the
//! microservice, `src/bin/worker.rs` the worker process. The structs keep the Go
//! course's JSON field names, so histories from either replay against both.

pub mod activity;
pub mod workflow;

use serde::{Deserialize, Serialize};

pub use activity::translate_term;
pub use workflow::translation_workflow;

/// The task queue the worker polls and the starter uses.
pub const TASK_QUEUE: &str = "durable-exec-tasks";

/// The workflow ID the README starts the workflow with.
pub const WORKFLOW_ID: &str = "durable-execution-workflow";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TranslationWorkflowInput {
    pub name: String,
    pub language_code: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TranslationWorkflowOutput {
    pub hello_message: String,
    pub goodbye_message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TranslationActivityInput {
    pub term: String,
    pub language_code: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TranslationActivityOutput {
    pub translation: String,
}
