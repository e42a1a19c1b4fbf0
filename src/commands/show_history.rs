//! `workshop show-history FILE`: draws any history file (ours or Temporal's, CLI or HTTP
//! JSON form) step by step on the interactive screen, or as colored lines with `--plain`
//! (automatic when stdout is not a terminal). Needs no server.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use workshop_protocol::history::History;

use crate::render::history_table;
use crate::viz::app::{Action, App};
use crate::viz::source::Sources;
use crate::viz::terminal::{self, Flow};
use crate::viz::{plain, timeline::Timeline};

#[derive(clap::Args)]
pub struct Args {
    /// The history file (`workshop workflow show --output json`, `temporal workflow show
    /// --output json`, or the HTTP API's `{"history":...}`).
    pub file: PathBuf,
    /// Print one colored line per event instead of the interactive screen.
    #[arg(long)]
    pub plain: bool,
    /// The worker crate whose `src/` the history's code locations point into (default:
    /// the current directory, when it has `src/workflow.rs`).
    #[arg(long, value_name = "DIR")]
    pub source: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let history = History::from_file(&args.file).map_err(|e| anyhow::anyhow!("{}: {e}", args.file.display()))?;
    if history.events.is_empty() {
        anyhow::bail!("{}: the history has no events", args.file.display());
    }
    if args.plain || !std::io::stdout().is_terminal() {
        print!("{}", history_table::render_table(&history.events));
        println!("{}", plain::outcome(&Timeline::new(&history)));
        return Ok(ExitCode::SUCCESS);
    }
    let name = args.file.file_name().map_or_else(|| args.file.display().to_string(), |n| n.to_string_lossy().into_owned());
    let mut app = App::new(name, history.events, chrono::Utc::now());
    app.sources = match &args.source {
        Some(dir) => Sources::from_crate_dir(dir),
        None if std::path::Path::new("src/workflow.rs").exists() => Sources::from_crate_dir(std::path::Path::new(".")),
        None => Sources::default(),
    };
    terminal::run(
        &mut app,
        |app| app.now = chrono::Utc::now(),
        |app, action| match action {
            Action::Quit => Flow::Quit,
            Action::Replay => {
                app.message = Some("replay needs workflow code: `workshop replay <exercise> FILE`".into());
                Flow::Continue
            }
            _ => Flow::Continue,
        },
        || false,
    )?;
    Ok(ExitCode::SUCCESS)
}
