//! Outline section 3 — spawning tasks: what `tokio::spawn` costs in waiting.
//!
//! `spawn` only queues a task; a worker polls it when it gets to it. The run spawns N
//! tasks at once, for growing N (10, 100, 1000, … up to the chosen maximum), each part on a
//! fresh runtime. Each task does a little CPU work, sleeps once, and works again. From the
//! recorded events: how long each task waited from spawn to its first poll, and from its
//! timer's wake to the poll that followed. Both grow with N: the queue gets longer.

use std::time::{Duration, Instant};

use pollscope_shared::instrument::stats::RunStats;
use pollscope_shared::instrument::{Probe, Recorder};
use pollscope_shared::results::{SpawnBatch, SpawningResult};
use pollscope_shared::scenario::{ParamSpec, ScenarioDescriptor};

use super::{Params, ScenarioError, burn_cpu, percentile};
use crate::events::{EventStream, Keep, RECORDER_CAPACITY};
use crate::run::{RunContext, duration_us};
use crate::runtime::{MAX_WORKERS, RuntimeSpec, run_hosted};

pub const ID: &str = "spawning";
pub const MAX_TASKS: i64 = 5000;

pub fn descriptor() -> ScenarioDescriptor {
    ScenarioDescriptor {
        id: ID.to_owned(),
        title: "Spawning tasks: time to first poll".to_owned(),
        section: 3,
        summary: "Spawn N tasks at once and measure how long each waits to be polled, as N grows."
            .to_owned(),
        params: vec![
            ParamSpec::integer("max_tasks", "Largest N", "tasks", 1000, 10, MAX_TASKS),
            ParamSpec::integer(
                "workers",
                "Runtime workers (0 = current_thread)",
                "",
                2,
                0,
                i64::from(MAX_WORKERS),
            ),
            ParamSpec::integer("work_us", "CPU work per poll", "µs", 20, 0, 500),
            ParamSpec::integer("sleep_ms", "Timer wait", "ms", 2, 1, 20),
        ],
        code: super::code_of(file!(), include_str!("spawning.rs")),
    }
}

// [demo:start]
/// Spawn `n` tasks, then await every `JoinHandle`. `tokio::spawn` returns at once: the
/// task waits in a run queue until a worker polls it.
async fn spawn_many<P: Probe>(probe: P, n: u32, work: Duration, sleep: Duration) {
    let mut handles = Vec::with_capacity(n as usize);
    for i in 0..n {
        let probe_for_task = probe.clone();
        handles.push(tokio::spawn(probe.task(format!("task {i}"), async move {
            burn_cpu(work);
            probe_for_task
                .timer("sleep", tokio::time::sleep(sleep))
                .await;
            burn_cpu(work);
        })));
    }
    for handle in handles {
        let _ = handle.await;
    }
}
// [demo:end]

/// The sizes a run sweeps: 10, 100, 1000, … below `max`, then `max` itself.
pub fn sizes(max: u32) -> Vec<u32> {
    let mut sizes: Vec<u32> = std::iter::successors(Some(10u32), |n| n.checked_mul(10))
        .take_while(|&n| n < max)
        .collect();
    sizes.push(max);
    sizes
}

/// Scheduling delays of one part, from its recorded events.
pub fn summarise(n: u32, wall: Duration, stats: &RunStats, dropped: u64) -> SpawnBatch {
    let tasks: Vec<_> = stats
        .tasks
        .values()
        .filter(|t| t.name.starts_with("task "))
        .collect();
    let mut first_poll: Vec<u64> = tasks
        .iter()
        .filter_map(|t| {
            t.first_poll_ns
                .map(|p| p.saturating_sub(t.spawned_ns) / 1000)
        })
        .collect();
    // Time scheduled after wakes = all scheduled time minus the wait before the first poll.
    let mut after_wake: Vec<u64> = tasks
        .iter()
        .filter(|t| t.wakes.total() > 0)
        .filter_map(|t| {
            let first = t.first_poll_ns?.saturating_sub(t.spawned_ns);
            Some(t.scheduled_ns.saturating_sub(first) / u64::from(t.wakes.total()) / 1000)
        })
        .collect();
    first_poll.sort_unstable();
    after_wake.sort_unstable();
    SpawnBatch {
        tasks: n,
        wall_us: duration_us(wall),
        first_poll_p50_us: percentile(&first_poll, 50),
        first_poll_p99_us: percentile(&first_poll, 99),
        first_poll_max_us: first_poll.last().copied().unwrap_or(0),
        wake_to_poll_p50_us: percentile(&after_wake, 50),
        wake_to_poll_p99_us: percentile(&after_wake, 99),
        events_dropped: dropped,
    }
}

pub async fn run(params: Params<'_>, run: RunContext) -> Result<SpawningResult, ScenarioError> {
    let workers = params.int("workers").clamp(0, MAX_WORKERS.into()) as u32;
    let work = Duration::from_micros(params.int("work_us") as u64);
    let sleep = params.millis("sleep_ms");
    let spec = RuntimeSpec { workers };
    let mut parts = Vec::new();
    for (part, n) in sizes(params.int("max_tasks") as u32)
        .into_iter()
        .enumerate()
    {
        run.phase(format!(
            "part {part}: spawn {n} tasks on {}",
            spec.flavor_name()
        ));
        let recorder = Recorder::new(RECORDER_CAPACITY);
        let events = EventStream::start(recorder.clone(), &run, part as u32, Keep::TaskStats);
        let probe = recorder.clone();
        let wall = run_hosted(spec, Some(recorder.clone()), move || {
            let inner = probe.clone();
            probe.task("main", async move {
                let started = Instant::now();
                spawn_many(inner, n, work, sleep).await;
                started.elapsed()
            })
        })
        .await;
        let folded = events.finish().await;
        let wall = wall?;
        parts.push(summarise(
            n,
            wall,
            &folded.stats.unwrap_or_default(),
            recorder.dropped(),
        ));
    }
    Ok(SpawningResult { workers, parts })
}
