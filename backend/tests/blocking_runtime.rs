//! Outline section 7 over a real WebSocket: the echo server where one request's handler
//! does D ms of work with `std::thread::sleep`, `tokio::time::sleep` and `spawn_blocking`.
//! Every assertion follows from the run's parameters and its recorded events: the
//! blocking call's poll lasted at least D, the yielding ones never did, and on
//! `current_thread` the other clients' round trips waited the blocking poll out.

mod common;

use std::collections::BTreeMap;

use common::{TestServer, collect, events_by_part, run};
use pollscope_shared::diagnostics::{Finding, FindingKind, Report, Thresholds, diagnose};
use pollscope_shared::instrument::event::LaneKind;
use pollscope_shared::instrument::{
    Event, EventKind, LaneId, PollEvent, SpanId, SpawnEvent, TaskId, TaskKind, Wait,
};
use pollscope_shared::protocol::EventEncoding;
use pollscope_shared::results::{BlockingWay, ScenarioResult};
use pollscope_shared::scenario::ParamValues;
use pollscope_shared::testkit::{Coverage, check_recording};
use pollscope_shared::{ClientMessage, ServerMessage};

const CLIENTS: u32 = 4;
const MESSAGES: u32 = 20;
const WORK_MS: u64 = 30;
const WORK_NS: u64 = WORK_MS * 1_000_000;
/// The `way` knob's values: one way each, or all three.
const THREAD_SLEEP: i64 = 0;
const ALL_WAYS: i64 = 3;

/// One poll as the checks read it: (start, end, lane, waiting on, resumed).
type PollSeen = (u64, u64, Option<LaneId>, Option<Wait>, Option<SpanId>);

/// What the checks read of one part's events.
#[derive(Default)]
struct Part {
    lanes: BTreeMap<LaneId, LaneKind>,
    spawns: BTreeMap<TaskId, SpawnEvent>,
    /// Each task's polls: (start, end, lane, waiting on, resumed).
    polls: BTreeMap<TaskId, Vec<PollSeen>>,
}

impl Part {
    fn read(events: &[Event]) -> Self {
        let mut part = Self::default();
        for event in events {
            match &event.kind {
                EventKind::Lane {
                    lane, lane_kind, ..
                } => {
                    part.lanes.insert(*lane, *lane_kind);
                }
                EventKind::Spawn(spawn) => {
                    part.spawns.insert(spawn.task, spawn.clone());
                }
                EventKind::Poll(PollEvent {
                    task,
                    lane,
                    busy_ns,
                    resumed,
                    waiting_on,
                    ..
                }) => part.polls.entry(*task).or_default().push((
                    event.t_ns - busy_ns,
                    event.t_ns,
                    *lane,
                    waiting_on.clone(),
                    *resumed,
                )),
                _ => {}
            }
        }
        part
    }

    fn longest_poll_ns(&self, task: TaskId) -> u64 {
        self.polls[&task]
            .iter()
            .map(|(start, end, ..)| end - start)
            .max()
            .unwrap_or(0)
    }

    /// The one task that waited on an await point named `work`, and how long that wait
    /// lasted at least: from the start of the poll that entered it to the start of the
    /// poll that resumed past it (the deadline was set inside the first).
    fn work_wait(&self) -> (TaskId, u64) {
        let mut found = Vec::new();
        for (task, polls) in &self.polls {
            for (i, (start, _, _, waiting, _)) in polls.iter().enumerate() {
                let Some(wait) = waiting.as_ref().filter(|w| w.name == "work") else {
                    continue;
                };
                let resumed = polls[i + 1..]
                    .iter()
                    .find(|p| p.4 == Some(wait.span))
                    .expect("the work's wait ended in a later poll");
                found.push((*task, resumed.0 - start));
            }
        }
        assert_eq!(found.len(), 1, "one task waited on the work once");
        found[0]
    }
}

