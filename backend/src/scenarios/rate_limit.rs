//! Outline section 8 — rate limiting: `interval`'s missed-tick behaviours and a token
//! bucket.
//!
//! The same stream of operations, one after another, each started when the limiter
//! allows: one a period is the target. Most operations are quick; every n-th takes
//! longer than the period, so the limiter's next tick (or token) comes due while it is
//! still running. What happens then is the limiter's policy, and each part runs one, on
//! its own `current_thread` runtime: `tokio::time::interval` with
//! `MissedTickBehavior::Burst` (the ticks missed fire at once, until it has caught up
//! with its grid), `Delay` (the next tick is a period after the late one: the grid moves)
//! and `Skip` (the missed ticks are dropped: the next is the grid's next one), then a
//! token bucket (a token a period, at most `bucket` saved: after a slow operation, up to
//! `bucket` go back to back).
//!
//! An operation is a timer wait of its length, standing in for a request that takes that
//! long. Each operation's start is timed from the limiter's start, and with an interval
//! the tick's own scheduled time is kept too (what `tick()` returns): a tick never fires
//! before it, and its grid is what each behaviour keeps or moves.

use std::time::Duration;

use pollscope_shared::instrument::Probe;
use pollscope_shared::results::{Limiter, LimiterRun, RateLimitResult, RateOp};
use tokio::time::{Instant, MissedTickBehavior, interval, sleep, sleep_until};

use super::Scenario;
use crate::harness::{Keep, Part, RunContext, RuntimeSpec, ScenarioError, duration_us, run_part};

crate::params! {
    /// The target, the operations, and the bucket.
    pub struct RateLimitParams {
        /// Period (one operation each)
        period_ms: u32 [default 20, min 5, max 50, unit "ms"],
        /// Operations per limiter
        ops: u32 [default 20, min 4, max 30],
        /// Every n-th operation is slow
        slow_every: u32 [default 5, min 2, max 20],
        /// Slow operation
        slow_ms: u32 [default 50, min 1, max 150, unit "ms"],
        /// Other operations
        fast_ms: u32 [default 2, min 0, max 20, unit "ms"],
        /// Token bucket capacity
        bucket: u32 [default 3, min 1, max 10],
    }
}

pub struct RateLimit;

impl Scenario for RateLimit {
    type Params = RateLimitParams;
    type Output = RateLimitResult;
    const SECTION: u8 = 8;
    const TITLE: &'static str = "Rate limiting: interval's missed ticks and a token bucket";
    const SUMMARY: &'static str = "Operations, some longer than the period, paced by tokio::time::interval with Burst, Delay and Skip, and by a token bucket: the rate achieved and the gaps between them.";
    const SOURCE: (&'static str, &'static str) = (file!(), include_str!("rate_limit.rs"));

    async fn run(params: RateLimitParams, run: RunContext) -> Result<RateLimitResult, ScenarioError> {
        let work = Work::from(&params);
        let limiters = [
            Limiter::IntervalBurst,
            Limiter::IntervalDelay,
            Limiter::IntervalSkip,
            Limiter::TokenBucket,
        ];
        let mut runs = Vec::new();
        for (index, limiter) in (0..).zip(limiters) {
            run.phase(format!(
                "part {index}: {} operations paced by {}, one per {} ms",
                params.ops,
                limiter.label(),
                params.period_ms
            ));
            let part = Part {
                index,
                runtime: RuntimeSpec { workers: 0 },
                keep: Keep::Totals,
            };
            let measured = run_part(&run, part, move |probe| async move {
                match limiter {
                    Limiter::IntervalBurst => paced(&probe, work, MissedTickBehavior::Burst).await,
                    Limiter::IntervalDelay => paced(&probe, work, MissedTickBehavior::Delay).await,
                    Limiter::IntervalSkip => paced(&probe, work, MissedTickBehavior::Skip).await,
                    Limiter::TokenBucket => bucketed(&probe, work).await,
                }
            })
            .await?;
            runs.push(LimiterRun {
                limiter,
                ops: measured.output,
                events_dropped: measured.events_dropped,
            });
        }
        Ok(RateLimitResult {
            period_ms: params.period_ms,
            ops: params.ops,
            slow_every: params.slow_every,
            slow_ms: params.slow_ms,
            fast_ms: params.fast_ms,
            bucket: params.bucket,
            limiters: runs,
        })
    }
}

