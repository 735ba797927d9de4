//! [`PollStage`]: what one poll learns about its await points, gathered on its stack for
//! the record written when it ends; and [`Resource`], what an await point waits on.
//!
//! Plain data with no behaviour beyond its own bookkeeping: it uses only the event ids.
//! The recorder reads it when it writes a poll's record; the task context fills it in.

use std::mem::MaybeUninit;

use super::event::{SpanId, TaskId};

/// What an await point waits on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Resource {
    /// A socket or other readiness-based I/O: woken by the reactor.
    Io = 0,
    /// A sleep or deadline: woken by the timer.
    Timer = 1,
    /// Anything else: a channel, a lock, another task's signal.
    Other = 2,
}

impl Resource {
    pub(crate) fn from_u8(value: u8) -> Self {
        match value {
            0 => Self::Io,
            1 => Self::Timer,
            _ => Self::Other,
        }
    }
}

/// What one poll gathers, on its stack, for the record written when it ends:
/// - the await point it resumed at (the first one that had made the task wait and is
///   done in this poll; any other is a `SpanExit` event);
/// - the innermost await point still Pending (inner ones return first, so the first to
///   claim it wins): the poll's `waiting_on`, which opens it if it is new;
/// - the other await points that first returned Pending in it: the wait starts when the
///   task yields, so they are recorded with the poll's end, with its time. One that is
///   done before then (a `select!` branch dropped when another won) made the task wait
///   for nothing and is not recorded at all.
pub(crate) struct PollStage {
    pub(super) task: TaskId,
    pub(super) resumed: Option<SpanId>,
    pub(super) pending: Option<(SpanId, Resource, &'static str)>,
    /// `pending` first returned Pending in this poll (it is in no list).
    pending_is_new: bool,
    /// The first `len` are set. Left uninitialised otherwise: this lives on every poll's
    /// stack, and zeroing it cost more than the rest of the poll's bookkeeping.
    spans: [MaybeUninit<(SpanId, &'static str)>; PollStage::CAPACITY],
    pub(super) len: usize,
}

impl PollStage {
    /// Beyond this many in one poll, a span is recorded as opened at once.
    const CAPACITY: usize = 4;

    #[inline]
    pub(crate) fn new(task: TaskId) -> Self {
        Self {
            task,
            resumed: None,
            pending: None,
            pending_is_new: false,
            spans: [MaybeUninit::uninit(); Self::CAPACITY],
            len: 0,
        }
    }

    /// What the task waits on after this poll, if anything: what its first
    /// Pending await point waits on.
    pub(crate) fn waits_on(&self) -> Option<Resource> {
        self.pending.map(|(_, resource, _)| resource)
    }

    /// Make `span` the poll's `waiting_on`, unless an await point claimed it first.
    pub(super) fn claim(
        &mut self,
        span: SpanId,
        resource: Resource,
        name: &'static str,
        new: bool,
    ) -> bool {
        if self.pending.is_some() {
            return false;
        }
        self.pending = Some((span, resource, name));
        self.pending_is_new = new;
        true
    }

    /// The await points opened in this poll besides its `waiting_on`.
    pub(super) fn opened(&self) -> &[(SpanId, &'static str)] {
        // SAFETY: the first `len` elements are initialised (`push` writes before it counts),
        // and `MaybeUninit<T>` has `T`'s layout.
        unsafe { std::slice::from_raw_parts(self.spans.as_ptr().cast(), self.len) }
    }

    /// Keep an await point opened in this poll; false if there is no room.
    pub(super) fn push(&mut self, span: SpanId, name: &'static str) -> bool {
        if self.len == Self::CAPACITY {
            return false;
        }
        self.spans[self.len] = MaybeUninit::new((span, name));
        self.len += 1;
        true
    }

    /// The await point `span` of `task` is done waiting: true if this poll's record says
    /// so (or that it never waited), false if it needs a `SpanExit` event of its own.
    #[inline(always)]
    pub(super) fn close(&mut self, task: TaskId, span: SpanId) -> bool {
        if self.pending.is_some_and(|(pending, _, _)| pending == span) {
            self.pending = None;
            if self.pending_is_new {
                // Opened and closed within one poll: the task never waited on it.
                return true;
            }
        } else if self.remove(span) {
            return true;
        }
        if self.task == task && self.resumed.is_none() {
            // The wait this poll resumed from: it rides in the poll's record.
            self.resumed = Some(span);
            return true;
        }
        false
    }

    /// Forget a span opened in this poll; false if it was not.
    #[inline(always)]
    fn remove(&mut self, span: SpanId) -> bool {
        let Some(i) = self.opened().iter().position(|s| s.0 == span) else {
            return false;
        };
        self.spans.copy_within(i + 1..self.len, i);
        self.len -= 1;
        true
    }
}
