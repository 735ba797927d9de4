//! Outline section 5 — concurrency vs parallelism: `spawn` vs `spawn_blocking`.
//!
//! N CPU jobs of M ms each run three ways, each part on a fresh runtime: as tasks on
//! `current_thread`, as tasks on `multi_thread` with W workers, and as closures on the
//! blocking pool of a `multi_thread` runtime. Beside them, a latency probe task pings an
//! echo server on loopback every few milliseconds for as long as the jobs run. A job's
//! whole burst is one poll: while it runs, the thread polling it polls nothing else. On
//! `current_thread` that starves the probe; with W workers the probe waits whenever all
//! W are held by jobs; on the blocking pool the workers stay free for it.
//!
//! Each job spins until its thread has *used* M ms of CPU (not until M ms have passed),
//! so when more jobs run at once than the machine has cores, they take longer rather
//! than doing less, and "cores busy" (the jobs' CPU time ÷ wall time) cannot claim more
//! cores than really worked.
//!
//! The echo server runs on the server's runtime, outside the one being measured: a slow
//! ping means the probe was not polled in time, not that the echo was slow.

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use pollscope_shared::instrument::stats::RunStats;
use pollscope_shared::instrument::event::LaneKind;
use pollscope_shared::instrument::{Probe, Recorder};
use pollscope_shared::results::{Histogram, JobMode, ModeRun, SpawnBlockingResult};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::Scenario;
use super::support::cpu::{burn_cpu_time, thread_cpu_time};
use super::support::loopback_echo::EchoServer;
use super::support::percentile;
use crate::harness::{
    Keep, MAX_WORKERS, Part, RunContext, RuntimeSpec, ScenarioError, duration_us, run_part,
};

/// Most pings one part keeps (one every millisecond for 10 s).
const MAX_PINGS: usize = 10_000;

crate::params! {
    /// The jobs, the runtime, and the probe.
    pub struct SpawnBlockingParams {
        /// Jobs
        jobs: u32 [default 4, min 1, max 16],
        /// CPU per job
        job_ms: u32 [default 40, min 1, max 200, unit "ms"],
        /// multi_thread workers
        workers: u32 [default 2, min 1, max MAX_WORKERS],
        /// Probe's pause between pings
        ping_pause_ms: u32 [default 2, min 1, max 50, unit "ms"],
    }
}

pub struct SpawnBlocking;

impl Scenario for SpawnBlocking {
    type Params = SpawnBlockingParams;
    type Output = SpawnBlockingResult;
    const SECTION: u8 = 5;
    const TITLE: &'static str = "Concurrency vs parallelism: spawn vs spawn_blocking";
    const SUMMARY: &'static str = "CPU jobs as tasks on one thread, as tasks on N workers, and on the blocking pool, with a latency probe beside them.";
    const SOURCE: (&'static str, &'static str) = (file!(), include_str!("spawn_blocking.rs"));

    async fn run(
        params: SpawnBlockingParams,
        run: RunContext,
    ) -> Result<SpawnBlockingResult, ScenarioError> {
        let echo = EchoServer::start().await?;
        let work = Work {
            jobs: params.jobs,
            job: Duration::from_millis(params.job_ms.into()),
            ping_pause: Duration::from_millis(params.ping_pause_ms.into()),
            echo: echo.addr(),
        };
        let modes = [
            (JobMode::SpawnCurrentThread, 0),
            (JobMode::SpawnMultiThread, params.workers),
            (JobMode::SpawnBlocking, params.workers),
        ];
        let mut runs = Vec::new();
        for (index, (mode, workers)) in (0..).zip(modes) {
            let runtime = RuntimeSpec { workers };
            run.phase(format!(
                "part {index}: {} jobs of {} ms with {}, {} worker(s)",
                work.jobs,
                params.job_ms,
                mode.label(),
                workers
            ));
            let part = Part {
                index,
                runtime,
                keep: Keep::TaskStats,
            };
            let measured =
                run_part(&run, part, move |recorder| one_mode(recorder, mode, work)).await?;
            let output = measured.output?;
            let stats = measured.folded.stats.unwrap_or_default();
            runs.push(summarise(
                mode,
                workers,
                output,
                &stats,
                measured.events_dropped,
            ));
        }
        Ok(SpawnBlockingResult {
            jobs: params.jobs,
            job_ms: params.job_ms,
            workers: params.workers,
            ping_pause_ms: params.ping_pause_ms,
            thread_cpu_clock: thread_cpu_time().is_some(),
            modes: runs,
        })
    }
}

// [demo:start]
/// `spawn`: each job is a task, and its whole CPU burst is one poll. While it runs, the
/// worker polling it can poll nothing else: not the probe, not the I/O driver.
async fn spawn_jobs<P: Probe>(probe: P, jobs: u32, job: Duration) -> Vec<Duration> {
    let mut running = JoinSet::new();
    for i in 0..jobs {
        running.spawn(probe.task(format!("job {i}"), async move { burn_cpu_time(job) }));
    }
    running.join_all().await
}

