//! [`Instrumented`]: a future wrapped so that its life as a task is recorded.
//!
//! The runtime polls the wrapper; the wrapper polls the real future, but with a waker of
//! its own (`TaskWaker`) instead of the runtime's. That is the only way to *see* wakes:
//! whoever the real future hands the waker to (a socket registration, a timer, another
//! task) calls our waker, which records who called it and then wakes the runtime's
//! waker, so scheduling is unchanged. Cloning and dropping it are recorded too, through a
//! hand-written `RawWakerVTable` (the safe `Wake` trait cannot observe clones).
//!
//! It uses the recorder (to record), the poll stage (what a poll gathers) and the task
//! context (to make each poll and the drop this thread's running task).

use std::cell::{Cell, UnsafeCell};
use std::future::Future;
use std::mem::ManuallyDrop;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};

use pin_project_lite::pin_project;

use super::context::{PollClones, WakerHere, with_poll_scope, with_task_context, with_task_scope};
use super::event::{
    EventKind, LaneKind, Name, PollOutcome, TaskId, TaskKind, TaskOutcome, WakeSource,
};
use super::recorder::{PollEnd, Recorder};
use super::stage::{PollStage, Resource};

pin_project! {
    /// A future whose spawn, polls, wakes and completion are recorded. Create with
    /// [`Recorder::task`].
    ///
    /// What a poll reads is here, together, ahead of the future: copies of the waker's task
    /// id, recorder and resource, so that a poll touches only the task's own memory. The
    /// waker's allocation is what the waking core reads (and its reference count what it
    /// writes), often on the other core.
    #[repr(C)]
    pub struct Instrumented<F: Future> {
        task: TaskId,
        done: bool,
        // The resource last stored in the waker's `waiting_on`.
        waiting_on: u8,
        // References to `waker` this task holds for the clones its polls hand out (see
        // `RESERVE_BATCH`).
        reserve: u32,
        recorder: Recorder,
        // The runtime waker last stored in `waker`, kept here to skip the lock when
        // unchanged.
        last_runtime_waker: Option<Waker>,
        is_error: fn(&F::Output) -> bool,
        waker: Arc<TaskWaker>,
        // Always `Some` until the drop, which drops it in place (`Pin::set`) before the
        // completion is recorded: dropping it may close await points and drop wakers, and
        // those events belong before the task's end.
        #[pin]
        future: Option<F>,
    }

    impl<F: Future> PinnedDrop for Instrumented<F> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            // Dropping it runs inside the task's context, so the await points it closes and
            // the wakes it causes are the task's.
            let mut future = this.future;
            with_task_scope(this.recorder, *this.task, || future.set(None));
            // Give back the references no clone took (the reserve, and those this thread
            // holds); `waker` still holds one.
            let waker = Arc::as_ptr(this.waker);
            let held = with_held(|held| held.take_all(waker)).unwrap_or(0);
            for _ in 0..*this.reserve + held {
                // SAFETY: each is a strong count this task or this thread owned.
                unsafe { Arc::decrement_strong_count(waker) };
            }
            if !*this.done {
                *this.done = true;
                this.waker.complete(TaskOutcome::Cancelled);
            }
        }
    }
}

/// A clone of a waker must own a reference, and the waker's reference count is also
/// written by whoever wakes it (the consuming `wake`), often on the other core: an
/// increment per clone is a locked instruction on a line that core just wrote, on the
/// poll's path. So a task takes references in batches (its `reserve`) and its polls hand
/// them out with no atomic operation, counting them (see [`PollClones`]). (Removing both
/// that increment and the wake's decrement, unsoundly, for a measurement, gained about two
/// points of echo throughput; the decrement on the waking side remains.)
///
/// How many references to its waker a task takes at once for the clones it hands out.
const RESERVE_BATCH: u32 = 16;

/// The waker handed to the instrumented future.
///
/// Aligned to a cache line so that, inside its `Arc`, the reference counts (written by
/// every clone and every wake, often from the other core) do not share a line with these
/// fields, which a wake only reads.
#[repr(align(64))]
struct TaskWaker {
    task: TaskId,
    recorder: Recorder,
    /// The runtime's waker for this task, stored by the first poll. Runtimes hand a task
    /// the same waker on every poll, so a wake reads it without taking a lock.
    runtime_waker: OnceLock<Waker>,
    /// Used instead, from the first poll that brings a waker that would not wake the
    /// first one (the task moved to another executor).
    replaced_waker: Mutex<Option<Waker>>,
    replaced: AtomicBool,
    /// What the task's innermost pending await point waits on (a [`Resource`] as u8).
    waiting_on: AtomicU8,
    /// Set when the task completed: late wakes are forwarded but no longer recorded.
    completed: AtomicBool,
}

