//! The workflow executor thread of a worker: owns the cache of workflow runs (whose
//! futures are not `Send`), applies each workflow task's history to its run, and
//! answers with commands or a failure. Pollers talk to it over a channel.

use std::collections::{HashMap, VecDeque};
use std::sync::mpsc;

use tokio::sync::oneshot;
use workshop_protocol::command::Command;
use workshop_protocol::common::WorkflowExecution;
use workshop_protocol::enums::WorkflowTaskFailedCause;
use workshop_protocol::failure::Failure;
use workshop_protocol::rpc::PollWorkflowTaskQueueResponse;

use crate::logging::LogSink;
use crate::registry::Registry;
use crate::workflow::run::{RunError, RunIdentity, WorkflowRun};

/// What the executor makes of one workflow task.
#[derive(Debug)]
pub(crate) enum TaskOutcome {
    Complete {
        commands: Vec<Command>,
    },
    Fail {
        cause: WorkflowTaskFailedCause,
        failure: Box<Failure>,
        /// The full text for the worker's log (the non-determinism table).
        report: String,
    },
    /// The run is not cached (or its cache is stale) and the task carries only new
    /// events: fetch the full history and send the task again.
    NeedFullHistory,
}

pub(crate) struct TaskResult {
    pub outcome: TaskOutcome,
    /// Runs dropped from the cache (their stickiness should be reset).
    pub evicted: Vec<WorkflowExecution>,
}

pub(crate) enum Request {
    Task {
        namespace: String,
        task: Box<PollWorkflowTaskQueueResponse>,
        reply: oneshot::Sender<TaskResult>,
    },
    Evict {
        run_id: String,
    },
}

/// The sending side, cheap to clone.
#[derive(Clone)]
pub(crate) struct ExecutorHandle {
    tx: mpsc::Sender<Request>,
}

impl ExecutorHandle {
    pub fn start(registry: Registry, max_cached: usize, sink: Option<LogSink>) -> Self {
        let (tx, rx) = mpsc::channel::<Request>();
        std::thread::Builder::new()
            .name("workflow-executor".into())
            .spawn(move || {
                let mut executor = Executor {
                    registry,
                    sink,
                    max_cached: max_cached.max(1),
                    cache: HashMap::new(),
                    order: VecDeque::new(),
                };
                while let Ok(request) = rx.recv() {
                    match request {
                        Request::Task { namespace, task, reply } => {
                            let run_id = task.workflow_execution.clone().unwrap_or_default().run_id;
                            // Workflow code panics are caught per poll; this guards the
                            // executor itself, so one bad history cannot stop the worker.
                            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                                executor.handle(&namespace, *task)
                            }))
                            .unwrap_or_else(|panic| {
                                executor.forget(&run_id);
                                TaskResult {
                                    outcome: fail(
                                        WorkflowTaskFailedCause::WorkflowWorkerUnhandledFailure,
                                        format!(
                                            "the workflow executor failed on this task: {}",
                                            crate::workflow::run::panic_message(&*panic)
                                        ),
                                    ),
                                    evicted: Vec::new(),
                                }
                            });
                            let _ = reply.send(result);
                        }
                        Request::Evict { run_id } => {
                            executor.cache.remove(&run_id);
                            executor.order.retain(|r| r != &run_id);
                        }
                    }
                }
            })
            .expect("spawn the workflow executor thread");
        Self { tx }
    }

    pub async fn run_task(&self, namespace: &str, task: PollWorkflowTaskQueueResponse) -> TaskResult {
        let (reply, rx) = oneshot::channel();
        let request = Request::Task {
            namespace: namespace.to_string(),
            task: Box::new(task),
            reply,
        };
        if self.tx.send(request).is_err() {
            return TaskResult {
                outcome: fail(WorkflowTaskFailedCause::WorkflowWorkerUnhandledFailure, "the workflow executor stopped".into()),
                evicted: Vec::new(),
            };
        }
        rx.await.unwrap_or_else(|_| TaskResult {
            outcome: fail(WorkflowTaskFailedCause::WorkflowWorkerUnhandledFailure, "the workflow executor stopped".into()),
            evicted: Vec::new(),
        })
    }

    pub fn evict(&self, run_id: &str) {
        let _ = self.tx.send(Request::Evict {
            run_id: run_id.to_string(),
        });
    }
}

fn fail(cause: WorkflowTaskFailedCause, message: String) -> TaskOutcome {
    TaskOutcome::Fail {
        cause,
        failure: Box::new(Failure::application(message.clone(), String::new(), false)),
        report: message,
    }
}

struct Executor {
    registry: Registry,
    sink: Option<LogSink>,
    max_cached: usize,
    cache: HashMap<String, WorkflowRun>,
    /// Least recently used first.
    order: VecDeque<String>,
}

