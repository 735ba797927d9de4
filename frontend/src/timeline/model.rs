//! The timeline's model: the recorded events of one part, folded into tracks that can be
//! drawn and searched quickly.
//!
//! [`TimelineModel::ingest`] takes the events in the order they were recorded (the
//! recorder's drains are in time order) and appends to:
//! - one [`Track`] of poll bars per **lane** (a worker or blocking thread), plus one track
//!   of **park** periods per lane;
//! - one [`Track`] of poll bars per **task**, its **await spans** (stacked in slots: spans
//!   that overlap in time go to different slots), and the times it was **woken**;
//! - one track of wake times per **wake source** that is not a task (reactor, timer,
//!   driver, thread), and one time-ordered list of every [`Wake`], for the arrows.
//!
//! A track's items are sorted by start and never overlap, so the ends are sorted too: the
//! visible part of a track is found by binary search (see [`super::buckets`]), and
//! prefix sums ([`Cum`]) give the outcome counts of any run of items in constant time.
//! That is what keeps a frame's cost independent of the number of events.
//!
//! Nothing here is invented: every item comes from the events that opened and closed it (a
//! poll is one event that carries its start), and an item still open (an unfinished wait,
//! a parked worker) ends at "now", the latest event received.

use std::collections::HashMap;

use pollscope_shared::instrument::event::LaneKind;
use pollscope_shared::instrument::{
    Event, EventKind, PollEvent, PollOutcome, SpawnEvent, TaskKind, TaskOutcome,
};
use pollscope_shared::instrument::{LaneId, SpanId, TaskId, WakeSource};

/// The end of an item that has not ended yet.
pub const OPEN: u64 = u64::MAX;

/// Something with a start and an end in run time (nanoseconds).
pub trait Interval {
    fn start(&self) -> u64;
    /// [`OPEN`] while it has not ended.
    fn end(&self) -> u64;
}

/// One interval of a track: what it is is `id` (an index into the model's polls, spans,
/// or nothing for parks and wakes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Item {
    pub start: u64,
    pub end: u64,
    pub id: u32,
}

impl Interval for Item {
    fn start(&self) -> u64 {
        self.start
    }
    fn end(&self) -> u64 {
        self.end
    }
}

/// Counts over a prefix of a track's items: `cum[k]` covers `items[..k]`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cum {
    pub pending: u32,
    pub ready: u32,
    pub panicked: u32,
    /// Time covered by the closed items.
    pub busy_ns: u64,
}

/// Outcome counts of a run of items, from the prefix sums.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RangeCounts {
    pub items: u32,
    pub pending: u32,
    pub ready: u32,
    pub panicked: u32,
    pub busy_ns: u64,
}

/// Sorted, non-overlapping intervals with prefix sums.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Track {
    pub items: Vec<Item>,
    pub cum: Vec<Cum>,
}

impl Default for Track {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            cum: vec![Cum::default()],
        }
    }
}

impl Track {
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Open an item (or add a point, `end == start`). Items must come in start order.
    pub fn push(&mut self, start: u64, end: u64, id: u32) {
        let last = *self.cum.last().expect("cum starts with one entry");
        let mut next = last;
        if end != OPEN {
            next.busy_ns += end - start;
        }
        self.items.push(Item { start, end, id });
        self.cum.push(next);
    }

    /// Close the last item, if it is open; with the outcome of a poll, if it is one.
    pub fn close_last(&mut self, end: u64, outcome: Option<PollOutcome>) -> bool {
        let Some(item) = self.items.last_mut() else {
            return false;
        };
        if item.end != OPEN {
            return false;
        }
        item.end = end.max(item.start);
        let c = self.cum.last_mut().expect("one entry per item");
        c.busy_ns += item.end - item.start;
        match outcome {
            Some(PollOutcome::Pending) => c.pending += 1,
            Some(PollOutcome::Ready) => c.ready += 1,
            Some(PollOutcome::Panicked) => c.panicked += 1,
            None => {}
        }
        true
    }

    /// Whether the last item is still open.
    pub fn is_open(&self) -> bool {
        self.items.last().is_some_and(|i| i.end == OPEN)
    }

