//! Outline section 1 in a real browser: click Run, read the measured numbers off the page.

use std::time::Duration;

use pollscope_e2e::playground::Playground;
use pollscope_e2e::webdriver::Browser;

#[test]
fn clicking_run_shows_sum_for_sequential_and_max_for_concurrent() {
    let playground = Playground::start();
    let browser = Browser::start();
    browser.open_connected(&playground.url("/#/seq_vs_concurrent"));

    // Knobs come from the server's descriptor; set them as a learner would.
    const A_MS: f64 = 250.0;
    const B_MS: f64 = 450.0;
    let a = browser.wait_for("#param-delay_a_ms", Duration::from_secs(5));
    assert_eq!(browser.attr(&a, "min").as_deref(), Some("10"));
    assert_eq!(browser.attr(&a, "max").as_deref(), Some("3000"));
    browser.type_into(&a, &format!("{A_MS}"));
    let b = browser.wait_for("#param-delay_b_ms", Duration::from_secs(5));
    browser.type_into(&b, &format!("{B_MS}"));

    let run = browser.wait_for("#run-button", Duration::from_secs(5));
    browser.click(&run);
    let result = browser.wait_for("#result", Duration::from_secs(20));

    let seq_ms = browser.number::<f64>(&result, "data-sequential-us") / 1000.0;
    let conc_ms = browser.number::<f64>(&result, "data-concurrent-us") / 1000.0;
    // Measured for real on the server: sequential ≈ sum, concurrent ≈ max. Tolerances
    // allow for a loaded 2-core machine without letting the two strategies overlap.
    assert!(
        seq_ms >= A_MS + B_MS,
        "sequential {seq_ms} ms < sum {}",
        A_MS + B_MS
    );
    assert!(
        seq_ms < A_MS + B_MS + 300.0,
        "sequential {seq_ms} ms far above the sum"
    );
    assert!(conc_ms >= B_MS, "concurrent {conc_ms} ms < max {B_MS}");
    assert!(
        conc_ms < A_MS + B_MS,
        "concurrent {conc_ms} ms is not below the sum"
    );

    // One bar per fetch: 2 strategies x 2 servers, each with the server's measured time.
    let bars = browser.find_all(".fetch-bar");
    assert_eq!(bars.len(), 4, "fetch bars drawn");
    for bar in &bars {
        let elapsed_ms = browser.number::<f64>(bar, "data-elapsed-us") / 1000.0;
        let delay = match browser.attr(bar, "data-server").as_deref() {
            Some("a") => A_MS,
            Some("b") => B_MS,
            other => panic!("bar for server {other:?}"),
        };
        assert!(
            elapsed_ms >= delay,
            "bar {elapsed_ms} ms shorter than its delay {delay}"
        );
    }
    let text = browser.text(&result);
    assert!(
        text.contains("Sequential") && text.contains("Concurrent"),
        "{text}"
    );
}

#[test]
fn the_page_says_so_when_the_backend_is_unreachable() {
    let playground = Playground::start();
    let browser = Browser::start();
    browser.open_connected(&playground.url("/#/seq_vs_concurrent"));
    // The backend goes away: the page must notice and start reconnecting with backoff.
    drop(playground);
    browser.wait_for(
        "#connection-status[data-state='reconnecting']",
        Duration::from_secs(20),
    );
}
