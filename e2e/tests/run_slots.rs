//! Fair run slots, as two learners see them: with one run slot on the server, the second
//! learner's run waits and the page says its place in the queue; when the first run ends
//! it starts, says how long it waited, and its result says no other run shared the
//! machine with it. Two real Chromium sessions against one real backend.

use std::time::Duration;

use pollscope_e2e::playground::Playground;
use pollscope_e2e::webdriver::Browser;

const WAIT: Duration = Duration::from_secs(30);

/// A learner of its own (a fresh Chromium) who asks the section 1 demo for a run with
/// both servers' delays set to `delay_ms`.
fn learner_runs(playground: &Playground, delay_ms: u64) -> Browser {
    let browser = Browser::start();
    browser.open_connected(&playground.demo_url("seq_vs_concurrent"));
    browser.set_param("delay_a_ms", delay_ms, WAIT);
    browser.set_param("delay_b_ms", delay_ms, WAIT);
    browser.click(&browser.wait_for("#run-button", WAIT));
    browser
}

#[test]
fn a_run_waits_for_a_free_slot_with_its_place_shown_then_runs_alone() {
    let playground = Playground::with(|c| {
        c.max_running = Some(1);
        c.max_queued = 4;
    });
    // The first learner starts a long run: two 3 s fetches one after the other, then both
    // at once (9 s), and it holds the only slot meanwhile.
    let first = learner_runs(&playground, 3000);
    let cancel = first.wait_for("#cancel-button", WAIT);

    // The second learner's run is accepted but waits, and the page says where it stands.
    let second = learner_runs(&playground, 10);
    let queued = second.wait_for("#run-queued", WAIT);
    assert_eq!(second.attr(&queued, "data-ahead").as_deref(), Some("0"));
    let text = second.text(&queued);
    assert!(text.contains("yours is next"), "{text}");
    assert!(
        second.find_all("#result").is_empty(),
        "no result while it waits"
    );

    // The first run ends (cancelled): the second gets the slot, says how long it waited,
    // and finishes with a load that counts no other run.
    first.click(&cancel);
    first.wait_for("#run-cancelled", WAIT);
    second.wait_for("#result", WAIT);
    let load = second.wait_for("#run-load", WAIT);
    assert_eq!(
        second.attr(&load, "data-other-runs").as_deref(),
        Some("0"),
        "the queued run ran alone: {}",
        second.text(&load)
    );
    assert!(second.find_all("#run-queued").is_empty());
}
