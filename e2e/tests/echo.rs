//! Outline section 4 in a real browser: run the echo server, watch the task table the
//! browser folds from the streamed events, and check it against the server's own totals.

use std::time::Duration;

use pollscope_e2e::notice::Notice;
use pollscope_e2e::playground::Playground;
use pollscope_e2e::webdriver::Browser;

#[test]
fn the_task_table_folds_the_same_events_the_server_counted() {
    let playground = Playground::start();
    let browser = Browser::start();
    browser.open_connected(&playground.demo_url("echo"));

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
    let by_reactor = browser.number::<u64>(&result, "data-wakes-reactor");
    assert!(by_reactor > 0);
    // The notice states the counts the page folded: the Pending polls by await point, the
    // server's poll count, the reactor's wakes and the lanes' parks, as shown elsewhere.
    let times = |n: u64| {
        if n == 1 {
            "once".to_owned()
        } else {
            format!("{n} times")
        }
    };
    let (mut pending, mut reads) = (0, 0);
    for row in browser.find_all(".pending-by-await li") {
        let n = browser.number::<u64>(&row, "data-pending");
        pending += n;
        if browser
            .attr(&row, "data-await")
            .unwrap_or_default()
            .starts_with("read")
        {
            reads += n;
        }
    }
    assert!(reads > 0 && reads <= pending, "{reads} of {pending}");
    let parks = browser.number::<u64>(
        &browser.wait_for("#lanes", Duration::from_secs(1)),
        "data-parks",
    );
    // Counts only, no timings: the notice is all facts, shared machine or not.
    let notice = Notice::read(&browser, Duration::from_secs(1));
    assert_eq!(
        (notice.conclusions, notice.withheld),
        (0, 0),
        "{}",
        notice.text
    );
    let polls = browser.number::<u64>(&result, "data-polls");
    let by_task = browser.number::<u64>(&result, "data-wakes-task");
    let mut expected = vec![
        format!("{pending} of {polls} polls returned Pending, {reads} of them in a read"),
        format!(
            "The reactor woke tasks {}, other tasks woke them {}",
            times(by_reactor),
            times(by_task)
        ),
        format!("The workers parked {}", times(parks)),
    ];
    // A read that found no bytes waits for the reactor: said only when the reactor's
    // wakes are at least as many as those reads, and the shortfall otherwise.
    expected.push(if by_reactor >= reads {
        "until the reactor sees the socket become readable".to_owned()
    } else {
        format!(
            "so {} of those reads' waits ended without one",
            reads - by_reactor
        )
    });
    notice.assert_contains(expected);
    // The result's line: the count, the setup, and a rate that is the count over the time.
    let text = browser.text(&result);
    let prefix = format!(
        "{} round trips ({CLIENTS} clients × {MESSAGES} messages of 64 bytes) in ",
        CLIENTS * MESSAGES
    );
    let rest = text
        .split_once(&prefix)
        .unwrap_or_else(|| panic!("no {prefix:?} in {text}"))
        .1;
    let (elapsed_ms, rest) = rest.split_once(" ms on a ").expect("the elapsed time");
    let elapsed_ms: f64 = elapsed_ms.parse().expect("a time in ms");
    let rate: f64 = rest
        .split_once(": ")
        .and_then(|(_, r)| r.split_once(" round trips/s"))
        .and_then(|(n, _)| n.parse().ok())
        .unwrap_or_else(|| panic!("no rate in {text}"));
    // The time is shown to 0.1 ms: the rate lies between the count over the time rounded
    // up and over the time rounded down.
    let round_trips = (CLIENTS * MESSAGES) as f64;
    let (slowest, fastest) = (
        round_trips * 1000.0 / (elapsed_ms + 0.05),
        round_trips * 1000.0 / (elapsed_ms - 0.05).max(0.001),
    );
    assert!(
        slowest - 1.0 <= rate && rate <= fastest,
        "{rate} round trips/s for {round_trips} in {elapsed_ms} ms"
    );
    assert!(text.contains("Round-trip latency: p50 "), "{text}");
}
