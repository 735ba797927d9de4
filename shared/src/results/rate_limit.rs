//! What the rate-limiting demo measures (outline section 8): the same stream of
//! operations, some slower than the period, paced by `tokio::time::interval` with each
//! `MissedTickBehavior` and by a token bucket: when each operation was due and started,
//! the gaps between starts, and the rate achieved against the target.

use serde::{Deserialize, Serialize};

/// One run: the same operations under each limiter in turn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateLimitResult {
    /// The target: one operation per period.
    pub period_ms: u32,
    /// Operations per limiter.
    pub ops: u32,
    /// Every this many-th operation is slow.
    pub slow_every: u32,
    /// How long a slow operation takes (longer than the period, unless set otherwise).
    pub slow_ms: u32,
    /// How long the other operations take.
    pub fast_ms: u32,
    /// The token bucket's capacity: how many operations it lets through back to back.
    pub bucket: u32,
    /// One entry per limiter, in the order they ran.
    pub limiters: Vec<LimiterRun>,
}

/// What paced the operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Limiter {
    /// `interval` with `MissedTickBehavior::Burst`: missed ticks fire at once, to catch up.
    IntervalBurst,
    /// `MissedTickBehavior::Delay`: after a missed tick, the next is a period after it.
    IntervalDelay,
    /// `MissedTickBehavior::Skip`: missed ticks are dropped; the next is on the grid.
    IntervalSkip,
    /// A token bucket: a token a period, at most `bucket` saved up.
    TokenBucket,
}

impl Limiter {
    /// How the page and the notices name it.
    pub fn label(self) -> &'static str {
        match self {
            Self::IntervalBurst => "interval, Burst",
            Self::IntervalDelay => "interval, Delay",
            Self::IntervalSkip => "interval, Skip",
            Self::TokenBucket => "token bucket",
        }
    }

    /// As the wire spells it (the page's `data-limiter`).
    pub fn id(self) -> &'static str {
        match self {
            Self::IntervalBurst => "interval_burst",
            Self::IntervalDelay => "interval_delay",
            Self::IntervalSkip => "interval_skip",
            Self::TokenBucket => "token_bucket",
        }
    }
}

/// One limiter's operations, on a fresh runtime.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LimiterRun {
    pub limiter: Limiter,
    /// One entry per operation, in order.
    pub ops: Vec<RateOp>,
    /// Events the recorder dropped because a buffer was full.
    pub events_dropped: u64,
}

impl LimiterRun {
    /// The time from each operation's start to the next one's.
    pub fn gaps_us(&self) -> Vec<u64> {
        self.ops
            .windows(2)
            .map(|w| w[1].started_us.saturating_sub(w[0].started_us))
            .collect()
    }

    /// From the first operation's start to the last one's.
    pub fn span_us(&self) -> u64 {
        match (self.ops.first(), self.ops.last()) {
            (Some(a), Some(b)) => b.started_us.saturating_sub(a.started_us),
            _ => 0,
        }
    }

    /// Operations started per second over the span (the first start to the last).
    pub fn achieved_per_s(&self) -> f64 {
        let starts = self.ops.len().saturating_sub(1) as f64;
        starts * 1e6 / self.span_us().max(1) as f64
    }
}

/// One operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateOp {
    /// With an interval: the tick's scheduled time (what `tick()` returned), from the
    /// limiter's start. `None` for the token bucket, which has no schedule.
    pub scheduled_us: Option<u64>,
    /// When it started, from the limiter's start.
    pub started_us: u64,
    /// How long it took.
    pub took_us: u64,
    /// One of the slow ones.
    pub slow: bool,
}
