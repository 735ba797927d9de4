//! Outline section 9 — testing: stepping a future by hand with `tokio-test`.
//!
//! A test can be the executor. `tokio_test::task::spawn` wraps a future in a mock task:
//! `poll()` polls it once with the mock's waker, `is_woken()` says whether anything has
//! called that waker since the last poll, and `waker_ref_count()` how many references
//! to it exist (the mock's own, plus every clone something keeps to wake it later). With
//! Tokio's clock paused, `time::advance` moves time by exactly as much as the test says,
//! so a timer fires at the step the test chooses, not when the machine gets round to it.
//!
//! The future under test waits for a value on a oneshot channel, then sleeps before it
//! answers. The script polls it early (Pending, and a spurious poll), sends the value
//! (which wakes it), polls (now on the timer), advances the clock in steps (only the one
//! that reaches the deadline wakes it) and polls it to Ready, asserting each outcome as
//! a test would. Two identical copies are stepped together: the plain one gives the mock
//! task's readings, the instrumented twin the recorded polls and wakes (see [`twins`]).
//!
//! The script runs as a test with a paused clock would, on a `current_thread` runtime of
//! its own, as the recorded task `script`: the stepped future's polls are drawn inside
//! the script's own polls, on the script's thread. The test is its executor.

mod twins;

use std::time::Duration;

use pollscope_shared::instrument::{Event, EventKind, NoProbe, Probe, Recorder};
use pollscope_shared::results::{StepAction, Step, SteppingFutureResult};
use tokio::sync::oneshot;
use tokio_test::{assert_pending, assert_ready};

use super::Scenario;
use crate::harness::{Keep, Part, RunContext, RuntimeSpec, ScenarioError, run_part};
use twins::{ADVANCE, Noted, Twins};

/// Most wakes one step keeps (the script's steps make one at most).
const MAX_WAKES: usize = 8;

crate::params! {
    /// The script's steps.
    pub struct SteppingFutureParams {
        /// Polls before the value is sent
        early_polls: u32 [default 2, min 1, max 4],
        /// Value sent
        value: u32 [default 21, min 0, max 1000],
        /// Timer after the value (paused clock)
        delay_ms: u32 [default 100, min 10, max 1000, unit "ms"],
        /// time::advance calls through the timer
        advances: u32 [default 2, min 1, max 5],
    }
}

pub struct SteppingFuture;

impl Scenario for SteppingFuture {
    type Params = SteppingFutureParams;
    type Output = SteppingFutureResult;
    const SECTION: u8 = 9;
    const TITLE: &'static str = "Stepping a future in a test: tokio-test";
    const SUMMARY: &'static str = "A test script polls a future by hand with tokio_test::task::spawn, with assert_pending! / assert_ready!, a paused clock, and each poll recorded.";
    const SOURCE: (&'static str, &'static str) = (file!(), include_str!("stepping_future.rs"));

    async fn run(
        params: SteppingFutureParams,
        run: RunContext,
    ) -> Result<SteppingFutureResult, ScenarioError> {
        let script = Script {
            early_polls: params.early_polls,
            value: params.value,
            delay_ms: params.delay_ms,
            advances: params.advances,
        };
        run.phase(format!(
            "stepping: {} early poll(s), send {}, {} ms timer in {} advance(s)",
            script.early_polls, script.value, script.delay_ms, script.advances
        ));
        let part = Part {
            index: 0,
            runtime: RuntimeSpec { workers: 0 },
            keep: Keep::Events,
        };
        let measured = run_part(&run, part, move |recorder| stepped(recorder, script)).await?;
        let (twin_task, noted) = measured.output.map_err(ScenarioError::new)?;
        let events = &measured.folded.events;
        let script = script_task(events);
        Ok(SteppingFutureResult {
            early_polls: params.early_polls,
            value: params.value,
            delay_ms: params.delay_ms,
            advances: params.advances,
            stepped_task: twin_task,
            script_task: script,
            steps: recorded_steps(&noted, events, twin_task, script),
            events_dropped: measured.events_dropped,
        })
    }
}

/// The script's parameters.
#[derive(Debug, Clone, Copy)]
struct Script {
    early_polls: u32,
    value: u32,
    delay_ms: u32,
    advances: u32,
}

impl Script {
    /// The delay cut into `advances` whole-millisecond steps that add up to it.
    fn advances(&self) -> impl Iterator<Item = Duration> {
        let (ms, n) = (u64::from(self.delay_ms), u64::from(self.advances));
        (0..n).map(move |i| Duration::from_millis(ms * (i + 1) / n - ms * i / n))
    }
}

// [demo:start]
/// The future under test: wait for a value, then hold it for `delay` before answering.
async fn recv_then_sleep<P: Probe>(
    probe: P,
    rx: oneshot::Receiver<u32>,
    delay: Duration,
) -> Option<u32> {
    let value = probe.point("recv", rx).await.ok()?;
    probe.timer("sleep", tokio::time::sleep(delay)).await;
    Some(value * 2)
}

