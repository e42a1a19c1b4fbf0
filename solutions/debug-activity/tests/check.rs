//! The check of the debug-activity exercise (`workshop check debug-activity`). The
//! exercise and its solution have this same file; each test names the part of the
//! README it checks.

use debug_activity::activities::{get_distance, send_bill};
use debug_activity::order::pizza_order;
use debug_activity::shared::{Bill, OrderConfirmation};
use debug_activity::workflow::pizza_workflow;
use serde::Deserialize;
use workshop_protocol::event::{EventAttributes, HistoryEvent};
use workshop_sdk::testing::{TestActivityEnvironment, TestWorkflowEnvironment};

/// `answers.toml`, the learner's answers to Part B.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Answers {
    later_workflow_task_queue_kind: String,
    get_distance_worker: String,
    get_distance_scheduled_event_id: i64,
    get_distance_started_event_id: i64,
    get_distance_completed_event_id: i64,
    get_distance_input_line1: String,
    get_distance_kilometers: i64,
    timer_seconds: u64,
    send_bill_maximum_interval_seconds: u64,
    send_bill_start_to_close_seconds: u64,
}

fn read_answers() -> Answers {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/answers.toml");
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("Part B: cannot read {path}: {e}"));
    toml::from_str(&text).unwrap_or_else(|e| panic!("Part B: answers.toml does not parse: {e}"))
}

fn bill(amount: i64) -> Bill {
    Bill {
        customer_id: 12983,
        order_number: "TEST1".to_string(),
        description: "5 large cheese pizzas".to_string(),
        amount,
    }
}

fn scheduled_activity<'a>(
    events: &'a [HistoryEvent],
    activity_type: &str,
) -> (i64, &'a EventAttributes) {
    events
        .iter()
        .find(|e| matches!(&e.attributes, EventAttributes::ActivityTaskScheduled(a) if a.activity_type.name == activity_type))
        .map(|e| (e.event_id, &e.attributes))
        .unwrap_or_else(|| panic!("the history has no ActivityTaskScheduled event for {activity_type}"))
}

fn event_for_scheduled(events: &[HistoryEvent], scheduled_event_id: i64, started: bool) -> i64 {
    events
        .iter()
        .find(|e| {
            let right_kind = if started {
                matches!(e.attributes, EventAttributes::ActivityTaskStarted(_))
            } else {
                matches!(e.attributes, EventAttributes::ActivityTaskCompleted(_))
            };
            right_kind && e.scheduled_event_id() == Some(scheduled_event_id)
        })
        .map(|e| e.event_id)
        .unwrap_or(0)
}

#[test]
fn part_b_answers_match_the_history() {
    let answers = read_answers();

    // The same workflow, with the same order, in the test environment: its history has
    // the same events as the one you looked at.
    let mut env = TestWorkflowEnvironment::new();
    env.register_workflow(pizza_workflow);
    env.register_activity(get_distance);
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
    env.execute_workflow(pizza_workflow, pizza_order())
        .expect("the pizza workflow completes");
    let events = env.history().events;

    let (get_distance_id, _) = scheduled_activity(&events, "GetDistance");
    let (_, send_bill_scheduled) = scheduled_activity(&events, "SendBill");
    let EventAttributes::ActivityTaskScheduled(send_bill_scheduled) = send_bill_scheduled else {
        unreachable!()
    };
    let timer = events
        .iter()
        .find_map(|e| match &e.attributes {
            EventAttributes::TimerStarted(t) => t.start_to_fire_timeout,
            _ => None,
        })
        .expect("the history has a TimerStarted event");
    let maximum_interval = send_bill_scheduled
        .retry_policy
        .as_ref()
        .and_then(|p| p.maximum_interval);
    let kilometers = TestActivityEnvironment::new()
        .run(get_distance, pizza_order().address)
        .expect("GetDistance succeeds")
        .kilometers;

    let mut wrong = Vec::new();
    let mut expect = |name: &str, ok: bool, answered: String| {
        if !ok {
            wrong.push(format!("  {name} (you answered {answered})"));
        }
    };
    expect(
        "later_workflow_task_queue_kind",
        answers
            .later_workflow_task_queue_kind
            .trim()
            .eq_ignore_ascii_case("sticky"),
        format!("{:?}", answers.later_workflow_task_queue_kind),
    );
    let worker = answers.get_distance_worker.trim();
    let looks_like_identity = worker.split_once('@').is_some_and(|(pid, host)| {
        !pid.is_empty() && pid.chars().all(|c| c.is_ascii_digit()) && !host.is_empty()
    });
    expect(
        "get_distance_worker",
        looks_like_identity,
        format!("{worker:?}"),
    );
    expect(
        "get_distance_scheduled_event_id",
        answers.get_distance_scheduled_event_id == get_distance_id,
        answers.get_distance_scheduled_event_id.to_string(),
    );
    expect(
        "get_distance_started_event_id",
        answers.get_distance_started_event_id
            == event_for_scheduled(&events, get_distance_id, true),
        answers.get_distance_started_event_id.to_string(),
    );
    expect(
        "get_distance_completed_event_id",
        answers.get_distance_completed_event_id
            == event_for_scheduled(&events, get_distance_id, false),
        answers.get_distance_completed_event_id.to_string(),
    );
    expect(
        "get_distance_input_line1",
        answers.get_distance_input_line1.trim() == pizza_order().address.line1,
        format!("{:?}", answers.get_distance_input_line1),
    );
    expect(
        "get_distance_kilometers",
        answers.get_distance_kilometers == kilometers,
        answers.get_distance_kilometers.to_string(),
    );
    expect(
        "timer_seconds",
        answers.timer_seconds == timer.as_secs(),
        answers.timer_seconds.to_string(),
    );
    expect(
        "send_bill_maximum_interval_seconds",
        Some(answers.send_bill_maximum_interval_seconds) == maximum_interval.map(|d| d.as_secs()),
        answers.send_bill_maximum_interval_seconds.to_string(),
    );
    expect(
        "send_bill_start_to_close_seconds",
        Some(answers.send_bill_start_to_close_seconds)
            == send_bill_scheduled
                .start_to_close_timeout
                .map(|d| d.as_secs()),
        answers.send_bill_start_to_close_seconds.to_string(),
    );
    assert!(
        wrong.is_empty(),
        "Part B: these answers in answers.toml do not match the history of pizza-workflow-order-Z1238:\n{}\n\
         Look again with `workshop workflow show --workflow-id pizza-workflow-order-Z1238` (add `--event N` for one event's details).",
        wrong.join("\n")
    );
}

