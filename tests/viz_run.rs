//! `workshop run durable-execution --solution --plain`: the course's worker-crash scenario
//! scripted with `--kill-worker-after TimerStarted --kill-delay 3s`, and SIGINT stopping
//! every process `workshop run` started.
//!
//! Each run builds the solution's worker once (cargo caches it) and uses a scratch engine
//! on port 0; waits are generous and bounded by events, never fixed sleeps.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

const WORKSHOP: &str = env!("CARGO_BIN_EXE_workshop");

fn spawn(args: &[&str]) -> (Child, Receiver<String>) {
    let mut cmd = Command::new(WORKSHOP);
    cmd.args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("WORKSHOP_ROOT", env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let mut child = cmd.spawn().expect("spawn workshop");
    let (tx, rx) = mpsc::channel();
    for stream in [Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>, Box::new(child.stderr.take().unwrap())] {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
    }
    (child, rx)
}

/// Lines until one matches `until` (returned included), or panics after `timeout`.
fn read_until(rx: &Receiver<String>, seen: &mut Vec<String>, timeout: Duration, until: impl Fn(&str) -> bool) {
    let deadline = Instant::now() + timeout;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) => {
                let done = until(&line);
                seen.push(line);
                if done {
                    return;
                }
            }
            Err(_) => panic!("timed out; output so far:\n{}", seen.join("\n")),
        }
    }
}

fn alive(pid: i32) -> bool {
    // SAFETY: signal 0 only checks that the process exists.
    unsafe { libc::kill(pid, 0) == 0 }
}

fn pids(path: &Path) -> Vec<i32> {
    std::fs::read_to_string(path).unwrap_or_default().lines().filter_map(|l| l.trim().parse().ok()).collect()
}

fn wait_gone(pids: &[i32], within: Duration) {
    let deadline = Instant::now() + within;
    while pids.iter().any(|p| alive(*p)) {
        assert!(Instant::now() < deadline, "still running after {within:?}: {:?}", pids.iter().filter(|p| alive(**p)).collect::<Vec<_>>());
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The build of the worker can take minutes on a cold cache; the run itself ~20 s.
const WHOLE_RUN: Duration = Duration::from_secs(900);

#[test]
fn killing_the_worker_during_the_timer_hands_the_run_to_the_other_worker() {
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("pids");
    let (mut child, rx) = spawn(&[
        "run",
        "durable-execution",
        "--solution",
        "--plain",
        "--kill-worker-after",
        "TimerStarted",
        "--kill-delay",
        "3s",
        "--pid-file",
        pid_file.to_str().unwrap(),
    ]);
    let mut seen = Vec::new();
    read_until(&rx, &mut seen, WHOLE_RUN, |l| l.starts_with("Workflow "));
    let status = child.wait().unwrap();
    let text = seen.join("\n");
    assert!(status.success(), "{text}");
    // Two workers, then the translation microservice.
    let started = pids(&pid_file);
    assert_eq!(started.len(), 3, "{text}");
    let killed = seen.iter().find(|l| l.contains("killed worker")).unwrap_or_else(|| panic!("no kill:\n{text}"));
    assert!(killed.contains(&format!("pid {}", started[0])) || killed.contains(&format!("pid {}", started[1])), "{killed}");
    let survivor = if killed.contains(&format!("pid {}", started[0])) { started[1] } else { started[0] };
    let timed_out = seen.iter().position(|l| l.contains("WorkflowTaskTimedOut")).unwrap_or_else(|| panic!("{text}"));
    assert!(seen[timed_out].contains("SCHEDULE_TO_START"), "{}", seen[timed_out]);
    assert!(
        seen[timed_out..].iter().any(|l| l.contains("WorkflowTaskStarted") && l.contains(&format!("{survivor}@"))),
        "the other worker ({survivor}) did not take over:\n{text}"
    );
    assert!(seen.last().unwrap().contains("Workflow Completed") && text.contains("Au revoir, Pierre"), "{text}");
    wait_gone(&started, Duration::from_secs(5));
}

#[test]
fn sigint_stops_every_process_it_started_within_5_seconds() {
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("pids");
    let (mut child, rx) = spawn(&["run", "durable-execution", "--solution", "--plain", "--pid-file", pid_file.to_str().unwrap()]);
    let mut seen = Vec::new();
    read_until(&rx, &mut seen, WHOLE_RUN, |l| l.contains("TimerStarted"));
    let started = pids(&pid_file);
    assert_eq!(started.len(), 3);
    assert!(started.iter().all(|p| alive(*p)));
    // SAFETY: SIGINT to the child we started.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        assert!(Instant::now() < deadline, "workshop run still running 5 s after SIGINT");
        std::thread::sleep(Duration::from_millis(50));
    }
    wait_gone(&started, Duration::from_secs(5));
}

#[test]
fn a_worker_dying_inside_a_started_workflow_task_shows_the_start_to_close_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("pids");
    let (mut child, rx) = spawn(&[
        "run",
        "durable-execution",
        "--solution",
        "--plain",
        "--kill-worker-after",
        "WorkflowTaskStarted",
        "--kill-delay",
        "1s",
        "--pid-file",
        pid_file.to_str().unwrap(),
    ]);
    let mut seen = Vec::new();
    read_until(&rx, &mut seen, WHOLE_RUN, |l| l.starts_with("Workflow "));
    assert!(child.wait().unwrap().success());
    let text = seen.join("\n");
    let killed = seen.iter().position(|l| l.contains("killed worker")).unwrap_or_else(|| panic!("no kill:\n{text}"));
    let started_before_kill = seen[..killed].iter().rev().find(|l| l.contains("WorkflowTaskStarted")).unwrap();
    let timed_out = seen.iter().position(|l| l.contains("WorkflowTaskTimedOut")).unwrap_or_else(|| panic!("{text}"));
    assert!(timed_out > killed, "{text}");
    assert!(seen[timed_out].contains("START_TO_CLOSE"), "{}", seen[timed_out]);
    let dead_identity = started_before_kill.split("identity=").nth(1).unwrap().split_whitespace().next().unwrap();
    let after: Vec<&String> = seen[timed_out..].iter().filter(|l| l.contains("WorkflowTaskStarted")).collect();
    assert!(!after.is_empty() && after.iter().all(|l| !l.contains(dead_identity)), "{text}");
    assert!(seen.last().unwrap().contains("Workflow Completed"), "{text}");
    wait_gone(&pids(&pid_file), Duration::from_secs(5));
}
