//! What the retry-with-backoff demo measures (outline section 8): one client retrying a
//! loopback server that fails its first k requests, once with linear backoff and once
//! with exponential backoff and jitter, each attempt's sleep timed against the delay the
//! policy planned for it.

use serde::{Deserialize, Serialize};

/// One run: the same failing server, retried under each policy in turn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryBackoffResult {
    /// Requests the server fails (answers 503) before it answers 200.
    pub failures: u32,
    /// The backoff's unit: linear waits `n × base`, exponential `base × 2^(n-1)`.
    pub base_ms: u32,
    /// No exponential delay is longer than this (before jitter).
    pub cap_ms: u32,
    /// Attempts before the client gives up.
    pub max_attempts: u32,
    /// The seed of the jitter's pseudo-random numbers: the same seed, the same delays.
    pub seed: u32,
    /// One entry per policy, in the order they ran (linear first).
    pub policies: Vec<PolicyRun>,
}

/// How long a client waits after its n-th failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BackoffKind {
    /// `n × base`.
    Linear,
    /// `min(cap, base × 2^(n-1))`, of which half is waited for sure and the other half
    /// is cut by a random fraction ("equal jitter").
    ExponentialJitter,
}

impl BackoffKind {
    /// How the page and the notices name the policy.
    pub fn label(self) -> &'static str {
        match self {
            Self::Linear => "linear backoff",
            Self::ExponentialJitter => "exponential backoff with jitter",
        }
    }

    /// As the wire spells it (the pages' `data-backoff`).
    pub fn id(self) -> &'static str {
        match self {
            Self::Linear => "linear",
            Self::ExponentialJitter => "exponential_jitter",
        }
    }
}

/// One policy's retries against a fresh server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyRun {
    pub backoff: BackoffKind,
    /// One entry per attempt, in order.
    pub attempts: Vec<RetryAttempt>,
    /// The last attempt got a 200.
    pub succeeded: bool,
    /// From the first attempt's start to the last one's end.
    pub total_us: u64,
    /// Requests the server read, counted by the server.
    pub server_requests: u32,
    /// Events the recorder dropped because a buffer was full.
    pub events_dropped: u64,
}

impl PolicyRun {
    /// The delays the policy planned, added up.
    pub fn planned_us(&self) -> u64 {
        self.attempts.iter().map(|a| a.planned_delay_us).sum()
    }

    /// The sleeps as they really lasted, added up.
    pub fn slept_us(&self) -> u64 {
        self.attempts.iter().map(|a| a.slept_us).sum()
    }
}

/// One attempt, and the sleep before it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryAttempt {
    /// 1 for the first.
    pub attempt: u32,
    /// The delay the policy planned before this attempt (0 for the first).
    pub planned_delay_us: u64,
    /// How long the sleep before it really lasted, from before the `sleep` was made to
    /// after it returned (0 for the first).
    pub slept_us: u64,
    /// When the attempt was due, from the first attempt's start: the previous attempt's
    /// end plus the planned delay (0 for the first).
    pub scheduled_us: u64,
    /// When it started, on the same clock.
    pub started_us: u64,
    /// From its start to the server's answer (or the error).
    pub took_us: u64,
    /// The HTTP status the server answered, or 0 if the request failed without one.
    pub status: u16,
    /// The I/O error, if the request failed without a status.
    pub error: Option<String>,
}

impl RetryAttempt {
    /// How much longer the sleep lasted than planned (0 if it did not).
    pub fn late_us(&self) -> u64 {
        self.slept_us.saturating_sub(self.planned_delay_us)
    }
}
