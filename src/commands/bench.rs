//! `workshop bench`: performance figures. Each bench is a subcommand (`engine`, ...), so
//! other benches (SDK, replay, startup) can join the group.

use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: BenchCommand,
}

#[derive(clap::Subcommand)]
pub enum BenchCommand {
    /// Raw engine throughput: state transitions per second through HTTP with a scripted
    /// worker, on a durable (file) database.
    Engine(engine::EngineArgs),
    /// The SDK end to end: one-activity workflows per second through a real worker,
    /// 3-activity workflow latency, and the replay time of a 50,000-event history.
    Sdk(sdk::SdkArgs),
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        BenchCommand::Engine(a) => engine::run(a),
        BenchCommand::Sdk(a) => sdk::run(a),
    }
}

/// The engine bench: an in-process engine on a SQLite file, driven over HTTP by scripted
/// workers that run one-activity workflows (start, workflow task, activity, workflow
/// task, complete: 7 state transitions, 11 events each).
mod engine {
    use std::path::PathBuf;
    use std::process::ExitCode;
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use anyhow::Context as _;
    use serde::Serialize;
    use serde::de::DeserializeOwned;
    use workshop_engine::{Db, Engine, EngineConfig, Settings, SystemClock};
    use workshop_protocol::*;

    #[derive(clap::Args)]
    pub struct EngineArgs {
        /// Workflows to run.
        #[arg(long, default_value_t = 500)]
        pub workflows: usize,
        /// Scripted workers running workflows at the same time.
        #[arg(long, default_value_t = 4)]
        pub concurrency: usize,
        /// Database file [default: a fresh file in the temp directory, removed afterwards].
        #[arg(long)]
        pub db: Option<PathBuf>,
    }

    const TRANSITIONS_PER_WORKFLOW: usize = 7;

    struct Http {
        agent: ureq::Agent,
        base: String,
    }

    impl Http {
        fn post<Req: Serialize, Resp: DeserializeOwned>(&self, path: &str, body: &Req) -> anyhow::Result<Resp> {
            let mut r = self
                .agent
                .post(&format!("{}{path}", self.base))
                .header("content-type", "application/json")
                .send(serde_json::to_string(body)?)?;
            let status = r.status().as_u16();
            let text = r.body_mut().read_to_string()?;
            anyhow::ensure!(status == 200, "{path}: HTTP {status}: {text}");
            Ok(serde_json::from_str(&text)?)
        }
    }

    fn one_workflow(http: &Http, id: &str, queue: &str) -> anyhow::Result<()> {
        let start = StartWorkflowExecutionRequest {
            workflow_type: WorkflowType { name: "BenchWorkflow".into() },
            task_queue: TaskQueue::normal(queue),
            input: Some(Payloads::json(&serde_json::json!({"Name": "Pierre"}))?),
            request_id: id.to_string(),
            ..Default::default()
        };
        let _: StartWorkflowExecutionResponse = http.post(&format!("/api/v1/namespaces/default/workflows/{id}"), &start)?;
        let poll = PollWorkflowTaskQueueRequest { namespace: "default".into(), task_queue: TaskQueue::normal(queue), identity: "bench".into() };
        let complete = |token: Vec<u8>, commands: Vec<Command>| -> anyhow::Result<()> {
            let req = RespondWorkflowTaskCompletedRequest { namespace: "default".into(), task_token: token, commands, identity: "bench".into(), sticky_attributes: None };
            let _: serde_json::Value = http.post("/api/v1/rpc/RespondWorkflowTaskCompleted", &req)?;
            Ok(())
        };
        let wt: PollWorkflowTaskQueueResponse = http.post("/api/v1/rpc/PollWorkflowTaskQueue", &poll)?;
        anyhow::ensure!(!wt.is_empty(), "no workflow task for {id}");
        complete(
            wt.task_token,
            vec![Command::new(ScheduleActivityTaskCommandAttributes {
                activity_id: "1".into(),
                activity_type: ActivityType { name: "BenchActivity".into() },
                input: Some(Payloads::json("hello")?),
                start_to_close_timeout: Some(Duration::from_secs(10)),
                ..Default::default()
            })],
        )?;
        let apoll = PollActivityTaskQueueRequest { namespace: "default".into(), task_queue: TaskQueue::normal(queue), identity: "bench".into() };
        let at: PollActivityTaskQueueResponse = http.post("/api/v1/rpc/PollActivityTaskQueue", &apoll)?;
        anyhow::ensure!(!at.is_empty(), "no activity task for {id}");
        let done = RespondActivityTaskCompletedRequest { namespace: "default".into(), task_token: at.task_token, result: Some(Payloads::json("Bonjour")?), identity: "bench".into() };
        let _: serde_json::Value = http.post("/api/v1/rpc/RespondActivityTaskCompleted", &done)?;
        let wt: PollWorkflowTaskQueueResponse = http.post("/api/v1/rpc/PollWorkflowTaskQueue", &poll)?;
        anyhow::ensure!(!wt.is_empty(), "no second workflow task for {id}");
        complete(wt.task_token, vec![Command::new(CompleteWorkflowExecutionCommandAttributes { result: Some(Payloads::json("Bonjour, Pierre")?) })])
    }

