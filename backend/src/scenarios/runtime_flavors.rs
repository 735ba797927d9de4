//! Outline section 3 — runtime flavours: `current_thread` vs `multi_thread`.
//!
//! The same workload runs twice, each time on a fresh runtime with its own recorder:
//! part 0 on `current_thread` (one thread polls everything), part 1 on `multi_thread` with
//! N workers. Each task alternates short CPU bursts with waits (a timer, or a round trip to
//! a loopback echo server). On one thread the bursts queue up behind each other; with N
//! workers they run side by side, and idle workers steal queued tasks from busy ones,
//! which shows up as tasks whose consecutive polls ran on different workers.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use pollscope_shared::instrument::stats::RunStats;
use pollscope_shared::instrument::Probe;
use pollscope_shared::results::{FlavorRun, RuntimeFlavorsResult};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

use super::Scenario;
use super::support::burn_cpu;
use super::support::cpu::thread_cpu_time;
use crate::harness::{
    Keep, MAX_WORKERS, Part, RunContext, RuntimeSpec, ScenarioError, duration_us, run_part,
};

crate::params! {
    /// The `multi_thread` runtime's size and the workload's.
    pub struct RuntimeFlavorsParams {
        /// multi_thread workers
        workers: u32 [default 2, min 1, max MAX_WORKERS],
        /// Tasks
        tasks: u32 [default 12, min 1, max 64],
        /// Rounds per task
        rounds: u32 [default 8, min 1, max 40],
        /// CPU burst per round
        burst_us: u64 [default 400, min 0, max 2000, unit "µs"],
        /// Timer wait
        sleep_ms: u64 [default 3, min 1, max 50, unit "ms"],
    }
}

pub struct RuntimeFlavors;

impl Scenario for RuntimeFlavors {
    type Params = RuntimeFlavorsParams;
    type Output = RuntimeFlavorsResult;
    const SECTION: u8 = 3;
    const TITLE: &'static str = "Runtime flavours: current_thread vs multi_thread";
    const SUMMARY: &'static str =
        "One workload of CPU bursts and waits, on one thread and then on N workers.";
    const SOURCE: (&'static str, &'static str) = (file!(), include_str!("runtime_flavors.rs"));

    async fn run(
        params: RuntimeFlavorsParams,
        run: RunContext,
    ) -> Result<RuntimeFlavorsResult, ScenarioError> {
        let work = Workload {
            tasks: params.tasks,
            rounds: params.rounds,
            burst: Duration::from_micros(params.burst_us),
            sleep: Duration::from_millis(params.sleep_ms),
        };
        let mut parts = Vec::new();
        for (index, workers) in (0..).zip([0, params.workers]) {
            let runtime = RuntimeSpec { workers };
            run.phase(format!(
                "part {index}: {} with {workers} worker(s)",
                runtime.flavor_name()
            ));
            let part = Part {
                index,
                runtime,
                keep: Keep::TaskStats,
            };
            let measured = run_part(&run, part, move |probe| one_part(probe, work)).await?;
            let (wall, bursts_cpu) = measured.output?;
            let stats = measured.folded.stats.unwrap_or_default();
            let mut summary = summarise(workers, wall, &stats, measured.events_dropped);
            summary.bursts_cpu_us = bursts_cpu.map(duration_us);
            parts.push(summary);
        }
        Ok(RuntimeFlavorsResult {
            tasks_asked: params.tasks,
            cores: std::thread::available_parallelism().map_or(0, |n| n.get() as u32),
            parts,
        })
    }
}

/// The workload's size, the same on both runtimes.
#[derive(Debug, Clone, Copy)]
pub struct Workload {
    pub tasks: u32,
    pub rounds: u32,
    pub burst: Duration,
    pub sleep: Duration,
}

