//! Two copies of one future stepped together by the test script: a plain one under
//! `tokio_test`'s mock task, whose `is_woken()` and `waker_ref_count()` are exactly the
//! future's, and an instrumented one (wrapped by the recorder, then by its own mock task)
//! that the timeline draws. The recorder's wrapper keeps copies of the waker it is polled
//! with, so the twin's own reference count would count the wrapper too: the counts come
//! from the plain copy, the events from the twin, and the page checks the two agree.
//!
//! Each step notes the plain copy's readings; the recorded events are matched to steps by
//! their order once the part is over (both copies and the script share one thread).
//!
//! Uses `tokio_test`, the recorder's task wrapper and Tokio's paused clock.

use std::future::Future;
use std::task::Poll;
use std::time::Duration;

use pollscope_shared::instrument::{Instrumented, Recorder};
use pollscope_shared::results::{Step, StepAction, StepOutcome};
use tokio::sync::oneshot;
use tokio_test::task::{Spawn, spawn};

use crate::harness::duration_us;

/// The script's await point while `advance` lets the timers run.
pub const ADVANCE: &str = "advance";

/// Most steps a script may take (the parameters' maxima need fewer).
pub const MAX_STEPS: usize = 32;

/// A step as the script saw it; the recorded side is filled in after the part.
#[derive(Debug, Clone)]
pub struct Noted {
    pub action: StepAction,
    pub advanced: Duration,
    pub clock: Duration,
    pub real_ns: u64,
    pub outcome: StepOutcome,
    pub output: Option<u32>,
    pub woken: bool,
    pub waker_refs: u32,
}

/// The two copies, their senders, and the steps so far.
pub struct Twins<A: Future, B: Future> {
    plain: Spawn<A>,
    twin: Spawn<Instrumented<B>>,
    twin_task: u32,
    senders: Option<(oneshot::Sender<u32>, oneshot::Sender<u32>)>,
    recorder: Recorder,
    started: tokio::time::Instant,
    pub steps: Vec<Noted>,
}

impl<A, B> Twins<A, B>
where
    A: Future<Output = Option<u32>>,
    B: Future<Output = Option<u32>>,
{
    /// The plain copy from `plain`, the twin from `twin` (as the recorded task
    /// `"stepped"`), each given its own channel's receiver.
    pub fn new(
        recorder: &Recorder,
        plain: impl FnOnce(oneshot::Receiver<u32>) -> A,
        twin: impl FnOnce(oneshot::Receiver<u32>) -> B,
    ) -> Self {
        let (tx_plain, rx_plain) = oneshot::channel();
        let (tx_twin, rx_twin) = oneshot::channel();
        let twin = recorder.task("stepped", twin(rx_twin));
        Self {
            plain: spawn(plain(rx_plain)),
            twin_task: twin.id().0,
            twin: spawn(twin),
            senders: Some((tx_plain, tx_twin)),
            recorder: recorder.clone(),
            started: tokio::time::Instant::now(),
            steps: Vec::new(),
        }
    }

    /// The recorded twin's task id.
    pub fn twin_task(&self) -> u32 {
        self.twin_task
    }

    /// Poll both once; the plain copy's answer is the script's.
    pub fn poll(&mut self) -> Poll<Option<u32>> {
        // The twin goes first, so the plain copy's work stands between its events and
        // the step's end on the clock.
        let _ = self.twin.poll();
        let polled = self.plain.poll();
        let (outcome, output) = match polled {
            Poll::Pending => (StepOutcome::Pending, None),
            Poll::Ready(out) => (StepOutcome::Ready, out),
        };
        self.note(StepAction::Poll, Duration::ZERO, outcome, output);
        polled
    }

    /// Send `value` to both (once: a second send has no channel left and does nothing).
    pub fn send(&mut self, value: u32) {
        if let Some((plain, twin)) = self.senders.take() {
            let _ = twin.send(value);
            let _ = plain.send(value);
        }
        self.note(StepAction::Send, Duration::ZERO, StepOutcome::NotPolled, None);
    }

    /// Move the paused clock by `by`; its timers that come due fire before this returns.
    pub async fn advance(&mut self, by: Duration) {
        // A named await point of the script's task: `advance` yields once, and the timers
        // it made due fire while the script waits there, which is how the recorded wakes
        // are told apart by step (see `recorded_steps`).
        self.recorder.point(ADVANCE, tokio::time::advance(by)).await;
        self.note(StepAction::Advance, by, StepOutcome::NotPolled, None);
    }

    fn note(
        &mut self,
        action: StepAction,
        advanced: Duration,
        outcome: StepOutcome,
        output: Option<u32>,
    ) {
        if self.steps.len() >= MAX_STEPS {
            return;
        }
        self.steps.push(Noted {
            action,
            advanced,
            clock: self.started.elapsed(),
            real_ns: self.recorder.now_ns(),
            outcome,
            output,
            woken: self.plain.is_woken(),
            waker_refs: u32::try_from(self.plain.waker_ref_count()).unwrap_or(u32::MAX),
        });
    }
}

impl Noted {
    /// The step as the result has it, before the recorded side is filled in.
    pub fn step(&self) -> Step {
        Step {
            action: self.action,
            advanced_us: duration_us(self.advanced),
            clock_us: duration_us(self.clock),
            real_ns: self.real_ns,
            outcome: self.outcome,
            output: self.output,
            woken: self.woken,
            waker_refs: self.waker_refs,
            recorded_poll: None,
            recorded_wakes: Vec::new(),
        }
    }
}