impl Executor {
    fn handle(&mut self, namespace: &str, task: PollWorkflowTaskQueueResponse) -> TaskResult {
        let execution = task.workflow_execution.clone().unwrap_or_default();
        let run_id = execution.run_id.clone();
        let events = task.history.events;
        let mut evicted = Vec::new();
        let Some(first) = events.first() else {
            return TaskResult {
                outcome: TaskOutcome::NeedFullHistory,
                evicted,
            };
        };
        let mut run = if first.event_id == 1 {
            self.forget(&run_id);
            match WorkflowRun::new(
                |t| self.registry.workflow(t),
                RunIdentity {
                    namespace: namespace.to_string(),
                    workflow_id: execution.workflow_id.clone(),
                    run_id: run_id.clone(),
                },
                first,
                self.sink.clone(),
            ) {
                Ok(run) => run,
                Err(e) => return TaskResult { outcome: failure_outcome(e), evicted },
            }
        } else {
            match self.forget(&run_id) {
                Some(run) if run.last_event_id() + 1 >= first.event_id => run,
                _ => {
                    return TaskResult {
                        outcome: TaskOutcome::NeedFullHistory,
                        evicted,
                    };
                }
            }
        };
        let outcome = match run.apply(&events) {
            Ok(commands) => {
                let commands = commands.unwrap_or_default();
                if !run.is_finished() {
                    self.cache.insert(run_id.clone(), run);
                    self.order.push_back(run_id);
                    while self.order.len() > self.max_cached {
                        if let Some(old) = self.order.pop_front()
                            && let Some(old_run) = self.cache.remove(&old)
                        {
                            let info = old_run.info();
                            evicted.push(WorkflowExecution {
                                workflow_id: info.workflow_id,
                                run_id: info.run_id,
                            });
                        }
                    }
                }
                TaskOutcome::Complete { commands }
            }
            Err(RunError::StaleCache(_)) if first.event_id != 1 => TaskOutcome::NeedFullHistory,
            Err(e) => failure_outcome(e),
        };
        TaskResult { outcome, evicted }
    }

    fn forget(&mut self, run_id: &str) -> Option<WorkflowRun> {
        let run = self.cache.remove(run_id)?;
        self.order.retain(|r| r != run_id);
        Some(run)
    }
}

fn failure_outcome(error: RunError) -> TaskOutcome {
    let report = error.to_string();
    match error {
        RunError::NonDeterminism(e) => TaskOutcome::Fail {
            cause: WorkflowTaskFailedCause::NonDeterministicError,
            failure: Box::new(Failure::application(e.to_string(), "NonDeterminismError".to_string(), false)),
            report,
        },
        other => TaskOutcome::Fail {
            cause: WorkflowTaskFailedCause::WorkflowWorkerUnhandledFailure,
            failure: Box::new(Failure::application(other.to_string(), "WorkflowTaskFailure".to_string(), false)),
            report,
        },
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use workshop_protocol::command::CommandAttributes;
    use workshop_protocol::history::History;

    use super::*;
    use crate::prelude::*;

    async fn translate_term(_ctx: ActivityContext, _input: serde_json::Value) -> Result<serde_json::Value, ActivityError> {
        Ok(serde_json::json!({"Translation": "x"}))
    }

    /// The shape of `translation.json`: activity, 10 s timer, activity.
    async fn translation_workflow(ctx: WorkflowContext, input: serde_json::Value) -> Result<serde_json::Value, WorkflowError> {
        let opts = ActivityOptions::start_to_close(Duration::from_secs(45));
        ctx.execute_activity(translate_term, input.clone(), opts.clone()).await?;
        ctx.sleep(Duration::from_secs(10)).await;
        ctx.execute_activity(translate_term, input, opts).await?;
        Ok(serde_json::json!({}))
    }

    fn history() -> History {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference/temporal/translation.json");
        History::from_json_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    fn task(events: &[workshop_protocol::event::HistoryEvent]) -> PollWorkflowTaskQueueResponse {
        PollWorkflowTaskQueueResponse {
            task_token: vec![1],
            workflow_execution: Some(WorkflowExecution {
                workflow_id: "translation-workflow".into(),
                run_id: "r".into(),
            }),
            attempt: 1,
            history: History { events: events.to_vec() },
            started_event_id: events.last().map(|e| e.event_id).unwrap_or_default(),
            ..Default::default()
        }
    }

    fn kinds(outcome: &TaskOutcome) -> Vec<String> {
        match outcome {
            TaskOutcome::Complete { commands } => commands
                .iter()
                .map(|c| match &c.attributes {
                    CommandAttributes::ScheduleActivityTask(_) => "ScheduleActivityTask".to_string(),
                    CommandAttributes::StartTimer(_) => "StartTimer".to_string(),
                    other => format!("{other:?}"),
                })
                .collect(),
            other => vec![format!("{other:?}")],
        }
    }

    #[test]
    fn sticky_tasks_continue_the_cached_run_and_misses_ask_for_the_full_history() {
        let mut registry = Registry::new();
        registry.register_workflow(translation_workflow);
        registry.register_activity(translate_term);
        let mut executor = Executor {
            registry,
            sink: None,
            max_cached: 10,
            cache: HashMap::new(),
            order: VecDeque::new(),
        };
        let events = history().events;
        // A sticky task (events 8-9) for a run this worker never saw.
        let miss = executor.handle("default", task(&events[7..9]));
        assert!(matches!(miss.outcome, TaskOutcome::NeedFullHistory));
        // The full history up to the second workflow task: the timer comes next.
        let full = executor.handle("default", task(&events[..9]));
        assert_eq!(kinds(&full.outcome), ["StartTimer"]);
        // The next sticky task continues the cached run.
        let next = executor.handle("default", task(&events[9..14]));
        assert_eq!(kinds(&next.outcome), ["ScheduleActivityTask"]);
        // A sticky task that skips events is a miss again.
        let gap = executor.handle("default", task(&events[19..20]));
        assert!(matches!(gap.outcome, TaskOutcome::NeedFullHistory));
    }
}
