//! The running engine: the core behind a lock, run on blocking threads; long polls; the
//! timer loop that fires deadlines; start and shutdown.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use tokio::sync::watch;
use workshop_protocol::*;

use crate::clock::Clock;
use crate::persistence::Persistence;
use crate::service::{Core, RpcResult};
use crate::settings::Settings;

pub enum Db {
    File(PathBuf),
    InMemory,
}

pub struct EngineConfig {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub settings: Settings,
    pub bind: SocketAddr,
}

/// A cheap handle on the service, shared by HTTP handlers and background loops.
#[derive(Clone)]
pub struct Service {
    core: Arc<Mutex<Core>>,
    notify: Arc<watch::Sender<u64>>,
    shutdown: watch::Receiver<bool>,
    pub(crate) settings: Arc<Settings>,
    pub(crate) clock: Arc<dyn Clock>,
}

impl Service {
    /// Runs `f` on the core on a blocking thread (SQLite work never blocks the runtime).
    pub async fn run<T: Send + 'static>(&self, f: impl FnOnce(&mut Core) -> T + Send + 'static) -> T {
        let core = self.core.clone();
        tokio::task::spawn_blocking(move || {
            let mut c = core.lock().unwrap_or_else(|e| e.into_inner());
            f(&mut c)
        })
        .await
        .expect("engine operation panicked")
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Core> {
        self.core.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits until `check` answers Some, re-checking after every commit, for at most the
    /// long-poll timeout (or until shutdown). The waiter subscribes before it checks, so
    /// no wakeup is lost.
    pub async fn wait_for<T: Send + 'static>(
        &self,
        timeout: Duration,
        check: impl Fn(&mut Core) -> RpcResult<Option<T>> + Send + Sync + 'static,
    ) -> RpcResult<Option<T>> {
        let check = Arc::new(check);
        let deadline = tokio::time::Instant::now() + timeout;
        let mut shutdown = self.shutdown.clone();
        loop {
            let mut rx = self.notify.subscribe();
            let c = check.clone();
            if let Some(v) = self.run(move |core| c(core)).await? {
                return Ok(Some(v));
            }
            if *shutdown.borrow() {
                return Ok(None);
            }
            tokio::select! {
                _ = rx.changed() => {}
                _ = tokio::time::sleep_until(deadline) => return Ok(None),
                _ = shutdown.changed() => return Ok(None),
            }
        }
    }

    pub async fn poll_workflow(&self, req: PollWorkflowTaskQueueRequest) -> RpcResult<PollWorkflowTaskQueueResponse> {
        self.poll(req.namespace, req.task_queue, req.identity, Core::try_poll_workflow).await
    }

    pub async fn poll_activity(&self, req: PollActivityTaskQueueRequest) -> RpcResult<PollActivityTaskQueueResponse> {
        self.poll(req.namespace, req.task_queue, req.identity, Core::try_poll_activity).await
    }

    /// A long poll of one task queue: validate it, count the poller while the request is
    /// open, and wait for `try_poll` to hand out a task (the empty answer after the timeout).
    async fn poll<R: Default + Send + 'static>(
        &self,
        namespace: String,
        task_queue: TaskQueue,
        identity: String,
        try_poll: fn(&mut Core, &str, &str, &str) -> RpcResult<Option<R>>,
    ) -> RpcResult<R> {
        let ns = if namespace.is_empty() { "default".to_string() } else { namespace };
        let queue = task_queue.name.clone();
        {
            let ns = ns.clone();
            self.run(move |c| c.check_poll(&ns, &task_queue)).await?;
        }
        let _guard = self.poller_guard(&ns, &queue, &identity);
        let timeout = self.settings.long_poll_timeout;
        let r = self.wait_for(timeout, move |c| try_poll(c, &ns, &queue, &identity)).await?;
        Ok(r.unwrap_or_default())
    }

    /// Counts an open poll on a queue until dropped (also when the request is dropped).
    fn poller_guard(&self, ns: &str, queue: &str, identity: &str) -> PollerGuard {
        self.lock().poll_started(ns, queue, identity);
        PollerGuard { service: self.clone(), ns: ns.into(), queue: queue.into(), identity: identity.into() }
    }

    pub async fn next_deadline(&self) -> Option<DateTime<Utc>> {
        self.run(|c| c.next_deadline()).await
    }

    pub async fn has_outstanding_tasks(&self) -> bool {
        self.run(|c| c.has_outstanding_tasks()).await
    }

    pub async fn process_due(&self) -> RpcResult<usize> {
        self.run(|c| c.process_due()).await
    }
}

struct PollerGuard {
    service: Service,
    ns: String,
    queue: String,
    identity: String,
}

