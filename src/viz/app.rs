//! What the user is looking at (selected event, follow or paused, open overlay) and what
//! their keys ask for. Keys that need the outside world (kill a worker, start one,
//! terminate, replay, quit) come back as [`Action`]s for the caller to carry out.

use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use workshop_protocol::event::HistoryEvent;
use workshop_protocol::rpc::PendingActivityInfo;

use super::nde::NdeReport;
use super::source::Sources;
use super::status::Status;
use super::timeline::Timeline;
use super::workers::Worker;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Quit,
    /// Kill worker N (1-based) with SIGKILL.
    KillWorker(usize),
    StartWorker,
    Terminate(String),
    /// Replay the history against the current workflow code.
    Replay,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    None,
    Help,
    Detail,
    Nde,
    /// Typing the reason of a terminate.
    Terminate(String),
}

/// A replay being shown command by command: `shown` commands have been matched so far.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayProgress {
    /// The command events, in history order.
    pub commands: Vec<i64>,
    pub shown: usize,
    /// `None`: the code fits the whole history.
    pub failure: Option<NdeReport>,
    /// The outcome has been reported.
    pub finished: bool,
}

impl ReplayProgress {
    /// The event the replay stops at with a mismatch, if it does.
    pub fn mismatch_event(&self) -> Option<i64> {
        let report = self.failure.as_ref()?;
        report.rows.iter().find(|r| !r.matches).and_then(|r| r.expected.as_ref()).and_then(|e| e.event_id)
    }

    pub fn done(&self) -> bool {
        self.shown >= self.commands.len() || self.mismatch_event().is_some_and(|id| self.commands.get(self.shown) == Some(&id))
    }
}

pub const DEFAULT_TERMINATE_REASON: &str = "terminated from workshop run";

pub struct App {
    /// `workshop run durable-execution`, or the file name.
    pub title: String,
    pub timeline: Timeline,
    pub sources: Sources,
    pub workers: Vec<Worker>,
    pub nde: Option<NdeReport>,
    /// Pending activities as the service describes them (retries leave no events).
    pub described: Vec<PendingActivityInfo>,
    pub selected: usize,
    /// Follow new events (the selection sticks to the last one); space pauses.
    pub follow: bool,
    pub overlay: Overlay,
    pub detail_scroll: u16,
    /// A live run with workers (kill/start/terminate keys work).
    pub live: bool,
    /// `k` was pressed: the next digit names the worker to kill.
    pending_kill: bool,
    /// Feedback shown in the status area (`killed worker 1 (pid 4242)`); it gives way
    /// to the pending-work summary after a few seconds (see [`App::expire_message`]).
    pub message: Option<String>,
    message_seen: Option<(String, DateTime<Utc>)>,
    pub now: DateTime<Utc>,
    pub replay: Option<ReplayProgress>,
}

impl App {
    pub fn new(title: impl Into<String>, events: Vec<HistoryEvent>, now: DateTime<Utc>) -> App {
        let mut app = App {
            title: title.into(),
            timeline: Timeline::from_events(Vec::new()),
            sources: Sources::default(),
            workers: Vec::new(),
            nde: None,
            described: Vec::new(),
            selected: 0,
            follow: true,
            overlay: Overlay::None,
            detail_scroll: 0,
            live: false,
            pending_kill: false,
            message: None,
            message_seen: None,
            now,
            replay: None,
        };
        app.set_events(events);
        app
    }

    /// Clears a message shown for longer than `ttl` (by `now`).
    pub fn expire_message(&mut self, ttl: chrono::TimeDelta) {
        match (&self.message, &self.message_seen) {
            (None, _) => self.message_seen = None,
            (Some(m), Some((seen, at))) if m == seen => {
                if self.now - *at > ttl {
                    self.message = None;
                    self.message_seen = None;
                }
            }
            (Some(m), _) => self.message_seen = Some((m.clone(), self.now)),
        }
    }

    /// New history (a live run grew); keeps the selection unless following.
    pub fn set_events(&mut self, events: Vec<HistoryEvent>) {
        if events.len() == self.timeline.len() && self.timeline.events.last().map(|e| e.event_id) == events.last().map(|e| e.event_id) {
            return;
        }
        self.timeline = Timeline::from_events(events);
        if let Some(report) = NdeReport::from_timeline(&self.timeline) {
            if self.nde.is_none() {
                self.overlay = Overlay::Nde;
            }
            self.nde = Some(report);
        }
        if self.follow || self.selected >= self.timeline.len() {
            self.selected = self.timeline.len().saturating_sub(1);
        }
    }

    /// The selected event's index, if there are events.
    pub fn selected_index(&self) -> Option<usize> {
        (!self.timeline.is_empty()).then_some(self.selected.min(self.timeline.len() - 1))
    }

