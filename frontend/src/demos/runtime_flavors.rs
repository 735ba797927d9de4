//! Outline section 3 — runtime flavours: `current_thread` vs `multi_thread`.
//!
//! The server ran one workload twice: part 0 on a `current_thread` runtime, part 1 on a
//! `multi_thread` runtime with N workers. The page puts the two measured parts side by
//! side: wall time, how many threads polled, polls per thread, and how often a task's
//! next poll ran on another worker (work stealing, or a wake onto another worker).

use pollscope_shared::results::{FlavorRun, RuntimeFlavorsResult, ScenarioResult};
use pollscope_shared::scenario::id;
use yew::prelude::*;

use super::DemoPage;
use crate::state::RunState;
use crate::timeline::{PartRef, Timeline};
use crate::widgets::{DemoFrame, DemoProps, format_ms, percent};

impl DemoPage for RuntimeFlavorsPage {
    const ID: &'static str = id::RUNTIME_FLAVORS;
}

fn flavor(part: &FlavorRun) -> String {
    if part.workers == 0 {
        "current_thread".to_owned()
    } else {
        format!("multi_thread, {} workers", part.workers)
    }
}

/// One sentence on what this run's numbers show; `None` unless both parts are there.
pub fn what_to_notice(result: &RuntimeFlavorsResult) -> Option<String> {
    let [single, multi] = &result.parts[..] else {
        return None;
    };
    let speedup = single.wall_us as f64 / multi.wall_us.max(1) as f64;
    let mut notice = format!(
        "On current_thread one thread polled all {} recorded tasks (the workload's, the echo \
         server's and main), one poll after another: {} inside polls, {} wall time. With {} \
         workers, {} threads polled the same workload: {} inside polls, {} wall time, \
         {speedup:.2}× the speed of the single thread. {} polls ran on another worker than \
         the task's previous poll: tasks moving between workers.",
        single.tasks,
        format_ms(single.busy_us),
        format_ms(single.wall_us),
        multi.workers,
        multi.lanes_used,
        format_ms(multi.busy_us),
        format_ms(multi.wall_us),
        multi.migrations
    );
    // Time inside polls is wall time: a poll that waits for a core lasts longer.
    if multi.busy_us as f64 > single.busy_us as f64 * 1.25 {
        notice.push_str(&format!(
            " The same polls took {} on {} workers against {} on one thread: more threads \
             wanted to run than there were free cores (other programs on the server's machine, \
             this browser too if it runs there, share them), so part of the multi_thread wall \
             time is waiting for a core, and the speed-up is less than the workers alone would give.",
            format_ms(multi.busy_us),
            multi.workers,
            format_ms(single.busy_us)
        ));
    }
    Some(notice)
}

#[component]
pub fn RuntimeFlavorsPage(props: &DemoProps) -> Html {
    let result = match &props.run {
        RunState::Finished {
            result: ScenarioResult::RuntimeFlavors(r),
            ..
        } => {
            html! { <FlavorsResultView result={r.clone()} /> }
        }
        _ => html! {},
    };
    let explain = html! {
        <>
            <p>
                { "A Tokio runtime is a scheduler plus the drivers that wake tasks (the I/O \
                   reactor, the timer). A " }<code>{ "current_thread" }</code>
                { " runtime runs every task on the one thread that called " }<code>{ "block_on" }</code>
                { ": while one poll computes, every other task waits, however many cores the \
                   machine has." }
            </p>
            <p>
                { "A " }<code>{ "multi_thread" }</code>
                { " runtime has N worker threads, each with its own run queue. A worker that \
                   runs out of tasks steals from another's queue, so the load spreads, and a \
                   task may be polled on a different worker each time it wakes." }
            </p>
            <p>{ "Both parts below ran the same code; only the runtime changed." }</p>
        </>
    };
    html! {
        <DemoFrame demo={props.clone()} explain={explain}>
            { result }
            if !matches!(props.run, RunState::Idle) {
                <div class="timelines side-by-side">
                    <Timeline recording_part={PartRef::new(id::RUNTIME_FLAVORS, 0)} title={"Part 0: current_thread"} />
                    <Timeline recording_part={PartRef::new(id::RUNTIME_FLAVORS, 1)} title={"Part 1: multi_thread"} />
                </div>
            }
        </DemoFrame>
    }
}

#[derive(Properties, PartialEq)]
pub struct FlavorsResultProps {
    pub result: RuntimeFlavorsResult,
}

