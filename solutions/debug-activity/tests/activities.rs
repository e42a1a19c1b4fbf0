//! Tests of the pizza activities, each run on its own in a test activity environment.

use debug_activity::activities::{get_distance, send_bill};
use debug_activity::shared::{Address, Bill};
use workshop_sdk::testing::TestActivityEnvironment;

fn address(line1: &str, line2: &str) -> Address {
    Address {
        line1: line1.to_string(),
        line2: line2.to_string(),
        city: "San Francisco".to_string(),
        state: "CA".to_string(),
        postal_code: "94103".to_string(),
    }
}

fn bill(order_number: &str, amount: i64) -> Bill {
    Bill {
        customer_id: 12983,
        order_number: order_number.to_string(),
        description: "2 large cheese pizzas".to_string(),
        amount,
    }
}

#[test]
fn get_distance_two_line_address() {
    let env = TestActivityEnvironment::new();
    let distance = env
        .run(get_distance, address("701 Mission Street", "Apartment 9C"))
        .unwrap();
    assert_eq!(distance.kilometers, 20);
}

#[test]
fn get_distance_one_line_address() {
    let env = TestActivityEnvironment::new();
    let distance = env
        .run(get_distance, address("917 Delores Street", ""))
        .unwrap();
    assert_eq!(distance.kilometers, 8);
}

#[test]
fn send_bill_typical_order() {
    let env = TestActivityEnvironment::new();
    let confirmation = env.run(send_bill, bill("PI314", 2600)).unwrap();
    assert_eq!(confirmation.order_number, "PI314");
    assert_eq!(confirmation.amount, 2600);
}

#[test]
fn send_bill_fails_with_negative_amount() {
    let env = TestActivityEnvironment::new();
    let error = env.run(send_bill, bill("OU812", -1000)).unwrap_err();
    assert_eq!(error.message(), "invalid charge amount: -1000 (< 1)");
}

#[test]
fn send_bill_applies_discount() {
    let env = TestActivityEnvironment::new();
    let bill = Bill {
        customer_id: 12983,
        order_number: "TEST1".to_string(),
        description: "5 large cheese pizzas".to_string(),
        amount: 6500,
    };
    let confirmation = env.run(send_bill, bill).unwrap();
    assert_eq!(confirmation.amount, 6000);
}
