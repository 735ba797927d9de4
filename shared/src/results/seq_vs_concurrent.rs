//! What the sequential-vs-concurrent demo measures: each fetch and each strategy's total.

use serde::{Deserialize, Serialize};

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