/// The test. `fut` is `tokio_test::task::spawn(recv_then_sleep(..))`: polled only when
/// the script says, with a mock waker that remembers being woken.
async fn script<A, B>(fut: &mut Twins<A, B>, s: Script)
where
    A: Future<Output = Option<u32>>,
    B: Future<Output = Option<u32>>,
{
    // Nothing sent yet: Pending, however often it is polled. The receiver keeps a clone
    // of the waker, to wake the task when a value arrives.
    for _ in 0..s.early_polls {
        assert_pending!(fut.poll());
    }
    // Sending calls that waker: is_woken() turns true. Nothing runs until we poll.
    fut.send(s.value);
    // It takes the value and now waits on the timer, which keeps the waker instead.
    assert_pending!(fut.poll());
    // The clock is paused: only the advance that reaches the deadline fires the timer.
    for by in s.advances() {
        fut.advance(by).await;
    }
    assert_eq!(assert_ready!(fut.poll()), Some(s.value * 2));
}
// [demo:end]

/// The part's main task: run the script as `#[tokio::test(start_paused = true)]` would,
/// on a `current_thread` runtime of its own whose clock starts paused (so the timer
/// wheel's millisecond ticks line up with the script's advances), on a blocking thread
/// of the part's runtime. The script is the recorded task `"script"`.
async fn stepped(recorder: Recorder, s: Script) -> Result<(u32, Vec<Noted>), String> {
    let delay = Duration::from_millis(s.delay_ms.into());
    let test = move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .map_err(|e| format!("cannot build the test's runtime: {e}"))?;
        let (twin_probe, steps_probe) = (recorder.clone(), recorder.clone());
        let script_task = recorder.task("script", async move {
            let mut fut = Twins::new(
                &steps_probe,
                |rx| recv_then_sleep(NoProbe, rx, delay),
                |rx| recv_then_sleep(twin_probe, rx, delay),
            );
            script(&mut fut, s).await;
            (fut.twin_task(), std::mem::take(&mut fut.steps))
        });
        Ok(runtime.block_on(script_task))
    };
    match tokio::task::spawn_blocking(test).await {
        Ok(stepped) => stepped,
        Err(e) => Err(format!("the test failed: {e}")),
    }
}

/// The id of the script's task, from its spawn.
fn script_task(events: &[Event]) -> u32 {
    events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::Spawn(spawn) if spawn.name == "script" => Some(spawn.task.0),
            _ => None,
        })
        .unwrap_or(0)
}

/// The steps with what the recorder saw of the twin in each, matched by order (the
/// script and both copies ran on one thread, whose events keep their order): the twin's
/// k-th poll is the k-th poll step's; a wake of the twin belongs to the advance the
/// script was waiting in when it came, else to the send since the twin's last poll.
fn recorded_steps(noted: &[Noted], events: &[Event], twin: u32, script: u32) -> Vec<Step> {
    // Per step: the polls and the advances the script made before it.
    let mut before = Vec::with_capacity(noted.len());
    let (mut polls, mut advances) = (0, 0);
    for n in noted {
        before.push((polls, advances));
        match n.action {
            StepAction::Poll => polls += 1,
            StepAction::Advance => advances += 1,
            StepAction::Send => {}
        }
    }
    let mut steps: Vec<Step> = noted.iter().map(Noted::step).collect();
    let (mut polls, mut advances, mut in_advance) = (0, 0, false);
    for event in events {
        match &event.kind {
            EventKind::Poll(poll) if poll.task.0 == twin => {
                let nth = noted
                    .iter()
                    .enumerate()
                    .filter(|(_, n)| n.action == StepAction::Poll)
                    .nth(polls);
                if let Some((i, _)) = nth {
                    steps[i].recorded_poll = Some(poll.outcome);
                }
                polls += 1;
            }
            EventKind::Poll(poll) if poll.task.0 == script => {
                in_advance = poll.waiting_on.as_ref().is_some_and(|w| w.name == ADVANCE);
                advances += usize::from(in_advance);
            }
            EventKind::Wake { task, by, .. } if task.0 == twin => {
                let step = (0..noted.len()).rev().find(|&i| {
                    let (p, a) = before[i];
                    p == polls
                        && match noted[i].action {
                            StepAction::Advance => in_advance && a + 1 == advances,
                            StepAction::Send => !in_advance && a == advances,
                            StepAction::Poll => false,
                        }
                });
                if let Some(i) = step
                    && steps[i].recorded_wakes.len() < MAX_WAKES
                {
                    steps[i].recorded_wakes.push(*by);
                }
            }
            _ => {}
        }
    }
    steps
}
