//! Outline section 9 in a real browser: a test script steps a future with `tokio-test`
//! on a paused clock; the step table, the twin's agreement and the notice are read off
//! the page and checked against each other and against the script's parameters.

use std::time::Duration;

use pollscope_e2e::format_ms;
use pollscope_e2e::notice::Notice;
use pollscope_e2e::playground::Playground;
use pollscope_e2e::webdriver::Browser;

const WAIT: Duration = Duration::from_secs(60);
const EARLY_POLLS: u64 = 3;
const VALUE: u64 = 7;
const DELAY_MS: u64 = 120;
const ADVANCES: u64 = 4;

#[test]
fn stepping_a_future_shows_each_poll_and_wake_and_the_twin_agrees() {
    let playground = Playground::start();
    let browser = Browser::start();
    browser.open_connected(&playground.demo_url("stepping_future"));
    browser.set_param("early_polls", EARLY_POLLS, WAIT);
    browser.set_param("value", VALUE, WAIT);
    browser.set_param("delay_ms", DELAY_MS, WAIT);
    browser.set_param("advances", ADVANCES, WAIT);
    browser.click(&browser.wait_for("#run-button", WAIT));
    let result = browser.wait_for("#stepping-future-result", WAIT);
    assert_eq!(browser.number::<u64>(&result, "data-value"), VALUE);

    let steps = browser.find_all(".step");
    let attr = |i: usize, name: &str| browser.attr(&steps[i], name).unwrap_or_default();
    let actions: Vec<String> = (0..steps.len()).map(|i| attr(i, "data-action")).collect();
    let mut expected = vec!["poll"; EARLY_POLLS as usize];
    expected.extend(["send", "poll"]);
    expected.extend(std::iter::repeat_n("advance", ADVANCES as usize));
    expected.push("poll");
    assert_eq!(actions, expected);
    assert_eq!(browser.number::<usize>(&result, "data-steps"), steps.len());

    // Every poll before the last is Pending; the last is Ready with twice the value.
    let last = steps.len() - 1;
    for (i, action) in actions.iter().enumerate().take(last) {
        if action == "poll" {
            assert_eq!(attr(i, "data-outcome"), "Pending", "step {i}");
        }
    }
    let ready = format!("Ready(Some({}))", 2 * VALUE);
    assert_eq!(attr(last, "data-outcome"), ready);
    // Woken by the send and by the last advance only; the advances add up to the delay.
    let send = EARLY_POLLS as usize;
    for i in 0..steps.len() {
        let woken = i == send || i == last - 1;
        assert_eq!(attr(i, "data-woken"), woken.to_string(), "step {i}");
    }
    let advanced: u64 = (0..steps.len())
        .map(|i| browser.number::<u64>(&steps[i], "data-advanced-us"))
        .sum();
    assert_eq!(advanced, DELAY_MS * 1000);
    assert_eq!(
        browser.number::<u64>(&steps[last - 1], "data-clock-us"),
        DELAY_MS * 1000
    );
    // The recorded twin agrees on every step, and its wakes are where is_woken() rose.
    assert_eq!(browser.number::<usize>(&result, "data-agreed"), steps.len());
    for (i, step) in steps.iter().enumerate() {
        assert_eq!(attr(i, "data-agrees"), "true", "step {i}");
        let woken = attr(i, "data-woken") == "true";
        assert_eq!(
            browser.number::<u64>(step, "data-recorded-wakes") > 0,
            woken,
            "step {i}"
        );
        let recorded = attr(i, "data-recorded-poll");
        let plain = attr(i, "data-outcome");
        assert!(
            plain.starts_with(&recorded) || (recorded == "—" && plain == "—"),
            "step {i}: {recorded} vs {plain}"
        );
    }

    // The notice quotes the table's figures.
    let notice = Notice::read(&browser, WAIT);
    let refs = |i: usize| attr(i, "data-waker-refs");
    let script = browser.number::<u64>(&result, "data-script-task");
    notice.assert_contains([
        format!("waker_ref_count() was {}", refs(0)),
        format!("{} more poll(s) before the send each returned Pending", EARLY_POLLS - 1),
        format!("tx.send({VALUE}) made is_woken() true"),
        format!("the recorder saw the twin woken by the script (task {script})"),
        format!("waits on its {} timer", format_ms(DELAY_MS * 1000)),
        format!(
            "{} advance(s) left it not woken, and the one that brought the paused clock to {} woke it (recorded as woken by the timer); waker_ref_count() went to {}",
            ADVANCES - 1,
            format_ms(DELAY_MS * 1000),
            refs(last - 1)
        ),
        format!("The last poll returned {ready}."),
        format!("agreed with the plain future on all {} steps", steps.len()),
    ]);
    // Nothing here is a reading of timings: nothing is withheld, however busy the machine.
    assert_eq!(notice.conclusions, 0, "{}", notice.text);
    assert_eq!(notice.withheld, 0, "{}", notice.text);

    // The timeline draws the script and the twin (and the part's main task).
    let wrap = browser.wait_for(".timeline[data-part='0'] .tl-canvas-wrap", WAIT);
    assert!(browser.number::<u64>(&wrap, "data-tasks") >= 3);
}
