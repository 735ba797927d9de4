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
use crate::widgets::{DemoFrame, DemoProps, format_ms, percent};

impl DemoPage for SpawningPage {
    const ID: &'static str = id::SPAWNING;
}

/// One sentence on what this run's numbers show.
pub fn what_to_notice(result: &SpawningResult) -> Option<String> {
    let (first, last) = (result.parts.first()?, result.parts.last()?);
    if result.parts.len() < 2 {
        return None;
    }
    Some(format!(
        "With {} tasks the last one waited {} before its first poll; with {} tasks, {}. \
         spawn only queues a task: the longer the queue, the longer the wait. After a wake, the \
         median task waited {} to be polled with {} tasks and {} with {}.",
        first.tasks,
        format_ms(first.first_poll_max_us),
        last.tasks,
        format_ms(last.first_poll_max_us),
        format_ms(first.wake_to_poll_p50_us),
        first.tasks,
        format_ms(last.wake_to_poll_p50_us),
        last.tasks
    ))
}

#[component]
pub fn SpawningPage(props: &DemoProps) -> Html {
    let result = match &props.run {
        RunState::Finished {
            result: ScenarioResult::Spawning(r),
            ..
        } => {
            // One timeline per N, each a part of the run with its own runtime.
            let timelines = r.parts.iter().enumerate().map(|(part, batch)| {
                html! {
                    <Timeline key={part} recording_part={PartRef::new(id::SPAWNING, part as u32)}
                        title={format!("N = {}", batch.tasks)} />
                }
            });
            html! {
                <>
                    <SpawningResultView result={r.clone()} />
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
        <section id="spawning-result" class="result" data-parts={result.parts.len().to_string()}>
            <p>{ format!("Measured on a {runtime} runtime, one fresh runtime per row.") }</p>
            <table class="task-table">
                <thead><tr>
                    <th>{ "N tasks" }</th><th>{ "spawn → first poll p50" }</th><th>{ "p99" }</th>
                    <th>{ "max" }</th><th>{ "wake → poll p50" }</th><th>{ "p99" }</th>
                    <th>{ "wall" }</th><th>{ "events dropped" }</th>
                </tr></thead>
                <tbody>{ for rows }</tbody>
            </table>
            if let Some(notice) = what_to_notice(result) {
                <p id="what-to-notice" class="notice">{ notice }</p>
            }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(tasks: u32, max: u64) -> SpawnBatch {
        SpawnBatch {
            tasks,
            wall_us: 1000,
            first_poll_p50_us: max / 2,
            first_poll_p99_us: max,
            first_poll_max_us: max,
            wake_to_poll_p50_us: 12,
            wake_to_poll_p99_us: 40,
            events_dropped: 0,
        }
    }

    #[test]
    fn the_notice_compares_the_smallest_and_largest_n() {
        let result = SpawningResult {
            workers: 2,
            parts: vec![batch(10, 150), batch(100, 1_400), batch(1000, 14_000)],
        };
        let notice = what_to_notice(&result).unwrap();
        assert!(notice.starts_with("With 10 tasks"), "{notice}");
        assert!(notice.contains("with 1000 tasks"), "{notice}");
        assert_eq!(
            what_to_notice(&SpawningResult {
                workers: 2,
                parts: vec![batch(10, 1)]
            }),
            None
        );
    }
}
