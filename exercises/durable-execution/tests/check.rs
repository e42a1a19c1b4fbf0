//! The check of exercise 1, "Observing Durable Execution" (`workshop check durable-execution`).
//!
//! The same file is in the exercise and in the solution. Each test names the part of the
//! README it checks, so a failure tells you where to look. The Activity runs for real
//! against the translation microservice, started here on a free port; the Workflow runs
//! in a test environment that skips time, so its 10-second Timer takes no time.

use std::sync::OnceLock;

use durable_execution::{
    TranslationActivityInput, TranslationActivityOutput, TranslationWorkflowInput, TranslationWorkflowOutput,
    translate_term, translation_workflow,
};
use workshop_sdk::ActivityError;
use workshop_sdk::serde_json::Value;
use workshop_sdk::testing::{LogLevel, LogRecord, LogSource, TestActivityEnvironment, TestWorkflowEnvironment, WorkflowFailure};

/// One translation service for the whole test binary; activities find it through
/// `TRANSLATION_SERVICE_URL`, which is set once, before any activity runs.
fn translation_service() -> &'static translation_service::ServiceHandle {
    static SERVICE: OnceLock<translation_service::ServiceHandle> = OnceLock::new();
    SERVICE.get_or_init(|| {
        let (_, service) = translation_service::start("127.0.0.1:0").expect("start the translation service");
        // SAFETY: set once under the OnceLock, before any activity in this binary reads it.
        unsafe { std::env::set_var("TRANSLATION_SERVICE_URL", service.url()) };
        service
    })
}

/// Runs `TranslateTerm` once in a test activity environment: its result and log lines.
fn run_activity(term: &str, language_code: &str) -> (Result<TranslationActivityOutput, ActivityError>, Vec<LogRecord>) {
    translation_service();
    let env = TestActivityEnvironment::new();
    let input = TranslationActivityInput { term: term.into(), language_code: language_code.into() };
    let result = env.run(translate_term, input);
    (result, env.logs())
}

/// What one run of the workflow left behind.
struct WorkflowRun {
    result: Result<TranslationWorkflowOutput, WorkflowFailure>,
    /// Lines a worker would print (replayed lines left out).
    logs: Vec<LogRecord>,
    /// `(eventType, attributes)` of each event, in order.
    events: Vec<(String, Value)>,
}

/// Runs the workflow for Tatiana in Slovak once, with the real activity, skipping time.
fn workflow_run() -> &'static WorkflowRun {
    static RUN: OnceLock<WorkflowRun> = OnceLock::new();
    RUN.get_or_init(|| {
        translation_service();
        let mut env = TestWorkflowEnvironment::new();
        env.register_activity(translate_term);
        let input = TranslationWorkflowInput { name: "Tatiana".into(), language_code: "sk".into() };
        let result = env.execute_workflow(translation_workflow, input);
        let logs = env.logs().into_iter().filter(|r| !r.replaying).collect();
        let history = env.history().to_cli_value();
        let events = history["events"]
            .as_array()
            .map(|events| {
                events
                    .iter()
                    .map(|e| {
                        let kind = e["eventType"].as_str().unwrap_or_default().to_string();
                        let attributes = e
                            .as_object()
                            .and_then(|o| o.iter().find(|(k, _)| k.ends_with("EventAttributes")))
                            .map(|(_, v)| v.clone())
                            .unwrap_or(Value::Null);
                        (kind, attributes)
                    })
                    .collect()
            })
            .unwrap_or_default();
        WorkflowRun { result, logs, events }
    })
}