    /// The clock the status is read at: now when following; the selected event's time
    /// when stepping back (the state as it was then).
    pub fn view_time(&self) -> DateTime<Utc> {
        match self.selected_index() {
            Some(i) if !self.follow => self.timeline.events[i].event_time,
            _ => self.now,
        }
    }

    /// The status after the selected event.
    pub fn status(&self) -> Status {
        let upto = self.selected_index().map_or(0, |i| i + 1);
        Status::derive(&self.timeline.events[..upto], self.view_time(), &self.described)
    }

    /// Starts showing a replay's result command by command.
    pub fn start_replay(&mut self, failure: Option<NdeReport>) {
        let commands: Vec<i64> = self.timeline.tasks.iter().flat_map(|t| t.commands.iter().map(|c| c.event_id)).collect();
        self.follow = false;
        self.overlay = Overlay::None;
        self.replay = Some(ReplayProgress { commands, shown: 0, failure, finished: false });
        self.message = Some("replaying the history against the code...".into());
        self.step_replay();
    }

    /// One step of a replay being shown; returns false when it is over.
    pub fn step_replay(&mut self) -> bool {
        let Some(replay) = self.replay.as_mut().filter(|r| !r.finished) else { return false };
        if replay.done() {
            replay.finished = true;
            let failed = replay.failure.clone();
            self.message = Some(match &failed {
                None => format!("replay: the code fits the history, {} commands matched ✓", replay.commands.len()),
                Some(_) => "replay: non-determinism ✗ (n shows the table)".into(),
            });
            if let Some(report) = failed {
                if let Some(i) = replay.mismatch_event().and_then(|id| self.timeline.index_of(id)) {
                    self.selected = i;
                }
                self.nde = Some(report);
                self.overlay = Overlay::Nde;
            }
            return false;
        }
        let event_id = replay.commands[replay.shown];
        replay.shown += 1;
        if let Some(i) = self.timeline.index_of(event_id) {
            self.selected = i;
        }
        true
    }

