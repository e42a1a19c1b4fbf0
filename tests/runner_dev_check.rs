//! `workshop dev check` over the whole catalog: every solution passes its check, every
//! untouched exercise fails it with the message its `exercise.toml` expects.

use assert_cmd::Command;
use predicates::prelude::*;

#[test]
fn dev_check_passes() {
    let state = tempfile::tempdir().unwrap();
    Command::cargo_bin("workshop")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("WORKSHOP_ROOT", env!("CARGO_MANIFEST_DIR"))
        .env("WORKSHOP_STATE_FILE", state.path().join("state.toml"))
        .env("NO_COLOR", "1")
        .args(["dev", "check"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Everything looks fine!"));
}
