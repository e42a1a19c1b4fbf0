//! Wire types shared by the workshop's engine, SDK, CLI and visualization: history events,
//! commands, payloads, failures, RPC messages, and Temporal's JSON forms (CLI form with
//! base64 payloads, HTTP API form with shorthand payloads).
//!
//! Names are Temporal's (API messages, event and command attributes, enums), so a learner
//! can read Temporal's API reference next to this crate. Beyond Temporal's messages it adds
//! `SourceLocation` (the workflow code line a command came from, carried in
//! `userMetadata.details`; `UserMetadata::source_location()` builds it,
//! `get_source_location()` reads it back) and helpers for import, export and validation.
//!
//! Choices Temporal leaves to the transport: `task_token` and `next_page_token` are `Vec<u8>`
//! (protobuf `bytes`: standard base64 in JSON, as Temporal); `WorkflowExecutionInfo.task_queue`
//! is the queue name (a string, as Temporal); client requests carry an optional
//! `workflow_execution` (`{workflowId, runId}`) to target one run; `HistoryEvent` keeps no
//! unknown top-level fields (attribute structs do, in `extra`).

pub mod command;
pub mod common;
pub mod enums;
pub mod error;
pub mod event;
pub mod failure;
pub mod history;
pub mod json;
pub mod payload;
pub mod rpc;

pub use command::*;
pub use common::*;
pub use enums::*;
pub use error::{Code, RpcError};
pub use event::*;
pub use failure::*;
pub use history::{History, is_closed, validate_history};
pub use payload::{Payload, PayloadError, Payloads, to_http_shorthand};
pub use rpc::*;
