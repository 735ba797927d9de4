//! Outline section 3 over a real WebSocket: runtime flavours and spawning.
//!
//! Timings are checked only against what the run's own parameters make certain (a burst
//! spins for its length, a thread runs one poll at a time, N workers at most N), and the
//! concepts through the recorded events: which lanes polled, which polls ran side by side,
//! which polls a waiting task waited behind. No "faster than" between two measurements:
//! a loaded machine can slow either one.

mod common;

/// The two tests below measure CPU-bound work on their own runtimes: run them one at a
/// time, so neither steals the other's cores.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

use std::collections::{BTreeMap, BTreeSet};

use common::{TestServer, collect};
use pollscope_shared::ServerMessage;
use pollscope_shared::instrument::batch::EventBatch;
use pollscope_shared::instrument::{EventKind, PollEvent, SpawnEvent};
use pollscope_shared::results::ScenarioResult;

fn lanes_that_polled(batches: &[EventBatch], part: u32) -> BTreeSet<u32> {
    batches
        .iter()
        .filter(|b| b.part == part)
        .flat_map(|b| &b.events)
        .filter_map(|e| match e.kind {
            EventKind::Poll(PollEvent {
                lane: Some(lane), ..
            }) => Some(lane.0),
            _ => None,
        })
        .collect()
}

/// How far two polls' times may overlap without counting: the recorder stamps polls in
/// counter ticks and converts them to nanoseconds per drain, which can put a poll's start
/// a microsecond or two before the end of the poll it followed.
const CLOCK_SLACK_NS: u64 = 20_000;

