//! Was the machine shared while a run ran? [`RunLoad`] carries what the server saw, and
//! turns it into a sentence the page can show under the result.
//!
//! Two things can make a run's timings longer than its work:
//! - other runs on the same server at the same time, competing for the same cores;
//! - anything else on the machine. The run's own threads tell that one: Linux counts, per
//!   thread, the time it was *runnable but not running* (waiting on a CPU's run queue,
//!   descheduled). A thread that sleeps (a parked worker) does not count; a thread that
//!   had work and no CPU does. When that wait is a noticeable share of the threads' CPU
//!   time, a poll that looks long may have been a poll that waited for a CPU.
//!
//! Units are in the field names (`_us`: microseconds). Pure data and arithmetic: no I/O,
//! so it compiles for the browser too.

use serde::{Deserialize, Serialize};

/// Run-queue wait above this share of the threads' CPU time marks the machine as shared.
///
/// Why a tenth: every number a demo shows is a wall-clock interval (a poll's length, a
/// scheduling delay) on these threads. Waiting for a CPU stretches those intervals by up
/// to the wait's share of the work, so at a tenth a figure may be a tenth too long, which
/// is the size of the differences the demos' comparisons point at. An idle machine's
/// wake-up latency stays well under it (a few microseconds per wake-up).
pub const SHARED_WAIT_SHARE: f64 = 0.10;

/// Below this much run-queue wait in total, the machine is not called shared whatever the
/// share: a run that used a few milliseconds of CPU can read a large share from a handful
/// of ordinary wake-ups, which distort none of its figures visibly.
pub const SHARED_WAIT_FLOOR_US: u64 = 1_000;

/// What the server saw of the machine while a run ran.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunLoad {
    /// Other runs on the server (any session) whose time overlapped this run's: those in
    /// flight when it started plus those started while it ran.
    pub other_runs: u32,
    /// What the run's own threads went through; `None` where the OS does not tell
    /// (no `/proc/<thread>/schedstat`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threads: Option<ThreadLoad>,
}

/// The scheduler's figures for the threads of a run's runtimes, summed over its parts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadLoad {
    /// Threads measured (the hosting thread and each worker or blocking thread, per part).
    pub threads: u32,
    /// Time those threads spent running on a CPU, summed over the threads.
    pub cpu_us: u64,
    /// Time they spent runnable but waiting for a CPU, summed over the threads.
    pub run_queue_wait_us: u64,
    /// Wall-clock time of the parts they ran, summed over the parts.
    pub wall_us: u64,
}

impl ThreadLoad {
    /// Add another part's figures (or another thread's, with `wall_us` 0).
    pub fn add(&mut self, other: &ThreadLoad) {
        self.threads += other.threads;
        self.cpu_us += other.cpu_us;
        self.run_queue_wait_us += other.run_queue_wait_us;
        self.wall_us += other.wall_us;
    }

    /// Run-queue wait as a share of the time on a CPU (0 when nothing ran).
    pub fn wait_share(&self) -> f64 {
        if self.cpu_us == 0 {
            0.0
        } else {
            self.run_queue_wait_us as f64 / self.cpu_us as f64
        }
    }

    /// Did the threads wait for a CPU enough to stretch the run's timings?
    pub fn descheduled(&self) -> bool {
        self.run_queue_wait_us >= SHARED_WAIT_FLOOR_US && self.wait_share() > SHARED_WAIT_SHARE
    }
}

impl RunLoad {
    /// Should the page warn that the timings may be stretched by sharing? True if other
    /// runs overlapped, or the run's threads waited for a CPU (see [`ThreadLoad::descheduled`]).
    pub fn shared_machine(&self) -> bool {
        self.other_runs > 0 || self.threads.as_ref().is_some_and(ThreadLoad::descheduled)
    }

