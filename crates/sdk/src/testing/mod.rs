//! The test kit (feature `testing`): test workflows and activities with plain
//! `#[test] fn`s, no async runtime in the test.
//!
//! - [`TestActivityEnvironment`] runs one activity with a test context.
//! - [`WorkflowReplayer`] replays a recorded history against current workflow code.
//! - [`TestWorkflowEnvironment`] runs workflows end to end on the engine in-process (in-memory
//!   database) with a virtual clock that skips ahead whenever nothing else can happen,
//!   activity mocks, captured logs and recorded activity calls.
//!
//! ```ignore
//! use workshop_sdk::testing::{TestWorkflowEnvironment, WorkflowReplayer};
//!
//! #[test]
//! fn translates_without_waiting_for_the_timer() {
//!     let mut env = TestWorkflowEnvironment::new();
//!     env.mock_activity(translate_term, |input: TranslationActivityInput| {
//!         Ok(TranslationActivityOutput { translation: format!("<{}>", input.term) })
//!     });
//!     let out = env.execute_workflow(translation_workflow, input).unwrap(); // timers skipped
//!     assert!(env.virtual_time_elapsed() >= Duration::from_secs(10));
//!     assert_eq!(env.activity_calls().len(), 2);
//! }
//!
//! #[test]
//! fn old_histories_still_replay() {
//!     WorkflowReplayer::new()
//!         .register_workflow(translation_workflow)
//!         .replay_file("histories/translation.json")
//!         .unwrap(); // Err(ReplayError::NonDeterminism(e)): `e` prints the expected/produced table
//! }
//! ```
//!
//! Everything is synchronous: call it from a plain `#[test] fn`, not `#[tokio::test]`.

// A test gets one of these errors per run and matches on it; plain (unboxed) payloads
// keep those matches simple, and their size costs nothing here.
#![allow(clippy::result_large_err, clippy::large_enum_variant)]

mod activity_calls;
mod activity_env;
mod failure;
mod logs;
mod replayer;
mod time_skipping;
mod workflow_env;

pub use activity_calls::ActivityCall;
pub use activity_env::TestActivityEnvironment;
pub use failure::WorkflowFailure;
pub use logs::{LogLevel, LogRecord, LogSource};
pub use replayer::{ReplayError, WorkflowReplayer};
pub use workflow_env::{DEFAULT_TASK_QUEUE, DEFAULT_WORKFLOW_ID, TestWorkflowEnvironment};
pub use crate::workflow::NonDeterminismError;
