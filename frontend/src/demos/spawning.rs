//! Outline section 3 — spawning tasks: how long a spawned task waits to be polled.
//!
//! The server spawned N tasks at once for growing N, each part on a fresh runtime, and
//! measured from the recorded events how long each task waited: from `spawn` to its first
//! poll, and from its timer's wake to the poll that followed. The page lays the parts out
//! as rows, so the growth with N is visible at a glance.

use pollscope_shared::results::{ScenarioResult, SpawnBatch, SpawningResult};
use pollscope_shared::scenario::id;
use yew::prelude::*;

use super::DemoPage;
use crate::state::RunState;
use crate::timeline::{PartRef, Timeline};
use crate::widgets::{
    DemoFrame, DemoProps, FirstPollPlots, Note, WhatToNotice, format_ms, percent,
};

impl DemoPage for SpawningPage {
    const ID: &'static str = id::SPAWNING;
}

/// The first polls queued ahead of the last of `tasks` tasks to be polled, in µs of
/// work per thread: `tasks - 1` polls of `work_us` each, shared by `threads`.
fn queued_us(tasks: u32, work_us: u64, threads: u64) -> u64 {
    u64::from(tasks.saturating_sub(1)) * work_us / threads
}

/// What this run's numbers show: the longest wait for a first poll at the smallest and
/// largest N and the median wait after a wake (facts), and whether the wait grew with
/// the queue (a conclusion, drawn only where the numbers show it clearly: at least twice
/// the smallest N's wait, and by at least half the extra first polls' work per thread,
/// `work_us` being the run's knob when the page knows it). Empty under two parts.
pub fn what_to_notice(result: &SpawningResult, work_us: Option<u64>) -> Vec<Note> {
    let ([first, ..], Some(last)) = (&result.parts[..], result.parts.last()) else {
        return Vec::new();
    };
    if result.parts.len() < 2 {
        return Vec::new();
    }
    let (waited, waits) = (first.first_poll_max_us, last.first_poll_max_us);
    let mut notes = vec![Note::Fact(format!(
        "With {} tasks the last task to be polled waited {} before its first poll; with {} \
         tasks, {}.",
        first.tasks,
        format_ms(waited),
        last.tasks,
        format_ms(waits),
    ))];
    let threads = u64::from(result.workers.max(1));
    let queued = work_us.map(|w| {
        (
            w,
            queued_us(last.tasks, w, threads).saturating_sub(queued_us(first.tasks, w, threads)),
        )
    });
    let per_thread = if threads == 1 {
        "on the one thread".to_owned()
    } else {
        format!("per worker of {threads}")
    };
    let queued_text = |(w, q): (u64, u64)| {
        format!(
            "{} more first polls of {w} µs queued ahead, about {} {per_thread}",
            last.tasks.saturating_sub(first.tasks),
            format_ms(q)
        )
    };
    let grew_by = waits.saturating_sub(waited);
    let twice = waits > waited && waits >= 2 * waited;
    let enough = queued.is_none_or(|(_, q)| grew_by * 2 >= q);
    notes.push(Note::Conclusion(if twice && enough {
        let mut s = "spawn only queues a task: the longer the queue, the longer the wait"
            .to_owned();
        if let Some(q) = queued {
            s.push_str(&format!(" ({}).", queued_text(q)));
        } else {
            s.push('.');
        }
        s
    } else if waits <= waited {
        format!(
            "The last of {} tasks waited no longer than the last of {}: this run does not \
             show the wait growing with the queue.",
            last.tasks, first.tasks
        )
    } else {
        let short = match queued {
            Some(q) if !enough => format!("less than half the work queued ahead ({})", queued_text(q)),
            _ => format!("less than twice the {} with {} tasks", format_ms(waited), first.tasks),
        };
        format!(
            "The wait grew by {}, {short}: this run does not clearly show the wait growing \
             with the queue.",
            format_ms(grew_by)
        )
    }));
    notes.push(Note::Fact(format!(
        "After a wake, the median task waited {} to be polled with {} tasks and {} with {}.",
        format_ms(first.wake_to_poll_p50_us),
        first.tasks,
        format_ms(last.wake_to_poll_p50_us),
        last.tasks
    )));
    notes
}

