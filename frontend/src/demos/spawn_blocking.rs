//! Outline section 5 — concurrency vs parallelism: `spawn` vs `spawn_blocking`.
//!
//! The server ran the same CPU jobs three ways (as tasks on `current_thread`, as tasks on
//! W workers, on the blocking pool) with a latency probe pinging beside them. The page
//! shows, per mode, how many cores the jobs really kept busy and how long the probe's
//! pings waited, one timeline per mode, and a notice computed from those numbers.

use pollscope_shared::results::{JobMode, ModeRun, ScenarioResult, SpawnBlockingResult};
use pollscope_shared::scenario::id;
use yew::prelude::*;

use super::DemoPage;
use crate::state::RunState;
use crate::widgets::{
    DemoFrame, DemoProps, Figure, LatencyPlots, Note, WhatToNotice, figure_rows, format_ms,
    part_timelines, scaled_bars,
};

impl DemoPage for SpawnBlockingPage {
    const ID: &'static str = id::SPAWN_BLOCKING;
}

/// Above this ratio of time inside the jobs' polls to their CPU time, the jobs waited for
/// a core: more threads wanted to run than the machine had cores.
const SHARED_CORES_RATIO: f64 = 1.25;

/// "2.00 cores" — how the page writes [`ModeRun::cores_busy`].
pub fn format_cores(mode: &ModeRun) -> String {
    format!("{:.2}", mode.cores_busy())
}

/// A ping waited a job's poll out if it took at least half the longest job poll.
fn waited_out_a_poll(mode: &ModeRun) -> bool {
    mode.ping_max_us * 2 >= mode.longest_job_poll_us
}

/// What this run's numbers show, sentence by sentence; empty unless all three modes ran.
/// The figures are facts; what they are read to mean (a ping held up by a job's poll,
/// the blocking pool helping the probe) are conclusions, each drawn only in the branch
/// the numbers support, with margins from the run's own job length.
pub fn what_to_notice(result: &SpawnBlockingResult) -> Vec<Note> {
    let [single, multi, blocking] = &result.modes[..] else {
        return Vec::new();
    };
    let jobs = result.jobs;
    let mut notes = vec![Note::Fact(format!(
        "On current_thread the {jobs} jobs ran one after another on the one thread: {} of \
         CPU in {} of wall time, {} cores busy. The probe's worst ping took {}; the longest \
         job poll lasted {}.",
        format_ms(single.jobs_cpu_us),
        format_ms(single.wall_us),
        format_cores(single),
        format_ms(single.ping_max_us),
        format_ms(single.longest_job_poll_us),
    ))];
    notes.push(Note::Conclusion(if waited_out_a_poll(single) {
        "That ping waited out a job's poll: the poll held the only thread, so nothing \
         polled the probe, nor fired its timer, until the job let go."
            .to_owned()
    } else {
        "The worst ping was under half the longest job poll: no ping in this run waited a \
         whole job's poll out."
            .to_owned()
    }));
    let held = if jobs >= multi.workers {
        format!(
            "with {jobs} jobs for {} workers, jobs' polls could hold every worker at once",
            multi.workers
        )
    } else {
        format!(
            "{jobs} job(s) for {} workers could never hold every worker at once",
            multi.workers
        )
    };
    notes.push(Note::Fact(format!(
        "As tasks on {} workers: {} cores busy, {} wall time; the worst ping took {}: {held}.",
        multi.workers,
        format_cores(multi),
        format_ms(multi.wall_us),
        format_ms(multi.ping_max_us),
    )));
    notes.push(Note::Fact(format!(
        "On the blocking pool, {} thread(s) ran the jobs ({} cores busy, {} wall time), \
         leaving the workers to the probe: the worst ping took {}.",
        blocking.blocking_lanes_used,
        format_cores(blocking),
        format_ms(blocking.wall_us),
        format_ms(blocking.ping_max_us),
    )));
    let crowded: Vec<&ModeRun> = result
        .modes
        .iter()
        .filter(|m| m.jobs_busy_us as f64 > m.jobs_cpu_us as f64 * SHARED_CORES_RATIO)
        .collect();
    if !result.thread_cpu_clock {
        notes.push(Note::Fact(
            "This machine offers no per-thread CPU clock, so CPU time here is time inside \
             polls, which also counts waiting for a core: take \"cores busy\" as an upper bound."
                .to_owned(),
        ));
    } else if !crowded.is_empty() {
        let which: Vec<String> = crowded
            .iter()
            .map(|m| {
                format!(
                    "{} ({} inside polls for {} of CPU)",
                    m.mode.label(),
                    format_ms(m.jobs_busy_us),
                    format_ms(m.jobs_cpu_us)
                )
            })
            .collect();
        notes.push(Note::Fact(format!(
            "The jobs waited for a core in {}: time inside their polls that was not CPU \
             time is time their threads were ready but not running, so wall times and pings \
             there include that wait.",
            which.join(", ")
        )));
    }
    notes.push(Note::Conclusion(blocking_verdict(result, multi, blocking, &crowded)));
    notes
}

