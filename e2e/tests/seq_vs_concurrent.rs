//! Outline section 1 in a real browser: click Run, read the measured numbers off the page.

use std::time::Duration;

use pollscope_e2e::notice::Notice;
use pollscope_e2e::playground::Playground;
use pollscope_e2e::webdriver::Browser;

#[test]
fn clicking_run_shows_sum_for_sequential_and_max_for_concurrent() {
    let playground = Playground::start();
    let browser = Browser::start();
    browser.open_connected(&playground.demo_url("seq_vs_concurrent"));

    // Knobs come from the server's descriptor; set them as a learner would.
    const A_MS: u64 = 250;
    const B_MS: u64 = 450;
    let a = browser.wait_for("#param-delay_a_ms", Duration::from_secs(5));
    assert_eq!(browser.attr(&a, "min").as_deref(), Some("10"));
    assert_eq!(browser.attr(&a, "max").as_deref(), Some("3000"));
    browser.type_into(&a, &format!("{A_MS}"));
    let b = browser.wait_for("#param-delay_b_ms", Duration::from_secs(5));
    browser.type_into(&b, &format!("{B_MS}"));

    let run = browser.wait_for("#run-button", Duration::from_secs(5));
    browser.click(&run);
    let result = browser.wait_for("#result", Duration::from_secs(20));

    let seq_us = browser.number::<u64>(&result, "data-sequential-us");
    let conc_us = browser.number::<u64>(&result, "data-concurrent-us");
    // Measured for real on the server: sequential waits for both delays, concurrent for the
    // longer one. (No upper bounds: a loaded machine may add any delay to either.)
    assert!(
        seq_us >= (A_MS + B_MS) * 1000,
        "sequential {seq_us} µs < sum {} ms",
        A_MS + B_MS
    );
    assert!(
        conc_us >= B_MS * 1000,
        "concurrent {conc_us} µs < max {B_MS} ms"
    );

    // One bar per fetch: 2 strategies x 2 servers, each with the server's measured time.
    let bars = browser.find_all(".fetch-bar");
    assert_eq!(bars.len(), 4, "fetch bars drawn");
    let mut fetches = std::collections::BTreeMap::new();
    for bar in &bars {
        let strategy = browser.attr(bar, "data-strategy").unwrap_or_default();
        let server = browser.attr(bar, "data-server").unwrap_or_default();
        let started = browser.number::<u64>(bar, "data-started-at-us");
        let elapsed = browser.number::<u64>(bar, "data-elapsed-us");
        let delay = match server.as_str() {
            "a" => A_MS,
            "b" => B_MS,
            other => panic!("bar for server {other:?}"),
        };
        assert!(
            elapsed >= delay * 1000,
            "bar {elapsed} µs shorter than its delay {delay} ms"
        );
        let total = if strategy == "sequential" {
            seq_us
        } else {
            conc_us
        };
        assert!(
            started + elapsed <= total,
            "{strategy} {server} ends after its total"
        );
        fetches.insert((strategy, server), (started, elapsed));
    }
    let fetch = |strategy: &str, server: &str| fetches[&(strategy.to_owned(), server.to_owned())];
    // Sequential: b starts once a has finished. Concurrent: each starts before the other
    // finishes, so the two waits overlap.
    let ((sa_start, sa_took), (sb_start, sb_took)) =
        (fetch("sequential", "a"), fetch("sequential", "b"));
    assert!(sb_start >= sa_start + sa_took, "{fetches:?}");
    assert!(seq_us >= sa_took + sb_took, "{fetches:?}");
    let ((ca_start, ca_took), (cb_start, cb_took)) =
        (fetch("concurrent", "a"), fetch("concurrent", "b"));
    assert!(
        cb_start < ca_start + ca_took && ca_start < cb_start + cb_took,
        "{fetches:?}"
    );

    // The labels and the notice state this run's numbers, as measured.
    let ms = |us: u64| format!("{:.1} ms", us as f64 / 1000.0);
    let text = browser.text(&result);
    for expected in [
        format!(
            "Sequential: {} (≈ sum of delays: {} ms)",
            ms(seq_us),
            A_MS + B_MS
        ),
        format!("Concurrent: {} (≈ max: {B_MS} ms)", ms(conc_us)),
        format!(
            "Sequential took {:.2}× as long as concurrent",
            seq_us as f64 / conc_us as f64
        ),
    ] {
        assert!(text.contains(&expected), "no {expected:?} in {text}");
    }
    // The notice: its facts quote the bars' numbers as the page formats them; its
    // conclusions are the ones those numbers support, and only on a quiet machine.
    let offset = |later: u64, earlier: u64| {
        if later >= earlier {
            format!("{} after", ms(later - earlier))
        } else {
            format!("{} before", ms(earlier - later))
        }
    };
    for bar in &bars {
        let server = browser.attr(bar, "data-server").unwrap_or_default();
        let delay = if server == "a" { A_MS } else { B_MS };
        assert_eq!(
            browser.number::<u64>(bar, "data-delay-ms"),
            delay,
            "{server}"
        );
    }
    let notice = Notice::read(&browser, Duration::from_secs(5));
    let sa_end = sa_start + sa_took;
    let total = if conc_us >= B_MS * 1000 {
        format!("{} more than", ms(conc_us - B_MS * 1000))
    } else {
        format!("{} less than", ms(B_MS * 1000 - conc_us))
    };
    notice.assert_contains([
        format!(
            "Sequentially, fetch b started {} fetch a, which took {}: {} it finished.",
            offset(sb_start, sa_start),
            ms(sa_took),
            offset(sb_start, sa_end)
        ),
        format!(
            "With join!, fetch b started {} fetch a, and the total was {total} the slower \
             server's {B_MS} ms delay.",
            offset(cb_start, ca_start)
        ),
    ]);
    if notice.shared {
        // Every branch has a conclusion, so a shared run's notice left some out.
        assert!(notice.withheld > 0, "{}", notice.text);
        return;
    }
    // "Just after": within a tenth of server a's delay of a's end.
    let sequential = if sb_start < sa_end {
        "So the recorded times overlap"
    } else if sb_start - sa_end <= A_MS * 1000 / 10 {
        "That is just after it finished"
    } else {
        "but not just after it either"
    };
    // The servers waited at the same time if each fetch began before the other's delay
    // was over; the faster wait was hidden if the total stayed under the slower delay
    // plus half the faster one.
    let overlapped = cb_start < ca_start + A_MS * 1000 && ca_start < cb_start + B_MS * 1000;
    let mut expected = vec![sequential];
    if !overlapped {
        expected.push("did not wait at the same time");
    } else if conc_us < B_MS * 1000 + A_MS * 1000 / 2 {
        expected.extend(["so both servers waited at the same time", "was hidden"]);
    } else {
        expected.extend(["so both servers waited at the same time", "did not hide"]);
    }
    notice.assert_contains(expected);
    // The recorded-overlap sentence is a fact; every other branch is one conclusion, and
    // overlapping waits add the one on the total.
    let expected_conclusions = usize::from(sb_start >= sa_end) + if overlapped { 2 } else { 1 };
    assert_eq!(notice.conclusions, expected_conclusions, "{}", notice.text);
}

