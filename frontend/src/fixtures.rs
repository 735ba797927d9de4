//! Test-only: a small recorded run that the unit tests of several modules fold (the task
//! table, the lanes, the event counts, the echo page's lesson), so they all read the same
//! events. Compiled only for `cargo test`.

use pollscope_shared::instrument::batch::EventBatch;
use pollscope_shared::instrument::event::LaneKind;
use pollscope_shared::instrument::{
    Event, EventKind, LaneId, PollEvent, PollOutcome, SpanId, SpawnEvent, TaskId, TaskKind,
    TaskOutcome, Wait, WakeSource,
};

use crate::recording::PartRecording;

fn ev(t_ns: u64, kind: EventKind) -> Event {
    Event { t_ns, kind }
}

/// Lane 0 ("worker 0"); task 1 "conn" polled twice (a Pending read, woken by the
/// reactor, then Ready); task 2 "client 0" spawned and cancelled without a poll.
pub fn one_conn_events() -> Vec<Event> {
    let lane = Some(LaneId(0));
    let t1 = TaskId(1);
    vec![
        ev(
            0,
            EventKind::Lane {
                lane: LaneId(0),
                name: "worker 0".into(),
                lane_kind: LaneKind::Worker,
            },
        ),
        ev(
            0,
            EventKind::Spawn(SpawnEvent {
                task: t1,
                name: "conn".into(),
                parent: None,
                task_kind: TaskKind::Async,
            }),
        ),
        ev(
            1_000,
            EventKind::Spawn(SpawnEvent {
                task: TaskId(2),
                name: "client 0".into(),
                parent: Some(t1),
                task_kind: TaskKind::Async,
            }),
        ),
        ev(
            3_000,
            EventKind::Poll(PollEvent {
                task: t1,
                lane,
                busy_ns: 1_000,
                outcome: PollOutcome::Pending,
                resumed: None,
                waiting_on: Some(Wait {
                    span: SpanId(1),
                    name: "read request".into(),
                }),
                waker_clones: 0,
            }),
        ),
        ev(4_000, EventKind::Park { lane: LaneId(0) }),
        ev(
            1_004_000,
            EventKind::Wake {
                task: t1,
                by: WakeSource::Reactor,
                by_ref: false,
            },
        ),
        ev(1_005_000, EventKind::Unpark { lane: LaneId(0) }),
        ev(
            1_007_000,
            EventKind::Poll(PollEvent {
                task: t1,
                lane,
                busy_ns: 1_000,
                outcome: PollOutcome::Ready,
                resumed: Some(SpanId(1)),
                waiting_on: None,
                waker_clones: 0,
            }),
        ),
        ev(
            1_007_000,
            EventKind::Complete {
                task: t1,
                outcome: TaskOutcome::Ok,
            },
        ),
        ev(
            2_000_000,
            EventKind::Complete {
                task: TaskId(2),
                outcome: TaskOutcome::Cancelled,
            },
        ),
    ]
}

/// `events` as part 0 of run 3, received in one batch.
pub fn recording_of(events: Vec<Event>) -> PartRecording {
    let mut r = PartRecording::new(3, 0);
    r.apply_batch(EventBatch {
        run_id: 3,
        part: 0,
        seq: 0,
        dropped_total: 0,
        events,
    });
    r
}