    fn percentile(sorted: &[Duration], p: f64) -> Duration {
        if sorted.is_empty() {
            return Duration::ZERO;
        }
        sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
    }

    pub fn run(args: EngineArgs) -> anyhow::Result<ExitCode> {
        let (db_path, temporary) = match args.db {
            Some(p) => (p, false),
            None => (std::env::temp_dir().join(format!("workshop-bench-{}.db", std::process::id())), true),
        };
        let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
        let boot = Instant::now();
        let engine = rt
            .block_on(Engine::start(EngineConfig {
                db: Db::File(db_path.clone()),
                clock: Arc::new(SystemClock),
                settings: Settings::default(),
                bind: "127.0.0.1:0".parse()?,
            }))
            .context("cannot start the engine")?;
        let ready = boot.elapsed();
        let base = engine.url();
        println!("engine bench: {} one-activity workflows, {} scripted workers, database {}", args.workflows, args.concurrency, db_path.display());
        let run_tag = uuid_like();
        let started = Instant::now();
        let per_worker = args.workflows.div_ceil(args.concurrency.max(1));
        let handles: Vec<_> = (0..args.concurrency.max(1))
            .map(|w| {
                let base = base.clone();
                let run_tag = run_tag.clone();
                std::thread::spawn(move || -> anyhow::Result<Vec<Duration>> {
                    let http = Http {
                        agent: ureq::Agent::config_builder().http_status_as_error(false).timeout_global(Some(Duration::from_secs(120))).build().into(),
                        base,
                    };
                    let queue = format!("bench-{run_tag}-{w}");
                    let mut latencies = Vec::new();
                    for i in 0..per_worker {
                        let t = Instant::now();
                        one_workflow(&http, &format!("bench-{run_tag}-{w}-{i}"), &queue)?;
                        latencies.push(t.elapsed());
                    }
                    Ok(latencies)
                })
            })
            .collect();
        let mut latencies = Vec::new();
        for h in handles {
            latencies.extend(h.join().map_err(|_| anyhow::anyhow!("a bench worker panicked"))??);
        }
        let elapsed = started.elapsed();
        let rss = resident_memory();
        rt.block_on(engine.shutdown());
        if temporary {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", db_path.display()));
            }
        }
        latencies.sort();
        let n = latencies.len();
        let secs = elapsed.as_secs_f64();
        println!("workflows completed:        {n} in {secs:.2} s");
        println!("workflows per second:       {:.1}", n as f64 / secs);
        println!("state transitions per sec:  {:.0}  ({TRANSITIONS_PER_WORKFLOW} per workflow, each one SQLite commit)", (n * TRANSITIONS_PER_WORKFLOW) as f64 / secs);
        println!("events per second:          {:.0}  (11 per workflow)", (n * 11) as f64 / secs);
        println!(
            "workflow latency:           p50 {:.2} ms, p99 {:.2} ms  (start to completion, scripted worker)",
            percentile(&latencies, 0.5).as_secs_f64() * 1e3,
            percentile(&latencies, 0.99).as_secs_f64() * 1e3
        );
        println!("engine start to ready:      {:.1} ms  (open database, rebuild queues, bind)", ready.as_secs_f64() * 1e3);
        if let Some(kb) = rss {
            println!("resident memory after run:  {:.1} MB  (whole bench process: engine and workers)", kb as f64 / 1024.0);
        }
        println!("(temporal server start-dev, SQLite file, same kind of machine: 5.5 one-activity workflows/s; see shared/reference/temporal/baseline.md)");
        Ok(ExitCode::SUCCESS)
    }

    /// VmRSS of this process in kB (Linux); None elsewhere.
    fn resident_memory() -> Option<u64> {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }

    fn uuid_like() -> String {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        format!("{:x}", nanos ^ ((std::process::id() as u128) << 64))
    }
}

