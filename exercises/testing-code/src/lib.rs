//! The translation workflow of Temporal 102's testing exercise, and the age-estimation
//! sample that shows mocked activities.
//!
//! `workflow.rs` holds `TranslationWorkflow` (the Go course's `SayHelloGoodbye`),
//! `activity.rs` the `TranslateTerm` activity that calls the translation microservice,
//! `age_estimation.rs` the sample. The structs keep the Go course's JSON field names.

pub mod activity;
pub mod age_estimation;
pub mod workflow;

use serde::{Deserialize, Serialize};

pub use activity::translate_term;
pub use workflow::translation_workflow;

/// The task queue the worker polls.
pub const TASK_QUEUE: &str = "translation-tasks";

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
