//! The recorder: one per run, a bounded buffer of events, and the per-thread context that
//! lets a wake or a poll say where it happened.
//!
//! Recording takes a clock reading and pushes under a `Mutex` held for a few nanoseconds
//! (no `.await`, no allocation for static names). The buffer never grows past its capacity:
//! an event that does not fit is dropped and counted, and the aggregator, which empties the
//! buffer with [`Recorder::drain`], reports that count with every batch.

use std::cell::Cell;
use std::future::Future;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use web_time::Instant;

use super::event::{
    Event, EventKind, LaneId, LaneKind, Name, SpanId, TaskId, TaskKind, TaskOutcome,
};
use super::span::{AwaitPoint, Resource};
use super::task::Instrumented;

/// Distinguishes recorders, so a thread's lane from an earlier run is never reused.
static NEXT_RECORDER: AtomicU64 = AtomicU64::new(1);

thread_local! {
    /// Which lane this thread is, and for which recorder.
    static LANE: Cell<Option<(u64, LaneId)>> = const { Cell::new(None) };
    /// The instrumented task being polled on this thread, if any, and its recorder.
    static CURRENT_TASK: Cell<Option<(u64, TaskId)>> = const { Cell::new(None) };
    /// The innermost await point that returned Pending during the current poll.
    pub(crate) static PENDING_SPAN: Cell<Option<(SpanId, Resource)>> = const { Cell::new(None) };
}

/// Records the events of one run. Cheap to clone; all clones share one buffer.
#[derive(Clone)]
pub struct Recorder {
    shared: Arc<Shared>,
}

struct Shared {
    id: u64,
    anchor: Instant,
    capacity: usize,
    buffer: Mutex<Vec<Event>>,
    dropped: AtomicU64,
    next_task: AtomicU32,
    next_span: AtomicU32,
    next_lane: AtomicU32,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recorder")
            .field("id", &self.shared.id)
            .field("capacity", &self.shared.capacity)
            .field("dropped", &self.dropped())
            .finish()
    }
}

impl Recorder {
    /// A recorder whose buffer holds at most `capacity` events between two drains.
    /// Its clock starts now: every `t_ns` is measured from this instant.
    pub fn new(capacity: usize) -> Self {
        Self {
            shared: Arc::new(Shared {
                id: NEXT_RECORDER.fetch_add(1, Ordering::Relaxed),
                anchor: Instant::now(),
                capacity,
                buffer: Mutex::new(Vec::with_capacity(capacity.min(1 << 16))),
                dropped: AtomicU64::new(0),
                next_task: AtomicU32::new(1),
                next_span: AtomicU32::new(1),
                next_lane: AtomicU32::new(0),
            }),
        }
    }

