//! Outline section 8 over a real WebSocket: N requests at once through a Mutex<Vec> pool
//! of K connections, the same pool bounded by a Semaphore, and a connection per request.
//! Connection counts are the loopback server's own; every assertion follows from the
//! run's parameters and its recorded events, not from how fast this machine is.

mod common;

use common::{TestServer, collect, events_by_part, run};
use pollscope_shared::ServerMessage;
use pollscope_shared::instrument::stats::RunStats;
use pollscope_shared::results::{PoolStrategy, ScenarioResult};
use pollscope_shared::testkit::{Coverage, check_recording};

const REQUESTS: u32 = 12;
const POOL: u32 = 3;
const LATENCY_MS: u64 = 10;

#[tokio::test]
async fn only_the_semaphore_keeps_the_server_to_k_connections_and_its_requests_wait_for_them() {
    let server = TestServer::start().await;
    let (mut client, _) = server
        .start_run(&run(
            "pooling",
            &[
                ("requests", REQUESTS.into()),
                ("pool_size", POOL.into()),
                ("server_latency_ms", LATENCY_MS as i64),
            ],
        ))
        .await;
    let (batches, last) = collect(&mut client).await;
    let ServerMessage::Result {
        result: ScenarioResult::Pooling(result),
        ..
    } = last
    else {
        panic!("expected the result, got {last:?}");
    };
    let strategies: Vec<_> = result.strategies.iter().map(|s| s.strategy).collect();
    assert_eq!(
        strategies,
        [
            PoolStrategy::MutexPool,
            PoolStrategy::SemaphorePool,
            PoolStrategy::ConnectPerRequest
        ]
    );
    let events = events_by_part(batches);
    assert_eq!(events.len(), 3, "one recorded part per strategy");
    let latency_us = LATENCY_MS * 1000;
    for (part, events) in &events {
        // Each part's runtime was shut down: every task's story is complete.
        check_recording(events, Coverage::WholeRun);
        let mut stats = RunStats::default();
        stats.apply_all(events);
        let requests = stats
            .tasks
            .values()
            .filter(|t| t.name.starts_with("request "))
            .count();
        assert_eq!(
            requests, REQUESTS as usize,
            "part {part}: every request recorded"
        );
        let s = &result.strategies[*part as usize];
        // The server answered every request, each after its latency.
        assert_eq!(s.requests_answered, REQUESTS, "{s:?}");
        assert!(s.request_p50_us >= latency_us, "{s:?}");
        assert!(s.request_p50_us <= s.request_p99_us, "{s:?}");
        common::assert_histogram_agrees(
            &s.request_histogram,
            REQUESTS.into(),
            &[(50, s.request_p50_us), (99, s.request_p99_us)],
            s.request_histogram.max_us.max(s.request_p99_us),
        );
        assert!(s.wait_p50_us <= s.wait_max_us && s.wait_max_us <= s.request_p99_us);
        assert!(s.wait_total_us >= s.wait_max_us);
        assert!(s.wall_us >= s.request_p99_us, "{s:?}");
        assert!(s.most_open <= s.connections_opened, "{s:?}");
    }

    let [mutex, bounded, per_request] = &result.strategies[..] else {
        unreachable!("three strategies")
    };
    // The Mutex pool bounds what it keeps, not what is out: with more requests than
    // connections, the requests that found the Vec empty opened their own, and the server
    // had more than K open at once. Each request opens at most one.
    assert!(mutex.connections_opened > POOL, "{mutex:?}");
    assert!(mutex.connections_opened <= POOL + REQUESTS, "{mutex:?}");
    assert!(mutex.most_open > POOL, "{mutex:?}");
    // The semaphore's K permits: the server saw the pool's K connections and no other.
    assert_eq!(bounded.connections_opened, POOL, "{bounded:?}");
    assert_eq!(bounded.most_open, POOL, "{bounded:?}");
    // Some connection served at least ceil(N/K) requests one after another, each taking
    // the server's latency, so its last request waited at least that many minus one.
    let rounds = u64::from(REQUESTS.div_ceil(POOL));
    assert!(
        bounded.wait_max_us >= (rounds - 1) * latency_us,
        "{bounded:?}"
    );
    assert!(bounded.request_p99_us >= rounds * latency_us, "{bounded:?}");
    // One connection per request: the server accepted exactly N.
    assert_eq!(per_request.connections_opened, REQUESTS, "{per_request:?}");
    drop(client);
    server.until_idle().await;
}
