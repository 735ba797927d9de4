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
//! unit-tested natively) and the view of the server's totals.

use pollscope_shared::results::{EchoResult, ScenarioResult};
use pollscope_shared::scenario::id;
use yew::prelude::*;

use super::DemoPage;
use crate::recording::{PartRecording, RecordingStore};
use crate::state::RunState;
use crate::timeline::{PartRef, Timeline};
use crate::widgets::{
    DemoFrame, DemoProps, EventCounts, EventCountsView, LanesView, TaskTable, format_ms,
    lane_rows, task_rows, times,
};

impl DemoPage for EchoPage {
    const ID: &'static str = id::ECHO;
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
    use super::*;
    use crate::fixtures::{one_conn_events, recording_of};

    #[test]
    fn the_lesson_comes_from_the_runs_numbers() {
        assert_eq!(what_to_notice(&PartRecording::new(1, 0)), None);
        assert_eq!(
            what_to_notice(&recording_of(one_conn_events())).unwrap(),
            "1 of 2 polls returned Pending, 1 of them in a read that found no bytes yet: \
             each time the task went idle until the reactor saw its socket become readable. \
             The reactor woke tasks once, other tasks woke them 0 times, and the workers \
             parked once because no task was ready."
        );
    }
}
