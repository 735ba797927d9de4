//! Outline section 4 — async I/O: a TCP echo server, and every task it ran, live.
//!
//! The page explains what happens when a task reads from a socket that has no bytes yet,
//! shows the backend code that ran, and while the run streams its recorded events it
//! keeps a task table like tokio-console's: one row per task with its state, polls,
//! busy / scheduled / idle time and wakes by source. All of it is folded in the browser
//! from the events the server sent (see [`crate::recording`]); the result panel then shows
//! the totals the server folded from the same events, so the two can be compared.
//!
//! Above the table, the [`Timeline`] draws the same events over time: one lane per worker,
//! one row per task, the wakes, and a cursor to step through the run.
//!
//! The view data ([`TaskRow`], [`LaneRow`], [`EventCounts`], [`what_to_notice`]) is
//! computed by pure functions, unit-tested natively; the components only render it.

use pollscope_shared::instrument::event::LaneKind;
use pollscope_shared::instrument::stats::{RunStats, TaskState, WakeCounts};
use pollscope_shared::instrument::{LaneId, TaskOutcome};
use pollscope_shared::results::{EchoResult, ScenarioResult};
use yew::prelude::*;

use crate::components::{DemoProps, format_ms};
use crate::demo_frame::DemoFrame;
use crate::recording::{PartRecording, RecordingStore};
use crate::state::RunState;
use crate::timeline::{PartRef, Timeline};

pub const ID: &str = "echo";

/// Nanoseconds as milliseconds with three decimals: `1_234_567` → `"1.235"`.
pub fn format_ns_ms(ns: u64) -> String {
    format!("{:.3}", ns as f64 / 1e6)
}

/// A count for a sentence: "once", "3 times".
pub fn times(n: u64) -> String {
    if n == 1 {
        "once".to_owned()
    } else {
        format!("{n} times")
    }
}

/// The `data-state` of a task row.
pub fn state_attr(state: TaskState) -> &'static str {
    match state {
        TaskState::Scheduled => "scheduled",
        TaskState::Idle => "idle",
        TaskState::Done(TaskOutcome::Ok) => "done-ok",
        TaskState::Done(TaskOutcome::Error) => "done-error",
        TaskState::Done(TaskOutcome::Panicked) => "done-panicked",
        TaskState::Done(TaskOutcome::Cancelled) => "done-cancelled",
    }
}

/// One row of the task table.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskRow {
    pub id: u32,
    pub name: String,
    pub state: TaskState,
    pub polls: u32,
    /// Busy / scheduled / idle time up to the run's latest event.
    pub busy_ns: u64,
    pub scheduled_ns: u64,
    pub idle_ns: u64,
    pub wakes: WakeCounts,
    pub waker_clones: u32,
    pub waker_drops: u32,
    /// The lane (id, thread name) that ran the task's latest poll.
    pub last_lane: Option<(u32, String)>,
}

/// One row per task, in spawn order. A task's open state (e.g. idle since its last poll)
/// is counted up to the latest event received, the "now" of the recording.
pub fn task_rows(stats: &RunStats) -> Vec<TaskRow> {
    let now = stats.last_t_ns;
    // Lanes of one runtime often share a thread name: the id tells them apart.
    let lane = |lane: LaneId| {
        let name = stats
            .lanes
            .get(&lane)
            .map_or_else(|| format!("lane {}", lane.0), |l| l.name.to_string());
        (lane.0, name)
    };
    stats
        .tasks
        .values()
        .map(|t| {
            let (busy_ns, scheduled_ns, idle_ns) = t.times_at(now);
            TaskRow {
                id: t.id.0,
                name: t.name.to_string(),
                state: t.state,
                polls: t.polls,
                busy_ns,
                scheduled_ns,
                idle_ns,
                wakes: t.wakes,
                waker_clones: t.waker_clones,
                waker_drops: t.waker_drops,
                last_lane: t.last_lane.map(lane),
            }
        })
        .collect()
}

