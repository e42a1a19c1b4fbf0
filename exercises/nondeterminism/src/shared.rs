//! The data the daily report workflow and its activities exchange. JSON field names are
//! PascalCase, as in the Go course.

use serde::{Deserialize, Serialize};

/// The input of `DailyReportWorkflow` and of `ImportSalesData`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReportInput {
    /// The business day, e.g. "2026-11-25".
    pub date: String,
}

/// The output of `ImportSalesData`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SalesData {
    pub date: String,
    pub orders: u64,
    /// In cents.
    pub total: u64,
}

/// The output of `RunDailyReport`, and of the workflow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DailyReport {
    pub date: String,
    pub summary: String,
}
