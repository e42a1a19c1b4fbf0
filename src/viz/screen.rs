//! Draws an [`App`] with ratatui: workflow code with the current line, the commands of the
//! current workflow task, the event history, one pane per worker, the status line, and
//! the overlays (help, event detail, non-determinism table, terminate prompt). Laid out
//! to stay readable at 80x24.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::app::{App, Overlay};
use super::detail::EventDetail;
use super::nde::{NdeReport, NdeSide};
use super::status::Status;
use super::timeline::{EventKind, EventRow, Tone};
use super::workers::{self, Activity, Holder};

/// Wide enough for `WorkflowExecutionTerminated`; longer names are cut.
const TYPE_WIDTH: usize = 27;

pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    let status = app.status();
    let worker_height = if app.workers.is_empty() { 0 } else if area.height < 30 { 5 } else { 7 };
    let rest = area.height.saturating_sub(3 + worker_height);
    let top_height = (rest * 9 / 20).clamp(5, 16);
    let [title, top, history, worker_area, status_area, keys] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(top_height),
        Constraint::Min(4),
        Constraint::Length(worker_height),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_title(frame, title, app);
    let [code, commands] = Layout::horizontal([Constraint::Percentage(58), Constraint::Percentage(42)]).areas(top);
    draw_code(frame, code, app);
    draw_commands(frame, commands, app);
    draw_history(frame, history, app);
    if worker_height > 0 {
        draw_workers(frame, worker_area, app, &status);
    }
    draw_status(frame, status_area, app, &status);
    draw_keys(frame, keys, app);
    match &app.overlay {
        Overlay::None => {}
        Overlay::Help => draw_help(frame, area, app),
        Overlay::Detail => draw_detail(frame, area, app),
        Overlay::Nde => {
            if let Some(report) = &app.nde {
                draw_nde(frame, area, app, report);
            }
        }
        Overlay::Terminate(reason) => draw_terminate(frame, area, reason),
    }
}

pub fn kind_color(kind: EventKind) -> Color {
    match kind {
        EventKind::Workflow => Color::Cyan,
        EventKind::WorkflowTask => Color::Gray,
        EventKind::Activity => Color::Blue,
        EventKind::Timer => Color::Yellow,
        EventKind::Other => Color::Magenta,
    }
}

fn type_style(row: &EventRow) -> Style {
    let style = Style::default().fg(kind_color(row.kind));
    let style = match row.tone {
        Tone::Good => style.fg(Color::Green),
        Tone::Bad => style.fg(Color::Red),
        Tone::Warn => style.fg(Color::LightYellow),
        Tone::Neutral => style,
    };
    if row.event_type.is_close() { style.add_modifier(Modifier::BOLD) } else { style }
}

