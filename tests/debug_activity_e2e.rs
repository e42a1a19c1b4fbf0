//! Parts C to E of the `debug-activity` exercise, end to end, with the workshop's own
//! tools: the untouched exercise's worker runs an order of three pizzas; `SendBill` fails
//! with `invalid charge amount: -500 (< 1)` on every attempt while the run stays Running
//! (`workshop workflow describe`); the worker is killed and the solution's worker (the
//! fixed activity) is started; the same run completes with the discounted amount, and the
//! history shows that the attempt which succeeded came after the failed ones.
//!
//! Every child runs in its own process group, killed when its guard drops; the server
//! uses port 0 and the test reads the port it prints.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use serde_json::Value;

const WORKSHOP: &str = env!("CARGO_BIN_EXE_workshop");
const WORKFLOW_ID: &str = "pizza-workflow-order-Z1238";

/// Part C's order: the course's two pizzas and a third, 4000 cents in all.
const ORDER: &str = r#"{"OrderNumber":"Z1238","Customer":{"CustomerID":12983,"Name":"María García","Email":"maria1985@example.com","Phone":"415-555-7418"},"Items":[{"Description":"Large, with mushrooms and onions","Price":1500},{"Description":"Small, with pepperoni","Price":1000},{"Description":"Large, with extra cheese","Price":1500}],"IsDelivery":true,"Address":{"Line1":"701 Mission Street","Line2":"Apartment 9C","City":"San Francisco","State":"CA","PostalCode":"94103"}}"#;

/// A `workshop` child process and the lines of its stdout and stderr as they arrive.
struct Proc {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl Proc {
    fn spawn(args: &[&str], address: Option<&str>) -> Proc {
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
        if let Some(address) = address {
            cmd.env("WORKSHOP_ADDRESS", address);
        }
        let mut child = cmd.spawn().expect("spawn workshop");
        let (tx, lines) = mpsc::channel();
        let out = child.stdout.take().unwrap();
        let err = child.stderr.take().unwrap();
        for stream in [
            Box::new(out) as Box<dyn std::io::Read + Send>,
            Box::new(err),
        ] {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            });
        }
        Proc {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Waits for a line containing `needle`, up to `limit`.
    fn wait_for(&mut self, needle: &str, limit: Duration) -> Option<String> {
        if let Some(line) = self.seen.iter().find(|l| l.contains(needle)) {
            return Some(line.clone());
        }
        let deadline = Instant::now() + limit;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            let line = self.lines.recv_timeout(left).ok()?;
            self.seen.push(line.clone());
            if line.contains(needle) {
                return Some(line);
            }
        }
        None
    }

    fn transcript(&mut self) -> String {
        while let Ok(line) = self.lines.try_recv() {
            self.seen.push(line);
        }
        self.seen.join("\n")
    }

