//! What the runtime-flavours demo measures: the same workload on `current_thread`, then
//! on `multi_thread`, each part summarised from its recorded events.

use serde::{Deserialize, Serialize};

use crate::instrument::stats::WakeCounts;

/// Outline section 3: the same workload on `current_thread`, then on `multi_thread`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuntimeFlavorsResult {
    /// The workload's tasks, as the learner asked (each part also records the echo
    /// server's accept loop, one connection task per workload task, and `main`).
    pub tasks_asked: u32,
    /// The cores the server's machine offers this process (0 when it does not say).
    pub cores: u32,
    /// One entry per part, in the order they ran (part 0 is `current_thread`).
    pub parts: Vec<FlavorRun>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlavorRun {
    /// 0 = `current_thread`.
    pub workers: u32,
    pub wall_us: u64,
    pub tasks: u32,
    pub polls: u64,
    /// Lanes (threads) that polled at least one task.
    pub lanes_used: u32,
    /// Polls per lane, by lane id, for the lanes that polled.
    pub polls_per_lane: Vec<u64>,
    /// Polls that ran on another worker than the task's previous poll.
    pub migrations: u64,
    /// Time inside polls (wall clock, so it includes a poll's waits for a core), over all
    /// tasks.
    pub busy_us: u64,
    /// CPU time the workload's bursts got, by each thread's own CPU clock; `None` when the
    /// machine offers no per-thread CPU clock. Over `wall_us`, the cores the part used.
    pub bursts_cpu_us: Option<u64>,
    pub wakes: WakeCounts,
    pub events_dropped: u64,
}


impl FlavorRun {
    /// The cores the part's bursts kept busy on average: their CPU time over the part's
    /// wall time (at most 1 on `current_thread`, at most the workers on `multi_thread`).
    pub fn cores_used(&self) -> Option<f64> {
        self.bursts_cpu_us
            .map(|cpu| cpu as f64 / self.wall_us.max(1) as f64)
    }
}
