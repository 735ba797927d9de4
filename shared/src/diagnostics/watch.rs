//! [`Watch`]: the fold that finds diagnostics, one event at a time.
//!
//! The browser feeds it each part's events as they arrive and asks for a [`Report`]
//! whenever it repaints the list; a test feeds it a whole recording. It keeps per task a
//! few numbers and per lane the last polls (to name who held a worker while a task
//! waited), so its memory is bounded by the number of tasks and lanes, not of events.

use std::collections::{BTreeMap, VecDeque};

use super::Thresholds;
use super::findings::{Diagnostic, Finding, FindingKind, Holder, LaneRef, TaskRef};
use super::top::Top;
use crate::instrument::event::{
    Event, EventKind, LaneId, LaneKind, Name, PollEvent, PollOutcome, SpawnEvent, TaskId, TaskKind,
    WakeSource,
};

/// Polls remembered per lane to blame a wait on: the wait of a woken task rarely spans
/// more than a handful, and the longest are what the sentence names.
const RECENT_POLLS: usize = 64;

/// Holders named per delay.
const HOLDERS_NAMED: usize = 3;

#[derive(Debug, Clone, PartialEq, Eq)]
struct TaskWatch {
    name: Name,
    kind: TaskKind,
    /// Waiting for a poll since then (spawned, or woken).
    ready_since: Option<u64>,
    polled: bool,
    done: bool,
    last_wake_ns: Option<u64>,
    wakes: u32,
    self_wakes: u32,
    /// The first self-wake's event index and time.
    first_self_wake: Option<(usize, u64)>,
    /// Wakers of this task that exist: clones made, minus those dropped or consumed by
    /// `wake`.
    live_wakers: i64,
    /// Returned Pending and not woken yet.
    idle: bool,
    waiting_on: Option<Name>,
    /// Idle with no waker left since then (event index, time).
    lost_since: Option<(usize, u64)>,
    /// An await point of the idle task ended outside a poll: its future is being dropped
    /// (aborted, or its runtime shut down), so the wakers it drops now are not lost ones.
    dropping: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RecentPoll {
    task: TaskId,
    start_ns: u64,
    end_ns: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct LaneWatch {
    name: Name,
    kind: LaneKind,
    recent: VecDeque<RecentPoll>,
}

/// The diagnostics of a recording so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// The kept diagnostics (the most severe few of each kind), in event order.
    pub diagnostics: Vec<Diagnostic>,
    /// How many of each kind were found, kept or not.
    pub found: BTreeMap<FindingKind, u64>,
    /// Lost wakes are not looked for: events are missing, so waker counts are unknown.
    pub lost_wakes_unchecked: bool,
}

impl Report {
    pub fn count(&self, kind: FindingKind) -> u64 {
        self.found.get(&kind).copied().unwrap_or(0)
    }
}

/// The fold (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watch {
    thresholds: Thresholds,
    tasks: BTreeMap<TaskId, TaskWatch>,
    lanes: BTreeMap<LaneId, LaneWatch>,
    found: BTreeMap<FindingKind, Top>,
    last_t_ns: u64,
    incomplete: bool,
}

impl Watch {
    pub fn new(thresholds: Thresholds) -> Self {
        Self {
            thresholds,
            tasks: BTreeMap::new(),
            lanes: BTreeMap::new(),
            found: BTreeMap::new(),
            last_t_ns: 0,
            incomplete: false,
        }
    }

    pub fn thresholds(&self) -> Thresholds {
        self.thresholds
    }

    /// Events were lost (a gap in the batches, or the recorder dropped some): waker
    /// counts can no longer be trusted, so lost wakes are not reported from here on.
    pub fn events_missing(&mut self) {
        self.incomplete = true;
    }

