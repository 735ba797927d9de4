//! The recorded events of each run, kept outside the app state.
//!
//! A run of an instrumented scenario streams its events in batches (see
//! `pollscope_shared::instrument::batch`). A run can record hundreds of thousands of
//! events, and the app state is cloned by its reducer on every action, so the events
//! cannot live there. They live in one [`Recordings`] store instead, shared through a
//! [`RecordingStore`] handle (an `Rc<RefCell<_>>` in a Yew context); the reducer only
//! counts how often the store changed (`AppState::recording_version`) so that pages
//! re-render.
//!
//! A run has one or more *parts* (a scenario that compares setups runs each on its own
//! runtime, with its own recorder, task ids, lanes and clock). Each [`PartRecording`]
//! keeps every event it received (moved in, never copied) and folds each one into
//! [`RunStats`], the same fold the server uses for its per-task numbers, so the browser's
//! task table and the server's totals come from the same events. A [`RunRecording`] holds
//! the parts of one run; the store keeps each scenario's last [`HISTORY_RUNS`] runs (the
//! page's run history), within an event budget over all of them.
//!
//! A fast stream must not re-render the page once per batch: the connection only
//! [queues](Recordings::enqueue) decoded batches and [flushes](Recordings::flush) them at
//! most once per animation frame, and before any other server message, so a run's result
//! never overtakes its last events.
//!
//! Everything here is plain data and pure functions, unit-tested natively.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use pollscope_shared::diagnostics::{Report, Thresholds, Watch};
use pollscope_shared::instrument::batch::EventBatch;
use pollscope_shared::instrument::event::Name;
use pollscope_shared::instrument::stats::RunStats;
use pollscope_shared::instrument::{Event, EventKind, PollEvent, PollOutcome};

/// The key under which Pending polls that named no await point are counted.
pub const UNNAMED_AWAIT: &str = "(no named await point)";

/// Batches `first..=last` of a run never arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeqGap {
    pub first: u64,
    pub last: u64,
}

impl SeqGap {
    /// How many batches the gap lost.
    pub fn len(self) -> u64 {
        self.last - self.first + 1
    }

    /// Never true: a gap spans at least one batch (only here for clippy's `len` rule).
    pub fn is_empty(self) -> bool {
        false
    }
}

/// What happened to one batch handed to [`RunRecording::apply_batch`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchOutcome {
    /// The batch was the next one expected.
    Applied,
    /// Applied, but the batches in the gap before it were lost.
    AppliedAfterGap(SeqGap),
    /// A batch with a sequence number already seen (or skipped): ignored, so no event is
    /// ever counted twice.
    Stale,
}

/// Events one part keeps for the timeline. Beyond this the events are still folded into
/// the statistics (the table stays exact) but not kept, and the page says how many were
/// not kept. About 64 MB of events on wasm32.
pub const MAX_KEPT_EVENTS: usize = 2_000_000;

/// One part of a run: its events, as received, and everything folded from them.
#[derive(Debug, Clone, PartialEq)]
pub struct PartRecording {
    pub run_id: u64,
    pub part: u32,
    /// The events received, in the order the server sent them: all of them, up to
    /// [`MAX_KEPT_EVENTS`].
    pub events: Vec<Event>,
    /// Events received but not kept because `events` was full.
    pub events_not_kept: u64,
    /// Per-task and per-lane numbers folded from `events`.
    pub stats: RunStats,
    /// Batches applied.
    pub batches: u64,
    /// Holes in the batch sequence numbers: each is a batch that was sent but never
    /// arrived, so the events above miss whatever it carried.
    pub gaps: Vec<SeqGap>,
    /// Batches ignored because their sequence number was not new.
    pub stale_batches: u64,
    /// The drop count of this part's recorder, from the latest batch: events that never
    /// made it into any batch because the server's buffer was full.
    pub dropped_total: u64,
    /// Polls that returned `Pending` (the task has to wait for a wake).
    pub pending_polls: u64,
    /// The same polls, by the name of the await point that could not go on.
    pub pending_by_await: BTreeMap<Name, u64>,
    /// The diagnostics fold over every event received (an index past `events` is an
    /// event received but not kept).
    watch: Watch,
    /// Its report, computed when first asked for after a batch.
    report: RefCell<Option<Rc<Report>>>,
    /// The sequence number the next batch should carry.
    next_seq: u64,
}