/// One lane (OS thread) of the run's runtime.
#[derive(Debug, Clone, PartialEq)]
pub struct LaneRow {
    pub id: u32,
    pub name: String,
    pub kind: &'static str,
    /// Times the lane ran out of ready tasks and went to sleep.
    pub parks: u32,
    pub parked: bool,
}

pub fn lane_rows(stats: &RunStats) -> Vec<LaneRow> {
    stats
        .lanes
        .values()
        .map(|l| LaneRow {
            id: l.id.0,
            name: l.name.to_string(),
            kind: match l.kind {
                LaneKind::Worker => "worker",
                LaneKind::Blocking => "blocking",
                LaneKind::Main => "main",
            },
            parks: l.parks,
            parked: l.parked,
        })
        .collect()
}

/// How much of the run's event stream arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EventCounts {
    pub run_id: u64,
    pub received: u64,
    pub batches: u64,
    /// Batches missing from the sequence (sent but never received).
    pub lost_batches: u64,
    /// Events the server's recorder had to drop (its buffer was full).
    pub dropped: u64,
    /// Events that broke the rules of a task's life: should stay 0.
    pub anomalies: u64,
    /// Events counted in the table but not kept for the timeline (the store is bounded).
    pub not_kept: u64,
}

impl EventCounts {
    pub fn of(recording: &PartRecording) -> Self {
        Self {
            run_id: recording.run_id,
            received: recording.events_received(),
            batches: recording.batches,
            lost_batches: recording.lost_batches(),
            dropped: recording.dropped_total,
            anomalies: recording.stats.anomalies,
            not_kept: recording.events_not_kept,
        }
    }
}

/// The one-line lesson of this run, from its own numbers; `None` before the first poll.
pub fn what_to_notice(recording: &PartRecording) -> Option<String> {
    let stats = &recording.stats;
    if stats.polls == 0 {
        return None;
    }
    let pending = recording.pending_polls;
    // The echo's socket reads are the await points named "read …" in the code above.
    let reads: u64 = recording
        .pending_by_await
        .iter()
        .filter(|(name, _)| name.starts_with("read"))
        .map(|(_, n)| n)
        .sum();
    let parks: u64 = stats.lanes.values().map(|l| u64::from(l.parks)).sum();
    Some(format!(
        "{pending} of {} polls returned Pending, {reads} of them in a read that found no bytes \
         yet: each time the task went idle until the reactor saw its socket become readable. \
         The reactor woke tasks {}, other tasks woke them {}, and the workers parked {} \
         because no task was ready.",
        stats.polls,
        times(stats.wakes.by_reactor.into()),
        times(stats.wakes.by_task.into()),
        times(parks)
    ))
}

#[derive(Properties, PartialEq)]
pub struct EchoPageProps {
    pub demo: DemoProps,
    /// `AppState::recording_version`: changes whenever the recordings did, so the page
    /// re-renders and re-reads the store.
    pub recording_version: u64,
}

