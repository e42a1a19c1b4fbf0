//! Building and testing exercise crates with cargo.
//!
//! Every exercise and solution is a member of the one workspace, so all of them share
//! `target/` and checking an edited exercise rebuilds only that crate. Cargo runs in a
//! process group of its own so that a check that overruns its timeout is stopped with
//! everything it started (the test binary and any worker it spawned). Being in another
//! group, it does not see the terminal's Ctrl-C, so we pass that on ourselves.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Once;
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// The cargo that built us when run through `cargo run`, else the one on `PATH`.
pub fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// What a finished (or stopped) cargo run left behind.
#[derive(Debug)]
pub struct Captured {
    pub success: bool,
    pub timed_out: bool,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

/// The process group of the command `run_captured` is waiting for (0: none).
static CHILD_GROUP: AtomicI32 = AtomicI32::new(0);

extern "C" fn on_interrupt(_signal: libc::c_int) {
    let group = CHILD_GROUP.load(Ordering::SeqCst);
    // SAFETY: killpg and _exit are async-signal-safe.
    unsafe {
        if group > 0 {
            libc::killpg(group, libc::SIGKILL);
        }
        libc::_exit(130);
    }
}

/// Ctrl-C, SIGTERM or a closed terminal (SIGHUP) while a check runs stops the check's
/// whole group, then us.
fn forward_interrupts() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let handler = on_interrupt as extern "C" fn(libc::c_int) as libc::sighandler_t;
        // SAFETY: installing a handler that only calls async-signal-safe functions.
        unsafe {
            libc::signal(libc::SIGINT, handler);
            libc::signal(libc::SIGTERM, handler);
            libc::signal(libc::SIGHUP, handler);
        }
    });
}

/// Runs `cmd` with output captured, killing its process group after `timeout`.
pub fn run_captured(mut cmd: Command, timeout: Duration) -> anyhow::Result<Captured> {
    use std::os::unix::process::CommandExt;
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).process_group(0);
    forward_interrupts();
    let started = Instant::now();
    let mut child = cmd.spawn().with_context(|| format!("cannot start {:?}", cmd.get_program()))?;
    let pid = child.id() as libc::pid_t;
    CHILD_GROUP.store(pid, Ordering::SeqCst);
    let mut out = child.stdout.take().expect("piped stdout");
    let mut err = child.stderr.take().expect("piped stderr");
    let out_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = out.read_to_end(&mut buf);
        buf
    });
    let err_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = err.read_to_end(&mut buf);
        buf
    });
    let mut timed_out = false;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if started.elapsed() >= timeout {
            timed_out = true;
            // SAFETY: signalling the process group we created for this child.
            unsafe {
                libc::killpg(pid, libc::SIGKILL);
            }
            break child.wait()?;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    if !timed_out {
        // The test binary may have left children in the group (a worker it spawned);
        // they hold the pipes open, so they go too.
        // SAFETY: as above; the group is ours and its leader has exited.
        unsafe {
            libc::killpg(pid, libc::SIGKILL);
        }
    }
    CHILD_GROUP.store(0, Ordering::SeqCst);
    let stdout = String::from_utf8_lossy(&out_reader.join().unwrap_or_default()).into_owned();
    let stderr = String::from_utf8_lossy(&err_reader.join().unwrap_or_default()).into_owned();
    Ok(Captured { success: status.success() && !timed_out, timed_out, stdout, stderr, elapsed: started.elapsed() })
}

/// `cargo test -p <package>` at the workspace root, with colors when we have a terminal.
pub fn test_command(root: &Path, package: &str, color: bool) -> Command {
    let mut cmd = cargo();
    let color = if color { "always" } else { "never" };
    cmd.current_dir(root)
        .args(["test", "-p", package, "--color", color, "--", "--color", color])
        // The check's own tests decide their log levels, and a failing assertion's
        // message is what the learner needs, not a backtrace.
        .env_remove("RUST_LOG")
        .env("RUST_BACKTRACE", "0");
    cmd
}

/// Builds `bin` of `package` (inherits the terminal so the learner sees progress and
/// errors) and returns the path of the executable cargo produced.
pub fn build_bin(root: &Path, package: &str, bin: &str, release: bool) -> anyhow::Result<PathBuf> {
    let mut cmd = cargo();
    cmd.current_dir(root)
        .args(["build", "-p", package, "--bin", bin, "--message-format", "json-render-diagnostics"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    if release {
        cmd.arg("--release");
    }
    let output = cmd.output().context("cannot run cargo")?;
    if !output.status.success() {
        bail!("building `{bin}` failed (the compiler's messages are above)");
    }
    executable_from_messages(&String::from_utf8_lossy(&output.stdout), bin)
        .with_context(|| format!("cargo did not report an executable for `{bin}`"))
}

/// Finds the `executable` of `bin` in cargo's JSON messages.
fn executable_from_messages(messages: &str, bin: &str) -> Option<PathBuf> {
    messages
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|msg| msg["reason"] == "compiler-artifact" && msg["target"]["name"] == bin)
        .find_map(|msg| msg["executable"].as_str().map(PathBuf::from))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_executable_in_cargo_messages() {
        let messages = concat!(
            "{\"reason\":\"compiler-artifact\",\"target\":{\"name\":\"serde\"},\"executable\":null}\n",
            "not json\n",
            "{\"reason\":\"compiler-artifact\",\"target\":{\"name\":\"x-worker\"},\"executable\":\"/t/debug/x-worker\"}\n",
            "{\"reason\":\"build-finished\",\"success\":true}\n",
        );
        assert_eq!(executable_from_messages(messages, "x-worker"), Some(PathBuf::from("/t/debug/x-worker")));
        assert_eq!(executable_from_messages(messages, "y-worker"), None);
    }

    #[test]
    fn captures_output_and_stops_at_the_timeout() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo out; echo err >&2; exit 3"]);
        let done = run_captured(cmd, Duration::from_secs(60)).unwrap();
        assert!(!done.success && !done.timed_out);
        assert_eq!((done.stdout.as_str(), done.stderr.as_str()), ("out\n", "err\n"));

        // A child that outlives the shell keeps the pipe open; the group kill ends it.
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "sleep 600 & sleep 600"]);
        let stopped = run_captured(cmd, Duration::from_millis(300)).unwrap();
        assert!(stopped.timed_out && !stopped.success);
        assert!(stopped.elapsed < Duration::from_secs(60));
    }
}