impl Recorder {
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
}

impl<F: Future> Instrumented<F> {
    fn new(recorder: Recorder, name: Name, future: F) -> Self {
        let task = recorder.new_task(name, TaskKind::Async);
        Self {
            task,
            done: false,
            waiting_on: Resource::Other as u8,
            reserve: 0,
            recorder: recorder.clone(),
            last_runtime_waker: None,
            is_error: |_| false,
            waker: Arc::new(TaskWaker {
                task,
                recorder,
                runtime_waker: OnceLock::new(),
                replaced_waker: Mutex::new(None),
                replaced: AtomicBool::new(false),
                waiting_on: AtomicU8::new(Resource::Other as u8),
                completed: AtomicBool::new(false),
            }),
            future: Some(future),
        }
    }

    /// Which outputs count as [`TaskOutcome::Error`].
    pub fn errors_when(mut self, is_error: fn(&F::Output) -> bool) -> Self {
        self.is_error = is_error;
        self
    }

    pub fn id(&self) -> TaskId {
        self.task
    }
}

impl<F: Future> Future for Instrumented<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let future = this
            .future
            .as_pin_mut()
            .expect("only its drop takes the future");
        let task = *this.task;
        let recorder = &*this.recorder;

        if !this
            .last_runtime_waker
            .as_ref()
            .is_some_and(|w| w.will_wake(cx.waker()))
        {
            this.waker.store_runtime_waker(cx.waker());
            *this.last_runtime_waker = Some(cx.waker().clone());
        }

        let lane = Some(recorder.lane(LaneKind::Worker));
        let started = recorder.poll_started();
        let waker = this.waker.borrowed_waker();
        let mut inner_cx = Context::from_waker(&waker);
        let mut stage = PollStage::new(task);
        let clones = PollClones {
            waker: Arc::as_ptr(this.waker).cast(),
            reserve: Cell::from_mut(this.reserve),
            clones: Cell::new(0),
        };
        let result = with_poll_scope(recorder, task, started, &mut stage, &clones, || {
            catch_unwind(AssertUnwindSafe(|| future.poll(&mut inner_cx)))
        });
        let waker_clones = clones.clones.get();
        let end = |outcome| {
            let end = PollEnd {
                lane,
                outcome,
                waker_clones,
            };
            recorder.record_poll(started, &stage, end);
        };

        match result {
            Ok(Poll::Pending) => {
                let resource = stage.waits_on().unwrap_or(Resource::Other) as u8;
                // Written only when it changes, so the waker's line stays shared with the
                // waking core.
                if *this.waiting_on != resource {
                    *this.waiting_on = resource;
                    this.waker.waiting_on.store(resource, Ordering::Relaxed);
                }
                end(PollOutcome::Pending);
                Poll::Pending
            }
            Ok(Poll::Ready(output)) => {
                end(PollOutcome::Ready);
                let outcome = if (this.is_error)(&output) {
                    TaskOutcome::Error
                } else {
                    TaskOutcome::Ok
                };
                *this.done = true;
                this.waker.complete(outcome);
                Poll::Ready(output)
            }
            Err(panic) => {
                end(PollOutcome::Panicked);
                *this.done = true;
                this.waker.complete(TaskOutcome::Panicked);
                // The runtime still sees the panic (as a `JoinError` for tokio).
                resume_unwind(panic)
            }
        }
    }
}

impl TaskWaker {
    /// Record the task's end; wakes after it are forwarded but no longer recorded.
    fn complete(&self, outcome: TaskOutcome) {
        self.completed.store(true, Ordering::Release);
        self.recorder.record(EventKind::Complete {
            task: self.task,
            outcome,
        });
    }

    /// A `Waker` that borrows this `Arc` for the duration of one poll: not counted as a
    /// clone, and never dropped (hence `ManuallyDrop`). Clones made from it are real.
    #[inline]
    fn borrowed_waker(self: &Arc<Self>) -> ManuallyDrop<Waker> {
        let raw = RawWaker::new(Arc::as_ptr(self).cast(), &VTABLE);
        // SAFETY: the vtable's contract holds for a pointer from `Arc::as_ptr` as long as
        // the `Arc` outlives the waker, which it does: the waker lives only in this poll
        // and is never dropped (so never decrements the count it did not increment).
        ManuallyDrop::new(unsafe { Waker::from_raw(raw) })
    }