/// Did moving the jobs to the blocking pool help the probe? Only "yes" when the worst
/// ping at least halved and fell by at least half a job's length (what a job's poll
/// holding a worker costs a ping); otherwise why the numbers do not show it.
fn blocking_verdict(
    result: &SpawnBlockingResult,
    multi: &ModeRun,
    blocking: &ModeRun,
    crowded: &[&ModeRun],
) -> String {
    let (as_tasks, pooled) = (multi.ping_max_us, blocking.ping_max_us);
    let half_job_us = u64::from(result.job_ms) * 1000 / 2;
    if pooled * 2 <= as_tasks && as_tasks - pooled >= half_job_us {
        return format!(
            "Moving the CPU work to spawn_blocking cut the probe's worst ping from {} to {}.",
            format_ms(as_tasks),
            format_ms(pooled)
        );
    }
    let figures = format!("{} against {} as tasks", format_ms(pooled), format_ms(as_tasks));
    if result.jobs < multi.workers {
        format!(
            "The blocking pool made no clear difference to the probe ({figures}): with fewer \
             jobs than workers, the jobs as tasks never held every worker."
        )
    } else if crowded.iter().any(|m| m.mode == JobMode::SpawnBlocking) {
        format!(
            "In this run the blocking pool did not clearly help the probe ({figures}): its \
             jobs waited for a core, and when the blocking threads and the workers compete \
             for too few cores, the operating system decides who runs. Run it again, or \
             with fewer jobs."
        )
    } else {
        format!(
            "In this run the blocking pool did not clearly help the probe ({figures}): the \
             difference is under half a {} ms job, so it supports no conclusion. Run it \
             again.",
            result.job_ms
        )
    }
}

fn mode_title(mode: &ModeRun) -> String {
    match mode.mode {
        JobMode::SpawnCurrentThread => "tokio::spawn on current_thread".to_owned(),
        JobMode::SpawnMultiThread => {
            format!("tokio::spawn on multi_thread, {} workers", mode.workers)
        }
        JobMode::SpawnBlocking => {
            format!("spawn_blocking on multi_thread, {} workers", mode.workers)
        }
    }
}

#[component]
pub fn SpawnBlockingPage(props: &DemoProps) -> Html {
    let result = match &props.run {
        RunState::Finished {
            result: ScenarioResult::SpawnBlocking(r),
            ..
        } => html! { <SpawnBlockingResultView result={r.clone()} /> },
        _ => html! {},
    };
    let explain = html! {
        <>
            <p>
                { "Concurrency is many tasks making progress by taking turns; parallelism is \
                   work running at the same instant on several cores. An async task only gives \
                   its thread back at an " }<code>{ ".await" }</code>
                { " that returns Pending. A CPU-heavy job has none: its whole burst is one \
                   poll, and while it runs, the thread polling it polls nothing else." }
            </p>
            <p>
                { "So the same jobs run three ways, with a small probe task pinging an echo \
                   server beside them: as tasks on " }<code>{ "current_thread" }</code>
                { " (one thread), as tasks on W workers, and with " }<code>{ "spawn_blocking" }</code>
                { ", which runs each closure on a separate pool of threads and leaves the \
                   workers free to poll tasks. Each job burns its CPU time for real; a ping is \
                   timed from when it was due." }
            </p>
        </>
    };
    html! {
        <DemoFrame demo={props.clone()} explain={explain}>
            { result }
            { part_timelines(id::SPAWN_BLOCKING, &[
                "Part 0: spawn on current_thread",
                "Part 1: spawn on multi_thread",
                "Part 2: spawn_blocking",
            ], &props.run) }
        </DemoFrame>
    }
}

