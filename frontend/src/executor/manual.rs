//! [`ManualExecutor`]: an executor whose scheduler is the learner.
//!
//! An executor is little more than this: a list of tasks and a queue of the ones that are
//! ready. A task is ready when it is new or when its waker was called. *Poll* takes the
//! first ready task and calls `Future::poll` on it, with a waker that, when called, puts
//! the task back in the queue. A task that returned `Ready` is finished: the contract says
//! it must not be polled again, so the executor refuses.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Wake, Waker};

use pollscope_shared::instrument::Recorder;

type BoxedTask = Pin<Box<dyn Future<Output = String>>>;

struct TaskSlot {
    name: &'static str,
    /// `None` once the task returned `Ready` (the future is dropped then).
    future: Option<BoxedTask>,
    polls: u32,
    output: Option<String>,
}

/// What the page shows of one task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskView {
    pub index: usize,
    pub name: &'static str,
    pub polls: u32,
    pub output: Option<String>,
    pub ready: bool,
}

/// What one click of *Poll* did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// `poll` was called; `output` is `Some` if it returned `Ready`.
    Polled {
        task: usize,
        name: &'static str,
        output: Option<String>,
    },
    /// The ready queue is empty: every task waits for its waker (or all are done).
    NothingReady,
    /// The executor would not poll this task.
    Refused { task: usize, reason: &'static str },
}

pub const REFUSE_FINISHED: &str = "this future already returned Ready: the Future contract says it must not be polled again (it could panic or misbehave), so an executor never does";
pub const REFUSE_UNKNOWN: &str = "no such task";

/// The waker of task `index`: calling it queues the task (once).
struct QueueWaker {
    index: usize,
    ready: Arc<Mutex<VecDeque<usize>>>,
}

impl Wake for QueueWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let mut ready = self.ready.lock().unwrap_or_else(PoisonError::into_inner);
        if !ready.contains(&self.index) {
            ready.push_back(self.index);
        }
    }
}

pub struct ManualExecutor {
    tasks: Vec<TaskSlot>,
    ready: Arc<Mutex<VecDeque<usize>>>,
    recorder: Recorder,
}

impl ManualExecutor {
    /// An executor whose tasks are recorded into `recorder`.
    pub fn new(recorder: Recorder) -> Self {
        Self {
            tasks: Vec::new(),
            ready: Arc::default(),
            recorder,
        }
    }

    pub fn recorder(&self) -> &Recorder {
        &self.recorder
    }

    /// Add a task. It starts in the ready queue: a new task has never been polled.
    pub fn spawn(
        &mut self,
        name: &'static str,
        future: impl Future<Output = String> + 'static,
    ) -> usize {
        let index = self.tasks.len();
        self.tasks.push(TaskSlot {
            name,
            future: Some(Box::pin(self.recorder.task(name, future))),
            polls: 0,
            output: None,
        });
        self.queue().push_back(index);
        index
    }

    fn queue(&self) -> std::sync::MutexGuard<'_, VecDeque<usize>> {
        self.ready.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The ready queue, front first.
    pub fn ready_queue(&self) -> Vec<usize> {
        self.queue().iter().copied().collect()
    }

    // [demo:start]
    /// Poll the task at the front of the ready queue.
    pub fn poll_next(&mut self) -> Step {
        let next = self.queue().pop_front();
        match next {
            Some(task) => self.poll(task),
            None => Step::NothingReady,
        }
    }

