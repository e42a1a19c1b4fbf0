//! The workshop's durable-execution engine: Temporal's semantics on SQLite, over HTTP/JSON.
//!
//! Modules follow Temporal's roles: [`frontend`] (HTTP API and validation), [`history`]
//! (state machines as plain functions: input in, events and state out), [`state`] (the
//! mutable state derived from events), [`matching`] (task queues, pollers, sticky queues),
//! [`service`] (the single writer: one transaction per state change, answer after commit),
//! [`persistence`] (SQLite, WAL), [`server`] (start, long polls, the timer loop),
//! [`clock`] (system or virtual time), [`settings`] (every duration and limit),
//! [`token`] (task tokens).
//!
//! # Embedding (for the SDK's test kit)
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use std::sync::Arc;
//! use workshop_engine::{Db, Engine, EngineConfig, Settings, VirtualClock};
//! let clock = Arc::new(VirtualClock::starting_now());
//! let engine = Engine::start(EngineConfig {
//!     db: Db::InMemory,
//!     clock: clock.clone(),
//!     settings: Settings::default(),
//!     bind: "127.0.0.1:0".parse()?,
//! })
//! .await?;
//! let url = engine.url(); // point the SDK's client and workers here
//! // Time skipping: when no task is queued or running, jump to the next deadline.
//! if !engine.has_outstanding_tasks().await {
//!     if let Some(t) = engine.next_deadline().await {
//!         clock.set(t);
//!         engine.process_due().await?; // fires timers/retries/timeouts due at `t`, committed on return
//!     }
//! }
//! engine.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! `has_outstanding_tasks()` is true while any workflow or activity task is dispatchable
//! on a queue or started by a worker (a task in retry backoff is not outstanding: its
//! backoff end is a deadline). `next_deadline()` covers timers, activity retry backoffs,
//! workflow task backoffs, every activity and workflow task timeout, and run timeouts.
//! The engine's own timer loop also wakes when a `VirtualClock` moves; `process_due()`
//! just makes the step synchronous for the caller. A run that is neither outstanding nor
//! has a deadline is blocked (waiting for a signal or a worker that never comes).
//!
//! Long polls use real time (`Settings::long_poll_timeout`), never the virtual clock.
//!
//! Differences from Temporal, on purpose: timers are part of the run's persisted mutable
//! state (one row per run) rather than a separate timer table; a transient workflow task
//! is turned into a written one only when it completes; page tokens are plain event IDs.

pub mod clock;
pub mod frontend;
pub mod history;
pub mod matching;
pub mod persistence;
pub mod server;
pub mod service;
pub mod settings;
pub mod state;
pub mod token;

pub use clock::{Clock, SystemClock, VirtualClock};
pub use server::{Db, Engine, EngineConfig, RunningEngine, Service};
pub use settings::Settings;
