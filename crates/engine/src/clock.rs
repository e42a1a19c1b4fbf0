//! Where the engine's time comes from: the system clock in the service, a virtual clock
//! that a test kit moves forward (time skipping).

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use tokio::sync::watch;

pub type BoxFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;
    /// Resolves once `now() >= deadline` (it may also resolve early; callers re-check).
    fn sleep_until(&self, deadline: DateTime<Utc>) -> BoxFuture;
    /// Resolves when the clock jumps (virtual clocks); never for the system clock.
    fn changed(&self) -> BoxFuture {
        Box::pin(std::future::pending())
    }
}

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
    fn sleep_until(&self, deadline: DateTime<Utc>) -> BoxFuture {
        let d = (deadline - Utc::now()).to_std().unwrap_or_default();
        Box::pin(tokio::time::sleep(d))
    }
}

/// A clock that only moves when told to (`advance`, `set`).
pub struct VirtualClock {
    now: Mutex<DateTime<Utc>>,
    tx: watch::Sender<DateTime<Utc>>,
}

impl VirtualClock {
    pub fn new(start: DateTime<Utc>) -> VirtualClock {
        let (tx, _) = watch::channel(start);
        VirtualClock { now: Mutex::new(start), tx }
    }
    /// Starts at the current system time.
    pub fn starting_now() -> VirtualClock {
        VirtualClock::new(Utc::now())
    }
    pub fn advance(&self, d: std::time::Duration) {
        let mut now = self.now.lock().unwrap();
        *now += chrono::Duration::from_std(d).unwrap_or_default();
        self.tx.send_replace(*now);
    }
    /// Moves to `t` (never backwards).
    pub fn set(&self, t: DateTime<Utc>) {
        let mut now = self.now.lock().unwrap();
        if t > *now {
            *now = t;
            self.tx.send_replace(*now);
        }
    }
}

impl Clock for VirtualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.lock().unwrap()
    }
    fn sleep_until(&self, deadline: DateTime<Utc>) -> BoxFuture {
        let mut rx = self.tx.subscribe();
        Box::pin(async move {
            loop {
                if *rx.borrow_and_update() >= deadline {
                    return;
                }
                if rx.changed().await.is_err() {
                    return std::future::pending().await;
                }
            }
        })
    }
    fn changed(&self) -> BoxFuture {
        let mut rx = self.tx.subscribe();
        rx.mark_unchanged();
        Box::pin(async move {
            if rx.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn virtual_sleep_wakes_on_advance() {
        let c = std::sync::Arc::new(VirtualClock::starting_now());
        let deadline = c.now() + chrono::Duration::seconds(10);
        let sleeper = tokio::spawn(c.sleep_until(deadline));
        c.advance(std::time::Duration::from_secs(5));
        tokio::task::yield_now().await;
        assert!(!sleeper.is_finished());
        c.advance(std::time::Duration::from_secs(5));
        tokio::time::timeout(std::time::Duration::from_secs(5), sleeper).await.unwrap().unwrap();
    }
}
