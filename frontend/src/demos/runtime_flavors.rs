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
use crate::widgets::{DemoFrame, DemoProps, Note, WhatToNotice, format_ms, percent};

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

/// Beyond this ratio, two parts' times inside polls differ: below it they are "about the
/// same" (the recorder's own overhead and a loaded machine move them by less).
const SAME_POLL_TIME_RATIO: f64 = 1.25;

/// A speed-up within this factor of 1 is no speed-up worth naming.
const NO_SPEEDUP_RATIO: f64 = 1.10;

/// Below this share of the workers, the workers did not each get a core.
const CORES_SHORT_SHARE: f64 = 0.75;

/// "1.23" — how the page writes [`FlavorRun::cores_used`].
pub fn format_cores(part: &FlavorRun) -> Option<String> {
    part.cores_used().map(|c| format!("{c:.2}"))
}

/// What this run's numbers show, sentence by sentence; empty unless both parts are there.
/// Every sentence that concludes something does so only when the numbers it quotes support
/// it, and otherwise says what did happen. They are all facts of the run: the speed-up is
/// explained by the cores each part measurably got, so a shared machine is named in the
/// notes themselves rather than withheld.
pub fn what_to_notice(result: &RuntimeFlavorsResult) -> Vec<Note> {
    notes(result).into_iter().map(Note::Fact).collect()
}

fn notes(result: &RuntimeFlavorsResult) -> Vec<String> {
    let [single, multi] = &result.parts[..] else {
        return Vec::new();
    };
    let mut notes = vec![tasks_note(result.tasks_asked, single, multi)];
    notes.push(if single.lanes_used == 1 {
        format!(
            "On current_thread one thread polled every task, one poll after another: {} \
             inside polls, {} wall time.",
            format_ms(single.busy_us),
            format_ms(single.wall_us)
        )
    } else {
        format!(
            "On current_thread {} threads polled ({} inside polls, {} wall time): more than \
             the one thread a current_thread runtime has, so this recording is not what it \
             should be.",
            single.lanes_used,
            format_ms(single.busy_us),
            format_ms(single.wall_us)
        )
    });
    notes.push(multi_note(multi));
    notes.push(poll_time_note(single, multi));
    notes.push(speedup_note(result.cores, single, multi));
    notes
}

/// The tasks the learner asked for against the tasks each part recorded.
fn tasks_note(asked: u32, single: &FlavorRun, multi: &FlavorRun) -> String {
    // Each workload task connects once to the echo server, which serves the connection
    // in a task of its own; the accept loop and `main` are the other two.
    let expected = 2 * asked + 2;
    if single.tasks == expected && multi.tasks == expected {
        format!(
            "You asked for {asked} tasks; each part recorded {expected}: those {asked}, one \
             echo-server connection per task (for the socket waits), the echo server's \
             accept loop and main."
        )
    } else {
        format!(
            "You asked for {asked} tasks; the recorder saw {} tasks on current_thread and {} \
             on multi_thread, not the {expected} expected ({asked}, one echo-server \
             connection each, the accept loop and main): check the events dropped.",
            single.tasks, multi.tasks
        )
    }
}

/// How the multi_thread part spread its polls.
fn multi_note(multi: &FlavorRun) -> String {
    let workers = multi.workers;
    let threads = if multi.lanes_used == workers {
        format!("all {workers} worker threads polled")
    } else {
        format!("{} of the {workers} worker threads polled", multi.lanes_used)
    };
    let moved = if multi.migrations > 0 {
        format!(
            "{} polls ran on another worker than the task's previous poll: tasks moved \
             between workers",
            multi.migrations
        )
    } else {
        "no poll ran on another worker than the task's previous poll: no task moved \
         between workers"
            .to_owned()
    };
    format!(
        "On multi_thread with {workers} workers, {threads}: {} inside polls, {} wall time. \
         {moved}.",
        format_ms(multi.busy_us),
        format_ms(multi.wall_us)
    )
}

