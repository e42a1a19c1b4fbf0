//! The fixture workflows on a real worker against an in-process engine (system clock,
//! in-memory database): results, close states and valid histories.

use std::sync::Arc;
use std::time::Duration;

use workshop_engine::clock::SystemClock;
use workshop_engine::server::{Db, Engine, EngineConfig};
use workshop_engine::settings::Settings;
use workshop_protocol::history::validate_history;
use workshop_sdk::client::WorkflowOptions;
use workshop_sdk::{Client, ClientOptions, Worker};
use workshop_sdk_fixtures::{TASK_QUEUE, misc, translation};

async fn setup() -> (workshop_engine::server::RunningEngine, Client, tokio::sync::oneshot::Sender<()>, tokio::task::JoinHandle<anyhow::Result<()>>) {
    let engine = Engine::start(EngineConfig {
        db: Db::InMemory,
        clock: Arc::new(SystemClock),
        settings: Settings::default(),
        bind: "127.0.0.1:0".parse().unwrap(),
    })
    .await
    .unwrap();
    let client = Client::new(ClientOptions {
        address: engine.url(),
        ..Default::default()
    })
    .unwrap();
    let mut worker = Worker::new(client.clone(), TASK_QUEUE);
    workshop_sdk_fixtures::register_all(worker.registry_mut());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let handle = tokio::spawn(worker.run_until(async move {
        let _ = rx.await;
    }));
    (engine, client, tx, handle)
}

fn opts(id: &str) -> WorkflowOptions {
    WorkflowOptions::new(id, TASK_QUEUE)
}

async fn check_history(client: &Client, id: &str) -> Vec<String> {
    let history = client.workflow_handle(id).history().await.unwrap();
    validate_history(&history.events).unwrap_or_else(|e| panic!("{id}: {e:?}"));
    history.events.iter().map(|e| e.event_type().to_string()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fixture_workflows_run_to_their_close_states() {
    let (engine, client, stop, worker) = setup().await;
    let timeout = Duration::from_secs(60);

    let input = translation::TranslationWorkflowInput {
        name: "Pierre".into(),
        language_code: "fr".into(),
        sleep_seconds: Some(1),
    };
    let h = client.start_workflow("TranslationWorkflow", &input, opts("translation")).await.unwrap();
    let out: translation::TranslationWorkflowOutput = tokio::time::timeout(timeout, h.result()).await.unwrap().unwrap();
    assert_eq!(out.hello_message, "Bonjour, Pierre");
    assert_eq!(out.goodbye_message, "Au revoir, Pierre");
    let reference = [
        "EVENT_TYPE_WORKFLOW_EXECUTION_STARTED",
        "EVENT_TYPE_WORKFLOW_TASK_SCHEDULED",
        "EVENT_TYPE_WORKFLOW_TASK_STARTED",
        "EVENT_TYPE_WORKFLOW_TASK_COMPLETED",
        "EVENT_TYPE_ACTIVITY_TASK_SCHEDULED",
        "EVENT_TYPE_ACTIVITY_TASK_STARTED",
        "EVENT_TYPE_ACTIVITY_TASK_COMPLETED",
        "EVENT_TYPE_WORKFLOW_TASK_SCHEDULED",
        "EVENT_TYPE_WORKFLOW_TASK_STARTED",
        "EVENT_TYPE_WORKFLOW_TASK_COMPLETED",
        "EVENT_TYPE_TIMER_STARTED",
        "EVENT_TYPE_TIMER_FIRED",
        "EVENT_TYPE_WORKFLOW_TASK_SCHEDULED",
        "EVENT_TYPE_WORKFLOW_TASK_STARTED",
        "EVENT_TYPE_WORKFLOW_TASK_COMPLETED",
        "EVENT_TYPE_ACTIVITY_TASK_SCHEDULED",
        "EVENT_TYPE_ACTIVITY_TASK_STARTED",
        "EVENT_TYPE_ACTIVITY_TASK_COMPLETED",
        "EVENT_TYPE_WORKFLOW_TASK_SCHEDULED",
        "EVENT_TYPE_WORKFLOW_TASK_STARTED",
        "EVENT_TYPE_WORKFLOW_TASK_COMPLETED",
        "EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED",
    ];
    assert_eq!(check_history(&client, "translation").await, reference);

    let h = client.start_workflow("ParallelWorkflow", &1i64, opts("parallel")).await.unwrap();
    let out: Vec<i64> = tokio::time::timeout(timeout, h.result()).await.unwrap().unwrap();
    assert_eq!(out, vec![2, 12, 22]);
    check_history(&client, "parallel").await;

    let h = client
        .start_workflow("SelectWorkflow", &misc::SelectInput { activity_millis: 10, timer_millis: 3000 }, opts("select"))
        .await
        .unwrap();
    let out: String = tokio::time::timeout(timeout, h.result()).await.unwrap().unwrap();
    assert_eq!(out, "activity:10");
    let types = check_history(&client, "select").await;
    assert!(types.iter().any(|t| t == "EVENT_TYPE_TIMER_CANCELED"), "{types:?}");

    let h = client.start_workflow("RetryWorkflow", &"flaky", opts("retry")).await.unwrap();
    let out: String = tokio::time::timeout(timeout, h.result()).await.unwrap().unwrap();
    assert_eq!(out, "succeeded on attempt 4 for flaky");
    check_history(&client, "retry").await;

    let h = client.start_workflow("CounterWorkflow", &1u32, opts("counter")).await.unwrap();
    let out: u32 = tokio::time::timeout(timeout, h.result()).await.unwrap().unwrap();
    assert_eq!(out, 3);

    let h = client.start_workflow("SignalWorkflow", &"x", opts("signal")).await.unwrap();
    h.signal("approve", &"yes").await.unwrap();
    let out: String = tokio::time::timeout(timeout, h.result()).await.unwrap().unwrap();
    assert_eq!(out, "yes");

    let h = client.start_workflow("CancellableWorkflow", &"x", opts("cancel")).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    h.cancel("test").await.unwrap();
    let err = tokio::time::timeout(timeout, h.result::<String>()).await.unwrap().unwrap_err();
    assert!(err.to_string().to_lowercase().contains("cancel"), "{err}");
    let types = check_history(&client, "cancel").await;
    assert_eq!(types.last().unwrap(), "EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED", "{types:?}");

    let h = client.start_workflow("RetryExhaustedWorkflow", &"x", opts("exhausted")).await.unwrap();
    let err = tokio::time::timeout(timeout, h.result::<String>()).await.unwrap().unwrap_err();
    assert!(err.to_string().contains("permanent failure on attempt 3") || err.to_string().contains("Activity task failed"), "{err}");

    let _ = stop.send(());
    let _ = tokio::time::timeout(Duration::from_secs(10), worker).await;
    engine.shutdown().await;
}
