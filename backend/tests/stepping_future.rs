//! Outline section 9 over a real WebSocket: a script steps a future with `tokio-test`
//! on a paused clock. Every step's outcome follows from the script itself, so the test
//! asserts them exactly; the recorded twin must agree with the plain copy step by step.

mod common;

use common::{TestServer, collect, events_by_part, run};
use pollscope_shared::ServerMessage;
use pollscope_shared::instrument::{EventKind, PollEvent, PollOutcome, TaskId, WakeSource};
use pollscope_shared::results::{ScenarioResult, StepAction, StepOutcome};
use pollscope_shared::testkit::{Coverage, check_recording};

const EARLY_POLLS: u32 = 2;
const VALUE: u32 = 21;
const DELAY_MS: u64 = 90;
const ADVANCES: u32 = 3;

#[tokio::test]
async fn the_script_steps_the_future_and_the_recorder_sees_every_step() {
    let server = TestServer::start().await;
    let (mut client, _) = server
        .start_run(&run(
            "stepping_future",
            &[
                ("early_polls", EARLY_POLLS.into()),
                ("value", VALUE.into()),
                ("delay_ms", DELAY_MS as i64),
                ("advances", ADVANCES.into()),
            ],
        ))
        .await;
    let (batches, last) = collect(&mut client).await;
    let ServerMessage::Result {
        result: ScenarioResult::SteppingFuture(result),
        ..
    } = last
    else {
        panic!("expected the result, got {last:?}");
    };
    let parts = events_by_part(batches);
    let events = &parts[&0];
    check_recording(events, Coverage::WholeRun);
    assert_eq!(result.events_dropped, 0);

    // The script's steps, in order: early polls, the send, a poll, the advances, a poll.
    use StepAction::{Advance, Poll, Send};
    let mut expected = vec![Poll; EARLY_POLLS as usize];
    expected.extend([Send, Poll]);
    expected.extend(std::iter::repeat_n(Advance, ADVANCES as usize));
    expected.push(Poll);
    let actions: Vec<_> = result.steps.iter().map(|s| s.action).collect();
    assert_eq!(actions, expected);

    let steps = &result.steps;
    let last = steps.len() - 1;
    for (i, step) in steps.iter().enumerate() {
        let outcome = match (step.action, i == last) {
            (Poll, true) => StepOutcome::Ready,
            (Poll, false) => StepOutcome::Pending,
            _ => StepOutcome::NotPolled,
        };
        assert_eq!(step.outcome, outcome, "step {i}");
        // Woken exactly by the send and by the advance that reached the deadline, and
        // each poll clears it.
        let woken = step.action == Send || (step.action == Advance && i == last - 1);
        assert_eq!(step.woken, woken, "step {i}: {step:?}");
        // The mock's own reference, and one clone while the channel or the timer keeps
        // the waker: gone once the timer fired (its entry gives the waker up to wake).
        let refs = if i >= last - 1 { 1 } else { 2 };
        assert_eq!(step.waker_refs, refs, "step {i}: {step:?}");
    }
    assert_eq!(steps[last].output, Some(VALUE * 2));
    // The paused clock moved by exactly what the script advanced it by.
    let advanced: u64 = steps.iter().map(|s| s.advanced_us).sum();
    assert_eq!(advanced, DELAY_MS * 1000);
    assert_eq!(steps[last].clock_us, DELAY_MS * 1000);
    for pair in steps.windows(2) {
        assert!(pair[0].real_ns < pair[1].real_ns, "steps in time order");
    }

    // The recorded twin: one poll per poll step, with the plain copy's outcome; woken by
    // the script's task at the send and by the timer at the last advance.
    let twin = TaskId(result.stepped_task);
    for (i, step) in steps.iter().enumerate() {
        assert_eq!(step.recorded_poll, step.poll_outcome(), "step {i}");
        let wakes = match step.action {
            Send => vec![WakeSource::Task(TaskId(result.script_task))],
            Advance if i == last - 1 => vec![WakeSource::Timer],
            _ => vec![],
        };
        assert_eq!(step.recorded_wakes, wakes, "step {i}");
    }
    assert!(result.agreement().iter().all(|&a| a));
    let twin_polls: Vec<PollOutcome> = events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Poll(PollEvent { task, outcome, .. }) if *task == twin => Some(*outcome),
            _ => None,
        })
        .collect();
    assert_eq!(twin_polls.len(), EARLY_POLLS as usize + 2);
    assert_eq!(twin_polls.last(), Some(&PollOutcome::Ready));
    drop(client);
    server.until_idle().await;
}