#[component]
pub fn EchoPage(props: &EchoPageProps) -> Html {
    let demo = &props.demo;
    let store = use_context::<RecordingStore>();
    let live = store.map(|store| {
        let recordings = store.borrow();
        match recordings.for_scenario(ID) {
            // The echo scenario runs on one runtime: its events are all in part 0.
            Some(recording) => match recording.part(0) {
                Some(part) => live_view(part, &demo.run),
                None => live_view(&PartRecording::new(recording.run_id, 0), &demo.run),
            },
            None => html! {},
        }
    });
    let result = match &demo.run {
        RunState::Finished {
            result: ScenarioResult::Echo(r),
            ..
        } => html! { <EchoResultView result={r.clone()} /> },
        _ => html! {},
    };
    let explain = html! {
        <>
            <p>
                { "A read from a socket that has no bytes yet does not block the thread. \
                   The read future returns " }<code>{ "Poll::Pending" }</code>
                { ", and before it does, Tokio registers the task's waker with the " }
                <em>{ "reactor" }</em>
                { " (the I/O driver: epoll on Linux) for that socket. The task is now " }
                <em>{ "idle" }</em>{ ": nobody polls it." }
            </p>
            <p>
                { "The worker thread moves on to another task that is ready. If none is, \
                   the worker " }<em>{ "parks" }</em>
                { ": it sleeps in the driver until the kernel reports that some socket \
                   became ready. The reactor then calls the waker of each task waiting on \
                   it — the task is " }<em>{ "scheduled" }</em>
                { " — and a worker polls it again; this time the read finds the bytes." }
            </p>
            <p>
                { "The table counts each task's wakes by who woke it: " }
                <strong>{ "by reactor" }</strong>
                { " means a socket became ready; " }<strong>{ "by task" }</strong>
                { " means code running in another task's poll called the waker (handing \
                   it something, like a channel send); " }<strong>{ "self" }</strong>
                { " means the task woke itself, e.g. to yield; " }<strong>{ "other" }</strong>
                { " means the runtime itself, outside any task's poll, or a thread outside \
                   the runtime. Busy is time inside polls, scheduled is time woken but \
                   waiting for a worker, idle is time waiting for a wake." }
            </p>
        </>
    };
    html! {
        <DemoFrame demo={demo.clone()} explain={explain}>
            { for live }
            { result }
        </DemoFrame>
    }
}

