//! What a diagnostic says: the finding's measured numbers, and the sentence the page shows.
//!
//! Every sentence is built only from the finding's own fields, so a page that shows the
//! sentence and the numbers cannot disagree with itself.

use crate::instrument::event::{LaneId, LaneKind, Name, TaskId};

/// A task, as the recording named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskRef {
    pub id: TaskId,
    pub name: Name,
}

impl TaskRef {
    /// With the timeline's label of the task's row: `task #7 conn 127.0.0.1:40312`.
    fn label(&self) -> String {
        format!("task #{} {}", self.id.0, self.name)
    }
}

/// A lane (thread), as the recording named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaneRef {
    pub id: LaneId,
    pub name: Name,
    pub kind: LaneKind,
}

impl LaneRef {
    /// As the timeline labels the lane: `scenario-host #0`, `tokio-rt #3 (blocking)`.
    fn label(&self) -> String {
        match self.kind {
            LaneKind::Blocking => format!("{} #{} (blocking)", self.name, self.id.0),
            LaneKind::Worker | LaneKind::Main => format!("{} #{}", self.name, self.id.0),
        }
    }
}

/// A poll that kept a thread busy while another task waited for one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub task: TaskRef,
    pub lane: Option<LaneRef>,
    /// How much of the wait this poll overlapped.
    pub overlap_ns: u64,
}

/// The kinds of diagnostic, in the order the page lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FindingKind {
    LongPoll,
    SchedulingDelay,
    SlowFirstPoll,
    SelfWakes,
    LostWake,
    BlockingQueued,
}

impl FindingKind {
    pub const ALL: [FindingKind; 6] = [
        Self::LongPoll,
        Self::SchedulingDelay,
        Self::SlowFirstPoll,
        Self::SelfWakes,
        Self::LostWake,
        Self::BlockingQueued,
    ];

    /// A kebab-case name (the page's `data-kind`).
    pub fn label(self) -> &'static str {
        match self {
            Self::LongPoll => "long-poll",
            Self::SchedulingDelay => "scheduling-delay",
            Self::SlowFirstPoll => "slow-first-poll",
            Self::SelfWakes => "self-wakes",
            Self::LostWake => "lost-wake",
            Self::BlockingQueued => "blocking-queued",
        }
    }

    /// A short heading for a list of them.
    pub fn title(self) -> &'static str {
        match self {
            Self::LongPoll => "Long poll",
            Self::SchedulingDelay => "Scheduling delay",
            Self::SlowFirstPoll => "Slow first poll",
            Self::SelfWakes => "Wakes itself",
            Self::LostWake => "Lost wake",
            Self::BlockingQueued => "Blocking pool full",
        }
    }
}

/// What was found, with the numbers it was found from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// One poll of an async task held its thread for `busy_ns`.
    LongPoll {
        task: TaskRef,
        lane: Option<LaneRef>,
        busy_ns: u64,
    },
    /// A woken task waited `waited_ns` for its next poll; `held_by` are the polls that
    /// held workers meanwhile, longest overlap first (at most a few).
    SchedulingDelay {
        task: TaskRef,
        waited_ns: u64,
        held_by: Vec<Holder>,
    },
    /// A spawned task waited `waited_ns` for its first poll.
    SlowFirstPoll {
        task: TaskRef,
        waited_ns: u64,
        held_by: Vec<Holder>,
    },
    /// `self_wakes` of the task's `wakes` came from its own polls.
    SelfWakes {
        task: TaskRef,
        self_wakes: u32,
        wakes: u32,
    },
    /// The task waited `waited_ns` with no waker of it left (`await_point`: what it
    /// was waiting on), until it ended (`ended`) or the recording did.
    LostWake {
        task: TaskRef,
        await_point: Option<Name>,
        waited_ns: u64,
        ended: bool,
    },
    /// Blocking work waited `waited_ns` for a pool thread while `busy_threads` blocking
    /// threads ran other work.
    BlockingQueued {
        task: TaskRef,
        waited_ns: u64,
        busy_threads: u32,
    },
}

/// One finding, and the event it points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub finding: Finding,
    /// Index of the event in the part's events (the playhead goes there).
    pub event_index: usize,
    pub t_ns: u64,
}

/// Milliseconds with one decimal, as the pages show durations; microseconds below 1 ms.
pub fn format_ns(ns: u64) -> String {
    if ns >= 1_000_000 {
        format!("{:.1} ms", ns as f64 / 1e6)
    } else {
        format!("{} µs", ns / 1_000)
    }
}