/// `spawn_blocking`: each job is a closure on the blocking pool's own threads, so the
/// runtime's workers stay free to poll tasks.
async fn blocking_jobs(recorder: Recorder, jobs: u32, job: Duration) -> Vec<Duration> {
    let mut running = JoinSet::new();
    for i in 0..jobs {
        running.spawn_blocking(recorder.blocking(format!("job {i}"), move || burn_cpu_time(job)));
    }
    running.join_all().await
}

/// The latency probe: one byte to the echo server and back, then a pause, for as long
/// as the jobs run. A ping is timed from when it was due, so waiting to be polled
/// counts; one that came due while the probe could not run is still sent when it can.
/// `ready` fires after the first ping, so the jobs start once the probe is connected.
async fn ping_loop<P: Probe>(
    probe: P,
    echo: SocketAddr,
    pause: Duration,
    ready: oneshot::Sender<()>,
    stop: CancellationToken,
) -> io::Result<Vec<Duration>> {
    let mut socket = probe.io("connect", TcpStream::connect(echo)).await?;
    socket.set_nodelay(true)?;
    let mut byte = [0u8; 1];
    let mut pings = Vec::new();
    let mut ready = Some(ready);
    let mut due = Instant::now();
    while pings.len() < MAX_PINGS {
        let stopping = tokio::select! {
            biased;
            () = probe.timer("pause", tokio::time::sleep_until(due.into())) => false,
            () = stop.cancelled() => true,
        };
        if stopping && Instant::now() < due {
            break; // no ping was due
        }
        probe.io("ping", socket.write_all(b"p")).await?;
        probe.io("echo", socket.read_exact(&mut byte)).await?;
        pings.push(due.elapsed());
        if let Some(ready) = ready.take() {
            let _ = ready.send(());
        }
        if stopping {
            break;
        }
        due = Instant::now() + pause;
    }
    Ok(pings)
}
// [demo:end]

/// What one part runs on, besides its runtime.
#[derive(Debug, Clone, Copy)]
struct Work {
    jobs: u32,
    job: Duration,
    ping_pause: Duration,
    echo: SocketAddr,
}

/// What the part's main task measured itself.
struct Measured {
    wall: Duration,
    jobs_cpu: Duration,
    pings: Vec<Duration>,
}

/// One mode: start the probe, run the jobs, stop the probe.
async fn one_mode(recorder: Recorder, mode: JobMode, work: Work) -> io::Result<Measured> {
    let stop = CancellationToken::new();
    let (ready, probe_ready) = oneshot::channel();
    let pinger = ping_loop(
        recorder.clone(),
        work.echo,
        work.ping_pause,
        ready,
        stop.clone(),
    );
    let probe = tokio::spawn(recorder.task("probe", pinger));
    // A probe that failed before its first ping reports why when it is joined below.
    let _ = probe_ready.await;
    let started = Instant::now();
    let cpu = match mode {
        JobMode::SpawnBlocking => blocking_jobs(recorder, work.jobs, work.job).await,
        JobMode::SpawnCurrentThread | JobMode::SpawnMultiThread => {
            spawn_jobs(recorder, work.jobs, work.job).await
        }
    };
    let wall = started.elapsed();
    stop.cancel();
    let pings = probe.await.map_err(io::Error::other)??;
    Ok(Measured {
        wall,
        jobs_cpu: cpu.iter().sum(),
        pings,
    })
}

/// One mode's numbers, from its own measurements and its recorded events.
fn summarise(
    mode: JobMode,
    workers: u32,
    measured: Measured,
    stats: &RunStats,
    events_dropped: u64,
) -> ModeRun {
    let jobs: Vec<_> = stats
        .tasks
        .values()
        .filter(|t| t.name.starts_with("job "))
        .collect();
    let probe_waited_ns: u64 = stats
        .tasks
        .values()
        .filter(|t| &*t.name == "probe")
        .map(|t| t.scheduled_ns)
        .sum();
    let lanes_used = |kind: LaneKind| {
        stats
            .lanes
            .values()
            .filter(|l| l.kind == kind && l.polls > 0)
            .count() as u32
    };
    let mut pings: Vec<u64> = measured.pings.iter().map(|&d| duration_us(d)).collect();
    pings.sort_unstable();
    ModeRun {
        mode,
        workers,
        wall_us: duration_us(measured.wall),
        jobs_cpu_us: duration_us(measured.jobs_cpu),
        jobs_busy_us: jobs.iter().map(|t| t.busy_ns).sum::<u64>() / 1000,
        longest_job_poll_us: jobs
            .iter()
            .map(|t| t.busy_ns / u64::from(t.polls.max(1)))
            .max()
            .unwrap_or(0)
            / 1000,
        pings: pings.len() as u32,
        ping_p50_us: percentile(&pings, 50),
        ping_p99_us: percentile(&pings, 99),
        ping_max_us: pings.last().copied().unwrap_or(0),
        ping_histogram: Histogram::from_samples(pings.iter().copied()),
        probe_waited_us: probe_waited_ns / 1000,
        worker_lanes_used: lanes_used(LaneKind::Worker),
        blocking_lanes_used: lanes_used(LaneKind::Blocking),
        events_dropped,
    }
}
