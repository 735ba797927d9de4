//! Two hand-written futures: a timer delay and a join of two futures.
//!
//! [`Delay`] follows the poll contract to the letter: the first poll arms the timer and
//! stores the waker; every poll before the timer fires returns `Pending` (and refreshes
//! the stored waker, since the executor may pass a different one); the timer's callback
//! marks the delay done and calls `wake`; the next poll returns `Ready`.
//! [`Join2`] polls both children each time it is polled and is ready only when both are.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use super::timer::{TimerHandle, TimerSource};

/// What the page shows of a delay: its inner state, exactly as `poll` left it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DelayView {
    pub name: &'static str,
    pub ms: u32,
    /// The timer is armed (set by the first poll).
    pub armed: bool,
    /// The timer fired: the next poll returns Ready.
    pub fired: bool,
    /// A waker is stored, waiting for the timer to call it.
    pub waker_stored: bool,
    pub polls: u32,
    /// The timer's callback called `wake` (once).
    pub woke: bool,
}

#[derive(Default)]
struct DelayState {
    view: DelayView,
    waker: Option<Waker>,
}

/// Reads a [`Delay`]'s state from outside the task that owns it.
#[derive(Clone)]
pub struct DelayWatch(Rc<RefCell<DelayState>>);

impl DelayWatch {
    pub fn view(&self) -> DelayView {
        self.0.borrow().view.clone()
    }
}

/// Completes `ms` milliseconds after its first poll. Output: its name.
pub struct Delay {
    state: Rc<RefCell<DelayState>>,
    timers: Rc<dyn TimerSource>,
    /// Keeps the armed timer alive (dropping the delay cancels it).
    timer: Option<TimerHandle>,
}

impl Delay {
    pub fn new(name: &'static str, ms: u32, timers: Rc<dyn TimerSource>) -> Self {
        let state = DelayState {
            view: DelayView {
                name,
                ms,
                ..DelayView::default()
            },
            waker: None,
        };
        Self {
            state: Rc::new(RefCell::new(state)),
            timers,
            timer: None,
        }
    }

    /// A handle the page keeps to read this delay's state while a task owns the delay.
    pub fn watch(&self) -> DelayWatch {
        DelayWatch(self.state.clone())
    }
}

// [demo:start]
impl Future for Delay {
    type Output = &'static str;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<&'static str> {
        let mut state = self.state.borrow_mut();
        state.view.polls += 1;
        if state.view.fired {
            state.waker = None;
            state.view.waker_stored = false;
            return Poll::Ready(state.view.name);
        }
        // Store (or refresh) the waker: whoever fires the timer needs the latest one.
        state.waker = Some(cx.waker().clone());
        state.view.waker_stored = true;
        let arm = !state.view.armed;
        state.view.armed = true;
        let ms = state.view.ms;
        drop(state);
        if arm {
            let shared = self.state.clone();
            let handle = self.timers.start(
                ms,
                Box::new(move || {
                    let waker = {
                        let mut state = shared.borrow_mut();
                        state.view.fired = true;
                        state.view.woke = state.waker.is_some();
                        state.view.waker_stored = false;
                        state.waker.take()
                    };
                    // The event source calls `wake`: the executor learns the task can progress.
                    if let Some(waker) = waker {
                        waker.wake();
                    }
                }),
            );
            self.timer = Some(handle);
        }
        Poll::Pending
    }
}

// [demo:end]

/// A child of [`Join2`]: still running, or done with its output kept.
enum Child<F: Future> {
    Running(F),
    Done(Option<F::Output>),
}

impl<F: Future + Unpin> Child<F> {
    /// Poll if still running; true once done.
    fn poll_done(&mut self, cx: &mut Context<'_>) -> bool {
        if let Child::Running(future) = self
            && let Poll::Ready(output) = Pin::new(future).poll(cx)
        {
            *self = Child::Done(Some(output));
        }
        matches!(self, Child::Done(_))
    }

    fn take(&mut self) -> Option<F::Output> {
        match self {
            Child::Done(output) => output.take(),
            Child::Running(_) => None,
        }
    }
}

/// Polls both futures every time it is polled; ready when both are. The same idea as
/// `tokio::join!`, written out.
pub struct Join2<A: Future, B: Future> {
    a: Child<A>,
    b: Child<B>,
}

impl<A: Future + Unpin, B: Future + Unpin> Join2<A, B> {
    pub fn new(a: A, b: B) -> Self {
        Self {
            a: Child::Running(a),
            b: Child::Running(b),
        }
    }
}

impl<A, B> Future for Join2<A, B>
where
    A: Future + Unpin,
    B: Future + Unpin,
    A::Output: Unpin,
    B::Output: Unpin,
{
    type Output = (A::Output, B::Output);

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        // Both children get the same waker: whichever timer fires wakes the join's task.
        let a_done = this.a.poll_done(cx);
        let b_done = this.b.poll_done(cx);
        if a_done && b_done {
            match (this.a.take(), this.b.take()) {
                (Some(a), Some(b)) => Poll::Ready((a, b)),
                // Polled again after Ready: the outputs are gone. A contract violation by
                // the executor; stay pending rather than panic.
                _ => Poll::Pending,
            }
        } else {
            Poll::Pending
        }
    }
}