#[derive(Properties, PartialEq)]
pub struct SpawnBlockingResultProps {
    pub result: SpawnBlockingResult,
}

#[component]
pub fn SpawnBlockingResultView(props: &SpawnBlockingResultProps) -> Html {
    let result = &props.result;
    let headers = result.modes.iter().enumerate().map(|(i, mode)| {
        html! {
            <th scope="col" class="mode-run" key={i} data-part={i.to_string()}
                data-mode={serde_json::to_value(mode.mode).ok().and_then(|v| v.as_str().map(str::to_owned))}
                data-wall-us={mode.wall_us.to_string()} data-cpu-us={mode.jobs_cpu_us.to_string()}
                data-ping-max-us={mode.ping_max_us.to_string()}
                data-busy-us={mode.jobs_busy_us.to_string()}
                data-longest-poll-us={mode.longest_job_poll_us.to_string()}
                data-blocking-lanes={mode.blocking_lanes_used.to_string()}
                data-worker-lanes={mode.worker_lanes_used.to_string()}>
                { format!("Part {i}: {}", mode_title(mode)) }
            </th>
        }
    });
    // One row per figure, one column per mode.
    let rows: [Figure<ModeRun>; 11] = [
        ("wall time", |m| format_ms(m.wall_us)),
        ("jobs' CPU time", |m| format_ms(m.jobs_cpu_us)),
        ("cores busy (CPU ÷ wall)", format_cores),
        ("time inside the jobs' polls", |m| format_ms(m.jobs_busy_us)),
        ("longest job poll", |m| format_ms(m.longest_job_poll_us)),
        ("pings", |m| m.pings.to_string()),
        ("ping p50 / p99", |m| {
            format!("{} / {}", format_ms(m.ping_p50_us), format_ms(m.ping_p99_us))
        }),
        ("worst ping", |m| format_ms(m.ping_max_us)),
        ("probe ready but not polled", |m| format_ms(m.probe_waited_us)),
        ("threads: workers / blocking pool", |m| {
            format!("{} / {}", m.worker_lanes_used, m.blocking_lanes_used)
        }),
        ("events dropped", |m| m.events_dropped.to_string()),
    ];
    let notes = what_to_notice(result);
    html! {
        <section id="spawn-blocking-result" class="result" data-jobs={result.jobs.to_string()}
            data-job-ms={result.job_ms.to_string()}
            data-thread-cpu-clock={result.thread_cpu_clock.to_string()}>
            <table class="mode-table">
                <thead><tr><th></th>{ for headers }</tr></thead>
                <tbody>
                    { scaled_bars("worst ping, to scale", &result.modes, |c| c.ping_max_us) }
                    { figure_rows(&rows, &result.modes) }
                </tbody>
            </table>
            { for result.modes.iter().map(|m| html! { <LatencyPlots title={format!("Ping time, {}", m.mode.label())} sample="ping" histogram={m.ping_histogram.clone()} p50_us={m.ping_p50_us} p99_us={m.ping_p99_us} /> }) }
            <WhatToNotice {notes} />
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::widgets::notice::{WITHHELD, shown};

    fn mode(mode: JobMode, workers: u32, wall_us: u64, ping_max_us: u64) -> ModeRun {
        ModeRun {
            mode,
            workers,
            wall_us,
            jobs_cpu_us: 160_000,
            jobs_busy_us: 161_000,
            longest_job_poll_us: 40_200,
            pings: 10,
            ping_p50_us: 1_000,
            ping_p99_us: ping_max_us,
            ping_max_us,
            ping_histogram: Default::default(),
            probe_waited_us: 50,
            worker_lanes_used: workers.max(1),
            blocking_lanes_used: if mode == JobMode::SpawnBlocking { 4 } else { 0 },
            events_dropped: 0,
        }
    }

    fn result(modes: Vec<ModeRun>) -> SpawnBlockingResult {
        SpawnBlockingResult {
            jobs: 4,
            job_ms: 40,
            workers: 2,
            ping_pause_ms: 2,
            thread_cpu_clock: true,
            modes,
        }
    }

    /// The notice as a quiet machine's page prints it.
    fn text(r: &SpawnBlockingResult) -> String {
        shown(&what_to_notice(r), false).join(" ")
    }

    /// A quiet run: the pings held up on current_thread and as tasks, not on the pool.
    fn quiet() -> SpawnBlockingResult {
        result(vec![
            mode(JobMode::SpawnCurrentThread, 0, 161_000, 158_900),
            mode(JobMode::SpawnMultiThread, 2, 80_500, 79_000),
            mode(JobMode::SpawnBlocking, 2, 80_900, 1_600),
        ])
    }

    #[test]
    fn the_notice_quotes_the_measured_numbers_as_the_table_shows_them() {
        let notes = text(&quiet());
        for figure in [
            "160.0 ms of CPU in 161.0 ms of wall time, 0.99 cores busy",
            "worst ping took 158.9 ms; the longest job poll lasted 40.2 ms",
            "That ping waited out a job's poll",
            "1.99 cores busy, 80.5 ms wall time; the worst ping took 79.0 ms",
            "jobs' polls could hold every worker at once",
            "4 thread(s) ran the jobs",
            "cut the probe's worst ping from 79.0 ms to 1.6 ms",
        ] {
            assert!(notes.contains(figure), "{figure:?} not in {notes}");
        }
        assert!(!notes.contains("waited for a core"), "{notes}");
        assert!(!notes.contains("no ping in this run"), "{notes}");
        assert!(what_to_notice(&result(vec![])).is_empty());
    }

    #[test]
    fn a_crowded_machine_or_no_gain_is_said_instead_of_concluded() {
        let mut crowded = mode(JobMode::SpawnBlocking, 2, 80_900, 70_000);
        crowded.jobs_busy_us = 330_000;
        let mut r = quiet();
        r.modes[2] = crowded;
        let notes = text(&r);
        assert!(
            notes.contains(
                "waited for a core in spawn_blocking (330.0 ms inside polls for 160.0 ms of CPU)"
            ),
            "{notes}"
        );
        assert!(notes.contains("did not clearly help the probe (70.0 ms against 79.0 ms"));
        assert!(notes.contains("its jobs waited for a core"), "{notes}");
        assert!(!notes.contains("cut the probe's worst ping"));
    }

    #[test]
    fn a_small_cut_is_within_half_a_job_and_supports_no_conclusion() {
        // Halved, but by 3 ms, under half a 40 ms job.
        let mut r = quiet();
        r.modes[1].ping_max_us = 4_000;
        r.modes[2].ping_max_us = 1_000;
        let notes = text(&r);
        assert!(
            notes.contains("(1.0 ms against 4.0 ms as tasks): the difference is under half a 40 ms job"),
            "{notes}"
        );
        assert!(!notes.contains("cut the probe's worst ping"), "{notes}");
        assert!(!notes.contains("waited for a core"), "{notes}");
    }

    #[test]
    fn fewer_jobs_than_workers_leave_nothing_for_the_pool_to_fix() {
        let mut r = quiet();
        r.jobs = 1;
        r.modes[1].ping_max_us = 1_500;
        let notes = text(&r);
        assert!(notes.contains("1 job(s) for 2 workers could never hold every worker"));
        assert!(
            notes.contains("made no clear difference to the probe (1.6 ms against 1.5 ms as tasks)"),
            "{notes}"
        );
    }

    #[test]
    fn a_short_worst_ping_is_not_said_to_have_waited_out_a_poll() {
        let mut r = quiet();
        r.modes[0].ping_max_us = 10_000;
        let notes = text(&r);
        assert!(notes.contains("no ping in this run waited a whole job's poll out"), "{notes}");
        assert!(!notes.contains("That ping waited out"), "{notes}");
    }

    #[test]
    fn a_shared_machine_keeps_the_figures_and_withholds_the_readings() {
        let notes = what_to_notice(&quiet());
        let shared = shown(&notes, true);
        assert_eq!(shared.len(), 4, "{shared:?}");
        assert!(shared[0].starts_with("On current_thread the 4 jobs"));
        assert!(shared[1].starts_with("As tasks on 2 workers"));
        assert!(shared[2].starts_with("On the blocking pool"));
        assert_eq!(shared[3], WITHHELD);
    }
}
