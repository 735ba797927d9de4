//! CPU work inside a poll, and the calling thread's own CPU clock.
//!
//! `burn_cpu` spins for a stretch of wall-clock time; `burn_cpu_time` spins until the
//! thread has *used* a stretch of CPU time, so a job that shares a core with others takes
//! longer instead of doing less. The thread's CPU clock is Linux's per-thread scheduler
//! statistics (`/proc/thread-self/schedstat`, nanoseconds on a CPU); where that file does
//! not exist, [`thread_cpu_time`] says so with `None` and callers fall back to wall time.

use std::time::{Duration, Instant};

/// How often a CPU-time spin looks at the thread's CPU clock (reading it is a file read).
const CPU_CLOCK_CHECK: Duration = Duration::from_micros(100);

/// Keep this thread busy for `duration` of wall-clock time: CPU work inside a poll. While
/// it spins, the worker running it can do nothing else, which is the point the demos make.
pub fn burn_cpu(duration: Duration) {
    let started = Instant::now();
    while started.elapsed() < duration {
        std::hint::spin_loop();
    }
}

/// CPU time this thread has used since it started, if the OS tells.
pub fn thread_cpu_time() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// Spin until this thread has used `cpu` of CPU time (or, without a thread CPU clock,
/// until `cpu` of wall time has passed). Returns the CPU time it used as measured, which
/// is `cpu` rounded up to the next clock check.
pub fn burn_cpu_time(cpu: Duration) -> Duration {
    let Some(start) = thread_cpu_time() else {
        burn_cpu(cpu);
        return cpu;
    };
    loop {
        burn_cpu(CPU_CLOCK_CHECK.min(cpu));
        let used = thread_cpu_time().map_or(cpu, |now| now.saturating_sub(start));
        if used >= cpu {
            return used;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cpu_time_burn_uses_at_least_what_it_was_asked() {
        let asked = Duration::from_millis(5);
        let started = Instant::now();
        let used = burn_cpu_time(asked);
        assert!(used >= asked, "{used:?}");
        // CPU time cannot run ahead of wall time on one thread.
        assert!(started.elapsed() >= asked);
        if let (Some(a), Some(b)) = (thread_cpu_time(), thread_cpu_time()) {
            assert!(b >= a, "the thread's CPU clock is monotonic");
        }
    }
}