    #[inline(always)]
    fn wake(&self, by_ref: bool) {
        if !self.completed.load(Ordering::Acquire) {
            self.recorder.record_wake(self.task, self.source(), by_ref);
        }
        // `wake_by_ref` rather than clone-then-wake: a clone is a reference count round
        // trip on the runtime's task, often from another core.
        if self.replaced.load(Ordering::Acquire) {
            // Runtimes only schedule in `wake` (none polls the task inline), so this cannot
            // re-enter the lock.
            if let Some(waker) = lock(&self.replaced_waker).as_ref() {
                waker.wake_by_ref();
            }
        } else if let Some(waker) = self.runtime_waker.get() {
            waker.wake_by_ref();
        }
    }

    /// Remember the waker a poll brought (it differs from the last one remembered).
    fn store_runtime_waker(&self, waker: &Waker) {
        let first = self.runtime_waker.get_or_init(|| waker.clone());
        if !first.will_wake(waker) {
            *lock(&self.replaced_waker) = Some(waker.clone());
            self.replaced.store(true, Ordering::Release);
        }
    }

    /// Who is calling `wake` right now, judged from this thread's context.
    #[inline(always)]
    fn source(&self) -> WakeSource {
        match self.recorder.waker_here() {
            WakerHere::Task(task) => WakeSource::Task(task),
            WakerHere::Foreign => WakeSource::Thread,
            // On a lane of the runtime but inside no task: the runtime's driver is
            // running, typically while the lane is parked. Which driver it is follows from
            // what the task's pending await point said it waits on.
            WakerHere::Lane => match Resource::from_u8(self.waiting_on.load(Ordering::Relaxed)) {
                Resource::Io => WakeSource::Reactor,
                Resource::Timer => WakeSource::Timer,
                Resource::Other => WakeSource::Driver,
            },
        }
    }