    /// Poll a task chosen by hand, ready or not. Polling a task that was not woken is
    /// allowed (a "spurious" poll): a correct future just returns `Pending` again.
    pub fn poll(&mut self, task: usize) -> Step {
        let Some(slot) = self.tasks.get_mut(task) else {
            return Step::Refused {
                task,
                reason: REFUSE_UNKNOWN,
            };
        };
        let Some(future) = slot.future.as_mut() else {
            return Step::Refused {
                task,
                reason: REFUSE_FINISHED,
            };
        };
        // Being polled now: it leaves the queue; if it is woken during or after this poll,
        // the waker puts it back.
        self.ready
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|&t| t != task);
        let waker = Waker::from(Arc::new(QueueWaker {
            index: task,
            ready: self.ready.clone(),
        }));
        slot.polls += 1;
        let output = match future.as_mut().poll(&mut Context::from_waker(&waker)) {
            Poll::Pending => None,
            Poll::Ready(output) => {
                slot.future = None;
                slot.output = Some(output.clone());
                Some(output)
            }
        };
        Step::Polled {
            task,
            name: slot.name,
            output,
        }
    }

    // [demo:end]

    pub fn tasks(&self) -> Vec<TaskView> {
        let ready = self.ready_queue();
        self.tasks
            .iter()
            .enumerate()
            .map(|(index, slot)| TaskView {
                index,
                name: slot.name,
                polls: slot.polls,
                output: slot.output.clone(),
                ready: ready.contains(&index),
            })
            .collect()
    }

    pub fn all_done(&self) -> bool {
        self.tasks.iter().all(|t| t.future.is_none())
    }
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use pollscope_shared::instrument::stats::RunStats;
    use pollscope_shared::instrument::{EventKind, PollEvent, PollOutcome, WakeSource};

    use super::*;
    use crate::executor::futures::{Delay, DelayWatch, Join2};
    use crate::executor::timer::ManualTimers;

    fn delay_task(ex: &mut ManualExecutor, timers: &ManualTimers, ms: u32) -> (usize, DelayWatch) {
        let delay = Delay::new("delay", ms, Rc::new(timers.clone()));
        let view = delay.watch();
        let recorder = ex.recorder().clone();
        let task = ex.spawn("sleeper", async move {
            recorder.timer("sleep", delay).await.to_owned()
        });
        (task, view)
    }

    #[test]
    fn a_delay_is_pending_until_its_timer_wakes_it_then_ready_then_refused() {
        let timers = ManualTimers::default();
        let mut ex = ManualExecutor::new(Recorder::new(1024));
        let (task, view) = delay_task(&mut ex, &timers, 300);
        assert_eq!(ex.ready_queue(), [task], "a new task is ready");

        // First poll: arms the timer, stores the waker, Pending; the queue empties.
        assert_eq!(
            ex.poll_next(),
            Step::Polled {
                task,
                name: "sleeper",
                output: None
            }
        );
        let v = view.view();
        assert!(v.armed && v.waker_stored && !v.fired);
        assert_eq!(timers.armed(), 1);
        assert!(ex.ready_queue().is_empty());
        assert_eq!(ex.poll_next(), Step::NothingReady);

        // A spurious poll is allowed, and just returns Pending again.
        assert_eq!(
            ex.poll(task),
            Step::Polled {
                task,
                name: "sleeper",
                output: None
            }
        );
        assert_eq!(timers.armed(), 1, "the timer is armed once");

        // The timer fires: its callback calls wake, the task is queued.
        assert_eq!(timers.fire_next(), Some(300));
        assert!(view.view().woke && view.view().fired && !view.view().waker_stored);
        assert_eq!(ex.ready_queue(), [task]);

        assert_eq!(
            ex.poll_next(),
            Step::Polled {
                task,
                name: "sleeper",
                output: Some("delay".into())
            }
        );
        assert!(ex.all_done());
        assert_eq!(
            ex.poll(task),
            Step::Refused {
                task,
                reason: REFUSE_FINISHED
            }
        );

        // The recording tells the same story, and names the timer as the waker.
        let events = ex.recorder().drain();
        let mut stats = RunStats::default();
        stats.apply_all(&events);
        let t = stats.tasks.values().next().unwrap();
        assert_eq!(t.polls, 3);
        assert_eq!(t.wakes.by_timer, 1);
        let outcomes: Vec<_> = events
            .iter()
            .filter_map(|e| match e.kind {
                EventKind::Poll(PollEvent { outcome, .. }) => Some(outcome),
                _ => None,
            })
            .collect();
        assert_eq!(
            outcomes,
            [
                PollOutcome::Pending,
                PollOutcome::Pending,
                PollOutcome::Ready
            ]
        );
        assert!(events.iter().any(|e| matches!(
            e.kind,
            EventKind::Wake {
                by: WakeSource::Timer,
                ..
            }
        )));
    }

    #[test]
    fn the_ready_queue_is_first_in_first_out() {
        let timers = ManualTimers::default();
        let mut ex = ManualExecutor::new(Recorder::new(1024));
        let (a, _) = delay_task(&mut ex, &timers, 100);
        let (b, _) = delay_task(&mut ex, &timers, 200);
        assert_eq!(ex.ready_queue(), [a, b]);
        ex.poll_next();
        ex.poll_next();
        // b's timer (200 ms) is not the next to fire: a's (100 ms) is.
        timers.fire_next();
        timers.fire_next();
        assert_eq!(
            ex.ready_queue(),
            [a, b],
            "woken in the order the timers fired"
        );
        assert!(matches!(ex.poll_next(), Step::Polled { task, output: Some(_), .. } if task == a));
        assert!(matches!(ex.poll_next(), Step::Polled { task, output: Some(_), .. } if task == b));
    }

    #[test]
    fn a_join_completes_only_when_both_children_have() {
        let timers = ManualTimers::default();
        let mut ex = ManualExecutor::new(Recorder::new(1024));
        let rc: Rc<dyn crate::executor::timer::TimerSource> = Rc::new(timers.clone());
        let fast = Delay::new("fast", 100, rc.clone());
        let slow = Delay::new("slow", 400, rc);
        let (fast_view, slow_view) = (fast.watch(), slow.watch());
        let task = ex.spawn("join", async move {
            let (a, b) = Join2::new(fast, slow).await;
            format!("{a}+{b}")
        });
        assert_eq!(
            ex.poll_next(),
            Step::Polled {
                task,
                name: "join",
                output: None
            }
        );
        assert!(
            fast_view.view().armed && slow_view.view().armed,
            "one poll of the join polled both"
        );
        assert_eq!(timers.fire_next(), Some(100));
        assert_eq!(
            ex.ready_queue(),
            [task],
            "either child's timer wakes the join's task"
        );
        assert_eq!(
            ex.poll_next(),
            Step::Polled {
                task,
                name: "join",
                output: None
            },
            "one child is not done"
        );
        assert_eq!(slow_view.view().polls, 2);
        assert_eq!(timers.fire_next(), Some(400));
        assert_eq!(
            ex.poll_next(),
            Step::Polled {
                task,
                name: "join",
                output: Some("fast+slow".into())
            }
        );
        assert_eq!(
            fast_view.view().polls,
            2,
            "a finished child is not polled again"
        );
    }
}