    /// One sentence with the figures, e.g. "2 other runs were in flight; this run's
    /// threads waited 14.2 ms for a CPU, 9 % of their 150.0 ms on a CPU."
    pub fn sentence(&self) -> String {
        let runs = match self.other_runs {
            0 => "No other run was in flight".to_owned(),
            1 => "1 other run was in flight".to_owned(),
            n => format!("{n} other runs were in flight"),
        };
        let threads = match &self.threads {
            Some(t) => format!(
                "this run's threads waited {} for a CPU, {} % of their {} on a CPU",
                format_ms(t.run_queue_wait_us),
                format_percent(t.wait_share()),
                format_ms(t.cpu_us),
            ),
            None => {
                "this server cannot tell whether this run's threads waited for a CPU".to_owned()
            }
        };
        format!("{runs}; {threads}.")
    }
}

/// Milliseconds with one decimal: "14.2 ms".
pub fn format_ms(us: u64) -> String {
    format!("{:.1} ms", us as f64 / 1000.0)
}

/// A share as a whole percentage: 0.093 → "9".
pub fn format_percent(share: f64) -> String {
    format!("{:.0}", share * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn threads(cpu_us: u64, run_queue_wait_us: u64) -> Option<ThreadLoad> {
        Some(ThreadLoad {
            threads: 3,
            cpu_us,
            run_queue_wait_us,
            wall_us: 200_000,
        })
    }

    #[test]
    fn a_lone_run_with_little_wait_is_not_shared() {
        let load = RunLoad {
            other_runs: 0,
            threads: threads(150_000, 2_000),
        };
        assert!(!load.shared_machine());
        assert_eq!(
            load.sentence(),
            "No other run was in flight; this run's threads waited 2.0 ms for a CPU, \
             1 % of their 150.0 ms on a CPU."
        );
    }

    #[test]
    fn other_runs_make_it_shared_whatever_the_threads_say() {
        let load = RunLoad {
            other_runs: 2,
            threads: threads(150_000, 14_200),
        };
        assert!(load.shared_machine());
        assert_eq!(
            load.sentence(),
            "2 other runs were in flight; this run's threads waited 14.2 ms for a CPU, \
             9 % of their 150.0 ms on a CPU."
        );
        let one = RunLoad {
            other_runs: 1,
            threads: None,
        };
        assert!(one.shared_machine());
        assert!(one.sentence().starts_with("1 other run was in flight;"));
    }

    #[test]
    fn waiting_above_the_share_makes_a_lone_run_shared() {
        let load = RunLoad {
            other_runs: 0,
            threads: threads(100_000, 10_001),
        };
        assert!(load.shared_machine());
        // Exactly at the share is not above it.
        let at = RunLoad {
            other_runs: 0,
            threads: threads(100_000, 10_000),
        };
        assert!(!at.shared_machine());
    }

    #[test]
    fn a_large_share_of_a_tiny_wait_is_not_shared() {
        let load = RunLoad {
            other_runs: 0,
            threads: threads(2_000, SHARED_WAIT_FLOOR_US - 1),
        };
        assert!(load.threads.as_ref().unwrap().wait_share() > SHARED_WAIT_SHARE);
        assert!(!load.shared_machine());
    }

    #[test]
    fn without_thread_figures_it_says_it_cannot_tell() {
        let load = RunLoad::default();
        assert!(!load.shared_machine());
        assert_eq!(
            load.sentence(),
            "No other run was in flight; this server cannot tell whether this run's \
             threads waited for a CPU."
        );
    }

    #[test]
    fn no_cpu_time_means_no_share() {
        let t = ThreadLoad::default();
        assert_eq!(t.wait_share(), 0.0);
        assert!(!t.descheduled());
    }

    #[test]
    fn adding_sums_every_field() {
        let mut t = threads(1, 2).unwrap();
        t.add(&threads(10, 20).unwrap());
        assert_eq!(
            t,
            ThreadLoad {
                threads: 6,
                cpu_us: 11,
                run_queue_wait_us: 22,
                wall_us: 400_000,
            }
        );
    }
}