// [demo:start]
/// One operation per tick of an interval. `tick()` returns the time the tick was
/// scheduled for; when an operation outlasts the period, the next tick is already due,
/// and the missed-tick behaviour decides what the ticks after it are scheduled for.
async fn paced<P: Probe>(probe: &P, work: Work, behavior: MissedTickBehavior) -> Vec<RateOp> {
    let start = Instant::now();
    let mut ticks = interval(work.period);
    ticks.set_missed_tick_behavior(behavior);
    let mut ops = Vec::new();
    for i in 0..work.ops {
        let scheduled = probe.timer("tick", ticks.tick()).await;
        let op = operation(probe, &work, i, start).await;
        ops.push(RateOp { scheduled_us: Some(duration_us(scheduled - start)), ..op });
    }
    ops
}

/// One operation per token. The bucket starts full; a token is added each period, and
/// no more than `capacity` are kept, so after a slow operation the saved tokens let up
/// to `capacity` operations go back to back.
async fn bucketed<P: Probe>(probe: &P, work: Work) -> Vec<RateOp> {
    let start = Instant::now();
    let mut bucket = TokenBucket::full(work.bucket, work.period);
    let mut ops = Vec::new();
    for i in 0..work.ops {
        probe.timer("token", bucket.acquire()).await;
        ops.push(operation(probe, &work, i, start).await);
    }
    ops
}

pub struct TokenBucket {
    capacity: u32,
    tokens: u32,
    period: Duration,
    /// When the last token was added: the next comes a period after it.
    refilled: Instant,
}

impl TokenBucket {
    pub fn full(capacity: u32, period: Duration) -> Self {
        let refilled = Instant::now();
        Self { capacity, tokens: capacity, period, refilled }
    }

    /// Wait until there is a token, and take it.
    pub async fn acquire(&mut self) {
        loop {
            let now = Instant::now();
            while self.tokens < self.capacity && self.refilled + self.period <= now {
                self.tokens += 1;
                self.refilled += self.period;
            }
            if self.tokens == self.capacity {
                self.refilled = now; // a full bucket saves nothing more: count from here
            }
            if self.tokens > 0 {
                self.tokens -= 1;
                return;
            }
            sleep_until(self.refilled + self.period).await;
        }
    }
}
// [demo:end]

/// The operations' knobs, as one part needs them.
#[derive(Debug, Clone, Copy)]
struct Work {
    period: Duration,
    ops: u32,
    slow_every: u32,
    slow: Duration,
    fast: Duration,
    bucket: u32,
}

impl From<&RateLimitParams> for Work {
    fn from(p: &RateLimitParams) -> Self {
        let ms = |v: u32| Duration::from_millis(v.into());
        Self {
            period: ms(p.period_ms),
            ops: p.ops,
            slow_every: p.slow_every,
            slow: ms(p.slow_ms),
            fast: ms(p.fast_ms),
            bucket: p.bucket,
        }
    }
}

/// Operation `i`: a wait of its length (every `slow_every`-th is slow), timed from `start`.
async fn operation<P: Probe>(probe: &P, work: &Work, i: u32, start: Instant) -> RateOp {
    let slow = (i + 1).is_multiple_of(work.slow_every);
    let began = Instant::now();
    probe
        .timer("operation", sleep(if slow { work.slow } else { work.fast }))
        .await;
    RateOp {
        scheduled_us: None,
        started_us: duration_us(began - start),
        took_us: duration_us(began.elapsed()),
        slow,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A bucket of 2 with a 1 s period on a paused clock: two at once, then one a second;
    /// after a long pause it has saved only 2.
    #[tokio::test(start_paused = true)]
    async fn a_token_bucket_lets_its_capacity_through_then_one_a_period() {
        let start = Instant::now();
        let mut bucket = TokenBucket::full(2, Duration::from_secs(1));
        let mut at = Vec::new();
        for _ in 0..4 {
            bucket.acquire().await;
            at.push((Instant::now() - start).as_secs());
        }
        assert_eq!(at, [0, 0, 1, 2]);
        sleep(Duration::from_secs(10)).await;
        let resumed = Instant::now();
        for _ in 0..3 {
            bucket.acquire().await;
        }
        assert_eq!((Instant::now() - resumed).as_secs(), 1, "two saved, one waited for");
    }
}