impl PartRecording {
    pub fn new(run_id: u64, part: u32) -> Self {
        Self {
            run_id,
            part,
            events: Vec::new(),
            events_not_kept: 0,
            stats: RunStats::default(),
            batches: 0,
            gaps: Vec::new(),
            stale_batches: 0,
            dropped_total: 0,
            pending_polls: 0,
            pending_by_await: BTreeMap::new(),
            watch: Watch::new(Thresholds::default()),
            report: RefCell::new(None),
            next_seq: 0,
        }
    }

    /// The thresholds the warnings are found with.
    pub fn thresholds(&self) -> Thresholds {
        self.watch.thresholds()
    }

    /// The warnings found in this part's events so far (see
    /// [`pollscope_shared::diagnostics`]).
    pub fn diagnostics(&self) -> Rc<Report> {
        self.report
            .borrow_mut()
            .get_or_insert_with(|| Rc::new(self.watch.report()))
            .clone()
    }

    /// Events received so far, kept or not.
    pub fn events_received(&self) -> u64 {
        self.events.len() as u64 + self.events_not_kept
    }

    /// Batches lost in transit (the sum of all gaps).
    pub fn lost_batches(&self) -> u64 {
        self.gaps.iter().map(|g| g.len()).sum()
    }

    /// Fold a batch of this part in. The events are moved into the recording, not copied.
    pub fn apply_batch(&mut self, batch: EventBatch) -> BatchOutcome {
        debug_assert_eq!((batch.run_id, batch.part), (self.run_id, self.part));
        // Sequence numbers count 0, 1, 2, … per run and part. One below the expected number was
        // already applied; one above means the batches in between were lost.
        if batch.seq < self.next_seq {
            self.stale_batches += 1;
            return BatchOutcome::Stale;
        }
        let outcome = if batch.seq > self.next_seq {
            let gap = SeqGap {
                first: self.next_seq,
                last: batch.seq - 1,
            };
            self.gaps.push(gap);
            BatchOutcome::AppliedAfterGap(gap)
        } else {
            BatchOutcome::Applied
        };
        self.next_seq = batch.seq + 1;
        self.batches += 1;
        // The count only grows; the latest batch carries the run's total so far.
        self.dropped_total = self.dropped_total.max(batch.dropped_total);
        if self.dropped_total > 0 || !self.gaps.is_empty() {
            self.watch.events_missing();
        }
        self.report.take();
        let first_index = self.events_received() as usize;
        for (i, event) in batch.events.iter().enumerate() {
            self.watch.apply(first_index + i, event);
            self.stats.apply(event);
            if let EventKind::Poll(PollEvent {
                outcome: PollOutcome::Pending,
                waiting_on,
                ..
            }) = &event.kind
            {
                self.pending_polls += 1;
                let name = waiting_on
                    .as_ref()
                    .map_or(Name::Borrowed(UNNAMED_AWAIT), |wait| wait.name.clone());
                *self.pending_by_await.entry(name).or_default() += 1;
            }
        }
        let room = MAX_KEPT_EVENTS.saturating_sub(self.events.len());
        let mut events = batch.events;
        if events.len() > room {
            self.events_not_kept += (events.len() - room) as u64;
            events.truncate(room);
        }
        self.events.extend(events);
        outcome
    }
}

/// One run: its parts, created as their first batch arrives.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRecording {
    pub run_id: u64,
    pub scenario: String,
    pub parts: BTreeMap<u32, PartRecording>,
}

impl RunRecording {
    pub fn new(run_id: u64, scenario: impl Into<String>) -> Self {
        Self {
            run_id,
            scenario: scenario.into(),
            parts: BTreeMap::new(),
        }
    }

    /// Route a batch of this run to its part.
    pub fn apply_batch(&mut self, batch: EventBatch) -> BatchOutcome {
        self.parts
            .entry(batch.part)
            .or_insert_with(|| PartRecording::new(batch.run_id, batch.part))
            .apply_batch(batch)
    }

    pub fn part(&self, part: u32) -> Option<&PartRecording> {
        self.parts.get(&part)
    }