/// The SDK bench: an in-process engine on a SQLite file and an SDK worker in the same
/// process, driven through the SDK client.
mod sdk {
    use std::process::ExitCode;
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use anyhow::Context as _;
    use chrono::{TimeZone, Utc};
    use workshop_engine::{Db, Engine, EngineConfig, Settings, SystemClock};
    use workshop_protocol::*;
    use workshop_sdk::client::WorkflowOptions;
    use workshop_sdk::prelude::*;
    use workshop_sdk::{Registry, replay_history};

    #[derive(clap::Args)]
    pub struct SdkArgs {
        /// One-activity workflows for the throughput figure.
        #[arg(long, default_value_t = 500)]
        pub workflows: usize,
        /// Workflows started at the same time for the throughput figure (each waits
        /// for its result with a long poll; many waiters slow the engine down).
        #[arg(long, default_value_t = 4)]
        pub concurrency: usize,
        /// 3-activity workflows run one after the other for the latency figure.
        #[arg(long, default_value_t = 200)]
        pub latency_runs: usize,
        /// Events of the synthetic history for the replay figure.
        #[arg(long, default_value_t = 50_000)]
        pub replay_events: usize,
    }

    async fn bench_noop(_ctx: ActivityContext, i: i64) -> Result<i64, ActivityError> {
        Ok(i + 1)
    }

    async fn bench_one_activity(ctx: WorkflowContext, i: i64) -> Result<i64, WorkflowError> {
        Ok(ctx.execute_activity(bench_noop, i, ActivityOptions::start_to_close(Duration::from_secs(30))).await?)
    }

    async fn bench_three_activities(ctx: WorkflowContext, mut i: i64) -> Result<i64, WorkflowError> {
        for _ in 0..3 {
            i = ctx.execute_activity(bench_noop, i, ActivityOptions::start_to_close(Duration::from_secs(30))).await?;
        }
        Ok(i)
    }

    async fn bench_timers(ctx: WorkflowContext, n: u32) -> Result<u32, WorkflowError> {
        for _ in 0..n {
            ctx.sleep(Duration::from_secs(1)).await;
        }
        Ok(n)
    }

    fn percentile(sorted: &[Duration], p: f64) -> Duration {
        if sorted.is_empty() {
            return Duration::ZERO;
        }
        sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
    }

