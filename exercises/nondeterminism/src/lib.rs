//! The daily sales report of the non-determinism exercise.
//!
//! `DailyReportWorkflow` (in [`workflow`]) imports the day's sales, waits for late sales
//! when the report was requested right at the close of business, and builds the report
//! (the activities are in [`activities`], the data in [`shared`]). Its code has a
//! non-determinism bug that shows only when a worker has to replay its history.

pub mod activities;
pub mod shared;
pub mod workflow;

/// The task queue the workers poll and the starter starts workflows on.
pub const TASK_QUEUE: &str = "daily-report-tasks";

/// The workflow ID the starter uses.
pub const WORKFLOW_ID: &str = "daily-report-workflow";
