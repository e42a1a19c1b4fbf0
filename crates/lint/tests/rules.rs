//! The lint against its fixtures: every `// expect: <rule>` line in `fixtures/positive`
//! is reported with exactly that rule and line (and nothing else is), nothing in
//! `fixtures/negative` is, and the exit status follows from the report.

use std::fs;
use std::path::{Path, PathBuf};

use workshop_lint::{Rule, exit_code, lint_paths, lint_source};

fn fixtures(dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(dir)
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "rs"))
        .collect();
    files.sort();
    files
}

/// `(line, rule)` for every `// expect: a, b` marker.
fn expected(source: &str) -> Vec<(usize, Rule)> {
    let mut out = Vec::new();
    for (index, line) in source.lines().enumerate() {
        if let Some((_, rules)) = line.split_once("// expect:") {
            for name in rules.split(',') {
                let rule = Rule::from_name(name.trim())
                    .unwrap_or_else(|| panic!("unknown rule {name:?} on line {}", index + 1));
                out.push((index + 1, rule));
            }
        }
    }
    out.sort();
    out
}

fn found(path: &Path) -> Vec<(usize, Rule)> {
    let source = fs::read_to_string(path).unwrap();
    let mut out: Vec<(usize, Rule)> = lint_source(path, &source)
        .unwrap_or_else(|err| panic!("{err}"))
        .into_iter()
        .map(|finding| (finding.line, finding.rule))
        .collect();
    out.sort();
    out
}

#[test]
fn every_marked_line_is_reported_with_its_rule_and_nothing_else() {
    let files = rust_files(&fixtures("positive"));
    assert!(files.len() >= 8, "positive fixtures missing: {files:?}");
    let mut rules_seen = Vec::new();
    for file in files {
        let source = fs::read_to_string(&file).unwrap();
        let expected = expected(&source);
        assert!(
            !expected.is_empty(),
            "{} has no expect markers",
            file.display()
        );
        assert_eq!(found(&file), expected, "findings of {}", file.display());
        rules_seen.extend(expected.into_iter().map(|(_, rule)| rule));
    }
    for rule in Rule::ALL {
        assert!(
            rules_seen.contains(&rule),
            "no positive fixture for rule {rule}"
        );
    }
}

#[test]
fn negative_fixtures_are_clean() {
    let files = rust_files(&fixtures("negative"));
    for name in [
        "duration.rs",
        "btreemap.rs",
        "ctx_now.rs",
        "biased_select.rs",
        "activity.rs",
    ] {
        assert!(
            files.iter().any(|f| f.ends_with(name)),
            "missing negative fixture {name}"
        );
    }
    for file in files {
        assert_eq!(
            found(&file),
            vec![],
            "findings in negative fixture {}",
            file.display()
        );
    }
}

#[test]
fn findings_carry_position_snippet_message_and_suggestion() {
    let path = fixtures("positive").join("wall_clock.rs");
    let source = fs::read_to_string(&path).unwrap();
    let findings = lint_source(&path, &source).unwrap();
    let first = &findings[0];
    assert_eq!((first.line, first.column), (7, 19));
    assert_eq!(first.rule, Rule::WallClock);
    assert_eq!(first.snippet, "SystemTime::now()");
    assert_eq!(first.file, path);
    assert!(
        first.message.contains("std::time::SystemTime::now"),
        "{}",
        first.message
    );
    assert!(first.message.contains("replay"), "{}", first.message);
    assert!(
        first.suggestion.contains("ctx.now()"),
        "{}",
        first.suggestion
    );

    let aliased = &findings[1];
    assert_eq!(
        (aliased.line, aliased.column, aliased.snippet.as_str()),
        (8, 14, "I::now()")
    );
    assert!(
        aliased
            .message
            .contains("`I::now()` (`std::time::Instant::now`)"),
        "{}",
        aliased.message
    );

    // A call spanning lines shows its first line, without the comment after it.
    let path = fixtures("positive").join("threads.rs");
    let findings = lint_source(&path, &fs::read_to_string(&path).unwrap()).unwrap();
    let spawn = findings.iter().find(|f| f.line == 9).unwrap();
    assert_eq!(
        (spawn.column, spawn.snippet.as_str()),
        (5, "thread::spawn(move || {")
    );
}

#[test]
fn a_syntax_error_names_the_file_position_and_cause() {
    let err = lint_source("bad.rs", "fn w(ctx: WorkflowContext) {\n    let = 1;\n}\n").unwrap_err();
    let message = err.to_string();
    assert!(
        message.starts_with("cannot parse bad.rs:2:9: expected"),
        "{message}"
    );
}

