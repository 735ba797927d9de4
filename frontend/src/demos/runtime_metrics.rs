//! Outline section 9 — monitoring: `RuntimeMetrics` beside the recording, and the run's
//! `tracing` lines.
//!
//! The server ran a small workload on a `multi_thread` runtime, sampled the runtime's
//! stable metrics from outside it, read them once more after it shut down, and counted
//! the recorded events at the same instants. The page shows the cross-checks (workers,
//! tasks alive, parks, busy time, the global queue) with both numbers and whether they
//! agree, each worker's counters and each worker thread as recorded, the samples, the
//! timeline with the run's log lines beside it, and a notice computed from those numbers.

use pollscope_shared::results::{LogLevel, MetricsSample, RuntimeMetricsResult, ScenarioResult};
use pollscope_shared::scenario::id;
use yew::prelude::*;

use super::DemoPage;
use crate::state::RunState;
use crate::timeline::{PartRef, Timeline};
use crate::widgets::{DemoFrame, DemoProps, Note, WhatToNotice, format_ms};

impl DemoPage for RuntimeMetricsPage {
    const ID: &'static str = id::RUNTIME_METRICS;
}

/// The samples table shows at most this many rows (every k-th sample beyond it).
const MAX_SAMPLE_ROWS: usize = 60;

/// The largest global queue depth any sample saw.
pub fn queue_max(result: &RuntimeMetricsResult) -> u32 {
    result
        .samples
        .iter()
        .map(|s| s.global_queue_depth)
        .max()
        .unwrap_or(0)
}

/// Warnings the workload logged (a sleep that woke more than its pause late).
pub fn warnings(result: &RuntimeMetricsResult) -> usize {
    result
        .logs
        .iter()
        .filter(|l| l.level == LogLevel::Warn)
        .count()
}

/// What this run's numbers show; empty if nothing was sampled.
/// Each sentence is a fact: both sides of every cross-check are counts or sums from the
/// same run, quoted as the table shows them, and a disagreement is said with its numbers.
pub fn what_to_notice(result: &RuntimeMetricsResult) -> Vec<Note> {
    let n = result.samples.len();
    if n == 0 {
        return Vec::new();
    }
    let lanes = result.lanes.len();
    let mut notes = vec![Note::Fact(format!(
        "num_workers() said {}; the recorder saw {lanes} worker thread(s){}.",
        result.final_num_workers,
        if lanes as u32 == result.final_num_workers {
            ""
        } else {
            ": they disagree"
        }
    ))];
    let agreeing = result.alive_agreeing();
    notes.push(Note::Fact(if agreeing == n {
        format!(
            "num_alive_tasks() equalled the tasks the recorder saw spawned and not finished \
             at all {n} samples."
        )
    } else {
        format!(
            "num_alive_tasks() equalled the tasks the recorder saw spawned and not finished \
             at {agreeing} of {n} samples, and differed by at most {} at the others: the \
             recorder sees a task finish as its last poll returns, a moment before Tokio \
             drops it, and a sample can fall between the two.",
            result.alive_max_difference()
        )
    }));
    let left = result
        .recorded_spawned
        .saturating_sub(result.recorded_completed);
    notes.push(Note::Fact(format!(
        "After the shutdown, num_alive_tasks() was {} and the recorder had {} of its {} \
         tasks unfinished.",
        result.final_alive_tasks, left, result.recorded_spawned
    )));
    let (metric, hooks) = (result.metric_parks(), result.recorded_parks());
    notes.push(Note::Fact(if metric == hooks {
        format!(
            "The workers' worker_park_count adds up to {metric}, the same as the {hooks} \
             on_thread_park calls recorded."
        )
    } else {
        format!(
            "The workers' worker_park_count adds up to {metric}, and the recorder saw {hooks} \
             on_thread_park calls: they differ by {}. They count different things: Tokio \
             calls the hook once each time a worker goes to park, and counts each sleep in \
             it, so a worker woken with nothing to do sleeps again without another call, \
             and one that finds work as it parks calls the hook without a sleep.",
            metric.abs_diff(hooks)
        )
    }));
    let (busy, polls) = (result.metric_busy_us(), result.recorded_poll_us());
    notes.push(Note::Fact(if polls <= busy {
        format!(
            "worker_total_busy_duration adds up to {}; the recorded polls on the workers \
             lasted {} of it, and the rest is the scheduler's own work between polls.",
            format_ms(busy),
            format_ms(polls)
        )
    } else {
        format!(
            "worker_total_busy_duration adds up to {}, less than the {} the recorded polls \
             on the workers lasted: they disagree, by {}.",
            format_ms(busy),
            format_ms(polls),
            format_ms(polls - busy)
        )
    }));
    let over = result.queue_over_ready();
    notes.push(Note::Fact(if over == 0 {
        format!(
            "global_queue_depth() was at most {} and never above the tasks the recorder \
             saw ready to run at the same sample.",
            queue_max(result)
        )
    } else {
        format!(
            "global_queue_depth() was at most {}, and at {over} of {n} samples above the \
             tasks the recorder saw ready to run: they disagree there.",
            queue_max(result)
        )
    }));
    let kept = result.logs.len();
    let warned = warnings(result);
    notes.push(Note::Fact(format!(
        "The workload logged {} line(s) to this run's own subscriber ({kept} kept, {} \
         dropped){}.",
        kept as u64 + result.logs_dropped,
        result.logs_dropped,
        if warned > 0 {
            format!("; {warned} warned of a sleep that woke more than its pause late")
        } else {
            String::new()
        }
    )));
    notes
}