    /// Events received so far, over all parts.
    pub fn events_received(&self) -> u64 {
        self.parts
            .values()
            .map(PartRecording::events_received)
            .sum()
    }
}

/// Runs of one scenario whose recordings are kept (the page's run history).
pub const HISTORY_RUNS: usize = 8;

/// Events kept over every run of every scenario. Past it, the oldest runs other than
/// each scenario's latest are let go (their results stay in the page's history; their
/// timelines say the events were let go). About 128 MB of events on wasm32.
pub const MAX_KEPT_EVENTS_ALL_RUNS: usize = 2 * MAX_KEPT_EVENTS;

/// The recordings of every scenario's last few runs, and the batches waiting to be applied.
#[derive(Debug, Default)]
pub struct Recordings {
    /// Per scenario id: the recordings of its last [`HISTORY_RUNS`] runs, oldest first.
    by_scenario: BTreeMap<String, Vec<RunRecording>>,
    /// Decoded batches not applied yet (see [`Recordings::flush`]).
    queued: Vec<EventBatch>,
    /// Batches of a run this page never saw start (e.g. from a previous connection).
    pub unknown_run_batches: u64,
    /// Runs whose events were let go to stay within [`MAX_KEPT_EVENTS_ALL_RUNS`].
    pub let_go: Vec<u64>,
}

impl Recordings {
    /// The server accepted run `run_id` of `scenario`: its batches will follow.
    pub fn begin(&mut self, run_id: u64, scenario: &str) {
        let runs = self.by_scenario.entry(scenario.to_owned()).or_default();
        runs.push(RunRecording::new(run_id, scenario));
        if runs.len() > HISTORY_RUNS {
            let gone = runs.remove(0);
            self.let_go.push(gone.run_id);
        }
        self.enforce_budget();
    }

    /// Let the oldest non-latest runs go until every kept event fits the budget.
    fn enforce_budget(&mut self) {
        let kept = |r: &Self| -> usize {
            r.by_scenario
                .values()
                .flatten()
                .flat_map(|run| run.parts.values())
                .map(|p| p.events.len())
                .sum()
        };
        while kept(self) > MAX_KEPT_EVENTS_ALL_RUNS {
            // The oldest run that is not its scenario's latest (run ids only grow).
            let oldest = self
                .by_scenario
                .values()
                .filter(|runs| runs.len() > 1)
                .map(|runs| runs[0].run_id)
                .min();
            let Some(oldest) = oldest else { break };
            for runs in self.by_scenario.values_mut() {
                runs.retain(|r| r.run_id != oldest);
            }
            self.let_go.push(oldest);
        }
        // The list of runs let go is bounded too: only the latest few are asked about.
        let excess = self.let_go.len().saturating_sub(4 * HISTORY_RUNS);
        self.let_go.drain(..excess);
    }

    /// Hold a decoded batch until the next [`flush`](Self::flush).
    pub fn enqueue(&mut self, batch: EventBatch) {
        self.queued.push(batch);
    }

    /// Batches waiting to be applied.
    pub fn queued(&self) -> usize {
        self.queued.len()
    }

    /// Apply every queued batch, in arrival order. Returns whether any recording changed
    /// (so the caller knows whether a re-render is needed).
    pub fn flush(&mut self) -> bool {
        let queued = std::mem::take(&mut self.queued);
        let mut changed = false;
        for batch in queued {
            changed |= self
                .apply_batch(batch)
                .is_some_and(|o| o != BatchOutcome::Stale);
        }
        if changed {
            self.enforce_budget();
        }
        changed
    }

    /// Apply one batch to the recording of its run; `None` if no recording has that run id.
    pub fn apply_batch(&mut self, batch: EventBatch) -> Option<BatchOutcome> {
        match self
            .by_scenario
            .values_mut()
            .flat_map(|runs| runs.iter_mut().rev())
            .find(|r| r.run_id == batch.run_id)
        {
            Some(recording) => Some(recording.apply_batch(batch)),
            None => {
                self.unknown_run_batches += 1;
                None
            }
        }
    }

    /// The latest run of `scenario` this page saw start.
    pub fn for_scenario(&self, scenario: &str) -> Option<&RunRecording> {
        self.by_scenario.get(scenario)?.last()
    }

