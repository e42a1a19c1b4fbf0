//! Every duration and limit of the engine in one place, so tests can shrink them.

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Settings {
    /// A long poll with no task answers `{}` after this long (real time).
    pub long_poll_timeout: Duration,
    /// A sticky queue nobody polled for this long is unavailable (Temporal: 10 s).
    pub sticky_unavailable_after: Duration,
    /// Workflow task start-to-close when the start request does not set one.
    pub workflow_task_timeout: Duration,
    /// Cap of the backoff between transient workflow task attempts.
    pub workflow_task_backoff_cap: Duration,
    /// Attempts after which the transient workflow task backoff starts to grow.
    pub workflow_task_backoff_after_attempts: i32,
    pub history_warn_events: usize,
    pub history_max_events: usize,
    pub history_max_bytes: u64,
    pub payload_max_bytes: usize,
    /// Events per page of history reads and poll responses.
    pub history_page_size: usize,
    /// Abort the process after this many commits (crash tests). Read from
    /// `WORKSHOP_CRASH_AFTER_COMMITS` by `with_env_overrides`.
    pub crash_after_commits: Option<u64>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            long_poll_timeout: Duration::from_secs(60),
            sticky_unavailable_after: Duration::from_secs(10),
            workflow_task_timeout: Duration::from_secs(10),
            workflow_task_backoff_cap: Duration::from_secs(10),
            workflow_task_backoff_after_attempts: 3,
            history_warn_events: 10_240,
            history_max_events: 51_200,
            history_max_bytes: 50 * 1024 * 1024,
            payload_max_bytes: 2 * 1024 * 1024,
            history_page_size: 1000,
            crash_after_commits: None,
        }
    }
}

impl Settings {
    /// Applies `WORKSHOP_CRASH_AFTER_COMMITS=N` (only processes that should crash read it).
    pub fn with_env_overrides(mut self) -> Self {
        if let Ok(v) = std::env::var("WORKSHOP_CRASH_AFTER_COMMITS")
            && let Ok(n) = v.trim().parse::<u64>() {
                self.crash_after_commits = Some(n);
            }
        self
    }

    /// Backoff before transient workflow task attempt `attempt` (2, 3, ...).
    pub fn workflow_task_backoff(&self, attempt: i32) -> Duration {
        let over = attempt - self.workflow_task_backoff_after_attempts;
        if over < 0 {
            return Duration::ZERO;
        }
        let secs = 1u64.checked_shl(over.min(20) as u32).unwrap_or(u64::MAX);
        Duration::from_secs(secs).min(self.workflow_task_backoff_cap)
    }
}
