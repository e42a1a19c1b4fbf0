//! `workshop list`: the exercises, their status and overall progress.
//!
//! On a terminal it is an interactive screen (ratatui): move with ↑/↓, `enter`/`r` runs
//! the selected exercise, `c` checks it, `h` shows its hints, `x` resets it, `q` quits.
//! Without a terminal, or with `--plain`, it prints a table.

use std::io::{BufRead, IsTerminal};
use std::os::unix::process::CommandExt;
use std::process::{Command, ExitCode};

use crossterm::event::{self, Event, KeyCode, KeyEventKind};
use ratatui::layout::{Constraint, Layout};
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Gauge, Paragraph, Row, Table, TableState, Wrap};
use ratatui::{DefaultTerminal, Frame};

use crate::catalog::{self, Catalog};
use crate::progress::{Progress, Status};

#[derive(clap::Args)]
pub struct Args {
    /// Print a plain table instead of the interactive screen.
    #[arg(long)]
    pub plain: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let catalog = catalog::load()?;
    if args.plain || !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        print!("{}", plain(&catalog, &Progress::load(&catalog.root)));
        return Ok(ExitCode::SUCCESS);
    }
    interactive(&catalog)?;
    Ok(ExitCode::SUCCESS)
}

/// The table `--plain` prints.
pub fn plain(catalog: &Catalog, progress: &Progress) -> String {
    let current = progress.current(catalog).map(|e| e.name.clone());
    let width = catalog.exercises.iter().map(|e| e.name.len()).max().unwrap_or(8).max(8);
    let mut out = format!("   {:>2}  {:<width$}  {:<7}  {}\n", "#", "Exercise", "Status", "Title");
    for ex in &catalog.exercises {
        let marker = if current.as_deref() == Some(ex.name.as_str()) { ">>" } else { "  " };
        let status = match progress.status(&ex.name) {
            Status::Done => "done",
            Status::Pending => "pending",
        };
        out.push_str(&format!("{marker} {:>2}  {:<width$}  {:<7}  {}\n", ex.order, ex.name, status, ex.title));
    }
    let done = progress.done_count(catalog);
    out.push_str(&format!("\n{}\n", progress_bar(done, catalog.exercises.len(), 30)));
    if let Some(name) = current {
        out.push_str(&format!("Current exercise: {name} (exercises/{name}/README.md); check it with `workshop check`.\n"));
    }
    out
}

/// `Progress: [#####>-----] 3/7`.
pub fn progress_bar(done: usize, total: usize, width: usize) -> String {
    let filled = (done * width).checked_div(total).unwrap_or(0);
    let mut bar = "#".repeat(filled);
    if filled < width {
        bar.push('>');
        bar.push_str(&"-".repeat(width - filled - 1));
    }
    format!("Progress: [{bar}] {done}/{total}")
}

/// What the bottom panel of the screen shows.
enum Panel {
    Help,
    Hint(String),
    Message(String),
    ConfirmReset(String),
}

struct Screen {
    table: TableState,
    panel: Panel,
}

fn interactive(catalog: &Catalog) -> anyhow::Result<()> {
    let progress = Progress::load(&catalog.root);
    let start = progress
        .current(catalog)
        .and_then(|cur| catalog.exercises.iter().position(|e| e.name == cur.name))
        .unwrap_or(0);
    let mut screen = Screen { table: TableState::default().with_selected(Some(start)), panel: Panel::Help };
    let mut terminal = ratatui::init();
    let result = event_loop(&mut terminal, catalog, &mut screen);
    ratatui::restore();
    result
}

fn event_loop(terminal: &mut DefaultTerminal, catalog: &Catalog, screen: &mut Screen) -> anyhow::Result<()> {
    loop {
        let progress = Progress::load(&catalog.root);
        terminal.draw(|frame| draw(frame, catalog, &progress, screen))?;
        let Event::Key(key) = event::read()? else { continue };
        if key.kind != KeyEventKind::Press {
            continue;
        }
        let selected = screen.table.selected().unwrap_or(0).min(catalog.exercises.len().saturating_sub(1));
        let Some(exercise) = catalog.exercises.get(selected) else {
            if matches!(key.code, KeyCode::Char('q') | KeyCode::Esc) {
                return Ok(());
            }
            continue;
        };
        if let Panel::ConfirmReset(name) = &screen.panel {
            let name = name.clone();
            screen.panel = if key.code == KeyCode::Char('y') {
                match super::reset::reset(catalog, catalog.get(&name)?) {
                    Ok(n) => Panel::Message(format!("Restored {n} files of `{name}`.")),
                    Err(err) => Panel::Message(format!("Reset failed: {err:#}")),
                }
            } else {
                Panel::Message("Nothing changed.".into())
            };
            continue;
        }
        match key.code {
            KeyCode::Char('q') | KeyCode::Esc => return Ok(()),
            KeyCode::Down | KeyCode::Char('j') => screen.table.select_next(),
            KeyCode::Up | KeyCode::Char('k') => screen.table.select_previous(),
            KeyCode::Char('h') => screen.panel = Panel::Hint(strip_ansi(&super::hint::render(catalog, exercise))),
            KeyCode::Char('x') => screen.panel = Panel::ConfirmReset(exercise.name.clone()),
            KeyCode::Char('c') => {
                outside(terminal, &["check", &exercise.name])?;
                screen.panel = Panel::Help;
            }
            KeyCode::Enter | KeyCode::Char('r') => {
                outside(terminal, &["run", &exercise.name])?;
                screen.panel = Panel::Help;
            }
            _ => {}
        }
    }
}