// [demo:start]
/// Spawn the tasks and wait for all of them. The code is identical on both runtimes:
/// only the runtime they are spawned on differs.
async fn workload<P: Probe>(
    probe: P,
    echo: SocketAddr,
    work: Workload,
    cpu: CpuTally,
) -> io::Result<()> {
    let mut tasks = JoinSet::new();
    for i in 0..work.tasks {
        let task = one_task(probe.clone(), echo, work, cpu.clone());
        tasks.spawn(probe.task(format!("task {i}"), task));
    }
    while let Some(done) = tasks.join_next().await {
        done.map_err(io::Error::other)??;
    }
    Ok(())
}

/// Rounds of CPU work, each followed by a wait: a timer on even rounds, a socket round
/// trip on odd ones. While `burn_cpu` spins, this poll holds its worker: on
/// `current_thread` every other task waits for it. `cpu` tallies the CPU time each burst
/// really got: a thread that loses its core mid-burst spins for the same wall time but
/// computes less.
async fn one_task<P: Probe>(
    probe: P,
    echo: SocketAddr,
    work: Workload,
    cpu: CpuTally,
) -> io::Result<()> {
    let mut socket = probe.io("connect", TcpStream::connect(echo)).await?;
    let mut byte = [0u8; 1];
    for round in 0..work.rounds {
        cpu.measure(|| burn_cpu(work.burst));
        if round % 2 == 0 {
            probe.timer("sleep", tokio::time::sleep(work.sleep)).await;
        } else {
            probe.io("write", socket.write_all(b"x")).await?;
            probe.io("read", socket.read_exact(&mut byte)).await?;
        }
    }
    Ok(())
}
// [demo:end]

/// The CPU time the bursts of one part got, summed over its threads by each thread's own
/// CPU clock; `None` once a thread had no such clock.
#[derive(Clone, Default)]
struct CpuTally {
    ns: Arc<AtomicU64>,
    unmeasured: Arc<AtomicU64>,
}

impl CpuTally {
    fn measure(&self, burst: impl FnOnce()) {
        let before = thread_cpu_time();
        burst();
        match (before, thread_cpu_time()) {
            (Some(before), Some(after)) => {
                let used = after.saturating_sub(before).as_nanos() as u64;
                self.ns.fetch_add(used, Ordering::Relaxed);
            }
            _ => {
                self.unmeasured.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    fn total(&self) -> Option<Duration> {
        (self.unmeasured.load(Ordering::Relaxed) == 0)
            .then(|| Duration::from_nanos(self.ns.load(Ordering::Relaxed)))
    }
}

/// One part: a fresh runtime, a loopback echo server for the socket waits, the workload.
/// Returns the workload's wall time and the CPU time its bursts got.
async fn one_part<P: Probe>(probe: P, work: Workload) -> io::Result<(Duration, Option<Duration>)> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
    let echo = listener.local_addr()?;
    let server = tokio::spawn(probe.task(
        "echo server",
        super::echo::accept_loop(probe.clone(), listener, 1),
    ));
    let cpu = CpuTally::default();
    let started = Instant::now();
    let outcome = workload(probe, echo, work, cpu.clone()).await;
    let wall = started.elapsed();
    server.abort();
    outcome.map(|()| (wall, cpu.total()))
}

/// Summarise one part from its recorded events.
pub fn summarise(workers: u32, wall: Duration, stats: &RunStats, dropped: u64) -> FlavorRun {
    let lanes: Vec<_> = stats.lanes.values().filter(|l| l.polls > 0).collect();
    FlavorRun {
        workers,
        wall_us: duration_us(wall),
        tasks: stats.tasks.len() as u32,
        polls: stats.polls,
        lanes_used: lanes.len() as u32,
        polls_per_lane: lanes.iter().map(|l| l.polls).collect(),
        migrations: stats.migrations,
        busy_us: stats.tasks.values().map(|t| t.busy_ns).sum::<u64>() / 1000,
        bursts_cpu_us: None,
        wakes: stats.wakes,
        events_dropped: dropped,
    }
}
