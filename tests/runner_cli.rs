//! End-to-end tests of the runner commands, spawning the built `workshop` binary.
//!
//! Progress goes to a temporary state file (`WORKSHOP_STATE_FILE`), never to the
//! learner's `.workshop-state.toml`. The `check` tests run cargo on the real exercise
//! crates in this workspace.

use assert_cmd::Command;
use predicates::prelude::*;

fn workshop(state: &tempfile::TempDir) -> Command {
    let mut cmd = Command::cargo_bin("workshop").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("WORKSHOP_ROOT", env!("CARGO_MANIFEST_DIR"))
        .env("WORKSHOP_STATE_FILE", state.path().join("state.toml"))
        .env("NO_COLOR", "1");
    cmd
}

#[test]
fn list_plain_shows_every_exercise_and_the_progress() {
    let state = tempfile::tempdir().unwrap();
    workshop(&state)
        .args(["list", "--plain"])
        .assert()
        .success()
        .stdout(predicate::str::contains("durable-execution"))
        .stdout(predicate::str::contains("Observing Durable Execution"))
        .stdout(predicate::str::contains("pending"))
        .stdout(predicate::str::contains("Progress: ["));
}

#[test]
fn list_is_plain_without_a_terminal() {
    let state = tempfile::tempdir().unwrap();
    workshop(&state).arg("list").assert().success().stdout(predicate::str::contains("Progress: ["));
}

#[test]
fn hint_prints_the_hints_of_the_exercise() {
    let state = tempfile::tempdir().unwrap();
    workshop(&state)
        .args(["hint", "durable-execution"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Hint 1:"))
        .stdout(predicate::str::contains("ctx.logger()"))
        .stdout(predicate::str::contains("exercises/durable-execution/README.md"));
}

#[test]
fn hint_without_a_name_is_for_the_current_exercise() {
    let state = tempfile::tempdir().unwrap();
    workshop(&state).arg("hint").assert().success().stdout(predicate::str::contains("Exercise:"));
}

#[test]
fn an_unknown_exercise_lists_the_valid_ones() {
    let state = tempfile::tempdir().unwrap();
    for args in [&["hint", "no-such-exercise"][..], &["check", "no-such-exercise"], &["reset", "no-such-exercise", "--yes"]] {
        workshop(&state)
            .args(args)
            .assert()
            .failure()
            .stderr(predicate::str::contains("unknown exercise `no-such-exercise`"))
            .stderr(predicate::str::contains("durable-execution"));
    }
}

#[test]
fn reset_without_a_terminal_needs_yes() {
    let state = tempfile::tempdir().unwrap();
    workshop(&state)
        .args(["reset", "durable-execution"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("--yes"));
}

#[test]
fn check_passes_on_the_solution_and_fails_on_the_untouched_exercise() {
    let state = tempfile::tempdir().unwrap();
    workshop(&state)
        .args(["check", "durable-execution", "--solution"])
        .assert()
        .success()
        .stdout(predicate::str::contains("passes its check"));

    let untouched = workshop(&state).args(["check", "durable-execution"]).assert().failure();
    let out = String::from_utf8_lossy(&untouched.get_output().stdout).into_owned();
    assert!(out.contains("does not pass its check yet"), "{out}");
    assert!(out.contains("Part "), "the failure should name the part of the README:\n{out}");
    assert!(out.contains("workshop hint durable-execution"), "the output should end with what to do next:\n{out}");
    let saved = std::fs::read_to_string(state.path().join("state.toml")).unwrap();
    assert!(saved.contains("current = \"durable-execution\""), "{saved}");
}

/// The committed version of a file, or the work tree's when there is no git history
/// (the same rule `build.rs` embeds by).
fn pristine(path: &str) -> Vec<u8> {
    let committed = std::process::Command::new("git")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["show", &format!("HEAD:{path}")])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| o.stdout);
    committed.unwrap_or_else(|| std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap())
}

#[test]
fn reset_restores_edited_and_deleted_files_from_the_binary() {
    let state = tempfile::tempdir().unwrap();
    let root = tempfile::tempdir().unwrap();
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(source.join("Cargo.toml"), root.path().join("Cargo.toml")).unwrap();
    let dir = root.path().join("exercises/durable-execution");
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::copy(source.join("exercises/durable-execution/exercise.toml"), dir.join("exercise.toml")).unwrap();
    std::fs::write(dir.join("src/workflow.rs"), "// my unfinished attempt\n").unwrap();
    std::fs::write(dir.join("src/notes.rs"), "// mine, not the exercise's\n").unwrap();

    workshop(&state)
        .env("WORKSHOP_ROOT", root.path())
        .args(["reset", "durable-execution", "--yes"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Restored"));
    for file in ["src/workflow.rs", "src/activity.rs", "README.md", "tests/check.rs"] {
        let restored = std::fs::read(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(restored == pristine(&format!("exercises/durable-execution/{file}")), "{file} is not the pristine version");
    }
    assert!(dir.join("src/notes.rs").exists(), "files the learner added stay");
}
