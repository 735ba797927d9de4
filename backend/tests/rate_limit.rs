//! Outline section 8 over a real WebSocket: the same operations, some slower than the
//! period, paced by `interval` with each `MissedTickBehavior` and by a token bucket.
//! Every assertion follows from the run's parameters and from what `tick()` returned
//! (the tick's scheduled time): Tokio computes each schedule from the previous one, so
//! the grids are exact, and a timer never fires early, so every bound is a lower one.

mod common;

use common::{TestServer, collect, events_by_part, run};
use pollscope_shared::ServerMessage;
use pollscope_shared::results::{Limiter, RateLimitResult, ScenarioResult};
use pollscope_shared::testkit::{Coverage, check_recording};

const PERIOD_US: u64 = 20_000;
const OPS: u64 = 12;
const SLOW_EVERY: u64 = 4;
const SLOW_US: u64 = 50_000;
const FAST_US: u64 = 1_000;
const BUCKET: u64 = 3;
/// Tokio's interval counts a tick as missed once it is this late: a slow operation, more
/// than a period and this long, makes every limiter miss one.
const MISSED_AFTER_US: u64 = 5_000;
const _: () = assert!(SLOW_US > PERIOD_US + MISSED_AFTER_US);

async fn run_rate_limit() -> RateLimitResult {
    let server = TestServer::start().await;
    let (mut client, _) = server
        .start_run(&run(
            "rate_limit",
            &[
                ("period_ms", (PERIOD_US / 1000) as i64),
                ("ops", OPS as i64),
                ("slow_every", SLOW_EVERY as i64),
                ("slow_ms", (SLOW_US / 1000) as i64),
                ("fast_ms", (FAST_US / 1000) as i64),
                ("bucket", BUCKET as i64),
            ],
        ))
        .await;
    let (batches, last) = collect(&mut client).await;
    let ServerMessage::Result {
        result: ScenarioResult::RateLimit(result),
        ..
    } = last
    else {
        panic!("expected the result, got {last:?}");
    };
    let parts = events_by_part(batches);
    assert_eq!(parts.len(), 4, "one recorded part per limiter");
    for events in parts.values() {
        check_recording(events, Coverage::WholeRun);
    }
    drop(client);
    server.until_idle().await;
    result
}

#[tokio::test]
async fn each_limiter_keeps_or_moves_its_grid_as_its_policy_says() {
    let result = run_rate_limit().await;
    let kinds: Vec<_> = result.limiters.iter().map(|l| l.limiter).collect();
    assert_eq!(
        kinds,
        [
            Limiter::IntervalBurst,
            Limiter::IntervalDelay,
            Limiter::IntervalSkip,
            Limiter::TokenBucket
        ]
    );
    for l in &result.limiters {
        let what = l.limiter.label();
        assert_eq!(l.ops.len() as u64, OPS, "{what}");
        assert_eq!(l.events_dropped, 0);
        for (i, op) in (0..).zip(&l.ops) {
            let slow = (i + 1) % SLOW_EVERY == 0;
            assert_eq!(op.slow, slow, "{what} op {i}");
            assert!(
                op.took_us >= if slow { SLOW_US } else { FAST_US },
                "{what} op {i}"
            );
            if let Some(scheduled) = op.scheduled_us {
                assert!(
                    op.started_us >= scheduled,
                    "{what} op {i}: a tick is never early"
                );
            }
        }
        assert_eq!(l.gaps_us().len() as u64, OPS - 1);
    }
    let scheduled = |i: usize| -> Vec<u64> {
        let ops = &result.limiters[i].ops;
        let first = ops[0].scheduled_us.expect("an interval's tick");
        ops.iter()
            .map(|o| o.scheduled_us.unwrap() - first)
            .collect()
    };
    // Burst: every tick stays on the grid, tick i at i periods...
    let burst = scheduled(0);
    assert!(
        burst.iter().zip(0..).all(|(&t, i)| t == i * PERIOD_US),
        "{burst:?}"
    );
    // ...so the operation after a slow one starts late by at least the slow one's excess.
    let ops = &result.limiters[0].ops;
    for i in (SLOW_EVERY as usize - 1..ops.len() - 1).step_by(SLOW_EVERY as usize) {
        let next = &ops[i + 1];
        assert!(next.started_us - next.scheduled_us.unwrap() >= SLOW_US - PERIOD_US);
    }
    // Delay: no two ticks closer than a period, and the grid moved (the total schedule is
    // longer than one period per tick).
    let delay = scheduled(1);
    assert!(
        delay.windows(2).all(|w| w[1] - w[0] >= PERIOD_US),
        "{delay:?}"
    );
    assert!(*delay.last().unwrap() > (OPS - 1) * PERIOD_US, "{delay:?}");
    // Skip: every tick on the grid's multiples, and some of them skipped.
    let skip = scheduled(2);
    assert!(skip.iter().all(|t| t % PERIOD_US == 0), "{skip:?}");
    assert!(skip.windows(2).all(|w| w[1] > w[0]), "{skip:?}");
    assert!(*skip.last().unwrap() > (OPS - 1) * PERIOD_US, "{skip:?}");
    // Token bucket: no schedule; it starts full, so op i waits for its (i+1−capacity)th
    // refill at least.
    let bucket = &result.limiters[3];
    for (i, op) in (0u64..).zip(&bucket.ops) {
        assert_eq!(op.scheduled_us, None);
        assert!(
            op.started_us >= (i + 1).saturating_sub(BUCKET) * PERIOD_US,
            "op {i}"
        );
    }
}