    /// Counts of `items[first..end]`.
    pub fn counts(&self, first: usize, end: usize) -> RangeCounts {
        let (a, b) = (self.cum[first], self.cum[end]);
        RangeCounts {
            items: (end - first) as u32,
            pending: b.pending - a.pending,
            ready: b.ready - a.ready,
            panicked: b.panicked - a.panicked,
            busy_ns: b.busy_ns - a.busy_ns,
        }
    }

    /// The item that covers `t` (ends inclusive), if any.
    pub fn at(&self, t: u64) -> Option<usize> {
        let i = self.items.partition_point(|it| it.end < t);
        (i < self.items.len() && self.items[i].start <= t).then_some(i)
    }

    /// The item nearest to `t` within `tolerance` ns, if any.
    pub fn near(&self, t: u64, tolerance: u64) -> Option<usize> {
        if let Some(i) = self.at(t) {
            return Some(i);
        }
        let i = self.items.partition_point(|it| it.end < t);
        let dist = |k: usize| {
            let it = &self.items[k];
            if t < it.start {
                it.start - t
            } else {
                t.saturating_sub(it.end)
            }
        };
        let mut best: Option<(u64, usize)> = None;
        for k in [i.checked_sub(1), Some(i)].into_iter().flatten() {
            if k < self.items.len() {
                let d = dist(k);
                if d <= tolerance && best.is_none_or(|(bd, _)| d < bd) {
                    best = Some((d, k));
                }
            }
        }
        best.map(|(_, k)| k)
    }

    /// Items that started at or before `t`.
    pub fn started_by(&self, t: u64) -> usize {
        self.items.partition_point(|it| it.start <= t)
    }
}

/// One poll of one task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Poll {
    /// Row of the task ([`TimelineModel::tasks`] index).
    pub task: u32,
    /// Row of the lane it ran on, if it ran on one.
    pub lane: Option<u32>,
    /// 1 for the task's first poll.
    pub number: u32,
    pub start: u64,
    pub end: u64,
    pub outcome: PollOutcome,
    /// The await point that could not go on (a name index), for a Pending poll.
    pub waiting_on: Option<u32>,
}

/// One named await point's wait, inside a task's row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub task: u32,
    pub name: u32,
    pub slot: u32,
    pub start: u64,
    pub end: u64,
}

/// Who woke a task, resolved to rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Waker {
    /// The task in this row (possibly the woken task itself).
    Task(u32),
    /// A source that is not a task: one of [`SOURCES`].
    Source(SourceKind),
    /// A task id that was never spawned in this recording.
    Unknown,
}

/// Wake sources that are not tasks, each drawn as a row of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SourceKind {
    Reactor,
    Timer,
    Driver,
    Thread,
}

pub const SOURCES: [SourceKind; 4] = [
    SourceKind::Reactor,
    SourceKind::Timer,
    SourceKind::Driver,
    SourceKind::Thread,
];

impl SourceKind {
    pub fn index(self) -> usize {
        self as usize
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Reactor => "reactor (I/O)",
            Self::Timer => "timer",
            Self::Driver => "driver",
            Self::Thread => "other thread",
        }
    }
}

/// One wake: the arrow from `by` to the task in row `task`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wake {
    pub t: u64,
    pub task: u32,
    pub by: Waker,
}

/// One lane (OS thread) of the runtime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaneTrack {
    pub id: LaneId,
    pub name: String,
    pub kind: LaneKind,
    /// Whether a `Lane` event declared it (else it was first seen in a poll).
    pub declared: bool,
    pub polls: Track,
    pub parks: Track,
}

/// How long a task waited, after a Pending poll, at one await point.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AwaitWait {
    pub name: u32,
    pub count: u32,
    pub total_ns: u64,
    pub longest_ns: u64,
}

/// One task's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskTrack {
    pub id: TaskId,
    pub name: String,
    pub kind: TaskKind,
    pub parent: Option<TaskId>,
    pub spawned: u64,
    pub completed: Option<(u64, TaskOutcome)>,
    pub polls: Track,
    /// Await spans, one track per slot.
    pub spans: Vec<Track>,
    /// When it was woken (points).
    pub wakes: Track,
    /// Waits after Pending polls, per await point (until the wake that ended them, or
    /// the next poll if no wake came in between).
    pub waits: Vec<AwaitWait>,
    /// The end of the latest Pending poll and its await point, while that wait is open.
    open_wait: Option<(u64, Option<u32>)>,
}

