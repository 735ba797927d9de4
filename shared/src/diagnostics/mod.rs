//! Warnings computed from a recording: what a learner should look at, and why.
//!
//! Each diagnostic names the event it is about (its index in the part's events, so the
//! timeline can move its playhead there), the task and lane involved, and the measured
//! numbers. They are pure functions of the events, computed the same way in the browser
//! and in tests:
//! - **long poll**: one poll held its thread for longer than a threshold. Nothing else
//!   runs on that worker meanwhile: every task queued there waits for it.
//! - **scheduling delay**: a task was woken (or spawned) and waited longer than a
//!   threshold for a worker to poll it; the polls that held the workers meanwhile are
//!   named, longest overlap first.
//! - **slow first poll**: the same, from spawn to first poll.
//! - **self-wakes**: most of a task's wakes came from the task itself (a busy loop
//!   through `yield_now`, or a future that wakes itself when it cannot progress).
//! - **lost wake**: a task returned `Pending` while no waker of it was left anywhere (or
//!   its last one was dropped while it waited), so nothing could ever wake it again.
//! - **blocking pool queue**: blocking work waited for a thread of the blocking pool.
//!
//! Thresholds are parameters ([`Thresholds`]); the defaults are explained there.
//!
//! Layout: `findings` (what a diagnostic says, and its sentence), `top` (keeping the most
//! severe few of each kind, bounded), `watch` (the fold over events). Uses only
//! [`crate::instrument::event`].

mod findings;
mod top;
mod watch;

pub use findings::{Diagnostic, Finding, FindingKind, Holder, LaneRef, TaskRef, format_ns};
pub use watch::{Report, Watch};

use crate::instrument::event::Event;

/// When a measurement becomes a warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    /// A poll at least this long is a long poll.
    ///
    /// Default 1 ms. tokio-metrics calls a poll slow at 50 µs, the right bar for a
    /// production service. Here it would flag ordinary polls on a shared two-core machine,
    /// where the scheduler taking a core away from a thread mid-poll adds its time slice
    /// to the poll, and the demos' deliberate CPU bursts of a few hundred µs; a learner
    /// drowned in warnings learns nothing. 1 ms is 20× that bar, a delay a user of an
    /// interactive service can notice when a few of them queue up, and well below the
    /// blocking calls the demos show (tens of ms).
    pub long_poll_ns: u64,
    /// A woken task that waits at least this long for its poll is delayed. Default 1 ms,
    /// for the same reasons: a task's wait is usually some other task's long poll.
    pub scheduling_delay_ns: u64,
    /// Spawn to first poll at least this long is slow. Default 1 ms.
    pub first_poll_ns: u64,
    /// Blocking work that waits at least this long for a pool thread. Default 1 ms:
    /// starting a new pool thread takes tens of µs, so a longer wait means every thread
    /// was busy and the pool was at its limit.
    pub blocking_queue_ns: u64,
    /// A task needs at least this many wakes before its self-wake share counts (a task
    /// that yields once is not a busy loop). Default 10.
    pub self_wake_min_wakes: u32,
    /// A task waiting with no waker left for at least this long is reported. Default
    /// 10 ms, so that a waker handed over between two owners (dropped by one just after the
    /// other cloned it, recorded out of order by a few µs) is not a false alarm.
    pub lost_wake_ns: u64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            long_poll_ns: 1_000_000,
            scheduling_delay_ns: 1_000_000,
            first_poll_ns: 1_000_000,
            blocking_queue_ns: 1_000_000,
            self_wake_min_wakes: 10,
            lost_wake_ns: 10_000_000,
        }
    }
}

/// Every diagnostic of one part's events, with the default thresholds unless given.
pub fn diagnose(events: &[Event], thresholds: Thresholds) -> Report {
    let mut watch = Watch::new(thresholds);
    for (index, event) in events.iter().enumerate() {
        watch.apply(index, event);
    }
    watch.report()
}

#[cfg(test)]
mod tests;