#[test]
fn the_page_reconnects_when_the_backend_comes_back() {
    let playground = Playground::start();
    let addr = playground.addr;
    let browser = Browser::start();
    browser.open_connected(&playground.demo_url("seq_vs_concurrent"));
    // The backend goes away: the page must notice and start reconnecting with backoff.
    drop(playground);
    browser.wait_for(
        "#connection-status[data-state='reconnecting']",
        Duration::from_secs(20),
    );
    assert!(browser.find_all("#result").is_empty());

    // A new backend where the old one listened: the page connects to it by itself (the
    // backoff is at most 8 s) and runs the demo there.
    let playground = Playground::start_at(addr);
    browser.wait_for(
        "#connection-status[data-state='connected']",
        Duration::from_secs(30),
    );
    assert_eq!(playground.state.live_sessions(), 1, "the page's session");
    const A_MS: u64 = 20;
    const B_MS: u64 = 40;
    let a = browser.wait_for("#param-delay_a_ms", Duration::from_secs(5));
    browser.type_into(&a, &A_MS.to_string());
    let b = browser.wait_for("#param-delay_b_ms", Duration::from_secs(5));
    browser.type_into(&b, &B_MS.to_string());
    let run = browser.wait_for("#run-button", Duration::from_secs(5));
    browser.click(&run);
    let result = browser.wait_for("#result", Duration::from_secs(20));
    assert!(browser.number::<u64>(&result, "data-sequential-us") >= (A_MS + B_MS) * 1000);
    assert!(browser.number::<u64>(&result, "data-concurrent-us") >= B_MS * 1000);
}
