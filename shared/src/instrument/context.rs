//! The per-thread task context: which instrumented task is running on this thread right
//! now (being polled, dropped, or run as blocking work), so that whatever records from
//! inside it can say so. It uses the recorder (to record through) and the poll stage (to
//! fill in); the task wrapper, the await points and blocking work use it.
//!
//! A wake made meanwhile is that task's; an await point records through the task's
//! recorder (so it needs none of its own: cloning one per `.await` bounced its reference
//! count between cores); a poll gathers its record in its stage. All of that is one
//! thread-local pointer to a [`TaskContext`] on the running poll's stack.
//!
//! Soundness rests on one rule: the pointer is only ever set by [`with_task_scope`] and
//! [`with_poll_scope`], to a context on their own stack, for the length of the closure
//! they run, and put back as it was when the closure returns or unwinds (by a guard that
//! lives only inside them, so nobody can forget it). The context borrows what it points at
//! (the recorder, the poll's stage and clones) for that call, and it is only ever lent
//! out by reference, to a closure ([`with_task_context`]): so a non-null pointer always
//! points at a live context whose borrows are live, and no copy of it outlives its scope.

use std::cell::Cell;

use super::event::{EventKind, Name, SpanId, SpawnEvent, TaskId, TaskKind};
use super::recorder::Recorder;
use super::stage::{PollStage, Resource};

thread_local! {
    /// The context of the instrumented task running on this thread, if any (see the
    /// module documentation for who sets it, and for how long).
    static CONTEXT: Cell<*const TaskContext> = const { Cell::new(std::ptr::null()) };
}

/// The task running on this thread, as everything that records from inside it needs it.
/// Only [`with_task_scope`] and [`with_poll_scope`] make one; it is seen only by
/// reference, inside [`with_task_context`].
pub(crate) struct TaskContext {
    recorder_id: u64,
    /// Borrowed from the caller of the scope, for the scope's length.
    recorder: *const Recorder,
    task: TaskId,
    /// The running poll's start (a raw clock reading); meaningless outside a poll.
    started: u64,
    /// What the running poll gathers for its record; null outside a poll. Borrowed
    /// mutably from the caller of [`with_poll_scope`], for the scope's length.
    stage: *mut PollStage,
    /// What the running poll's clones of its own waker draw on; null outside a poll. Its
    /// true lifetime is the scope's (see [`TaskContext::poll_clones`]).
    clones: *const PollClones<'static>,
}

/// What a poll's clones of its task's own waker draw on and count: the task's reserve of
/// references, and the poll's count of clones (sent with its `Poll` event). The task
/// wrapper owns the meaning of both; this is where the running poll's are found.
///
/// Cells, because a clone can happen anywhere inside the poll, even inside another clone's
/// bookkeeping (a waker dropped there): each step is a plain load or store, never a
/// reference that could overlap another.
pub(crate) struct PollClones<'a> {
    /// The task's waker, as an address to compare with: only the clones of this one count.
    pub(crate) waker: *const (),
    /// References to `waker` the task holds for the clones its polls hand out.
    pub(crate) reserve: &'a Cell<u32>,
    /// Clones of `waker` made in this poll.
    pub(crate) clones: Cell<u32>,
}

/// Run `f` as the task `task` of `recorder`, outside a poll (its future being dropped, or
/// its blocking work running). Whatever ran on this thread before is this thread's again
/// when `f` returns or unwinds.
#[inline]
pub(crate) fn with_task_scope<R>(recorder: &Recorder, task: TaskId, f: impl FnOnce() -> R) -> R {
    let context = TaskContext {
        recorder_id: recorder.id(),
        recorder,
        task,
        started: 0,
        stage: std::ptr::null_mut(),
        clones: std::ptr::null(),
    };
    enter(&context, f)
}

/// Run `f` as a poll of the task `task` of `recorder`, which started at `started` (a
/// [`Recorder::poll_started`] reading), gathering into `stage` and counting into `clones`.
/// Whatever ran on this thread before (a poll can run inside another's) is this thread's
/// again when `f` returns or unwinds.
#[inline]
pub(crate) fn with_poll_scope<R>(
    recorder: &Recorder,
    task: TaskId,
    started: u64,
    stage: &mut PollStage,
    clones: &PollClones<'_>,
    f: impl FnOnce() -> R,
) -> R {
    let context = TaskContext {
        recorder_id: recorder.id(),
        recorder,
        task,
        started,
        stage,
        clones: std::ptr::from_ref(clones).cast(),
    };
    enter(&context, f)
}