#[tokio::test]
async fn the_blocking_sleep_holds_the_thread_and_the_others_wait_while_the_yielding_ways_do_not() {
    let server = TestServer::start().await;
    let (mut client, _) = server
        .start_run(&run(
            "blocking_runtime",
            &[
                ("workers", 0),
                ("clients", CLIENTS.into()),
                ("messages", MESSAGES.into()),
                ("work_ms", WORK_MS as i64),
                ("way", ALL_WAYS),
            ],
        ))
        .await;
    let (batches, last) = collect(&mut client).await;
    let ServerMessage::Result {
        result: ScenarioResult::BlockingRuntime(result),
        ..
    } = last
    else {
        panic!("expected the result, got {last:?}");
    };
    let events = events_by_part(batches);
    let parts: Vec<Part> = (0..3)
        .map(|i| {
            // Each part's runtime was shut down: every task's story is complete.
            check_recording(&events[&i], Coverage::WholeRun);
            Part::read(&events[&i])
        })
        .collect();
    let ways: Vec<_> = result.ways.iter().map(|w| w.way).collect();
    assert_eq!(
        ways,
        [
            BlockingWay::ThreadSleep,
            BlockingWay::TokioSleep,
            BlockingWay::SpawnBlocking
        ]
    );
    assert_eq!(result.slow_message, MESSAGES / 2);
    let work_us = WORK_MS * 1000;
    for way in &result.ways {
        // The search read every event, so its longest poll is the part's longest.
        assert_eq!(way.events_searched, way.events_recorded, "{:?}", way.way);
        assert_eq!(way.others_round_trips, (CLIENTS - 1) * MESSAGES);
        assert!(way.others_p50_us <= way.others_p99_us && way.others_p99_us <= way.others_max_us);
        common::assert_histogram_agrees(
            &way.others_histogram,
            ((CLIENTS - 1) * MESSAGES).into(),
            &[(50, way.others_p50_us), (99, way.others_p99_us)],
            way.others_max_us,
        );
        // Whichever way, the slow request's echo came after its work.
        assert!(way.slow_request_us >= work_us, "{way:?}");
        assert!(
            way.held_up
                .iter()
                .all(|h| h.client != 0 && h.client < CLIENTS)
        );
        // Each longest poll the result names is a recorded poll on a worker lane.
        let part = &parts[way.way as usize];
        let task = TaskId(way.longest_poll.task);
        let lane = LaneId(way.longest_poll.lane);
        assert_eq!(part.lanes[&lane], LaneKind::Worker, "{way:?}");
        assert_eq!(part.spawns[&task].name, way.longest_poll.task_name);
        assert!(
            part.polls[&task]
                .iter()
                .any(|p| p.2 == Some(lane) && (p.1 - p.0) / 1000 == way.longest_poll.busy_us)
        );
    }

    // std::thread::sleep: the slow connection's task held its worker for a poll of at
    // least D, and it is the longest poll of the part.
    let blocked = &result.ways[0];
    let slow_task = TaskId(blocked.longest_poll.task);
    assert_eq!(blocked.longest_poll.client, Some(0), "{blocked:?}");
    assert!(
        blocked
            .longest_poll
            .task_name
            .starts_with("conn 127.0.0.1:")
    );
    assert!(parts[0].longest_poll_ns(slow_task) >= WORK_NS);
    assert!(blocked.longest_poll.busy_us >= work_us);
    assert!(blocked.blocking_work.is_none());
    // On current_thread nothing else ran meanwhile: the other clients, each in the middle
    // of a round trip, got their echoes only after it.
    assert!(blocked.others_max_us >= work_us, "{blocked:?}");
    assert!(!blocked.held_up.is_empty(), "{blocked:?}");
    for held in &blocked.held_up {
        assert!(held.round_trip_us >= held.during_us);
        assert!(held.during_us * 2 >= blocked.longest_poll.busy_us);
    }

    // tokio::time::sleep: the task waited on its timer for at least D, in no poll.
    let (sleeper, waited_ns) = parts[1].work_wait();
    assert!(waited_ns >= WORK_NS, "waited {waited_ns} ns");
    assert!(parts[1].spawns[&sleeper].name.starts_with("conn "));
    assert!(parts[1].longest_poll_ns(sleeper) < WORK_NS);
    assert!(result.ways[1].blocking_work.is_none());

    // spawn_blocking: the closure slept for at least D on a blocking-pool lane, spawned by
    // the connection's task, which waited on its handle meanwhile.
    let (waiter, waited_ns) = parts[2].work_wait();
    assert!(waited_ns >= WORK_NS);
    assert!(parts[2].longest_poll_ns(waiter) < WORK_NS);
    let closures: Vec<_> = parts[2]
        .spawns
        .values()
        .filter(|s| s.task_kind == TaskKind::Blocking)
        .collect();
    assert_eq!(closures.len(), 1);
    assert_eq!(closures[0].parent, Some(waiter));
    let closure_polls = &parts[2].polls[&closures[0].task];
    assert_eq!(closure_polls.len(), 1);
    let (start, end, lane, ..) = closure_polls[0];
    assert!(end - start >= WORK_NS);
    assert_eq!(parts[2].lanes[&lane.expect("a lane")], LaneKind::Blocking);
    let work = result.ways[2]
        .blocking_work
        .as_ref()
        .expect("the closure ran");
    assert_eq!(work.lane, lane.unwrap().0);
    assert!(work.busy_us >= work_us);

    drop(client);
    server.until_idle().await;
}

