//! `workshop run <exercise> [--solution]`: runs an exercise end to end and shows it step
//! by step. It starts the engine in-process on a scratch database, the translation
//! microservice when the exercise calls it, two worker processes of the exercise, starts
//! the exercise's workflow, and draws the history as it grows (interactive screen), or
//! prints it as colored lines (`--plain`, automatic when stdout is not a terminal).
//!
//! `--kill-worker-after <EventType> [--kill-delay D]` kills the worker holding the run
//! when that event appears, which scripts the course's worker-crash scenarios.
//! Quitting (`q`, Ctrl-C, SIGINT, SIGTERM) stops every process it started.

use std::io::{BufRead, BufReader, IsTerminal, Read};
use std::path::PathBuf;
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use workshop_engine::{Db, Engine, EngineConfig, RunningEngine, Settings, SystemClock};
use workshop_protocol::enums::EventType;
use workshop_protocol::event::{EventAttributes, HistoryEvent};
use workshop_protocol::payload::Payloads;
use workshop_sdk::client::{Client, ClientOptions, WorkflowHandle, WorkflowOptions};

use crate::cargo;
use crate::catalog::{self, Variant};
use crate::viz::app::{Action, App};
use crate::viz::nde::NdeReport;
use crate::viz::plain::{self, PlainStory};
use crate::viz::source::Sources;
use crate::viz::terminal::{self, Flow};
use crate::viz::timeline::Timeline;
use crate::viz::workers::{Lifecycle, Worker};

#[derive(clap::Args)]
pub struct Args {
    /// The exercise to run (`workshop list` shows them).
    pub exercise: String,
    /// Run the reference solution instead of your code.
    #[arg(long)]
    pub solution: bool,
    /// Print one colored line per event and worker action instead of the interactive
    /// screen; exits when the workflow closes.
    #[arg(long)]
    pub plain: bool,
    /// Kill (SIGKILL) the worker holding the run when this event appears
    /// (`TimerStarted`, ...). `WorkflowTaskStarted` means the workflow task a timer
    /// causes: the worker takes it and dies before completing it (start-to-close timeout).
    #[arg(long, value_name = "EVENT_TYPE", value_parser = parse_event_type)]
    pub kill_worker_after: Option<EventType>,
    /// Wait this long after the event before killing (`3s`, `500ms`).
    #[arg(long, value_name = "DURATION", value_parser = parse_delay, default_value = "0s", requires = "kill_worker_after")]
    pub kill_delay: Duration,
    /// Write the PIDs of the processes it starts to this file (one per line).
    #[arg(long, value_name = "FILE")]
    pub pid_file: Option<PathBuf>,
    /// How many workers to start.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u8).range(1..=9))]
    pub workers: u8,
}

/// What `workshop run` starts for an exercise.
struct RunSpec {
    workflow_type: &'static str,
    task_queue: &'static str,
    workflow_id: &'static str,
    input: serde_json::Value,
    needs_translation_service: bool,
}

fn spec(exercise: &str) -> anyhow::Result<RunSpec> {
    match exercise {
        "durable-execution" => Ok(RunSpec {
            workflow_type: "TranslationWorkflow",
            task_queue: "durable-exec-tasks",
            workflow_id: "durable-execution-workflow",
            input: serde_json::json!({"Name": "Pierre", "LanguageCode": "fr"}),
            needs_translation_service: true,
        }),
        // Untouched, its workflow reads the system clock: kill the worker during the
        // wait (`k1`, or `--kill-worker-after TimerStarted --kill-delay 3s`) and the
        // other worker's replay takes another branch: the non-determinism view.
        "nondeterminism" => Ok(RunSpec {
            workflow_type: "DailyReportWorkflow",
            task_queue: "daily-report-tasks",
            workflow_id: "daily-report-workflow",
            input: serde_json::json!({"Date": "2026-11-25"}),
            needs_translation_service: false,
        }),
        other => anyhow::bail!(
            "`workshop run` knows how to start the workflow of: durable-execution, nondeterminism (not `{other}` yet). \
             Run its worker with `workshop worker {other}` and start it with `workshop workflow start`."
        ),
    }
}

