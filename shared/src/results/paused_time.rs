//! What the paused-time demo measures (outline section 9): the retry code of section 8
//! run on a `current_thread` runtime whose clock starts paused, each attempt and each
//! sleep timed on Tokio's clock (virtual: it jumps to the next timer when the runtime is
//! idle) and on the machine's (real).

use serde::{Deserialize, Serialize};

use super::BackoffKind;

/// One run: the same failing server, retried under each policy, on a paused clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PausedTimeResult {
    /// Requests the server fails (answers 503) before it answers 200.
    pub failures: u32,
    /// The backoff's unit: linear waits `n × base`, exponential `base × 2^(n-1)`.
    pub base_ms: u32,
    /// No exponential delay is longer than this (before jitter).
    pub cap_ms: u32,
    /// Attempts before the client gives up.
    pub max_attempts: u32,
    /// The seed of the jitter's pseudo-random numbers.
    pub seed: u32,
    /// One entry per policy, in the order they ran (linear first).
    pub policies: Vec<PausedPolicy>,
}

/// One policy's retries, on a paused runtime with its own server inside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PausedPolicy {
    pub backoff: BackoffKind,
    /// One entry per attempt, in order.
    pub attempts: Vec<PausedAttempt>,
    /// The last attempt got a 200.
    pub succeeded: bool,
    /// From the first attempt's start to the last one's end, on Tokio's clock.
    pub virtual_total_us: u64,
    /// The same stretch on the machine's clock.
    pub real_total_us: u64,
    /// Requests the server read, counted by the server.
    pub server_requests: u32,
    /// Events the recorder dropped because a buffer was full.
    pub events_dropped: u64,
}

impl PausedPolicy {
    /// The delays the policy planned, added up.
    pub fn planned_us(&self) -> u64 {
        self.attempts.iter().map(|a| a.planned_delay_us).sum()
    }
}

/// One attempt, and the sleep before it, on both clocks. Times are from the first
/// attempt's start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PausedAttempt {
    /// 1 for the first.
    pub attempt: u32,
    /// The delay the policy planned before this attempt (0 for the first).
    pub planned_delay_us: u64,
    /// How far Tokio's clock moved across the sleep: the clock's auto-advance to the
    /// sleep's deadline (0 for the first).
    pub virtual_slept_us: u64,
    /// How long the same sleep took on the machine's clock.
    pub real_slept_us: u64,
    /// Tokio's clock when the attempt started: where the advance took it.
    pub virtual_started_us: u64,
    pub real_started_us: u64,
    /// How far Tokio's clock moved while the attempt talked to the server.
    pub virtual_took_us: u64,
    pub real_took_us: u64,
    /// The HTTP status the server answered, or 0 if the request failed without one.
    pub status: u16,
    /// The I/O error, if the request failed without a status.
    pub error: Option<String>,
}
