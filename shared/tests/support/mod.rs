//! A tiny single-threaded executor for tests: a ready queue and a list of tasks. It runs
//! the same on native and on wasm32, and its order is deterministic (FIFO).

#![allow(dead_code)]

use std::collections::{BTreeMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

use pollscope_shared::instrument::{Event, EventKind, TaskId};

type Task = Pin<Box<dyn Future<Output = ()>>>;

#[derive(Default)]
pub struct Executor {
    ready: Arc<Mutex<VecDeque<usize>>>,
    tasks: Vec<Option<Task>>,
}

struct Slot {
    index: usize,
    ready: Arc<Mutex<VecDeque<usize>>>,
}

impl Wake for Slot {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        let mut ready = self.ready.lock().unwrap();
        if !ready.contains(&self.index) {
            ready.push_back(self.index);
        }
    }
}

impl Executor {
    pub fn spawn(&mut self, future: impl Future<Output = ()> + 'static) {
        self.tasks.push(Some(Box::pin(future)));
        self.ready.lock().unwrap().push_back(self.tasks.len() - 1);
    }

    /// Poll ready tasks until none is ready. Returns how many tasks are unfinished.
    pub fn run_until_stalled(&mut self) -> usize {
        loop {
            let next = self.ready.lock().unwrap().pop_front();
            let Some(index) = next else { break };
            let waker = Waker::from(Arc::new(Slot {
                index,
                ready: self.ready.clone(),
            }));
            if let Some(task) = self.tasks[index].as_mut()
                && task
                    .as_mut()
                    .poll(&mut Context::from_waker(&waker))
                    .is_ready()
            {
                self.tasks[index] = None;
            }
        }
        self.tasks.iter().filter(|t| t.is_some()).count()
    }
}

/// Check the rules every recording must follow (tasks may still be alive), and return
/// events per task: the testkit's checker, which the other crates' tests use too.
pub fn check_consistency(events: &[Event]) -> BTreeMap<TaskId, Vec<EventKind>> {
    pollscope_shared::testkit::check_recording(events, pollscope_shared::testkit::Coverage::SoFar)
}

/// A future that returns Pending `times` times, waking itself each time.
pub struct YieldN {
    pub left: u32,
}

impl Future for YieldN {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.left == 0 {
            return Poll::Ready(());
        }
        self.left -= 1;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

/// A one-shot signal: `wait()` is Pending until `fire()` is called (from anywhere).
#[derive(Clone, Default)]
pub struct Signal(Arc<Mutex<(bool, Option<Waker>)>>);

impl Signal {
    pub fn fire(&self) {
        let waker = {
            let mut state = self.0.lock().unwrap();
            state.0 = true;
            state.1.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// A clone of the stored waker, if a waiter stored one.
    pub fn clone_waker(&self) -> Option<Waker> {
        self.0.lock().unwrap().1.clone()
    }

    pub fn wait(&self) -> impl Future<Output = ()> + 'static {
        let signal = self.clone();
        std::future::poll_fn(move |cx| {
            let mut state = signal.0.lock().unwrap();
            if state.0 {
                Poll::Ready(())
            } else {
                state.1 = Some(cx.waker().clone());
                Poll::Pending
            }
        })
    }
}