fn parse_event_type(text: &str) -> Result<EventType, String> {
    text.parse()
}

fn parse_delay(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit() && c != '.').unwrap_or(text.len()));
    let value: f64 = number.parse().map_err(|_| format!("`{text}` is not a duration (examples: 3s, 500ms, 1m)"))?;
    let secs = match unit {
        "ms" => value / 1000.0,
        "" | "s" => value,
        "m" => value * 60.0,
        _ => return Err(format!("`{text}`: unknown unit `{unit}` (use ms, s or m)")),
    };
    Ok(Duration::from_secs_f64(secs))
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let spec = spec(&args.exercise)?;
    let catalog = catalog::load()?;
    let exercise = catalog.get(&args.exercise)?;
    let variant = if args.solution { Variant::Solution } else { Variant::Practice };
    let crate_dir = if args.solution { exercise.solution_dir.clone() } else { exercise.dir.clone() };
    eprintln!("Building the {} worker...", exercise.package(variant));
    let executable = cargo::build_bin(&catalog.root, &exercise.package(variant), &exercise.worker_bin(variant), false)?;

    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let scratch = Scratch::create()?;
    let engine = runtime
        .block_on(Engine::start(EngineConfig {
            db: Db::File(scratch.path.join("engine.db")),
            clock: Arc::new(SystemClock),
            settings: Settings::default().with_env_overrides(),
            bind: "127.0.0.1:0".parse()?,
        }))
        .context("cannot start the engine")?;
    let interrupted = Arc::new(AtomicBool::new(false));
    watch_signals(&runtime, interrupted.clone());

    let mut supervisor = Supervisor {
        executable,
        address: engine.addr().to_string(),
        translation_url: None,
        service: None,
        workers: Vec::new(),
        logs: channel(),
        pid_file: args.pid_file.clone(),
    };
    let outcome = (|| -> anyhow::Result<ExitCode> {
        if spec.needs_translation_service {
            supervisor.start_translation_service()?;
        }
        for _ in 0..args.workers {
            supervisor.start_worker()?;
        }
        let client = Client::new(ClientOptions {
            address: engine.addr().to_string(),
            namespace: String::new(),
            identity: format!("workshop-run:{}", workshop_sdk::client::default_identity()),
        })?;
        let input = Payloads::json(&spec.input)?;
        let handle = runtime
            .block_on(client.start_workflow_with_payloads(
                spec.workflow_type,
                Some(input),
                WorkflowOptions::new(spec.workflow_id, spec.task_queue),
            ))
            .context("cannot start the workflow")?;
        let mut live = Live {
            runtime: &runtime,
            handle,
            supervisor: &mut supervisor,
            kill_after: args.kill_worker_after,
            kill_delay: args.kill_delay,
            kill_at: None,
            killed_for_event: false,
            frozen: None,
            last_fetch: None,
            last_describe: None,
        };
        if args.plain || !std::io::stdout().is_terminal() {
            live.plain(&interrupted)
        } else {
            let title = format!("workshop run {}{}", args.exercise, if args.solution { " --solution" } else { "" });
            let mut app = App::new(title, Vec::new(), chrono::Utc::now());
            app.live = true;
            app.sources = Sources::from_crate_dir(&crate_dir);
            live.tui(&mut app, &interrupted)?;
            Ok(ExitCode::SUCCESS)
        }
    })();
    supervisor.stop_all();
    runtime.block_on(engine_shutdown(engine));
    drop(scratch);
    runtime.shutdown_timeout(Duration::from_secs(1));
    outcome
}

async fn engine_shutdown(engine: RunningEngine) {
    let _ = tokio::time::timeout(Duration::from_secs(2), engine.shutdown()).await;
}

