//! Which runs overlapped which: a server-wide count of runs in flight, so each run can say
//! how many other runs shared the machine with it.
//!
//! A run's overlap is the runs already in flight when it started plus the runs started
//! before it ended. Both come from one small record under a mutex, taken only to start or
//! end a run (never across an `.await`), so two runs that start at the same time always
//! count each other: whichever takes the lock second sees the first in flight, and the
//! first sees the second in the started count.
//!
//! The lowest layer: it uses nothing of the crate.

use std::sync::{Arc, Mutex, PoisonError};

/// Server-wide: how many runs are in flight and how many have started, ever.
#[derive(Debug, Default)]
pub struct Overlaps {
    record: Mutex<Record>,
}

#[derive(Debug, Default)]
struct Record {
    in_flight: u32,
    started: u64,
}

impl Overlaps {
    /// A run starts: count it in flight until the returned guard drops.
    pub fn start(self: &Arc<Self>) -> InFlight {
        let mut r = self.lock();
        let before = r.in_flight;
        r.in_flight += 1;
        r.started += 1;
        InFlight {
            overlaps: self.clone(),
            in_flight_at_start: before,
            started_at_start: r.started,
        }
    }

    /// Runs in flight now.
    pub fn in_flight(&self) -> u32 {
        self.lock().in_flight
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Record> {
        // The record is two counters updated together; a panic cannot leave it half-done.
        self.record.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// One run in flight; dropping it (however the run ends) takes it out of the count.
#[derive(Debug)]
pub struct InFlight {
    overlaps: Arc<Overlaps>,
    in_flight_at_start: u32,
    started_at_start: u64,
}

impl InFlight {
    /// Other runs that overlapped this one so far: in flight when it started, plus started
    /// since.
    pub fn other_runs(&self) -> u32 {
        let started_since = self.overlaps.lock().started - self.started_at_start;
        self.in_flight_at_start
            .saturating_add(u32::try_from(started_since).unwrap_or(u32::MAX))
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.overlaps.lock().in_flight -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lone_run_overlaps_nothing() {
        let o = Arc::new(Overlaps::default());
        let a = o.start();
        assert_eq!(a.other_runs(), 0);
        drop(a);
        assert_eq!(o.in_flight(), 0);
        // A run after it ended does not overlap it either.
        assert_eq!(o.start().other_runs(), 0);
    }

    #[test]
    fn overlapping_runs_count_each_other() {
        let o = Arc::new(Overlaps::default());
        let a = o.start();
        let b = o.start();
        assert_eq!(a.other_runs(), 1, "b started while a ran");
        assert_eq!(b.other_runs(), 1, "a was in flight when b started");
        drop(b);
        // b ended, but it did overlap a.
        assert_eq!(a.other_runs(), 1);
        let c = o.start();
        assert_eq!(a.other_runs(), 2);
        assert_eq!(c.other_runs(), 1, "only a was in flight");
        assert_eq!(o.in_flight(), 2);
    }
}