/// The two parts' times inside polls, compared with a margin.
fn poll_time_note(single: &FlavorRun, multi: &FlavorRun) -> String {
    let (one, many) = (single.busy_us as f64, multi.busy_us as f64);
    let (one_ms, many_ms) = (format_ms(single.busy_us), format_ms(multi.busy_us));
    if many > one * SAME_POLL_TIME_RATIO {
        format!(
            "The same polls took {many_ms} on {} workers against {one_ms} on one thread: a \
             poll is timed by the wall clock, so a thread that loses its core mid-poll makes \
             its poll last longer; more threads wanted to run than there were free cores.",
            multi.workers
        )
    } else if one > many * SAME_POLL_TIME_RATIO {
        format!(
            "The same polls took {one_ms} on one thread against {many_ms} on {} workers: \
             the one thread lost its core mid-poll more often (the machine was busier while \
             part 0 ran).",
            multi.workers
        )
    } else {
        format!(
            "Time inside polls was about the same on both runtimes ({one_ms} and {many_ms}): \
             the same bursts ran, only where they ran changed."
        )
    }
}

/// The speed-up, explained by the cores each part actually used.
fn speedup_note(cores: u32, single: &FlavorRun, multi: &FlavorRun) -> String {
    let speedup = single.wall_us as f64 / multi.wall_us.max(1) as f64;
    let workers = multi.workers;
    let headline = if speedup >= NO_SPEEDUP_RATIO {
        format!("multi_thread finished {speedup:.2}× as fast as current_thread")
    } else if speedup * NO_SPEEDUP_RATIO <= 1.0 {
        format!("multi_thread was slower than current_thread ({speedup:.2}× the speed)")
    } else {
        format!("the two wall times are within 10% of each other ({speedup:.2}× the speed)")
    };
    let (Some(one), Some(many)) = (format_cores(single), format_cores(multi)) else {
        return format!(
            "With {workers} workers {headline}. This machine offers no per-thread CPU \
             clock, so the cores the workers really got are not measured: whether other \
             programs took cores from them cannot be told from this run."
        );
    };
    let used = multi.cores_used().unwrap_or(0.0);
    let machine = if cores == 0 {
        "the server's machine does not say how many cores it has".to_owned()
    } else {
        format!("the server's machine has {cores} cores")
    };
    let why = if used >= f64::from(workers) * CORES_SHORT_SHARE {
        format!("the {workers} workers computed side by side, each on a core of its own")
    } else if cores != 0 && workers > cores {
        format!(
            "the {workers} workers got {many} cores between them: you asked for more \
             workers than {machine}"
        )
    } else {
        format!(
            "the {workers} workers got only {many} cores between them, though {machine}: \
             other threads shared those cores (the server's own, and this browser if it \
             runs on the same machine), so the workers often waited for one"
        )
    };
    format!(
        "With {workers} workers {headline}. The bursts' CPU time over each part's wall \
         time gives the cores each part used: {one} on current_thread, {many} on \
         multi_thread; {why}."
    )
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
    let notes = what_to_notice(result);
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
                data-migrations={part.migrations.to_string()} data-busy-us={part.busy_us.to_string()}
                data-tasks={part.tasks.to_string()}
                data-cpu-us={part.bursts_cpu_us.map(|us| us.to_string())}>
                <h3>{ format!("Part {i}: {}", flavor(part)) }</h3>
                <div class="strategy-bar" style={format!("width: {:.1}%", percent(part.wall_us, longest))}>
                    { format!("wall {}", format_ms(part.wall_us)) }
                </div>
                <ul class="lane-list">{ for lanes }</ul>
                <dl class="figures">
                    <dt>{ "tasks" }</dt><dd>{ part.tasks }</dd>
                    <dt>{ "polls" }</dt><dd>{ part.polls }</dd>
                    <dt>{ "time inside polls" }</dt><dd>{ format_ms(part.busy_us) }</dd>
                    <dt>{ "bursts' CPU time" }</dt>
                    <dd>{ part.bursts_cpu_us.map_or_else(|| "not measured".to_owned(), format_ms) }</dd>
                    <dt>{ "cores used (CPU ÷ wall)" }</dt>
                    <dd>{ format_cores(part).unwrap_or_else(|| "not measured".to_owned()) }</dd>
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
            data-tasks-asked={result.tasks_asked.to_string()} data-cores={result.cores.to_string()}
            data-single-wall-us={single.map(|p| p.wall_us.to_string())}
            data-multi-wall-us={multi.map(|p| p.wall_us.to_string())}
            data-single-lanes={single.map(|p| p.lanes_used.to_string())}
            data-multi-lanes={multi.map(|p| p.lanes_used.to_string())}>
            <p class="flavor-setup">
                { format!("{} tasks asked for, on a server machine with {}.", result.tasks_asked,
                    if result.cores == 0 { "an unknown number of cores".to_owned() }
                    else { format!("{} cores", result.cores) }) }
            </p>
            <div class="flavor-parts">{ for columns }</div>
            <WhatToNotice {notes} />
        </section>
    }
}