#[component]
pub fn SpawningPage(props: &DemoProps) -> Html {
    let result = match &props.run {
        RunState::Finished {
            run_id,
            result: ScenarioResult::Spawning(r),
            ..
        } => {
            // The work per poll is a knob, not part of the result: the run's own knobs.
            let work_us = props
                .history
                .iter()
                .find(|past| past.run_id == *run_id)
                .and_then(|past| past.params.get("work_us"))
                .and_then(|&w| u64::try_from(w).ok());
            // One timeline per N, each a part of the run with its own runtime.
            let timelines = r.parts.iter().enumerate().map(|(part, batch)| {
                html! {
                    <Timeline key={part} recording_part={PartRef::new(id::SPAWNING, part as u32)}
                        title={format!("N = {}", batch.tasks)} />
                }
            });
            html! {
                <>
                    <SpawningResultView result={r.clone()} {work_us} />
                    <div class="timelines">{ for timelines }</div>
                </>
            }
        }
        _ => html! {},
    };
    let explain = html! {
        <>
            <p>
                <code>{ "tokio::spawn" }</code>
                { " returns a " }<code>{ "JoinHandle" }</code>
                { " at once: it only puts the new task in a run queue. The task runs when a \
                   worker gets to it. Spawn a thousand tasks and the last one waits behind the \
                   polls of the 999 before it." }
            </p>
            <p>
                { "The same holds after every wake: a woken task is " }<em>{ "scheduled" }</em>
                { ", not running. The time between the wake and the poll is scheduling delay, \
                   and it grows with the number of tasks ready at the same moment." }
            </p>
        </>
    };
    html! {
        <DemoFrame demo={props.clone()} explain={explain}>
            { result }
        </DemoFrame>
    }
}

#[derive(Properties, PartialEq)]
pub struct SpawningResultProps {
    pub result: SpawningResult,
    /// The run's `work_us` knob, when the page knows the run's knobs.
    #[prop_or_default]
    pub work_us: Option<u64>,
}

