//! What scenarios measure and stream.
//!
//! Every number here was measured in a real run on the server; the browser only draws it.
//! Times are whole microseconds (`_us`) on the server's monotonic clock, relative to the
//! start named in each field's doc.

use serde::{Deserialize, Serialize};

use crate::instrument::stats::WakeCounts;

/// The final, measured outcome of a run, tagged by scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "scenario", rename_all = "snake_case")]
pub enum ScenarioResult {
    SeqVsConcurrent(SeqVsConcurrentResult),
    Echo(EchoResult),
    RuntimeFlavors(RuntimeFlavorsResult),
    Spawning(SpawningResult),
}

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
    /// Wake → poll (time spent scheduled after a wake), over all wakes of all tasks.
    pub wake_to_poll_p50_us: u64,
    pub wake_to_poll_p99_us: u64,
    pub events_dropped: u64,
}

/// Outline section 4: a real TCP echo server and its clients, every task recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EchoResult {
    /// Runtime the scenario ran on: 0 = `current_thread`, otherwise `multi_thread` workers.
    pub workers: u32,
    pub clients: u32,
    pub messages_per_client: u32,
    pub message_bytes: u32,
    /// Completed request/echo round trips.
    pub round_trips: u64,
    /// Wall time from the first client starting to the last one finishing.
    pub elapsed_us: u64,
    pub round_trips_per_sec: u64,
    /// Round-trip latency percentiles, measured by the clients.
    pub latency_p50_us: u64,
    pub latency_p99_us: u64,
    pub latency_max_us: u64,
    /// Totals over every recorded task (accept loop, connections, clients, main).
    pub tasks: u32,
    pub polls: u64,
    pub wakes: WakeCounts,
    pub events_recorded: u64,
    pub events_dropped: u64,
}

/// Outline section 1: the same two fetches awaited one after the other, then with `join!`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeqVsConcurrentResult {
    pub sequential: StrategyTiming,
    pub concurrent: StrategyTiming,
}

/// One way of awaiting the fetches, and how long it took end to end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StrategyTiming {
    /// Wall time from before the first fetch started to after the last one finished.
    pub total_us: u64,
    /// Each fetch, in the order they were written in the code.
    pub fetches: Vec<FetchTiming>,
}

/// One HTTP request to a loopback server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FetchTiming {
    /// Which server: `"a"` or `"b"`.
    pub server: String,
    /// How long that server waits before it answers.
    pub delay_ms: u64,
    /// When the fetch started, relative to the strategy's start.
    pub started_at_us: u64,
    /// How long the fetch took, measured by the client.
    pub elapsed_us: u64,
    /// Response bytes received (status line, headers and body).
    pub bytes: u64,
}

/// Which strategy a progress event belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    Sequential,
    Concurrent,
}

/// Something that happened during a run, streamed while it runs. `at_us` is relative to
/// the run's start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ProgressEvent {
    /// A phase of the run began, e.g. the servers are listening or a strategy starts.
    Phase { at_us: u64, name: String },
    FetchStarted {
        at_us: u64,
        strategy: Strategy,
        server: String,
    },
    FetchFinished {
        at_us: u64,
        strategy: Strategy,
        server: String,
        elapsed_us: u64,
    },
}

impl ProgressEvent {
    pub fn at_us(&self) -> u64 {
        match self {
            Self::Phase { at_us, .. }
            | Self::FetchStarted { at_us, .. }
            | Self::FetchFinished { at_us, .. } => *at_us,
        }
    }
}