impl TaskTrack {
    /// The await point where one wait was longest.
    pub fn longest_wait(&self) -> Option<&AwaitWait> {
        self.waits.iter().max_by_key(|w| (w.longest_ns, w.total_ns))
    }

    fn end_wait(&mut self, t: u64) {
        if let Some((since, Some(name))) = self.open_wait.take() {
            let ns = t.saturating_sub(since);
            let wait = match self.waits.iter_mut().find(|w| w.name == name) {
                Some(w) => w,
                None => {
                    self.waits.push(AwaitWait {
                        name,
                        ..AwaitWait::default()
                    });
                    self.waits.last_mut().expect("just pushed")
                }
            };
            wait.count += 1;
            wait.total_ns += ns;
            wait.longest_ns = wait.longest_ns.max(ns);
        }
    }
}

/// Everything the timeline draws, folded from one part's events.
#[derive(Debug, Clone, Default)]
pub struct TimelineModel {
    /// The run the events belong to (a new run resets the model).
    pub run_id: Option<u64>,
    /// Events ingested: the next one to read is `events[consumed]`.
    pub consumed: usize,
    /// The latest event's time: "now" for open items.
    pub now: u64,
    pub lanes: Vec<LaneTrack>,
    pub tasks: Vec<TaskTrack>,
    pub polls: Vec<Poll>,
    pub spans: Vec<Span>,
    /// Every wake, in time order.
    pub wakes: Vec<Wake>,
    /// Wake times per source that is not a task, indexed by [`SourceKind::index`].
    pub source_wakes: [Track; 4],
    /// Interned names of await points.
    pub names: Vec<String>,
    name_index: HashMap<String, u32>,
    /// Row of each task id (`u32::MAX`: none); task ids are small and dense.
    task_row: Vec<u32>,
    lane_row: Vec<u32>,
    /// Open spans: row of the task, slot, and index into `spans`.
    open_spans: HashMap<SpanId, (u32, u32, u32)>,
    /// Events that did not fit (a poll end without a start, …): should stay 0.
    pub anomalies: u64,
}

const NONE: u32 = u32::MAX;

fn get_row(rows: &[u32], id: u32) -> Option<u32> {
    rows.get(id as usize).copied().filter(|&r| r != NONE)
}

fn set_row(rows: &mut Vec<u32>, id: u32, row: u32) {
    let id = id as usize;
    if rows.len() <= id {
        rows.resize(id + 1, NONE);
    }
    rows[id] = row;
}

impl TimelineModel {
    pub fn new(run_id: u64) -> Self {
        Self {
            run_id: Some(run_id),
            ..Self::default()
        }
    }

    /// Fold in every event of `events` not ingested yet (`events` is the part's whole,
    /// append-only, list). Returns how many were new.
    pub fn sync(&mut self, events: &[Event]) -> usize {
        if events.len() <= self.consumed {
            return 0;
        }
        let new = &events[self.consumed..];
        for event in new {
            self.apply(event);
        }
        self.consumed = events.len();
        new.len()
    }

    pub fn task_row(&self, id: TaskId) -> Option<u32> {
        get_row(&self.task_row, id.0)
    }

    pub fn lane_row(&self, id: LaneId) -> Option<u32> {
        get_row(&self.lane_row, id.0)
    }

    pub fn name(&self, index: u32) -> &str {
        self.names.get(index as usize).map_or("?", String::as_str)
    }

    fn intern(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.name_index.get(name) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(name.to_owned());
        self.name_index.insert(name.to_owned(), i);
        i
    }

    fn lane_or_new(&mut self, id: LaneId) -> u32 {
        if let Some(row) = self.lane_row(id) {
            return row;
        }
        let row = self.lanes.len() as u32;
        self.lanes.push(LaneTrack {
            id,
            name: format!("lane {}", id.0),
            kind: LaneKind::Worker,
            declared: false,
            polls: Track::default(),
            parks: Track::default(),
        });
        set_row(&mut self.lane_row, id.0, row);
        row
    }

