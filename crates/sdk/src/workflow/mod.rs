//! Workflows: the context workflow code uses, the deterministic executor and the
//! replay driver that runs a workflow against its history.

pub mod combinators;
pub(crate) mod commands;
pub mod context;
pub mod info;
pub mod nondeterminism;
pub mod run;
pub(crate) mod state;

pub use combinators::{Either, select, select_all};
pub use context::{ActivityFuture, Cancelled, SignalChannel, Sleep, Timer, TimerHandle, TimerOutcome, WorkflowContext};
pub use info::WorkflowInfo;
pub use nondeterminism::NonDeterminismError;

#[cfg(test)]
#[allow(clippy::result_large_err)]
mod fake_engine;
#[cfg(test)]
#[allow(clippy::result_large_err)]
mod tests;