/// SIGINT and SIGTERM set `flag` (the loops notice it and stop everything).
fn watch_signals(runtime: &tokio::runtime::Runtime, flag: Arc<AtomicBool>) {
    runtime.spawn(async move {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut int), Ok(mut term)) = (signal(SignalKind::interrupt()), signal(SignalKind::terminate())) else {
            return;
        };
        tokio::select! {
            _ = int.recv() => {}
            _ = term.recv() => {}
        }
        flag.store(true, Ordering::SeqCst);
    });
}

/// A scratch directory for the engine's database, removed on drop.
struct Scratch {
    path: PathBuf,
}

impl Scratch {
    fn create() -> anyhow::Result<Scratch> {
        let path = std::env::temp_dir().join(format!("workshop-run-{}-{}", std::process::id(), chrono::Utc::now().timestamp_millis()));
        std::fs::create_dir_all(&path).with_context(|| format!("cannot create {}", path.display()))?;
        Ok(Scratch { path })
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Log lines tagged with where they come from: worker N, or the microservice (0).
const SERVICE: usize = 0;

type Tagged = (usize, String);

/// The processes `workshop run` started (workers and the translation microservice),
/// their output, and the PID file.
struct Supervisor {
    executable: PathBuf,
    address: String,
    translation_url: Option<String>,
    service: Option<Child>,
    workers: Vec<(Worker, Option<Child>)>,
    /// Lines from every child's stdout and stderr, tagged with its number.
    logs: (Sender<Tagged>, Receiver<Tagged>),
    pid_file: Option<PathBuf>,
}

impl Supervisor {
    /// Starts a child whose output lines arrive on `logs` tagged `tag`.
    fn spawn(&self, mut cmd: Command, tag: usize) -> anyhow::Result<Child> {
        cmd.env("NO_COLOR", "1").stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        set_parent_death_signal(&mut cmd);
        let mut child = cmd.spawn().with_context(|| format!("cannot start {:?}", cmd.get_program()))?;
        for stream in [child.stdout.take().map(|s| Box::new(s) as Box<dyn Read + Send>), child.stderr.take().map(|s| Box::new(s) as Box<dyn Read + Send>)]
            .into_iter()
            .flatten()
        {
            let tx = self.logs.0.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    if tx.send((tag, strip_ansi(&line))).is_err() {
                        break;
                    }
                }
            });
        }
        Ok(child)
    }

    /// `workshop microservice --port 0` as a child (the library prints every
    /// translation to stdout, which would tear the screen if it ran in this process).
    fn start_translation_service(&mut self) -> anyhow::Result<()> {
        let mut cmd = Command::new(std::env::current_exe()?);
        cmd.args(["microservice", "--port", "0"]);
        let child = self.spawn(cmd, SERVICE)?;
        self.service = Some(child);
        self.write_pid_file();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok((SERVICE, line)) = self.logs.1.recv_timeout(Duration::from_millis(100))
                && let Some(port) = line.strip_prefix("Starting server on port ").and_then(|p| p.trim().parse::<u16>().ok())
            {
                self.translation_url = Some(format!("http://127.0.0.1:{port}"));
                return Ok(());
            }
        }
        anyhow::bail!("the translation microservice did not say which port it listens on within 10 s")
    }

    fn start_worker(&mut self) -> anyhow::Result<usize> {
        let number = self.workers.len() + 1;
        let mut cmd = Command::new(&self.executable);
        cmd.env("WORKSHOP_ADDRESS", &self.address);
        if let Some(url) = &self.translation_url {
            cmd.env("TRANSLATION_SERVICE_URL", url);
        }
        let child = self.spawn(cmd, number)?;
        let mut worker = Worker::new(number, Some(child.id()));
        worker.lifecycle = Lifecycle::Alive;
        worker.log(format!("started (pid {})", child.id()));
        self.workers.push((worker, Some(child)));
        self.write_pid_file();
        Ok(number)
    }

    fn write_pid_file(&self) {
        if let Some(path) = &self.pid_file {
            let service = self.service.as_ref().map(|c| c.id());
            let pids: String =
                self.workers.iter().filter_map(|(w, _)| w.pid).chain(service).map(|p| format!("{p}\n")).collect();
            let _ = std::fs::write(path, pids);
        }
    }

    /// SIGKILL, as a crash would; returns a line saying what happened.
    fn kill(&mut self, number: usize) -> String {
        let Some((worker, child)) = self.workers.get_mut(number.wrapping_sub(1)) else {
            return format!("there is no worker {number}");
        };
        let Some(mut process) = child.take() else {
            return format!("worker {number} is not running");
        };
        let _ = process.kill();
        let _ = process.wait();
        worker.lifecycle = Lifecycle::Killed;
        worker.log("killed (SIGKILL)");
        format!("killed worker {number} (pid {})", process.id())
    }

    /// Notes workers that exited on their own.
    fn reap(&mut self) {
        for (worker, child) in &mut self.workers {
            if let Some(process) = child
                && let Ok(Some(status)) = process.try_wait()
            {
                worker.lifecycle = Lifecycle::Exited(status.code().unwrap_or(-1));
                *child = None;
            }
        }
    }

    /// Moves new log lines into the workers; returns them for `--plain` (the
    /// microservice's tagged [`SERVICE`]).
    fn drain_logs(&mut self) -> Vec<(usize, String)> {
        let lines: Vec<(usize, String)> = self.logs.1.try_iter().collect();
        for (number, line) in &lines {
            if let Some((worker, _)) = number.checked_sub(1).and_then(|i| self.workers.get_mut(i)) {
                worker.log(line.clone());
            }
        }
        lines
    }

    /// The worker whose identity (`pid@host`) is `identity`.
    fn number_of(&self, identity: &str) -> Option<usize> {
        self.workers.iter().find(|(w, _)| w.owns_identity(identity)).map(|(w, _)| w.number)
    }

    /// Stops every child still running: SIGTERM, then SIGKILL after 2 s.
    fn stop_all(&mut self) {
        let mut children: Vec<Child> = self.workers.iter_mut().filter_map(|(_, c)| c.take()).collect();
        children.extend(self.service.take());
        for process in &children {
            // SAFETY: plain kill(2) on a child we started and have not reaped.
            unsafe {
                libc::kill(process.id() as i32, libc::SIGTERM);
            }
        }
        let deadline = Instant::now() + Duration::from_secs(2);
        for mut process in children {
            loop {
                match process.try_wait() {
                    Ok(Some(_)) => break,
                    _ if Instant::now() >= deadline => {
                        let _ = process.kill();
                        let _ = process.wait();
                        break;
                    }
                    _ => std::thread::sleep(Duration::from_millis(20)),
                }
            }
        }
        for (worker, _) in &mut self.workers {
            if worker.lifecycle == Lifecycle::Alive || worker.lifecycle == Lifecycle::Starting {
                worker.lifecycle = Lifecycle::Exited(0);
            }
        }
    }
}

