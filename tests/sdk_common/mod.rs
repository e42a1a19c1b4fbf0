//! Shared by the SDK's end-to-end tests: a real `workshop server` and fixture worker
//! processes (each in its own process group, killed by PID, output captured), the
//! fixture binaries built on first use, and waits on events with generous limits.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use workshop_protocol::event::{EventAttributes, HistoryEvent};
use workshop_protocol::history::History;
use workshop_sdk::{Client, ClientOptions};

/// Multi-process tests on two cores must not overlap.
pub fn serial() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// The fixture worker binaries, built once per test process with the same cargo and
/// target directory as this test.
pub fn fixture_bin(name: &str) -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let exe = std::env::current_exe().unwrap();
        let profile_dir = exe.parent().unwrap().parent().unwrap().to_path_buf();
        let target_dir = profile_dir.parent().unwrap().to_path_buf();
        let mut cmd = Command::new(env!("CARGO"));
        cmd.args(["build", "--quiet", "-p", "workshop-sdk-fixtures", "--bins"])
            .env("CARGO_TARGET_DIR", &target_dir)
            .current_dir(env!("CARGO_MANIFEST_DIR"));
        if profile_dir.file_name().is_some_and(|n| n == "release") {
            cmd.arg("--release");
        }
        let status = cmd.status().expect("run cargo build for the fixture workers");
        assert!(status.success(), "building the fixture workers failed");
        profile_dir
    });
    dir.join(name)
}

/// A child process in its own process group, output captured; killed on drop.
pub struct Proc {
    pub name: String,
    child: std::process::Child,
    output: Arc<Mutex<String>>,
}

impl Proc {
    pub fn spawn(name: &str, mut cmd: Command) -> Proc {
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).stdin(Stdio::null());
        cmd.process_group(0);
        let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn {name}: {e}"));
        let output = Arc::new(Mutex::new(String::new()));
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn Read + Send>,
            Box::new(child.stderr.take().unwrap()) as Box<dyn Read + Send>,
        ] {
            let output = output.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let mut o = output.lock().unwrap();
                    o.push_str(&line);
                    o.push('\n');
                }
            });
        }
        Proc {
            name: name.to_string(),
            child,
            output,
        }
    }

    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    pub fn output(&self) -> String {
        self.output.lock().unwrap().clone()
    }

    /// SIGKILL to the whole process group, then reap.
    pub fn kill(&mut self) {
        unsafe {
            libc::kill(-self.pid(), libc::SIGKILL);
        }
        let _ = self.child.wait();
    }

    /// SIGINT (Ctrl-C) to the process; waits for it to exit.
    pub fn interrupt(&mut self, timeout: Duration) -> bool {
        unsafe {
            libc::kill(self.pid(), libc::SIGINT);
        }
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if self.is_running() {
            self.kill();
        }
    }
}

/// `workshop server` on a port of its own (0 = any; the bound address is parsed).
pub struct Server {
    pub proc: Proc,
    pub address: String,
}

impl Server {
    pub fn start(port: u16, db: Option<&Path>) -> Server {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_workshop"));
        cmd.args(["server", "--port", &port.to_string()]);
        match db {
            Some(db) => cmd.arg("--db").arg(db),
            None => cmd.arg("--in-memory"),
        };
        let proc = Proc::spawn("server", cmd);
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let out = proc.output();
            if let Some(rest) = out.split("listening on http://").nth(1) {
                let address: String = rest.chars().take_while(|c| !c.is_whitespace()).collect();
                return Server { proc, address };
            }
            assert!(Instant::now() < deadline, "the server did not say where it listens:\n{out}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn port(&self) -> u16 {
        self.address.rsplit(':').next().unwrap().parse().unwrap()
    }

    pub fn client(&self) -> Client {
        Client::new(ClientOptions {
            address: self.address.clone(),
            ..Default::default()
        })
        .unwrap()
    }
}

/// A fixture worker process with identity `name@test`.
pub fn start_worker(bin: &str, name: &str, address: &str, env: &[(&str, &str)]) -> Proc {
    let mut cmd = Command::new(fixture_bin(bin));
    cmd.args(["--address", address, "--identity", &format!("{name}@test")])
        .env("RUST_LOG", "info");
    for (k, v) in env {
        cmd.env(k, v);
    }
    Proc::spawn(name, cmd)
}

pub async fn history(client: &Client, workflow_id: &str) -> History {
    client.workflow_handle(workflow_id).history().await.unwrap()
}

pub fn types(history: &History) -> Vec<String> {
    history.events.iter().map(|e| short(&e.event_type().to_string())).collect()
}

pub fn short(event_type: &str) -> String {
    event_type.trim_start_matches("EVENT_TYPE_").to_string()
}

pub fn has(history: &History, event_type: &str) -> bool {
    types(history).iter().any(|t| t == event_type)
}

pub fn count(history: &History, event_type: &str) -> usize {
    types(history).iter().filter(|t| *t == event_type).count()
}

/// Polls the history until `done` holds (generous limit; fails with the history).
pub async fn wait_history(client: &Client, workflow_id: &str, limit: Duration, done: impl Fn(&History) -> bool) -> History {
    let deadline = Instant::now() + limit;
    loop {
        let h = history(client, workflow_id).await;
        if done(&h) {
            return h;
        }
        assert!(Instant::now() < deadline, "waited {limit:?} for {workflow_id}; history: {:?}", types(&h));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The identity of the worker that completed the latest workflow task.
pub fn holder(history: &History) -> String {
    history
        .events
        .iter()
        .rev()
        .find_map(|e| match &e.attributes {
            EventAttributes::WorkflowTaskCompleted(a) => Some(a.identity.clone()),
            _ => None,
        })
        .expect("a completed workflow task")
}

pub fn event<'a>(history: &'a History, event_type: &str) -> Vec<&'a HistoryEvent> {
    history
        .events
        .iter()
        .filter(|e| short(&e.event_type().to_string()) == event_type)
        .collect()
}

/// The event types of a reference history in `shared/reference/temporal`.
pub fn reference_types(name: &str) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/temporal").join(name);
    let h = History::from_json_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    types(&h)
}

pub fn assert_valid(history: &History) {
    if let Err(errors) = workshop_protocol::history::validate_history(&history.events) {
        panic!("invalid history: {errors:?}\n{:?}", types(history));
    }
}
