//! The course's pizza workflow (`pizza.json`, `failed.json`): distance, a sleep, a bill.

use workshop_sdk::prelude::*;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Address {
    pub line1: String,
    pub line2: String,
    pub city: String,
    pub state: String,
    pub postal_code: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Customer {
    #[serde(rename = "CustomerID")]
    pub customer_id: i64,
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "Email")]
    pub email: String,
    #[serde(rename = "Phone")]
    pub phone: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Pizza {
    pub description: String,
    pub price: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PizzaOrder {
    pub order_number: String,
    pub customer: Customer,
    pub items: Vec<Pizza>,
    pub is_delivery: bool,
    pub address: Address,
    /// Test setting: the sleep before billing (3 s when absent, as the reference run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sleep_seconds: Option<u64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Distance {
    pub kilometers: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Bill {
    #[serde(rename = "CustomerID")]
    pub customer_id: i64,
    #[serde(rename = "OrderNumber")]
    pub order_number: String,
    #[serde(rename = "Description")]
    pub description: String,
    #[serde(rename = "Amount")]
    pub amount: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OrderConfirmation {
    pub order_number: String,
    pub status: String,
    pub confirmation_number: String,
    pub billing_timestamp: i64,
    pub amount: i64,
}

pub fn reference_order(far: bool) -> PizzaOrder {
    PizzaOrder {
        order_number: if far { "Z1239" } else { "Z1238" }.into(),
        customer: Customer {
            customer_id: 12983,
            name: "María García".into(),
            email: "maria1985@example.com".into(),
            phone: "415-555-7418".into(),
        },
        items: vec![
            Pizza {
                description: "Large, with mushrooms and onions".into(),
                price: 1500,
            },
            Pizza {
                description: "Small, with pepperoni".into(),
                price: 1000,
            },
        ],
        is_delivery: true,
        address: Address {
            line1: "701 Mission Street".into(),
            line2: "Apartment 9C".into(),
            city: "San Francisco".into(),
            state: "CA".into(),
            postal_code: if far { "99999" } else { "94103" }.into(),
        },
        sleep_seconds: None,
    }
}

pub async fn pizza_workflow(ctx: WorkflowContext, order: PizzaOrder) -> Result<OrderConfirmation, WorkflowError> {
    let total: i64 = order.items.iter().map(|p| p.price).sum();
    let opts = ActivityOptions::start_to_close(Duration::from_secs(5)).retry_policy(RetryPolicy {
        initial_interval: Some(Duration::from_millis(200)),
        maximum_interval: Some(Duration::from_secs(1)),
        ..Default::default()
    });
    let distance = ctx.execute_activity(get_distance, order.address.clone(), opts.clone()).await?;
    if order.is_delivery && distance.kilometers > 25 {
        return Err(WorkflowError::new("customer lives too far away for delivery"));
    }
    ctx.sleep(Duration::from_secs(order.sleep_seconds.unwrap_or(3))).await;
    let bill = Bill {
        customer_id: order.customer.customer_id,
        order_number: order.order_number.clone(),
        description: "Pizza".into(),
        amount: total,
    };
    Ok(ctx.execute_activity(send_bill, bill, opts).await?)
}

pub async fn get_distance(ctx: ActivityContext, address: Address) -> Result<Distance, ActivityError> {
    let attempt = ctx.info().attempt;
    crate::count_execution("GetDistance", &attempt.to_string());
    let fail_attempts: u32 = std::env::var("FIXTURE_FAIL_ATTEMPTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    if attempt <= fail_attempts {
        return Err(ActivityError::retryable(format!("simulated failure on attempt {attempt}")).with_type("FlakyError"));
    }
    let km = if address.postal_code == "99999" { 30 } else { 15 };
    ctx.logger().info("GetDistance", &[("Line1", &address.line1), ("Kilometers", &km)]);
    Ok(Distance { kilometers: km })
}

pub async fn send_bill(_ctx: ActivityContext, bill: Bill) -> Result<OrderConfirmation, ActivityError> {
    Ok(OrderConfirmation {
        order_number: bill.order_number,
        status: "SUCCESS".into(),
        confirmation_number: "TPD-26074139".into(),
        billing_timestamp: 1700000000,
        amount: bill.amount,
    })
}