#[component]
pub fn RuntimeMetricsPage(props: &DemoProps) -> Html {
    let (result, logs) = match &props.run {
        RunState::Finished {
            result: ScenarioResult::RuntimeMetrics(r),
            ..
        } => (
            html! { <RuntimeMetricsResultView result={r.clone()} /> },
            html! { <LogLines result={r.clone()} /> },
        ),
        _ => (html! {}, html! {}),
    };
    let explain = html! {
        <>
            <p>
                { "Tokio counts a few things about every runtime, and " }
                <code>{ "Handle::metrics()" }</code>
                { " reads them without " }<code>{ "tokio_unstable" }</code>{ ": " }
                <code>{ "num_workers" }</code>{ ", " }<code>{ "num_alive_tasks" }</code>{ ", " }
                <code>{ "global_queue_depth" }</code>{ ", and per worker " }
                <code>{ "worker_park_count" }</code>{ " and " }
                <code>{ "worker_total_busy_duration" }</code>
                { ". A few tasks sleep and burn CPU by turns on a multi_thread runtime; a \
                   sampler on the server's own runtime reads the metrics every few \
                   milliseconds, and once more after the runtime shut down. At each sample the \
                   recorded events are counted the same way, so each metric stands beside \
                   what the recorder saw." }
            </p>
            <p>
                { "The tasks log with " }<code>{ "tracing" }</code>
                { ". Their futures are given this run's own subscriber with " }
                <code>{ "with_subscriber" }</code>
                { ", a small layer that keeps the time, level and message of at most 200 \
                   lines and counts the rest; the server's global subscriber is not touched." }
            </p>
        </>
    };
    html! {
        <DemoFrame demo={props.clone()} explain={explain}>
            { result }
            if !matches!(props.run, RunState::Idle) {
                <div class="timelines" style="display: flex; gap: 1em; align-items: flex-start">
                    <div style="flex: 2; min-width: 0">
                        <Timeline recording_part={PartRef::new(id::RUNTIME_METRICS, 0)}
                            title="The workload on its multi_thread runtime" />
                    </div>
                    { logs }
                </div>
            }
        </DemoFrame>
    }
}

#[derive(Properties, PartialEq)]
pub struct RuntimeMetricsResultProps {
    pub result: RuntimeMetricsResult,
}

