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
use crate::timeline::{PartRef, Timeline};
use crate::widgets::{DemoFrame, DemoProps, format_ms, percent};

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

/// What this run's numbers show, sentence by sentence; empty unless all three modes ran.
pub fn what_to_notice(result: &SpawnBlockingResult) -> Vec<String> {
    let [single, multi, blocking] = &result.modes[..] else {
        return Vec::new();
    };
    let jobs = result.jobs;
    let mut notes = vec![format!(
        "On current_thread the {jobs} jobs ran one after another on the one thread: {} of \
         CPU in {} of wall time, {} cores busy. The probe's worst ping took {}: a job's poll \
         (the longest lasted {}) held the only thread, so nothing polled the probe, nor \
         fired its timer, until the jobs let go.",
        format_ms(single.jobs_cpu_us),
        format_ms(single.wall_us),
        format_cores(single),
        format_ms(single.ping_max_us),
        format_ms(single.longest_job_poll_us),
    )];
    let held = if jobs >= multi.workers {
        format!(
            "with {jobs} jobs for {} workers, jobs' polls could hold every worker at once",
            multi.workers
        )
    } else {
        format!(
            "{jobs} job(s) for {} workers left a worker free for the probe",
            multi.workers
        )
    };
    notes.push(format!(
        "As tasks on {} workers: {} cores busy, {} wall time; the worst ping took {}: {held}.",
        multi.workers,
        format_cores(multi),
        format_ms(multi.wall_us),
        format_ms(multi.ping_max_us),
    ));
    notes.push(format!(
        "On the blocking pool, {} thread(s) ran the jobs ({} cores busy, {} wall time) while \
         the workers stayed free: the worst ping took {}.",
        blocking.blocking_lanes_used,
        format_cores(blocking),
        format_ms(blocking.wall_us),
        format_ms(blocking.ping_max_us),
    ));
    let crowded: Vec<&ModeRun> = result
        .modes
        .iter()
        .filter(|m| m.jobs_busy_us as f64 > m.jobs_cpu_us as f64 * SHARED_CORES_RATIO)
        .collect();
    if !result.thread_cpu_clock {
        notes.push(
            "This machine offers no per-thread CPU clock, so CPU time here is time inside \
             polls, which also counts waiting for a core: take \"cores busy\" as an upper bound."
                .to_owned(),
        );
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
        notes.push(format!(
            "The jobs waited for a core in {}: more threads wanted to run than this machine \
             had cores (the server's own threads, and anything else on the machine, share \
             them), so wall times and pings there include that wait.",
            which.join(", ")
        ));
    }
    if blocking.ping_max_us * 2 <= multi.ping_max_us {
        notes.push(format!(
            "Moving the CPU work to spawn_blocking cut the probe's worst ping from {} to {}.",
            format_ms(multi.ping_max_us),
            format_ms(blocking.ping_max_us)
        ));
    } else {
        notes.push(format!(
            "In this run the blocking pool did not clearly help the probe ({} against {} as \
             tasks): when the blocking threads and the workers compete for too few cores, the \
             operating system decides who runs. Run it again, or with fewer jobs.",
            format_ms(blocking.ping_max_us),
            format_ms(multi.ping_max_us)
        ));
    }
    notes
}

