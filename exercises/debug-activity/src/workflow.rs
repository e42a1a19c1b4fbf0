//! `PizzaWorkflow`: prices an order, checks the delivery distance, waits, then bills.

use workshop_sdk::prelude::*;

use crate::activities::{get_distance, send_bill};
use crate::shared::{Bill, OrderConfirmation, PizzaOrder};

/// Customers farther away than this get no delivery.
pub const MAX_DELIVERY_KILOMETERS: i64 = 25;

/// How long the shop waits before billing. The course's slides wait 30 minutes; three
/// seconds keep the exercise moving.
pub const WAIT_BEFORE_BILLING: Duration = Duration::from_secs(3);

pub async fn pizza_workflow(
    ctx: WorkflowContext,
    order: PizzaOrder,
) -> Result<OrderConfirmation, WorkflowError> {
    let log = ctx.logger();
    log.info(
        "PizzaWorkflow invoked",
        &[("OrderNumber", &order.order_number)],
    );

    // Each attempt may take 5 seconds; failed attempts are retried at most 10 seconds
    // apart, for as long as it takes (the retry policy sets no maximum of attempts).
    let options =
        ActivityOptions::start_to_close(Duration::from_secs(5)).retry_policy(RetryPolicy {
            maximum_interval: Some(Duration::from_secs(10)),
            ..Default::default()
        });

    let total_price: i64 = order.items.iter().map(|pizza| pizza.price).sum();
    log.info("Calculated cost of order", &[("Total", &total_price)]);

    let distance = ctx
        .execute_activity(get_distance, order.address.clone(), options.clone())
        .await?;
    if order.is_delivery && distance.kilometers > MAX_DELIVERY_KILOMETERS {
        log.error(
            "Customer lives outside the service area",
            &[("Kilometers", &distance.kilometers)],
        );
        return Err(WorkflowError::new(
            "customer lives too far away for delivery",
        ));
    }

    // Wait before billing. A customer who cancels the order meanwhile is not billed.
    let wait = ctx.timer(WAIT_BEFORE_BILLING);
    if let Either::Right((_, wait)) = ctx.select(wait, ctx.cancelled()).await {
        wait.cancel();
        log.info(
            "Order canceled before billing",
            &[("OrderNumber", &order.order_number)],
        );
        return Err(WorkflowError::cancelled());
    }

    let bill = Bill {
        customer_id: order.customer.customer_id,
        order_number: order.order_number.clone(),
        description: "Pizza".to_string(),
        amount: total_price,
    };
    let confirmation = ctx.execute_activity(send_bill, bill, options).await?;
    log.info(
        "Bill sent",
        &[("ConfirmationNumber", &confirmation.confirmation_number)],
    );

    Ok(confirmation)
}