    pub fn run(args: SdkArgs) -> anyhow::Result<ExitCode> {
        let db_path = std::env::temp_dir().join(format!("workshop-bench-sdk-{}.db", std::process::id()));
        let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
        let result = rt.block_on(async {
            let engine = Engine::start(EngineConfig {
                db: Db::File(db_path.clone()),
                clock: Arc::new(SystemClock),
                settings: Settings::default(),
                bind: "127.0.0.1:0".parse()?,
            })
            .await
            .context("cannot start the engine")?;
            let client = Client::new(ClientOptions { address: engine.url(), ..Default::default() })?;
            let queue = "bench-sdk";
            let mut options = WorkerOptions::new(queue);
            options.max_concurrent_workflow_task_polls = 4;
            options.max_concurrent_activity_task_polls = 4;
            let mut worker = Worker::with_options(client.clone(), options);
            worker.register_workflow(bench_one_activity);
            worker.register_workflow(bench_three_activities);
            worker.register_activity(bench_noop);
            let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
            let worker = tokio::spawn(worker.run_until(async move {
                let _ = stopped.await;
            }));
            println!(
                "sdk bench: {} one-activity workflows ({} at a time), {} 3-activity workflows, database {}",
                args.workflows, args.concurrency, args.latency_runs, db_path.display()
            );

            let tag = std::process::id();
            let started = Instant::now();
            let semaphore = Arc::new(tokio::sync::Semaphore::new(args.concurrency.max(1)));
            let mut runs = tokio::task::JoinSet::new();
            for i in 0..args.workflows {
                let permit = semaphore.clone().acquire_owned().await?;
                let client = client.clone();
                runs.spawn(async move {
                    let handle = client
                        .start_workflow("BenchOneActivity", &(i as i64), WorkflowOptions::new(format!("bench-one-{tag}-{i}"), queue))
                        .await?;
                    let out: i64 = handle.result().await?;
                    drop(permit);
                    anyhow::ensure!(out == i as i64 + 1, "wrong result");
                    Ok::<(), anyhow::Error>(())
                });
            }
            while let Some(r) = runs.join_next().await {
                r??;
            }
            let throughput = args.workflows as f64 / started.elapsed().as_secs_f64();

            let mut latencies = Vec::new();
            for i in 0..args.latency_runs {
                let t = Instant::now();
                let handle = client
                    .start_workflow("BenchThreeActivities", &0i64, WorkflowOptions::new(format!("bench-three-{tag}-{i}"), queue))
                    .await?;
                let out: i64 = handle.result().await?;
                anyhow::ensure!(out == 3, "wrong result");
                latencies.push(t.elapsed());
            }
            latencies.sort();
            let _ = stop.send(());
            let _ = worker.await;
            engine.shutdown().await;
            Ok::<_, anyhow::Error>((throughput, latencies))
        });
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db_path.display()));
        }
        let (throughput, latencies) = result?;

        let history = timer_history(args.replay_events);
        let mut registry = Registry::new();
        registry.register_workflow(bench_timers);
        let t = Instant::now();
        replay_history(&registry, &history).map_err(|e| anyhow::anyhow!("{e}"))?;
        let replay = t.elapsed();

        println!("one-activity workflows/s:   {throughput:.1}  (SDK worker, SQLite file)");
        println!(
            "3-activity latency:         p50 {:.2} ms, p99 {:.2} ms  (start to result through the SDK client)",
            percentile(&latencies, 0.5).as_secs_f64() * 1e3,
            percentile(&latencies, 0.99).as_secs_f64() * 1e3
        );
        println!("replay:                     {} events in {:.0} ms", history.events.len(), replay.as_secs_f64() * 1e3);
        println!("(temporal server start-dev: 5.5 one-activity workflows/s, 3-activity p50 275 ms; see shared/reference/temporal/baseline.md)");
        Ok(ExitCode::SUCCESS)
    }

    /// A history of `BenchTimers` with one 1 s timer per workflow task, `events` long.
    fn timer_history(events: usize) -> History {
        let timers = events.saturating_sub(5) / 5;
        let mut out: Vec<HistoryEvent> = Vec::with_capacity(events + 8);
        let mut time = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let mut push = |out: &mut Vec<HistoryEvent>, attributes: EventAttributes| -> i64 {
            time += chrono::Duration::milliseconds(1);
            let event_id = out.len() as i64 + 1;
            out.push(HistoryEvent { event_id, event_time: time, task_id: event_id, attributes, user_metadata: None });
            event_id
        };
        push(
            &mut out,
            EventAttributes::WorkflowExecutionStarted(WorkflowExecutionStartedEventAttributes {
                workflow_type: WorkflowType { name: "BenchTimers".into() },
                task_queue: TaskQueue::normal("bench"),
                input: Some(Payloads::json(&(timers as u32)).expect("a number serializes")),
                original_execution_run_id: "bench-run".into(),
                first_execution_run_id: "bench-run".into(),
                workflow_id: "bench-replay".into(),
                attempt: 1,
                ..Default::default()
            }),
        );
        let task = |out: &mut Vec<HistoryEvent>, push: &mut dyn FnMut(&mut Vec<HistoryEvent>, EventAttributes) -> i64| -> i64 {
            let scheduled = push(out, EventAttributes::WorkflowTaskScheduled(WorkflowTaskScheduledEventAttributes { task_queue: TaskQueue::normal("bench"), attempt: 1, ..Default::default() }));
            let started = push(out, EventAttributes::WorkflowTaskStarted(WorkflowTaskStartedEventAttributes { scheduled_event_id: scheduled, ..Default::default() }));
            push(out, EventAttributes::WorkflowTaskCompleted(WorkflowTaskCompletedEventAttributes { scheduled_event_id: scheduled, started_event_id: started, ..Default::default() }))
        };
        for i in 0..timers {
            let completed = task(&mut out, &mut push);
            let started = push(
                &mut out,
                EventAttributes::TimerStarted(TimerStartedEventAttributes {
                    timer_id: (i + 1).to_string(),
                    start_to_fire_timeout: Some(Duration::from_secs(1)),
                    workflow_task_completed_event_id: completed,
                    ..Default::default()
                }),
            );
            push(&mut out, EventAttributes::TimerFired(TimerFiredEventAttributes { timer_id: (i + 1).to_string(), started_event_id: started, ..Default::default() }));
        }
        let completed = task(&mut out, &mut push);
        push(
            &mut out,
            EventAttributes::WorkflowExecutionCompleted(WorkflowExecutionCompletedEventAttributes {
                result: Some(Payloads::json(&(timers as u32)).expect("a number serializes")),
                workflow_task_completed_event_id: completed,
                ..Default::default()
            }),
        );
        History { events: out }
    }
}
