//! `workshop replay <exercise> <history.json> [--solution]` end to end: exit 0 when the
//! code fits the history, 1 on non-determinism, 2 on a file that is not a usable history.
//! Replays the reference histories recorded by a real Temporal server against the
//! `durable-execution` solution (the course's TranslationWorkflow).

use std::path::{Path, PathBuf};
use std::process::Command;

fn reference(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/temporal").join(name)
}

/// Runs `workshop replay durable-execution FILE --solution`: (exit code, stdout, stderr).
fn replay(file: &Path) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_workshop"))
        .args(["replay", "durable-execution"])
        .arg(file)
        .arg("--solution")
        .env("WORKSHOP_ROOT", env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("run workshop replay");
    (
        output.status.code().expect("an exit code"),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Files that are not histories are refused before anything is built.
#[test]
fn bad_input_exits_2_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("broken.json", "{\"events\": [", "not valid JSON"),
        ("other.json", "{\"workflows\": []}", "not a workflow history"),
        ("empty.json", "{\"events\": []}", "no events"),
    ];
    for (name, text, expected) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let (code, _, stderr) = replay(&path);
        assert_eq!(code, 2, "{name}: {stderr}");
        assert!(stderr.contains(expected), "{name}: expected `{expected}` in:\n{stderr}");
    }
    let (code, _, stderr) = replay(&dir.path().join("missing.json"));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("cannot read"), "{stderr}");
}

/// One test, so the solution's worker is built once.
#[test]
fn the_worker_replays_accepts_and_rejects() {
    let (code, stdout, stderr) = replay(&reference("translation.json"));
    assert_eq!(code, 0, "translation.json should replay:\n{stdout}\n{stderr}");
    assert!(stdout.contains("OK"), "{stdout}");

    let (code, _, stderr) = replay(&reference("worker-crash-short-timer.http.json"));
    assert_eq!(code, 0, "the HTTP form replays too:\n{stderr}");

    // The same history with the first activity's type changed: the code no longer fits.
    let mut history: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(reference("translation.json")).unwrap()).unwrap();
    let scheduled = &mut history["events"][4]["activityTaskScheduledEventAttributes"]["activityType"]["name"];
    assert_eq!(scheduled, "TranslateTerm");
    *scheduled = serde_json::json!("TranslateTermV0");
    let dir = tempfile::tempdir().unwrap();
    let changed = dir.path().join("changed.json");
    std::fs::write(&changed, serde_json::to_string_pretty(&history).unwrap()).unwrap();
    let (code, _, stderr) = replay(&changed);
    assert_eq!(code, 1, "expected non-determinism:\n{stderr}");
    assert!(stderr.contains("Nondeterminism") && stderr.contains("event 5"), "{stderr}");
    assert!(stderr.contains("TranslateTermV0"), "{stderr}");

    // A history of another workflow type.
    let (code, _, stderr) = replay(&reference("pizza.json"));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("PizzaWorkflow"), "{stderr}");
}

#[test]
fn an_unknown_exercise_is_not_a_non_determinism() {
    let output = Command::new(env!("CARGO_BIN_EXE_workshop"))
        .args(["replay", "no-such-exercise"])
        .arg(reference("translation.json"))
        .env("WORKSHOP_ROOT", env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run workshop replay");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no-such-exercise"));
}