#[test]
fn part_c_the_order_has_three_pizzas() {
    let order = pizza_order();
    let total: i64 = order.items.iter().map(|pizza| pizza.price).sum();
    assert!(
        order.items.len() == 3 && total == 4000,
        "Part C: the order in src/order.rs has {} pizzas for {total} cents; add the third pizza \
         (\"Large, with extra cheese\", 1500 cents) so that it has 3 for 4000 cents.",
        order.items.len()
    );
}

#[test]
fn part_d_the_discount_has_a_test() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/activities.rs");
    let tests = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        tests.contains("fn send_bill_applies_discount"),
        "Part D: write the test `send_bill_applies_discount` in tests/activities.rs: a bill of 6500 cents is charged 6000."
    );
}

#[test]
fn part_d_send_bill_applies_the_discount() {
    let result = TestActivityEnvironment::new().run(send_bill, bill(6500));
    match result {
        Ok(confirmation) => assert_eq!(
            confirmation.amount, 6000,
            "Part D: SendBill should charge 6000 cents for a bill of 6500 ($5 off orders over $30)"
        ),
        Err(error) => panic!(
            "Part D: SendBill should charge 6000 cents for a bill of 6500 ($5 off orders over $30), \
             but it failed with: {}\nFind the bug in send_bill (src/activities.rs).",
            error.message()
        ),
    }
}

#[test]
fn part_e_the_order_completes_with_the_discount() {
    let order = pizza_order();
    let total: i64 = order.items.iter().map(|pizza| pizza.price).sum();
    assert_eq!(
        total, 4000,
        "Part C: the order should total 4000 cents (see part_c_the_order_has_three_pizzas)"
    );
    // With the bug, SendBill fails forever and so would this workflow: find out first.
    if let Err(error) = TestActivityEnvironment::new().run(send_bill, bill(total)) {
        panic!(
            "Part D: SendBill fails for the order of Part C ({}), so the workflow would never complete",
            error.message()
        );
    }

    let mut env = TestWorkflowEnvironment::new();
    env.register_workflow(pizza_workflow);
    env.register_activity(get_distance);
    env.register_activity(send_bill);
    let confirmation = env
        .execute_workflow(pizza_workflow, order)
        .unwrap_or_else(|failure| {
            panic!(
                "Part E: the order should complete, but: {}",
                failure.message()
            )
        });
    assert_eq!(
        confirmation.status, "SUCCESS",
        "Part E: the bill should be sent"
    );
    assert_eq!(
        confirmation.amount, 3500,
        "Part E: the order of 4000 cents should be charged 3500"
    );
}