impl Drop for PollerGuard {
    fn drop(&mut self) {
        self.service.lock().poll_ended(&self.ns, &self.queue, &self.identity);
    }
}

/// Fires deadlines as they come due (timers, retries, timeouts), by the engine's clock.
async fn timer_loop(service: Service) {
    let mut shutdown = service.shutdown.clone();
    loop {
        if *shutdown.borrow() {
            return;
        }
        let mut rx = service.notify.subscribe();
        let clock_changed = service.clock.changed();
        let next = service.next_deadline().await;
        if let Some(t) = next
            && t <= service.clock.now() {
                if let Err(e) = service.process_due().await {
                    tracing::error!("firing deadlines failed: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                continue;
            }
        let sleep = match next {
            Some(t) => service.clock.sleep_until(t),
            None => Box::pin(std::future::pending()),
        };
        tokio::select! {
            _ = sleep => {}
            _ = rx.changed() => {}
            _ = clock_changed => {}
            _ = shutdown.changed() => return,
        }
    }
}

pub struct Engine;

/// A started engine. Drop or `shutdown()` stops it.
pub struct RunningEngine {
    addr: SocketAddr,
    service: Service,
    shutdown_tx: watch::Sender<bool>,
    server: Option<tokio::task::JoinHandle<()>>,
    timers: Option<tokio::task::JoinHandle<()>>,
}

impl Engine {
    /// Opens the database, rebuilds matching queues from it, binds the HTTP API and starts
    /// the timer loop (which at once fires what came due while the engine was down).
    pub async fn start(config: EngineConfig) -> anyhow::Result<RunningEngine> {
        let settings = Arc::new(config.settings);
        let clock = config.clock;
        let (notify, _) = watch::channel(0u64);
        let notify = Arc::new(notify);
        let core = {
            let (settings, clock, notify) = (settings.clone(), clock.clone(), notify.clone());
            tokio::task::spawn_blocking(move || -> anyhow::Result<Core> {
                let db = match config.db {
                    Db::File(p) => Persistence::open_file(&p)?,
                    Db::InMemory => Persistence::open_in_memory()?,
                };
                Core::load(db, clock, settings, notify)
            })
            .await??
        };
        let listener = tokio::net::TcpListener::bind(config.bind).await.map_err(|e| {
            if e.kind() == std::io::ErrorKind::AddrInUse {
                anyhow::anyhow!(
                    "address {} is already in use: another `workshop server` (or a Temporal dev server) is probably running; stop it or pick another --port",
                    config.bind
                )
            } else {
                anyhow::Error::new(e).context(format!("cannot listen on {}", config.bind))
            }
        })?;
        let addr = listener.local_addr().context("no local address")?;
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let service = Service {
            core: Arc::new(Mutex::new(core)),
            notify,
            shutdown: shutdown_rx.clone(),
            settings,
            clock,
        };
        let app = crate::frontend::router(service.clone());
        let mut srx = shutdown_rx.clone();
        let server = tokio::spawn(async move {
            let graceful = async move {
                let _ = srx.wait_for(|v| *v).await;
            };
            if let Err(e) = axum::serve(listener, app).with_graceful_shutdown(graceful).await {
                tracing::error!("HTTP server failed: {e}");
            }
        });
        let timers = tokio::spawn(timer_loop(service.clone()));
        Ok(RunningEngine { addr, service, shutdown_tx, server: Some(server), timers: Some(timers) })
    }
}

impl RunningEngine {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn service(&self) -> &Service {
        &self.service
    }

    /// Time skipping: true while any workflow or activity task is queued (dispatchable)
    /// or started; a test kit must not skip time then.
    pub async fn has_outstanding_tasks(&self) -> bool {
        self.service.has_outstanding_tasks().await
    }

    /// Time skipping: the earliest pending deadline (timer, activity retry backoff,
    /// workflow task backoff, any timeout, run timeout), by the engine's clock.
    pub async fn next_deadline(&self) -> Option<DateTime<Utc>> {
        self.service.next_deadline().await
    }

    /// Handles everything due at the clock's current time and returns when it is
    /// committed (call after moving a `VirtualClock`). Returns how many runs it touched.
    pub async fn process_due(&self) -> anyhow::Result<usize> {
        self.service.process_due().await.map_err(|e| anyhow::anyhow!("{e}"))
    }

    /// Stops accepting requests, ends open long polls, and waits for the loops to stop.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown_tx.send(true);
        if let Some(s) = self.server.take() {
            let _ = s.await;
        }
        if let Some(t) = self.timers.take() {
            let _ = t.await;
        }
    }
}

impl Drop for RunningEngine {
    fn drop(&mut self) {
        let _ = self.shutdown_tx.send(true);
    }
}
