//! Outline section 8 in a real browser: a loopback server under load gets its shutdown
//! token cancelled mid-run, stops accepting, drains with a deadline and aborts the rest;
//! the page's counts and its notice read off the page and checked against each other.

use std::time::Duration;

use pollscope_e2e::format_ms;
use pollscope_e2e::notice::Notice;
use pollscope_e2e::playground::Playground;
use pollscope_e2e::webdriver::Browser;

const WAIT: Duration = Duration::from_secs(60);
/// Requests of 100, 200, 300 and 400 ms; the signal at 150 ms, while every one is in
/// flight (the 400 ms one started after the signal's clock did); no drain time.
const CLIENTS: u64 = 4;
const REQUEST_MS: u64 = 100;
const SIGNAL_MS: u64 = 150;
const DRAIN_MS: u64 = 0;

#[test]
fn the_server_refuses_drains_and_aborts_and_the_page_says_what_it_counted() {
    let playground = Playground::start();
    let browser = Browser::start();
    browser.open_connected(&playground.demo_url("graceful_shutdown"));
    browser.set_param("clients", CLIENTS, WAIT);
    browser.set_param("request_ms", REQUEST_MS, WAIT);
    browser.set_param("signal_after_ms", SIGNAL_MS, WAIT);
    browser.set_param("drain_ms", DRAIN_MS, WAIT);
    browser.click(&browser.wait_for("#run-button", WAIT));
    let result = browser.wait_for("#graceful-shutdown-result", WAIT);
    let read = |name: &str| browser.number::<u64>(&result, name);
    assert_eq!(read("data-clients"), CLIENTS);
    assert_eq!(read("data-drain-ms"), DRAIN_MS);
    // The signal's timer cannot fire early.
    assert!(read("data-signal-at-us") >= SIGNAL_MS * 1000);

    // The server's accounts: the requests in flight at the signal were drained or
    // aborted, none other; with no drain time the 400 ms one was aborted.
    let (in_flight, drained, aborted) = (
        read("data-in-flight"),
        read("data-drained"),
        read("data-aborted"),
    );
    assert_eq!(drained + aborted, in_flight);
    assert!(
        aborted >= 1,
        "the 400 ms request could not finish in no time"
    );
    assert!(read("data-connections-aborted") >= aborted);
    assert_eq!(
        browser.attr(&result, "data-drained-in-time").as_deref(),
        Some("false")
    );
    // The clients' side: every reply the server wrote was read, every aborted request
    // was cut off, and each client was refused three times in a row before giving up.
    assert_eq!(read("data-replies"), read("data-before") + drained);
    assert!(read("data-cut") >= aborted);
    assert!(read("data-refused") >= CLIENTS * 3);

    // The notice quotes the page's counts.
    let notice = Notice::read(&browser, WAIT);
    notice.assert_contains([
        format!(
            "{CLIENTS} clients sent requests of {REQUEST_MS}–{} ms without a break; {} were \
             answered before the signal, which fired {} after they started (asked: \
             {SIGNAL_MS} ms)",
            REQUEST_MS * 4,
            read("data-before"),
            format_ms(read("data-signal-at-us"))
        ),
        format!(
            "{} connection(s) were open and {in_flight} request(s) in flight",
            read("data-open-at-signal")
        ),
        format!(
            "the clients' {} connection attempt(s) after the signal were refused, and {} \
             request(s)",
            read("data-refused"),
            read("data-cut")
        ),
        format!(
            "Of the {in_flight} in flight, {drained} finished within the {DRAIN_MS} ms drain \
             deadline and {aborted} were aborted; {} connection task(s) were still running",
            read("data-connections-aborted")
        ),
        format!(
            "From the signal to the last task's end: {}.",
            format_ms(read("data-signal-to-last-us"))
        ),
    ]);
    // Its one reading: the deadline set the shutdown's length, when it ended within one
    // request time of it.
    if notice.shared {
        assert_eq!(notice.withheld, 1, "{}", notice.text);
    } else {
        let verdict = if read("data-signal-to-last-us") < (DRAIN_MS + REQUEST_MS) * 1000 {
            "The deadline, not the requests, set how long shutdown took"
        } else {
            "the abort itself was slow to run"
        };
        notice.says(verdict);
        assert_eq!(notice.conclusions, 1, "{}", notice.text);
    }

    // The timeline: a row for the server, each client and each connection.
    let wrap = browser.wait_for(".timeline[data-part='0'] .tl-canvas-wrap", WAIT);
    assert!(browser.number::<u64>(&wrap, "data-tasks") >= 1 + CLIENTS + read("data-accepted"));
}
