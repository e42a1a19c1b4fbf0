//! `workshop lint` end to end: exit status and `file:line` locations in the output.

use std::path::Path;
use std::process::Command;

fn lint(dir: &str) -> (i32, String, String) {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/lint/tests/fixtures");
    let output = Command::new(env!("CARGO_BIN_EXE_workshop"))
        .arg("lint")
        .arg(fixtures.join(dir))
        .output()
        .expect("run workshop lint");
    (
        output.status.code().expect("exit code"),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn lint_reports_findings_with_locations_and_exits_by_outcome() {
    let (code, stdout, _) = lint("positive");
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("positive/wall_clock.rs:7:19"), "{stdout}");
    assert!(stdout.contains("warning[nondeterminism]"), "{stdout}");
    assert!(stdout.contains("help: use `ctx.now()`"), "{stdout}");
    // Not a terminal: no color codes.
    assert!(!stdout.contains('\u{1b}'), "{stdout}");

    let (code, stdout, _) = lint("negative");
    assert_eq!(code, 0, "{stdout}");

    let (code, _, stderr) = lint("broken");
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("unclosed.rs:5:1"), "{stderr}");
}
