//! What the echo demo measures: round trips and their latency, and the recording's totals.

use serde::{Deserialize, Serialize};

use super::Histogram;
use crate::instrument::stats::WakeCounts;

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
    /// Every round trip's latency, bucketed: the samples the percentiles come from.
    /// Boxed: it would make this the largest result by far, and every `ScenarioResult`
    /// that large.
    #[serde(default)]
    pub latency_histogram: Box<Histogram>,
    /// Totals over every recorded task (accept loop, connections, clients, main).
    pub tasks: u32,
    pub polls: u64,
    pub wakes: WakeCounts,
    pub events_recorded: u64,
    pub events_dropped: u64,
}

