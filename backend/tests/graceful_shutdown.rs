//! Outline section 8 over a real WebSocket: a loopback server under load gets its
//! shutdown token cancelled mid-run, stops accepting, drains with a deadline and aborts
//! the rest. Every assertion is an accounting identity between the server's counts, the
//! clients' and the recorded events, or an ordering from the run's own parameters.

mod common;

use common::{TestServer, collect, events_by_part, run};
use pollscope_shared::ServerMessage;
use pollscope_shared::instrument::TaskOutcome;
use pollscope_shared::instrument::stats::{RunStats, TaskState};
use pollscope_shared::results::{GracefulShutdownResult, ScenarioResult};
use pollscope_shared::testkit::{Coverage, check_recording};

/// Four clients whose requests take 100, 200, 300 and 400 ms.
const CLIENTS: u32 = 4;
const REQUEST_MS: u64 = 100;
/// The signal comes while every client's request is in flight: the 400 ms one, which
/// started after the clock for the signal did, has at least 250 ms to go.
const SIGNAL_MS: u64 = 150;
/// The clients' refusals in a row before they give up (the backend's `GIVE_UP_AFTER`).
const GIVE_UP_AFTER: u32 = 3;

/// One run with this drain deadline: its result, after the checks every run passes.
async fn shutdown_with(drain_ms: u64) -> GracefulShutdownResult {
    let server = TestServer::start().await;
    let (mut client, _) = server
        .start_run(&run(
            "graceful_shutdown",
            &[
                ("clients", CLIENTS.into()),
                ("request_ms", REQUEST_MS as i64),
                ("signal_after_ms", SIGNAL_MS as i64),
                ("drain_ms", drain_ms as i64),
            ],
        ))
        .await;
    let (batches, last) = collect(&mut client).await;
    let ServerMessage::Result {
        result: ScenarioResult::GracefulShutdown(r),
        ..
    } = last
    else {
        panic!("expected the result, got {last:?}");
    };
    let events = events_by_part(batches);
    // The runtime was shut down: every task's story is complete.
    check_recording(&events[&0], Coverage::WholeRun);
    let mut stats = RunStats::default();
    stats.apply_all(&events[&0]);

    // The signal's timer cannot fire early.
    assert!(r.signal_at_us >= SIGNAL_MS * 1000, "{r:?}");
    // Nothing starts after the signal: the requests in flight then are exactly the ones
    // drained and the ones aborted.
    assert_eq!(
        r.requests_drained + r.requests_aborted,
        r.in_flight_at_signal,
        "{r:?}"
    );
    assert!(r.in_flight_at_signal <= r.connections_at_signal, "{r:?}");
    assert!(r.connections_at_signal <= CLIENTS, "{r:?}");
    // The abort comes only once the deadline has passed.
    if r.requests_aborted > 0 || r.connections_aborted > 0 {
        assert!(!r.drained_in_time, "{r:?}");
        assert!(r.signal_to_last_task_us >= drain_ms * 1000, "{r:?}");
    }
    // Every reply the server wrote, a client read; every aborted request was a client's
    // request cut off.
    assert_eq!(
        r.replies_received,
        r.requests_before_signal + r.requests_drained,
        "{r:?}"
    );
    assert!(r.requests_cut >= r.requests_aborted, "{r:?}");
    // Every client ended by giving up: refused that many times in a row, after the
    // listener was dropped.
    assert!(r.connects_refused >= CLIENTS * GIVE_UP_AFTER, "{r:?}");

    // The recording agrees: one task per accepted connection, the aborted ones ended as
    // cancelled, and every client finished.
    let named = |prefix: &str| {
        stats
            .tasks
            .values()
            .filter(|t| t.name.starts_with(prefix))
            .collect::<Vec<_>>()
    };
    let connections = named("conn ");
    assert_eq!(connections.len() as u32, r.connections_accepted, "{r:?}");
    let cancelled = connections
        .iter()
        .filter(|t| t.state == TaskState::Done(TaskOutcome::Cancelled))
        .count() as u32;
    assert_eq!(cancelled, r.connections_aborted, "{r:?}");
    let clients = named("client ");
    assert_eq!(clients.len() as u32, CLIENTS);
    assert!(
        clients
            .iter()
            .all(|t| t.state == TaskState::Done(TaskOutcome::Ok))
    );
    drop(client);
    server.until_idle().await;
    r
}

#[tokio::test]
async fn with_no_drain_time_the_requests_in_flight_are_aborted() {
    let r = shutdown_with(0).await;
    // The 400 ms request was in flight at the signal and could not finish in no time.
    assert!(r.requests_aborted >= 1, "{r:?}");
    assert!(r.connections_aborted >= r.requests_aborted, "{r:?}");
    assert!(!r.drained_in_time, "{r:?}");
}

#[tokio::test]
async fn a_deadline_past_the_longest_request_drains_them_all() {
    // 1000 ms: longer than the 400 ms request, so every request in flight ends first.
    let r = shutdown_with(1000).await;
    assert!(r.in_flight_at_signal >= 1, "{r:?}");
    assert_eq!(r.requests_aborted, 0, "{r:?}");
    assert_eq!(r.connections_aborted, 0, "{r:?}");
    assert!(r.drained_in_time, "{r:?}");
    assert_eq!(r.requests_drained, r.in_flight_at_signal, "{r:?}");
}