    pub fn handle_key(&mut self, key: KeyEvent) -> Option<Action> {
        if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
            return Some(Action::Quit);
        }
        // A finished replay gives the commands pane back at the next key.
        if self.replay.as_ref().is_some_and(|r| r.finished) && self.overlay == Overlay::None {
            self.replay = None;
        }
        if let Overlay::Terminate(reason) = &mut self.overlay {
            match key.code {
                KeyCode::Esc => self.overlay = Overlay::None,
                KeyCode::Enter => {
                    let reason = if reason.trim().is_empty() { DEFAULT_TERMINATE_REASON.to_string() } else { reason.trim().to_string() };
                    self.overlay = Overlay::None;
                    return Some(Action::Terminate(reason));
                }
                KeyCode::Backspace => {
                    reason.pop();
                }
                KeyCode::Char(c) => reason.push(c),
                _ => {}
            }
            return None;
        }
        if self.pending_kill {
            self.pending_kill = false;
            if let KeyCode::Char(c @ '1'..='9') = key.code {
                let n = c.to_digit(10).unwrap_or(0) as usize;
                if n <= self.workers.len() {
                    return Some(Action::KillWorker(n));
                }
                self.message = Some(format!("there is no worker {n}"));
                return None;
            }
            self.message = None;
            // Not a digit: `k` was the vi key for "previous event".
            self.step(-1);
            if key.code == KeyCode::Char('k') {
                return None;
            }
        }
        match key.code {
            KeyCode::Char('q') => return Some(Action::Quit),
            KeyCode::Esc => self.overlay = Overlay::None,
            KeyCode::Char('?') => self.toggle(Overlay::Help),
            KeyCode::Enter | KeyCode::Char('d') => {
                self.detail_scroll = 0;
                self.toggle(Overlay::Detail);
            }
            KeyCode::Char('n') => {
                if self.nde.is_some() {
                    self.toggle(Overlay::Nde);
                } else {
                    self.message = Some("no non-determinism error in this run".into());
                }
            }
            KeyCode::Up | KeyCode::Char('k') | KeyCode::Char('j') | KeyCode::Down if self.overlay == Overlay::Detail => {
                let down = matches!(key.code, KeyCode::Down | KeyCode::Char('j'));
                self.detail_scroll = if down { self.detail_scroll.saturating_add(1) } else { self.detail_scroll.saturating_sub(1) };
            }
            KeyCode::Char('k') if self.live => {
                self.pending_kill = true;
                self.message = Some(format!("kill which worker? 1-{} (any other key: previous event)", self.workers.len()));
            }
            KeyCode::Left | KeyCode::Up | KeyCode::Char('k') | KeyCode::Char('h') => self.step(-1),
            KeyCode::Right | KeyCode::Down | KeyCode::Char('j') | KeyCode::Char('l') => self.step(1),
            KeyCode::Home | KeyCode::Char('g') => self.jump(0),
            KeyCode::End | KeyCode::Char('G') => {
                self.jump(self.timeline.len().saturating_sub(1));
                self.follow = true;
            }
            KeyCode::Char(' ') => {
                self.follow = !self.follow;
                if self.follow {
                    self.selected = self.timeline.len().saturating_sub(1);
                }
                self.message = Some(if self.follow { "following new events" } else { "paused: ←/→ step through events" }.into());
            }
            KeyCode::Char('s') if self.live => return Some(Action::StartWorker),
            KeyCode::Char('t') if self.live => self.overlay = Overlay::Terminate(String::new()),
            KeyCode::Char('r') => return Some(Action::Replay),
            _ => {}
        }
        None
    }

    fn toggle(&mut self, overlay: Overlay) {
        self.overlay = if self.overlay == overlay { Overlay::None } else { overlay };
    }

    fn step(&mut self, delta: isize) {
        if self.timeline.is_empty() {
            return;
        }
        let last = self.timeline.len() - 1;
        let next = (self.selected as isize + delta).clamp(0, last as isize) as usize;
        self.jump(next);
    }

    fn jump(&mut self, index: usize) {
        self.selected = index.min(self.timeline.len().saturating_sub(1));
        self.follow = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::viz::testing::{reference};

    fn key(c: char) -> KeyEvent {
        KeyEvent::from(KeyCode::Char(c))
    }

    fn live_app() -> App {
        let events = reference("worker-crash-short-timer.json").events;
        let now = events[10].event_time;
        let mut app = App::new("run", events[..11].to_vec(), now);
        app.live = true;
        app.workers = vec![Worker::new(1, Some(7565)), Worker::new(2, Some(7689))];
        app
    }

    #[test]
    fn k_then_a_number_kills_otherwise_steps_back() {
        let mut app = live_app();
        assert_eq!(app.selected, 10);
        assert_eq!(app.handle_key(key('k')), None);
        assert_eq!(app.handle_key(key('2')), Some(Action::KillWorker(2)));
        assert_eq!(app.selected, 10);
        assert_eq!(app.handle_key(key('k')), None);
        assert_eq!(app.handle_key(key('k')), None);
        assert_eq!(app.selected, 9);
        assert!(!app.follow);
        app.handle_key(key('k'));
        assert_eq!(app.handle_key(key('7')), None);
        assert_eq!(app.message.as_deref(), Some("there is no worker 7"));
    }

    #[test]
    fn stepping_pauses_and_space_follows_again() {
        let events = reference("worker-crash-short-timer.json").events;
        let mut app = live_app();
        app.handle_key(KeyEvent::from(KeyCode::Left));
        assert_eq!((app.selected, app.follow), (9, false));
        app.set_events(events[..13].to_vec());
        assert_eq!(app.selected, 9, "paused: new events do not move the selection");
        app.handle_key(key(' '));
        assert_eq!((app.selected, app.follow), (12, true));
        app.set_events(events.clone());
        assert_eq!(app.selected, 23);
    }

    #[test]
    fn messages_give_way_after_a_while() {
        let mut app = live_app();
        app.message = Some("killed worker 1".into());
        app.expire_message(chrono::TimeDelta::seconds(4));
        app.now += chrono::TimeDelta::seconds(3);
        app.expire_message(chrono::TimeDelta::seconds(4));
        assert!(app.message.is_some());
        app.now += chrono::TimeDelta::seconds(2);
        app.expire_message(chrono::TimeDelta::seconds(4));
        assert_eq!(app.message, None);
    }

    #[test]
    fn terminate_asks_for_a_reason() {
        let mut app = live_app();
        app.handle_key(key('t'));
        for c in "demo".chars() {
            app.handle_key(key(c));
        }
        assert_eq!(app.handle_key(KeyEvent::from(KeyCode::Enter)), Some(Action::Terminate("demo".into())));
        app.handle_key(key('t'));
        assert_eq!(app.handle_key(KeyEvent::from(KeyCode::Enter)), Some(Action::Terminate(DEFAULT_TERMINATE_REASON.into())));
        assert_eq!(app.handle_key(key('q')), Some(Action::Quit));
    }

    #[test]
    fn replay_walks_the_commands_then_reports() {
        let events = reference("worker-crash-short-timer.json").events;
        let mut app = App::new("file", events, Utc::now());
        app.start_replay(None);
        let mut seen = vec![app.timeline.events[app.selected].event_id];
        while app.step_replay() {
            seen.push(app.timeline.events[app.selected].event_id);
        }
        assert_eq!(seen, [5, 11, 18, 24]);
        assert!(app.message.as_deref().unwrap().contains("4 commands matched ✓"));
        let mut app = App::new("file", reference("nde.json").events, Utc::now());
        let mut report = NdeReport::parse(crate::viz::nde::tests::SAMPLE).unwrap();
        report.locate_expected(&app.timeline);
        app.start_replay(Some(report));
        while app.step_replay() {}
        assert_eq!(app.timeline.events[app.selected].event_id, 11);
        assert_eq!(app.overlay, Overlay::Nde);
    }
}