    /// Lanes that have polls or parks, or were declared.
    pub fn lane_count(&self) -> usize {
        self.lanes.len()
    }

    /// Sources that woke at least one task.
    pub fn sources_seen(&self) -> impl Iterator<Item = SourceKind> + '_ {
        SOURCES
            .into_iter()
            .filter(|s| !self.source_wakes[s.index()].is_empty())
    }

    /// Fold in one event.
    pub fn apply(&mut self, event: &Event) {
        let t = event.t_ns;
        self.now = self.now.max(t);
        match &event.kind {
            EventKind::Lane {
                lane,
                name,
                lane_kind,
            } => {
                let row = self.lane_or_new(*lane) as usize;
                let l = &mut self.lanes[row];
                l.name = name.to_string();
                l.kind = *lane_kind;
                l.declared = true;
            }
            EventKind::Park { lane } => {
                let row = self.lane_or_new(*lane) as usize;
                let parks = &mut self.lanes[row].parks;
                if !parks.is_open() {
                    parks.push(t, OPEN, 0);
                }
            }
            EventKind::Unpark { lane } => {
                let row = self.lane_or_new(*lane) as usize;
                self.lanes[row].parks.close_last(t, None);
            }
            EventKind::Spawn(SpawnEvent {
                task,
                name,
                parent,
                task_kind,
            }) => {
                let row = self.tasks.len() as u32;
                self.tasks.push(TaskTrack {
                    id: *task,
                    name: name.to_string(),
                    kind: *task_kind,
                    parent: *parent,
                    spawned: t,
                    completed: None,
                    polls: Track::default(),
                    spans: Vec::new(),
                    wakes: Track::default(),
                    waits: Vec::new(),
                    open_wait: None,
                });
                set_row(&mut self.task_row, task.0, row);
            }
            EventKind::Poll(PollEvent {
                task,
                lane,
                busy_ns,
                outcome,
                resumed,
                waiting_on,
                ..
            }) => {
                let Some(row) = self.task_row(*task) else {
                    self.anomalies += 1;
                    return;
                };
                let start = t.saturating_sub(*busy_ns);
                // The await point it resumed at stopped waiting when the poll started.
                if let Some(span) = resumed {
                    self.close_span(*span, start);
                }
                let waiting = waiting_on.as_ref().map(|wait| {
                    if !self.open_spans.contains_key(&wait.span) {
                        self.open_span(row, wait.span, &wait.name, t);
                    }
                    self.intern(&wait.name)
                });
                let lane_row = lane.map(|l| self.lane_or_new(l));
                let id = self.polls.len() as u32;
                let track = &mut self.tasks[row as usize];
                if track
                    .polls
                    .items
                    .last()
                    .is_some_and(|last| last.end > start)
                {
                    // Polls of one task never overlap.
                    self.anomalies += 1;
                    return;
                }
                track.end_wait(start);
                let number = track.polls.len() as u32 + 1;
                track.polls.push(start, OPEN, id);
                track.polls.close_last(t, Some(*outcome));
                if *outcome == PollOutcome::Pending {
                    track.open_wait = Some((t, waiting));
                }
                let mut on_lane = lane_row;
                if let Some(l) = lane_row {
                    let polls = &mut self.lanes[l as usize].polls;
                    if polls.items.last().is_some_and(|last| last.end > start) {
                        // A poll that ran inside another one on the same thread (a task
                        // awaited without being spawned): the lane shows the outer one.
                        on_lane = None;
                    } else {
                        polls.push(start, OPEN, id);
                        polls.close_last(t, Some(*outcome));
                    }
                }
                self.polls.push(Poll {
                    task: row,
                    lane: on_lane,
                    number,
                    start,
                    end: t,
                    outcome: *outcome,
                    waiting_on: waiting,
                });
            }
            EventKind::Wake { task, by, .. } => {
                let Some(row) = self.task_row(*task) else {
                    self.anomalies += 1;
                    return;
                };
                let by = match by {
                    WakeSource::Task(w) => self.task_row(*w).map_or(Waker::Unknown, Waker::Task),
                    WakeSource::Reactor => Waker::Source(SourceKind::Reactor),
                    WakeSource::Timer => Waker::Source(SourceKind::Timer),
                    WakeSource::Driver => Waker::Source(SourceKind::Driver),
                    WakeSource::Thread => Waker::Source(SourceKind::Thread),
                };
                if let Waker::Source(s) = by {
                    self.source_wakes[s.index()].push(t, t, row);
                }
                let track = &mut self.tasks[row as usize];
                track.wakes.push(t, t, self.wakes.len() as u32);
                // A wake while idle ends the wait; a wake during a poll does not.
                if !track.polls.is_open() {
                    track.end_wait(t);
                }
                self.wakes.push(Wake { t, task: row, by });
            }
            EventKind::WakerClone { .. } | EventKind::WakerDrop { .. } => {}
            EventKind::SpanEnter { task, span, name } => {
                let Some(row) = self.task_row(*task) else {
                    self.anomalies += 1;
                    return;
                };
                self.open_span(row, *span, name, t);
            }
            EventKind::SpanExit { span, .. } => self.close_span(*span, t),
            EventKind::Complete { task, outcome } => {
                let Some(row) = self.task_row(*task) else {
                    self.anomalies += 1;
                    return;
                };
                let track = &mut self.tasks[row as usize];
                track.open_wait = None;
                track.completed = Some((t, *outcome));
            }
        }
    }

    /// An await point of the task in `row` starts waiting at `t`.
    fn open_span(&mut self, row: u32, span: SpanId, name: &str, t: u64) {
        let name = self.intern(name);
        let id = self.spans.len() as u32;
        let track = &mut self.tasks[row as usize];
        // The lowest slot whose latest span has ended: overlapping spans stack.
        let slot = match track.spans.iter().position(|s| !s.is_open()) {
            Some(slot) => slot,
            None => {
                track.spans.push(Track::default());
                track.spans.len() - 1
            }
        };
        track.spans[slot].push(t, OPEN, id);
        self.spans.push(Span {
            task: row,
            name,
            slot: slot as u32,
            start: t,
            end: OPEN,
        });
        self.open_spans.insert(span, (row, slot as u32, id));
    }

    /// An await point stops waiting at `t`.
    fn close_span(&mut self, span: SpanId, t: u64) {
        let Some((row, slot, id)) = self.open_spans.remove(&span) else {
            self.anomalies += 1;
            return;
        };
        self.tasks[row as usize].spans[slot as usize].close_last(t, None);
        let span = &mut self.spans[id as usize];
        span.end = t.max(span.start);
    }

    /// The end of an item as drawn: open items end now.
    pub fn end_of(&self, end: u64) -> u64 {
        if end == OPEN { self.now } else { end }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use pollscope_shared::instrument::{LaneId, SpanId, TaskId, TaskKind, Wait};

    use super::*;

    pub fn ev(t_ns: u64, kind: EventKind) -> Event {
        Event { t_ns, kind }
    }

    pub fn lane(t: u64, id: u32, kind: LaneKind) -> Event {
        ev(
            t,
            EventKind::Lane {
                lane: LaneId(id),
                name: format!("worker {id}").into(),
                lane_kind: kind,
            },
        )
    }

    pub fn spawn(t: u64, task: u32) -> Event {
        ev(
            t,
            EventKind::Spawn(SpawnEvent {
                task: TaskId(task),
                name: format!("task {task}").into(),
                parent: None,
                task_kind: TaskKind::Async,
            }),
        )
    }

    /// A poll of `task` on `lane` from `start` to `end`, which left it waiting on
    /// `waiting_on` (span id, name), if given.
    pub fn poll(
        start: u64,
        end: u64,
        task: u32,
        lane: u32,
        outcome: PollOutcome,
        waiting_on: Option<(u32, &'static str)>,
    ) -> Event {
        ev(
            end,
            EventKind::Poll(PollEvent {
                task: TaskId(task),
                lane: Some(LaneId(lane)),
                busy_ns: end - start,
                outcome,
                resumed: None,
                waiting_on: waiting_on.map(|(span, name)| Wait {
                    span: SpanId(span),
                    name: name.into(),
                }),
                waker_clones: 0,
            }),
        )
    }

    /// `poll`, resuming at the await point `span`.
    pub fn resumed_at(span: u32, mut poll: Event) -> Event {
        if let EventKind::Poll(PollEvent { resumed, .. }) = &mut poll.kind {
            *resumed = Some(SpanId(span));
        }
        poll
    }

    pub fn wake(t: u64, task: u32, by: WakeSource) -> Event {
        ev(
            t,
            EventKind::Wake {
                task: TaskId(task),
                by,
                by_ref: false,
            },
        )
    }

    /// Two workers, a blocking thread; task 1 polled on worker 0 (Pending on "read"),
    /// woken by the reactor, polled on worker 1 (Ready); task 2 woken by task 1.
    pub fn sample() -> Vec<Event> {
        let mut e = vec![
            lane(0, 0, LaneKind::Worker),
            lane(0, 1, LaneKind::Worker),
            lane(0, 5, LaneKind::Blocking),
            spawn(1, 1),
            spawn(2, 2),
        ];
        e.push(poll(10, 20, 1, 0, PollOutcome::Pending, Some((9, "read"))));
        e.push(ev(25, EventKind::Park { lane: LaneId(0) }));
        e.push(wake(100, 1, WakeSource::Reactor));
        e.push(ev(105, EventKind::Unpark { lane: LaneId(0) }));
        // Task 1 wakes task 2 during its second poll: the wake comes before the poll.
        e.push(wake(120, 2, WakeSource::Task(TaskId(1))));
        e.push(resumed_at(
            9,
            poll(110, 130, 1, 1, PollOutcome::Ready, None),
        ));
        e.push(ev(
            130,
            EventKind::Complete {
                task: TaskId(1),
                outcome: TaskOutcome::Ok,
            },
        ));
        e
    }

    #[test]
    fn lanes_tasks_polls_and_wakes() {
        let mut m = TimelineModel::new(1);
        let events = sample();
        assert_eq!(m.sync(&events), events.len());
        assert_eq!(m.sync(&events), 0);
        assert_eq!(m.anomalies, 0);
        assert_eq!(m.lane_count(), 3);
        assert_eq!(m.lanes[2].kind, LaneKind::Blocking);
        // Each lane has the polls that ran on it: the task hopped from worker 0 to 1.
        assert_eq!(m.lanes[0].polls.len(), 1);
        assert_eq!(m.lanes[1].polls.len(), 1);
        assert_eq!(
            m.lanes[0].parks.items,
            vec![Item {
                start: 25,
                end: 105,
                id: 0
            }]
        );
        let t1 = &m.tasks[0];
        assert_eq!(t1.polls.len(), 2);
        assert_eq!(t1.polls.counts(0, 2).pending, 1);
        assert_eq!(t1.polls.counts(0, 2).ready, 1);
        assert_eq!(t1.polls.counts(0, 2).busy_ns, 30);
        assert_eq!(m.polls[0].waiting_on.map(|n| m.name(n)), Some("read"));
        assert_eq!(m.polls[1].number, 2);
        assert_eq!(m.polls[1].lane, Some(1));
        assert_eq!(t1.completed, Some((130, TaskOutcome::Ok)));
        // The wait on "read" lasted from the Pending poll's end to the reactor's wake.
        let w = t1.longest_wait().unwrap();
        assert_eq!((m.name(w.name), w.longest_ns, w.count), ("read", 80, 1));
        assert_eq!(t1.spans.len(), 1);
        assert_eq!(
            // From the end of the poll that waited to the start of the one that resumed.
            (t1.spans[0].items[0].start, t1.spans[0].items[0].end),
            (20, 110)
        );
        assert_eq!(
            m.wakes,
            vec![
                Wake {
                    t: 100,
                    task: 0,
                    by: Waker::Source(SourceKind::Reactor)
                },
                Wake {
                    t: 120,
                    task: 1,
                    by: Waker::Task(0)
                }
            ]
        );
        assert_eq!(
            m.sources_seen().collect::<Vec<_>>(),
            vec![SourceKind::Reactor]
        );
        assert_eq!(m.now, 130);
    }

    #[test]
    fn incremental_sync_equals_one_shot() {
        let events = sample();
        let mut whole = TimelineModel::new(1);
        whole.sync(&events);
        let mut parts = TimelineModel::new(1);
        for n in 1..=events.len() {
            parts.sync(&events[..n]);
        }
        assert_eq!(parts.polls, whole.polls);
        assert_eq!(parts.tasks, whole.tasks);
        assert_eq!(parts.lanes, whole.lanes);
        assert_eq!(parts.wakes, whole.wakes);
    }

    #[test]
    fn open_items_end_now() {
        let events = sample();
        let mut m = TimelineModel::new(1);
        // Up to the reactor's wake: worker 0 still parked, task 1 still waiting on "read".
        let upto = events.iter().position(|e| e.t_ns == 100).expect("wake");
        m.sync(&events[..=upto]);
        assert_eq!(m.now, 100);
        let park = m.lanes[0].parks.items[0];
        assert_eq!((park.start, m.end_of(park.end)), (25, 100));
        let t1 = &m.tasks[0];
        let span = t1.spans[0].items[0];
        assert_eq!((span.start, m.end_of(span.end)), (20, 100));
        // A poll is drawn once it has ended: one so far, Pending.
        assert_eq!(t1.polls.counts(0, 1).items, 1);
        assert_eq!(t1.polls.counts(0, 1).pending, 1);
    }

    #[test]
    fn overlapping_spans_stack_in_slots() {
        let mut m = TimelineModel::new(1);
        let enter = |t, span, name: &'static str| {
            ev(
                t,
                EventKind::SpanEnter {
                    task: TaskId(1),
                    span: SpanId(span),
                    name: name.into(),
                },
            )
        };
        let exit = |t, span| {
            ev(
                t,
                EventKind::SpanExit {
                    task: TaskId(1),
                    span: SpanId(span),
                },
            )
        };
        m.sync(&[
            spawn(0, 1),
            enter(1, 1, "inner"),
            enter(2, 2, "outer"),
            exit(5, 1),
            enter(6, 3, "again"),
            exit(7, 2),
            exit(8, 3),
        ]);
        let slots: Vec<Vec<(u64, u64)>> = m.tasks[0]
            .spans
            .iter()
            .map(|s| s.items.iter().map(|i| (i.start, i.end)).collect())
            .collect();
        assert_eq!(slots, vec![vec![(1, 5), (6, 8)], vec![(2, 7)]]);
        assert_eq!(m.anomalies, 0);
    }

    #[test]
    fn track_search() {
        let mut t = Track::default();
        t.push(10, 20, 0);
        t.push(30, OPEN, 1);
        t.close_last(40, Some(PollOutcome::Ready));
        assert_eq!(t.at(15), Some(0));
        assert_eq!(t.at(20), Some(0));
        assert_eq!(t.at(25), None);
        assert_eq!(t.near(25, 4), None);
        assert_eq!(t.near(27, 4), Some(1));
        assert_eq!(t.near(22, 4), Some(0));
        assert_eq!(t.started_by(30), 2);
        assert_eq!(t.started_by(29), 1);
        assert_eq!(t.counts(1, 2).ready, 1);
        assert_eq!(t.counts(0, 2).busy_ns, 20);
    }

    #[test]
    fn events_that_do_not_fit_are_counted() {
        let mut m = TimelineModel::new(1);
        // An unknown task's poll and wake, an unknown span's end.
        m.sync(&[
            poll(1, 2, 9, 0, PollOutcome::Ready, None),
            wake(3, 9, WakeSource::Timer),
            ev(
                4,
                EventKind::SpanExit {
                    task: TaskId(9),
                    span: SpanId(4),
                },
            ),
        ]);
        assert_eq!(m.anomalies, 3);
        assert!(m.polls.is_empty());
        // A poll that overlaps the task's previous one.
        let mut m = TimelineModel::new(1);
        m.sync(&[
            spawn(5, 1),
            poll(10, 20, 1, 0, PollOutcome::Pending, None),
            poll(15, 30, 1, 0, PollOutcome::Ready, None),
        ]);
        assert_eq!(m.anomalies, 1);
        assert_eq!(m.polls.len(), 1);
    }
}
