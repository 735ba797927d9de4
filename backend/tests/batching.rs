//! Outline section 7 over a real WebSocket: the same tiny operations as one task each,
//! then in batches of K. Every assertion follows from the run's parameters and its
//! recorded events (how many tasks each way must make, what the items add up to), not
//! from how fast this machine happens to be.

mod common;

use std::collections::BTreeMap;

use common::{TestServer, collect, events_by_part, run};
use pollscope_shared::ServerMessage;
use pollscope_shared::instrument::stats::RunStats;
use pollscope_shared::load::RunLoad;
use pollscope_shared::results::ScenarioResult;
use pollscope_shared::testkit::{Coverage, check_recording};

const ITEMS: u64 = 10_000;
const MAX_BATCH: u64 = 1000;
const WORKERS: u32 = 2;
/// Tasks each part records besides the item tasks: its `main`.
const FIXED_TASKS: u64 = 1;

#[tokio::test]
async fn batches_of_k_make_ceil_n_over_k_tasks_and_every_item_runs_once() {
    let server = TestServer::start().await;
    let (mut client, _) = server
        .start_run(&run(
            "batching",
            &[
                ("items", ITEMS as i64),
                ("max_batch", MAX_BATCH as i64),
                ("workers", WORKERS.into()),
            ],
        ))
        .await;
    let (batches, last) = collect(&mut client).await;
    let ServerMessage::Result {
        result: ScenarioResult::Batching(result),
        load,
        ..
    } = last
    else {
        panic!("expected the result, got {last:?}");
    };
    let events = events_by_part(batches);
    let mut parts: BTreeMap<u32, RunStats> = BTreeMap::new();
    for (part, events) in &events {
        check_recording(events, Coverage::WholeRun);
        parts.entry(*part).or_default().apply_all(events);
    }

    // Σ (3i + 1) over 0..N, written out independently of the server's formula.
    let expected: u64 = (0..ITEMS).map(|i| 3 * i + 1).sum();
    assert_eq!(result.items as u64, ITEMS);
    assert_eq!(result.expected_checksum, expected);
    let ks: Vec<u32> = result.ways.iter().map(|w| w.batch).collect();
    assert_eq!(ks, [1, 10, 100, 1000], "K grows tenfold up to the largest");
    assert_eq!(parts.len(), ks.len(), "one recorded part per way");

    for (index, way) in result.ways.iter().enumerate() {
        let k = u64::from(way.batch);
        let stats = &parts[&(index as u32)];
        let item_tasks = ITEMS.div_ceil(k);
        // Every item processed exactly once: the joined results add up to the sum.
        assert_eq!(way.checksum, expected, "K = {k}: checksum");
        assert_eq!(u64::from(way.item_tasks), item_tasks, "K = {k}");
        // From the events themselves, not only from the server's totals.
        let batch_tasks = stats.tasks.values().filter(|t| &*t.name == "batch").count() as u64;
        assert_eq!(batch_tasks, item_tasks, "K = {k}: ceil(N/K) tasks recorded");
        assert_eq!(
            stats.tasks.len() as u64,
            item_tasks + FIXED_TASKS,
            "K = {k}"
        );
        assert_eq!(u64::from(way.tasks), item_tasks + FIXED_TASKS, "K = {k}");
        let polls: u64 = stats.tasks.values().map(|t| u64::from(t.polls)).sum();
        assert_eq!(way.polls, polls, "K = {k}: polls, server and events agree");
        assert!(
            way.polls >= u64::from(way.tasks),
            "K = {k}: every task polled"
        );
        assert_eq!(
            way.events_dropped, 0,
            "K = {k}: within the recorder's capacity"
        );
        assert_eq!(
            way.events_recorded,
            events[&(index as u32)].len() as u64,
            "K = {k}: the server counted the events it sent"
        );
        // Each task records at least its spawn, one poll and its end.
        assert!(way.events_recorded >= 3 * u64::from(way.tasks), "K = {k}");
        // A batch task runs its items in one poll: nothing in it awaits.
        assert!(
            stats
                .tasks
                .values()
                .filter(|t| &*t.name == "batch")
                .all(|t| t.polls == 1),
            "K = {k}"
        );
        assert!(way.wall_ns > 0);
        assert_eq!(way.plain_wall_ns.len(), 5, "K = {k}: the plain rounds");
        assert!(way.plain_wall_ns.is_sorted(), "K = {k}: fastest first");
        assert!(way.plain_wall_ns[0] > 0);
    }
    // Fewer tasks, fewer events: the recording's cost follows the number of tasks.
    for pair in result.ways.windows(2) {
        assert!(
            pair[1].events_recorded < pair[0].events_recorded,
            "K = {} recorded {} events, K = {} recorded {}",
            pair[1].batch,
            pair[1].events_recorded,
            pair[0].batch,
            pair[0].events_recorded
        );
        assert!(pair[1].polls < pair[0].polls);
    }
    threads_of_both_runtimes_are_counted(load.as_ref(), result.ways.len());
    drop(client);
    server.until_idle().await;
}

/// Each way runs on two runtimes (the plain rounds', then the recorded part's), each with
/// a hosting thread and its workers: the run's load counts the threads of both.
fn threads_of_both_runtimes_are_counted(load: Option<&RunLoad>, ways: usize) {
    let load = load.expect("a result carries its load");
    let Some(threads) = &load.threads else {
        // Only a server without per-thread scheduler statistics may say it cannot tell.
        assert!(
            std::fs::metadata("/proc/thread-self/schedstat").is_err(),
            "{load:?}"
        );
        return;
    };
    let per_runtime = u64::from(WORKERS) + 1;
    assert!(
        u64::from(threads.threads) >= 2 * ways as u64 * per_runtime,
        "{ways} ways × 2 runtimes × {per_runtime} threads, counted {threads:?}"
    );
}
