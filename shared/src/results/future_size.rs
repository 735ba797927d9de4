//! What the future-size demo measures (outline section 7): the size of three real futures
//! compiled in the backend (a buffer held across an `.await`, the same buffer dropped
//! before it, the buffer on the heap), and the memory T spawned tasks of each kind held.

use serde::{Deserialize, Serialize};

/// One run: the three kinds, each spawned `tasks` times.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FutureSizeResult {
    /// Tasks spawned and measured of each kind.
    pub tasks: u32,
    /// The buffer each future works on, in bytes.
    pub buffer_bytes: u32,
    /// Tasks of each kind spawned through the recorder afterwards, for the timeline (the
    /// measured ones are not recorded: the recorder's wrapper would add to what is measured).
    pub recorded_tasks: u32,
    /// One entry per kind, in the order they ran.
    pub kinds: Vec<KindRun>,
}

/// Where the future's buffer lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FutureKind {
    /// A stack array alive across the `.await`: it is stored in the future.
    Held,
    /// The same array in a block that ends before the `.await`: only its sum is stored.
    Dropped,
    /// The buffer in a `Vec` alive across the `.await`: the future stores the `Vec` (a
    /// pointer, a capacity, a length) and the bytes are on the heap.
    Boxed,
}

impl FutureKind {
    /// How the page and the notices name the kind.
    pub fn label(self) -> &'static str {
        match self {
            Self::Held => "array held across .await",
            Self::Dropped => "array dropped before .await",
            Self::Boxed => "Vec held across .await",
        }
    }
}

/// One kind's measurements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindRun {
    pub kind: FutureKind,
    /// `std::mem::size_of_val` of the future, as constructed before it was spawned.
    pub future_bytes: u64,
    /// `size_of_val` of the same future inside the recorder's task wrapper (the recorded
    /// tasks of the timeline).
    pub recorded_future_bytes: u64,
    /// Bytes allocated and not freed on the spawning thread, counted by the backend's
    /// counting allocator, from just before the first spawn to when every task was waiting
    /// at its `.await`.
    pub live_bytes: u64,
    /// Allocations made on the spawning thread over the same span.
    pub allocations: u64,
    /// From the first spawn to the last task waiting at its `.await`.
    pub spawn_us: u64,
    pub events_dropped: u64,
}

impl KindRun {
    /// Bytes one task held: [`KindRun::live_bytes`] ÷ the tasks spawned.
    pub fn bytes_per_task(&self, tasks: u32) -> u64 {
        self.live_bytes / u64::from(tasks.max(1))
    }

    /// Allocations per task, in hundredths (`200` = 2.00).
    pub fn allocations_per_task_x100(&self, tasks: u32) -> u64 {
        self.allocations * 100 / u64::from(tasks.max(1))
    }
}