#[component]
pub fn FlavorsResultView(props: &FlavorsResultProps) -> Html {
    let result = &props.result;
    let longest = result
        .parts
        .iter()
        .map(|p| p.wall_us)
        .max()
        .unwrap_or(1)
        .max(1);
    let (single, multi) = (result.parts.first(), result.parts.get(1));
    let columns = result.parts.iter().enumerate().map(|(i, part)| {
        let most = part.polls_per_lane.iter().copied().max().unwrap_or(1).max(1);
        let lanes = part.polls_per_lane.iter().enumerate().map(|(lane, polls)| {
            html! {
                <li class="lane-polls" data-polls={polls.to_string()}>
                    <span class="lane-label">{ format!("thread {lane}: ") }</span>
                    <span class="bar" style={format!("width: {:.1}%", percent(*polls, most))}></span>
                    <span class="value">{ format!("{polls} polls") }</span>
                </li>
            }
        });
        html! {
            <section class="flavor-part" key={i} data-part={i.to_string()} data-workers={part.workers.to_string()}
                data-wall-us={part.wall_us.to_string()} data-lanes-used={part.lanes_used.to_string()}
                data-migrations={part.migrations.to_string()} data-busy-us={part.busy_us.to_string()}>
                <h3>{ format!("Part {i}: {}", flavor(part)) }</h3>
                <div class="strategy-bar" style={format!("width: {:.1}%", percent(part.wall_us, longest))}>
                    { format!("wall {}", format_ms(part.wall_us)) }
                </div>
                <ul class="lane-list">{ for lanes }</ul>
                <dl class="figures">
                    <dt>{ "tasks" }</dt><dd>{ part.tasks }</dd>
                    <dt>{ "polls" }</dt><dd>{ part.polls }</dd>
                    <dt>{ "time inside polls" }</dt><dd>{ format_ms(part.busy_us) }</dd>
                    <dt>{ "threads that polled" }</dt><dd>{ part.lanes_used }</dd>
                    <dt>{ "polls on another worker than the last" }</dt><dd>{ part.migrations }</dd>
                    <dt>{ "wakes: reactor / timer / task" }</dt>
                    <dd>{ format!("{} / {} / {}", part.wakes.by_reactor, part.wakes.by_timer, part.wakes.by_task) }</dd>
                    <dt>{ "events dropped" }</dt><dd>{ part.events_dropped }</dd>
                </dl>
            </section>
        }
    });
    html! {
        <section id="flavors-result" class="result"
            data-single-wall-us={single.map(|p| p.wall_us.to_string())}
            data-multi-wall-us={multi.map(|p| p.wall_us.to_string())}
            data-single-lanes={single.map(|p| p.lanes_used.to_string())}
            data-multi-lanes={multi.map(|p| p.lanes_used.to_string())}>
            <div class="flavor-parts">{ for columns }</div>
            if let Some(notice) = what_to_notice(result) {
                <p id="what-to-notice" class="notice">{ notice }</p>
            }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use pollscope_shared::instrument::stats::WakeCounts;

    use super::*;

    fn part(workers: u32, wall_us: u64, lanes_used: u32, migrations: u64) -> FlavorRun {
        FlavorRun {
            workers,
            wall_us,
            tasks: 18,
            polls: 400,
            lanes_used,
            polls_per_lane: vec![400],
            migrations,
            busy_us: 48_000,
            wakes: WakeCounts::default(),
            events_dropped: 0,
        }
    }

    #[test]
    fn the_notice_is_computed_from_the_measured_parts() {
        let result = RuntimeFlavorsResult {
            parts: vec![part(0, 60_000, 1, 0), part(2, 30_000, 2, 37)],
        };
        let notice = what_to_notice(&result).unwrap();
        assert!(notice.contains("2.00× the speed"), "{notice}");
        assert!(notice.contains("all 18 recorded tasks"), "{notice}");
        // Both parts' time inside polls is quoted as its own figure.
        assert!(notice.contains("48.0 ms inside polls, 60.0 ms wall"), "{notice}");
        assert!(notice.contains("48.0 ms inside polls, 30.0 ms wall"), "{notice}");
        assert!(!notice.contains("waiting for a core"), "{notice}");
        assert!(notice.contains("37 polls"), "{notice}");
        assert!(
            notice.contains("60.0 ms") || notice.contains("60 ms"),
            "{notice}"
        );
        assert_eq!(
            what_to_notice(&RuntimeFlavorsResult { parts: vec![] }),
            None
        );
    }

    #[test]
    fn polls_that_waited_for_a_core_are_named_not_hidden() {
        let mut crowded = part(2, 55_000, 2, 5);
        crowded.busy_us = 80_000;
        let result = RuntimeFlavorsResult {
            parts: vec![part(0, 60_000, 1, 0), crowded],
        };
        let notice = what_to_notice(&result).unwrap();
        assert!(notice.contains("1.09× the speed"), "{notice}");
        assert!(
            notice.contains("The same polls took 80.0 ms on 2 workers against 48.0 ms on one thread"),
            "{notice}"
        );
    }
}