impl Finding {
    pub fn kind(&self) -> FindingKind {
        match self {
            Self::LongPoll { .. } => FindingKind::LongPoll,
            Self::SchedulingDelay { .. } => FindingKind::SchedulingDelay,
            Self::SlowFirstPoll { .. } => FindingKind::SlowFirstPoll,
            Self::SelfWakes { .. } => FindingKind::SelfWakes,
            Self::LostWake { .. } => FindingKind::LostWake,
            Self::BlockingQueued { .. } => FindingKind::BlockingQueued,
        }
    }

    /// The task the finding is about.
    pub fn task(&self) -> &TaskRef {
        match self {
            Self::LongPoll { task, .. }
            | Self::SchedulingDelay { task, .. }
            | Self::SlowFirstPoll { task, .. }
            | Self::SelfWakes { task, .. }
            | Self::LostWake { task, .. }
            | Self::BlockingQueued { task, .. } => task,
        }
    }

    /// How bad it is, to keep the worst few of a kind: a duration, or a wake count.
    pub fn severity(&self) -> u64 {
        match self {
            Self::LongPoll { busy_ns, .. } => *busy_ns,
            Self::SchedulingDelay { waited_ns, .. }
            | Self::SlowFirstPoll { waited_ns, .. }
            | Self::LostWake { waited_ns, .. }
            | Self::BlockingQueued { waited_ns, .. } => *waited_ns,
            Self::SelfWakes { self_wakes, .. } => u64::from(*self_wakes),
        }
    }

    /// The sentence the page shows.
    pub fn sentence(&self) -> String {
        match self {
            Self::LongPoll {
                task,
                lane,
                busy_ns,
            } => format!(
                "One poll of {} held {} for {}: nothing else ran on that thread meanwhile.",
                task.label(),
                lane.as_ref()
                    .map_or_else(|| "its thread".to_owned(), LaneRef::label),
                format_ns(*busy_ns)
            ),
            Self::SchedulingDelay {
                task,
                waited_ns,
                held_by,
            } => format!(
                "{} was woken and waited {} to be polled{}",
                capitalised(&task.label()),
                format_ns(*waited_ns),
                blame(held_by)
            ),
            Self::SlowFirstPoll {
                task,
                waited_ns,
                held_by,
            } => format!(
                "{} waited {} from its spawn to its first poll{}",
                capitalised(&task.label()),
                format_ns(*waited_ns),
                blame(held_by)
            ),
            Self::SelfWakes {
                task,
                self_wakes,
                wakes,
            } => format!(
                "{} woke itself for {self_wakes} of its {wakes} wakes: each of those polls \
                 asked to be polled again at once, so it keeps a worker busy even when it \
                 has nothing to do (a loop around yield_now, or a future that wakes itself \
                 instead of registering its waker).",
                capitalised(&task.label())
            ),
            Self::LostWake {
                task,
                await_point,
                waited_ns,
                ended,
            } => format!(
                "{} waited{} with no waker of it left anywhere, so nothing could wake it: \
                 {} until {}.",
                capitalised(&task.label()),
                await_point
                    .as_ref()
                    .map_or_else(String::new, |name| format!(" at \"{name}\"")),
                format_ns(*waited_ns),
                if *ended {
                    "it was dropped"
                } else {
                    "the recording ended"
                }
            ),
            Self::BlockingQueued {
                task,
                waited_ns,
                busy_threads,
            } => format!(
                "Blocking work {} waited {} for a thread of the blocking pool, while {} \
                 blocking thread{} ran other work: the pool was at its limit.",
                task.label(),
                format_ns(*waited_ns),
                busy_threads,
                if *busy_threads == 1 { "" } else { "s" }
            ),
        }
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// ": a poll of task 3 "job" held worker 0 for 9.8 ms of that wait." and so on.
fn blame(held_by: &[Holder]) -> String {
    let holder = |h: &Holder| {
        format!(
            "a poll of {} held {} for {}",
            h.task.label(),
            h.lane
                .as_ref()
                .map_or_else(|| "a thread".to_owned(), LaneRef::label),
            format_ns(h.overlap_ns)
        )
    };
    match held_by {
        [] => ". No recorded poll held a worker meanwhile: the runtime was busy outside \
               polls, or its thread was not running (the machine was shared)."
            .to_owned(),
        [one] => format!(": {} of that wait.", holder(one)),
        many => {
            let named: Vec<String> = many.iter().map(holder).collect();
            format!(": meanwhile {}.", named.join("; "))
        }
    }
}
