//! Outline section 9 over a real WebSocket: the retry code of section 8 on a runtime
//! whose clock starts paused. Tokio's clock moves only by jumping to the next timer, so
//! the assertions are exact on it: each sleep moves it by exactly the planned delay, no
//! attempt moves it at all, and the virtual total is the planned sleeps. Nothing is
//! asserted about how long anything took on the machine's clock, beyond its being a
//! clock: a loaded machine may take as long as it likes.

mod common;

use common::{TestServer, collect, events_by_part, run};
use pollscope_shared::ServerMessage;
use pollscope_shared::instrument::Event;
use pollscope_shared::results::{BackoffKind, PausedTimeResult, ScenarioResult};
use pollscope_shared::testkit::{Coverage, check_recording};

const BASE_MS: u64 = 2000;
const CAP_MS: u64 = 5000;
const FAILURES: u64 = 4;

async fn run_paused(failures: u64, max_attempts: u64) -> (PausedTimeResult, Vec<Vec<Event>>) {
    let server = TestServer::start().await;
    let (mut client, _) = server
        .start_run(&run(
            "paused_time",
            &[
                ("failures", failures as i64),
                ("base_ms", BASE_MS as i64),
                ("cap_ms", CAP_MS as i64),
                ("max_attempts", max_attempts as i64),
                ("seed", 5),
            ],
        ))
        .await;
    let (batches, last) = collect(&mut client).await;
    let ServerMessage::Result {
        result: ScenarioResult::PausedTime(result),
        ..
    } = last
    else {
        panic!("expected the result, got {last:?}");
    };
    let parts: Vec<Vec<Event>> = events_by_part(batches).into_values().collect();
    for events in &parts {
        // Each part's runtime was shut down: every task's story is complete.
        check_recording(events, Coverage::WholeRun);
    }
    drop(client);
    server.until_idle().await;
    (result, parts)
}

#[tokio::test]
async fn seconds_of_backoff_pass_as_exact_jumps_of_the_paused_clock() {
    let (result, parts) = run_paused(FAILURES, 6).await;
    let kinds: Vec<_> = result.policies.iter().map(|p| p.backoff).collect();
    assert_eq!(kinds, [BackoffKind::Linear, BackoffKind::ExponentialJitter]);
    assert_eq!(parts.len(), 2, "one recorded part per policy");
    for policy in &result.policies {
        let what = policy.backoff.label();
        // Four 503s, then the 200: the server inside the paused runtime answered them all.
        let statuses: Vec<u16> = policy.attempts.iter().map(|a| a.status).collect();
        assert_eq!(statuses, [503, 503, 503, 503, 200], "{what}");
        assert!(policy.succeeded);
        assert_eq!(policy.server_requests, FAILURES as u32 + 1, "{what}");
        let mut virtual_now = 0;
        for a in &policy.attempts {
            // The clock jumped to each sleep's deadline: exactly the planned delay,
            // since it moves only by such jumps (and they land on whole milliseconds).
            assert_eq!(a.virtual_slept_us, a.planned_delay_us, "{what}: {a:?}");
            virtual_now += a.virtual_slept_us;
            assert_eq!(a.virtual_started_us, virtual_now, "{what}: {a:?}");
            // No timer was pending while the attempt talked to the server: the clock
            // had nothing to jump to, so it did not move, though real time passed.
            assert_eq!(a.virtual_took_us, 0, "{what}: {a:?}");
            assert!(a.real_started_us + a.real_took_us <= policy.real_total_us + 1);
        }
        assert_eq!(policy.virtual_total_us, policy.planned_us(), "{what}");
        assert!(
            policy.virtual_total_us >= BASE_MS * 1000,
            "{what}: seconds of backoff"
        );
    }
    let linear: Vec<u64> = result.policies[0]
        .attempts
        .iter()
        .map(|a| a.planned_delay_us / 1000)
        .collect();
    assert_eq!(linear, [0, BASE_MS, 2 * BASE_MS, 3 * BASE_MS, 4 * BASE_MS]);
    for (n, a) in result.policies[1].attempts.iter().enumerate().skip(1) {
        let full = (BASE_MS << (n - 1)).min(CAP_MS) * 1000;
        let planned = a.planned_delay_us;
        assert!(
            planned >= full / 2 && planned <= full,
            "exponential {n}: {planned}"
        );
    }
}

#[tokio::test]
async fn giving_up_on_a_paused_clock_stops_at_the_last_attempt() {
    let (result, _) = run_paused(9, 3).await;
    for policy in &result.policies {
        assert!(!policy.succeeded);
        assert_eq!(policy.attempts.len(), 3);
        assert_eq!(policy.server_requests, 3);
        assert_eq!(policy.virtual_total_us, policy.planned_us());
    }
}
