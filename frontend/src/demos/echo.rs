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
//! The table, the lanes and the event counts are shared widgets (see [`crate::widgets`]);
//! what is this page's own is the explanation, [`what_to_notice`] (a pure function,
//! unit-tested natively, rendered by the shared `WhatToNotice`) and the view of the
//! server's totals.

use pollscope_shared::results::{EchoResult, ScenarioResult};
use pollscope_shared::scenario::id;
use yew::prelude::*;

use super::DemoPage;
use crate::history::run_name;
use crate::recording::{PartRecording, RecordingStore};
use crate::state::RunState;
use crate::timeline::{PartRef, Timeline};
use crate::widgets::{
    DemoFrame, DemoProps, EventCounts, EventCountsView, LanesView, LatencyPlots, Note, TaskTable,
    WhatToNotice,
    format_ms, lane_rows, task_rows, times,
};

impl DemoPage for EchoPage {
    const ID: &'static str = id::ECHO;
}

/// What the recording so far shows, from its own counts; empty before the first poll.
/// `live`: the run is still streaming, so a read's wake may not have arrived yet.
///
/// Only counts, no timings: every note is a fact. The one claim beyond the counts — that
/// a read which found no bytes waited for the reactor — is checked against the reactor's
/// wakes: where there were fewer of those than such reads, the notice says so instead.
pub fn what_to_notice(recording: &PartRecording, live: bool) -> Vec<Note> {
    let stats = &recording.stats;
    if stats.polls == 0 {
        return Vec::new();
    }
    let pending = recording.pending_polls;
    // The echo's socket reads are the await points named "read …" in the code above.
    let reads: u64 = recording
        .pending_by_await
        .iter()
        .filter(|(name, _)| name.starts_with("read"))
        .map(|(_, n)| n)
        .sum();
    let by_reactor = u64::from(stats.wakes.by_reactor);
    let parks: u64 = stats.lanes.values().map(|l| u64::from(l.parks)).sum();
    let mut notes = vec![Note::Fact(format!(
        "{pending} of {} polls returned Pending, {reads} of them in a read that found no \
         bytes yet.",
        stats.polls
    ))];
    let woken = format!(
        "The reactor woke tasks {}, other tasks woke them {}",
        times(by_reactor),
        times(stats.wakes.by_task.into())
    );
    notes.push(Note::Fact(if by_reactor >= reads {
        format!(
            "Such a read leaves its task idle until the reactor sees the socket become \
             readable and wakes it. {woken}."
        )
    } else if live {
        format!(
            "{woken} so far, fewer than those reads: the other reads' wakes are not among \
             the events received yet."
        )
    } else {
        format!(
            "{woken}: fewer reactor wakes than reads that found no bytes, so {} of those \
             reads' waits ended without one (another waker, or the task was dropped when \
             the runtime shut down).",
            reads - by_reactor
        )
    }));
    notes.push(Note::Fact(format!(
        "The workers parked {}, each time with no task ready for them to poll.",
        times(parks)
    )));
    notes
}

/// Re-rendered whenever the recordings changed (`DemoProps::recording_version`), so the
/// live view re-reads the store.
#[component]
pub fn EchoPage(demo: &DemoProps) -> Html {
    let store = use_context::<RecordingStore>();
    let live = store.map(|store| {
        let recordings = store.borrow();
        match recordings.for_scenario(id::ECHO) {
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
        format!("Tasks of {} — live", run_name(recording.run_id))
    } else {
        format!("Tasks of {}", run_name(recording.run_id))
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
            <WhatToNotice notes={what_to_notice(recording, live)} />
            { for pending }
            <Timeline recording_part={PartRef::new(id::ECHO, 0)} />
            <TaskTable rows={task_rows(&recording.stats)} />
        </section>
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
            data-wakes-task={w.by_task.to_string()}
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
            <LatencyPlots title="Round-trip latency" sample="round trip" histogram={(*r.latency_histogram).clone()} p50_us={r.latency_p50_us} p99_us={r.latency_p99_us} />
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
    use super::*;
    use crate::fixtures::{one_conn_events, recording_of};
    use crate::widgets::notice::shown;

    fn text(recording: &PartRecording, live: bool) -> String {
        shown(&what_to_notice(recording, live), false).join(" ")
    }

    #[test]
    fn the_notice_states_the_recording_s_counts() {
        assert!(what_to_notice(&PartRecording::new(1, 0), false).is_empty());
        let recording = recording_of(one_conn_events());
        assert_eq!(
            text(&recording, false),
            "1 of 2 polls returned Pending, 1 of them in a read that found no bytes yet. \
             Such a read leaves its task idle until the reactor sees the socket become \
             readable and wakes it. The reactor woke tasks once, other tasks woke them 0 \
             times. The workers parked once, each time with no task ready for them to poll."
        );
        // Counts only: a shared machine changes none of it.
        let notes = what_to_notice(&recording, false);
        assert!(!notes.iter().any(Note::is_conclusion));
        assert_eq!(shown(&notes, true), shown(&notes, false));
    }

    #[test]
    fn fewer_reactor_wakes_than_empty_reads_are_said_not_glossed() {
        let mut recording = recording_of(one_conn_events());
        recording.stats.wakes.by_reactor = 0;
        let finished = text(&recording, false);
        assert!(
            finished.contains(
                "The reactor woke tasks 0 times, other tasks woke them 0 times: fewer reactor \
                 wakes than reads that found no bytes, so 1 of those reads' waits ended \
                 without one"
            ),
            "{finished}"
        );
        assert!(!finished.contains("until the reactor sees"), "{finished}");
        let live = text(&recording, true);
        assert!(
            live.contains("0 times so far, fewer than those reads: the other reads' wakes"),
            "{live}"
        );
        assert!(!live.contains("until the reactor sees"), "{live}");
    }
}