#[cfg(test)]
mod tests {
    use pollscope_shared::instrument::stats::WakeCounts;

    use super::*;

    /// A part of the default workload asked for 8 tasks: 18 recorded.
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
            bursts_cpu_us: Some(45_000),
            wakes: WakeCounts::default(),
            events_dropped: 0,
        }
    }

    fn result(parts: Vec<FlavorRun>) -> RuntimeFlavorsResult {
        RuntimeFlavorsResult {
            tasks_asked: 8,
            cores: 4,
            parts,
        }
    }

    fn notice(r: &RuntimeFlavorsResult) -> String {
        notes(r).join(" ")
    }

    #[test]
    fn a_clean_run_quotes_both_parts_and_the_tasks_asked_for() {
        let r = result(vec![part(0, 60_000, 1, 0), part(2, 30_000, 2, 37)]);
        let notice = notice(&r);
        for figure in [
            "You asked for 8 tasks; each part recorded 18: those 8",
            "one thread polled every task, one poll after another: 48.0 ms inside polls, \
             60.0 ms wall time",
            "all 2 worker threads polled: 48.0 ms inside polls, 30.0 ms wall time",
            "37 polls ran on another worker",
            "about the same on both runtimes (48.0 ms and 48.0 ms)",
            "multi_thread finished 2.00× as fast",
            "0.75 on current_thread, 1.50 on multi_thread",
            "computed side by side",
        ] {
            assert!(notice.contains(figure), "{figure:?} not in {notice}");
        }
        assert!(!notice.contains("waited for one"), "{notice}");
        assert!(what_to_notice(&result(vec![])).is_empty());
    }

    #[test]
    fn a_shared_machine_names_the_cores_the_workers_really_got() {
        // The new user's run: polls took 80.0 ms against 45.2 ms, 1.08x on 2 workers.
        let mut single = part(0, 60_000, 1, 0);
        single.busy_us = 45_200;
        let mut crowded = part(2, 55_500, 2, 5);
        crowded.busy_us = 80_000;
        crowded.bursts_cpu_us = Some(50_000);
        let notice = notice(&result(vec![single, crowded]));
        for figure in [
            "The same polls took 80.0 ms on 2 workers against 45.2 ms on one thread",
            "the two wall times are within 10% of each other (1.08× the speed)",
            "0.75 on current_thread, 0.90 on multi_thread",
            "the 2 workers got only 0.90 cores between them, though the server's machine \
             has 4 cores",
        ] {
            assert!(notice.contains(figure), "{figure:?} not in {notice}");
        }
        assert!(!notice.contains("about the same"), "{notice}");
        assert!(!notice.contains("as fast as"), "{notice}");
        assert!(!notice.contains("side by side"), "{notice}");
    }

    #[test]
    fn each_other_outcome_is_said_as_it_happened() {
        let mut single = part(0, 40_000, 1, 0);
        single.busy_us = 70_000;
        let mut multi = part(4, 50_000, 3, 0);
        multi.tasks = 17;
        multi.bursts_cpu_us = Some(60_000);
        let r = RuntimeFlavorsResult {
            cores: 2,
            ..result(vec![single, multi])
        };
        let notice = notice(&r);
        for figure in [
            "the recorder saw 18 tasks on current_thread and 17 on multi_thread, not the 18 \
             expected",
            "3 of the 4 worker threads polled",
            "no poll ran on another worker",
            "The same polls took 70.0 ms on one thread against 48.0 ms on 4 workers",
            "multi_thread was slower than current_thread (0.80× the speed)",
            "the 4 workers got 1.20 cores between them: you asked for more workers than the \
             server's machine has 2 cores",
        ] {
            assert!(notice.contains(figure), "{figure:?} not in {notice}");
        }
        assert!(!notice.contains("each part recorded"), "{notice}");
        assert!(!notice.contains("tasks moved"), "{notice}");
    }

    #[test]
    fn without_a_cpu_clock_the_page_does_not_conclude() {
        let mut single = part(0, 60_000, 1, 0);
        single.bursts_cpu_us = None;
        let notice = notice(&result(vec![single, part(2, 40_000, 2, 3)]));
        assert!(notice.contains("1.50× as fast"), "{notice}");
        assert!(notice.contains("no per-thread CPU clock"), "{notice}");
        assert!(!notice.contains("cores between them"), "{notice}");
        assert!(!notice.contains("side by side"), "{notice}");
    }
}
