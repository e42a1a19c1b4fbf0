//! The workshop's Rust SDK: write Temporal-style workflows and activities, run them in
//! worker processes against the workshop engine, start and inspect runs with a client,
//! and replay recorded histories against changed code.
//!
//! ```ignore
//! use workshop_sdk::prelude::*;
//! pub async fn greeting_workflow(ctx: WorkflowContext, name: String) -> Result<String, WorkflowError> {
//!     let opts = ActivityOptions::start_to_close(Duration::from_secs(5));
//!     let greeting = ctx.execute_activity(greet, name, opts).await?;
//!     Ok(greeting)
//! }
//! pub async fn greet(_ctx: ActivityContext, name: String) -> Result<String, ActivityError> {
//!     Ok(format!("Hello, {name}!"))
//! }
//! ```

pub mod activity;
pub mod client;
pub mod error;
pub mod logging;
pub mod names;
pub mod options;
pub mod registry;
pub mod replay;
#[cfg(feature = "testing")]
pub mod testing;
pub mod transport;
pub mod worker;
pub mod workflow;

pub use activity::{ActivityContext, ActivityInfo};
pub use client::{Client, ClientOptions};
pub use error::{ActivityError, ActivityFailure, WorkflowError};
pub use logging::{LogRecord, LogScope, LogSink, Logger};
pub use options::{ActivityOptions, RetryPolicy};
pub use registry::Registry;
pub use replay::{ReplayError, replay_history};
pub use worker::{Worker, WorkerOptions};
pub use workflow::{NonDeterminismError, WorkflowContext, WorkflowInfo};

/// Re-exported so learner crates need no direct dependency on them.
pub use {serde, serde_json, tokio};

/// Everything a workflow, activity or worker file needs.
pub mod prelude {
    pub use std::time::Duration;

    pub use serde::{Deserialize, Serialize};

    pub use crate::activity::{ActivityContext, ActivityInfo};
    pub use crate::client::{Client, ClientOptions};
    pub use crate::error::{ActivityError, ActivityFailure, WorkflowError};
    pub use crate::logging::Logger;
    pub use crate::options::{ActivityOptions, RetryPolicy};
    pub use crate::worker::{Worker, WorkerOptions};
    pub use crate::workflow::{Either, TimerOutcome, WorkflowContext, WorkflowInfo, select, select_all};
}
