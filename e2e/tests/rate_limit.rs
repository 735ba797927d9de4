//! Outline section 8 in a real browser: operations, every fourth slower than the period,
//! paced by `interval` with Burst, Delay and Skip and by a token bucket. The page's
//! numbers are read off the page and checked against the run's parameters and each other,
//! and its notice against those numbers.

use std::time::Duration;

use pollscope_e2e::format_ms;
use pollscope_e2e::notice::Notice;
use pollscope_e2e::playground::Playground;
use pollscope_e2e::webdriver::Browser;

const WAIT: Duration = Duration::from_secs(60);
const PERIOD_MS: u64 = 20;
const OPS: u64 = 12;

/// The page's `bins`: gaps in half periods.
fn bins(gaps: &[u64], period_us: u64) -> [u64; 4] {
    let mut counts = [0; 4];
    for &gap in gaps {
        counts[match gap * 2 / period_us {
            0 => 0,
            1 | 2 => 1,
            3 | 4 => 2,
            _ => 3,
        }] += 1;
    }
    counts
}

#[test]
fn each_limiter_paces_the_same_operations_and_the_page_says_what_it_measured() {
    let playground = Playground::start();
    let browser = Browser::start();
    browser.open_connected(&playground.demo_url("rate_limit"));
    browser.set_param("period_ms", PERIOD_MS, WAIT);
    browser.set_param("ops", OPS, WAIT);
    browser.set_param("slow_every", 4, WAIT);
    browser.set_param("slow_ms", 50, WAIT);
    browser.set_param("fast_ms", 1, WAIT);
    browser.set_param("bucket", 3, WAIT);
    browser.click(&browser.wait_for("#run-button", WAIT));
    let result = browser.wait_for("#rate-limit-result", WAIT);
    assert_eq!(browser.number::<u64>(&result, "data-period-ms"), PERIOD_MS);

    let limiters = browser.find_all(".limiter-run");
    let kinds: Vec<String> = limiters
        .iter()
        .map(|l| browser.attr(l, "data-limiter").unwrap_or_default())
        .collect();
    assert_eq!(
        kinds,
        [
            "interval_burst",
            "interval_delay",
            "interval_skip",
            "token_bucket"
        ]
    );
    let notice = Notice::read(&browser, WAIT);
    let mut rates = Vec::new();
    let mut bucket_short = 0;
    for (part, limiter) in limiters.iter().enumerate() {
        assert_eq!(browser.number::<u64>(limiter, "data-ops"), OPS);
        let span = browser.number::<u64>(limiter, "data-span-us");
        let gaps: Vec<u64> = browser
            .attr(limiter, "data-gaps")
            .unwrap_or_default()
            .split(',')
            .map(|g| g.parse().unwrap())
            .collect();
        assert_eq!(gaps.len() as u64, OPS - 1);
        assert_eq!(
            gaps.iter().sum::<u64>(),
            span,
            "the gaps add up to the span"
        );
        // The bins shown are the gaps', and the rate is the starts over the span.
        let counts = bins(&gaps, PERIOD_MS * 1000);
        let shown: Vec<u64> = browser
            .find_all(&format!(".limiter-run[data-part='{part}'] .gap-bin"))
            .iter()
            .map(|b| browser.number::<u64>(b, "data-count"))
            .collect();
        assert_eq!(shown, counts, "part {part}");
        let rate = (OPS - 1) as f64 * 1e6 / span as f64;
        rates.push(rate);
        let mut sorted = gaps.clone();
        sorted.sort_unstable();
        let label = [
            "interval, Burst",
            "interval, Delay",
            "interval, Skip",
            "token bucket",
        ][part];
        notice.assert_contains([format!(
            "{label}: {OPS} operations in {}, {rate:.1}/s against a target of 50.0/s. Gaps \
             between starts: shortest {}, median {}, longest {}; {} under half a period.",
            format_ms(span),
            format_ms(sorted[0]),
            format_ms(sorted[sorted.len() / 2]),
            format_ms(sorted[sorted.len() - 1]),
            counts[0]
        )]);
        if part == 3 {
            bucket_short = counts[0];
        }
    }
    notice.assert_contains([
        "Burst kept every tick on the grid, tick i at i × 20 ms",
        "Skip kept every tick on the grid's multiples of 20 ms",
    ]);
    if notice.shared {
        assert_eq!(notice.withheld, 2, "{}", notice.text);
    } else {
        let verdict = if rates[0] > rates[1] && rates[0] > rates[2] {
            "Burst came closest to the target"
        } else {
            "did not start more operations a second than both"
        };
        let bucket = if bucket_short > 0 {
            format!("{bucket_short} operation(s) started under half a period after")
        } else {
            "No two operations went back to back".to_owned()
        };
        notice.assert_contains([verdict.to_owned(), bucket]);
        assert_eq!(notice.conclusions, 2, "{}", notice.text);
    }
    for part in 0..4 {
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
