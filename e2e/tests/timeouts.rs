//! Outline section 6 in a real browser: a 50 ms timeout around a fetch from a server that
//! answers after 300 ms. The page's numbers are read off the page and checked against the
//! run's parameters and each other, and its notice against those numbers.

use std::time::Duration;

use pollscope_e2e::format_ms;
use pollscope_e2e::notice::Notice;
use pollscope_e2e::playground::Playground;
use pollscope_e2e::webdriver::Browser;

const WAIT: Duration = Duration::from_secs(60);
const LIMIT_MS: u64 = 50;
const DELAY_MS: u64 = 300;
const ATTEMPTS: u64 = 2;
/// Tokio's timer resolution (the page's `TIMER_RESOLUTION_US`).
const TICK_US: u64 = 1000;

/// The part of the notice about attempt `i`: from its first sentence to the next
/// attempt's, or to the notes about all of them.
fn attempt_part(notice: &str, i: u64) -> &str {
    let start = notice
        .find(&format!("Attempt {i}:"))
        .unwrap_or_else(|| panic!("attempt {i} in {notice}"));
    let rest = &notice[start..];
    let end = [format!("Attempt {}:", i + 1), "Over the".to_owned()]
        .iter()
        .filter_map(|next| rest.find(next.as_str()))
        .min()
        .unwrap_or(rest.len());
    &rest[..end]
}

#[test]
fn a_timeout_shorter_than_the_server_drops_the_fetch_and_the_page_says_what_it_measured() {
    let playground = Playground::start();
    let browser = Browser::start();
    browser.open_connected(&playground.demo_url("timeouts"));
    browser.set_param("limit_ms", LIMIT_MS, WAIT);
    browser.set_param("server_delay_ms", DELAY_MS, WAIT);
    browser.set_param("attempts", ATTEMPTS, WAIT);
    browser.click(&browser.wait_for("#run-button", WAIT));
    let result = browser.wait_for("#timeouts-result", WAIT);
    assert_eq!(browser.number::<u64>(&result, "data-limit-ms"), LIMIT_MS);
    assert_eq!(browser.number::<u64>(&result, "data-attempts"), ATTEMPTS);

    let attempts = browser.find_all(".attempt");
    assert_eq!(attempts.len() as u64, ATTEMPTS);
    let notice = Notice::read(&browser, WAIT);
    let mut lateness = Vec::new();
    for (i, attempt) in (1..).zip(&attempts) {
        let read = |name: &str| browser.number::<u64>(attempt, name);
        let attr = |name: &str| browser.attr(attempt, name).unwrap_or_default();
        let (limit, elapsed) = (read("data-limit-us"), read("data-elapsed-us"));
        assert_eq!(limit, LIMIT_MS * 1000);
        assert_eq!(attr("data-timed-out"), "true", "attempt {i}");
        // The timer never fires early.
        assert!(elapsed >= limit, "attempt {i}: {elapsed} µs < {limit} µs");
        assert_eq!(attr("data-dropped-wait"), "read reply", "attempt {i}");
        assert_eq!(attr("data-server-saw-close"), "true", "attempt {i}");
        assert_eq!(attr("data-server-replied"), "false", "attempt {i}");
        let close = read("data-server-close-after-us");
        assert!(
            close <= DELAY_MS * 1000,
            "attempt {i}: closed before the delay"
        );

        // The bars are drawn to one scale: the elapsed one no shorter than the limit's,
        // the server's delay (the longest here) the longest.
        let width = |bar: &str| {
            let el = browser.wait_for(
                &format!(".attempt[data-attempt='{i}'] [data-bar='{bar}']"),
                WAIT,
            );
            browser.rect(&el).2
        };
        let (limit_w, elapsed_w, delay_w) =
            (width("limit"), width("elapsed"), width("server-delay"));
        assert!(
            elapsed_w + 0.5 >= limit_w,
            "attempt {i}: {elapsed_w} vs {limit_w}"
        );
        assert!(delay_w > elapsed_w.max(limit_w) || elapsed >= DELAY_MS * 1000);

        // What the page says about the attempt, and the notice quoting the same numbers.
        let facts = browser.text(attempt);
        assert!(
            facts.contains("the inner future was dropped while waiting on \"read reply\""),
            "{facts}"
        );
        let saw = format!(
            "the server saw the connection close {} after the request",
            format_ms(close)
        );
        assert!(facts.contains(&saw), "{saw:?} in {facts}");
        let late = elapsed - limit;
        lateness.push(late);
        let fired = format!(
            "Attempt {i}: the timeout fired {} after the call, {} past the limit of {}.",
            format_ms(elapsed),
            format_ms(late),
            format_ms(limit)
        );
        // This attempt's notes: the same numbers, and a reading of its lateness that
        // follows from them, drawn only when the machine was not shared.
        let part = attempt_part(&notice.text, i);
        assert!(part.contains(&fired), "{fired:?} in {part}");
        assert!(part.contains(&saw), "{saw:?} in {part}");
        assert_eq!(
            part.contains(&format!("before its {DELAY_MS} ms delay was up")),
            close < DELAY_MS * 1000,
            "{part}"
        );
        let within_tick = "late by no more than the timer's 1 ms resolution";
        let past_tick = "late by more than the timer's 1 ms resolution";
        if notice.shared {
            assert!(!part.contains("resolution"), "{part}");
        } else if late <= TICK_US {
            assert!(part.contains(within_tick), "{part}");
        } else {
            let rest = format!("so for the other {}", format_ms(late - TICK_US));
            assert!(part.contains(past_tick) && part.contains(&rest), "{part}");
        }
    }
    notice.never_says("disagree");
    // Over the attempts: the smallest and largest lateness the attempts show.
    let (low, high) = (lateness.iter().min(), lateness.iter().max());
    let over = format!(
        "Over the {ATTEMPTS} attempts that timed out, the timeout returned between {} and {} \
         past its limit.",
        format_ms(*low.expect("attempts")),
        format_ms(*high.expect("attempts"))
    );
    notice.says(&over);
    // The delay is longer than the limit: nothing is blamed on connecting or sending.
    notice.never_says("was under the limit");

    // The recorded part: the main task and one task per attempt.
    let wrap = browser.wait_for(".timeline[data-part='0'] .tl-canvas-wrap", WAIT);
    assert!(
        browser.number::<u64>(&wrap, "data-tasks") > ATTEMPTS,
        "a row for main and each attempt"
    );
}