fn block(title: impl Into<Line<'static>>) -> Block<'static> {
    Block::default().borders(Borders::ALL).border_style(Style::default().fg(Color::DarkGray)).title(title.into())
}

fn draw_title(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.timeline;
    let mut spans = vec![Span::styled(format!(" {} ", app.title), Style::default().bold())];
    if !t.workflow_type.is_empty() {
        spans.push(Span::raw(format!("· {} ", t.workflow_type)));
    }
    if !t.workflow_id.is_empty() {
        spans.push(Span::styled(format!("· {} ", t.workflow_id), Style::default().fg(Color::DarkGray)));
    }
    let mode = if app.follow { "following" } else { "paused" };
    let right = format!(" [{mode}] ");
    let room = (area.width as usize).saturating_sub(right.chars().count());
    let mut used = 0;
    for span in spans.iter_mut() {
        let text = truncate(&span.content, room.saturating_sub(used));
        used += text.chars().count();
        span.content = text.into();
    }
    let pad = room.saturating_sub(used);
    spans.push(Span::raw(" ".repeat(pad)));
    spans.push(Span::styled(right, Style::default().fg(if app.follow { Color::Green } else { Color::Yellow })));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn draw_code(frame: &mut Frame, area: Rect, app: &App) {
    let location = app.selected_index().and_then(|i| app.timeline.location_for(i));
    let file = match &location {
        Some((_, loc)) => app.sources.file(&loc.file),
        None => app.sources.main_file(),
    };
    let inner_height = area.height.saturating_sub(2) as usize;
    let Some((path, lines)) = file else {
        let text = if !app.timeline.has_locations() {
            "No code locations in this history (our SDK records them on commands; Temporal's SDKs do not). Events and commands still step."
                .to_string()
        } else if let Some((_, loc)) = &location {
            format!("Source not found: {}:{}", loc.file, loc.line)
        } else {
            "No workflow source loaded.".to_string()
        };
        let p = Paragraph::new(text).wrap(Wrap { trim: true }).style(Style::default().fg(Color::DarkGray));
        frame.render_widget(p.block(block(" Workflow code ")), area);
        return;
    };
    let current = location.as_ref().filter(|(_, l)| app.sources.file(&l.file).map(|f| f.0) == Some(path)).map(|(_, l)| l.line as usize);
    let center = current.unwrap_or(1);
    let start = center.saturating_sub(inner_height / 2 + 1).min(lines.len().saturating_sub(inner_height));
    let number_width = (start + inner_height).min(lines.len()).to_string().len();
    let text: Vec<Line> = lines
        .iter()
        .enumerate()
        .skip(start)
        .take(inner_height)
        .map(|(i, l)| {
            let n = i + 1;
            let is_current = Some(n) == current;
            let marker = if is_current { "▶" } else { " " };
            let line = Line::from(vec![
                Span::styled(format!("{marker}{n:>number_width$} "), Style::default().fg(Color::DarkGray)),
                Span::raw(l.clone()),
            ]);
            if is_current { line.style(Style::default().bg(Color::Yellow).fg(Color::Black)) } else { line }
        })
        .collect();
    let title = match &location {
        Some((event_id, loc)) => format!(" {}:{} → event {} ", path, loc.line, event_id),
        None => format!(" {path} "),
    };
    frame.render_widget(Paragraph::new(text).block(block(title)), area);
}

fn draw_commands(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.timeline;
    let Some(index) = app.selected_index() else {
        frame.render_widget(Paragraph::new("no events yet").block(block(" Commands ")), area);
        return;
    };
    if let Some(replay) = &app.replay {
        let mut lines = Vec::new();
        let mismatch = replay.mismatch_event();
        for (i, id) in replay.commands.iter().enumerate() {
            let Some(c) = t.tasks.iter().flat_map(|k| k.commands.iter()).find(|c| c.event_id == *id) else { continue };
            let (mark, style) = if i < replay.shown {
                ("✓", Style::default().fg(Color::Green))
            } else if replay.finished && Some(*id) == mismatch {
                ("✗", Style::default().fg(Color::Red))
            } else {
                ("·", Style::default().fg(Color::DarkGray))
            };
            lines.push(Line::from(vec![
                Span::styled(format!("{mark} "), style),
                Span::raw(format!("{:>3} {} {}", id, c.command, c.description)),
            ]));
        }
        let skip = replay.shown.saturating_sub(area.height.saturating_sub(2) as usize);
        let lines: Vec<Line> = lines.into_iter().skip(skip).collect();
        frame.render_widget(Paragraph::new(lines).block(block(" Replay: history vs code ")), area);
        return;
    }
    let Some(task_index) = t.task_for(index) else {
        let p = Paragraph::new("No workflow task yet.").style(Style::default().fg(Color::DarkGray));
        frame.render_widget(p.block(block(" Commands ")), area);
        return;
    };
    let task = &t.tasks[task_index];
    let mut lines: Vec<Line> = Vec::new();
    let queue = format!("{} queue{}", task.queue.kind_name(), if task.attempt > 1 { format!(", attempt {}", task.attempt) } else { String::new() });
    let who = task.identity.clone().unwrap_or_else(|| "not started".into());
    lines.push(Line::from(vec![
        Span::styled(who, Style::default().fg(Color::Cyan)),
        Span::styled(format!(" · {queue}"), Style::default().fg(Color::DarkGray)),
    ]));
    if task.replayed {
        let matched = t.tasks[..task_index].iter().map(|k| k.commands.len()).sum::<usize>();
        lines.push(Line::from(Span::styled(
            format!("replayed: {matched} earlier commands ✓"),
            Style::default().fg(Color::Green),
        )));
    }
    match task.outcome {
        Some((id, ty)) if ty != workshop_protocol::enums::EventType::WorkflowTaskCompleted => {
            let row = &t.rows[t.index_of(id).unwrap_or(0)];
            let text = row.failure.clone().unwrap_or_else(|| row.summary.clone());
            lines.push(Line::from(Span::styled(format!("✗ {} {}", ty.short_name(), text), Style::default().fg(Color::Red))));
            if ty == workshop_protocol::enums::EventType::WorkflowTaskFailed && app.nde.is_some() {
                lines.push(Line::from(Span::styled("n: expected vs produced", Style::default().fg(Color::DarkGray))));
            }
        }
        None if task.started_event_id.is_some() => {
            lines.push(Line::from(Span::styled("running...", Style::default().fg(Color::Yellow))))
        }
        None if t.outcome().is_some() => {
            lines.push(Line::from(Span::styled("never ran: the run closed first", Style::default().fg(Color::DarkGray))))
        }
        None => lines.push(Line::from(Span::styled("waiting for a worker", Style::default().fg(Color::Yellow)))),
        _ => {
            if task.commands.is_empty() {
                lines.push(Line::from(Span::styled("(no commands)", Style::default().fg(Color::DarkGray))));
            }
        }
    }
    let selected_id = t.events[index].event_id;
    let width = area.width.saturating_sub(2) as usize;
    for c in &task.commands {
        let current = c.event_id == selected_id;
        let style = if current { Style::default().add_modifier(Modifier::REVERSED) } else { Style::default() };
        let at = c.location.as_ref().map(|l| format!(" :{}", l.line)).unwrap_or_default();
        let head = format!("→ {}", c.command);
        let link = format!(" ev {}{at}", c.event_id);
        // The event link stays on the command's line when it fits, else it leads the
        // description's line.
        let (link_first, link_second) = if head.chars().count() + link.chars().count() <= width {
            (link, String::new())
        } else {
            (String::new(), format!("{} ", link.trim_start()))
        };
        lines.push(Line::from(vec![
            Span::styled(head, style.bold()),
            Span::styled(link_first, style.fg(Color::DarkGray)),
        ]));
        if !c.description.is_empty() || !link_second.is_empty() {
            let room = width.saturating_sub(2 + link_second.chars().count());
            lines.push(Line::from(vec![
                Span::raw("  "),
                Span::styled(link_second, style.fg(Color::DarkGray)),
                Span::styled(truncate(&c.description, room), style),
            ]));
        }
    }
    let (first, last) = (task.scheduled_event_id, task.outcome.map_or(task.scheduled_event_id, |(id, _)| id));
    let title = format!(" Workflow task {first}-{last} commands ");
    frame.render_widget(Paragraph::new(lines).block(block(title)), area);
}

fn draw_history(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.timeline;
    let inner_height = area.height.saturating_sub(2) as usize;
    let width = area.width.saturating_sub(2) as usize;
    let selected = app.selected_index();
    let start = match selected {
        Some(s) if s + 1 > inner_height => s + 1 - inner_height,
        _ => 0,
    };
    let id_width = t.rows.last().map_or(2, |r| r.event_id.to_string().len()).max(2);
    let lines: Vec<Line> = t
        .rows
        .iter()
        .enumerate()
        .skip(start)
        .take(inner_height)
        .map(|(i, row)| {
            let mut name: String = row.event_type.short_name().chars().take(TYPE_WIDTH).collect();
            name = format!("{name:<TYPE_WIDTH$}");
            let fixed = id_width + 1 + 8 + 1 + TYPE_WIDTH + 1;
            let summary = truncate(&row.summary, width.saturating_sub(fixed));
            let line = Line::from(vec![
                Span::raw(format!("{:>id_width$} ", row.event_id)),
                Span::styled(format!("{:>8} ", row.offset), Style::default().fg(Color::DarkGray)),
                Span::styled(name, type_style(row)),
                Span::raw(" "),
                Span::raw(summary),
            ]);
            if Some(i) == selected { line.style(Style::default().add_modifier(Modifier::REVERSED)) } else { line }
        })
        .collect();
    let title = format!(" Event history ({} events) ", t.len());
    frame.render_widget(Paragraph::new(lines).block(block(title)), area);
}

fn draw_workers(frame: &mut Frame, area: Rect, app: &App, status: &Status) {
    let holder = workers::holder(&app.timeline, status);
    let constraints: Vec<Constraint> = app.workers.iter().map(|_| Constraint::Ratio(1, app.workers.len() as u32)).collect();
    let areas = Layout::horizontal(constraints).split(area);
    for (worker, area) in app.workers.iter().zip(areas.iter()) {
        let activity = worker.activity(status);
        let color = match activity {
            Activity::Killed | Activity::Exited(_) => Color::Red,
            Activity::Running => Color::Green,
            Activity::Polling => Color::Yellow,
            Activity::Starting => Color::DarkGray,
        };
        let identity = worker.identity(&app.timeline);
        let pid = worker.pid.map(|p| format!("pid {p}")).unwrap_or_default();
        let mut lines = vec![Line::from(vec![
            Span::styled(activity.name(), Style::default().fg(color).bold()),
            Span::styled(format!(" · {}", identity.clone().unwrap_or(pid)), Style::default().fg(Color::Cyan)),
        ])];
        let holds = match (&holder, &identity) {
            (Some(Holder::Sticky { identity: owner, waiting: true }), Some(me)) if owner == me => {
                Some("its sticky queue holds the run")
            }
            (Some(Holder::Sticky { identity: owner, waiting: false }), Some(me)) if owner == me => {
                Some("next task goes to its sticky queue")
            }
            _ => None,
        };
        if let Some(text) = holds {
            let style = if matches!(activity, Activity::Killed | Activity::Exited(_)) { Color::Red } else { Color::Magenta };
            lines.push(Line::from(Span::styled(format!("◆ {text}"), Style::default().fg(style))));
        }
        let room = (area.height.saturating_sub(2) as usize).saturating_sub(lines.len());
        let skip = worker.logs.len().saturating_sub(room);
        for log in worker.logs.iter().skip(skip) {
            lines.push(Line::from(Span::styled(log.clone(), Style::default().fg(Color::Gray))));
        }
        let title = format!(" worker {} ", worker.number);
        frame.render_widget(Paragraph::new(lines).block(block(title)), *area);
    }
}

fn draw_status(frame: &mut Frame, area: Rect, app: &App, status: &Status) {
    let color = match status.execution_name() {
        "Running" => Color::Yellow,
        "Completed" => Color::Green,
        _ => Color::Red,
    };
    let mut spans = vec![
        Span::styled(format!(" {} ", status.execution_name()), Style::default().fg(Color::Black).bg(color)),
        Span::raw(if app.follow || status.history_length == app.timeline.len() {
            format!(" {} events", status.history_length)
        } else {
            format!(" event {} of {}", status.history_length, app.timeline.len())
        }),
    ];
    if let Some(message) = &app.message {
        spans.push(Span::styled(format!(" · {message}"), Style::default().fg(Color::LightCyan)));
    } else {
        let holder = workers::holder(&app.timeline, status);
        let mut phrases = status.pending_phrases();
        if let Some(Holder::Sticky { identity, waiting: true }) = holder
            && let Some(task) = phrases.iter_mut().find(|p| p.starts_with("workflow task queued"))
        {
            *task = format!("workflow task waits on {identity}'s sticky queue");
        }
        if let Some(outcome) = app.timeline.outcome().filter(|_| status.execution_name() != "Running") {
            phrases.push(outcome.summary.clone());
        }
        for p in phrases {
            spans.push(Span::raw(format!(" · {p}")));
        }
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn draw_keys(frame: &mut Frame, area: Rect, app: &App) {
    let keys: &[(&str, &str)] = if app.live {
        &[("←→", "step"), ("␣", "follow"), ("⏎", "detail"), ("k1", "kill"), ("s", "start"), ("r", "replay"), ("t", "terminate"), ("?", "help"), ("q", "quit")]
    } else {
        &[("←→", "step"), ("␣", "follow"), ("⏎", "detail"), ("n", "nondeterminism"), ("?", "help"), ("q", "quit")]
    };
    let mut spans = Vec::new();
    for (k, what) in keys {
        spans.push(Span::styled(format!(" {k}"), Style::default().fg(Color::Cyan).bold()));
        spans.push(Span::styled(format!(" {what}"), Style::default().fg(Color::DarkGray)));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// A rectangle centered in `area`, at most `width` x `height`.
fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h }
}

/// Everything between the title line and the keys line.
fn overlay_area(area: Rect) -> Rect {
    Rect { x: area.x, y: area.y + 1, width: area.width, height: area.height.saturating_sub(2) }
}

fn draw_help(frame: &mut Frame, area: Rect, app: &App) {
    let mut rows = vec![
        ("←/→ or j/k", "step through events (code and commands follow)"),
        ("space", "pause / follow new events"),
        ("Enter or d", "every attribute of the selected event"),
        ("n", "non-determinism: expected vs produced commands"),
        ("g / G", "first / last event"),
        ("r", "replay the history against the code"),
    ];
    if app.live {
        rows.extend([
            ("k then 1-9", "kill that worker (SIGKILL)"),
            ("s", "start another worker"),
            ("t", "terminate the run (asks a reason)"),
        ]);
    }
    rows.extend([("Esc", "close this window"), ("q / Ctrl-C", "quit (stops everything started)")]);
    let lines: Vec<Line> = rows
        .into_iter()
        .map(|(k, v)| Line::from(vec![Span::styled(format!("{k:<12}"), Style::default().fg(Color::Cyan).bold()), Span::raw(v)]))
        .collect();
    let popup = centered(area, 66, lines.len() as u16 + 2);
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(lines).block(block(" Keys ")), popup);
}

fn draw_detail(frame: &mut Frame, area: Rect, app: &App) {
    let Some(index) = app.selected_index() else { return };
    let t = &app.timeline;
    let detail = EventDetail::new(&t.events[index], t.start_time().unwrap_or_default());
    let key_width = detail.fields.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0).min(24);
    let lines: Vec<Line> = detail
        .fields
        .iter()
        .map(|(k, v)| {
            Line::from(vec![
                Span::styled(format!("{k:<key_width$} "), Style::default().fg(Color::Cyan)),
                Span::raw(v.clone()),
            ])
        })
        .collect();
    let popup = overlay_area(area);
    let title = Line::from(vec![
        Span::raw(" "),
        Span::styled(detail.title.clone(), type_style(&t.rows[index])),
        Span::styled(" (Esc closes, ↑/↓ scroll) ", Style::default().fg(Color::DarkGray)),
    ]);
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }).scroll((app.detail_scroll, 0)).block(block(title)), popup);
}

