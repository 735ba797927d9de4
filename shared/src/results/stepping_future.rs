//! What the stepping-a-future demo records (outline section 9): a test script that polls
//! a future by hand with `tokio_test::task::spawn`, sends it a value and moves a paused
//! clock, step by step. Each step carries what the mock task said after it (the poll's
//! outcome, `is_woken()`, `waker_ref_count()`) and what the recorder saw of an identical,
//! instrumented twin stepped the same way (its poll's outcome, the wakes recorded).

use serde::{Deserialize, Serialize};

use crate::instrument::{PollOutcome, WakeSource};

/// One run of the script.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SteppingFutureResult {
    /// Polls made before the value is sent (the first waits; the others are spurious).
    pub early_polls: u32,
    /// The value sent down the channel.
    pub value: u32,
    /// The timer the future sleeps on after it got the value, on the paused clock.
    pub delay_ms: u32,
    /// How many `advance` calls move the paused clock through that delay.
    pub advances: u32,
    /// The recorded twin's task id, and the script's (the task that polled it).
    pub stepped_task: u32,
    pub script_task: u32,
    /// Every step, in the order the script made them.
    pub steps: Vec<Step>,
    /// Events the recorder dropped because a buffer was full (a step may then miss its
    /// recorded poll or wakes).
    pub events_dropped: u64,
}

/// What a step of the script did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepAction {
    /// `poll()` the future once.
    Poll,
    /// Send the value on the channel the future receives from.
    Send,
    /// `tokio::time::advance` the paused clock.
    Advance,
}

impl StepAction {
    pub fn label(self) -> &'static str {
        match self {
            Self::Poll => "poll()",
            Self::Send => "tx.send(value)",
            Self::Advance => "time::advance",
        }
    }
}

/// What a poll of the plain future returned (`NotPolled` for the other steps).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepOutcome {
    NotPolled,
    Pending,
    Ready,
}

/// One step, with the mock task's readings after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub action: StepAction,
    /// For `Advance`: how far the clock moved; 0 otherwise.
    pub advanced_us: u64,
    /// The paused clock after the step, since the script started.
    pub clock_us: u64,
    /// The run's real clock when the step ended, since the run's clock anchor.
    pub real_ns: u64,
    /// The plain future's poll, if the step polled.
    pub outcome: StepOutcome,
    /// A Ready poll's output.
    pub output: Option<u32>,
    /// `is_woken()` after the step: something called its waker since its last poll.
    pub woken: bool,
    /// `waker_ref_count()` after the step: the mock task's own reference plus every clone
    /// of its waker something still holds.
    pub waker_refs: u32,
    /// The recorded twin's poll in this step, as recorded.
    pub recorded_poll: Option<PollOutcome>,
    /// The wakes of the recorded twin recorded in this step, and who made them.
    pub recorded_wakes: Vec<WakeSource>,
}

impl Step {
    /// The plain poll's outcome as the recorder spells it, if the step polled.
    pub fn poll_outcome(&self) -> Option<PollOutcome> {
        match self.outcome {
            StepOutcome::NotPolled => None,
            StepOutcome::Pending => Some(PollOutcome::Pending),
            StepOutcome::Ready => Some(PollOutcome::Ready),
        }
    }
}

impl SteppingFutureResult {
    /// Per step, whether the recorded twin agrees with the plain future: the same poll
    /// outcome, and "woken" exactly when a wake of the twin was recorded since its last
    /// poll (a poll clears `is_woken()`).
    pub fn agreement(&self) -> Vec<bool> {
        let mut woken_since_poll = false;
        self.steps
            .iter()
            .map(|step| {
                if step.action == StepAction::Poll {
                    woken_since_poll = false;
                }
                woken_since_poll |= !step.recorded_wakes.is_empty();
                step.recorded_poll == step.poll_outcome() && step.woken == woken_since_poll
            })
            .collect()
    }
}