    /// Fold in the event at `index` of the part's events.
    pub fn apply(&mut self, index: usize, event: &Event) {
        let t = event.t_ns;
        self.last_t_ns = self.last_t_ns.max(t);
        match &event.kind {
            EventKind::Lane {
                lane,
                name,
                lane_kind,
            } => {
                self.lanes.insert(
                    *lane,
                    LaneWatch {
                        name: name.clone(),
                        kind: *lane_kind,
                        recent: VecDeque::new(),
                    },
                );
            }
            EventKind::Spawn(SpawnEvent {
                task,
                name,
                task_kind,
                ..
            }) => {
                self.tasks.insert(
                    *task,
                    TaskWatch {
                        name: name.clone(),
                        kind: *task_kind,
                        ready_since: Some(t),
                        polled: false,
                        done: false,
                        last_wake_ns: None,
                        wakes: 0,
                        self_wakes: 0,
                        first_self_wake: None,
                        live_wakers: 0,
                        idle: false,
                        waiting_on: None,
                        lost_since: None,
                        dropping: false,
                    },
                );
            }
            EventKind::Poll(poll) => self.poll(index, t, poll),
            EventKind::Wake { task, by, by_ref } => {
                let Some(watch) = self.tasks.get_mut(task) else {
                    return;
                };
                watch.wakes += 1;
                if *by == WakeSource::Task(*task) {
                    watch.self_wakes += 1;
                    watch.first_self_wake.get_or_insert((index, t));
                }
                watch.last_wake_ns = Some(t);
                if !by_ref {
                    watch.live_wakers -= 1;
                }
                // Woken after all: whatever the counts said, it was not lost.
                watch.lost_since = None;
                if watch.idle {
                    watch.idle = false;
                    watch.ready_since = Some(t);
                }
            }
            EventKind::WakerClone { task } => {
                if let Some(watch) = self.tasks.get_mut(task) {
                    watch.live_wakers += 1;
                    watch.lost_since = None;
                }
            }
            EventKind::WakerDrop { task } => {
                if let Some(watch) = self.tasks.get_mut(task) {
                    watch.live_wakers -= 1;
                    if watch.idle && !watch.dropping && watch.live_wakers <= 0 {
                        watch.lost_since.get_or_insert((index, t));
                    }
                }
            }
            EventKind::Complete { task, .. } => {
                let Some(watch) = self.tasks.get_mut(task) else {
                    return;
                };
                watch.done = true;
                if let Some((at, since)) = watch.lost_since.take() {
                    let finding = lost_wake(task, watch, t - since.min(t), true);
                    self.offer_lost(finding, at, since);
                }
            }
            // Inside a poll, span exits come before the poll's own event (it is sent at
            // the poll's end), which clears this again.
            EventKind::SpanExit { task, .. } => {
                if let Some(watch) = self.tasks.get_mut(task)
                    && watch.idle
                {
                    watch.dropping = true;
                }
            }
            EventKind::Park { .. } | EventKind::Unpark { .. } | EventKind::SpanEnter { .. } => {}
        }
    }

    fn poll(&mut self, index: usize, t: u64, poll: &PollEvent) {
        let started = t.saturating_sub(poll.busy_ns);
        let Some(watch) = self.tasks.get_mut(&poll.task) else {
            return;
        };
        let first = !watch.polled;
        watch.polled = true;
        watch.live_wakers += i64::from(poll.waker_clones);
        let waited = watch.ready_since.map(|since| started.saturating_sub(since));
        let kind = watch.kind;
        let task = TaskRef {
            id: poll.task,
            name: watch.name.clone(),
        };
        let woken_meanwhile = watch.last_wake_ns.is_some_and(|w| w >= started);
        watch.waiting_on = poll.waiting_on.as_ref().map(|w| w.name.clone());
        watch.lost_since = None;
        watch.dropping = false;
        match poll.outcome {
            PollOutcome::Pending if woken_meanwhile => {
                watch.idle = false;
                watch.ready_since = Some(t);
            }
            PollOutcome::Pending => {
                watch.idle = true;
                watch.ready_since = None;
                if watch.live_wakers <= 0 {
                    watch.lost_since = Some((index, t));
                }
            }
            PollOutcome::Ready | PollOutcome::Panicked => {
                watch.idle = false;
                watch.ready_since = None;
            }
        }

        let thresholds = self.thresholds;
        if let Some(waited) = waited {
            let finding = match (kind, first) {
                (TaskKind::Blocking, _) if waited >= thresholds.blocking_queue_ns => {
                    Some(Finding::BlockingQueued {
                        task: task.clone(),
                        waited_ns: waited,
                        busy_threads: self.busy_lanes(
                            LaneKind::Blocking,
                            started - waited,
                            started,
                        ),
                    })
                }
                (TaskKind::Async, true) if waited >= thresholds.first_poll_ns => {
                    Some(Finding::SlowFirstPoll {
                        task: task.clone(),
                        waited_ns: waited,
                        held_by: self.holders(poll.task, started - waited, started),
                    })
                }
                (TaskKind::Async, false) if waited >= thresholds.scheduling_delay_ns => {
                    Some(Finding::SchedulingDelay {
                        task: task.clone(),
                        waited_ns: waited,
                        held_by: self.holders(poll.task, started - waited, started),
                    })
                }
                _ => None,
            };
            if let Some(finding) = finding {
                self.offer(finding, index, started);
            }
        }
        let lane = poll.lane.and_then(|id| self.lane_ref(id));
        if kind == TaskKind::Async && poll.busy_ns >= thresholds.long_poll_ns {
            self.offer(
                Finding::LongPoll {
                    task,
                    lane,
                    busy_ns: poll.busy_ns,
                },
                index,
                t,
            );
        }
        if let Some(lane) = poll.lane.and_then(|id| self.lanes.get_mut(&id)) {
            if lane.recent.len() == RECENT_POLLS {
                lane.recent.pop_front();
            }
            lane.recent.push_back(RecentPoll {
                task: poll.task,
                start_ns: started,
                end_ns: t,
            });
        }
    }