    /// SIGKILL, to the whole process group, and wait until it is gone.
    fn kill(&mut self) {
        // SAFETY: the group was created for this child.
        unsafe {
            libc::killpg(self.child.id() as i32, libc::SIGKILL);
        }
        let _ = self.child.wait();
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Runs a `workshop` command against the server at `address` to its end.
fn workshop(address: &str, args: &[&str]) -> Output {
    Command::new(WORKSHOP)
        .args(args)
        .env("WORKSHOP_ADDRESS", address)
        .env("NO_COLOR", "1")
        .output()
        .expect("run workshop")
}

fn json_of(output: &Output, what: &str) -> Value {
    assert!(
        output.status.success(),
        "{what} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{what} did not print JSON: {e}"))
}

/// Starts a worker of the exercise (`--solution` for the reference one) and waits until
/// it polls. The first one may have to build its binary, which can take minutes.
fn start_worker(address: &str, solution: bool) -> Proc {
    let mut args = vec!["worker", "debug-activity"];
    if solution {
        args.push("--solution");
    }
    let mut worker = Proc::spawn(&args, Some(address));
    if worker
        .wait_for("worker started", Duration::from_secs(900))
        .is_none()
    {
        panic!("the worker did not start:\n{}", worker.transcript());
    }
    worker
}

#[test]
fn a_fixed_activity_completes_the_stuck_order_without_a_restart() {
    let mut server = Proc::spawn(&["server", "--port", "0", "--in-memory"], None);
    let line = server
        .wait_for("listening on", Duration::from_secs(60))
        .expect("server starts");
    let port: String = line[line.find("127.0.0.1:").expect("address") + "127.0.0.1:".len()..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let address = format!("127.0.0.1:{port}");

    // Part C: the untouched exercise bills 4000 cents as -500, and retries for ever.
    let mut buggy = start_worker(&address, false);
    let start = Command::new(WORKSHOP)
        .args([
            "workflow",
            "start",
            "--type",
            "PizzaWorkflow",
            "--task-queue",
            "pizza-tasks",
        ])
        .args(["--workflow-id", WORKFLOW_ID, "--input", ORDER])
        .env("WORKSHOP_ADDRESS", &address)
        .output()
        .expect("workflow start");
    assert!(
        start.status.success(),
        "workflow start failed: {}",
        String::from_utf8_lossy(&start.stderr)
    );
    let run_id = String::from_utf8_lossy(&start.stdout).trim().to_string();
    assert!(!run_id.is_empty(), "workflow start prints the run ID");

    // Two failed attempts (the third is pending), so that the attempt that succeeds
    // after the fix is at least the third.
    let deadline = Instant::now() + Duration::from_secs(120);
    let pending = loop {
        let describe = json_of(
            &workshop(
                &address,
                &[
                    "workflow",
                    "describe",
                    "--workflow-id",
                    WORKFLOW_ID,
                    "--output",
                    "json",
                ],
            ),
            "workflow describe",
        );
        assert_eq!(
            describe["workflowExecutionInfo"]["status"], "WORKFLOW_EXECUTION_STATUS_RUNNING",
            "{describe:#}"
        );
        let pending = describe["pendingActivities"][0].clone();
        if pending["activityType"]["name"] == "SendBill"
            && pending["attempt"].as_i64().unwrap_or(0) >= 3
        {
            break pending;
        }
        assert!(
            Instant::now() < deadline,
            "SendBill did not fail twice in time:\n{describe:#}\nworker:\n{}",
            buggy.transcript()
        );
        std::thread::sleep(Duration::from_millis(300));
    };
    assert_eq!(
        pending["lastFailure"]["message"], "invalid charge amount: -500 (< 1)",
        "{pending:#}"
    );

    // Part E: deploy the fix without touching the run.
    buggy.kill();
    let mut fixed = start_worker(&address, true);
    // Within at most one retry interval (10 s) of the worker's start; generous here,
    // and never a wait without an end.
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        let describe = json_of(
            &workshop(
                &address,
                &[
                    "workflow",
                    "describe",
                    "--workflow-id",
                    WORKFLOW_ID,
                    "--run-id",
                    &run_id,
                    "--output",
                    "json",
                ],
            ),
            "workflow describe",
        );
        if describe["workflowExecutionInfo"]["status"] != "WORKFLOW_EXECUTION_STATUS_RUNNING" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the order did not complete in time:\n{describe:#}\nworker:\n{}",
            fixed.transcript()
        );
        std::thread::sleep(Duration::from_millis(300));
    }
    let result = workshop(
        &address,
        &[
            "workflow",
            "result",
            "--workflow-id",
            WORKFLOW_ID,
            "--run-id",
            &run_id,
        ],
    );
    assert!(
        result.status.success(),
        "the order did not complete: {}\nworker:\n{}",
        String::from_utf8_lossy(&result.stderr),
        fixed.transcript()
    );
    let confirmation: Value = serde_json::from_slice(&result.stdout).expect("the result is JSON");
    assert_eq!(confirmation["Amount"], 3500, "{confirmation:#}");
    assert_eq!(confirmation["Status"], "SUCCESS", "{confirmation:#}");

    // The same run: one SendBill, started (for the last time) on attempt 3 or later.
    let history = json_of(
        &workshop(
            &address,
            &[
                "workflow",
                "show",
                "--workflow-id",
                WORKFLOW_ID,
                "--run-id",
                &run_id,
                "--output",
                "json",
            ],
        ),
        "workflow show",
    );
    let events = history["events"].as_array().expect("events");
    let scheduled: Vec<&Value> = events
        .iter()
        .filter(|e| e["activityTaskScheduledEventAttributes"]["activityType"]["name"] == "SendBill")
        .collect();
    assert_eq!(
        scheduled.len(),
        1,
        "SendBill is scheduled once, however often it is retried"
    );
    let scheduled_id = scheduled[0]["eventId"].clone();
    let started = events
        .iter()
        .find(|e| e["activityTaskStartedEventAttributes"]["scheduledEventId"] == scheduled_id)
        .expect("an ActivityTaskStarted event for SendBill");
    let attempt = started["activityTaskStartedEventAttributes"]["attempt"]
        .as_i64()
        .unwrap_or(0);
    assert!(
        attempt >= 3,
        "SendBill succeeded on attempt {attempt}, after the failed ones:\n{started:#}"
    );
    let last = events.last().expect("events");
    assert_eq!(
        last["eventType"], "EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED",
        "{last:#}"
    );
}
