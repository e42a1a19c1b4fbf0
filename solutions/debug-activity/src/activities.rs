//! The activities of the pizza shop: `GetDistance` and `SendBill`.

use std::time::{SystemTime, UNIX_EPOCH};

use workshop_sdk::prelude::*;

use crate::shared::{Address, Bill, Distance, OrderConfirmation};

/// This month's special offer: $5 off (500 cents) ...
pub const DISCOUNT: i64 = 500;
/// ... every order over $30.
pub const DISCOUNT_THRESHOLD: i64 = 3000;

pub async fn get_distance(
    ctx: ActivityContext,
    address: Address,
) -> Result<Distance, ActivityError> {
    let log = ctx.logger();
    log.info(
        "GetDistance invoked; determining distance to customer address",
        &[],
    );

    // A simulation: a fake but consistent distance computed from the length of the
    // address, so the same address always gives the same distance.
    let length = (address.line1.len() + address.line2.len()) as i64;
    let mut kilometers = length - 10;
    if kilometers < 1 {
        kilometers = 5;
    }

    log.debug("GetDistance complete", &[("Kilometers", &kilometers)]);
    Ok(Distance { kilometers })
}

pub async fn send_bill(
    ctx: ActivityContext,
    bill: Bill,
) -> Result<OrderConfirmation, ActivityError> {
    let log = ctx.logger();
    log.info(
        "SendBill invoked",
        &[("Customer", &bill.customer_id), ("Amount", &bill.amount)],
    );

    let mut charge_amount = bill.amount;

    // This month's special offer: $5 off all orders over $30
    if bill.amount > DISCOUNT_THRESHOLD {
        log.info("Applying discount", &[]);
        charge_amount -= DISCOUNT; // reduce the amount charged by the discount
    }

    // Reject invalid amounts before calling the payment processor.
    if charge_amount < 1 {
        return Err(ActivityError::retryable(format!(
            "invalid charge amount: {charge_amount} (< 1)"
        )));
    }

    // Pretend we called a payment processing service here :-)
    let billing_timestamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let confirmation = OrderConfirmation {
        order_number: bill.order_number,
        status: "SUCCESS".to_string(),
        confirmation_number: "AB9923".to_string(),
        billing_timestamp,
        amount: charge_amount,
    };

    log.debug(
        "SendBill complete",
        &[("ConfirmationNumber", &confirmation.confirmation_number)],
    );
    Ok(confirmation)
}
