//! What the blocking-the-runtime demo measures (outline section 7): the echo server of
//! section 4, where one request's handler does D ms of "work" three ways —
//! `std::thread::sleep` inside the async handler, `tokio::time::sleep(..).await`, and
//! `spawn_blocking` — each on a fresh runtime, with the other clients' round trips and
//! the recording's longest poll measured in each.
//!
//! Uses only serde.

use serde::{Deserialize, Serialize};

use super::Histogram;

/// One run: the same echo workload, once per way of doing the slow request's work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockingRuntimeResult {
    /// Runtime workers of every part: 0 = `current_thread`.
    pub workers: u32,
    /// Clients, client 0 included (it sends the slow request).
    pub clients: u32,
    /// Messages each client sends, one after the other.
    pub messages: u32,
    /// The slow request's work, D.
    pub work_ms: u32,
    /// Which of client 0's messages is the slow request (0-based).
    pub slow_message: u32,
    /// One entry per way, in the order they ran.
    pub ways: Vec<WayRun>,
}

/// How the slow request's handler does its D ms of work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockingWay {
    /// `std::thread::sleep(D)` inside the async handler: the poll lasts D.
    ThreadSleep,
    /// `tokio::time::sleep(D).await`: the task yields, the timer wakes it.
    TokioSleep,
    /// `spawn_blocking(move || std::thread::sleep(D)).await`: the work runs on the
    /// blocking pool, the task awaits its handle.
    SpawnBlocking,
}

impl BlockingWay {
    /// How the page and the notices name the way.
    pub fn label(self) -> &'static str {
        match self {
            Self::ThreadSleep => "std::thread::sleep",
            Self::TokioSleep => "tokio::time::sleep",
            Self::SpawnBlocking => "spawn_blocking",
        }
    }
}

/// One way's measurements. Times are whole microseconds; `*_at_us` are on the part's
/// recording clock (the same clock the clients stamped their round trips with).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WayRun {
    pub way: BlockingWay,
    /// Round trips of the other clients (every client but client 0).
    pub others_round_trips: u32,
    pub others_p50_us: u64,
    pub others_p99_us: u64,
    pub others_max_us: u64,
    /// The other clients' round trips, bucketed: the samples the percentiles come from.
    #[serde(default)]
    pub others_histogram: Histogram,
    /// The slow request's own round trip, as client 0 timed it.
    pub slow_request_us: u64,
    /// The longest poll on a worker lane in the part's recording.
    pub longest_poll: LongPoll,
    /// The blocking-pool closure, for the way that used one.
    pub blocking_work: Option<BlockingWork>,
    /// Round trips of the other clients that were in flight for at least half of the
    /// longest poll and ended only after it: one per client (its longest such one).
    pub held_up: Vec<HeldUp>,
    /// Events the part recorded, and how many of them the search for the longest poll
    /// read (the backend keeps a bounded number).
    pub events_recorded: u64,
    pub events_searched: u64,
    pub events_dropped: u64,
}

/// A poll: which task, on which lane, when and for how long.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LongPoll {
    /// The task's id in the recording (the timeline's `#id`).
    pub task: u32,
    pub task_name: String,
    /// Which client's connection the task served, if it was a connection's task.
    pub client: Option<u32>,
    /// The lane's id and thread name, as the timeline labels it (`name #id`).
    pub lane: u32,
    pub lane_name: String,
    pub started_at_us: u64,
    pub busy_us: u64,
}

/// The `spawn_blocking` closure's run on its blocking-pool thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockingWork {
    pub lane: u32,
    pub lane_name: String,
    pub busy_us: u64,
}

/// Another client's round trip that waited through the longest poll.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldUp {
    pub client: u32,
    pub round_trip_us: u64,
    /// How long of the longest poll it was in flight for.
    pub during_us: u64,
}

impl LongPoll {
    /// The lane as the timeline labels it: `scenario-runtime #1`.
    pub fn lane_label(&self) -> String {
        format!("{} #{}", self.lane_name, self.lane)
    }

    /// The task as the timeline labels it: `#5 conn 127.0.0.1:40312`.
    pub fn task_label(&self) -> String {
        format!("#{} {}", self.task, self.task_name)
    }
}

impl BlockingWork {
    pub fn lane_label(&self) -> String {
        format!("{} #{}", self.lane_name, self.lane)
    }
}
