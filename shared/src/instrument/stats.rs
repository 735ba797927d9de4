//! Per-task numbers computed from events, like tokio-console's task list.
//!
//! A task's time splits three ways:
//! - **busy**: inside a poll;
//! - **scheduled**: woken (or just spawned) and waiting for a worker to poll it;
//! - **idle**: returned Pending and not woken yet.
//!
//! A poll arrives as one event when it ends, so between events a task is scheduled or idle;
//! its busy time grows a poll at a time.
//!
//! [`RunStats::apply`] folds events in one at a time, so the browser can keep a live table
//! while batches arrive, and the server computes the same numbers for its results.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::record::Packed;

use super::event::{
    Event, EventKind, LaneId, LaneKind, Name, PollEvent, PollOutcome, SpanId, SpawnEvent, TaskId,
    TaskKind, TaskOutcome, WakeSource,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    Scheduled,
    Idle,
    Done(TaskOutcome),
}

impl TaskState {
    /// A short readable name: "scheduled", "idle", "done", "done: Err",
    /// "panicked", "cancelled".
    pub fn label(self) -> &'static str {
        match self {
            Self::Scheduled => "scheduled",
            Self::Idle => "idle",
            Self::Done(TaskOutcome::Ok) => "done",
            Self::Done(TaskOutcome::Error) => "done: Err",
            Self::Done(TaskOutcome::Panicked) => "panicked",
            Self::Done(TaskOutcome::Cancelled) => "cancelled",
        }
    }
}

/// Wakes of one task, by who woke it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WakeCounts {
    /// Woken by itself, from inside its own poll (e.g. `yield_now`).
    pub self_wakes: u32,
    /// Woken by another task.
    pub by_task: u32,
    pub by_reactor: u32,
    pub by_timer: u32,
    /// By the runtime's driver for an undeclared resource.
    pub by_driver: u32,
    pub by_thread: u32,
}

impl WakeCounts {
    pub fn total(&self) -> u32 {
        self.self_wakes
            + self.by_task
            + self.by_reactor
            + self.by_timer
            + self.by_driver
            + self.by_thread
    }

    fn count(&mut self, woken: TaskId, by: WakeSource) {
        match by {
            WakeSource::Task(waker) if waker == woken => self.self_wakes += 1,
            WakeSource::Task(_) => self.by_task += 1,
            WakeSource::Reactor => self.by_reactor += 1,
            WakeSource::Timer => self.by_timer += 1,
            WakeSource::Driver => self.by_driver += 1,
            WakeSource::Thread => self.by_thread += 1,
        }
    }

