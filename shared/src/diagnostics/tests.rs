//! The diagnostics on small hand-written recordings: each test is a recording that has
//! the problem and, beside it, the same recording without it.

use super::*;
use crate::instrument::SpanId;
use crate::instrument::event::{
    EventKind, LaneId, LaneKind, PollEvent, PollOutcome, SpawnEvent, TaskId, TaskKind, TaskOutcome,
    Wait, WakeSource,
};

const MS: u64 = 1_000_000;

/// A recording written event by event.
#[derive(Default)]
struct Rec(Vec<Event>);

impl Rec {
    fn push(&mut self, t_ns: u64, kind: EventKind) -> &mut Self {
        self.0.push(Event { t_ns, kind });
        self
    }
    fn lane(&mut self, t: u64, lane: u32, kind: LaneKind) -> &mut Self {
        self.push(
            t,
            EventKind::Lane {
                lane: LaneId(lane),
                name: format!("lane {lane}").into(),
                lane_kind: kind,
            },
        )
    }
    fn spawn(&mut self, t: u64, task: u32, name: &'static str, kind: TaskKind) -> &mut Self {
        self.push(
            t,
            EventKind::Spawn(SpawnEvent {
                task: TaskId(task),
                name: name.into(),
                parent: None,
                task_kind: kind,
            }),
        )
    }
    /// A poll of `task` on `lane` from `start` to `end`.
    fn poll(
        &mut self,
        start: u64,
        end: u64,
        task: u32,
        lane: u32,
        outcome: PollOutcome,
        clones: u32,
    ) -> &mut Self {
        self.push(
            end,
            EventKind::Poll(PollEvent {
                task: TaskId(task),
                lane: Some(LaneId(lane)),
                busy_ns: end - start,
                outcome,
                resumed: None,
                waiting_on: (outcome == PollOutcome::Pending).then(|| Wait {
                    span: SpanId(task),
                    name: "read".into(),
                }),
                waker_clones: clones,
            }),
        )
    }
    fn wake(&mut self, t: u64, task: u32, by: WakeSource, by_ref: bool) -> &mut Self {
        self.push(
            t,
            EventKind::Wake {
                task: TaskId(task),
                by,
                by_ref,
            },
        )
    }
    fn complete(&mut self, t: u64, task: u32, outcome: TaskOutcome) -> &mut Self {
        self.push(
            t,
            EventKind::Complete {
                task: TaskId(task),
                outcome,
            },
        )
    }
    fn report(&self) -> Report {
        diagnose(&self.0, Thresholds::default())
    }
}

/// Two tasks on one worker: task 1 polls for `busy` while task 2, woken at 1 ms, waits.
fn held_worker(busy: u64) -> Rec {
    let mut rec = Rec::default();
    rec.lane(0, 0, LaneKind::Worker)
        .spawn(0, 1, "slow handler", TaskKind::Async)
        .spawn(0, 2, "client", TaskKind::Async)
        .poll(0, 100_000, 2, 0, PollOutcome::Pending, 1)
        .wake(MS, 2, WakeSource::Reactor, false)
        .poll(100_000, 100_000 + busy, 1, 0, PollOutcome::Ready, 0)
        .complete(100_000 + busy, 1, TaskOutcome::Ok)
        .poll(100_000 + busy, 200_000 + busy, 2, 0, PollOutcome::Ready, 0)
        .complete(200_000 + busy, 2, TaskOutcome::Ok);
    rec
}

#[test]
fn a_long_poll_is_named_with_its_task_lane_and_duration() {
    let report = held_worker(20 * MS).report();
    assert_eq!(report.count(FindingKind::LongPoll), 1);
    let long = report
        .diagnostics
        .iter()
        .find(|d| d.finding.kind() == FindingKind::LongPoll)
        .unwrap();
    assert_eq!(long.event_index, 5, "the poll event itself");
    assert_eq!(
        long.finding.sentence(),
        "One poll of task #1 slow handler held lane 0 #0 for 20.0 ms: nothing else ran on \
         that thread meanwhile."
    );
    // Below the threshold: nothing.
    assert_eq!(held_worker(MS / 2).report().count(FindingKind::LongPoll), 0);
}