    /// Record a clone or drop of this waker: inside a poll, at the time of the thread's
    /// last event (it needs no clock read of its own).
    fn note(&self, kind: fn(TaskId) -> EventKind) {
        if !self.completed.load(Ordering::Acquire) {
            self.recorder.record_in_poll(kind(self.task));
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

static VTABLE: RawWakerVTable = RawWakerVTable::new(clone_raw, wake_raw, wake_by_ref_raw, drop_raw);

// SAFETY (all four): `ptr` always comes from `Arc::<TaskWaker>::as_ptr`/`into_raw`, and
// every waker built by `clone_raw` owns one strong count, which `wake_raw` or `drop_raw`
// release or hand to this thread's `HELD`. The borrowed per-poll waker owns none and is
// never dropped.
unsafe fn clone_raw(ptr: *const ()) -> RawWaker {
    let waker = ptr.cast::<TaskWaker>();
    let this = ManuallyDrop::new(unsafe { Arc::from_raw(waker) });
    let own = with_task_context(|context| {
        let poll = context.poll_clones().filter(|poll| poll.waker == ptr)?;
        // Cloned while its own task is polled: counted in the poll's end, and a reference
        // taken from those this thread holds (see `HELD`), else from the task's reserve.
        poll.clones.set(poll.clones.get() + 1);
        if with_held(|held| held.take(waker)).unwrap_or(false) {
            return Some(());
        }
        if poll.reserve.get() == 0 {
            for _ in 0..RESERVE_BATCH {
                // SAFETY: the pointer is a live `Arc<TaskWaker>`'s (the task holds one).
                unsafe { Arc::increment_strong_count(waker) };
            }
            poll.reserve.set(RESERVE_BATCH);
        }
        poll.reserve.set(poll.reserve.get() - 1);
        Some(())
    });
    if own.flatten().is_some() {
        return RawWaker::new(ptr, &VTABLE);
    }
    this.note(|task| EventKind::WakerClone { task });
    let cloned: Arc<TaskWaker> = Arc::clone(&this);
    RawWaker::new(Arc::into_raw(cloned).cast(), &VTABLE)
}

unsafe fn wake_raw(ptr: *const ()) {
    let this = unsafe { Arc::from_raw(ptr.cast::<TaskWaker>()) };
    this.wake(false);
    give_back(this);
}

unsafe fn wake_by_ref_raw(ptr: *const ()) {
    let this = ManuallyDrop::new(unsafe { Arc::from_raw(ptr.cast::<TaskWaker>()) });
    this.wake(true);
}

unsafe fn drop_raw(ptr: *const ()) {
    let this = unsafe { Arc::from_raw(ptr.cast::<TaskWaker>()) };
    this.note(|task| EventKind::WakerDrop { task });
    give_back(this);
}

/// How many task-waker references one thread holds at most (see [`HELD`]).
const HELD_REFS: usize = 8;

thread_local! {
    /// References to task wakers that a `wake` (or a drop) on this thread gave up, held
    /// for the next clone in a poll of the same task on this thread.
    ///
    /// A socket's waker is cloned in the task's poll and consumed by the reactor's wake,
    /// usually on the other core: releasing it there, then taking a new one in the next
    /// poll, moved the reference count's cache line between the cores twice a round trip.
    /// The runtime often polls a task on the thread that woke it (60% of wakes in the echo
    /// benchmark), so a reference kept here is often the one that poll's clone needs, and
    /// neither takes a locked instruction. Only the run's own threads hold any (they end with the run, and their
    /// references with them), at most `HELD_REFS` (the oldest is released first), and
    /// none for a task that has completed.
    static HELD: UnsafeCell<HeldRefs> = const { UnsafeCell::new(HeldRefs::EMPTY) };
}

/// Run `f` on this thread's [`HELD`] (unless the thread is exiting and it is gone). Only
/// [`HeldRefs`]' own methods are passed as `f`, and they call nothing outside it, so no
/// second borrow can start while this one lasts (a `RefCell`'s check, on every clone and
/// every wake, would guard against nothing).
#[inline(always)]
fn with_held<R>(f: impl FnOnce(&mut HeldRefs) -> R) -> Option<R> {
    // SAFETY: see above: this borrow is the only one while it lasts.
    HELD.try_with(|held| f(unsafe { &mut *held.get() })).ok()
}

/// See [`HELD`]: each entry owns one strong count of its `Arc<TaskWaker>`.
struct HeldRefs {
    refs: [*const TaskWaker; HELD_REFS],
    len: usize,
}

impl HeldRefs {
    const EMPTY: Self = Self {
        refs: [std::ptr::null(); HELD_REFS],
        len: 0,
    };

    /// Keep a reference; returns the one released to make room, if any.
    fn hold(&mut self, waker: *const TaskWaker) -> Option<*const TaskWaker> {
        let evicted = (self.len == HELD_REFS).then(|| {
            let oldest = self.refs[0];
            self.refs.copy_within(1.., 0);
            self.len -= 1;
            oldest
        });
        self.refs[self.len] = waker;
        self.len += 1;
        evicted
    }

    /// Take a reference to `waker`, if one is held.
    fn take(&mut self, waker: *const TaskWaker) -> bool {
        let Some(i) = self.refs[..self.len].iter().position(|&r| r == waker) else {
            return false;
        };
        self.refs.copy_within(i + 1..self.len, i);
        self.len -= 1;
        true
    }

    /// Take every reference to `waker`: how many there were.
    fn take_all(&mut self, waker: *const TaskWaker) -> u32 {
        let mut taken = 0;
        while self.take(waker) {
            taken += 1;
        }
        taken
    }
}

impl Drop for HeldRefs {
    fn drop(&mut self) {
        for &waker in &self.refs[..self.len] {
            // SAFETY: each entry owns one strong count.
            unsafe { Arc::decrement_strong_count(waker) };
        }
    }
}

/// Give up a reference a waker owned: held on this thread for its task's next poll (see
/// [`HELD`]), or released.
#[inline(always)]
fn give_back(this: Arc<TaskWaker>) {
    if this.completed.load(Ordering::Relaxed) || this.recorder.current_lane().is_none() {
        return drop(this);
    }
    let waker = Arc::into_raw(this);
    // Released outside the borrow: dropping the last reference may drop a runtime waker,
    // and with it code that wakes or drops other wakers on this thread.
    let release = with_held(|held| held.hold(waker)).unwrap_or(Some(waker));
    if let Some(waker) = release {
        // SAFETY: an owned strong count (this waker's, or the evicted entry's).
        unsafe { Arc::decrement_strong_count(waker) };
    }
}
