//! Rust ports of the workflows that recorded the reference histories in
//! `shared/reference/temporal/` (`wsdefs.py`, `nde.py`): same type names, same PascalCase
//! payload fields, same commands in the same order, so the recorded histories replay
//! against them. Shared by the test kit's test files.

#![allow(dead_code)]

use std::time::Duration;

use serde::{Deserialize, Serialize};
use workshop_sdk::prelude::*;

/// A reference history by file name.
pub fn reference(name: &str) -> String {
    format!(
        "{}/../../../shared/reference/temporal/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

// ------------------------------------------------------------------ translation

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TranslationWorkflowInput {
    pub name: String,
    pub language_code: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TranslationWorkflowOutput {
    pub hello_message: String,
    pub goodbye_message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TranslationActivityInput {
    pub term: String,
    pub language_code: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TranslationActivityOutput {
    pub translation: String,
}

/// The reference recorded 10 s (and 3 s in the short-timer crash); durations are not
/// compared on replay (Temporal does not either), so one port fits both.
pub const TRANSLATION_SLEEP: Duration = Duration::from_secs(15);

pub async fn translation_workflow(
    ctx: WorkflowContext,
    input: TranslationWorkflowInput,
) -> Result<TranslationWorkflowOutput, WorkflowError> {
    let log = ctx.logger();
    log.info("TranslationWorkflow invoked", &[("Name", &input.name)]);
    let opts = ActivityOptions::start_to_close(Duration::from_secs(45));
    let hello = ctx
        .execute_activity(
            translate_term,
            TranslationActivityInput { term: "hello".into(), language_code: input.language_code.clone() },
            opts.clone(),
        )
        .await?;
    log.debug("Sleeping between translation calls", &[("Seconds", &TRANSLATION_SLEEP.as_secs())]);
    ctx.sleep(TRANSLATION_SLEEP).await;
    let bye = ctx
        .execute_activity(
            translate_term,
            TranslationActivityInput { term: "goodbye".into(), language_code: input.language_code.clone() },
            opts,
        )
        .await?;
    log.info("TranslationWorkflow complete", &[]);
    Ok(TranslationWorkflowOutput {
        hello_message: format!("{}, {}", hello.translation, input.name),
        goodbye_message: format!("{}, {}", bye.translation, input.name),
    })
}

/// The first translation moved after the timer: a change that breaks running workflows.
pub async fn translation_workflow_sleep_first(
    ctx: WorkflowContext,
    input: TranslationWorkflowInput,
) -> Result<TranslationWorkflowOutput, WorkflowError> {
    let opts = ActivityOptions::start_to_close(Duration::from_secs(45));
    ctx.sleep(TRANSLATION_SLEEP).await;
    let hello = ctx
        .execute_activity(translate_term, TranslationActivityInput { term: "hello".into(), language_code: input.language_code.clone() }, opts.clone())
        .await?;
    let bye = ctx
        .execute_activity(translate_term, TranslationActivityInput { term: "goodbye".into(), language_code: input.language_code.clone() }, opts)
        .await?;
    Ok(TranslationWorkflowOutput {
        hello_message: format!("{}, {}", hello.translation, input.name),
        goodbye_message: format!("{}, {}", bye.translation, input.name),
    })
}

/// The same change behind `patched`: runs recorded by the old code keep the old order.
pub async fn translation_workflow_patched(
    ctx: WorkflowContext,
    input: TranslationWorkflowInput,
) -> Result<TranslationWorkflowOutput, WorkflowError> {
    let opts = ActivityOptions::start_to_close(Duration::from_secs(45));
    let term = |t: &str| TranslationActivityInput { term: t.into(), language_code: input.language_code.clone() };
    let hello = if ctx.patched("sleep-before-translating") {
        ctx.sleep(TRANSLATION_SLEEP).await;
        ctx.execute_activity(translate_term, term("hello"), opts.clone()).await?
    } else {
        let hello = ctx.execute_activity(translate_term, term("hello"), opts.clone()).await?;
        ctx.sleep(TRANSLATION_SLEEP).await;
        hello
    };
    let bye = ctx.execute_activity(translate_term, term("goodbye"), opts).await?;
    Ok(TranslationWorkflowOutput {
        hello_message: format!("{}, {}", hello.translation, input.name),
        goodbye_message: format!("{}, {}", bye.translation, input.name),
    })
}

pub async fn translate_term(
    ctx: ActivityContext,
    input: TranslationActivityInput,
) -> Result<TranslationActivityOutput, ActivityError> {
    ctx.logger().info("TranslateTerm", &[("Term", &input.term)]);
    let translation = match (input.term.to_lowercase().as_str(), input.language_code.as_str()) {
        ("hello", "fr") => "Bonjour",
        ("goodbye", "fr") => "Au revoir",
        ("hello", "es") => "Hola",
        ("goodbye", "es") => "Adiós",
        _ => {
            return Err(ActivityError::retryable(format!(
                "unknown term/language {}/{}",
                input.term, input.language_code
            )));
        }
    };
    Ok(TranslationActivityOutput { translation: translation.into() })
}

// ------------------------------------------------------------------ pizza

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Address {
    pub line1: String,
    pub line2: String,
    pub city: String,
    pub state: String,
    pub postal_code: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Pizza {
    pub description: String,
    pub price: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PizzaOrder {
    pub order_number: String,
    pub customer: Customer,
    pub items: Vec<Pizza>,
    pub is_delivery: bool,
    pub address: Address,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Distance {
    pub kilometers: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

/// The course's pizza workflow sleeps 30 minutes (the reference run used 3 s).
pub const PIZZA_SLEEP: Duration = Duration::from_secs(30 * 60);

pub async fn pizza_workflow(ctx: WorkflowContext, order: PizzaOrder) -> Result<OrderConfirmation, WorkflowError> {
    let total: i64 = order.items.iter().map(|p| p.price).sum();
    let opts = ActivityOptions::start_to_close(Duration::from_secs(5));
    let distance = ctx.execute_activity(get_distance, order.address.clone(), opts.clone()).await?;
    if order.is_delivery && distance.kilometers > 25 {
        return Err(WorkflowError::new("customer lives too far away for delivery"));
    }
    ctx.sleep(PIZZA_SLEEP).await;
    let bill = Bill {
        customer_id: order.customer.customer_id,
        order_number: order.order_number.clone(),
        description: "Pizza".into(),
        amount: total,
    };
    Ok(ctx.execute_activity(send_bill, bill, opts).await?)
}

pub async fn get_distance(_ctx: ActivityContext, address: Address) -> Result<Distance, ActivityError> {
    let kilometers = if address.postal_code == "99999" { 30 } else { 15 };
    Ok(Distance { kilometers })
}

pub async fn send_bill(_ctx: ActivityContext, bill: Bill) -> Result<OrderConfirmation, ActivityError> {
    if bill.amount <= 0 {
        return Err(ActivityError::non_retryable(format!("invalid charge amount: {}", bill.amount))
            .with_type("InvalidChargeAmount"));
    }
    Ok(OrderConfirmation {
        order_number: bill.order_number,
        status: "SUCCESS".into(),
        confirmation_number: "TPD-26074139".into(),
        billing_timestamp: 1_700_000_000,
        amount: bill.amount,
    })
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
            Pizza { description: "Large, with mushrooms and onions".into(), price: 1500 },
            Pizza { description: "Small, with pepperoni".into(), price: 1000 },
        ],
        is_delivery: true,
        address: Address {
            line1: "701 Mission Street".into(),
            line2: "Apartment 9C".into(),
            city: "San Francisco".into(),
            state: "CA".into(),
            postal_code: if far { "99999" } else { "94103" }.into(),
        },
    }
}

// ------------------------------------------------------------------ retries

pub async fn retry_workflow(ctx: WorkflowContext, name: String) -> Result<String, WorkflowError> {
    let opts = ActivityOptions::start_to_close(Duration::from_secs(5)).retry_policy(RetryPolicy {
        initial_interval: Some(Duration::from_secs(1)),
        backoff_coefficient: Some(2.0),
        maximum_interval: Some(Duration::from_secs(10)),
        ..Default::default()
    });
    Ok(ctx.execute_activity(flaky_activity, name, opts).await?)
}

pub async fn flaky_activity(ctx: ActivityContext, name: String) -> Result<String, ActivityError> {
    let attempt = ctx.info().attempt;
    if attempt <= 3 {
        return Err(ActivityError::retryable(format!("simulated failure on attempt {attempt}")).with_type("FlakyError"));
    }
    Ok(format!("succeeded on attempt {attempt} for {name}"))
}

// ------------------------------------------------------------------ non-determinism (nde.py)

pub async fn noop(_ctx: ActivityContext, i: i64) -> Result<i64, ActivityError> {
    Ok(i + 1)
}

async fn nde_workflow(ctx: WorkflowContext, take_activity_branch: bool) -> Result<String, WorkflowError> {
    let opts = ActivityOptions::start_to_close(Duration::from_secs(5));
    if take_activity_branch {
        ctx.execute_activity(noop, 1, opts.clone()).await?;
    }
    ctx.sleep(Duration::from_secs(2)).await;
    ctx.execute_activity(noop, 2, opts).await?;
    Ok(if take_activity_branch { "activity-branch" } else { "timer-branch" }.into())
}

/// NDEWorkflow fixed to the branch `nde.json` recorded (the activity first).
pub async fn nde_activity_branch(ctx: WorkflowContext, _name: String) -> Result<String, WorkflowError> {
    nde_workflow(ctx, true).await
}

/// NDEWorkflow fixed to the other branch (straight to the timer).
pub async fn nde_timer_branch(ctx: WorkflowContext, _name: String) -> Result<String, WorkflowError> {
    nde_workflow(ctx, false).await
}
