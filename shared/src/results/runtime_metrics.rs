//! What the runtime-metrics demo measures (outline section 9, monitoring): a small
//! workload on a `multi_thread` runtime, its stable `tokio::runtime::RuntimeMetrics`
//! sampled from outside the runtime while it runs and read once more after it shut down,
//! what the recorder saw at the same instants, and the workload's `tracing` log lines.

use serde::{Deserialize, Serialize};

/// One run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuntimeMetricsResult {
    pub workers: u32,
    /// Tasks of the workload, each `rounds` × (sleep `pause_ms`, then `work_us` of CPU).
    pub tasks: u32,
    pub rounds: u32,
    pub pause_ms: u32,
    pub work_us: u32,
    /// How often the metrics were sampled.
    pub sample_ms: u32,
    /// The samples, in time order (at most a bounded number; see `samples_dropped`).
    pub samples: Vec<MetricsSample>,
    pub samples_dropped: u64,
    /// The metrics read once more after the runtime shut down, per worker index.
    pub final_workers: Vec<WorkerFinal>,
    /// `num_workers()` and `num_alive_tasks()` after the shutdown.
    pub final_num_workers: u32,
    pub final_alive_tasks: u32,
    /// What the recorder saw of each worker thread over the whole run.
    pub lanes: Vec<LaneSeen>,
    /// Tasks the recorder saw spawned and completed over the whole run.
    pub recorded_spawned: u32,
    pub recorded_completed: u32,
    /// The workload's log lines, in the order they were logged (at most a bounded
    /// number; see `logs_dropped`).
    pub logs: Vec<LogLine>,
    pub logs_dropped: u64,
    /// Events the recorder dropped because a buffer was full.
    pub events_dropped: u64,
    /// The events the instants were read from were all kept (`false`: the run recorded
    /// more than the server keeps, and the recorded side of late samples is short).
    pub events_complete: bool,
}

/// One reading of the metrics, and what the recorder had seen by the same instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricsSample {
    /// On the recorder's clock, since the part's recording started.
    pub t_us: u64,
    /// `num_alive_tasks()`.
    pub alive_tasks: u32,
    /// `global_queue_depth()`.
    pub global_queue_depth: u32,
    /// `worker_park_count` summed over the workers.
    pub parks: u64,
    /// `worker_total_busy_duration` summed over the workers.
    pub busy_us: u64,
    /// Tasks recorded as spawned and not yet completed.
    pub recorded_alive: u32,
    /// Tasks recorded as spawned or woken and not polled since: ready to run.
    pub recorded_ready: u32,
    /// Park events recorded on the workers (from `on_thread_park`).
    pub recorded_parks: u64,
}

/// One worker's counters after the shutdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkerFinal {
    pub worker: u32,
    /// `worker_park_count`.
    pub parks: u64,
    /// `worker_park_unpark_count`.
    pub park_unparks: u64,
    /// `worker_total_busy_duration`.
    pub busy_us: u64,
}

/// One worker thread as the recorder saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LaneSeen {
    pub lane: u32,
    pub name: String,
    /// `on_thread_park` and `on_thread_unpark` calls.
    pub parks: u64,
    pub unparks: u64,
    /// Polls run on it, and their total length.
    pub polls: u64,
    pub poll_us: u64,
}

/// A `tracing` event the workload logged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogLine {
    /// On the recorder's clock, like the samples.
    pub t_us: u64,
    pub level: LogLevel,
    /// The message, then the event's other fields as `name=value`.
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogLevel {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
}

impl LogLevel {
    pub fn label(self) -> &'static str {
        match self {
            Self::Trace => "TRACE",
            Self::Debug => "DEBUG",
            Self::Info => "INFO",
            Self::Warn => "WARN",
            Self::Error => "ERROR",
        }
    }
}

impl RuntimeMetricsResult {
    /// Parks as the metrics counted them, over the workers, after the shutdown.
    pub fn metric_parks(&self) -> u64 {
        self.final_workers.iter().map(|w| w.parks).sum()
    }

    /// `on_thread_park` calls the recorder saw, over the workers.
    pub fn recorded_parks(&self) -> u64 {
        self.lanes.iter().map(|l| l.parks).sum()
    }

    /// Busy time as the metrics counted it, over the workers, after the shutdown.
    pub fn metric_busy_us(&self) -> u64 {
        self.final_workers.iter().map(|w| w.busy_us).sum()
    }

    /// Time inside recorded polls on the workers.
    pub fn recorded_poll_us(&self) -> u64 {
        self.lanes.iter().map(|l| l.poll_us).sum()
    }

    /// Samples at which `num_alive_tasks()` equalled the recorder's count.
    pub fn alive_agreeing(&self) -> usize {
        self.samples
            .iter()
            .filter(|s| s.alive_tasks == s.recorded_alive)
            .count()
    }

    /// The largest difference between the two alive counts at one sample.
    pub fn alive_max_difference(&self) -> u32 {
        self.samples
            .iter()
            .map(|s| s.alive_tasks.abs_diff(s.recorded_alive))
            .max()
            .unwrap_or(0)
    }

    /// Samples at which the global queue held more tasks than the recorder saw ready
    /// (a task in the queue is one woken and not yet polled, so this should not happen).
    pub fn queue_over_ready(&self) -> usize {
        self.samples
            .iter()
            .filter(|s| s.global_queue_depth > s.recorded_ready)
            .count()
    }
}
