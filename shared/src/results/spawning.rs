//! What the spawning demo measures: spawn → first poll and wake → poll delays as N grows.

use serde::{Deserialize, Serialize};

use super::Histogram;

/// Outline section 3: spawn N tasks and measure how long they wait to be polled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpawningResult {
    pub workers: u32,
    /// One entry per part: N grows part by part.
    pub parts: Vec<SpawnBatch>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpawnBatch {
    pub tasks: u32,
    /// From the first spawn to the last task's completion.
    pub wall_us: u64,
    /// Spawn → first poll, over the tasks.
    pub first_poll_p50_us: u64,
    pub first_poll_p99_us: u64,
    pub first_poll_max_us: u64,
    /// Every task's spawn → first poll delay, bucketed: the samples the percentiles come
    /// from.
    #[serde(default)]
    pub first_poll_histogram: Histogram,
    /// Wake → poll (time spent scheduled after a wake), over all wakes of all tasks.
    pub wake_to_poll_p50_us: u64,
    pub wake_to_poll_p99_us: u64,
    pub events_dropped: u64,
}

