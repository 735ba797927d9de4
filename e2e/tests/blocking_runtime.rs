//! Outline section 7 in a real browser: the echo server on `current_thread` where one
//! request's handler sleeps 40 ms with `std::thread::sleep`, `tokio::time::sleep` and
//! `spawn_blocking`. The page's numbers are read off the page and checked against the
//! run's parameters and each other, and its notice against those numbers.

use std::time::Duration;

use pollscope_e2e::format_ms;
use pollscope_e2e::notice::Notice;
use pollscope_e2e::playground::Playground;
use pollscope_e2e::webdriver::Browser;

const WAIT: Duration = Duration::from_secs(60);
const CLIENTS: u64 = 4;
const MESSAGES: u64 = 20;
const WORK_MS: u64 = 40;

#[test]
fn the_blocking_sleep_shows_as_a_long_poll_that_held_up_the_others_and_the_page_says_so() {
    let playground = Playground::start();
    let browser = Browser::start();
    browser.open_connected(&playground.demo_url("blocking_runtime"));
    browser.set_param("workers", 0, WAIT);
    browser.set_param("clients", CLIENTS, WAIT);
    browser.set_param("messages", MESSAGES, WAIT);
    browser.set_param("work_ms", WORK_MS, WAIT);
    browser.set_param("way", 3, WAIT); // all three ways, one part each
    browser.click(&browser.wait_for("#run-button", WAIT));
    let result = browser.wait_for("#blocking-runtime-result[data-finished='true']", WAIT);
    assert_eq!(browser.number::<u64>(&result, "data-work-ms"), WORK_MS);
    assert_eq!(browser.number::<u64>(&result, "data-clients"), CLIENTS);

    let ways = browser.find_all("table.way-run");
    let names: Vec<String> = ways
        .iter()
        .map(|w| browser.attr(w, "data-way").unwrap_or_default())
        .collect();
    assert_eq!(names, ["thread_sleep", "tokio_sleep", "spawn_blocking"]);
    let read = |i: usize, name: &str| browser.number::<u64>(&ways[i], name);
    let attr = |i: usize, name: &str| browser.attr(&ways[i], name).unwrap_or_default();
    let work_us = WORK_MS * 1000;
    for i in 0..3 {
        assert!(read(i, "data-p50-us") <= read(i, "data-p99-us"), "part {i}");
        assert!(read(i, "data-p99-us") <= read(i, "data-max-us"), "part {i}");
        // Whichever way, the slow request came back after its work.
        assert!(read(i, "data-slow-us") >= work_us, "part {i}");
    }

    // std::thread::sleep: the longest poll is client 0's connection's, at least the work,
    // and on the one thread it held up the other clients, at least one for the work.
    assert_eq!(attr(0, "data-poll-client"), "0");
    let long_poll = read(0, "data-poll-us");
    assert!(long_poll >= work_us);
    let held: Vec<String> = attr(0, "data-held-up")
        .split(',')
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect();
    assert!(!held.is_empty(), "someone waited the poll out");
    assert!(held.iter().all(|c| c != "0"), "{held:?}");
    assert!(read(0, "data-held-up-max-us") >= long_poll / 2);
    assert!(read(0, "data-max-us") >= work_us);
    // spawn_blocking: the sleep on a blocking-pool lane, for at least the work.
    assert!(read(2, "data-blocking-us") >= work_us);
    assert!(attr(2, "data-blocking-lane").contains('#'));
    assert_eq!(attr(0, "data-blocking-us"), "");

    // The notice names the long poll, as the table shows it, and the held-up clients.
    let notice = Notice::read(&browser, WAIT);
    let task = attr(0, "data-poll-task-label");
    let lane = attr(0, "data-poll-lane");
    for figure in [
        format!("the longest poll was {task}"),
        format!("on {lane}: {}", format_ms(long_poll)),
        format!("(up to {})", format_ms(read(0, "data-held-up-max-us"))),
        format!(
            "{} with std::thread::sleep, {} with tokio::time::sleep, {} with spawn_blocking",
            format_ms(read(0, "data-p99-us")),
            format_ms(read(1, "data-p99-us")),
            format_ms(read(2, "data-p99-us"))
        ),
        format!(
            "ran for {} on {}",
            format_ms(read(2, "data-blocking-us")),
            attr(2, "data-blocking-lane")
        ),
    ] {
        notice.says(&figure);
    }
    notice.assert_contains(&held);
    // Its verdict on the p99s follows from the numbers it quotes, and is drawn only when
    // the machine was not shared (the run's load says which, beside the notice).
    let p99 = read(0, "data-p99-us");
    let yielding = read(1, "data-p99-us").max(read(2, "data-p99-us"));
    // (Notice::read has checked that a shared run's notice says why and concludes nothing.)
    if notice.shared {
        notice.never_says("raised it");
        notice.never_says("noise");
    } else if p99 >= 2 * yielding && p99 - yielding >= 1000 {
        notice.says("raised it");
    } else {
        notice.says("within this run's noise");
    }

    // One timeline per part; the long poll's lane is drawn, and in part 2 the blocking
    // pool's thread is a lane of its own beside the runtime's thread.
    for part in 0..3 {
        let wrap = browser.wait_for(
            &format!(".timeline[data-part='{part}'] .tl-canvas-wrap"),
            WAIT,
        );
        assert!(
            browser.number::<u64>(&wrap, "data-tasks") >= 2 * CLIENTS + 2,
            "part {part}: a row for each client, each connection, the accept loop and main"
        );
        let lanes_needed = if part == 2 { 2 } else { 1 }; // spawn_blocking adds a pool lane
        assert!(browser.number::<u64>(&wrap, "data-lanes") >= lanes_needed);
    }
}
