//! The recorder under the browser's real executor, `wasm-bindgen-futures`, where wakes
//! come from JavaScript promise callbacks.

#![cfg(target_arch = "wasm32")]

mod support;

use pollscope_shared::instrument::stats::{RunStats, TaskState};
use pollscope_shared::instrument::{Recorder, TaskOutcome};
use support::{Signal, check_consistency};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// Resolves on a later turn of the JavaScript event loop.
async fn next_tick() {
    JsFuture::from(js_sys::Promise::resolve(
        &js_sys::wasm_bindgen::JsValue::NULL,
    ))
    .await
    .unwrap();
}

#[wasm_bindgen_test]
async fn spawn_local_tasks_are_recorded_with_who_woke_whom() {
    let recorder = Recorder::new(4096);
    let signal = Signal::default();
    let waiter = recorder.task("waiter", signal.wait());
    let waiter_id = waiter.id();
    wasm_bindgen_futures::spawn_local(waiter);
    let firer = recorder.task("firer", {
        let signal = signal.clone();
        async move {
            next_tick().await; // Pending once: woken by the promise's callback
            signal.fire();
        }
    });
    let firer_id = firer.id();
    wasm_bindgen_futures::spawn_local(firer);
    for _ in 0..5 {
        next_tick().await;
    }

    let events = recorder.drain();
    check_consistency(&events);
    let mut stats = RunStats::default();
    stats.apply_all(&events);
    assert_eq!(stats.anomalies, 0);
    let waiter = &stats.tasks[&waiter_id];
    let firer = &stats.tasks[&firer_id];
    assert_eq!(waiter.state, TaskState::Done(TaskOutcome::Ok));
    assert_eq!(firer.state, TaskState::Done(TaskOutcome::Ok));
    assert_eq!(waiter.polls, 2);
    assert_eq!(waiter.wakes.by_task, 1, "the firer woke the waiter");
    assert_eq!(firer.polls, 2);
    assert_eq!(
        firer.wakes.total(),
        1,
        "the promise callback woke the firer"
    );
}