/// Runs one way of the demo and returns its result and its part's diagnostics.
async fn one_way(
    server: &TestServer,
    params: &ParamValues,
) -> (pollscope_shared::results::BlockingRuntimeResult, Report) {
    let (mut client, _) = server
        .start_run(&ClientMessage::Run {
            scenario: "blocking_runtime".into(),
            params: params.clone(),
            events: EventEncoding::Binary,
        })
        .await;
    let (batches, last) = collect(&mut client).await;
    let ServerMessage::Result {
        result: ScenarioResult::BlockingRuntime(result),
        ..
    } = last
    else {
        panic!("expected the result, got {last:?}");
    };
    let events = events_by_part(batches);
    assert_eq!(events.len(), 1, "one way, one part");
    (result, diagnose(&events[&0], Thresholds::default()))
}

/// The fix the descriptor declares for the blocking way's long poll really fixes it: the
/// first run's diagnostics find a poll of at least the work on a worker, the fixed run's
/// find none that long.
#[tokio::test]
async fn the_declared_fix_for_the_long_poll_removes_it() {
    let server = TestServer::start().await;
    let mut client = server.connect().await;
    let ServerMessage::Hello { scenarios, .. } = client.recv().await else {
        panic!("expected hello");
    };
    let descriptor = scenarios
        .into_iter()
        .find(|d| d.id == "blocking_runtime")
        .unwrap();
    let mut params = descriptor.defaults();
    params.extend([
        ("workers".to_owned(), 0),
        ("clients".to_owned(), i64::from(CLIENTS)),
        ("messages".to_owned(), i64::from(MESSAGES)),
        ("work_ms".to_owned(), WORK_MS as i64),
        ("way".to_owned(), THREAD_SLEEP),
    ]);
    let long = |report: &Report| -> Vec<u64> {
        report
            .diagnostics
            .iter()
            .filter_map(|d| match &d.finding {
                Finding::LongPoll { busy_ns, .. } => Some(*busy_ns),
                _ => None,
            })
            .collect()
    };

    let (blocked, report) = one_way(&server, &params).await;
    assert_eq!(blocked.ways.len(), 1);
    assert_eq!(blocked.ways[0].way, BlockingWay::ThreadSleep);
    assert!(
        long(&report).iter().any(|&busy| busy >= WORK_NS),
        "a long poll of at least the work: {:?}",
        long(&report)
    );
    let fixes: Vec<_> = descriptor
        .fixes
        .iter()
        .filter(|f| f.applies(FindingKind::LongPoll.label(), &params))
        .collect();
    assert_eq!(fixes.len(), 2, "two ways that yield are offered");
    for (fix, way) in fixes
        .into_iter()
        .zip([BlockingWay::TokioSleep, BlockingWay::SpawnBlocking])
    {
        let (fixed, report) = one_way(&server, &fix.fixed(&params)).await;
        assert_eq!(fixed.ways[0].way, way, "{}", fix.label);
        assert!(
            long(&report).iter().all(|&busy| busy < WORK_NS),
            "{}: no poll as long as the work: {:?}",
            fix.label,
            long(&report)
        );
    }
}