    pub fn add(&mut self, other: &WakeCounts) {
        self.self_wakes += other.self_wakes;
        self.by_task += other.by_task;
        self.by_reactor += other.by_reactor;
        self.by_timer += other.by_timer;
        self.by_driver += other.by_driver;
        self.by_thread += other.by_thread;
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskStats {
    pub id: TaskId,
    pub name: Name,
    pub parent: Option<TaskId>,
    pub kind: TaskKind,
    pub state: TaskState,
    /// When the current state began.
    pub since_ns: u64,
    pub spawned_ns: u64,
    pub polls: u32,
    pub busy_ns: u64,
    pub scheduled_ns: u64,
    pub idle_ns: u64,
    pub wakes: WakeCounts,
    pub waker_clones: u32,
    pub waker_drops: u32,
    pub last_lane: Option<LaneId>,
    /// Polls that ran on another lane than the task's previous poll: the task moved
    /// between workers (stolen, or woken onto another worker).
    pub migrations: u32,
    /// When the first poll started: minus `spawned_ns`, how long the new task waited.
    pub first_poll_ns: Option<u64>,
    /// The time of the last wake: one during a poll (it arrives before the poll's event)
    /// schedules the task again right after that poll.
    last_wake_ns: Option<u64>,
    /// The await point the task is waiting on (set by a Pending poll).
    pub waiting_on: Option<SpanId>,
}

impl TaskStats {
    /// Busy / scheduled / idle time including the current, still open, state up to `now_ns`.
    pub fn times_at(&self, now_ns: u64) -> (u64, u64, u64) {
        let open = now_ns.saturating_sub(self.since_ns);
        match self.state {
            TaskState::Scheduled => (self.busy_ns, self.scheduled_ns + open, self.idle_ns),
            TaskState::Idle => (self.busy_ns, self.scheduled_ns, self.idle_ns + open),
            TaskState::Done(_) => (self.busy_ns, self.scheduled_ns, self.idle_ns),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LaneInfo {
    pub id: LaneId,
    pub name: Name,
    pub kind: LaneKind,
    pub parked: bool,
    pub parks: u32,
    /// Polls that ran on this lane, and the time they took.
    pub polls: u64,
    pub busy_ns: u64,
}

/// Run-wide counts, cheap enough to keep on the server for every event.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunTotals {
    pub events: u64,
    pub tasks: u32,
    pub polls: u64,
    pub wakes: WakeCounts,
}

impl RunTotals {
    pub fn apply_all<'a>(&mut self, events: impl IntoIterator<Item = &'a Event>) {
        for event in events {
            self.apply(event);
        }
    }

    /// [`apply`](Self::apply) for a record straight from a recorder's buffer.
    #[inline]
    pub(crate) fn apply_packed(&mut self, kind: Packed) {
        self.events += 1;
        match kind {
            Packed::Spawn { .. } => self.tasks += 1,
            Packed::Poll { .. } => self.polls += 1,
            Packed::Wake { task, by, .. } => self.wakes.count(TaskId(task), by),
            _ => {}
        }
    }

    #[inline]
    pub fn apply(&mut self, event: &Event) {
        self.events += 1;
        match &event.kind {
            EventKind::Spawn(SpawnEvent { .. }) => self.tasks += 1,
            EventKind::Poll(PollEvent { .. }) => self.polls += 1,
            EventKind::Wake { task, by, .. } => self.wakes.count(*task, *by),
            _ => {}
        }
    }
}

/// Everything known about a run so far, folded from its events.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunStats {
    pub tasks: BTreeMap<TaskId, TaskStats>,
    pub lanes: BTreeMap<LaneId, LaneInfo>,
    /// Names of the await points still open, by span id (closed ones are forgotten, so a
    /// long run does not grow this without bound).
    pub spans: BTreeMap<SpanId, Name>,
    pub events: u64,
    pub last_t_ns: u64,
    pub polls: u64,
    pub wakes: WakeCounts,
    /// Polls on another lane than the task's previous poll, over all tasks.
    pub migrations: u64,
    /// Events that broke the rules (e.g. a poll end without a start): should stay 0.
    pub anomalies: u64,
}

impl RunStats {
    pub fn apply_all<'a>(&mut self, events: impl IntoIterator<Item = &'a Event>) {
        for event in events {
            self.apply(event);
        }
    }

    pub fn apply(&mut self, event: &Event) {
        let t = event.t_ns;
        self.events += 1;
        self.last_t_ns = self.last_t_ns.max(t);
        match &event.kind {
            EventKind::Lane {
                lane,
                name,
                lane_kind,
            } => {
                self.lanes.insert(
                    *lane,
                    LaneInfo {
                        id: *lane,
                        name: name.clone(),
                        kind: *lane_kind,
                        parked: false,
                        parks: 0,
                        polls: 0,
                        busy_ns: 0,
                    },
                );
            }
            EventKind::Park { lane } => {
                if let Some(info) = self.lanes.get_mut(lane) {
                    info.parked = true;
                    info.parks += 1;
                }
            }
            EventKind::Unpark { lane } => {
                if let Some(info) = self.lanes.get_mut(lane) {
                    info.parked = false;
                }
            }
            EventKind::Spawn(SpawnEvent {
                task,
                name,
                parent,
                task_kind,
            }) => {
                self.tasks.insert(
                    *task,
                    TaskStats {
                        id: *task,
                        name: name.clone(),
                        parent: *parent,
                        kind: *task_kind,
                        state: TaskState::Scheduled,
                        since_ns: t,
                        spawned_ns: t,
                        polls: 0,
                        busy_ns: 0,
                        scheduled_ns: 0,
                        idle_ns: 0,
                        wakes: WakeCounts::default(),
                        waker_clones: 0,
                        waker_drops: 0,
                        last_lane: None,
                        migrations: 0,
                        first_poll_ns: None,
                        last_wake_ns: None,
                        waiting_on: None,
                    },
                );
            }
            EventKind::Poll(PollEvent {
                task,
                lane,
                busy_ns,
                outcome,
                resumed,
                waiting_on,
                waker_clones,
            }) => {
                let Some(s) = self.tasks.get_mut(task) else {
                    return self.anomalies += 1;
                };
                let started = t.saturating_sub(*busy_ns);
                let waited = started.saturating_sub(s.since_ns);
                match s.state {
                    TaskState::Scheduled => s.scheduled_ns += waited,
                    TaskState::Idle => s.idle_ns += waited,
                    TaskState::Done(_) => return self.anomalies += 1,
                }
                s.busy_ns += busy_ns;
                if let Some(info) = lane.and_then(|l| self.lanes.get_mut(&l)) {
                    info.polls += 1;
                    info.busy_ns += busy_ns;
                }
                if s.last_lane.is_some() && *lane != s.last_lane {
                    s.migrations += 1;
                    self.migrations += 1;
                }
                s.first_poll_ns.get_or_insert(started);
                s.last_lane = *lane;
                s.polls += 1;
                self.polls += 1;
                s.since_ns = t;
                s.waker_clones += waker_clones;
                s.waiting_on = waiting_on.as_ref().map(|w| w.span);
                if let Some(span) = resumed {
                    self.spans.remove(span);
                }
                if let Some(wait) = waiting_on {
                    self.spans.insert(wait.span, wait.name.clone());
                }
                let woken_meanwhile = s.last_wake_ns.is_some_and(|w| w >= started);
                s.state = match outcome {
                    PollOutcome::Pending if woken_meanwhile => TaskState::Scheduled,
                    PollOutcome::Pending => TaskState::Idle,
                    // Completion arrives as its own event right after.
                    PollOutcome::Ready | PollOutcome::Panicked => TaskState::Idle,
                };
            }
            EventKind::Wake { task, by, .. } => {
                let Some(s) = self.tasks.get_mut(task) else {
                    return self.anomalies += 1;
                };
                s.wakes.count(*task, *by);
                self.wakes.count(*task, *by);
                s.last_wake_ns = Some(t);
                match s.state {
                    TaskState::Idle => {
                        s.idle_ns += t.saturating_sub(s.since_ns);
                        s.state = TaskState::Scheduled;
                        s.since_ns = t;
                    }
                    TaskState::Scheduled => {}
                    TaskState::Done(_) => self.anomalies += 1,
                }
            }
            EventKind::WakerClone { task } => {
                if let Some(s) = self.tasks.get_mut(task) {
                    s.waker_clones += 1;
                }
            }
            EventKind::WakerDrop { task } => {
                if let Some(s) = self.tasks.get_mut(task) {
                    s.waker_drops += 1;
                }
            }
            EventKind::SpanEnter { span, name, .. } => {
                self.spans.insert(*span, name.clone());
            }
            EventKind::SpanExit { span, .. } => {
                self.spans.remove(span);
            }
            EventKind::Complete { task, outcome } => {
                let Some(s) = self.tasks.get_mut(task) else {
                    return self.anomalies += 1;
                };
                if matches!(s.state, TaskState::Done(_)) {
                    self.anomalies += 1;
                    return;
                }
                let elapsed = t.saturating_sub(s.since_ns);
                match s.state {
                    // A cancelled task's open wait ends here.
                    TaskState::Scheduled => s.scheduled_ns += elapsed,
                    TaskState::Idle => s.idle_ns += elapsed,
                    TaskState::Done(_) => {}
                }
                s.state = TaskState::Done(*outcome);
                s.since_ns = t;
            }
        }
    }

    /// Tasks that have not completed.
    pub fn live_tasks(&self) -> usize {
        self.tasks
            .values()
            .filter(|t| !matches!(t.state, TaskState::Done(_)))
            .count()
    }
}
