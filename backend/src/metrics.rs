//! Live counts of what the server holds open, reported by `/health`; tests use them to
//! prove nothing leaks.
//!
//! The lowest layer after [`crate::config`]: it uses only [`crate::overlap`], whose
//! registry of runs in flight it carries to every run.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::overlap::Overlaps;

/// Live counts. Shared by every session and run through an `Arc`.
#[derive(Debug, Default)]
pub struct Gauges {
    pub live_sessions: AtomicUsize,
    pub live_runs: AtomicUsize,
    /// Runs in flight server-wide, for each run's count of the others that overlapped it.
    pub overlaps: Arc<Overlaps>,
}

impl Gauges {
    pub fn live_sessions(&self) -> usize {
        self.live_sessions.load(Ordering::SeqCst)
    }

    pub fn live_runs(&self) -> usize {
        self.live_runs.load(Ordering::SeqCst)
    }
}

/// Increments a gauge for as long as it lives, however its owner ends (return, panic, abort).
pub struct GaugeGuard {
    gauges: Arc<Gauges>,
    pick: fn(&Gauges) -> &AtomicUsize,
}

impl GaugeGuard {
    pub fn new(gauges: Arc<Gauges>, pick: fn(&Gauges) -> &AtomicUsize) -> Self {
        pick(&gauges).fetch_add(1, Ordering::SeqCst);
        Self { gauges, pick }
    }
}

impl Drop for GaugeGuard {
    fn drop(&mut self) {
        (self.pick)(&self.gauges).fetch_sub(1, Ordering::SeqCst);
    }
}
