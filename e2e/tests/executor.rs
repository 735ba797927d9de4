//! Outline section 2 in a real browser: the learner is the executor.

use std::time::Duration;

use pollscope_e2e::playground::Playground;
use pollscope_e2e::webdriver::Browser;

const WAIT: Duration = Duration::from_secs(10);

fn newest_log_kind(browser: &Browser) -> String {
    let line = browser.wait_for("#executor-log li", WAIT);
    browser.attr(&line, "data-kind").unwrap_or_default()
}

fn poll(browser: &Browser) -> String {
    let button = browser.wait_for("#poll-button", WAIT);
    browser.click(&button);
    newest_log_kind(browser)
}

#[test]
fn polling_by_hand_follows_the_poll_contract_with_real_timers() {
    let playground = Playground::start();
    let browser = Browser::start();
    browser.goto(&playground.url("/#/be_the_executor"));
    // Delays: a (sleeper) 1500 ms, b 600 ms and c 3000 ms (joiner); far enough apart that a
    // slow click (each WebDriver round trip can take a few hundred milliseconds on a loaded
    // machine) cannot reorder the timers. Tab commits the value.
    for (name, ms) in [("a", 1500), ("b", 600), ("c", 3000)] {
        let input = browser.wait_for(&format!("#delay-ms-{name}"), WAIT);
        browser.type_into(&input, &format!("{ms}\u{E004}"));
    }
    browser.wait_for("#ready-queue[data-queue='0,1']", WAIT);

    // Polling a delay the first time arms its timer and stores the waker: Pending.
    assert_eq!(poll(&browser), "pending");
    let a = browser.wait_for("#delay-a", WAIT);
    assert_eq!(browser.attr(&a, "data-armed").as_deref(), Some("true"));
    assert_eq!(browser.attr(&a, "data-waker").as_deref(), Some("true"));
    assert_eq!(
        poll(&browser),
        "pending",
        "the join polls both children: Pending"
    );
    assert_eq!(
        poll(&browser),
        "idle",
        "nothing is ready until a timer calls wake"
    );

    // The timers fire (b at 600 ms, a at 1500 ms): their wakes queue the tasks in that order.
    browser.wait_for("#ready-queue[data-queue='1,0']", WAIT);
    assert_eq!(
        poll(&browser),
        "pending",
        "the join is woken by b, but c has not fired"
    );
    assert_eq!(poll(&browser), "ready", "the sleeper's delay fired: Ready");

    // A finished future is never polled again.
    let poll_finished = browser.wait_for("#poll-task-0", WAIT);
    browser.click(&poll_finished);
    assert_eq!(newest_log_kind(&browser), "refused");

    browser.wait_for("#ready-queue[data-queue='1']", WAIT);
    assert_eq!(poll(&browser), "ready", "c fired: the join completes");
    let events = browser.wait_for("#executor-events", WAIT);
    assert_eq!(
        browser.attr(&events, "data-wakes-timer").as_deref(),
        Some("3"),
        "three timers, three wakes"
    );
    let button = browser.wait_for("#poll-button", WAIT);
    assert!(
        browser.attr(&button, "disabled").is_some(),
        "all done: nothing left to poll"
    );
}

#[test]
fn auto_mode_runs_the_same_futures_on_wasm_bindgen_futures_and_draws_them() {
    let playground = Playground::start();
    let browser = Browser::start();
    browser.goto(&playground.url("/#/be_the_executor"));
    for (name, ms) in [("a", 200), ("b", 100), ("c", 300)] {
        let input = browser.wait_for(&format!("#delay-ms-{name}"), WAIT);
        browser.type_into(&input, &format!("{ms}\u{E004}"));
    }
    let wrap = browser.wait_for(".timeline .tl-canvas-wrap", WAIT);
    let hand_run = browser.attr(&wrap, "data-run-id");
    browser.click(&browser.wait_for("#auto-button", WAIT));
    // Both tasks finish on their own; the log reports what the recording measured.
    let deadline = std::time::Instant::now() + WAIT;
    while browser.find_all("#auto-log li").len() < 5 {
        assert!(
            std::time::Instant::now() < deadline,
            "auto run did not finish"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let log = browser.text(&browser.wait_for("#auto-log", WAIT));
    assert!(
        log.contains("`sleeper` was polled 2 time(s) and woken 1 time(s) by timers"),
        "{log}"
    );
    assert!(
        log.contains("`joiner` was polled 3 time(s) and woken 2 time(s) by timers"),
        "{log}"
    );
    // The timeline now shows the auto run: a new run, the same two tasks.
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let wrap = browser.wait_for(".timeline .tl-canvas-wrap", WAIT);
        if browser.attr(&wrap, "data-run-id") != hand_run
            && browser.attr(&wrap, "data-tasks").as_deref() == Some("2")
        {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the timeline did not switch to the auto run"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
