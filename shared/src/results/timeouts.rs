//! What the timeouts demo measures (outline section 6): `tokio::time::timeout` around a
//! fetch from a slow loopback server, attempt by attempt: when the timeout returned, which
//! await point of the fetch it dropped (read from the recorded events), and what the
//! server saw of the connection.

use serde::{Deserialize, Serialize};

/// One run: the same timed-out (or not) fetch, `attempts.len()` times in turn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeoutsResult {
    /// The limit given to `timeout`.
    pub limit_ms: u32,
    /// How long the server waits, after reading a request, before it answers.
    pub server_delay_ms: u32,
    /// One entry per attempt, in the order they ran.
    pub attempts: Vec<TimeoutAttempt>,
    /// Events the recorder dropped because a buffer was full (the dropped-wait reading
    /// below may then miss its span).
    pub events_dropped: u64,
}

/// One `timeout(limit, fetch(server))`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeoutAttempt {
    /// The recorded task that ran this attempt.
    pub task: u32,
    pub limit_us: u64,
    /// From just before `timeout` was called to its return, measured by the client.
    pub elapsed_us: u64,
    /// `timeout` returned `Err(Elapsed)`: the limit passed before the fetch finished.
    pub timed_out: bool,
    /// The await point inside the fetch that the task was still waiting on when the
    /// timeout returned, so it was dropped mid-wait (from the recorded events: its wait
    /// ended after the timeout's own did, in the same poll). `None` when the fetch
    /// finished, or when nothing of it was waiting.
    pub dropped_wait: Option<String>,
    /// Bytes of the reply the fetch read (0 when it timed out).
    pub reply_bytes: u64,
    /// The server read the whole request head.
    pub server_read_request: bool,
    /// The server wrote its reply (its delay passed with the connection still open).
    pub server_replied: bool,
    /// The server saw the client close the connection before it wrote its reply.
    pub server_saw_close: bool,
    /// With `server_saw_close`: from the server reading the request to it seeing the close.
    pub server_close_after_us: Option<u64>,
}

impl TimeoutAttempt {
    /// How long after the limit the timeout returned (0 when it returned sooner).
    pub fn past_limit_us(&self) -> u64 {
        self.elapsed_us.saturating_sub(self.limit_us)
    }
}
