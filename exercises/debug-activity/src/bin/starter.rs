//! The starter: starts `PizzaWorkflow` for the order in `src/order.rs` and waits for its
//! result, as the course's `start/main.go` does. An argument replaces the order number
//! (and so the workflow ID): `debug-activity-starter Z1240`.
//!
//! Run it with `cargo run -q -p debug-activity --bin debug-activity-starter`.

use debug_activity::order::pizza_order;
use debug_activity::shared::OrderConfirmation;
use debug_activity::workflow::pizza_workflow;
use debug_activity::{TASK_QUEUE, workflow_id};
use workshop_sdk::client::{Client, ClientOptions, WorkflowOptions};

#[workshop_sdk::tokio::main(crate = "workshop_sdk::tokio")]
async fn main() -> anyhow::Result<()> {
    let client = Client::connect(ClientOptions::default()).await?;

    let mut order = pizza_order();
    if let Some(order_number) = std::env::args().nth(1) {
        order.order_number = order_number;
    }
    let options = WorkflowOptions::new(workflow_id(&order.order_number), TASK_QUEUE);
    let handle = client
        .start_workflow(pizza_workflow, &order, options)
        .await?;
    println!(
        "Started workflow {} (run {})",
        handle.workflow_id(),
        handle.run_id().unwrap_or("?")
    );

    let confirmation: OrderConfirmation = handle.result().await?;
    println!("Workflow result: {confirmation:#?}");
    Ok(())
}