#[test]
fn a_delayed_wake_blames_the_poll_that_held_the_worker() {
    let report = held_worker(20 * MS).report();
    assert_eq!(report.count(FindingKind::SchedulingDelay), 1);
    let delay = report
        .diagnostics
        .iter()
        .find(|d| d.finding.kind() == FindingKind::SchedulingDelay)
        .unwrap();
    let Finding::SchedulingDelay {
        task,
        waited_ns,
        held_by,
    } = &delay.finding
    else {
        unreachable!()
    };
    assert_eq!(task.id, TaskId(2));
    // Woken at 1 ms, polled when the slow poll ended at 20.1 ms.
    assert_eq!(*waited_ns, 20 * MS + 100_000 - MS);
    assert_eq!(held_by.len(), 1);
    assert_eq!(held_by[0].task.id, TaskId(1));
    assert_eq!(held_by[0].overlap_ns, *waited_ns);
    assert!(
        delay
            .finding
            .sentence()
            .contains("a poll of task #1 slow handler held lane 0 #0 for 19.1 ms of that wait"),
        "{}",
        delay.finding.sentence()
    );
    assert_eq!(
        held_worker(MS / 2)
            .report()
            .count(FindingKind::SchedulingDelay),
        0,
        "the worker was free again before the wake: no wait"
    );
}

#[test]
fn a_wait_with_no_poll_holding_a_worker_says_so() {
    let mut rec = Rec::default();
    rec.lane(0, 0, LaneKind::Worker)
        .spawn(0, 1, "late", TaskKind::Async)
        .poll(5 * MS, 5 * MS + 1000, 1, 0, PollOutcome::Ready, 0);
    let report = rec.report();
    let first = &report.diagnostics[0];
    assert_eq!(first.finding.kind(), FindingKind::SlowFirstPoll);
    assert!(
        first
            .finding
            .sentence()
            .contains("No recorded poll held a worker"),
        "{}",
        first.finding.sentence()
    );
}

#[test]
fn blocking_work_is_never_a_long_poll_but_its_queue_wait_is_reported() {
    let mut rec = Rec::default();
    rec.lane(0, 0, LaneKind::Blocking)
        .spawn(0, 1, "job 0", TaskKind::Blocking)
        .spawn(0, 2, "job 1", TaskKind::Blocking)
        .poll(10_000, 50 * MS, 1, 0, PollOutcome::Ready, 0)
        .complete(50 * MS, 1, TaskOutcome::Ok)
        .poll(50 * MS, 90 * MS, 2, 0, PollOutcome::Ready, 0)
        .complete(90 * MS, 2, TaskOutcome::Ok);
    let report = rec.report();
    assert_eq!(report.count(FindingKind::LongPoll), 0);
    assert_eq!(report.count(FindingKind::BlockingQueued), 1);
    let queued = &report.diagnostics[0];
    assert_eq!(
        queued.finding.sentence(),
        "Blocking work task #2 job 1 waited 50.0 ms for a thread of the blocking pool, \
         while 1 blocking thread ran other work: the pool was at its limit."
    );
}

/// A task polled `wakes + 1` times, woken `self_wakes` times by itself, the rest by the
/// reactor.
fn waking(self_wakes: u32, wakes: u32) -> Rec {
    let mut rec = Rec::default();
    rec.lane(0, 0, LaneKind::Worker)
        .spawn(0, 1, "spinner", TaskKind::Async);
    let mut t = 0;
    for i in 0..wakes {
        rec.poll(t, t + 10, 1, 0, PollOutcome::Pending, 1);
        let by = if i < self_wakes {
            WakeSource::Task(TaskId(1))
        } else {
            WakeSource::Reactor
        };
        rec.wake(t + 20, 1, by, false);
        t += 100;
    }
    rec.poll(t, t + 10, 1, 0, PollOutcome::Ready, 0)
        .complete(t + 10, 1, TaskOutcome::Ok);
    rec
}

#[test]
fn a_task_that_mostly_wakes_itself_is_reported_with_its_counts() {
    let report = waking(19, 20).report();
    assert_eq!(report.count(FindingKind::SelfWakes), 1);
    let sentence = report.diagnostics[0].finding.sentence();
    assert!(
        sentence.starts_with("Task #1 spinner woke itself for 19 of its 20 wakes"),
        "{sentence}"
    );
    assert_eq!(
        waking(10, 20).report().count(FindingKind::SelfWakes),
        0,
        "half is not most"
    );
    assert_eq!(
        waking(9, 9).report().count(FindingKind::SelfWakes),
        0,
        "too few wakes"
    );
}

#[test]
fn a_pending_poll_that_left_no_waker_is_a_lost_wake() {
    let lost = |clones: u32| {
        let mut rec = Rec::default();
        rec.lane(0, 0, LaneKind::Worker)
            .spawn(0, 1, "forgotten", TaskKind::Async)
            .poll(0, 1000, 1, 0, PollOutcome::Pending, clones)
            .complete(50 * MS, 1, TaskOutcome::Cancelled);
        rec.report()
    };
    let report = lost(0);
    assert_eq!(report.count(FindingKind::LostWake), 1);
    assert_eq!(report.diagnostics[0].event_index, 2, "the Pending poll");
    assert_eq!(
        report.diagnostics[0].finding.sentence(),
        "Task #1 forgotten waited at \"read\" with no waker of it left anywhere, so \
         nothing could wake it: 50.0 ms until it was dropped."
    );
    // The same wait with a waker kept somewhere is only a wait.
    assert_eq!(lost(1).report_count(), 0);
}