    /// Nanoseconds since this recorder was created, on the monotonic clock.
    pub fn now_ns(&self) -> u64 {
        u64::try_from(self.shared.anchor.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }

    /// Record one event, or count it as dropped if the buffer is full. Never blocks for
    /// longer than another thread's push.
    #[inline]
    pub fn record(&self, kind: EventKind) {
        let mut buffer = self
            .shared
            .buffer
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if buffer.len() < self.shared.capacity {
            // The timestamp is taken under the lock, so buffer order is time order.
            let t_ns = self.now_ns();
            buffer.push(Event { t_ns, kind });
        } else {
            drop(buffer);
            self.shared.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Take every event recorded since the last drain, oldest first.
    pub fn drain(&self) -> Vec<Event> {
        let fresh = Vec::with_capacity(self.shared.capacity.min(1 << 12));
        let mut buffer = self
            .shared
            .buffer
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        std::mem::replace(&mut *buffer, fresh)
    }

    /// Events dropped so far because the buffer was full.
    pub fn dropped(&self) -> u64 {
        self.shared.dropped.load(Ordering::Relaxed)
    }

    pub fn capacity(&self) -> usize {
        self.shared.capacity
    }

    // ----- lanes --------------------------------------------------------------------

    /// This thread's lane for this recorder, registering it (as `kind`) on first use.
    pub fn lane(&self, kind: LaneKind) -> LaneId {
        if let Some((recorder, lane)) = LANE.get()
            && recorder == self.shared.id
        {
            return lane;
        }
        let lane = LaneId(self.shared.next_lane.fetch_add(1, Ordering::Relaxed));
        LANE.set(Some((self.shared.id, lane)));
        self.record(EventKind::Lane {
            lane,
            name: thread_name(lane).into(),
            lane_kind: kind,
        });
        lane
    }

    /// This thread's lane, if it has one for this recorder.
    pub fn current_lane(&self) -> Option<LaneId> {
        LANE.get()
            .and_then(|(recorder, lane)| (recorder == self.shared.id).then_some(lane))
    }

    /// Call from the runtime's "before park" hook (`on_thread_park`).
    pub fn on_park(&self) {
        let lane = self.lane(LaneKind::Worker);
        self.record(EventKind::Park { lane });
    }

    /// Call from the runtime's "after unpark" hook (`on_thread_unpark`).
    pub fn on_unpark(&self) {
        let lane = self.lane(LaneKind::Worker);
        self.record(EventKind::Unpark { lane });
    }

    // ----- tasks and spans ------------------------------------------------------------

    pub(crate) fn next_span(&self) -> SpanId {
        SpanId(self.shared.next_span.fetch_add(1, Ordering::Relaxed))
    }

    /// The task of this recorder being polled on this thread, if any.
    pub(crate) fn current_task(&self) -> Option<TaskId> {
        CURRENT_TASK
            .get()
            .and_then(|(recorder, task)| (recorder == self.shared.id).then_some(task))
    }

    /// Is this thread polling a task of some *other* recorder?
    pub(crate) fn in_foreign_task(&self) -> bool {
        CURRENT_TASK
            .get()
            .is_some_and(|(recorder, _)| recorder != self.shared.id)
    }

    /// Record a new task; its parent is the instrumented task running on this thread.
    pub(crate) fn new_task(&self, name: Name, kind: TaskKind) -> TaskId {
        let task = TaskId(self.shared.next_task.fetch_add(1, Ordering::Relaxed));
        self.record(EventKind::Spawn {
            task,
            name,
            parent: self.current_task(),
            task_kind: kind,
        });
        task
    }

    /// Wrap a future as a task: spawn it with this (e.g. `tokio::spawn(rec.task("conn", f))`).
    pub fn task<F: Future>(&self, name: impl Into<Name>, future: F) -> Instrumented<F> {
        Instrumented::new(self.clone(), name.into(), future)
    }

    /// Like [`Recorder::task`], for a future whose output is a `Result`: an `Err` is
    /// recorded as [`TaskOutcome::Error`].
    pub fn fallible_task<F, T, E>(&self, name: impl Into<Name>, future: F) -> Instrumented<F>
    where
        F: Future<Output = Result<T, E>>,
    {
        Instrumented::new(self.clone(), name.into(), future).errors_when(Result::is_err)
    }

    /// Wrap blocking work (for `spawn_blocking`): recorded as one poll on a blocking lane.
    pub fn blocking<T>(
        &self,
        name: impl Into<Name>,
        work: impl FnOnce() -> T,
    ) -> impl FnOnce() -> T {
        let recorder = self.clone();
        let task = self.new_task(name.into(), TaskKind::Blocking);
        let mut guard = BlockingGuard {
            recorder,
            task,
            lane: None,
            done: false,
        };
        move || {
            let lane = Some(guard.recorder.lane(LaneKind::Blocking));
            guard.lane = lane;
            guard.recorder.record(EventKind::PollStart { task, lane });
            let output = {
                let _current = CurrentTask::enter(&guard.recorder, task);
                work()
            };
            guard.recorder.record(EventKind::PollEnd {
                task,
                lane,
                outcome: super::PollOutcome::Ready,
                waiting_on: None,
            });
            guard.recorder.record(EventKind::Complete {
                task,
                outcome: TaskOutcome::Ok,
            });
            guard.disarm();
            output
        }
    }

    /// A named `.await` waiting on a socket: a wake while it waits is the reactor's.
    pub fn io<F: Future>(&self, name: &'static str, future: F) -> AwaitPoint<F> {
        AwaitPoint::new(self.clone(), name, Resource::Io, future)
    }

    /// A named `.await` waiting on a timer: a wake while it waits is the timer's.
    pub fn timer<F: Future>(&self, name: &'static str, future: F) -> AwaitPoint<F> {
        AwaitPoint::new(self.clone(), name, Resource::Timer, future)
    }

    /// A named `.await` on anything else (a channel, a lock, another task).
    pub fn point<F: Future>(&self, name: &'static str, future: F) -> AwaitPoint<F> {
        AwaitPoint::new(self.clone(), name, Resource::Other, future)
    }
}

/// Marks a task as the one running on this thread until dropped (also when unwinding),
/// restoring whatever ran before: wakes made meanwhile are attributed to it.
pub(crate) struct CurrentTask(Option<(u64, TaskId)>);

impl CurrentTask {
    pub(crate) fn enter(recorder: &Recorder, task: TaskId) -> Self {
        Self(CURRENT_TASK.replace(Some((recorder.shared.id, task))))
    }
}

impl Drop for CurrentTask {
    fn drop(&mut self) {
        CURRENT_TASK.set(self.0);
    }
}

/// Records a blocking task that never ran (its closure was dropped) as cancelled.
struct BlockingGuard {
    recorder: Recorder,
    task: TaskId,
    /// Set once the work started: it is then on a lane, and a panic ends its poll.
    lane: Option<LaneId>,
    done: bool,
}

impl BlockingGuard {
    fn disarm(&mut self) {
        self.done = true;
    }
}

impl Drop for BlockingGuard {
    fn drop(&mut self) {
        if !self.done {
            let outcome = if self.lane.is_some() && std::thread::panicking() {
                self.recorder.record(EventKind::PollEnd {
                    task: self.task,
                    lane: self.lane,
                    outcome: super::PollOutcome::Panicked,
                    waiting_on: None,
                });
                TaskOutcome::Panicked
            } else {
                TaskOutcome::Cancelled
            };
            self.recorder.record(EventKind::Complete {
                task: self.task,
                outcome,
            });
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn thread_name(lane: LaneId) -> String {
    match std::thread::current().name() {
        Some(name) => name.to_owned(),
        None => format!("thread {}", lane.0),
    }
}

#[cfg(target_arch = "wasm32")]
fn thread_name(_lane: LaneId) -> String {
    "main".to_owned()
}