#[test]
fn suggestions_name_the_ctx_counterpart() {
    let cases = [
        (
            "fn w(ctx: WorkflowContext) { std::thread::sleep(d); }",
            Rule::Sleep,
            "ctx.sleep",
        ),
        (
            "fn w(ctx: WorkflowContext) { tokio::spawn(f); }",
            Rule::Thread,
            "activity",
        ),
        (
            "fn w(ctx: WorkflowContext) { rand::random::<u8>(); }",
            Rule::Random,
            "ctx.random()",
        ),
        (
            "fn w(ctx: WorkflowContext) { tokio::select! { a = b => c } }",
            Rule::UnbiasedSelect,
            "biased;",
        ),
        (
            "fn w(ctx: WorkflowContext) { std::fs::remove_file(p); }",
            Rule::Io,
            "activity",
        ),
        (
            "fn w(ctx: WorkflowContext) { let m = HashMap::new(); for x in m {} }",
            Rule::HashIteration,
            "BTreeMap",
        ),
    ];
    for (source, rule, counterpart) in cases {
        let findings = lint_source("inline.rs", source).unwrap();
        assert_eq!(findings.len(), 1, "{source}: {findings:?}");
        assert_eq!(findings[0].rule, rule, "{source}");
        assert!(
            findings[0].suggestion.contains(counterpart),
            "{source}: {}",
            findings[0].suggestion
        );
    }
}

#[test]
fn exit_status_is_1_with_findings_0_without_and_2_on_unparsable_input() {
    let positive = lint_paths(&[fixtures("positive")]);
    assert_eq!(exit_code(&positive), 1);
    let report = positive.unwrap();
    assert_eq!(
        report.files_checked,
        rust_files(&fixtures("positive")).len()
    );
    assert!(
        report.workflows_checked >= 10,
        "{}",
        report.workflows_checked
    );

    let negative = lint_paths(&[fixtures("negative")]);
    assert_eq!(exit_code(&negative), 0);
    assert!(negative.unwrap().workflows_checked >= 4);

    let broken = lint_paths(&[fixtures("broken"), fixtures("positive")]);
    assert_eq!(exit_code(&broken), 2);
    let report = broken.unwrap();
    assert_eq!(report.errors.len(), 1);
    let message = report.errors[0].to_string();
    assert!(
        message.contains("unclosed.rs:5:1: mismatched or unclosed delimiter"),
        "{message}"
    );
    // The other files were still checked.
    assert!(!report.findings.is_empty());

    let missing = lint_paths(&[fixtures("no-such-dir")]);
    assert_eq!(exit_code(&missing), 2);
    assert!(missing.unwrap_err().to_string().contains("no-such-dir"));
}

#[test]
fn directories_skip_target_and_hidden_directories() {
    let root = std::env::temp_dir().join(format!("workshop-lint-walk-{}", std::process::id()));
    let _ = fs::remove_dir_all(&root);
    let hazard = "fn w(ctx: WorkflowContext) { let t = std::time::Instant::now(); }";
    for dir in ["src", "target/debug", ".git", "tests/fixtures"] {
        fs::create_dir_all(root.join(dir)).unwrap();
        fs::write(root.join(dir).join("w.rs"), hazard).unwrap();
    }
    fs::write(root.join("src/notes.txt"), hazard).unwrap();
    let report = lint_paths(std::slice::from_ref(&root)).unwrap();
    fs::remove_dir_all(&root).unwrap();
    assert_eq!(report.files_checked, 1);
    assert_eq!(report.findings.len(), 1);
    assert!(report.findings[0].file.ends_with("src/w.rs"));
}

#[test]
fn fixture_directories_are_skipped_unless_named() {
    let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let report = lint_paths(std::slice::from_ref(&tests)).unwrap();
    assert!(report.findings.is_empty(), "{:?}", report.findings);
    assert_eq!(exit_code(&Ok(report)), 0);
}

/// The reference solutions are what learners copy from: they must lint clean.
#[test]
fn solutions_lint_clean() {
    let solutions = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../solutions");
    if !solutions.is_dir() {
        return;
    }
    let report = lint_paths(&[solutions]).unwrap();
    let findings: Vec<String> = report
        .findings
        .iter()
        .map(|f| {
            format!(
                "{}:{}:{} {} {}",
                f.file.display(),
                f.line,
                f.column,
                f.rule,
                f.snippet
            )
        })
        .collect();
    assert!(
        findings.is_empty(),
        "solutions are not deterministic:\n{}",
        findings.join("\n")
    );
    assert!(report.errors.is_empty(), "{:?}", report.errors);
}