/// Make `context` this thread's for the length of `f`.
#[inline(always)]
fn enter<R>(context: &TaskContext, f: impl FnOnce() -> R) -> R {
    /// Puts back the context that was this thread's; dropped also when `f` unwinds.
    struct Restore(*const TaskContext);
    impl Drop for Restore {
        #[inline(always)]
        fn drop(&mut self) {
            CONTEXT.set(self.0);
        }
    }
    let _restore = Restore(CONTEXT.replace(context));
    f()
}

/// Run `f` with the context of the task running on this thread, if any.
#[inline]
pub(crate) fn with_task_context<R>(f: impl FnOnce(&TaskContext) -> R) -> Option<R> {
    // SAFETY: only `enter` sets the pointer: to a context on the stack of a call that is
    // still running (it is below us on this thread's stack), and it puts back the previous
    // value before that call returns or unwinds. So a non-null pointer is a live context,
    // and `f` gets it for less time than that call lasts.
    unsafe { CONTEXT.get().as_ref() }.map(f)
}

impl TaskContext {
    #[inline(always)]
    fn recorder(&self) -> &Recorder {
        // SAFETY: borrowed by the scope that made this context, which is still running
        // while anyone holds `&self` (see `with_task_context`).
        unsafe { &*self.recorder }
    }

    /// The running poll's stage, if this is a poll.
    ///
    /// Only this module's methods below call it, and each uses the reference for a few
    /// steps of the stage's own bookkeeping, calling nothing that could reach this context
    /// meanwhile, so no two of them overlap.
    #[allow(clippy::mut_from_ref)]
    #[inline(always)]
    fn stage(&self) -> Option<&mut PollStage> {
        // SAFETY: borrowed mutably by the scope that made this context, which is still
        // running (see `recorder`), and reached only here, one use at a time (see above).
        unsafe { self.stage.as_mut() }
    }

    /// The running poll's clones, if this is a poll.
    #[inline(always)]
    pub(crate) fn poll_clones(&self) -> Option<&PollClones<'_>> {
        // SAFETY: borrowed by the scope that made this context, which is still running
        // (see `recorder`); the reserve it refers to outlives that scope, so shortening
        // its lifetime to `&self`'s is sound.
        unsafe { self.clones.as_ref() }
    }

    /// The running poll's start, if this is a poll of a task of the recorder `recorder_id`.
    #[inline(always)]
    fn poll_start_for(&self, recorder_id: u64) -> Option<u64> {
        (self.recorder_id == recorder_id && !self.stage.is_null()).then_some(self.started)
    }

    /// An await point of this task returned Pending for the first time: it is recorded as
    /// opened when the running poll ends, if it is still waiting then (see [`PollStage`]).
    #[inline(always)]
    pub(crate) fn open_span(&self, name: &'static str, resource: Resource) -> (TaskId, SpanId) {
        let (recorder, task) = (self.recorder(), self.task);
        let span = recorder.next_span();
        let staged = self
            .stage()
            .is_some_and(|stage| stage.claim(span, resource, name, true) || stage.push(span, name));
        if !staged {
            recorder.record(EventKind::SpanEnter {
                task,
                span,
                name: name.into(),
            });
        }
        (task, span)
    }

    /// An await point already open returned Pending again.
    #[inline(always)]
    pub(crate) fn still_pending(&self, span: SpanId, resource: Resource, name: &'static str) {
        if let Some(stage) = self.stage() {
            stage.claim(span, resource, name, false);
        }
    }

    /// The await point `span` of `task` is done waiting (ready, or dropped).
    #[inline(always)]
    pub(crate) fn close_span(&self, task: TaskId, span: SpanId) {
        let folded = self.stage().is_some_and(|stage| stage.close(task, span));
        if !folded {
            self.recorder()
                .record_in_poll(EventKind::SpanExit { task, span });
        }
    }
}

/// See [`Recorder::waker_here`].
pub(crate) enum WakerHere {
    /// This recorder's task.
    Task(TaskId),
    /// One of this recorder's lanes, in no task: the runtime's driver.
    Lane,
    /// Another recorder's task, or a thread that is none of this recorder's lanes.
    Foreign,
}