/// The run's log lines, times on the timeline's clock.
#[component]
fn LogLines(props: &RuntimeMetricsResultProps) -> Html {
    let result = &props.result;
    let lines = result.logs.iter().map(|l| {
        html! {
            <li class="log-line" data-level={l.level.label()} data-t-us={l.t_us.to_string()}>
                <code>{ format!("{:>9} {:<5} {}", format_ms(l.t_us), l.level.label(), l.message) }</code>
            </li>
        }
    });
    html! {
        <div id="run-logs" class="run-logs" style="flex: 1; min-width: 0; max-height: 32em; overflow: auto"
            data-lines={result.logs.len().to_string()} data-dropped={result.logs_dropped.to_string()}>
            <h3>{ "The run's tracing lines" }</h3>
            <ol style="list-style: none; padding: 0; margin: 0; white-space: pre-wrap">{ for lines }</ol>
            if result.logs_dropped > 0 {
                <p>{ format!("… and {} more, dropped (the capture keeps {}).", result.logs_dropped, result.logs.len()) }</p>
            }
        </div>
    }
}

fn verdict(agrees: bool) -> Html {
    html! {
        <td class={if agrees { "agrees" } else { "disagrees" }}>{ if agrees { "agree" } else { "differ" } }</td>
    }
}

#[component]
pub fn RuntimeMetricsResultView(props: &RuntimeMetricsResultProps) -> Html {
    let result = &props.result;
    let n = result.samples.len();
    let lanes = result.lanes.len() as u32;
    let left = result
        .recorded_spawned
        .saturating_sub(result.recorded_completed);
    let (metric_parks, recorded_parks) = (result.metric_parks(), result.recorded_parks());
    let (busy, polls) = (result.metric_busy_us(), result.recorded_poll_us());
    let agreeing = result.alive_agreeing();
    let over = result.queue_over_ready();
    let workers = result.final_workers.iter().map(|w| {
        html! {
            <tr class="worker-final" data-worker={w.worker.to_string()} data-parks={w.parks.to_string()}
                data-busy-us={w.busy_us.to_string()}>
                <td>{ w.worker }</td><td>{ w.parks }</td><td>{ w.park_unparks }</td>
                <td>{ format_ms(w.busy_us) }</td>
            </tr>
        }
    });
    let lane_rows = result.lanes.iter().map(|l| {
        html! {
            <tr class="lane-seen" data-lane={l.lane.to_string()} data-parks={l.parks.to_string()}
                data-poll-us={l.poll_us.to_string()}>
                <td>{ format!("lane {} ({})", l.lane, l.name) }</td><td>{ l.parks }</td>
                <td>{ l.unparks }</td><td>{ l.polls }</td><td>{ format_ms(l.poll_us) }</td>
            </tr>
        }
    });
    let stride = n.div_ceil(MAX_SAMPLE_ROWS).max(1);
    let sample_row = |s: &MetricsSample| {
        html! {
            <tr class="sample" data-t-us={s.t_us.to_string()}
                data-alive={s.alive_tasks.to_string()} data-recorded-alive={s.recorded_alive.to_string()}>
                <td>{ format_ms(s.t_us) }</td>
                <td>{ format!("{} / {}", s.alive_tasks, s.recorded_alive) }</td>
                <td>{ format!("{} / {}", s.global_queue_depth, s.recorded_ready) }</td>
                <td>{ format!("{} / {}", s.parks, s.recorded_parks) }</td>
                <td>{ format_ms(s.busy_us) }</td>
            </tr>
        }
    };
    let samples = result.samples.iter().step_by(stride).map(sample_row);
    let notes = what_to_notice(result);
    html! {
        <section id="runtime-metrics-result" class="result"
            data-workers={result.workers.to_string()} data-tasks={result.tasks.to_string()}
            data-rounds={result.rounds.to_string()} data-work-us={result.work_us.to_string()}
            data-num-workers={result.final_num_workers.to_string()}
            data-worker-lanes={lanes.to_string()} data-samples={n.to_string()}
            data-samples-dropped={result.samples_dropped.to_string()}
            data-alive-agreeing={agreeing.to_string()}
            data-alive-max-diff={result.alive_max_difference().to_string()}
            data-final-alive={result.final_alive_tasks.to_string()}
            data-recorded-spawned={result.recorded_spawned.to_string()}
            data-recorded-left={left.to_string()}
            data-metric-parks={metric_parks.to_string()} data-recorded-parks={recorded_parks.to_string()}
            data-metric-busy-us={busy.to_string()} data-recorded-poll-us={polls.to_string()}
            data-queue-max={queue_max(result).to_string()} data-queue-over-ready={over.to_string()}
            data-logs={result.logs.len().to_string()} data-logs-dropped={result.logs_dropped.to_string()}
            data-warnings={warnings(result).to_string()}>
            <table class="cross-checks">
                <thead>
                    <tr><th></th><th scope="col">{ "RuntimeMetrics" }</th>
                        <th scope="col">{ "the recorder" }</th><th></th></tr>
                </thead>
                <tbody>
                    <tr><th scope="row">{ "workers" }</th>
                        <td>{ format!("num_workers() = {}", result.final_num_workers) }</td>
                        <td>{ format!("{lanes} worker thread(s)") }</td>
                        { verdict(lanes == result.final_num_workers) }</tr>
                    <tr><th scope="row">{ "tasks alive, at each sample" }</th>
                        <td colspan="2">{ format!("equal at {agreeing} of {n} samples; at most {} apart", result.alive_max_difference()) }</td>
                        { verdict(agreeing == n) }</tr>
                    <tr><th scope="row">{ "tasks alive after the shutdown" }</th>
                        <td>{ result.final_alive_tasks }</td>
                        <td>{ format!("{left} of {} unfinished", result.recorded_spawned) }</td>
                        { verdict(result.final_alive_tasks == left) }</tr>
                    <tr><th scope="row">{ "parks" }</th>
                        <td>{ format!("worker_park_count: {metric_parks}") }</td>
                        <td>{ format!("on_thread_park: {recorded_parks}") }</td>
                        { verdict(metric_parks == recorded_parks) }</tr>
                    <tr><th scope="row">{ "busy time vs time in polls" }</th>
                        <td>{ format_ms(busy) }</td><td>{ format_ms(polls) }</td>
                        { verdict(polls <= busy) }</tr>
                    <tr><th scope="row">{ "global queue vs tasks ready" }</th>
                        <td>{ format!("at most {}", queue_max(result)) }</td>
                        <td>{ format!("above the ready tasks at {over} of {n} samples") }</td>
                        { verdict(over == 0) }</tr>
                </tbody>
            </table>
            <table class="worker-finals">
                <thead><tr><th scope="col">{ "worker" }</th><th scope="col">{ "park_count" }</th>
                    <th scope="col">{ "park_unpark_count" }</th><th scope="col">{ "busy" }</th></tr></thead>
                <tbody>{ for workers }</tbody>
            </table>
            <table class="lanes-seen">
                <thead><tr><th scope="col">{ "recorded thread" }</th><th scope="col">{ "parks" }</th>
                    <th scope="col">{ "unparks" }</th><th scope="col">{ "polls" }</th>
                    <th scope="col">{ "in polls" }</th></tr></thead>
                <tbody>{ for lane_rows }</tbody>
            </table>
            <WhatToNotice {notes} />
            <details>
                <summary>
                    { if stride == 1 { format!("All {n} samples") } else { format!("Every {stride}th of {n} samples") } }
                    if result.samples_dropped > 0 {
                        { format!(" ({} later samples were not kept: a run keeps {n})", result.samples_dropped) }
                    }
                </summary>
                <table class="samples">
                    <thead><tr><th scope="col">{ "at" }</th>
                        <th scope="col">{ "alive: metric / recorded" }</th>
                        <th scope="col">{ "global queue / recorded ready" }</th>
                        <th scope="col">{ "parks: metric / recorded" }</th>
                        <th scope="col">{ "busy (metric)" }</th></tr></thead>
                    <tbody>{ for samples }</tbody>
                </table>
            </details>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use pollscope_shared::results::{LaneSeen, LogLine, WorkerFinal};

    use super::*;
    use crate::widgets::notice::shown;

    fn sample(alive: u32, recorded: u32) -> MetricsSample {
        MetricsSample {
            t_us: 1_000,
            alive_tasks: alive,
            global_queue_depth: 0,
            parks: 3,
            busy_us: 200,
            recorded_alive: recorded,
            recorded_ready: 1,
            recorded_parks: 2,
        }
    }

    fn lane(lane: u32, parks: u64, poll_us: u64) -> LaneSeen {
        LaneSeen {
            lane,
            name: "scenario-runtime".to_owned(),
            parks,
            unparks: parks,
            polls: 10,
            poll_us,
        }
    }

    fn run() -> RuntimeMetricsResult {
        RuntimeMetricsResult {
            workers: 2,
            tasks: 4,
            rounds: 5,
            pause_ms: 4,
            work_us: 300,
            sample_ms: 2,
            samples: vec![sample(5, 5), sample(5, 5), sample(4, 3)],
            samples_dropped: 0,
            final_workers: vec![
                WorkerFinal {
                    worker: 0,
                    parks: 16,
                    park_unparks: 32,
                    busy_us: 46_775,
                },
                WorkerFinal {
                    worker: 1,
                    parks: 7,
                    park_unparks: 14,
                    busy_us: 38_759,
                },
            ],
            final_num_workers: 2,
            final_alive_tasks: 0,
            lanes: vec![lane(0, 10, 46_483), lane(1, 6, 38_515)],
            recorded_spawned: 5,
            recorded_completed: 5,
            logs: vec![
                LogLine {
                    t_us: 1_106,
                    level: LogLevel::Info,
                    message: "started task=3".to_owned(),
                },
                LogLine {
                    t_us: 9_000,
                    level: LogLevel::Warn,
                    message: "woke late task=3 round=1 late_us=9000".to_owned(),
                },
            ],
            logs_dropped: 0,
            events_dropped: 0,
            events_complete: true,
        }
    }

    fn text(r: &RuntimeMetricsResult) -> String {
        shown(&what_to_notice(r), false).join(" ")
    }

    #[test]
    fn the_notice_quotes_both_sides_of_every_cross_check() {
        let notes = text(&run());
        for figure in [
            "num_workers() said 2; the recorder saw 2 worker thread(s).",
            "at 2 of 3 samples, and differed by at most 1 at the others",
            "num_alive_tasks() was 0 and the recorder had 0 of its 5 tasks unfinished",
            "worker_park_count adds up to 23, and the recorder saw 16 on_thread_park calls: they differ by 7",
            "worker_total_busy_duration adds up to 85.5 ms; the recorded polls on the workers lasted 85.0 ms of it",
            "global_queue_depth() was at most 0 and never above",
            "logged 2 line(s) to this run's own subscriber (2 kept, 0 dropped); 1 warned",
        ] {
            assert!(notes.contains(figure), "{figure:?} not in {notes}");
        }
        assert!(!notes.contains("they disagree"), "{notes}");
    }

    #[test]
    fn disagreements_are_said_with_their_numbers() {
        let mut r = run();
        r.lanes[0].poll_us = 60_000; // polls longer than busy time
        r.samples[1].global_queue_depth = 3; // more queued than ready
        r.final_num_workers = 3;
        r.final_workers[1].parks = 3; // 19 parks = 16 hooks
        r.logs_dropped = 40;
        let notes = text(&r);
        for figure in [
            "num_workers() said 3; the recorder saw 2 worker thread(s): they disagree",
            "adds up to 85.5 ms, less than the 98.5 ms the recorded polls on the workers lasted: they disagree, by 13.0 ms",
            "at most 3, and at 1 of 3 samples above the tasks the recorder saw ready to run: they disagree there",
            "(2 kept, 40 dropped)",
        ] {
            assert!(notes.contains(figure), "{figure:?} not in {notes}");
        }
        assert!(
            notes.contains("worker_park_count adds up to 19, and the recorder saw 16"),
            "{notes}"
        );
        r.final_workers[1].parks = 0;
        assert!(text(&r).contains("adds up to 16, the same as the 16 on_thread_park calls"));
    }

    #[test]
    fn no_samples_no_notice_and_nothing_is_withheld_on_a_busy_machine() {
        let mut r = run();
        r.samples.clear();
        assert!(what_to_notice(&r).is_empty());
        let notes = what_to_notice(&run());
        assert!(notes.iter().all(|n| !n.is_conclusion()));
        assert_eq!(shown(&notes, true).len(), notes.len());
    }
}