#[component]
pub fn SpawningResultView(props: &SpawningResultProps) -> Html {
    let result = &props.result;
    let longest = result
        .parts
        .iter()
        .map(|p| p.first_poll_max_us)
        .max()
        .unwrap_or(1)
        .max(1);
    let rows = result.parts.iter().map(|p: &SpawnBatch| {
        html! {
            <tr class="spawn-row" key={p.tasks} data-tasks={p.tasks.to_string()}
                data-first-poll-max-us={p.first_poll_max_us.to_string()}
                data-first-poll-p50-us={p.first_poll_p50_us.to_string()}>
                <td>{ p.tasks }</td>
                <td>{ format_ms(p.first_poll_p50_us) }</td>
                <td>{ format_ms(p.first_poll_p99_us) }</td>
                <td class="bar-cell">
                    <span class="bar" style={format!("width: {:.1}%", percent(p.first_poll_max_us, longest))}></span>
                    { format_ms(p.first_poll_max_us) }
                </td>
                <td>{ format_ms(p.wake_to_poll_p50_us) }</td>
                <td>{ format_ms(p.wake_to_poll_p99_us) }</td>
                <td>{ format_ms(p.wall_us) }</td>
                <td>{ p.events_dropped }</td>
            </tr>
        }
    });
    let runtime = if result.workers == 0 {
        "current_thread".to_owned()
    } else {
        format!("multi_thread with {} workers", result.workers)
    };
    html! {
        <section id="spawning-result" class="result" data-parts={result.parts.len().to_string()}
            data-workers={result.workers.to_string()}
            data-work-us={props.work_us.map(|w| w.to_string())}>
            <p>{ format!("Measured on a {runtime} runtime, one fresh runtime per row.") }</p>
            <table class="task-table">
                <thead><tr>
                    <th>{ "N tasks" }</th><th>{ "spawn → first poll p50" }</th><th>{ "p99" }</th>
                    <th>{ "max" }</th><th>{ "wake → poll p50" }</th><th>{ "p99" }</th>
                    <th>{ "wall" }</th><th>{ "events dropped" }</th>
                </tr></thead>
                <tbody>{ for rows }</tbody>
            </table>
            <FirstPollPlots parts={result.parts.clone()} />
            <WhatToNotice notes={what_to_notice(result, props.work_us)} />
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::widgets::notice::{WITHHELD, shown};

    fn batch(tasks: u32, max: u64) -> SpawnBatch {
        SpawnBatch {
            tasks,
            wall_us: 1000,
            first_poll_p50_us: max / 2,
            first_poll_p99_us: max,
            first_poll_max_us: max,
            first_poll_histogram: Default::default(),
            wake_to_poll_p50_us: 12,
            wake_to_poll_p99_us: 40,
            events_dropped: 0,
        }
    }

    fn result(first: u64, last: u64) -> SpawningResult {
        SpawningResult {
            workers: 2,
            parts: vec![batch(10, first), batch(100, 1_400), batch(1000, last)],
        }
    }

    /// The notice as a quiet machine's page prints it.
    fn text(result: &SpawningResult, work_us: Option<u64>) -> String {
        shown(&what_to_notice(result, work_us), false).join(" ")
    }

    #[test]
    fn a_wait_that_grew_with_the_queue_is_said_to() {
        // 990 more first polls of 20 µs on 2 workers: 9.9 ms queued per worker.
        let notice = text(&result(150, 14_000), Some(20));
        for expected in [
            "With 10 tasks the last task to be polled waited 0.1 ms before its first poll; \
             with 1000 tasks, 14.0 ms.",
            "the longer the queue, the longer the wait (990 more first polls of 20 µs queued \
             ahead, about 9.9 ms per worker of 2).",
            "the median task waited 0.0 ms to be polled with 10 tasks and 0.0 ms with 1000.",
        ] {
            assert!(notice.contains(expected), "{expected:?} not in {notice}");
        }
        assert!(!notice.contains("does not"), "{notice}");
        // Without the knob, twice the wait is the margin.
        let notice = text(&result(150, 14_000), None);
        assert!(notice.contains("the longer the wait."), "{notice}");
        assert!(what_to_notice(&SpawningResult { workers: 2, parts: vec![batch(10, 1)] }, None)
            .is_empty());
    }

    #[test]
    fn a_wait_that_did_not_grow_is_not_said_to() {
        let notice = text(&result(5_000, 4_000), Some(20));
        assert!(
            notice.contains("The last of 1000 tasks waited no longer than the last of 10"),
            "{notice}"
        );
        assert!(!notice.contains("the longer the wait"), "{notice}");
    }

    #[test]
    fn a_small_growth_is_measured_against_the_queue_and_the_smaller_wait() {
        // Under twice the smaller wait.
        let notice = text(&result(8_000, 14_000), Some(1));
        assert!(
            notice.contains("The wait grew by 6.0 ms, less than twice the 8.0 ms with 10 tasks"),
            "{notice}"
        );
        // Twice the wait, but under half the 49.5 ms queued per worker at 100 µs a poll.
        let notice = text(&result(200, 14_000), Some(100));
        assert!(
            notice.contains(
                "The wait grew by 13.8 ms, less than half the work queued ahead (990 more \
                 first polls of 100 µs queued ahead, about 49.5 ms per worker of 2)"
            ),
            "{notice}"
        );
        assert!(!notice.contains("the longer the wait"), "{notice}");
        let one_thread = SpawningResult {
            workers: 0,
            ..result(150, 14_000)
        };
        assert!(text(&one_thread, Some(10)).contains("about 9.9 ms on the one thread"));
    }

    #[test]
    fn a_shared_machine_keeps_the_waits_and_withholds_the_verdict() {
        let shared = shown(&what_to_notice(&result(150, 14_000), Some(20)), true);
        assert_eq!(shared.len(), 3, "{shared:?}");
        assert!(shared[0].starts_with("With 10 tasks"));
        assert!(shared[1].starts_with("After a wake"));
        assert_eq!(shared[2], WITHHELD);
    }
}
