//! Outline section 8 over a real WebSocket: a loopback server that fails its first k
//! requests, retried with linear backoff and then with exponential backoff and jitter.
//! Every assertion follows from the run's parameters, the server's own count and the
//! recorded events, never from how fast this machine is: a timer never fires early, so
//! each sleep lasts at least its plan, and nothing bounds how much longer.

mod common;

use std::collections::BTreeSet;

use common::{TestServer, collect, events_by_part, run};
use pollscope_shared::ServerMessage;
use pollscope_shared::instrument::event::PollEvent;
use pollscope_shared::instrument::{Event, EventKind};
use pollscope_shared::results::{BackoffKind, RetryBackoffResult, ScenarioResult};
use pollscope_shared::testkit::{Coverage, check_recording};

const BASE_MS: u64 = 20;
const CAP_MS: u64 = 50;

async fn run_retry(
    failures: i64,
    max_attempts: i64,
    seed: i64,
) -> (RetryBackoffResult, Vec<Vec<Event>>) {
    let server = TestServer::start().await;
    let (mut client, _) = server
        .start_run(&run(
            "retry_backoff",
            &[
                ("failures", failures),
                ("base_ms", BASE_MS as i64),
                ("cap_ms", CAP_MS as i64),
                ("max_attempts", max_attempts),
                ("seed", seed),
            ],
        ))
        .await;
    let (batches, last) = collect(&mut client).await;
    let ServerMessage::Result {
        result: ScenarioResult::RetryBackoff(result),
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

/// The distinct await points named `name` that the recorded task waited on.
fn waits_named(events: &[Event], name: &str) -> usize {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Poll(PollEvent {
                waiting_on: Some(wait),
                ..
            }) if wait.name == name => Some(wait.span),
            _ => None,
        })
        .collect::<BTreeSet<_>>()
        .len()
}

#[tokio::test]
async fn each_policy_retries_until_the_server_recovers_and_every_sleep_lasts_its_plan() {
    const FAILURES: u64 = 2;
    let (result, parts) = run_retry(FAILURES as i64, 5, 3).await;
    let kinds: Vec<_> = result.policies.iter().map(|p| p.backoff).collect();
    assert_eq!(kinds, [BackoffKind::Linear, BackoffKind::ExponentialJitter]);
    assert_eq!(parts.len(), 2, "one recorded part per policy");
    for (policy, events) in result.policies.iter().zip(&parts) {
        let what = policy.backoff.label();
        // Two 503s, then the 200: three attempts, and the server read three requests.
        let statuses: Vec<u16> = policy.attempts.iter().map(|a| a.status).collect();
        assert_eq!(statuses, [503, 503, 200], "{what}");
        assert!(policy.succeeded, "{what}");
        assert_eq!(policy.server_requests, 3, "{what}: the server's own count");
        assert_eq!(policy.events_dropped, 0);
        let first = &policy.attempts[0];
        assert_eq!((first.planned_delay_us, first.slept_us), (0, 0), "{what}");
        let mut previous_end = 0;
        for a in &policy.attempts {
            // A timer never fires early: the sleep lasted at least its plan, and the
            // attempt started no sooner than it was due.
            assert!(a.slept_us >= a.planned_delay_us, "{what}: {a:?}");
            assert!(a.started_us >= a.scheduled_us, "{what}: {a:?}");
            assert!(
                a.started_us >= previous_end + a.planned_delay_us,
                "{what}: {a:?}"
            );
            previous_end = a.started_us + a.took_us;
        }
        // The last attempt's end (each figure is rounded down to whole µs on its own).
        assert!(
            (previous_end..=previous_end + 1).contains(&policy.total_us),
            "{what}"
        );
        assert!(policy.total_us >= policy.planned_us(), "{what}");
        assert!(policy.slept_us() >= policy.planned_us(), "{what}");
        // The recording agrees: a fetch per attempt, a backoff wait between them.
        assert_eq!(waits_named(events, "backoff"), 2, "{what}");
        assert!(waits_named(events, "connect") <= 3, "{what}");
        let span_ns = events.last().unwrap().t_ns - events.first().unwrap().t_ns;
        assert!(
            span_ns >= policy.planned_us() * 1000,
            "{what}: the part lasted its sleeps"
        );
    }
    // The planned delays follow each policy's formula.
    let planned = |i: usize| -> Vec<u64> {
        result.policies[i]
            .attempts
            .iter()
            .map(|a| a.planned_delay_us / 1000)
            .collect()
    };
    assert_eq!(planned(0), [0, BASE_MS, 2 * BASE_MS], "linear: n × base");
    let exponential = planned(1);
    for (n, &ms) in exponential.iter().enumerate().skip(1) {
        let full = (BASE_MS << (n - 1)).min(CAP_MS);
        assert!(
            ms >= full / 2 && ms <= full,
            "exponential delay {n}: {ms} ms of {full}"
        );
    }
}

#[tokio::test]
async fn a_server_down_for_longer_than_the_attempts_is_given_up_on_and_a_seed_repeats() {
    // Six failures, three attempts: every attempt gets a 503, and the client stops.
    let (result, _) = run_retry(6, 3, 11).await;
    for policy in &result.policies {
        assert!(!policy.succeeded);
        assert_eq!(policy.attempts.len(), 3);
        assert!(policy.attempts.iter().all(|a| a.status == 503));
        assert_eq!(policy.server_requests, 3);
    }
    // The same seed plans the same jittered delays.
    let (again, _) = run_retry(6, 3, 11).await;
    let delays = |r: &RetryBackoffResult| -> Vec<u64> {
        r.policies[1]
            .attempts
            .iter()
            .map(|a| a.planned_delay_us)
            .collect()
    };
    assert_eq!(delays(&result), delays(&again));
}

#[tokio::test]
async fn a_cancelled_retry_ends_and_its_server_stops_listening() {
    use pollscope_shared::ClientMessage;
    use pollscope_shared::results::ProgressEvent;

    // Six failures, a 100 ms base: seconds of backoff, so the cancel lands mid-retry.
    let server = TestServer::start().await;
    let params = [
        ("failures", 6),
        ("base_ms", 100),
        ("cap_ms", 1000),
        ("max_attempts", 7),
        ("seed", 1),
    ];
    let (mut client, run_id) = server.start_run(&run("retry_backoff", &params)).await;
    let (_, phase) = client
        .recv_until(|m| matches!(m, ServerMessage::Progress { event: ProgressEvent::Phase { name, .. }, .. } if name.starts_with("part 0")))
        .await;
    let ServerMessage::Progress {
        event: ProgressEvent::Phase { name, .. },
        ..
    } = phase
    else {
        unreachable!()
    };
    let addr: std::net::SocketAddr = name
        .split_whitespace()
        .find_map(|word| word.trim_end_matches(',').parse().ok())
        .unwrap_or_else(|| panic!("no address in {name}"));
    assert!(addr.ip().is_loopback());
    client.send(&ClientMessage::Cancel { run_id }).await;
    let (_, last) = client
        .recv_until(|m| !matches!(m, ServerMessage::Progress { .. }))
        .await;
    assert_eq!(last, ServerMessage::RunCancelled { run_id });
    // Dropping the run dropped its server: nothing listens on its port any more.
    let deadline = tokio::time::Instant::now() + common::WAIT;
    while tokio::net::TcpStream::connect(addr).await.is_ok() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{addr} still accepts"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    drop(client);
    server.until_idle().await;
}