fn describe(records: &[LogRecord]) -> String {
    if records.is_empty() {
        return "  (nothing)".into();
    }
    records
        .iter()
        .map(|r| {
            let fields: Vec<String> = r.fields.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
            format!("  {:<8} {:<5} {:?} {}", format!("{:?}", r.source), r.level, r.message, fields.join(" "))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn activity_translates_through_the_microservice() {
    let (result, _) = run_activity("Hello", "sk");
    let output = result.expect("TranslateTerm(Hello, sk) should succeed");
    assert_eq!(output.translation, "Ahoj", "TranslateTerm should return the microservice's answer");
}

#[test]
fn activity_fails_with_the_http_error() {
    let (result, _) = run_activity("Hello", "xq");
    let err = result.expect_err("TranslateTerm with the unknown language code `xq` should fail");
    assert_eq!(err.message(), "HTTP Error 400: Unknown language code 'xq'\n");
}

#[test]
fn part_b_activity_logs_the_term_at_info_level() {
    let (_, records) = run_activity("Goodbye", "fr");
    let found = records.iter().any(|r| {
        r.level == LogLevel::Info && r.field("Term") == Some("Goodbye") && r.field("LanguageCode") == Some("fr")
    });
    assert!(
        found,
        "Part B: when invoked, the Activity should log at the Info level with the name-value pairs \
         (\"Term\", term) and (\"LanguageCode\", language code).\nIt logged:\n{}",
        describe(&records)
    );
}

#[test]
fn part_b_activity_logs_the_translation_at_debug_level() {
    let (_, records) = run_activity("Hello", "de");
    let found = records.iter().any(|r| r.level == LogLevel::Debug && r.field("Translation") == Some("Hallo"));
    assert!(
        found,
        "Part B: after a successful translation, the Activity should log at the Debug level with the \
         name-value pair (\"Translation\", translation).\nIt logged:\n{}",
        describe(&records)
    );
}

#[test]
fn part_b_activity_logs_a_failure_at_error_level() {
    let (_, records) = run_activity("Hello", "xq");
    let found = records.iter().any(|r| r.level == LogLevel::Error);
    assert!(
        found,
        "Part B: when the microservice answers with an HTTP error, the Activity should log at the Error \
         level (with \"Status\" and \"Message\") before returning the error.\nIt logged:\n{}",
        describe(&records)
    );
}

fn workflow_logs(level: LogLevel) -> Vec<&'static LogRecord> {
    workflow_run().logs.iter().filter(|r| r.source == LogSource::Workflow && r.level == level).collect()
}

#[test]
fn part_a_workflow_logs_its_invocation_at_info_level() {
    let run = workflow_run();
    let found = workflow_logs(LogLevel::Info).iter().any(|r| r.field("Name") == Some("Tatiana"));
    assert!(
        found,
        "Part A: when invoked, the Workflow should log at the Info level with the name-value pair \
         (\"Name\", the name from the input).\nThe run logged:\n{}",
        describe(&run.logs)
    );
}

#[test]
fn part_a_workflow_logs_before_each_activity_at_debug_level() {
    let run = workflow_run();
    let before_activities = workflow_logs(LogLevel::Debug).iter().filter(|r| r.field("LanguageCode") == Some("sk")).count();
    assert!(
        before_activities >= 2,
        "Part A: before each of the two Activities, the Workflow should log at the Debug level with the \
         name-value pair (\"LanguageCode\", the language code from the input); found {before_activities}.\n\
         The run logged:\n{}",
        describe(&run.logs)
    );
}

#[test]
fn part_c_workflow_logs_before_sleeping() {
    let run = workflow_run();
    let found = workflow_logs(LogLevel::Debug).iter().any(|r| r.message == "Sleeping between translation calls");
    assert!(
        found,
        "Part C: before the Timer, the Workflow should log \"Sleeping between translation calls\" at the \
         Debug level.\nThe run logged:\n{}",
        describe(&run.logs)
    );
}

#[test]
fn part_c_a_10_second_timer_between_the_two_activities() {
    let run = workflow_run();
    let summary: Vec<String> = run
        .events
        .iter()
        .filter(|(kind, _)| kind.contains("ACTIVITY_TASK_SCHEDULED") || kind.contains("TIMER_STARTED"))
        .map(|(kind, attributes)| match kind.as_str() {
            "EVENT_TYPE_TIMER_STARTED" => {
                format!("TimerStarted({})", attributes["startToFireTimeout"].as_str().unwrap_or("?"))
            }
            _ => format!("ActivityTaskScheduled({})", attributes["activityType"]["name"].as_str().unwrap_or("?")),
        })
        .collect();
    assert_eq!(
        summary,
        ["ActivityTaskScheduled(TranslateTerm)", "TimerStarted(10s)", "ActivityTaskScheduled(TranslateTerm)"],
        "Part C: the Workflow should start one 10-second Timer (`ctx.sleep`) between the two Activities."
    );
}

#[test]
fn workflow_returns_both_greetings() {
    let run = workflow_run();
    let output = run.result.as_ref().unwrap_or_else(|failure| panic!("the Workflow should complete, but: {failure}"));
    assert_eq!(
        output,
        &TranslationWorkflowOutput { hello_message: "Ahoj, Tatiana".into(), goodbye_message: "Zbohom, Tatiana".into() }
    );
}
