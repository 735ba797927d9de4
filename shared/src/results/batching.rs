//! What the per-task-overhead demo measures (outline section 7): the same N tiny
//! operations run as one task per item, then as tasks of K items each for a few K. Each
//! way ran as a recorded part (its own runtime and timeline) and, on another fresh
//! runtime of the same shape, a few times without any recording.

use serde::{Deserialize, Serialize};

/// One run: the items, the runtime, and each way of splitting the items into tasks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchingResult {
    /// The tiny operations each way ran, every one exactly once.
    pub items: u32,
    /// Runtime workers: 0 = `current_thread`.
    pub workers: u32,
    /// What the items add up to when each is processed exactly once: every way's
    /// checksum must equal it.
    pub expected_checksum: u64,
    /// One entry per way, in the order they ran: items per task growing from 1.
    pub ways: Vec<BatchWay>,
}

/// One way of running the items: tasks of `batch` items each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchWay {
    /// Items per task; 1 is one task per item.
    pub batch: u32,
    /// Tasks that ran the items: `ceil(items / batch)`.
    pub item_tasks: u32,
    /// Recorded part: from the first spawn to the last join, in nanoseconds.
    pub wall_ns: u64,
    /// Recorded part: what the joined tasks' results added up to.
    pub checksum: u64,
    /// Recorded part: tasks spawned, the part's `main` task included.
    pub tasks: u32,
    pub polls: u64,
    /// Recorded part: every event the aggregator received (spawns, polls, wakes, ends,
    /// worker parks).
    pub events_recorded: u64,
    pub events_dropped: u64,
    /// The same code without any recording: the wall time of each round, fastest first.
    pub plain_wall_ns: Vec<u64>,
}

impl BatchWay {
    /// Recorded wall time per item, in nanoseconds.
    pub fn ns_per_item(&self, items: u32) -> f64 {
        self.wall_ns as f64 / f64::from(items.max(1))
    }

    /// The median plain round (the upper one of an even count; 0 for none).
    pub fn plain_median_ns(&self) -> u64 {
        let rounds = &self.plain_wall_ns;
        rounds.get(rounds.len() / 2).copied().unwrap_or(0)
    }

    /// Plain wall time per item of the median round, in nanoseconds.
    pub fn plain_ns_per_item(&self, items: u32) -> f64 {
        self.plain_median_ns() as f64 / f64::from(items.max(1))
    }

    /// Plain wall time per item of the fastest and the slowest round.
    pub fn plain_range_ns_per_item(&self, items: u32) -> (f64, f64) {
        let per_item = |ns: Option<&u64>| ns.copied().unwrap_or(0) as f64 / f64::from(items.max(1));
        (
            per_item(self.plain_wall_ns.first()),
            per_item(self.plain_wall_ns.last()),
        )
    }
}
