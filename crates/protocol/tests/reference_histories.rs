//! Every real Temporal history in `shared/reference/temporal/` imports (CLI and HTTP form),
//! re-exports, re-imports to the same events, and passes `validate_history`.

use std::path::PathBuf;

use workshop_protocol::{EventType, History, validate_history};

fn reference_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference/temporal");
    assert!(
        dir.is_dir(),
        "reference histories not found at {} (expected the shared tree next to the repository: \
         <root>/shared/reference/temporal)",
        dir.display()
    );
    dir
}

fn history_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(reference_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .filter(|p| p.file_name().unwrap() != "event-shapes.json")
        .collect();
    files.sort();
    assert!(files.len() >= 10, "expected the reference histories, found {files:?}");
    files
}

#[test]
fn every_reference_history_round_trips() {
    for path in history_files() {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        let h = History::from_json_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!h.events.is_empty(), "{name}: no events");

        let cli = h.to_cli_json();
        let again = History::from_json_str(&cli).unwrap_or_else(|e| panic!("{name} re-import: {e}"));
        assert_eq!(again, h, "{name}: CLI re-export changed the events");

        let http = h.to_http_json();
        let from_http = History::from_json_str(&http).unwrap_or_else(|e| panic!("{name} http re-import: {e}"));
        assert_eq!(from_http.events.len(), h.events.len());
        for (a, b) in from_http.events.iter().zip(&h.events) {
            assert_eq!(a.event_type(), b.event_type(), "{name}");
            assert_eq!(a.event_id, b.event_id);
        }

        // The CLI file itself must be reproduced key for key (as a JSON value).
        if !name.ends_with(".http.json") {
            let original: serde_json::Value = serde_json::from_str(&text).unwrap();
            let ours: serde_json::Value = serde_json::from_str(&cli).unwrap();
            assert_eq!(ours, original, "{name}: CLI export differs from the original");
        } else {
            let original: serde_json::Value = serde_json::from_str(&text).unwrap();
            let ours = h.to_http_value();
            assert_eq!(ours, original, "{name}: HTTP export differs from the original");
        }

        validate_history(&h.events).unwrap_or_else(|e| panic!("{name}: {e:#?}"));
    }
}

#[test]
fn cli_and_http_forms_hold_the_same_events() {
    let dir = reference_dir();
    for path in history_files() {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let Some(stem) = name.strip_suffix(".http.json") else { continue };
        let http = History::from_file(&path).unwrap();
        let cli = History::from_file(&dir.join(format!("{stem}.json"))).unwrap();
        assert_eq!(http.events.len(), cli.events.len(), "{stem}");
        for (a, b) in http.events.iter().zip(&cli.events) {
            assert_eq!(a.event_type(), b.event_type());
            // Payload data differ only in key order; decoded values are equal.
            let av = serde_json::to_value(a).unwrap();
            let bv = serde_json::to_value(b).unwrap();
            let mut ah = av.clone();
            let mut bh = bv.clone();
            workshop_protocol::to_http_shorthand(&mut ah);
            workshop_protocol::to_http_shorthand(&mut bh);
            assert_eq!(ah, bh, "{stem} event {}", a.event_id);
        }
    }
}

#[test]
fn event_shapes_is_not_a_history() {
    let err = History::from_file(&reference_dir().join("event-shapes.json")).unwrap_err();
    assert!(err.contains("not a workflow history"), "{err}");
    assert!(err.contains("EVENT_TYPE_WORKFLOW_EXECUTION_STARTED"), "{err}");
}

#[test]
fn short_names_and_few_fraction_digits_import() {
    let text = r#"{"events":[
      {"eventId":"1","eventTime":"2026-11-25T22:27:12.2Z","eventType":"WorkflowExecutionStarted",
       "workflowExecutionStartedEventAttributes":{"workflowType":{"name":"W"},"taskQueue":{"name":"q"},"input":[{"A":1}]}},
      {"eventId":2,"eventTime":"2026-11-25T22:27:12Z","eventType":"WorkflowTaskScheduled",
       "workflowTaskScheduledEventAttributes":{"taskQueue":{"name":"q","kind":"TASK_QUEUE_KIND_NORMAL"},"startToCloseTimeout":"10s","attempt":1}}
    ]}"#;
    let h = History::from_json_str(text).unwrap();
    assert_eq!(h.events[1].event_type(), EventType::WorkflowTaskScheduled);
    validate_history(&h.events).unwrap();
    let cli = h.to_cli_json();
    assert!(cli.contains("\"eventTime\": \"2026-11-25T22:27:12.200000000Z\""));
    assert!(cli.contains("\"data\": \"eyJBIjoxfQ==\""));
}

#[test]
fn bad_files_get_clear_errors() {
    assert!(History::from_json_str("not json").unwrap_err().contains("not valid JSON"));
    assert!(History::from_json_str("[1,2]").unwrap_err().contains("not a workflow history"));
    let e = History::from_json_str(r#"{"events":[{"eventId":"1","eventTime":"2026-11-25T22:27:12Z","eventType":"EVENT_TYPE_BOGUS"}]}"#)
        .unwrap_err();
    assert!(e.contains("EVENT_TYPE_BOGUS"), "{e}");
    let e = History::from_json_str(r#"{"events":[{"eventId":"x"}]}"#).unwrap_err();
    assert!(e.contains("eventId"), "{e}");
}

#[test]
fn validator_catches_broken_histories() {
    let path = reference_dir().join("translation.json");
    let h = History::from_file(&path).unwrap();
    // Gap in IDs.
    let mut gap = h.events.clone();
    gap.remove(3);
    assert!(validate_history(&gap).is_err());
    // Event between WorkflowTaskStarted and its outcome.
    let mut between = h.events.clone();
    between.swap(3, 4);
    for (i, e) in between.iter_mut().enumerate() {
        e.event_id = i as i64 + 1;
    }
    assert!(validate_history(&between).is_err());
    // Two outcomes for one activity.
    let mut twice = h.events.clone();
    let mut dup = twice[6].clone();
    dup.event_id = 23;
    twice.insert(21, dup);
    for (i, e) in twice.iter_mut().enumerate() {
        e.event_id = i as i64 + 1;
    }
    let errs = validate_history(&twice).unwrap_err();
    assert!(!errs.is_empty());
    // Close event not last.
    let mut close = h.events.clone();
    let last = close.pop().unwrap();
    close.insert(20, last);
    for (i, e) in close.iter_mut().enumerate() {
        e.event_id = i as i64 + 1;
    }
    assert!(validate_history(&close).is_err());
}