    fn lane_ref(&self, id: LaneId) -> Option<LaneRef> {
        self.lanes.get(&id).map(|lane| LaneRef {
            id,
            name: lane.name.clone(),
            kind: lane.kind,
        })
    }

    /// The polls on worker lanes that overlapped `[from, to]`, other than `waiting`'s,
    /// longest overlap first.
    fn holders(&self, waiting: TaskId, from: u64, to: u64) -> Vec<Holder> {
        let mut holders: Vec<Holder> = self
            .lanes
            .iter()
            .filter(|(_, lane)| lane.kind != LaneKind::Blocking)
            .flat_map(|(id, lane)| {
                lane.recent
                    .iter()
                    .filter(move |poll| poll.task != waiting)
                    .filter_map(move |poll| {
                        let overlap = poll.end_ns.min(to).saturating_sub(poll.start_ns.max(from));
                        (overlap > 0).then_some((*id, *poll, overlap))
                    })
            })
            .map(|(lane, poll, overlap_ns)| Holder {
                task: TaskRef {
                    id: poll.task,
                    name: self
                        .tasks
                        .get(&poll.task)
                        .map_or(Name::Borrowed("?"), |t| t.name.clone()),
                },
                lane: self.lane_ref(lane),
                overlap_ns,
            })
            .collect();
        holders.sort_by_key(|h| std::cmp::Reverse(h.overlap_ns));
        holders.truncate(HOLDERS_NAMED);
        holders
    }

    /// How many lanes of `kind` ran a poll during `[from, to]`.
    fn busy_lanes(&self, kind: LaneKind, from: u64, to: u64) -> u32 {
        self.lanes
            .values()
            .filter(|lane| lane.kind == kind)
            .filter(|lane| {
                lane.recent
                    .iter()
                    .any(|poll| poll.start_ns < to && poll.end_ns > from)
            })
            .count() as u32
    }

    fn offer(&mut self, finding: Finding, event_index: usize, t_ns: u64) {
        self.found
            .entry(finding.kind())
            .or_default()
            .offer(Diagnostic {
                finding,
                event_index,
                t_ns,
            });
    }

    fn offer_lost(&mut self, finding: Finding, at: usize, since: u64) {
        if self.incomplete {
            return;
        }
        if finding.severity() >= self.thresholds.lost_wake_ns {
            self.offer(finding, at, since);
        }
    }

    /// What was found so far. Self-wakes and waits still open at the last event are
    /// judged here, from the counts so far.
    pub fn report(&self) -> Report {
        let mut found = self.found.clone();
        let mut extra = |finding: Finding, event_index: usize, t_ns: u64| {
            found.entry(finding.kind()).or_default().offer(Diagnostic {
                finding,
                event_index,
                t_ns,
            });
        };
        for (id, task) in &self.tasks {
            if task.wakes >= self.thresholds.self_wake_min_wakes
                && u64::from(task.self_wakes) * 2 > u64::from(task.wakes)
                && let Some((index, t)) = task.first_self_wake
            {
                extra(
                    Finding::SelfWakes {
                        task: TaskRef {
                            id: *id,
                            name: task.name.clone(),
                        },
                        self_wakes: task.self_wakes,
                        wakes: task.wakes,
                    },
                    index,
                    t,
                );
            }
            if let Some((index, since)) = task.lost_since
                && !task.done
                && !self.incomplete
            {
                let waited = self.last_t_ns.saturating_sub(since);
                if waited >= self.thresholds.lost_wake_ns {
                    extra(lost_wake(id, task, waited, false), index, since);
                }
            }
        }
        let mut diagnostics: Vec<Diagnostic> = found
            .values()
            .flat_map(|top| top.kept().iter().cloned())
            .collect();
        diagnostics.sort_by_key(|d| (d.event_index, d.finding.kind()));
        Report {
            diagnostics,
            found: found.iter().map(|(kind, top)| (*kind, top.seen)).collect(),
            lost_wakes_unchecked: self.incomplete,
        }
    }
}

fn lost_wake(id: &TaskId, task: &TaskWatch, waited_ns: u64, ended: bool) -> Finding {
    Finding::LostWake {
        task: TaskRef {
            id: *id,
            name: task.name.clone(),
        },
        await_point: task.waiting_on.clone(),
        waited_ns,
        ended,
    }
}
