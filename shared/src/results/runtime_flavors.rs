//! What the runtime-flavours demo measures: the same workload on `current_thread`, then
//! on `multi_thread`, each part summarised from its recorded events.

use serde::{Deserialize, Serialize};

use crate::instrument::stats::WakeCounts;

/// Outline section 3: the same workload on `current_thread`, then on `multi_thread`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuntimeFlavorsResult {
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
    /// CPU time inside polls, over all tasks.
    pub busy_us: u64,
    pub wakes: WakeCounts,
    pub events_dropped: u64,
}

