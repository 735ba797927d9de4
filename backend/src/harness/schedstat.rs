//! How long a part's threads ran, and how long they waited for a CPU, from Linux's
//! per-thread scheduler statistics.
//!
//! `/proc/thread-self/schedstat` holds three numbers for the calling thread: nanoseconds
//! on a CPU, nanoseconds *runnable but waiting on a run queue* (descheduled while it had
//! work), and timeslices. A sleeping thread (a parked worker) is not runnable, so it adds
//! nothing to the wait: only wanting a CPU and not getting one does.
//!
//! Every thread of a part is new (the hosting thread, and the runtime's workers and
//! blocking threads), so a thread's figures since it started are all the part's. Each
//! thread reads its own once, as it stops: the runtime's `on_thread_stop` hook for the
//! workers and blocking threads, the hosting thread after shutting the runtime down. One
//! small file read per thread per part; nothing on the path of a poll.
//!
//! What it cannot see: time the whole machine is held off a CPU — a virtual machine's
//! vCPU descheduled by its host (steal time), or a container's group throttled at its CPU
//! quota — is neither on a CPU nor on a run queue, so the wait understates sharing there.
//!
//! Where the file does not exist (not Linux, or schedstats off), a part reports `None`.
//!
//! Uses only `shared`'s [`ThreadLoad`].

use std::sync::{Arc, Mutex, PoisonError};

use pollscope_shared::load::ThreadLoad;

/// One thread's scheduler figures since it started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedstat {
    pub cpu_ns: u64,
    pub run_queue_wait_ns: u64,
}

impl Schedstat {
    /// The figures of `/proc/thread-self/schedstat`'s text.
    pub fn parse(text: &str) -> Option<Self> {
        let mut fields = text.split_whitespace().map(str::parse::<u64>);
        let cpu_ns = fields.next()?.ok()?;
        let run_queue_wait_ns = fields.next()?.ok()?;
        Some(Self {
            cpu_ns,
            run_queue_wait_ns,
        })
    }

    /// The calling thread's figures, if the OS tells.
    pub fn of_this_thread() -> Option<Self> {
        Self::parse(&std::fs::read_to_string("/proc/thread-self/schedstat").ok()?)
    }
}

/// What the threads of one part reported as they stopped. Cheap to clone; shared by the
/// runtime's thread hooks and the hosting thread.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    inner: Arc<Mutex<Figures>>,
}

#[derive(Debug, Default)]
struct Figures {
    threads: u32,
    cpu_ns: u64,
    run_queue_wait_ns: u64,
    /// A thread could not read its figures: the part's total would be short.
    unknown: bool,
}

impl Tally {
    /// The calling thread is stopping: add its figures.
    pub fn this_thread_stops(&self) {
        let stat = Schedstat::of_this_thread();
        let mut f = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        match stat {
            Some(s) => {
                f.threads += 1;
                f.cpu_ns += s.cpu_ns;
                f.run_queue_wait_ns += s.run_queue_wait_ns;
            }
            None => f.unknown = true,
        }
    }

    /// The part's figures, with its wall time; `None` if any thread could not tell.
    pub fn total(&self, wall_us: u64) -> Option<ThreadLoad> {
        let f = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        (!f.unknown && f.threads > 0).then(|| ThreadLoad {
            threads: f.threads,
            cpu_us: f.cpu_ns / 1000,
            run_queue_wait_us: f.run_queue_wait_ns / 1000,
            wall_us,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_first_two_numbers() {
        assert_eq!(
            Schedstat::parse("123456 7890 42\n"),
            Some(Schedstat {
                cpu_ns: 123_456,
                run_queue_wait_ns: 7_890
            })
        );
        assert_eq!(Schedstat::parse("12"), None);
        assert_eq!(Schedstat::parse("x 1 2"), None);
    }

    #[test]
    fn threads_that_stop_add_up_and_cannot_exceed_their_wall_time() {
        let tally = Tally::default();
        let started = std::time::Instant::now();
        let threads: Vec<_> = (0..2)
            .map(|_| {
                let tally = tally.clone();
                std::thread::spawn(move || {
                    let spin = std::time::Instant::now();
                    while spin.elapsed() < std::time::Duration::from_millis(5) {
                        std::hint::spin_loop();
                    }
                    tally.this_thread_stops();
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let wall_us = crate::harness::duration_us(started.elapsed());
        let Some(load) = tally.total(wall_us) else {
            // No schedstat here (not Linux): the tally says it cannot tell.
            assert!(Schedstat::of_this_thread().is_none());
            return;
        };
        assert_eq!(load.threads, 2);
        // Each spun: it was on a CPU for some of it. (Not "on a CPU or waiting for one
        // for all of it": time the whole machine is held off a CPU is neither.)
        assert!(load.cpu_us > 0, "{load:?}");
        // No thread can run or wait longer than it lived.
        assert!(
            load.cpu_us + load.run_queue_wait_us <= 2 * wall_us + 2_000,
            "{load:?}"
        );
    }

    #[test]
    fn a_thread_without_figures_makes_the_part_unknown() {
        let tally = Tally::default();
        assert_eq!(tally.total(10), None, "no thread reported");
        tally.inner.lock().unwrap().unknown = true;
        tally.inner.lock().unwrap().threads = 1;
        assert_eq!(tally.total(10), None);
    }
}