/// What the recorder does that depends on the task running on this thread.
impl Recorder {
    /// Record `kind` at the time of this thread's last event, without reading the clock,
    /// if that event belongs to the poll running on this thread; otherwise now.
    ///
    /// For what happens inside a poll and needs no time of its own (a waker cloned, an
    /// await point found ready): a clock read costs more than the rest of a record. The
    /// event stays in order on its thread, and inside its poll.
    #[inline]
    pub(crate) fn record_in_poll(&self, kind: EventKind) {
        let id = self.id();
        let since = with_task_context(|context| context.poll_start_for(id)).flatten();
        self.record_since(kind, since);
    }

    /// The task of this recorder running on this thread, if any.
    pub(crate) fn current_task(&self) -> Option<TaskId> {
        let id = self.id();
        with_task_context(|context| (context.recorder_id == id).then_some(context.task)).flatten()
    }

    /// Who runs on this thread, for a wake made here: a task of this recorder, a task of
    /// another one, or no task (then: is this thread one of this recorder's lanes?). One
    /// look at the context, on every wake's path.
    #[inline(always)]
    pub(crate) fn waker_here(&self) -> WakerHere {
        let id = self.id();
        let ours = |context: &TaskContext| (context.recorder_id == id).then_some(context.task);
        match with_task_context(ours) {
            Some(Some(task)) => WakerHere::Task(task),
            Some(None) => WakerHere::Foreign,
            None if self.current_lane().is_some() => WakerHere::Lane,
            None => WakerHere::Foreign,
        }
    }

    /// Record a new task; its parent is the instrumented task running on this thread.
    pub(crate) fn new_task(&self, name: Name, kind: TaskKind) -> TaskId {
        let task = self.next_task();
        self.record(EventKind::Spawn(SpawnEvent {
            task,
            name,
            parent: self.current_task(),
            task_kind: kind,
        }));
        task
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn current() -> Option<TaskId> {
        with_task_context(|context| context.task)
    }

    #[test]
    fn nested_scopes_restore_the_one_around_them() {
        let recorder = Recorder::new(16);
        assert_eq!(current(), None);
        let inner = with_task_scope(&recorder, TaskId(1), || {
            assert_eq!(current(), Some(TaskId(1)));
            let inner = with_task_scope(&recorder, TaskId(2), current);
            assert_eq!(current(), Some(TaskId(1)));
            inner
        });
        assert_eq!(inner, Some(TaskId(2)));
        assert_eq!(current(), None);
    }

    #[cfg(not(target_arch = "wasm32"))] // wasm32 aborts on panic
    #[test]
    fn a_panic_inside_a_scope_restores_the_one_around_it() {
        let recorder = Recorder::new(16);
        with_task_scope(&recorder, TaskId(1), || {
            let unwound = std::panic::catch_unwind(|| {
                with_task_scope(&recorder, TaskId(2), || panic!("inside task 2"))
            });
            assert!(unwound.is_err());
            assert_eq!(current(), Some(TaskId(1)));
        });
        assert_eq!(current(), None);
    }

    #[test]
    fn a_poll_scope_lends_its_stage_and_clones_and_gets_them_back() {
        let recorder = Recorder::new(16);
        let mut stage = PollStage::new(TaskId(7));
        let reserve = Cell::new(3);
        let clones = PollClones {
            waker: std::ptr::null(),
            reserve: &reserve,
            clones: Cell::new(0),
        };
        let (task, span) = with_poll_scope(&recorder, TaskId(7), 0, &mut stage, &clones, || {
            with_task_context(|context| {
                let poll = context.poll_clones().expect("a poll has clones");
                poll.clones.set(poll.clones.get() + 1);
                poll.reserve.set(poll.reserve.get() - 1);
                context.open_span("read", Resource::Io)
            })
            .expect("inside a scope")
        });
        assert_eq!(task, TaskId(7));
        assert_eq!((clones.clones.get(), reserve.get()), (1, 2));
        // The span became the poll's `waiting_on`, in the stage, not an event.
        assert_eq!(
            stage.pending.map(|(s, _, name)| (s, name)),
            Some((span, "read"))
        );
        assert_eq!(stage.waits_on(), Some(Resource::Io));
        assert!(recorder.drain().is_empty());
        assert_eq!(current(), None);
    }
}
