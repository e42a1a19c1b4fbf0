//! `workshop show-history FILE --plain` on recorded histories (ours and Temporal's, both
//! JSON forms), and its error for a file that is not a history.

use assert_cmd::Command;
use predicates::prelude::*;

/// A history recorded by a real Temporal server.
fn reference(name: &str) -> String {
    format!("{}/tests/fixtures/temporal/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn workshop() -> Command {
    let mut cmd = Command::cargo_bin("workshop").unwrap();
    cmd.env("NO_COLOR", "1");
    cmd
}

#[test]
fn cli_form_history_prints_one_line_per_event_and_the_result() {
    let output = workshop().args(["show-history", &reference("worker-crash-short-timer.json"), "--plain"]).assert().success();
    let text = String::from_utf8(output.get_output().stdout.clone()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1 + 24 + 1, "{text}");
    assert!(lines[14].contains("WorkflowTaskTimedOut") && lines[14].contains("SCHEDULE_TO_START"), "{}", lines[14]);
    assert!(lines[16].contains("7689@vm"), "{}", lines[16]);
    assert!(lines.last().unwrap().starts_with("Workflow Completed (24 events)"), "{text}");
}

#[test]
fn http_form_history_reads_the_same() {
    workshop()
        .args(["show-history", &reference("translation.http.json")])
        .assert()
        .success()
        .stdout(predicate::str::contains("TimerStarted").and(predicate::str::contains("Au revoir, Pierre")));
}

#[test]
fn a_file_that_is_not_a_history_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.json");
    std::fs::write(&path, r#"{"hello": 1}"#).unwrap();
    workshop()
        .args(["show-history", path.to_str().unwrap()])
        .assert()
        .failure()
        .stderr(predicate::str::contains("notes.json"));
}