fn side_text(side: &Option<NdeSide>, with_id: bool) -> String {
    match side {
        None => "(nothing)".into(),
        Some(s) => {
            let id = match s.event_id {
                Some(id) if with_id => format!("{id} "),
                _ => String::new(),
            };
            format!("{id}{}", s.description)
        }
    }
}

fn side_location(side: &Option<NdeSide>, app: &App) -> Option<String> {
    let loc = side.as_ref()?.location.as_ref()?;
    let code = app
        .sources
        .file(&loc.file)
        .and_then(|(_, lines)| lines.get(loc.line as usize - 1))
        .map(|l| format!(" {}", l.trim()))
        .unwrap_or_default();
    Some(format!("{}:{}{}", short_file(&loc.file), loc.line, code))
}

fn short_file(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn draw_nde(frame: &mut Frame, area: Rect, app: &App, report: &NdeReport) {
    let popup = overlay_area(area);
    let inner = popup.width.saturating_sub(2) as usize;
    let half = inner.saturating_sub(4) / 2;
    let mut lines = vec![
        Line::from(Span::styled(report.headline.clone(), Style::default().fg(Color::Red).bold())),
        Line::raw(""),
        Line::from(vec![
            Span::raw("   "),
            Span::styled(format!("{:<half$}", "expected (history)"), Style::default().bold()),
            Span::raw(" "),
            Span::styled("produced (code)", Style::default().bold()),
        ]),
    ];
    for row in &report.rows {
        let (mark, color) = if row.matches { ("✓", Color::Green) } else { ("✗", Color::Red) };
        lines.push(Line::from(vec![
            Span::styled(format!(" {mark} "), Style::default().fg(color).bold()),
            Span::raw(format!("{:<half$}", truncate(&side_text(&row.expected, true), half))),
            Span::raw(" "),
            Span::styled(truncate(&side_text(&row.produced, false), half), Style::default().fg(color)),
        ]));
        let exp = side_location(&row.expected, app).unwrap_or_default();
        let prod = side_location(&row.produced, app).unwrap_or_default();
        if !exp.is_empty() || !prod.is_empty() {
            lines.push(Line::from(vec![
                Span::raw("   "),
                Span::styled(format!("{:<half$}", truncate(&exp, half)), Style::default().fg(Color::DarkGray)),
                Span::raw(" "),
                Span::styled(truncate(&prod, half), Style::default().fg(Color::DarkGray)),
            ]));
        }
    }
    lines.push(Line::raw(""));
    for note in &report.notes {
        lines.push(Line::from(Span::styled(note.clone(), Style::default().fg(Color::Gray))));
    }
    let title = Line::from(vec![
        Span::styled(" Non-determinism ", Style::default().fg(Color::Red).bold()),
        Span::styled("(Esc closes) ", Style::default().fg(Color::DarkGray)),
    ]);
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }).block(block(title)), popup);
}

fn draw_terminate(frame: &mut Frame, area: Rect, reason: &str) {
    let popup = centered(area, 60, 5);
    let lines = vec![
        Line::raw("Reason (Enter terminates, Esc cancels):"),
        Line::from(vec![Span::styled(format!("> {reason}"), Style::default().bold()), Span::raw("█")]),
        Line::from(Span::styled(
            format!("empty: \"{}\"", super::app::DEFAULT_TERMINATE_REASON),
            Style::default().fg(Color::DarkGray),
        )),
    ];
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(lines).block(block(" Terminate the run ")), popup);
}

/// At most `width` characters, with `…` when cut.
pub fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut s: String = text.chars().take(width - 1).collect();
    s.push('…');
    s
}
