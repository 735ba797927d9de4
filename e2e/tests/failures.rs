//! Failures and losses in a real browser: a run that fails shows as the server's
//! `run_failed` error on the page, which keeps working; events a too-small recorder
//! dropped are counted on the page, and the count agrees with the server's.

use std::time::Duration;

use pollscope_e2e::playground::Playground;
use pollscope_e2e::webdriver::Browser;

const WAIT: Duration = Duration::from_secs(30);

#[test]
fn a_failing_run_shows_its_error_and_the_page_runs_the_next_demo() {
    let playground = Playground::with(|c| c.test_scenarios = true);
    let browser = Browser::start();
    browser.open_connected(&playground.demo_url("test_always_fails"));
    browser.click(&browser.wait_for("#run-button", WAIT));
    let error = browser.wait_for("#run-error[data-code='run_failed']", WAIT);
    let text = browser.text(&error);
    assert!(
        text.contains("this scenario always fails"),
        "the scenario's own words reach the page: {text}"
    );

    // The same page, on the same connection, runs a real demo next.
    browser.goto(&playground.demo_url("seq_vs_concurrent"));
    for name in ["delay_a_ms", "delay_b_ms"] {
        let input = browser.wait_for(&format!("#param-{name}"), WAIT);
        browser.type_into(&input, "10");
    }
    browser.click(&browser.wait_for("#run-button", WAIT));
    browser.wait_for("#result", WAIT);
}

#[test]
fn events_a_tiny_recorder_dropped_are_counted_on_the_page() {
    // 16 events per recording thread between two drains: the first poll of main alone
    // spawns 64 clients.
    let playground = Playground::with(|c| c.recorder_capacity = 16);
    let browser = Browser::start();
    browser.open_connected(&playground.demo_url("echo"));
    for (name, value) in [("clients", "64"), ("messages", "20")] {
        let input = browser.wait_for(&format!("#param-{name}"), WAIT);
        browser.type_into(&input, value);
    }
    browser.click(&browser.wait_for("#run-button", WAIT));
    let result = browser.wait_for("#echo-result", WAIT);
    assert_eq!(browser.number::<u64>(&result, "data-round-trips"), 64 * 20);
    let dropped = browser.number::<u64>(&result, "data-events-dropped");
    assert!(dropped > 0, "the server counted drops");
    // What the page counted from the batches' running totals is what the server counted.
    let shown = browser.wait_for("#events-dropped", WAIT);
    assert_eq!(browser.number::<u64>(&shown, "data-dropped"), dropped);
    assert!(
        browser
            .text(&shown)
            .contains(&format!("{dropped} events dropped"))
    );
}

#[test]
fn a_server_close_names_its_reason_on_the_page_and_it_reconnects() {
    // The server closes a session that sends nothing for a second, with the reason
    // "idle timeout" in its close frame; the page says so, and it reconnects.
    let playground = Playground::with(|c| c.idle_timeout_seconds = 1);
    let browser = Browser::start();
    browser.open_connected(&playground.url("/"));
    let notice = browser.wait_for("#notice", WAIT);
    let text = browser.text(&notice);
    assert!(
        text.contains("The server closed the connection (code 1000: normal closure): idle timeout"),
        "the close frame's code and reason reach the page: {text}"
    );
    // It reconnected by itself (and the next idle timeout will close it again).
    browser.wait_for("#connection-status[data-state='connected']", WAIT);
}
