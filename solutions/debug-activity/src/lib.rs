//! The pizza shop of Temporal 102's "Debugging and Fixing an Activity Failure" exercise.
//!
//! `PizzaWorkflow` (in [`workflow`]) prices an order, asks `GetDistance` how far away the
//! customer lives, waits a little, and bills the customer with `SendBill` (both in
//! [`activities`]). The data it passes around is in [`shared`]; the order the starter
//! sends is in [`order`].

pub mod activities;
pub mod order;
pub mod shared;
pub mod workflow;

/// The task queue the workers poll and the starter starts workflows on.
pub const TASK_QUEUE: &str = "pizza-tasks";

/// The workflow ID of an order: meaningful to the business, one running order per ID.
pub fn workflow_id(order_number: &str) -> String {
    format!("pizza-workflow-order-{order_number}")
}