    /// The recording of run `run_id`, if it is still kept.
    pub fn run(&self, run_id: u64) -> Option<&RunRecording> {
        self.by_scenario
            .values()
            .flatten()
            .find(|r| r.run_id == run_id)
    }
}

/// The shared handle to the one [`Recordings`] store, as provided by the app's context.
/// Two handles are equal when they point at the same store.
#[derive(Debug, Clone, Default)]
pub struct RecordingStore(Rc<RefCell<Recordings>>);

impl PartialEq for RecordingStore {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl RecordingStore {
    /// Read the store. Keep the borrow short: never hold it across an `.await` or a
    /// callback that might write.
    pub fn borrow(&self) -> std::cell::Ref<'_, Recordings> {
        self.0.borrow()
    }

    pub fn borrow_mut(&self) -> std::cell::RefMut<'_, Recordings> {
        self.0.borrow_mut()
    }
}

#[cfg(test)]
mod bound_tests {
    use pollscope_shared::instrument::batch::EventBatch;
    use pollscope_shared::instrument::{Event, EventKind, TaskId};

    use super::*;

    #[test]
    fn events_past_the_bound_are_counted_but_not_kept() {
        let mut part = PartRecording::new(1, 0);
        let event = Event {
            t_ns: 1,
            kind: EventKind::WakerClone { task: TaskId(1) },
        };
        let batch = |seq, n| EventBatch {
            run_id: 1,
            part: 0,
            seq,
            dropped_total: 0,
            events: vec![event.clone(); n],
        };
        part.apply_batch(batch(0, MAX_KEPT_EVENTS - 10));
        part.apply_batch(batch(1, 25));
        assert_eq!(part.events.len(), MAX_KEPT_EVENTS);
        assert_eq!(part.events_not_kept, 15);
        assert_eq!(part.events_received(), (MAX_KEPT_EVENTS + 15) as u64);
        assert_eq!(
            part.stats.events,
            (MAX_KEPT_EVENTS + 15) as u64,
            "the statistics saw every event"
        );
    }
}

#[cfg(test)]
mod tests {
    use pollscope_shared::instrument::stats::TaskState;
    use pollscope_shared::instrument::{
        LaneId, SpanId, SpawnEvent, TaskId, TaskKind, TaskOutcome, Wait, WakeSource,
    };

    use super::*;

    fn ev(t_ns: u64, kind: EventKind) -> Event {
        Event { t_ns, kind }
    }

