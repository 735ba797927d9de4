//! Outline section 4 in a real browser: run the echo server, watch the task table the
//! browser folds from the streamed events, and check it against the server's own totals.

use std::time::Duration;

use pollscope_e2e::playground::Playground;
use pollscope_e2e::webdriver::Browser;

#[test]
fn the_task_table_folds_the_same_events_the_server_counted() {
    let playground = Playground::start();
    let browser = Browser::start();
    browser.open_connected(&playground.url("/#/echo"));

    const CLIENTS: u64 = 4;
    const MESSAGES: u64 = 100;
    let clients = browser.wait_for("#param-clients", Duration::from_secs(5));
    assert_eq!(browser.attr(&clients, "max").as_deref(), Some("64"));
    browser.type_into(&clients, &CLIENTS.to_string());
    let messages = browser.wait_for("#param-messages", Duration::from_secs(5));
    browser.type_into(&messages, &MESSAGES.to_string());

    let run = browser.wait_for("#run-button", Duration::from_secs(5));
    browser.click(&run);
    let result = browser.wait_for("#echo-result", Duration::from_secs(30));

    // Every request came back.
    assert_eq!(
        browser.number::<u64>(&result, "data-round-trips"),
        CLIENTS * MESSAGES
    );
    assert_eq!(browser.number::<u64>(&result, "data-events-dropped"), 0);

    // One row per task the server counted, each one finished: the runtime was shut down
    // before the result was sent, so every task's end is in the events.
    let tasks = browser.number::<u64>(&result, "data-tasks");
    let rows = browser.find_all("#task-table tr.task-row");
    assert_eq!(rows.len() as u64, tasks, "task rows");
    // accept loop + main + one connection and one client task per client.
    assert!(tasks >= 2 + 2 * CLIENTS, "{tasks} tasks");
    let mut polls = 0;
    for row in &rows {
        polls += browser.number::<u64>(row, "data-polls");
        let state = browser.attr(row, "data-state").unwrap_or_default();
        let name = browser.attr(row, "data-name").unwrap_or_default();
        assert!(state.starts_with("done-"), "task {name} is {state}");
    }
    // The browser folded the same events the server folded for its result.
    assert_eq!(
        polls,
        browser.number::<u64>(&result, "data-polls"),
        "sum of polls"
    );
    let count = browser.wait_for("#event-count", Duration::from_secs(1));
    assert_eq!(
        browser.number::<u64>(&count, "data-events"),
        browser.number::<u64>(&result, "data-events-recorded"),
        "events received = events recorded"
    );
    assert_eq!(browser.number::<u64>(&count, "data-lost-batches"), 0);
    let dropped = browser.wait_for("#events-dropped", Duration::from_secs(1));
    assert_eq!(browser.number::<u64>(&dropped, "data-dropped"), 0);

    // Reads that found no bytes were woken by the reactor.
    assert!(browser.number::<u64>(&result, "data-wakes-reactor") > 0);
    let notice = browser.wait_for("#what-to-notice", Duration::from_secs(1));
    let text = browser.text(&notice);
    assert!(text.contains("returned Pending"), "{text}");
    let text = browser.text(&result);
    assert!(
        text.contains("round trips/s") && text.contains("p99"),
        "{text}"
    );
}
