//! The real terminal: raw mode and the alternate screen for as long as the view runs
//! (restored on exit and on panic, by ratatui's `init`/`restore`), and the loop that
//! draws, reads keys and lets the caller refresh the data between frames.

use std::time::{Duration, Instant};

use crossterm::event::{self, Event, KeyEventKind};

use super::app::{Action, App};
use super::screen;

/// What the caller wants after an action.
pub enum Flow {
    Continue,
    Quit,
}

/// How often the screen is redrawn (countdowns tick) and a replay advances.
const FRAME: Duration = Duration::from_millis(200);
const REPLAY_STEP: Duration = Duration::from_millis(600);

/// Runs the view until an action asks to quit or `stop` says so (a signal came).
/// `refresh` updates the app before each frame (new events, worker logs, the clock);
/// `act` carries out actions.
pub fn run(
    app: &mut App,
    mut refresh: impl FnMut(&mut App),
    mut act: impl FnMut(&mut App, Action) -> Flow,
    stop: impl Fn() -> bool,
) -> anyhow::Result<()> {
    let mut terminal = ratatui::init();
    let result = (|| -> anyhow::Result<()> {
        let mut last_replay_step = Instant::now();
        loop {
            refresh(app);
            app.expire_message(chrono::TimeDelta::seconds(4));
            if stop() {
                return Ok(());
            }
            if last_replay_step.elapsed() >= REPLAY_STEP {
                app.step_replay();
                last_replay_step = Instant::now();
            }
            terminal.draw(|frame| screen::draw(frame, app))?;
            if !event::poll(FRAME)? {
                continue;
            }
            let Event::Key(key) = event::read()? else { continue };
            if key.kind != KeyEventKind::Press {
                continue;
            }
            if let Some(action) = app.handle_key(key)
                && let Flow::Quit = act(app, action)
            {
                return Ok(());
            }
        }
    })();
    ratatui::restore();
    result
}
