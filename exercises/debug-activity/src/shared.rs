//! The data the pizza workflow and its activities exchange.
//!
//! Field names in JSON are the Go course's (`OrderNumber`, `CustomerID`, ...), so these
//! structs read histories recorded by the course's Go code, and the other way round.
//! Prices and amounts are in cents.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Address {
    pub line1: String,
    pub line2: String,
    pub city: String,
    pub state: String,
    pub postal_code: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Customer {
    #[serde(rename = "CustomerID")]
    pub customer_id: i64,
    pub name: String,
    pub email: String,
    pub phone: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Pizza {
    pub description: String,
    pub price: i64,
}

/// The input of `PizzaWorkflow`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PizzaOrder {
    pub order_number: String,
    pub customer: Customer,
    pub items: Vec<Pizza>,
    pub is_delivery: bool,
    pub address: Address,
}

/// The output of `GetDistance`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Distance {
    pub kilometers: i64,
}

/// The input of `SendBill`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Bill {
    #[serde(rename = "CustomerID")]
    pub customer_id: i64,
    pub order_number: String,
    pub description: String,
    pub amount: i64,
}

/// The output of `SendBill`, and of `PizzaWorkflow`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OrderConfirmation {
    pub order_number: String,
    pub status: String,
    pub confirmation_number: String,
    pub billing_timestamp: i64,
    pub amount: i64,
}
