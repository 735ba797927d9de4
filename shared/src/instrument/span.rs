//! [`AwaitPoint`]: a named `.await` inside a task, recorded as a span.
//!
//! The span opens when a poll ends with the inner future still Pending (the task yields
//! there), and closes when it is ready (or dropped). An await point that never made its
//! task wait is not recorded: in an echo server most writes complete immediately, and
//! recording them would double the events for nothing the learner needs to see.
//!
//! When the inner future returns Pending, the span marks itself as what the task is
//! waiting on, so the task's `Poll` event names the `.await` that could not go on, and a
//! wake from the runtime's driver is told apart as reactor (I/O) or timer.
//!
//! It records through the task context (and so needs no recorder of its own).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use super::context::with_task_context;
use super::event::{SpanId, TaskId};
use super::recorder::Recorder;
pub use super::stage::Resource;

pin_project! {
    /// A named `.await`. Create with [`Recorder::io`], [`Recorder::timer`] or
    /// [`Recorder::point`].
    ///
    /// It holds no recorder: it records through the task that polls it (see
    /// `with_task_context`), so wrapping an `.await` costs no reference-count traffic.
    pub struct AwaitPoint<F> {
        #[pin]
        future: F,
        name: &'static str,
        resource: Resource,
        // Set when it first returns Pending inside an instrumented task.
        open: Option<(TaskId, SpanId)>,
    }

    impl<F> PinnedDrop for AwaitPoint<F> {
        #[inline(always)]
        fn drop(this: Pin<&mut Self>) {
            if let Some((task, span)) = this.project().open.take() {
                dropped_waiting(task, span);
            }
        }
    }
}

impl Recorder {
    /// A named `.await` waiting on a socket: a wake while it waits is the reactor's.
    pub fn io<F: Future>(&self, name: &'static str, future: F) -> AwaitPoint<F> {
        AwaitPoint::new(name, Resource::Io, future)
    }

    /// A named `.await` waiting on a timer: a wake while it waits is the timer's.
    pub fn timer<F: Future>(&self, name: &'static str, future: F) -> AwaitPoint<F> {
        AwaitPoint::new(name, Resource::Timer, future)
    }

    /// A named `.await` on anything else (a channel, a lock, another task).
    pub fn point<F: Future>(&self, name: &'static str, future: F) -> AwaitPoint<F> {
        AwaitPoint::new(name, Resource::Other, future)
    }
}

impl<F: Future> AwaitPoint<F> {
    fn new(name: &'static str, resource: Resource, future: F) -> Self {
        Self {
            future,
            name,
            resource,
            open: None,
        }
    }
}

impl<F: Future> Future for AwaitPoint<F> {
    type Output = F::Output;

    #[inline(always)]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let poll = this.future.poll(cx);
        match (&poll, *this.open) {
            (Poll::Pending, None) => {
                let (name, resource) = (*this.name, *this.resource);
                *this.open = with_task_context(|context| context.open_span(name, resource));
            }
            (Poll::Pending, Some((_, span))) => {
                let (name, resource) = (*this.name, *this.resource);
                with_task_context(|context| context.still_pending(span, resource, name));
            }
            (Poll::Ready(_), Some((task, span))) => {
                with_task_context(|context| context.close_span(task, span));
                *this.open = None;
            }
            (Poll::Ready(_), None) => {}
        }
        poll
    }
}

/// An await point dropped while it waited (a `select!` branch that lost, a timeout).
#[cold]
#[inline(never)]
fn dropped_waiting(task: TaskId, span: SpanId) {
    with_task_context(|context| context.close_span(task, span));
}
