//! The activities of the daily report: `ImportSalesData` and `RunDailyReport`.

use workshop_sdk::prelude::*;

use crate::shared::{DailyReport, ReportInput, SalesData};

pub async fn import_sales_data(
    ctx: ActivityContext,
    input: ReportInput,
) -> Result<SalesData, ActivityError> {
    ctx.logger()
        .info("Importing sales data", &[("Date", &input.date)]);

    // A stand-in for reading the day's sales from a database: the same day always has
    // the same sales.
    let orders = input.date.bytes().map(u64::from).sum::<u64>() % 50 + 20;
    Ok(SalesData {
        date: input.date,
        orders,
        total: orders * 2250,
    })
}

pub async fn run_daily_report(
    ctx: ActivityContext,
    sales: SalesData,
) -> Result<DailyReport, ActivityError> {
    ctx.logger()
        .info("Running the daily report", &[("Date", &sales.date)]);

    let summary = format!(
        "{} orders, ${}.{:02} in sales",
        sales.orders,
        sales.total / 100,
        sales.total % 100
    );
    Ok(DailyReport {
        date: sales.date,
        summary,
    })
}