/// Everything folded from the recording so far: counts, lanes, the lesson, the tasks.
fn live_view(recording: &PartRecording, run: &RunState) -> Html {
    let live = run.running_id() == Some(recording.run_id);
    let heading = if live {
        format!("Tasks of run {} — live", recording.run_id)
    } else {
        format!("Tasks of run {}", recording.run_id)
    };
    let pending = (!recording.pending_by_await.is_empty()).then(|| {
        let items = recording.pending_by_await.iter().map(|(name, n)| {
            html! {
                <li data-await={name.to_string()} data-pending={n.to_string()}>
                    <code>{ name.to_string() }</code>{ format!(": {n}") }
                </li>
            }
        });
        html! {
            <div class="pending-by-await">
                <span>{ "Pending polls by await point:" }</span>
                <ul>{ for items }</ul>
            </div>
        }
    });
    html! {
        <section id="live" class="live" data-run-id={recording.run_id.to_string()}
            data-live={live.to_string()}>
            <h3>{ heading }</h3>
            <EventCountsView counts={EventCounts::of(recording)} />
            <LanesView lanes={lane_rows(&recording.stats)} />
            if let Some(text) = what_to_notice(recording) {
                <p id="what-to-notice" class="what-to-notice">
                    <strong>{ "What to notice: " }</strong>{ text }
                </p>
            }
            { for pending }
            <Timeline recording_part={PartRef::new(ID, 0)} />
            <TaskTable rows={task_rows(&recording.stats)} />
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct EventCountsProps {
    pub counts: EventCounts,
}

/// How much of the event stream arrived, and what is missing from it.
#[component]
pub fn EventCountsView(props: &EventCountsProps) -> Html {
    let c = props.counts;
    html! {
        <div class="event-counts">
            <p id="event-count" data-events={c.received.to_string()}
                data-batches={c.batches.to_string()} data-lost-batches={c.lost_batches.to_string()}>
                { format!("{} events received in {} batches", c.received, c.batches) }
            </p>
            if c.lost_batches > 0 {
                <p id="event-gaps" class="warn" role="alert">
                    { format!("{} batch(es) lost in transit (gaps in their sequence numbers): \
                               the table misses the events they carried.", c.lost_batches) }
                </p>
            }
            <p id="events-dropped" data-dropped={c.dropped.to_string()}
                class={classes!((c.dropped > 0).then_some("warn"))}>
                { format!("{} events dropped by the recorder", c.dropped) }
                if c.dropped > 0 {
                    { " (its buffer was full; the numbers below undercount)" }
                }
            </p>
            if c.anomalies > 0 {
                <p class="warn">{ format!("{} events did not fit a task's life (anomalies)", c.anomalies) }</p>
            }
            if c.not_kept > 0 {
                <p id="events-not-kept" class="warn" data-not-kept={c.not_kept.to_string()}>
                    { format!("The page keeps the first {} events of a run for replay; {} more \
                               were counted in the table but not kept.",
                        crate::recording::MAX_KEPT_EVENTS, c.not_kept) }
                </p>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct LanesProps {
    pub lanes: Vec<LaneRow>,
}

/// The runtime's threads and how often each parked.
#[component]
pub fn LanesView(props: &LanesProps) -> Html {
    let workers = props.lanes.iter().filter(|l| l.kind == "worker").count();
    let parks: u64 = props.lanes.iter().map(|l| u64::from(l.parks)).sum();
    let items = props.lanes.iter().map(|l| {
        html! {
            <li class="lane-row" key={l.id} data-lane-id={l.id.to_string()}
                data-kind={l.kind} data-parks={l.parks.to_string()} data-parked={l.parked.to_string()}>
                <code>{ format!("{} #{}", l.name, l.id) }</code>
                { format!(" ({}): parked {}{}", l.kind, times(l.parks.into()),
                    if l.parked { ", asleep now" } else { "" }) }
            </li>
        }
    });
    html! {
        <div id="lanes" class="lanes" data-lanes={props.lanes.len().to_string()}
            data-workers={workers.to_string()} data-parks={parks.to_string()}>
            <span>{ format!("{} lane(s), {workers} worker(s), {parks} parks in total:",
                props.lanes.len()) }</span>
            <ul>{ for items }</ul>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct TaskTableProps {
    pub rows: Vec<TaskRow>,
}

/// One row per task, like tokio-console's task list. Times are in milliseconds.
#[component]
pub fn TaskTable(props: &TaskTableProps) -> Html {
    let rows = props.rows.iter().map(|r| {
        let w = &r.wakes;
        let other = w.by_driver + w.by_thread;
        let wakes_title = format!(
            "reactor {}, task {}, timer {}, self {}, driver {}, thread {}",
            w.by_reactor, w.by_task, w.by_timer, w.self_wakes, w.by_driver, w.by_thread
        );
        html! {
            <tr class="task-row" key={r.id} data-task-id={r.id.to_string()}
                data-name={r.name.clone()} data-state={state_attr(r.state)}
                data-polls={r.polls.to_string()} data-wakes={w.total().to_string()}>
                <td class="num">{ r.id }</td>
                <td class="name" title={r.name.clone()}>{ &r.name }</td>
                <td class="state">{ r.state.label() }</td>
                <td class="num">{ r.polls }</td>
                <td class="num">{ format_ns_ms(r.busy_ns) }</td>
                <td class="num">{ format_ns_ms(r.scheduled_ns) }</td>
                <td class="num">{ format_ns_ms(r.idle_ns) }</td>
                <td class="num" title={wakes_title}>{ w.total() }</td>
                <td class="num">{ w.by_reactor }</td>
                <td class="num">{ w.by_task }</td>
                <td class="num">{ w.by_timer }</td>
                <td class="num">{ w.self_wakes }</td>
                <td class="num">{ other }</td>
                <td class="num">{ r.waker_clones }</td>
                <td class="num">{ r.waker_drops }</td>
                {
                    match &r.last_lane {
                        Some((id, name)) => html! {
                            <td class="lane" title={name.clone()}>{ format!("#{id}") }</td>
                        },
                        None => html! { <td class="lane">{ "—" }</td> },
                    }
                }
            </tr>
        }
    });
    html! {
        <div class="task-table-wrap">
            <table id="task-table" class="task-table" data-tasks={props.rows.len().to_string()}>
                <thead>
                    <tr>
                        <th rowspan="2">{ "id" }</th>
                        <th rowspan="2">{ "task" }</th>
                        <th rowspan="2">{ "state" }</th>
                        <th rowspan="2">{ "polls" }</th>
                        <th colspan="3">{ "time (ms)" }</th>
                        <th colspan="6">{ "wakes, by" }</th>
                        <th colspan="2">{ "wakers" }</th>
                        <th rowspan="2">{ "last lane" }</th>
                    </tr>
                    <tr>
                        <th>{ "busy" }</th>
                        <th>{ "scheduled" }</th>
                        <th>{ "idle" }</th>
                        <th>{ "total" }</th>
                        <th>{ "reactor" }</th>
                        <th>{ "task" }</th>
                        <th>{ "timer" }</th>
                        <th>{ "self" }</th>
                        <th>{ "other" }</th>
                        <th>{ "clones" }</th>
                        <th>{ "drops" }</th>
                    </tr>
                </thead>
                <tbody>{ for rows }</tbody>
            </table>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct EchoResultProps {
    pub result: EchoResult,
}

/// The server's measurements and the totals it folded from the run's events.
#[component]
pub fn EchoResultView(props: &EchoResultProps) -> Html {
    let r = &props.result;
    let w = &r.wakes;
    let runtime = if r.workers == 0 {
        "current_thread runtime".to_owned()
    } else {
        format!("multi_thread runtime, {} worker(s)", r.workers)
    };
    html! {
        <section id="echo-result" class="result echo-result"
            data-round-trips={r.round_trips.to_string()} data-polls={r.polls.to_string()}
            data-tasks={r.tasks.to_string()} data-wakes-reactor={w.by_reactor.to_string()}
            data-events-recorded={r.events_recorded.to_string()}
            data-events-dropped={r.events_dropped.to_string()}>
            <p>
                { format!("{} round trips ({} clients × {} messages of {} bytes) in {} on a {runtime}: ",
                    r.round_trips, r.clients, r.messages_per_client, r.message_bytes,
                    format_ms(r.elapsed_us)) }
                <strong>{ format!("{} round trips/s", r.round_trips_per_sec) }</strong>
            </p>
            <p>
                { format!("Round-trip latency: p50 {}, p99 {}, max {}",
                    format_ms(r.latency_p50_us), format_ms(r.latency_p99_us),
                    format_ms(r.latency_max_us)) }
            </p>
            <p>
                { format!("{} tasks, {} polls in total. Wakes: {} by the reactor, {} by tasks, \
                           {} by the timer, {} self, {} by the driver, {} by other threads.",
                    r.tasks, r.polls, w.by_reactor, w.by_task, w.by_timer, w.self_wakes,
                    w.by_driver, w.by_thread) }
            </p>
            <p>
                { format!("{} events recorded, {} dropped by the recorder.",
                    r.events_recorded, r.events_dropped) }
            </p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use pollscope_shared::instrument::batch::EventBatch;
    use pollscope_shared::instrument::{
        Event, EventKind, PollOutcome, SpanId, TaskId, TaskKind, Wait, WakeSource,
    };

    use super::*;

    fn ev(t_ns: u64, kind: EventKind) -> Event {
        Event { t_ns, kind }
    }

    /// Lane 0 ("worker 0"); task 1 "conn" polled twice (a Pending read, woken by the
    /// reactor, then Ready); task 2 "client 0" spawned and cancelled without a poll.
    fn events() -> Vec<Event> {
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
                EventKind::Spawn {
                    task: t1,
                    name: "conn".into(),
                    parent: None,
                    task_kind: TaskKind::Async,
                },
            ),
            ev(
                1_000,
                EventKind::Spawn {
                    task: TaskId(2),
                    name: "client 0".into(),
                    parent: Some(t1),
                    task_kind: TaskKind::Async,
                },
            ),
            ev(
                3_000,
                EventKind::Poll {
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
                },
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
                EventKind::Poll {
                    task: t1,
                    lane,
                    busy_ns: 1_000,
                    outcome: PollOutcome::Ready,
                    resumed: Some(SpanId(1)),
                    waiting_on: None,
                    waker_clones: 0,
                },
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

    fn recording() -> PartRecording {
        let mut r = PartRecording::new(3, 0);
        r.apply_batch(EventBatch {
            run_id: 3,
            part: 0,
            seq: 0,
            dropped_total: 0,
            events: events(),
        });
        r
    }

    #[test]
    fn rows_follow_the_stats() {
        let r = recording();
        let rows = task_rows(&r.stats);
        assert_eq!(rows.len(), 2);
        let conn = &rows[0];
        assert_eq!((conn.id, conn.name.as_str()), (1, "conn"));
        assert_eq!(state_attr(conn.state), "done-ok");
        assert_eq!(conn.polls, 2);
        // busy 1 µs + 1 µs; scheduled 2 µs + 2 µs; idle from 3 µs to 1004 µs.
        assert_eq!(
            (conn.busy_ns, conn.scheduled_ns, conn.idle_ns),
            (2_000, 4_000, 1_001_000)
        );
        assert_eq!(conn.wakes.by_reactor, 1);
        assert_eq!(conn.last_lane, Some((0, "worker 0".to_owned())));
        let client = &rows[1];
        assert_eq!(state_attr(client.state), "done-cancelled");
        assert_eq!(client.polls, 0);
        // Scheduled from its spawn until it was cancelled.
        assert_eq!(client.scheduled_ns, 1_999_000);
        assert_eq!(client.last_lane, None);
    }

    #[test]
    fn open_states_count_up_to_the_latest_event() {
        let mut r = PartRecording::new(3, 0);
        r.apply_batch(EventBatch {
            run_id: 3,
            part: 0,
            seq: 0,
            dropped_total: 0,
            // Up to (and including) the park: task 1 idle since 3 µs, now is 4 µs.
            events: events()[..5].to_vec(),
        });
        let rows = task_rows(&r.stats);
        assert_eq!(state_attr(rows[0].state), "idle");
        assert_eq!(rows[0].idle_ns, 1_000);
        assert_eq!(state_attr(rows[1].state), "scheduled");
        assert_eq!(rows[1].scheduled_ns, 3_000);
    }

    #[test]
    fn states_have_attributes_and_labels() {
        assert_eq!(state_attr(TaskState::Scheduled), "scheduled");
        assert_eq!(
            state_attr(TaskState::Done(TaskOutcome::Panicked)),
            "done-panicked"
        );
        assert_eq!(
            state_attr(TaskState::Done(TaskOutcome::Error)),
            "done-error"
        );
        assert_eq!(TaskState::Done(TaskOutcome::Cancelled).label(), "cancelled");
    }

    #[test]
    fn lanes_and_counts() {
        let r = recording();
        let lanes = lane_rows(&r.stats);
        assert_eq!(
            lanes,
            vec![LaneRow {
                id: 0,
                name: "worker 0".into(),
                kind: "worker",
                parks: 1,
                parked: false,
            }]
        );
        assert_eq!(
            EventCounts::of(&r),
            EventCounts {
                run_id: 3,
                received: events().len() as u64,
                batches: 1,
                lost_batches: 0,
                dropped: 0,
                anomalies: 0,
                not_kept: 0,
            }
        );
    }

    #[test]
    fn the_lesson_comes_from_the_runs_numbers() {
        assert_eq!(what_to_notice(&PartRecording::new(1, 0)), None);
        assert_eq!(
            what_to_notice(&recording()).unwrap(),
            "1 of 2 polls returned Pending, 1 of them in a read that found no bytes yet: \
             each time the task went idle until the reactor saw its socket become readable. \
             The reactor woke tasks once, other tasks woke them 0 times, and the workers \
             parked once because no task was ready."
        );
    }

    #[test]
    fn formats_nanoseconds_as_milliseconds() {
        assert_eq!(format_ns_ms(1_234_567), "1.235");
        assert_eq!(format_ns_ms(0), "0.000");
    }
}