/// Of the polls of `part` (each ran from `t_ns - busy_ns` to `t_ns`), how many began
/// while a poll was still running on the same lane, and how many while one was running on
/// another lane (by more than [`CLOCK_SLACK_NS`]).
fn overlapping_polls(batches: &[EventBatch], part: u32) -> (usize, usize) {
    let mut polls: Vec<(u64, u64, u32)> = batches
        .iter()
        .filter(|b| b.part == part)
        .flat_map(|b| &b.events)
        .filter_map(|e| match e.kind {
            EventKind::Poll(PollEvent {
                lane: Some(lane),
                busy_ns,
                ..
            }) => Some((e.t_ns - busy_ns, e.t_ns, lane.0)),
            _ => None,
        })
        .collect();
    polls.sort_unstable();
    let began_during = |same_lane: bool| {
        polls
            .iter()
            .enumerate()
            .filter(|(i, (start, _, lane))| {
                polls[..*i].iter().any(|(_, end, other)| {
                    (other == lane) == same_lane && *end > start + CLOCK_SLACK_NS
                })
            })
            .count()
    };
    (began_during(true), began_during(false))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn current_thread_uses_one_lane_and_multi_thread_spreads_the_same_work() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let server = TestServer::start().await;
    let mut client = server.connect().await;
    client.recv().await; // hello
    const WORKERS: u32 = 2;
    const TASKS: u64 = 8;
    const ROUNDS: u64 = 6;
    const BURST_US: u64 = 2000;
    let params = [
        ("workers", i64::from(WORKERS)),
        ("tasks", TASKS as i64),
        ("rounds", ROUNDS as i64),
        ("burst_us", BURST_US as i64),
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
    assert_eq!((single.workers, multi.workers), (0, WORKERS));
    assert_eq!(
        single.lanes_used, 1,
        "current_thread: one thread polls everything"
    );
    assert_eq!(
        multi.lanes_used, WORKERS,
        "multi_thread with 2 workers: both poll"
    );
    assert_eq!(single.migrations, 0, "nowhere to migrate to on one thread");
    // Every burst spins for its length inside a poll, whatever else the machine does.
    let bursts_us = TASKS * ROUNDS * BURST_US;
    for part in [single, multi] {
        assert_eq!(part.polls_per_lane.iter().sum::<u64>(), part.polls);
        assert!(part.polls_per_lane.iter().all(|&n| n > 0), "{part:?}");
        assert_eq!(part.events_dropped, 0);
        // 8 workload tasks, the echo server's accept loop and 8 connections, and main.
        assert_eq!(part.tasks, 2 * TASKS as u32 + 2);
        // 48 bursts of 2 ms ran inside polls.
        assert!(part.busy_us >= bursts_us, "{part:?}");
    }
    // One thread runs the bursts one after another: the workload lasts at least all of
    // them. Two workers can at best halve that.
    assert!(single.wall_us >= bursts_us, "{single:?}");
    assert!(multi.wall_us >= bursts_us / u64::from(WORKERS), "{multi:?}");
    // Both parts streamed their own events, on their own lanes: the result's lanes are
    // the lanes the events show polling.
    assert_eq!(lanes_that_polled(&batches, 0).len(), 1);
    assert_eq!(lanes_that_polled(&batches, 1).len(), WORKERS as usize);
    // A thread runs one poll at a time; what a second worker is for is polls side by
    // side, one on each worker at the same moment.
    let (single_same, _) = overlapping_polls(&batches, 0);
    let (multi_same, multi_across) = overlapping_polls(&batches, 1);
    assert_eq!(
        (single_same, multi_same),
        (0, 0),
        "a lane overlapped itself"
    );
    assert!(
        multi_across > 0,
        "the two workers never polled at the same time"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_for_the_first_poll_grows_with_the_number_of_spawned_tasks() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let server = TestServer::start().await;
    let mut client = server.connect().await;
    client.recv().await; // hello
    const WORKERS: u64 = 2;
    const WORK_US: u64 = 50;
    let params = [
        ("max_tasks", 300),
        ("workers", WORKERS as i64),
        ("work_us", WORK_US as i64),
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
    let mut polls_ahead = Vec::new();
    for (index, part) in result.parts.iter().enumerate() {
        assert_eq!(part.events_dropped, 0);
        assert!(
            part.first_poll_p50_us <= part.first_poll_p99_us
                && part.first_poll_p99_us <= part.first_poll_max_us
        );
        common::assert_histogram_agrees(
            &part.first_poll_histogram,
            part.tasks.into(),
            &[(50, part.first_poll_p50_us), (99, part.first_poll_p99_us)],
            part.first_poll_max_us,
        );
        // Each task burns the CPU twice, inside the timed part, on at most two workers.
        let n = u64::from(part.tasks);
        assert!(part.wall_us >= n * 2 * WORK_US / WORKERS, "{part:?}");

        let firsts = first_polls(&batches, index as u32);
        assert_eq!(firsts.len() as u64, n, "every task was polled");
        // The result's longest wait is the events' longest wait.
        let longest = firsts.iter().max_by_key(|f| f.started - f.spawned).unwrap();
        let wait = longest.started - longest.spawned;
        assert_eq!(part.first_poll_max_us, wait / 1000, "{part:?}");
        // What it waited for: the first polls that ran while it was queued, each at least
        // `work_us` long, at most two at a time.
        let ahead: Vec<&FirstPoll> = firsts
            .iter()
            .filter(|f| f.started >= longest.spawned && f.ended <= longest.started)
            .collect();
        let ahead_busy: u64 = ahead.iter().map(|f| f.ended - f.started).sum();
        assert!(
            ahead_busy <= WORKERS * (wait + CLOCK_SLACK_NS),
            "{ahead_busy} ns in {wait} ns"
        );
        // (A microsecond of slack for the recorder's clock against the one `burn_cpu` reads.)
        assert!(
            ahead
                .iter()
                .all(|f| f.ended - f.started + 1_000 >= WORK_US * 1000),
            "a first poll shorter than its CPU work"
        );
        polls_ahead.push(ahead.len());
    }
    // The longest wait of 10 tasks is behind at most the other 9; the last of 300 waits
    // behind more polls than that, ~150 of 50 µs per worker.
    assert!(polls_ahead[0] <= 9, "{polls_ahead:?}");
    assert!(polls_ahead[2] > 9, "{polls_ahead:?}");
    assert!(result.parts[2].first_poll_max_us >= 3_000, "{result:?}");
}

/// A workload task's first poll, in ns on its part's clock.
struct FirstPoll {
    spawned: u64,
    started: u64,
    ended: u64,
}

/// The first poll of every workload task (`task i`) of `part`.
fn first_polls(batches: &[EventBatch], part: u32) -> Vec<FirstPoll> {
    let mut spawned = BTreeMap::new();
    let mut firsts = BTreeMap::new();
    for event in batches
        .iter()
        .filter(|b| b.part == part)
        .flat_map(|b| &b.events)
    {
        match &event.kind {
            EventKind::Spawn(SpawnEvent { task, name, .. }) if name.starts_with("task ") => {
                spawned.insert(*task, event.t_ns);
            }
            EventKind::Poll(PollEvent { task, busy_ns, .. }) => {
                if let Some(&at) = spawned.get(task) {
                    firsts.entry(*task).or_insert(FirstPoll {
                        spawned: at,
                        started: event.t_ns - busy_ns,
                        ended: event.t_ns,
                    });
                }
            }
            _ => {}
        }
    }
    firsts.into_values().collect()
}
