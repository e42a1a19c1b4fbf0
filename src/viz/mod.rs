//! The step-by-step execution view behind `workshop run` and `workshop show-history`:
//! which line of workflow code produced which command, which event it became, which
//! worker held the run, and what happened when a worker died.
//!
//! The view model (`timeline`, `status`, `detail`, `nde`, `workers`, `source`) is pure data
//! derived from a `History` and a given "now", so it is unit-tested without a terminal;
//! `app` holds what the user is looking at and turns keys into actions; `screen` draws it
//! with ratatui; `terminal` owns the real terminal; `plain` tells the same story as lines.

pub mod app;
pub mod detail;
pub mod follow;
pub mod nde;
pub mod plain;
pub mod screen;
pub mod source;
pub mod status;
pub mod terminal;
pub mod timeline;
pub mod workers;

#[cfg(test)]
mod snapshots;
#[cfg(test)]
mod testing;
