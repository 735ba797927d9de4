//! [`Recorder::blocking`]: blocking work (for `spawn_blocking`) recorded as a task of one
//! poll on a blocking lane. It uses the recorder, the poll stage and the task context.

use super::context::with_task_scope;
use super::event::{EventKind, LaneId, LaneKind, Name, PollOutcome, TaskId, TaskKind, TaskOutcome};
use super::recorder::{PollEnd, Recorder};
use super::stage::PollStage;

impl Recorder {
    /// Wrap blocking work (for `spawn_blocking`): recorded as one poll on a blocking lane.
    pub fn blocking<T, F, N>(&self, name: N, work: F) -> impl FnOnce() -> T + Send + use<T, F, N>
    where
        F: FnOnce() -> T + Send,
        N: Into<Name>,
    {
        let recorder = self.clone();
        let task = self.new_task(name.into(), TaskKind::Blocking);
        let mut guard = BlockingGuard {
            recorder,
            task,
            started: None,
            done: false,
        };
        move || {
            let lane = Some(guard.recorder.lane(LaneKind::Blocking));
            let started = guard.recorder.poll_started();
            guard.started = Some((lane, started));
            let output = with_task_scope(&guard.recorder, task, work);
            guard.recorder.record_poll(
                started,
                &PollStage::new(task),
                PollEnd {
                    lane,
                    outcome: PollOutcome::Ready,
                    waker_clones: 0,
                },
            );
            guard.recorder.record(EventKind::Complete {
                task,
                outcome: TaskOutcome::Ok,
            });
            guard.disarm();
            output
        }
    }
}

/// Records a blocking task that never ran (its closure was dropped) as cancelled, and one
/// whose work panicked as panicked.
struct BlockingGuard {
    recorder: Recorder,
    task: TaskId,
    /// Set once the work started: its lane, and when.
    started: Option<(Option<LaneId>, u64)>,
    done: bool,
}

impl BlockingGuard {
    fn disarm(&mut self) {
        self.done = true;
    }
}

impl Drop for BlockingGuard {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        let outcome = match self.started {
            Some((lane, started)) if std::thread::panicking() => {
                self.recorder.record_poll(
                    started,
                    &PollStage::new(self.task),
                    PollEnd {
                        lane,
                        outcome: PollOutcome::Panicked,
                        waker_clones: 0,
                    },
                );
                TaskOutcome::Panicked
            }
            _ => TaskOutcome::Cancelled,
        };
        self.recorder.record(EventKind::Complete {
            task: self.task,
            outcome,
        });
    }
}