/// Leaves the screen, runs `workshop <args>` in the plain terminal, waits for Enter, returns.
fn outside(terminal: &mut DefaultTerminal, args: &[&str]) -> anyhow::Result<()> {
    ratatui::restore();
    let mut cmd = Command::new(std::env::current_exe()?);
    cmd.args(args);
    // Ctrl-C is meant for the command, not for the list waiting behind it.
    // SAFETY: only resets a signal disposition between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            libc::signal(libc::SIGINT, libc::SIG_DFL);
            Ok(())
        });
    }
    // SAFETY: ignoring SIGINT in this process while the child runs; restored below.
    let previous = unsafe { libc::signal(libc::SIGINT, libc::SIG_IGN) };
    let status = cmd.status();
    // SAFETY: as above.
    unsafe {
        libc::signal(libc::SIGINT, previous);
    }
    if let Err(err) = status {
        println!("cannot run `workshop {}`: {err}", args.join(" "));
    }
    println!("\nPress Enter to return to the list.");
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    // A fresh alternate screen: nothing to clear.
    *terminal = ratatui::init();
    Ok(())
}

fn draw(frame: &mut Frame, catalog: &Catalog, progress: &Progress, screen: &mut Screen) {
    let [title, table_area, gauge_area, panel_area] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(8),
    ])
    .areas(frame.area());
    frame.render_widget(Line::from("Temporal 102 in Rust: exercises".bold()), title);

    let current = progress.current(catalog).map(|e| e.name.clone());
    let rows = catalog.exercises.iter().map(|ex| {
        let status = match progress.status(&ex.name) {
            Status::Done => Span::styled("DONE", Style::new().fg(Color::Green)),
            Status::Pending => Span::styled("PENDING", Style::new().fg(Color::Yellow)),
        };
        let marker = if current.as_deref() == Some(ex.name.as_str()) { ">>>" } else { "" };
        Row::new([
            Cell::from(Span::styled(marker, Style::new().fg(Color::Red))),
            Cell::from(ex.order.to_string()),
            Cell::from(ex.name.clone()),
            Cell::from(status),
            Cell::from(ex.title.clone()),
            Cell::from(ex.chapter.clone()),
        ])
    });
    let table = Table::new(
        rows,
        [
            Constraint::Length(3),
            Constraint::Length(3),
            Constraint::Length(22),
            Constraint::Length(8),
            Constraint::Fill(2),
            Constraint::Fill(1),
        ],
    )
    .header(Row::new(["", "#", "Exercise", "Status", "Title", "Course chapter"]).style(Style::new().bold()))
    .row_highlight_style(Style::new().add_modifier(Modifier::REVERSED))
    .block(Block::bordered());
    frame.render_stateful_widget(table, table_area, &mut screen.table);

    let done = progress.done_count(catalog);
    let total = catalog.exercises.len().max(1);
    let gauge = Gauge::default()
        .gauge_style(Style::new().fg(Color::Green).bg(Color::DarkGray))
        .ratio(done as f64 / total as f64)
        .label(format!("{done}/{} done", catalog.exercises.len()));
    frame.render_widget(gauge, gauge_area);

    let keys = "↑/↓ select · enter/r run · c check · h hint · x reset · q quit";
    let (title, text) = match &screen.panel {
        Panel::Help => ("Keys", keys.to_string()),
        Panel::Hint(text) => ("Hint", text.clone()),
        Panel::Message(text) => ("Keys", format!("{text}\n{keys}")),
        Panel::ConfirmReset(name) => ("Reset", format!("Reset `{name}` and discard your changes to it? y/n")),
    };
    let panel = Paragraph::new(text).wrap(Wrap { trim: false }).block(Block::bordered().title(title));
    frame.render_widget(panel, panel_area);
}

/// Drops the color codes `colored` put in text meant for a terminal.
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_bar_fills_proportionally() {
        assert_eq!(progress_bar(0, 4, 8), "Progress: [>-------] 0/4");
        assert_eq!(progress_bar(2, 4, 8), "Progress: [####>---] 2/4");
        assert_eq!(progress_bar(4, 4, 8), "Progress: [########] 4/4");
        assert_eq!(progress_bar(0, 0, 4), "Progress: [>---] 0/0");
    }

    #[test]
    fn strips_color_codes() {
        assert_eq!(strip_ansi("\u{1b}[1;36mHint 1:\u{1b}[0m text"), "Hint 1: text");
    }
}
