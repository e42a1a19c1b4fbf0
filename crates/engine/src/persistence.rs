//! SQLite persistence: events, the mutable state of each run, namespaces. WAL mode, one
//! connection (the single writer), `BEGIN IMMEDIATE` per state change.

use std::path::Path;

use anyhow::Context as _;
use rusqlite::{Connection, OptionalExtension, params};
use workshop_protocol::HistoryEvent;

use crate::state::{ExecKey, MutableState};

pub struct Persistence {
    conn: Connection,
}

/// One run's changes in a commit.
pub struct RunWrite<'a> {
    pub state: &'a MutableState,
    pub new_events: &'a [HistoryEvent],
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS namespaces (
    name TEXT PRIMARY KEY,
    description TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS executions (
    namespace TEXT NOT NULL,
    workflow_id TEXT NOT NULL,
    run_id TEXT NOT NULL,
    status TEXT NOT NULL,
    start_time TEXT NOT NULL,
    state TEXT NOT NULL,
    PRIMARY KEY (namespace, workflow_id, run_id)
);
CREATE TABLE IF NOT EXISTS events (
    namespace TEXT NOT NULL,
    workflow_id TEXT NOT NULL,
    run_id TEXT NOT NULL,
    event_id INTEGER NOT NULL,
    task_id INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (namespace, workflow_id, run_id, event_id)
) WITHOUT ROWID;
INSERT OR IGNORE INTO namespaces (name, description) VALUES ('default', 'the default namespace');
";

impl Persistence {
    pub fn open_file(path: &Path) -> anyhow::Result<Persistence> {
        if let Some(dir) = path.parent()
            && !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
            }
        let conn = Connection::open(path).with_context(|| format!("cannot open database {}", path.display()))?;
        // WAL + synchronous=NORMAL survives a killed process (our promise); power loss is out of scope.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        Self::init(conn).with_context(|| format!("database {} is not usable", path.display()))
    }

    pub fn open_in_memory() -> anyhow::Result<Persistence> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(conn: Connection) -> anyhow::Result<Persistence> {
        conn.execute_batch(SCHEMA)?;
        Ok(Persistence { conn })
    }

    pub fn namespaces(&self) -> anyhow::Result<Vec<(String, String)>> {
        let mut st = self.conn.prepare("SELECT name, description FROM namespaces ORDER BY name")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn insert_namespace(&mut self, name: &str, description: &str) -> anyhow::Result<()> {
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute("INSERT INTO namespaces (name, description) VALUES (?1, ?2)", params![name, description])?;
        tx.commit()?;
        Ok(())
    }

    pub fn load_states(&self) -> anyhow::Result<Vec<MutableState>> {
        let mut st = self.conn.prepare("SELECT state FROM executions")?;
        let rows = st.query_map([], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for row in rows {
            let text = row?;
            out.push(serde_json::from_str(&text).context("a stored execution state does not parse")?);
        }
        Ok(out)
    }

    pub fn max_task_id(&self) -> anyhow::Result<i64> {
        Ok(self.conn.query_row("SELECT COALESCE(MAX(task_id), 0) FROM events", [], |r| r.get(0))?)
    }

    /// Events `from..` (inclusive) of a run, at most `limit`.
    pub fn events(&self, key: &ExecKey, from: i64, limit: usize) -> anyhow::Result<Vec<HistoryEvent>> {
        let mut st = self.conn.prepare_cached(
            "SELECT data FROM events WHERE namespace=?1 AND workflow_id=?2 AND run_id=?3 AND event_id>=?4
             ORDER BY event_id LIMIT ?5",
        )?;
        let rows = st.query_map(params![key.ns, key.wid, key.rid, from, limit as i64], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for row in rows {
            let text = row?;
            out.push(HistoryEvent::from_value(serde_json::from_str(&text)?).map_err(anyhow::Error::msg)?);
        }
        Ok(out)
    }

    pub fn last_event(&self, key: &ExecKey) -> anyhow::Result<Option<HistoryEvent>> {
        let text: Option<String> = self
            .conn
            .query_row(
                "SELECT data FROM events WHERE namespace=?1 AND workflow_id=?2 AND run_id=?3 ORDER BY event_id DESC LIMIT 1",
                params![key.ns, key.wid, key.rid],
                |r| r.get(0),
            )
            .optional()?;
        match text {
            Some(t) => Ok(Some(HistoryEvent::from_value(serde_json::from_str(&t)?).map_err(anyhow::Error::msg)?)),
            None => Ok(None),
        }
    }

    /// Writes one state change (events and states of the runs it touched) in one transaction.
    pub fn commit(&mut self, runs: &[RunWrite]) -> anyhow::Result<()> {
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        {
            let mut ins_event = tx.prepare_cached(
                "INSERT INTO events (namespace, workflow_id, run_id, event_id, task_id, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            let mut upsert = tx.prepare_cached(
                "INSERT INTO executions (namespace, workflow_id, run_id, status, start_time, state) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (namespace, workflow_id, run_id) DO UPDATE SET status=excluded.status, state=excluded.state",
            )?;
            for run in runs {
                let k = &run.state.key;
                for e in run.new_events {
                    let data = serde_json::to_string(e)?;
                    ins_event.execute(params![k.ns, k.wid, k.rid, e.event_id, e.task_id, data])?;
                }
                let state = serde_json::to_string(run.state)?;
                upsert.execute(params![
                    k.ns,
                    k.wid,
                    k.rid,
                    run.state.status.as_str(),
                    workshop_protocol::json::format_timestamp(&run.state.start_time),
                    state
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }
}
