//! What the lint reports: one `Finding` per hazard, classified by `Rule`, each rule with
//! why it breaks replay and the `ctx` counterpart to use instead.

use std::fmt;
use std::path::PathBuf;

/// A kind of non-determinism in workflow code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// `SystemTime::now`, `Instant::now`, `chrono::Utc::now`, ...
    WallClock,
    /// `thread::sleep`, anything in `tokio::time`.
    Sleep,
    /// `tokio::spawn`, `std::thread::spawn`, `thread::Builder`, runtimes.
    Thread,
    /// `rand::*`, `thread_rng`, `Uuid::new_v4`.
    Random,
    /// Iterating a `HashMap`/`HashSet`.
    HashIteration,
    /// `tokio::select!` / `futures::select!` without `biased;`.
    UnbiasedSelect,
    /// Files, network, environment, processes.
    Io,
}

impl Rule {
    pub const ALL: [Rule; 7] = [
        Rule::WallClock,
        Rule::Sleep,
        Rule::Thread,
        Rule::Random,
        Rule::HashIteration,
        Rule::UnbiasedSelect,
        Rule::Io,
    ];

    /// Kebab-case name, as printed and as written in test fixtures.
    pub fn name(self) -> &'static str {
        match self {
            Rule::WallClock => "wall-clock",
            Rule::Sleep => "sleep",
            Rule::Thread => "thread",
            Rule::Random => "random",
            Rule::HashIteration => "hash-iteration",
            Rule::UnbiasedSelect => "unbiased-select",
            Rule::Io => "io",
        }
    }

    pub fn from_name(name: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|rule| rule.name() == name)
    }

    /// Why code of this kind breaks replay (completes "`<code>` ...").
    pub fn why(self) -> &'static str {
        match self {
            Rule::WallClock => {
                "reads the machine's clock: a replay sees another time than the original run did and can take another branch"
            }
            Rule::Sleep => {
                "waits on the machine's timer, not a durable timer: nothing is recorded in history, a worker restart loses the wait, and every replay waits again"
            }
            Rule::Thread => {
                "runs work outside the workflow's deterministic executor: its results and their timing are not recorded in history"
            }
            Rule::Random => {
                "draws a new random value on every run: a replay takes other decisions than the original run"
            }
            Rule::HashIteration => {
                "has an order randomized per process: a replay can visit its entries in another order and issue commands in another order"
            }
            Rule::UnbiasedSelect => {
                "picks a random branch when several are ready: on replay another branch can win"
            }
            Rule::Io => {
                "touches the outside world (files, network, environment, processes): the result is not in history, can differ on replay, and the side effect repeats on every replay"
            }
        }
    }

    /// The deterministic counterpart.
    pub fn suggestion(self) -> &'static str {
        match self {
            Rule::WallClock => {
                "use `ctx.now()`: the time of the current workflow task, recorded in history and the same on replay"
            }
            Rule::Sleep => {
                "use `ctx.sleep(duration).await`, or `ctx.timer(duration)` for a timer future to join or select on: a durable timer recorded in history"
            }
            Rule::Thread => {
                "run the work in an activity (`ctx.execute_activity(..)`), and run workflow futures concurrently with `ctx.join` / `ctx.select`"
            }
            Rule::Random => {
                "use `ctx.random()` (or `ctx.uuid()` for identifiers): seeded from history, the same on replay"
            }
            Rule::HashIteration => {
                "use a `BTreeMap`/`BTreeSet`, or collect the entries and sort them before iterating"
            }
            Rule::UnbiasedSelect => {
                "use `ctx.select(..)` (resolves in history order), or write `biased;` first so branches are polled in order"
            }
            Rule::Io => {
                "do it in an activity and call it with `ctx.execute_activity(..)`: its result is recorded in history"
            }
        }
    }

    /// A few words under the offending code.
    pub fn label(self) -> &'static str {
        match self {
            Rule::WallClock => "wall-clock time in workflow code",
            Rule::Sleep => "not a durable timer",
            Rule::Thread => "runs outside the workflow executor",
            Rule::Random => "random value not recorded in history",
            Rule::HashIteration => "iteration order differs between processes",
            Rule::UnbiasedSelect => "random branch choice",
            Rule::Io => "I/O in workflow code",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One hazard in workflow code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub file: PathBuf,
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    pub rule: Rule,
    /// The offending code (its first line when it spans several).
    pub snippet: String,
    /// What the code does and why that breaks replay.
    pub message: String,
    /// The `ctx` counterpart.
    pub suggestion: String,
    /// The whole source line the finding starts on, for rendering.
    pub source_line: String,
}
