//! The hand-driven executor with real browser timers, in headless Chromium.

#![cfg(target_arch = "wasm32")]

mod support;

use std::rc::Rc;

use pollscope_frontend::executor::timer::{BrowserTimers, TimerSource};
use pollscope_frontend::executor::{Delay, Join2, ManualExecutor, Step};
use pollscope_shared::instrument::Recorder;
use support::sleep;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn timers() -> Rc<dyn TimerSource> {
    Rc::new(BrowserTimers)
}

#[wasm_bindgen_test]
async fn a_delay_is_pending_before_its_timer_fires_and_ready_after() {
    let mut ex = ManualExecutor::new(Recorder::new(1024));
    let delay = Delay::new("d", 60, timers());
    let watch = delay.watch();
    let task = ex.spawn("sleeper", async move { delay.await.to_owned() });

    assert_eq!(
        ex.poll_next(),
        Step::Polled {
            task,
            name: "sleeper",
            output: None
        }
    );
    assert!(watch.view().armed && watch.view().waker_stored);
    sleep(10).await;
    assert!(ex.ready_queue().is_empty(), "nobody called wake yet");
    assert_eq!(
        ex.poll(task),
        Step::Polled {
            task,
            name: "sleeper",
            output: None
        },
        "still Pending before the timer"
    );

    sleep(150).await;
    assert!(
        watch.view().fired && watch.view().woke,
        "the browser timer called wake"
    );
    assert_eq!(ex.ready_queue(), [task]);
    assert_eq!(
        ex.poll_next(),
        Step::Polled {
            task,
            name: "sleeper",
            output: Some("d".into())
        }
    );
    assert!(
        matches!(ex.poll(task), Step::Refused { .. }),
        "a finished future is not polled again"
    );
}

#[wasm_bindgen_test]
async fn the_join_completes_only_when_both_children_have() {
    let mut ex = ManualExecutor::new(Recorder::new(1024));
    let (fast, slow) = (
        Delay::new("fast", 30, timers()),
        Delay::new("slow", 250, timers()),
    );
    let (fast_watch, slow_watch) = (fast.watch(), slow.watch());
    let task = ex.spawn("joiner", async move {
        let (a, b) = Join2::new(fast, slow).await;
        format!("{a}+{b}")
    });
    assert_eq!(
        ex.poll_next(),
        Step::Polled {
            task,
            name: "joiner",
            output: None
        }
    );

    sleep(120).await;
    assert!(fast_watch.view().fired && !slow_watch.view().fired);
    assert_eq!(
        ex.ready_queue(),
        [task],
        "the fast child's timer woke the join"
    );
    assert_eq!(
        ex.poll_next(),
        Step::Polled {
            task,
            name: "joiner",
            output: None
        },
        "one child is still pending"
    );

    sleep(300).await;
    assert_eq!(
        ex.poll_next(),
        Step::Polled {
            task,
            name: "joiner",
            output: Some("fast+slow".into())
        }
    );
}
