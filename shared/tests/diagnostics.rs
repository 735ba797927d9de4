//! The diagnostics on real recordings: futures run by a real executor through the
//! recorder, so the waker clones, drops and wakes are the ones the instrumentation saw.

mod support;

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use pollscope_shared::diagnostics::{FindingKind, Thresholds, diagnose};
use pollscope_shared::instrument::Recorder;
use support::{Executor, Signal, YieldN};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// Returns Pending once without keeping the waker: the classic hand-written-future bug.
struct ForgetsWaker(bool);

impl Future for ForgetsWaker {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            return Poll::Ready(());
        }
        self.0 = true;
        Poll::Pending
    }
}

/// Every threshold at zero time, so that the verdicts below depend only on the wakers
/// and wakes, not on how fast this machine ran the polls.
fn instant() -> Thresholds {
    Thresholds {
        long_poll_ns: u64::MAX,
        scheduling_delay_ns: u64::MAX,
        first_poll_ns: u64::MAX,
        blocking_queue_ns: u64::MAX,
        lost_wake_ns: 0,
        ..Thresholds::default()
    }
}

#[test]
fn a_future_that_forgets_its_waker_is_a_lost_wake_and_one_that_keeps_it_is_not() {
    let recorder = Recorder::new(1024);
    let mut executor = Executor::default();
    let signal = Signal::default();
    executor.spawn(recorder.task("forgets", ForgetsWaker(false)));
    executor.spawn(recorder.task("keeps", signal.wait()));
    assert_eq!(executor.run_until_stalled(), 2, "both wait");
    drop(executor); // dropping the tasks records them as cancelled

    let report = diagnose(&recorder.drain(), instant());
    let lost: Vec<&str> = report
        .diagnostics
        .iter()
        .filter(|d| d.finding.kind() == FindingKind::LostWake)
        .map(|d| d.finding.task().name.as_ref())
        .collect();
    assert_eq!(lost, ["forgets"], "{:?}", report.diagnostics);
}

#[test]
fn a_signal_that_fires_wakes_through_the_consumed_waker_without_a_false_alarm() {
    let recorder = Recorder::new(1024);
    let mut executor = Executor::default();
    let signal = Signal::default();
    executor.spawn(recorder.task("waits", signal.wait()));
    assert_eq!(executor.run_until_stalled(), 1);
    signal.fire();
    assert_eq!(executor.run_until_stalled(), 0);
    let report = diagnose(&recorder.drain(), instant());
    assert_eq!(
        report.count(FindingKind::LostWake),
        0,
        "{:?}",
        report.diagnostics
    );
}

#[test]
fn yielding_in_a_loop_is_reported_as_self_wakes() {
    let recorder = Recorder::new(1024);
    let mut executor = Executor::default();
    executor.spawn(recorder.task("spins", YieldN { left: 30 }));
    executor.spawn(recorder.task("yields twice", YieldN { left: 2 }));
    assert_eq!(executor.run_until_stalled(), 0);
    let report = diagnose(&recorder.drain(), instant());
    let selfish: Vec<String> = report
        .diagnostics
        .iter()
        .filter(|d| d.finding.kind() == FindingKind::SelfWakes)
        .map(|d| d.finding.sentence())
        .collect();
    assert_eq!(selfish.len(), 1, "{selfish:?}");
    assert!(
        selfish[0].contains(" spins woke itself for 30 of its 30 wakes"),
        "{selfish:?}"
    );
}