    fn spawn(t: u64, task: u32) -> Event {
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

    fn poll(start: u64, end: u64, task: u32, outcome: PollOutcome) -> Event {
        ev(
            end,
            EventKind::Poll(PollEvent {
                task: TaskId(task),
                lane: Some(LaneId(0)),
                busy_ns: end - start,
                outcome,
                resumed: None,
                waiting_on: None,
                waker_clones: 0,
            }),
        )
    }

    fn batch(seq: u64, dropped_total: u64, events: Vec<Event>) -> EventBatch {
        EventBatch {
            run_id: 7,
            part: 0,
            seq,
            dropped_total,
            events,
        }
    }

    /// One task: spawned, polled (Pending), woken by the reactor, polled (Ready), done.
    fn one_task_life() -> Vec<Event> {
        let mut events = vec![spawn(0, 1), poll(10, 20, 1, PollOutcome::Pending)];
        // The first poll waited on a named read, the second resumed there.
        if let EventKind::Poll(PollEvent { waiting_on, .. }) = &mut events[1].kind {
            *waiting_on = Some(Wait {
                span: SpanId(4),
                name: "read request".into(),
            });
        }
        events.push(ev(
            50,
            EventKind::Wake {
                task: TaskId(1),
                by: WakeSource::Reactor,
                by_ref: false,
            },
        ));
        let mut resumed = poll(60, 65, 1, PollOutcome::Ready);
        if let EventKind::Poll(PollEvent { resumed, .. }) = &mut resumed.kind {
            *resumed = Some(SpanId(4));
        }
        events.push(resumed);
        events.push(ev(
            65,
            EventKind::Complete {
                task: TaskId(1),
                outcome: TaskOutcome::Ok,
            },
        ));
        events
    }

    #[test]
    fn batches_in_order_fold_into_stats() {
        let events = one_task_life();
        let mut r = PartRecording::new(7, 0);
        assert_eq!(
            r.apply_batch(batch(0, 0, events[..2].to_vec())),
            BatchOutcome::Applied
        );
        // Mid-run the task is idle: its first poll returned Pending.
        assert_eq!(r.stats.tasks[&TaskId(1)].state, TaskState::Idle);
        assert_eq!(
            r.apply_batch(batch(1, 0, events[2..].to_vec())),
            BatchOutcome::Applied
        );
        assert_eq!(r.batches, 2);
        assert_eq!(r.events_received(), events.len() as u64);
        assert_eq!(r.events, events);
        assert_eq!(r.pending_polls, 1);
        assert_eq!(
            r.pending_by_await,
            BTreeMap::from([(Name::from("read request"), 1)])
        );
        assert_eq!(r.stats.polls, 2);
        assert_eq!(r.stats.wakes.by_reactor, 1);
        let task = &r.stats.tasks[&TaskId(1)];
        assert_eq!(task.state, TaskState::Done(TaskOutcome::Ok));
        assert_eq!(task.times_at(r.stats.last_t_ns), (15, 20, 30));
        assert!(r.gaps.is_empty());
        assert_eq!(r.lost_batches(), 0);
    }

    #[test]
    fn pending_polls_without_a_named_await_are_counted_apart() {
        let mut r = PartRecording::new(7, 0);
        let events = vec![spawn(0, 1), poll(1, 2, 1, PollOutcome::Pending)];
        r.apply_batch(batch(0, 0, events));
        assert_eq!(r.pending_by_await[UNNAMED_AWAIT], 1);
    }

    #[test]
    fn a_seq_gap_is_a_lost_batch() {
        let mut r = PartRecording::new(7, 0);
        r.apply_batch(batch(0, 0, vec![spawn(0, 1)]));
        let outcome = r.apply_batch(batch(3, 0, vec![spawn(5, 2)]));
        let gap = SeqGap { first: 1, last: 2 };
        assert_eq!(outcome, BatchOutcome::AppliedAfterGap(gap));
        assert_eq!(gap.len(), 2);
        assert_eq!(r.apply_batch(batch(4, 0, vec![])), BatchOutcome::Applied);
        r.apply_batch(batch(6, 0, vec![]));
        assert_eq!(r.gaps, vec![gap, SeqGap { first: 5, last: 5 }]);
        assert_eq!(r.lost_batches(), 3);
        assert_eq!(r.batches, 4);
        assert_eq!(r.events_received(), 2);
    }

    #[test]
    fn a_repeated_seq_is_ignored_not_counted_twice() {
        let mut r = PartRecording::new(7, 0);
        r.apply_batch(batch(0, 0, vec![spawn(0, 1)]));
        assert_eq!(
            r.apply_batch(batch(0, 0, vec![spawn(0, 1)])),
            BatchOutcome::Stale
        );
        assert_eq!(r.events_received(), 1);
        assert_eq!(r.stats.events, 1);
        assert_eq!(r.stale_batches, 1);
        assert_eq!(r.batches, 1);
    }

    #[test]
    fn dropped_total_comes_from_the_latest_batch() {
        let mut r = PartRecording::new(7, 0);
        r.apply_batch(batch(0, 0, vec![]));
        r.apply_batch(batch(1, 12, vec![]));
        assert_eq!(r.dropped_total, 12);
        r.apply_batch(batch(2, 40, vec![]));
        assert_eq!(r.dropped_total, 40);
    }

    #[test]
    fn queued_batches_apply_on_flush_to_their_run() {
        let mut store = Recordings::default();
        store.begin(7, "echo");
        store.enqueue(batch(0, 0, vec![spawn(0, 1)]));
        store.enqueue(batch(1, 0, vec![spawn(1, 2)]));
        assert_eq!(store.queued(), 2);
        assert_eq!(store.for_scenario("echo").unwrap().events_received(), 0);
        assert!(store.flush());
        assert_eq!(store.queued(), 0);
        let r = store.for_scenario("echo").unwrap();
        assert_eq!(r.events_received(), 2);
        assert_eq!(r.part(0).unwrap().stats.tasks.len(), 2);
        // Nothing queued: nothing changes, no re-render needed.
        assert!(!store.flush());
    }

    #[test]
    fn batches_of_unknown_runs_are_counted_and_dropped() {
        let mut store = Recordings::default();
        store.begin(8, "echo");
        assert_eq!(store.apply_batch(batch(0, 0, vec![spawn(0, 1)])), None);
        assert_eq!(store.unknown_run_batches, 1);
        assert_eq!(store.for_scenario("echo").unwrap().events_received(), 0);
    }

    #[test]
    fn a_new_run_becomes_the_scenarios_latest() {
        let mut store = Recordings::default();
        store.begin(7, "echo");
        store.apply_batch(batch(0, 0, vec![spawn(0, 1)]));
        store.begin(9, "echo");
        let r = store.for_scenario("echo").unwrap();
        assert_eq!((r.run_id, r.events_received()), (9, 0));
        assert!(store.for_scenario("other").is_none());
    }

    #[test]
    fn parts_keep_their_own_sequence_and_stats() {
        let mut run = RunRecording::new(7, "flavors");
        let part = |part, seq, events| EventBatch {
            part,
            ..batch(seq, 0, events)
        };
        assert_eq!(
            run.apply_batch(part(0, 0, vec![spawn(0, 1)])),
            BatchOutcome::Applied
        );
        // Part 1 starts its own sequence at 0 and its own task ids at 1.
        assert_eq!(
            run.apply_batch(part(1, 0, vec![spawn(0, 1), spawn(1, 2)])),
            BatchOutcome::Applied
        );
        assert_eq!(run.apply_batch(part(0, 1, vec![])), BatchOutcome::Applied);
        assert_eq!(run.part(0).unwrap().stats.tasks.len(), 1);
        assert_eq!(run.part(1).unwrap().stats.tasks.len(), 2);
        assert_eq!(run.events_received(), 3);
        assert!(run.parts.values().all(|p| p.gaps.is_empty()));
    }

    #[test]
    fn the_last_runs_of_a_scenario_are_kept_and_found_by_id() {
        let mut store = Recordings::default();
        for run_id in 1..=(HISTORY_RUNS as u64 + 2) {
            store.begin(run_id, "echo");
        }
        store.begin(100, "other");
        let last = HISTORY_RUNS as u64 + 2;
        assert_eq!(store.for_scenario("echo").unwrap().run_id, last);
        assert!(
            store.run(1).is_none() && store.run(2).is_none(),
            "beyond the history"
        );
        assert_eq!(store.run(3).unwrap().run_id, 3);
        assert_eq!(store.let_go, vec![1, 2]);
        // A batch of an older run still in the history lands in that run.
        let mut old = batch(0, 0, vec![spawn(0, 1)]);
        old.run_id = 3;
        assert_eq!(store.apply_batch(old), Some(BatchOutcome::Applied));
        assert_eq!(store.run(3).unwrap().events_received(), 1);
        assert_eq!(store.for_scenario("echo").unwrap().events_received(), 0);
    }

    #[test]
    fn past_the_event_budget_the_oldest_past_run_goes_but_never_a_latest() {
        let mut store = Recordings::default();
        let many = |run_id| EventBatch {
            run_id,
            ..batch(0, 0, vec![spawn(0, 1); MAX_KEPT_EVENTS])
        };
        store.begin(1, "echo");
        store.apply_batch(many(1));
        store.begin(2, "other");
        store.apply_batch(many(2));
        store.begin(3, "echo");
        store.enqueue(many(3));
        assert!(store.flush());
        assert!(store.run(1).is_none(), "run 1 was let go");
        assert_eq!(store.let_go, vec![1]);
        assert!(
            store.run(2).is_some() && store.run(3).is_some(),
            "latest runs stay"
        );
    }

    #[test]
    fn store_handles_compare_by_identity() {
        let a = RecordingStore::default();
        assert_eq!(a, a.clone());
        assert_ne!(a, RecordingStore::default());
        a.borrow_mut().begin(1, "echo");
        assert!(a.borrow().for_scenario("echo").is_some());
    }
}
