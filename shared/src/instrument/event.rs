//! The events the recorder produces. They are also the wire format of event batches, so
//! their serde shape is part of the protocol (see `docs/protocol.md`).

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

/// A task of one run. Ids start at 1 and are never reused within a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TaskId(pub u32);

/// A lane: one OS thread that runs a runtime's work (a worker, the thread of a
/// `current_thread` runtime, or a blocking-pool thread).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LaneId(pub u32);

/// One instance of a named await point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SpanId(pub u32);

/// What a static or runtime-built name is stored as: static names cost no allocation.
pub type Name = Cow<'static, str>;

/// One thing that happened, `t_ns` nanoseconds after the run's clock anchor.
///
/// Every type here is plain (externally tagged enums, no optional-field skipping), so
/// the same types encode as compact postcard and as readable JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub t_ns: u64,
    pub kind: EventKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LaneKind {
    /// A runtime worker (or the thread driving a `current_thread` runtime).
    Worker,
    /// A thread of the blocking pool, running `spawn_blocking` work.
    Blocking,
    /// The browser's main thread (wasm).
    Main,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    Async,
    Blocking,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PollOutcome {
    Pending,
    Ready,
    /// The poll panicked; the panic continues to the runtime.
    Panicked,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskOutcome {
    Ok,
    /// Finished with an `Err` value.
    Error,
    Panicked,
    /// Dropped before it finished (aborted, or its runtime shut down).
    Cancelled,
}

/// Who called `wake`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WakeSource {
    /// Code running inside a task's poll (possibly the woken task itself).
    Task(TaskId),
    /// The runtime's I/O driver: a socket the task waits on became ready.
    Reactor,
    /// The runtime's timer: a deadline the task waits on passed.
    Timer,
    /// The runtime itself, outside any task, for a wait not declared as I/O or timer: its
    /// driver, or its task harness (a `JoinHandle` is woken by the runtime right after the
    /// joined task's last poll returned, so no task is running at that moment).
    Driver,
    /// A thread that is not a lane of the run (e.g. a plain `std::thread`).
    Thread,
}

/// An await point a task waits on: which instance, and its name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wait<N = Name> {
    pub span: SpanId,
    pub name: N,
}

/// A task was spawned: its id, its name, who spawned it, and whether it is async or
/// blocking work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpawnEvent<N = Name> {
    pub task: TaskId,
    pub name: N,
    pub parent: Option<TaskId>,
    pub task_kind: TaskKind,
}

/// One poll of a task, sent when it ends: the event's `t_ns` is its end, and it started
/// `busy_ns` earlier. What the poll caused (wakes, spawns) comes before it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollEvent<N = Name> {
    pub task: TaskId,
    pub lane: Option<LaneId>,
    pub busy_ns: u64,
    pub outcome: PollOutcome,
    /// The await point the task waited on before this poll and found done in it: its
    /// wait ended when the poll started.
    pub resumed: Option<SpanId>,
    /// The innermost await point that returned Pending in this poll, if any: the task
    /// waits on it from the poll's end. A span not seen before opens here.
    pub waiting_on: Option<Wait<N>>,
    /// How many times this poll cloned the task's own waker: each time something
    /// kept it to wake the task later (a socket registering interest, a timer). Other
    /// clones are [`EventKind::WakerClone`] events.
    pub waker_clones: u32,
}

