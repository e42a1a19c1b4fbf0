//! `workshop workflow show --follow`: any execution on a running server, drawn as it
//! grows on the step-by-step screen, or as colored lines when stdout is not a terminal
//! (until the run closes).

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use workshop_sdk::client::WorkflowHandle;

use super::app::{Action, App};
use super::plain::{self, PlainStory};
use super::terminal::{self, Flow};
use super::timeline::Timeline;

const POLL_EVERY: Duration = Duration::from_millis(300);

/// Blocks until the user quits (screen) or the run closes (lines).
pub fn follow(handle: WorkflowHandle, plain_output: bool) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let fetch = |handle: &WorkflowHandle| runtime.block_on(handle.history());
    let first = fetch(&handle)?;
    if plain_output || !std::io::stdout().is_terminal() {
        let mut story = PlainStory::default();
        let mut events = first.events;
        loop {
            for line in story.new_events(&events) {
                println!("{line}");
            }
            let timeline = Timeline::from_events(events.clone());
            if timeline.outcome().is_some() {
                println!("{}", plain::outcome(&timeline));
                return Ok(ExitCode::SUCCESS);
            }
            std::thread::sleep(POLL_EVERY);
            if let Ok(history) = fetch(&handle) {
                events = history.events;
            }
        }
    }
    let mut app = App::new(format!("workflow {}", handle.workflow_id()), first.events, chrono::Utc::now());
    let mut last_fetch = Instant::now();
    let mut last_describe: Option<Instant> = None;
    terminal::run(
        &mut app,
        |app| {
            app.now = chrono::Utc::now();
            if last_fetch.elapsed() >= POLL_EVERY {
                last_fetch = Instant::now();
                if let Ok(history) = fetch(&handle) {
                    app.set_events(history.events);
                }
            }
            if last_describe.is_none_or(|t| t.elapsed() >= Duration::from_secs(1)) {
                last_describe = Some(Instant::now());
                if let Ok(described) = runtime.block_on(handle.describe()) {
                    app.described = described.pending_activities;
                }
            }
        },
        |app, action| match action {
            Action::Quit => Flow::Quit,
            _ => {
                app.message = Some("replay needs workflow code: `workshop replay <exercise> FILE`".into());
                Flow::Continue
            }
        },
        || false,
    )?;
    Ok(ExitCode::SUCCESS)
}
