//! Part D of the `durable-execution` exercise, end to end, with the workshop's own tools:
//! `workshop microservice`, `workshop server`, two `workshop worker durable-execution
//! --solution`, `workshop workflow start`; the worker that started the timer is SIGKILLed
//! 3 s into it, and the other one finishes the run. The microservice translated "Hello"
//! once: the completed activity was not run again.
//!
//! Every child runs in its own process group, killed when its guard drops; servers use
//! port 0 and the test reads the port they print.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

const WORKSHOP: &str = env!("CARGO_BIN_EXE_workshop");

/// A child process and the lines of its stdout and stderr as they arrive.
struct Proc {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl Proc {
    fn spawn(args: &[&str], envs: &[(&str, &str)]) -> Proc {
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
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn workshop");
        let (tx, lines) = mpsc::channel();
        let out = child.stdout.take().unwrap();
        let err = child.stderr.take().unwrap();
        for stream in [Box::new(out) as Box<dyn std::io::Read + Send>, Box::new(err)] {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            });
        }
        Proc { child, lines, seen: Vec::new() }
    }

    fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    /// Collects what arrived so far.
    fn drain(&mut self) {
        while let Ok(line) = self.lines.try_recv() {
            self.seen.push(line);
        }
    }

    /// Waits for a line containing `needle`, up to `limit`.
    fn wait_for(&mut self, needle: &str, limit: Duration) -> Option<String> {
        let deadline = Instant::now() + limit;
        if let Some(line) = self.seen.iter().find(|l| l.contains(needle)) {
            return Some(line.clone());
        }
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(needle) {
                        return Some(line);
                    }
                }
                Err(_) => return None,
            }
        }
        None
    }

    fn count(&mut self, needle: &str) -> usize {
        self.drain();
        self.seen.iter().filter(|l| l.contains(needle)).count()
    }

    fn transcript(&mut self) -> String {
        self.drain();
        self.seen.join("\n")
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        // SAFETY: the group was created for this child.
        unsafe {
            libc::killpg(self.pid(), libc::SIGKILL);
        }
        let _ = self.child.wait();
    }
}

fn port_after(line: &str, marker: &str) -> u16 {
    let rest = &line[line.find(marker).expect("marker") + marker.len()..];
    rest.chars().take_while(char::is_ascii_digit).collect::<String>().parse().expect("port")
}

#[test]
fn a_killed_worker_hands_the_run_to_the_other_one() {
    let mut microservice = Proc::spawn(&["microservice", "--port", "0"], &[]);
    let line = microservice.wait_for("Starting server on port", Duration::from_secs(30)).expect("microservice starts");
    let translation_url = format!("http://127.0.0.1:{}", port_after(&line, "on port "));

    let mut server = Proc::spawn(&["server", "--port", "0", "--in-memory"], &[]);
    let line = server.wait_for("listening on", Duration::from_secs(30)).expect("server starts");
    let address = format!("127.0.0.1:{}", port_after(&line, "127.0.0.1:"));
    let env = [("WORKSHOP_ADDRESS", address.as_str()), ("TRANSLATION_SERVICE_URL", translation_url.as_str())];

    // The first worker builds the binary (this can take minutes on a cold target
    // directory); the second finds it built.
    let mut workers = vec![Proc::spawn(&["worker", "durable-execution", "--solution"], &env)];
    workers[0].wait_for("Starting worker", Duration::from_secs(900)).expect("first worker starts");
    workers.push(Proc::spawn(&["worker", "durable-execution", "--solution"], &env));
    workers[1].wait_for("Starting worker", Duration::from_secs(300)).expect("second worker starts");

    let start = Command::new(WORKSHOP)
        .args(["workflow", "start", "--type", "TranslationWorkflow", "--task-queue", "durable-exec-tasks"])
        .args(["--workflow-id", "durable-execution-workflow", "--input", r#"{"Name":"Tatiana","LanguageCode":"sk"}"#])
        .env("WORKSHOP_ADDRESS", &address)
        .output()
        .expect("workflow start");
    assert!(start.status.success(), "workflow start failed: {}", String::from_utf8_lossy(&start.stderr));

    // Whichever worker started the timer is the one to kill.
    let deadline = Instant::now() + Duration::from_secs(60);
    let holder = loop {
        assert!(Instant::now() < deadline, "no worker logged the timer start");
        if let Some(i) = (0..2).find(|&i| workers[i].wait_for("Sleeping between translation calls", Duration::from_millis(100)).is_some()) {
            break i;
        }
    };
    let survivor = 1 - holder;
    std::thread::sleep(Duration::from_secs(3)); // the course's "3 s into the timer"
    // SAFETY: the worker's own process (workshop exec'd it), in its own group.
    unsafe {
        libc::kill(workers[holder].pid(), libc::SIGKILL);
    }
    let status = workers[holder].child.wait().expect("wait for the killed worker");
    assert!(!status.success(), "the killed worker should not exit cleanly");

    let result = Command::new(WORKSHOP)
        .args(["workflow", "result", "--workflow-id", "durable-execution-workflow"])
        .env("WORKSHOP_ADDRESS", &address)
        .env("NO_COLOR", "1")
        .output()
        .expect("workflow result");
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert!(
        result.status.success(),
        "workflow result failed: {}\nsurvivor:\n{}",
        String::from_utf8_lossy(&result.stderr),
        workers[survivor].transcript()
    );
    assert!(stdout.contains("Ahoj, Tatiana") && stdout.contains("Zbohom, Tatiana"), "result: {stdout}");

    // The survivor finished the run: it translated Goodbye, and it did not log the
    // workflow's first line again (it replayed it silently).
    assert!(
        workers[survivor].wait_for("Translation successful", Duration::from_secs(10)).is_some(),
        "survivor:\n{}",
        workers[survivor].transcript()
    );
    assert_eq!(workers[survivor].count("TranslationWorkflow invoked"), 0, "{}", workers[survivor].transcript());

    microservice.wait_for("Translated 'Goodbye' to 'sk' as 'Zbohom'", Duration::from_secs(10));
    assert_eq!(microservice.count("Translated 'Hello' to 'sk' as 'Ahoj'"), 1, "{}", microservice.transcript());
    assert_eq!(microservice.count("Translated 'Goodbye' to 'sk' as 'Zbohom'"), 1, "{}", microservice.transcript());
}