/// What happened. Names are `N`: a [`Name`] everywhere but on the binary wire, where a
/// batch spells each name once and refers back to it after (see `batch`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind<N = Name> {
    /// A thread started working for the run's runtime.
    Lane {
        lane: LaneId,
        name: N,
        lane_kind: LaneKind,
    },
    /// The lane ran out of work and went to sleep (its driver may wake tasks meanwhile).
    Park {
        lane: LaneId,
    },
    Unpark {
        lane: LaneId,
    },
    Spawn(SpawnEvent<N>),
    /// One poll of a task, sent when it ends (see [`PollEvent`]).
    Poll(PollEvent<N>),
    Wake {
        task: TaskId,
        by: WakeSource,
        /// `wake_by_ref` (the waker is kept) rather than `wake` (the waker is consumed).
        by_ref: bool,
    },
    WakerClone {
        task: TaskId,
    },
    WakerDrop {
        task: TaskId,
    },
    /// An await point that made its task wait but is not the poll's `waiting_on` (an
    /// outer one around it, another branch of a `select!`): right after the poll, at its
    /// time. Or one that returned Pending outside any poll of the run.
    SpanEnter {
        task: TaskId,
        span: SpanId,
        name: N,
    },
    /// An await point's wait ended (it was ready, or dropped), unless it is the poll's
    /// `resumed`: inside a poll, at the time of the thread's last event in it.
    SpanExit {
        task: TaskId,
        span: SpanId,
    },
    Complete {
        task: TaskId,
        outcome: TaskOutcome,
    },
}

impl<N> EventKind<N> {
    /// The same event with each name replaced by `f`'s (in the order the fields are
    /// encoded), or `f`'s error.
    pub fn try_map_names<M, E>(
        self,
        mut f: impl FnMut(N) -> Result<M, E>,
    ) -> Result<EventKind<M>, E> {
        Ok(match self {
            Self::Lane {
                lane,
                name,
                lane_kind,
            } => EventKind::Lane {
                lane,
                name: f(name)?,
                lane_kind,
            },
            Self::Park { lane } => EventKind::Park { lane },
            Self::Unpark { lane } => EventKind::Unpark { lane },
            Self::Spawn(SpawnEvent {
                task,
                name,
                parent,
                task_kind,
            }) => EventKind::Spawn(SpawnEvent {
                task,
                name: f(name)?,
                parent,
                task_kind,
            }),
            Self::Poll(PollEvent {
                task,
                lane,
                busy_ns,
                outcome,
                resumed,
                waiting_on,
                waker_clones,
            }) => EventKind::Poll(PollEvent {
                task,
                lane,
                busy_ns,
                outcome,
                resumed,
                waiting_on: match waiting_on {
                    Some(Wait { span, name }) => Some(Wait {
                        span,
                        name: f(name)?,
                    }),
                    None => None,
                },
                waker_clones,
            }),
            Self::Wake { task, by, by_ref } => EventKind::Wake { task, by, by_ref },
            Self::WakerClone { task } => EventKind::WakerClone { task },
            Self::WakerDrop { task } => EventKind::WakerDrop { task },
            Self::SpanEnter { task, span, name } => EventKind::SpanEnter {
                task,
                span,
                name: f(name)?,
            },
            Self::SpanExit { task, span } => EventKind::SpanExit { task, span },
            Self::Complete { task, outcome } => EventKind::Complete { task, outcome },
        })
    }
}

impl EventKind {
    /// A short kebab-case name of the kind (the page's `data-kind`, the benchmark's table).
    pub fn label(&self) -> &'static str {
        match self {
            Self::Lane { .. } => "lane",
            Self::Park { .. } => "park",
            Self::Unpark { .. } => "unpark",
            Self::Spawn(SpawnEvent { .. }) => "spawn",
            Self::Poll(PollEvent { .. }) => "poll",
            Self::Wake { .. } => "wake",
            Self::WakerClone { .. } => "waker-clone",
            Self::WakerDrop { .. } => "waker-drop",
            Self::SpanEnter { .. } => "span-enter",
            Self::SpanExit { .. } => "span-exit",
            Self::Complete { .. } => "complete",
        }
    }

    /// The task an event is about, if any.
    pub fn task(&self) -> Option<TaskId> {
        match self {
            Self::Lane { .. } | Self::Park { .. } | Self::Unpark { .. } => None,
            Self::Spawn(SpawnEvent { task, .. })
            | Self::Poll(PollEvent { task, .. })
            | Self::Wake { task, .. }
            | Self::WakerClone { task }
            | Self::WakerDrop { task }
            | Self::SpanEnter { task, .. }
            | Self::SpanExit { task, .. }
            | Self::Complete { task, .. } => Some(*task),
        }
    }
}
