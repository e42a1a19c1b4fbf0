//! Tests of `PizzaWorkflow` with mocked activities: the workflow's own logic, in
//! isolation from what the activities do.

use debug_activity::activities::{get_distance, send_bill};
use debug_activity::order::pizza_order;
use debug_activity::shared::{Distance, OrderConfirmation};
use debug_activity::workflow::pizza_workflow;
use workshop_sdk::testing::TestWorkflowEnvironment;

#[test]
fn successful_pizza_order() {
    let mut env = TestWorkflowEnvironment::new();
    env.register_workflow(pizza_workflow);
    env.mock_activity_result(get_distance, Distance { kilometers: 10 });
    env.mock_activity_result(
        send_bill,
        OrderConfirmation {
            order_number: "Z1238".to_string(),
            status: "SUCCESS".to_string(),
            confirmation_number: "AB9923".to_string(),
            billing_timestamp: 1_700_000_000,
            amount: 2500,
        },
    );

    let confirmation = env.execute_workflow(pizza_workflow, pizza_order()).unwrap();

    assert_eq!(confirmation.order_number, "Z1238");
    assert_eq!(confirmation.confirmation_number, "AB9923");
    assert_eq!(confirmation.amount, 2500);
}

#[test]
fn failed_pizza_order_customer_outside_delivery_area() {
    let mut env = TestWorkflowEnvironment::new();
    env.register_workflow(pizza_workflow);
    env.mock_activity_result(get_distance, Distance { kilometers: 30 });
    env.register_activity(send_bill);

    let failure = env
        .execute_workflow(pizza_workflow, pizza_order())
        .unwrap_err();

    assert_eq!(
        failure.message(),
        "customer lives too far away for delivery"
    );
    let billed = env
        .activity_calls()
        .iter()
        .any(|call| call.activity_type == "SendBill");
    assert!(
        !billed,
        "a customer outside the delivery area must not be billed"
    );
}
