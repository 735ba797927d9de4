//! Outline section 3 over a real WebSocket: runtime flavours and spawning.

mod common;

/// The two tests below measure CPU-bound work on their own runtimes: run them one at a
/// time, so neither steals the other's cores.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

use std::collections::BTreeSet;

use common::{TestServer, collect};
use pollscope_shared::ServerMessage;
use pollscope_shared::instrument::EventKind;
use pollscope_shared::instrument::batch::EventBatch;
use pollscope_shared::results::ScenarioResult;

fn lanes_that_polled(batches: &[EventBatch], part: u32) -> BTreeSet<u32> {
    batches
        .iter()
        .filter(|b| b.part == part)
        .flat_map(|b| &b.events)
        .filter_map(|e| match e.kind {
            EventKind::Poll {
                lane: Some(lane), ..
            } => Some(lane.0),
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn current_thread_uses_one_lane_and_multi_thread_spreads_the_same_work() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let server = TestServer::start().await;
    let mut client = server.connect().await;
    client.recv().await; // hello
    let params = [
        ("workers", 2),
        ("tasks", 8),
        ("rounds", 6),
        ("burst_us", 2000),
        ("sleep_ms", 2),
    ];
    client.send(&common::run("runtime_flavors", &params)).await;
    let (batches, last) = collect(&mut client).await;
    let ServerMessage::Result {
        result: ScenarioResult::RuntimeFlavors(result),
        ..
    } = last
    else {
        panic!("expected the flavours result, got {last:?}");
    };
    let [single, multi] = &result.parts[..] else {
        panic!("two parts: {result:?}")
    };
    assert_eq!((single.workers, multi.workers), (0, 2));
    assert_eq!(
        single.lanes_used, 1,
        "current_thread: one thread polls everything"
    );
    assert_eq!(
        multi.lanes_used, 2,
        "multi_thread with 2 workers: both poll"
    );
    assert_eq!(single.migrations, 0, "nowhere to migrate to on one thread");
    for part in [single, multi] {
        assert_eq!(part.polls_per_lane.iter().sum::<u64>(), part.polls);
        assert_eq!(part.events_dropped, 0);
        // 8 workload tasks, the echo server's accept loop and 8 connections, and main.
        assert_eq!(part.tasks, 18);
        // 48 bursts of 2 ms ran inside polls.
        assert!(part.busy_us >= 96_000, "{part:?}");
    }
    // The bursts run side by side on two workers: clearly faster than one after another.
    assert!(
        (multi.wall_us as f64) < single.wall_us as f64 * 0.85,
        "multi {} µs vs single {} µs",
        multi.wall_us,
        single.wall_us
    );
    // Both parts streamed their own events, on their own lanes.
    assert_eq!(lanes_that_polled(&batches, 0).len(), 1);
    assert_eq!(lanes_that_polled(&batches, 1).len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_for_the_first_poll_grows_with_the_number_of_spawned_tasks() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let server = TestServer::start().await;
    let mut client = server.connect().await;
    client.recv().await; // hello
    let params = [
        ("max_tasks", 300),
        ("workers", 2),
        ("work_us", 50),
        ("sleep_ms", 2),
    ];
    client.send(&common::run("spawning", &params)).await;
    let (batches, last) = collect(&mut client).await;
    let ServerMessage::Result {
        result: ScenarioResult::Spawning(result),
        ..
    } = last
    else {
        panic!("expected the spawning result, got {last:?}");
    };
    let sizes: Vec<u32> = result.parts.iter().map(|p| p.tasks).collect();
    assert_eq!(sizes, [10, 100, 300]);
    let parts: BTreeSet<u32> = batches.iter().map(|b| b.part).collect();
    assert_eq!(parts, BTreeSet::from([0, 1, 2]));
    for part in &result.parts {
        assert_eq!(part.events_dropped, 0);
        assert!(
            part.first_poll_p50_us <= part.first_poll_p99_us
                && part.first_poll_p99_us <= part.first_poll_max_us
        );
    }
    // The last of 300 tasks waits behind ~150 polls of 50 µs per worker: far longer than
    // the last of 10.
    let (small, large) = (&result.parts[0], &result.parts[2]);
    assert!(
        large.first_poll_max_us > small.first_poll_max_us * 3,
        "{small:?} vs {large:?}"
    );
    assert!(large.first_poll_max_us >= 3_000, "{large:?}");
}