/// Children die with `workshop run` even when it is killed with SIGKILL (Linux).
fn set_parent_death_signal(cmd: &mut Command) {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: prctl is async-signal-safe; nothing else runs between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = cmd;
}

fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.peek() == Some(&'[') {
                chars.next();
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}

/// The run being watched: history polling, scripted kills, and the two ways to show it.
struct Live<'a> {
    runtime: &'a tokio::runtime::Runtime,
    handle: WorkflowHandle,
    supervisor: &'a mut Supervisor,
    kill_after: Option<EventType>,
    kill_delay: Duration,
    kill_at: Option<Instant>,
    killed_for_event: bool,
    /// `--kill-worker-after WorkflowTaskStarted`: the worker stopped (SIGSTOP) just
    /// before the timer fired, and how many events the history had then.
    frozen: Option<(usize, usize)>,
    last_fetch: Option<Instant>,
    last_describe: Option<Instant>,
}

const POLL_EVERY: Duration = Duration::from_millis(150);

impl Live<'_> {
    /// The history now (empty while the service cannot answer).
    fn fetch(&mut self) -> Option<Vec<HistoryEvent>> {
        self.last_fetch = Some(Instant::now());
        let fetched = self.runtime.block_on(async {
            tokio::time::timeout(Duration::from_secs(2), self.handle.history()).await
        });
        match fetched {
            Ok(Ok(history)) => Some(history.events),
            _ => None,
        }
    }

    /// Arms and fires `--kill-worker-after`; returns a note when it kills.
    fn scripted_kill(&mut self, events: &[HistoryEvent]) -> Option<String> {
        let wanted = self.kill_after?;
        if self.killed_for_event {
            return None;
        }
        if wanted == EventType::WorkflowTaskStarted {
            return self.crash_inside_the_task(events);
        }
        if self.kill_at.is_none() && events.iter().any(|e| e.event_type() == wanted) {
            self.kill_at = Some(Instant::now() + self.kill_delay);
        }
        if self.kill_at.is_some_and(|t| Instant::now() >= t) {
            self.killed_for_event = true;
            let holder = run_holder(events)?;
            let number = self.supervisor.number_of(&holder)?;
            let killed = self.supervisor.kill(number);
            return Some(format!("{killed}: {holder} held the run ({} appeared)", wanted.short_name()));
        }
        None
    }

    /// The slides' "worker crashes here": the worker holding the run must crash after it
    /// took the workflow task the timer causes, before completing it. Just before the
    /// timer fires, the worker is stopped (SIGSTOP): its poll already waiting on its
    /// sticky queue takes the task (WorkflowTaskStarted) but the process cannot run it;
    /// it is then killed (after `--kill-delay`), and the task's start-to-close timeout
    /// hands the run to another worker.
    fn crash_inside_the_task(&mut self, events: &[HistoryEvent]) -> Option<String> {
        match self.frozen {
            None => {
                let fire_at = pending_timer_fire_time(events)?;
                if chrono::Utc::now() + chrono::TimeDelta::milliseconds(400) < fire_at {
                    return None;
                }
                let holder = run_holder(events)?;
                let number = self.supervisor.number_of(&holder)?;
                let pid = self.supervisor.workers[number - 1].0.pid?;
                // SAFETY: kill(2) on a child we started.
                unsafe {
                    libc::kill(pid as i32, libc::SIGSTOP);
                }
                self.frozen = Some((number, events.len()));
                Some(format!("froze worker {number} (SIGSTOP) as the timer fires: it will take the next workflow task and never finish it"))
            }
            Some((number, seen)) => {
                let identity_started = events.iter().skip(seen).any(|e| match &e.attributes {
                    EventAttributes::WorkflowTaskStarted(a) => self.supervisor.number_of(&a.identity) == Some(number),
                    _ => false,
                });
                if identity_started && self.kill_at.is_none() {
                    self.kill_at = Some(Instant::now() + self.kill_delay);
                }
                if self.kill_at.is_some_and(|t| Instant::now() >= t) {
                    self.killed_for_event = true;
                    let killed = self.supervisor.kill(number);
                    return Some(format!("{killed} while it held a started workflow task"));
                }
                None
            }
        }
    }

    fn plain(&mut self, interrupted: &AtomicBool) -> anyhow::Result<ExitCode> {
        let mut story = PlainStory::default();
        for (worker, _) in &self.supervisor.workers {
            println!("{}", plain::note(&format!("worker {} started (pid {})", worker.number, worker.pid.unwrap_or(0))));
        }
        let mut last: Vec<HistoryEvent> = Vec::new();
        loop {
            if interrupted.load(Ordering::SeqCst) {
                println!("{}", plain::note("interrupted: stopping everything"));
                return Ok(ExitCode::from(130));
            }
            for (number, line) in self.supervisor.drain_logs() {
                println!("{}", worker_line(number, &line));
            }
            self.supervisor.reap();
            if let Some(events) = self.fetch() {
                last = events;
            }
            for line in story.new_events(&last) {
                println!("{line}");
            }
            if let Some(note) = self.scripted_kill(&last) {
                println!("{}", plain::note(&note));
            }
            let timeline = Timeline::from_events(last.clone());
            if let Some(report) = NdeReport::from_timeline(&timeline) {
                // The run waits for a worker with fixed code; nothing more will happen.
                println!("{}", plain::nde(&report));
                return Ok(ExitCode::FAILURE);
            }
            if timeline.outcome().is_some() {
                // Late log lines of the last task.
                std::thread::sleep(Duration::from_millis(100));
                for (number, line) in self.supervisor.drain_logs() {
                    println!("{}", worker_line(number, &line));
                }
                println!("{}", plain::outcome(&timeline));
                let completed = last.last().is_some_and(|e| e.event_type() == EventType::WorkflowExecutionCompleted);
                return Ok(if completed { ExitCode::SUCCESS } else { ExitCode::FAILURE });
            }
            std::thread::sleep(POLL_EVERY);
        }
    }

    fn tui(&mut self, app: &mut App, interrupted: &AtomicBool) -> anyhow::Result<()> {
        let quit = std::cell::Cell::new(false);
        let this = std::cell::RefCell::new(self);
        terminal::run(
            app,
            |app| {
                let mut live = this.borrow_mut();
                app.now = chrono::Utc::now();
                for (tag, line) in live.supervisor.drain_logs() {
                    if tag == SERVICE {
                        app.message = Some(format!("microservice: {line}"));
                    }
                }
                live.supervisor.reap();
                if live.last_fetch.is_none_or(|t| t.elapsed() >= POLL_EVERY)
                    && let Some(events) = live.fetch()
                {
                    app.set_events(events);
                }
                if live.last_describe.is_none_or(|t| t.elapsed() >= Duration::from_secs(1)) {
                    live.last_describe = Some(Instant::now());
                    let handle = live.handle.clone();
                    if let Ok(Ok(d)) = live.runtime.block_on(async {
                        tokio::time::timeout(Duration::from_secs(1), handle.describe()).await
                    }) {
                        app.described = d.pending_activities;
                    }
                }
                let events = app.timeline.events.clone();
                if let Some(note) = live.scripted_kill(&events) {
                    app.message = Some(note);
                }
                app.workers = live.supervisor.workers.iter().map(|(w, _)| w.clone()).collect();
                if interrupted.load(Ordering::SeqCst) {
                    quit.set(true);
                }
            },
            |app, action| {
                let mut live = this.borrow_mut();
                match action {
                    Action::Quit => return Flow::Quit,
                    Action::KillWorker(n) => app.message = Some(live.supervisor.kill(n)),
                    Action::StartWorker => {
                        app.message = Some(match live.supervisor.start_worker() {
                            Ok(n) => format!("started worker {n}"),
                            Err(e) => format!("cannot start a worker: {e:#}"),
                        })
                    }
                    Action::Terminate(reason) => {
                        let handle = live.handle.clone();
                        let result = live.runtime.block_on(async { handle.terminate(&reason).await });
                        app.message = Some(match result {
                            Ok(()) => format!("terminated: {reason}"),
                            Err(e) => format!("cannot terminate: {e}"),
                        });
                    }
                    Action::Replay => match live.replay(&app.timeline) {
                        Ok(failure) => app.start_replay(failure),
                        Err(e) => app.message = Some(format!("cannot replay: {e:#}")),
                    },
                }
                Flow::Continue
            },
            || quit.get(),
        )
    }

    /// Replays the history so far against the worker binary's workflow code
    /// (`--replay FILE`); `Some(report)` on non-determinism.
    fn replay(&self, timeline: &Timeline) -> anyhow::Result<Option<NdeReport>> {
        let file = std::env::temp_dir().join(format!("workshop-run-replay-{}.json", std::process::id()));
        let history = workshop_protocol::history::History { events: timeline.events.clone() };
        std::fs::write(&file, history.to_cli_json())?;
        let output = Command::new(&self.supervisor.executable).arg("--replay").arg(&file).env("NO_COLOR", "1").output();
        let _ = std::fs::remove_file(&file);
        let output = output?;
        match output.status.code() {
            Some(0) => Ok(None),
            Some(1) => {
                let text = strip_ansi(&String::from_utf8_lossy(&output.stderr));
                let mut report = NdeReport::parse(&text).unwrap_or_else(|| NdeReport {
                    headline: text.lines().next().unwrap_or("replay failed").to_string(),
                    rows: Vec::new(),
                    notes: text.lines().skip(1).map(str::to_string).collect(),
                });
                report.locate_expected(timeline);
                Ok(Some(report))
            }
            _ => anyhow::bail!("{}", String::from_utf8_lossy(&output.stderr).trim()),
        }
    }
}

