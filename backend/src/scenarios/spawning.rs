//! Outline section 3 — spawning tasks: what `tokio::spawn` costs in waiting.
//!
//! `spawn` only queues a task; a worker polls it when it gets to it. The run spawns N
//! tasks at once, for growing N (10, 100, 1000, … up to the chosen maximum), each part on a
//! fresh runtime. Each task does a little CPU work, sleeps once, and works again. From the
//! recorded events: how long each task waited from spawn to its first poll, and from its
//! timer's wake to the poll that followed. Both grow with N: the queue gets longer.

use std::time::{Duration, Instant};

use pollscope_shared::instrument::stats::RunStats;
use pollscope_shared::instrument::Probe;
use pollscope_shared::results::{Histogram, SpawnBatch, SpawningResult};

use super::Scenario;
use super::support::{burn_cpu, percentile};
use crate::harness::{
    Keep, MAX_WORKERS, Part, RunContext, RuntimeSpec, ScenarioError, duration_us, run_part,
};

/// The largest N a run may sweep to.
pub const MAX_TASKS: u32 = 5000;

crate::params! {
    /// How far N grows, the runtime, and each task's work.
    pub struct SpawningParams {
        /// Largest N
        max_tasks: u32 [default 1000, min 10, max MAX_TASKS, unit "tasks"],
        /// Runtime workers (0 = current_thread)
        workers: u32 [default 2, min 0, max MAX_WORKERS],
        /// CPU work per poll
        work_us: u64 [default 20, min 0, max 500, unit "µs"],
        /// Timer wait
        sleep_ms: u64 [default 2, min 1, max 20, unit "ms"],
    }
}

pub struct Spawning;

impl Scenario for Spawning {
    type Params = SpawningParams;
    type Output = SpawningResult;
    const SECTION: u8 = 3;
    const TITLE: &'static str = "Spawning tasks: time to first poll";
    const SUMMARY: &'static str =
        "Spawn N tasks at once and measure how long each waits to be polled, as N grows.";
    const SOURCE: (&'static str, &'static str) = (file!(), include_str!("spawning.rs"));

    async fn run(params: SpawningParams, run: RunContext) -> Result<SpawningResult, ScenarioError> {
        let work = Duration::from_micros(params.work_us);
        let sleep = Duration::from_millis(params.sleep_ms);
        let runtime = RuntimeSpec {
            workers: params.workers,
        };
        let mut parts = Vec::new();
        for (index, n) in (0..).zip(sizes(params.max_tasks)) {
            run.phase(format!(
                "part {index}: spawn {n} tasks on {}",
                runtime.flavor_name()
            ));
            let part = Part {
                index,
                runtime,
                keep: Keep::TaskStats,
            };
            let measured = run_part(&run, part, move |probe| async move {
                let started = Instant::now();
                spawn_many(probe, n, work, sleep).await;
                started.elapsed()
            })
            .await?;
            parts.push(summarise(
                n,
                measured.output,
                &measured.folded.stats.unwrap_or_default(),
                measured.events_dropped,
            ));
        }
        Ok(SpawningResult {
            workers: params.workers,
            parts,
        })
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
        first_poll_histogram: Histogram::from_samples(first_poll.iter().copied()),
        wake_to_poll_p50_us: percentile(&after_wake, 50),
        wake_to_poll_p99_us: percentile(&after_wake, 99),
        events_dropped: dropped,
    }
}
