//! Outline section 9 in a real browser: the retry code of section 8 on a paused clock.
//! The page's numbers are read off the page and checked against the run's parameters
//! and each other (exactly, on Tokio's clock, which only jumps), and its notice against
//! those numbers. Nothing is asserted about how long the real clock took.

use std::time::Duration;

use pollscope_e2e::notice::Notice;
use pollscope_e2e::playground::Playground;
use pollscope_e2e::webdriver::Browser;

const WAIT: Duration = Duration::from_secs(60);
const FAILURES: u64 = 3;
const BASE_MS: u64 = 1000;
const CAP_MS: u64 = 30_000;

/// The page's `format_virtual`.
fn virtual_s(us: u64) -> String {
    format!("{:.3} s", us as f64 / 1e6)
}

/// The page's `format_real`.
fn real_ms(us: u64) -> String {
    format!("{:.3} ms", us as f64 / 1000.0)
}

#[test]
fn seconds_of_backoff_are_exact_jumps_of_the_clock_and_the_page_says_so() {
    let playground = Playground::start();
    let browser = Browser::start();
    browser.open_connected(&playground.demo_url("paused_time"));
    browser.set_param("failures", FAILURES, WAIT);
    browser.set_param("base_ms", BASE_MS, WAIT);
    browser.set_param("cap_ms", CAP_MS, WAIT);
    browser.set_param("max_attempts", 6, WAIT);
    browser.set_param("seed", 7, WAIT);
    browser.click(&browser.wait_for("#run-button", WAIT));
    let result = browser.wait_for("#paused-time-result", WAIT);
    assert_eq!(browser.number::<u64>(&result, "data-failures"), FAILURES);

    let policies = browser.find_all(".paused-policy");
    let kinds: Vec<String> = policies
        .iter()
        .map(|p| browser.attr(p, "data-backoff").unwrap_or_default())
        .collect();
    assert_eq!(kinds, ["linear", "exponential_jitter"]);
    let notice = Notice::read(&browser, WAIT);
    for (part, policy) in policies.iter().enumerate() {
        let read = |name: &str| browser.number::<u64>(policy, name);
        assert_eq!(read("data-attempts"), FAILURES + 1);
        assert_eq!(read("data-server-requests"), FAILURES + 1);
        let rows = browser.find_all(&format!(".paused-policy[data-part='{part}'] .clock-jump"));
        assert_eq!(rows.len() as u64, FAILURES + 1);
        let mut clock = 0;
        let mut jumps = Vec::new();
        for (n, row) in (1..).zip(&rows) {
            let cell = |name: &str| browser.number::<u64>(row, name);
            let planned = cell("data-planned-us");
            // The clock jumps to each sleep's deadline, and does not move in an attempt.
            assert_eq!(
                cell("data-virtual-slept-us"),
                planned,
                "part {part} attempt {n}"
            );
            clock += planned;
            assert_eq!(
                cell("data-virtual-started-us"),
                clock,
                "part {part} attempt {n}"
            );
            assert_eq!(cell("data-virtual-took-us"), 0, "part {part} attempt {n}");
            assert_eq!(cell("data-status"), if n <= FAILURES { 503 } else { 200 });
            if n > 1 {
                jumps.push(virtual_s(planned));
                if part == 0 {
                    assert_eq!(planned, (n - 1) * BASE_MS * 1000, "linear: n × base");
                }
            }
        }
        assert_eq!(read("data-virtual-total-us"), clock);
        assert_eq!(read("data-planned-us"), clock);
        assert!(clock >= FAILURES * BASE_MS * 1000 / 2, "seconds of backoff");
        let label = ["linear backoff", "exponential backoff with jitter"][part];
        notice.assert_contains([
            format!(
                "With {label}: 4 attempt(s), answered 503, 503, 503, 200; it succeeded on attempt 4. \
                 Tokio's clock went forward {}; the machine's, {}.",
                virtual_s(clock),
                real_ms(read("data-real-total-us"))
            ),
            format!(
                "The clock jumped 3 time(s), once per sleep, each by exactly its planned delay: {};",
                jumps.join(", ")
            ),
        ]);
        let shown = browser.text(&browser.find_all(".virtual-total")[part]);
        assert_eq!(shown, virtual_s(clock));
    }
    notice.assert_contains(["No attempt moved Tokio's clock"]);
    if notice.shared {
        assert_eq!(notice.withheld, 2, "{}", notice.text);
    } else {
        assert_eq!(notice.conclusions, 2, "{}", notice.text);
    }
    for part in 0..2 {
        let wrap = browser.wait_for(
            &format!(".timeline[data-part='{part}'] .tl-canvas-wrap"),
            WAIT,
        );
        assert!(
            browser.number::<u64>(&wrap, "data-tasks") >= 1,
            "part {part}"
        );
    }
}