/// When the pending timer fires, if one is pending.
fn pending_timer_fire_time(events: &[HistoryEvent]) -> Option<chrono::DateTime<chrono::Utc>> {
    let status = crate::viz::status::Status::derive(events, chrono::Utc::now(), &[]);
    status.timers.first().map(|t| chrono::Utc::now() + t.fires_in)
}

/// The identity of the worker holding the run: the one running its workflow task, or
/// whose sticky queue gets the next one (the last to complete a task).
fn run_holder(events: &[HistoryEvent]) -> Option<String> {
    events.iter().rev().find_map(|e| match &e.attributes {
        EventAttributes::WorkflowTaskStarted(a) => Some(a.identity.clone()),
        EventAttributes::WorkflowTaskCompleted(a) => Some(a.identity.clone()),
        _ => None,
    })
}

fn worker_line(number: usize, line: &str) -> String {
    use colored::Colorize;
    let who = if number == SERVICE { "  [microservice]".to_string() } else { format!("  [worker {number}]") };
    format!("{} {}", who.dimmed(), line.dimmed())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_read_in_the_usual_units() {
        assert_eq!(parse_delay("3s"), Ok(Duration::from_secs(3)));
        assert_eq!(parse_delay("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_delay("2"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_delay("1m"), Ok(Duration::from_secs(60)));
        assert!(parse_delay("soon").is_err());
    }

    #[test]
    fn ansi_colors_are_removed_from_worker_logs() {
        assert_eq!(strip_ansi("\u{1b}[32m INFO\u{1b}[0m hello"), " INFO hello");
    }

    #[test]
    fn the_sdk_non_determinism_text_reads_back() {
        use workshop_protocol::common::SourceLocation;
        use workshop_sdk::workflow::nondeterminism::{CommandRow, ExpectedCommand, ProducedCommandInfo};
        let loc = |line| SourceLocation { file: "src/workflow.rs".into(), line, column: 9 };
        let error = workshop_sdk::NonDeterminismError {
            workflow_type: "NDEWorkflow".into(),
            workflow_id: "nde".into(),
            run_id: "r".into(),
            event_id: 11,
            workflow_task_started_event_id: 9,
            reason: "history has TimerStarted".into(),
            rows: vec![
                CommandRow {
                    matches: true,
                    expected: Some(ExpectedCommand { event_id: 5, description: "ScheduleActivityTask Noop".into(), location: None }),
                    produced: Some(ProducedCommandInfo { description: "ScheduleActivityTask Noop".into(), location: loc(9) }),
                },
                CommandRow {
                    matches: false,
                    expected: Some(ExpectedCommand { event_id: 11, description: "StartTimer 2s".into(), location: None }),
                    produced: Some(ProducedCommandInfo { description: "ScheduleActivityTask Noop".into(), location: loc(19) }),
                },
            ],
            notes: vec![],
        };
        let report = NdeReport::parse(&error.to_string()).expect("a table");
        assert_eq!(report.rows.len(), 2);
        assert!(report.rows[0].matches && !report.rows[1].matches);
        assert_eq!(report.rows[1].expected.as_ref().unwrap().event_id, Some(11));
        assert_eq!(report.rows[1].produced.as_ref().unwrap().location.as_ref().unwrap().line, 19);
    }
}