trait Count {
    fn report_count(&self) -> u64;
}
impl Count for Report {
    fn report_count(&self) -> u64 {
        self.count(FindingKind::LostWake)
    }
}

#[test]
fn a_waker_dropped_while_its_task_waits_is_a_lost_wake_from_the_drop() {
    let mut rec = Rec::default();
    rec.lane(0, 0, LaneKind::Worker)
        .spawn(0, 1, "orphan", TaskKind::Async)
        .poll(0, 1000, 1, 0, PollOutcome::Pending, 1)
        .push(2 * MS, EventKind::WakerDrop { task: TaskId(1) });
    rec.push(40 * MS, EventKind::Park { lane: LaneId(0) });
    let report = rec.report();
    assert_eq!(report.count(FindingKind::LostWake), 1);
    let lost = &report.diagnostics[0];
    assert_eq!(lost.event_index, 3, "the drop of the last waker");
    assert!(
        lost.finding
            .sentence()
            .ends_with("38.0 ms until the recording ended.")
    );
    // Missing events make the counts unknown: no lost wake is claimed.
    let mut watch = Watch::new(Thresholds::default());
    watch.events_missing();
    for (i, e) in rec.0.iter().enumerate() {
        watch.apply(i, e);
    }
    assert_eq!(watch.report().count(FindingKind::LostWake), 0);
    assert!(watch.report().lost_wakes_unchecked);
}

#[test]
fn a_waker_consumed_by_its_wake_is_not_lost_and_a_woken_task_is_not_waiting() {
    // Pending with one clone; the clone is consumed by `wake`; polled again, Ready.
    let mut rec = Rec::default();
    rec.lane(0, 0, LaneKind::Worker)
        .spawn(0, 1, "fine", TaskKind::Async)
        .poll(0, 1000, 1, 0, PollOutcome::Pending, 1)
        .wake(30 * MS, 1, WakeSource::Timer, false)
        .poll(30 * MS, 30 * MS + 1000, 1, 0, PollOutcome::Ready, 0)
        .complete(30 * MS + 1000, 1, TaskOutcome::Ok);
    let report = rec.report();
    assert_eq!(report.diagnostics, []);
}

#[test]
fn only_the_most_severe_are_kept_but_all_are_counted() {
    let mut rec = Rec::default();
    rec.lane(0, 0, LaneKind::Worker);
    let mut t = 0;
    for task in 1..=40 {
        rec.spawn(t, task, "burst", TaskKind::Async);
        let busy = u64::from(task) * MS;
        rec.poll(t, t + busy, task, 0, PollOutcome::Ready, 0)
            .complete(t + busy, task, TaskOutcome::Ok);
        t += busy;
    }
    let report = rec.report();
    assert_eq!(report.count(FindingKind::LongPoll), 40);
    let kept: Vec<u64> = report
        .diagnostics
        .iter()
        .filter(|d| d.finding.kind() == FindingKind::LongPoll)
        .map(|d| d.finding.severity() / MS)
        .collect();
    assert_eq!(
        kept,
        (25..=40).collect::<Vec<u64>>(),
        "the 16 longest, in event order"
    );
}

#[test]
fn wakers_dropped_with_a_cancelled_future_are_not_lost() {
    // An aborted task waiting on a socket: its await point closes, the socket's waker is
    // dropped with the future, the task completes as cancelled (the order the recorder
    // writes a drop in).
    let cancelled = |span_exit_first: bool| {
        let mut rec = Rec::default();
        rec.lane(0, 0, LaneKind::Worker)
            .spawn(0, 1, "accept loop", TaskKind::Async)
            .poll(0, 1000, 1, 0, PollOutcome::Pending, 1);
        if span_exit_first {
            rec.push(
                2000,
                EventKind::SpanExit {
                    task: TaskId(1),
                    span: SpanId(1),
                },
            );
        }
        rec.push(2100, EventKind::WakerDrop { task: TaskId(1) })
            .complete(20 * MS, 1, TaskOutcome::Cancelled);
        rec.report().count(FindingKind::LostWake)
    };
    assert_eq!(cancelled(true), 0);
    assert_eq!(
        cancelled(false),
        1,
        "a drop with the await point still open is a loss"
    );
}