/// One row of the figures table: its label, and how a mode's value reads.
type Row = (&'static str, fn(&ModeRun) -> String);

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
    let parts = (0..3u32).map(|part| {
        let title = [
            "Part 0: spawn on current_thread",
            "Part 1: spawn on multi_thread",
            "Part 2: spawn_blocking",
        ][part as usize];
        html! { <Timeline recording_part={PartRef::new(id::SPAWN_BLOCKING, part)} title={title} /> }
    });
    html! {
        <DemoFrame demo={props.clone()} explain={explain}>
            { result }
            if !matches!(props.run, RunState::Idle) {
                <div class="timelines">{ for parts }</div>
            }
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
    let worst = result
        .modes
        .iter()
        .map(|m| m.ping_max_us)
        .max()
        .unwrap_or(1)
        .max(1);
    let headers = result.modes.iter().enumerate().map(|(i, mode)| {
        html! {
            <th scope="col" class="mode-run" key={i} data-part={i.to_string()}
                data-mode={serde_json::to_value(mode.mode).ok().and_then(|v| v.as_str().map(str::to_owned))}
                data-wall-us={mode.wall_us.to_string()} data-cpu-us={mode.jobs_cpu_us.to_string()}
                data-ping-max-us={mode.ping_max_us.to_string()}
                data-blocking-lanes={mode.blocking_lanes_used.to_string()}
                data-worker-lanes={mode.worker_lanes_used.to_string()}>
                { format!("Part {i}: {}", mode_title(mode)) }
            </th>
        }
    });
    // One row per figure, one column per mode.
    let rows: [Row; 11] = [
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
    let rows = rows.iter().map(|(label, value)| {
        html! {
            <tr>
                <th scope="row">{ *label }</th>
                { for result.modes.iter().map(|m| html! { <td>{ value(m) }</td> }) }
            </tr>
        }
    });
    let bars = result.modes.iter().map(|m| {
        html! {
            <td>
                <div class="ping-bar" style={format!("width: {:.1}%", percent(m.ping_max_us, worst))}>
                    { format_ms(m.ping_max_us) }
                </div>
            </td>
        }
    });
    let notes = what_to_notice(result);
    html! {
        <section id="spawn-blocking-result" class="result" data-jobs={result.jobs.to_string()}
            data-job-ms={result.job_ms.to_string()}>
            <table class="mode-table">
                <thead><tr><th></th>{ for headers }</tr></thead>
                <tbody>
                    <tr class="ping-bars"><th scope="row">{ "worst ping, to scale" }</th>{ for bars }</tr>
                    { for rows }
                </tbody>
            </table>
            if !notes.is_empty() {
                <div id="what-to-notice" class="notice">
                    { for notes.iter().map(|n| html! { <p>{ n }</p> }) }
                </div>
            }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn the_notice_quotes_the_measured_numbers_as_the_table_shows_them() {
        let r = result(vec![
            mode(JobMode::SpawnCurrentThread, 0, 161_000, 158_900),
            mode(JobMode::SpawnMultiThread, 2, 80_500, 79_000),
            mode(JobMode::SpawnBlocking, 2, 80_900, 1_600),
        ]);
        let notes = what_to_notice(&r).join(" ");
        for figure in [
            "160.0 ms of CPU in 161.0 ms of wall time, 0.99 cores busy",
            "worst ping took 158.9 ms",
            "the longest lasted 40.2 ms",
            "1.99 cores busy, 80.5 ms wall time; the worst ping took 79.0 ms",
            "jobs' polls could hold every worker at once",
            "4 thread(s) ran the jobs",
            "cut the probe's worst ping from 79.0 ms to 1.6 ms",
        ] {
            assert!(notes.contains(figure), "{figure:?} not in {notes}");
        }
        assert!(!notes.contains("waited for a core"), "{notes}");
    }

    #[test]
    fn a_crowded_machine_or_no_gain_is_said_instead_of_concluded() {
        let mut crowded = mode(JobMode::SpawnBlocking, 2, 80_900, 70_000);
        crowded.jobs_busy_us = 330_000;
        let r = result(vec![
            mode(JobMode::SpawnCurrentThread, 0, 161_000, 158_900),
            mode(JobMode::SpawnMultiThread, 2, 80_500, 79_000),
            crowded,
        ]);
        let notes = what_to_notice(&r).join(" ");
        assert!(
            notes.contains(
                "waited for a core in spawn_blocking (330.0 ms inside polls for 160.0 ms of CPU)"
            ),
            "{notes}"
        );
        assert!(notes.contains("did not clearly help the probe (70.0 ms against 79.0 ms"));
        assert!(!notes.contains("cut the probe's worst ping"));
        assert!(what_to_notice(&result(vec![])).is_empty());
    }
}
