//! The order the starter sends: order Z1238 of customer 12983, María García.

use crate::shared::{Address, Customer, Pizza, PizzaOrder};

pub fn pizza_order() -> PizzaOrder {
    let customer = Customer {
        customer_id: 12983,
        name: "María García".to_string(),
        email: "maria1985@example.com".to_string(),
        phone: "415-555-7418".to_string(),
    };

    let address = Address {
        line1: "701 Mission Street".to_string(),
        line2: "Apartment 9C".to_string(),
        city: "San Francisco".to_string(),
        state: "CA".to_string(),
        postal_code: "94103".to_string(),
    };

    let p1 = Pizza {
        description: "Large, with mushrooms and onions".to_string(),
        price: 1500,
    };
    let p2 = Pizza {
        description: "Small, with pepperoni".to_string(),
        price: 1000,
    };
    // TODO Part C: add a third pizza, "Large, with extra cheese" for 1500 cents, to the
    // items below. The total (4000 cents) then passes $30 and earns this month's discount.

    let items = vec![p1, p2];

    PizzaOrder {
        order_number: "Z1238".to_string(),
        customer,
        items,
        is_delivery: true,
        address,
    }
}
