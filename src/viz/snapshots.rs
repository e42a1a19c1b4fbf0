//! Snapshot tests of the screen (ratatui `TestBackend` + insta), driven by recorded
//! histories under `tests/fixtures/` (temporal/ and viz/) with a fixed clock. Identities are the recorded
//! ones (`7565@vm`), so nothing depends on the machine running the tests.

use chrono::TimeDelta;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::app::{App, Overlay};
use super::nde::NdeReport;
use super::source::Sources;
use super::testing::{buffer_text, fixture, fixture_text, reference};
use super::workers::{Lifecycle, Worker};

/// Snapshots named after the test alone (`mid_timer_80x24.snap`), whatever crate
/// compiles this module.
macro_rules! snapshot {
    ($text:expr) => {
        insta::with_settings!({ prepend_module_to_snapshot => false }, { insta::assert_snapshot!($text) })
    };
}

fn render(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| super::screen::draw(frame, app)).unwrap();
    buffer_text(terminal.backend().buffer())
}

fn sources() -> Sources {
    let mut s = Sources::default();
    s.add("src/workflow.rs", &fixture_text("translation_workflow.rs"));
    s
}

/// A live run of the located translation history cut after `events` events, `plus_ms`
/// after the last one, with worker 1 (pid 7565) and worker 2 (pid 7689).
fn live(events: usize, plus_ms: i64) -> App {
    let all = fixture("viz-translation-located.json").events;
    let now = all[events - 1].event_time + TimeDelta::milliseconds(plus_ms);
    let mut app = App::new("workshop run durable-execution", all[..events].to_vec(), now);
    app.live = true;
    app.sources = sources();
    let mut w1 = Worker::new(1, Some(7565));
    w1.log("INFO TranslationWorkflow invoked Name=Pierre");
    w1.log("INFO TranslateTerm hello fr -> Bonjour");
    w1.log("INFO Sleeping between translation calls");
    let mut w2 = Worker::new(2, Some(7689));
    w2.log("worker started, polling durable-exec-tasks");
    app.workers = vec![w1, w2];
    app
}

#[test]
fn mid_timer_80x24() {
    let app = live(11, 1_200);
    snapshot!(render(&app, 80, 24));
}

#[test]
fn worker_killed_while_its_sticky_queue_holds_the_run_80x24() {
    let mut app = live(13, 4_000);
    app.workers[0].lifecycle = Lifecycle::Killed;
    app.workers[0].log("killed (SIGKILL)");
    snapshot!(render(&app, 80, 24));
}

#[test]
fn other_worker_recovers_after_the_kill_80x24() {
    let mut app = live(18, 5);
    app.workers[0].lifecycle = Lifecycle::Killed;
    app.workers[0].log("killed (SIGKILL)");
    app.workers[1].log("INFO TranslationWorkflow replaying");
    snapshot!(render(&app, 80, 24));
}

#[test]
fn stepping_back_shows_the_code_line_of_the_selected_event_120x40() {
    let mut app = live(24, 0);
    app.handle_key(crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Char('g')));
    for _ in 0..4 {
        app.handle_key(crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Right));
    }
    assert_eq!(app.timeline.events[app.selected].event_id, 5);
    snapshot!(render(&app, 120, 40));
}

#[test]
fn non_determinism_view_80x24() {
    let mut app = App::new("nde.json", reference("nde.json").events, chrono::DateTime::UNIX_EPOCH);
    let mut report = NdeReport::parse(super::nde::tests::SAMPLE).unwrap();
    report.locate_expected(&app.timeline);
    app.nde = Some(report);
    app.overlay = Overlay::Nde;
    snapshot!(render(&app, 80, 24));
}

#[test]
fn event_detail_80x24() {
    let mut app = App::new("pizza.json", reference("pizza.json").events, chrono::DateTime::UNIX_EPOCH);
    app.selected = 4;
    app.follow = false;
    app.overlay = Overlay::Detail;
    snapshot!(render(&app, 80, 24));
}

#[test]
fn temporal_http_history_file_100x30() {
    let history = reference("translation.http.json");
    let app = App::new("translation.http.json", history.events, chrono::DateTime::UNIX_EPOCH);
    snapshot!(render(&app, 100, 30));
}

#[test]
fn help_80x24() {
    let mut app = live(11, 0);
    app.overlay = Overlay::Help;
    snapshot!(render(&app, 80, 24));
}

#[test]
fn the_current_code_line_is_highlighted() {
    let app = live(11, 1_200);
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal.draw(|frame| super::screen::draw(frame, &app)).unwrap();
    let buffer = terminal.backend().buffer();
    let text = buffer_text(buffer);
    let y = text.lines().position(|l| l.contains("▶27")).expect("line 27 marked") as u16;
    let x = text.lines().nth(y as usize).unwrap().find("ctx.sleep").unwrap() as u16;
    // `find` counts bytes; the marker and borders before it are multi-byte.
    let x = x - ("▶".len() as u16 - 1) - ("│".len() as u16 - 1);
    assert_eq!(buffer[(x, y)].symbol(), "c");
    assert_eq!(buffer[(x, y)].bg, ratatui::style::Color::Yellow);
}
