//! What the spawn-vs-spawn_blocking demo measures (outline section 5): the same CPU jobs
//! run as tasks on `current_thread`, as tasks on `multi_thread`, and on the blocking
//! pool, with a latency probe pinging a loopback echo server the whole time.

use serde::{Deserialize, Serialize};

use super::Histogram;

/// One run: the jobs and the probe, in each of the three modes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpawnBlockingResult {
    pub jobs: u32,
    /// CPU time each job burns.
    pub job_ms: u32,
    /// Workers of the `multi_thread` runtime (modes 2 and 3).
    pub workers: u32,
    /// The probe's pause between one ping's echo and the next ping.
    pub ping_pause_ms: u32,
    /// Whether CPU time was read from the threads' own CPU clocks (`false`: the machine
    /// offers none, and "CPU time" is time inside polls, which counts preemption).
    pub thread_cpu_clock: bool,
    /// One entry per mode, in the order they ran.
    pub modes: Vec<ModeRun>,
}

/// How the jobs were run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobMode {
    /// `tokio::spawn` on a `current_thread` runtime.
    SpawnCurrentThread,
    /// `tokio::spawn` on a `multi_thread` runtime.
    SpawnMultiThread,
    /// `tokio::task::spawn_blocking` on a `multi_thread` runtime.
    SpawnBlocking,
}

impl JobMode {
    /// How the page and the notices name the mode.
    pub fn label(self) -> &'static str {
        match self {
            Self::SpawnCurrentThread => "spawn on current_thread",
            Self::SpawnMultiThread => "spawn on multi_thread",
            Self::SpawnBlocking => "spawn_blocking",
        }
    }
}

/// One mode's measurements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModeRun {
    pub mode: JobMode,
    /// Runtime workers: 0 = `current_thread`.
    pub workers: u32,
    /// From the first job's spawn to the last job's end.
    pub wall_us: u64,
    /// CPU time the jobs used, over all jobs.
    pub jobs_cpu_us: u64,
    /// Time inside the jobs' polls (or blocking closures), over all jobs: more than their
    /// CPU time when more jobs ran at once than the machine had cores.
    pub jobs_busy_us: u64,
    /// The longest single poll of a job: how long it held its thread without a break.
    pub longest_job_poll_us: u64,
    /// Pings the probe completed while the jobs ran.
    pub pings: u32,
    /// Each ping's time from when it was due (its interval tick) to its echo read back,
    /// so a probe that could not get polled in time counts the wait.
    pub ping_p50_us: u64,
    pub ping_p99_us: u64,
    pub ping_max_us: u64,
    /// Every ping's time, bucketed: the samples the percentiles come from.
    #[serde(default)]
    pub ping_histogram: Histogram,
    /// Time the probe task spent woken but not polled (it was ready; no thread ran it).
    pub probe_waited_us: u64,
    /// Worker threads (or the one `current_thread` thread) that polled something.
    pub worker_lanes_used: u32,
    /// Blocking-pool threads that ran a job.
    pub blocking_lanes_used: u32,
    pub events_dropped: u64,
}

impl ModeRun {
    /// How many cores the jobs kept busy on average: their CPU time ÷ wall time.
    pub fn cores_busy(&self) -> f64 {
        self.jobs_cpu_us as f64 / self.wall_us.max(1) as f64
    }
}
