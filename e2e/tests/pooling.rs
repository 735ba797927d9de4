//! Outline section 8 in a real browser: N requests at once through a Mutex<Vec> pool of
//! K connections, through the same pool behind a Semaphore, and with a connection per
//! request; the page's numbers and its notice read off the page and checked against
//! each other and against the run's parameters.

use std::time::Duration;

use pollscope_e2e::format_ms;
use pollscope_e2e::notice::Notice;
use pollscope_e2e::playground::Playground;
use pollscope_e2e::webdriver::Browser;

const WAIT: Duration = Duration::from_secs(60);
const REQUESTS: u64 = 10;
const POOL: u64 = 2;
const LATENCY_MS: u64 = 10;

#[test]
fn only_the_semaphore_pool_keeps_to_k_connections_and_the_page_says_what_it_counted() {
    let playground = Playground::start();
    let browser = Browser::start();
    browser.open_connected(&playground.demo_url("pooling"));
    browser.set_param("requests", REQUESTS, WAIT);
    browser.set_param("pool_size", POOL, WAIT);
    browser.set_param("server_latency_ms", LATENCY_MS, WAIT);
    browser.click(&browser.wait_for("#run-button", WAIT));
    let result = browser.wait_for("#pooling-result", WAIT);
    assert_eq!(browser.number::<u64>(&result, "data-requests"), REQUESTS);
    assert_eq!(browser.number::<u64>(&result, "data-pool-size"), POOL);

    let runs = browser.find_all(".pool-run");
    let names: Vec<String> = runs
        .iter()
        .map(|r| browser.attr(r, "data-strategy").unwrap_or_default())
        .collect();
    assert_eq!(
        names,
        ["mutex_pool", "semaphore_pool", "connect_per_request"]
    );
    let read = |i: usize, name: &str| browser.number::<u64>(&runs[i], name);
    for i in 0..3 {
        assert_eq!(read(i, "data-answered"), REQUESTS, "part {i}");
        assert!(
            read(i, "data-request-p50-us") >= LATENCY_MS * 1000,
            "part {i}"
        );
        assert!(read(i, "data-request-p50-us") <= read(i, "data-request-p99-us"));
        assert!(read(i, "data-most-open") <= read(i, "data-opened"));
    }
    // The server's counts: the Mutex pool overflowed past K, the semaphore held to K,
    // and a connection per request opened one each.
    assert!(read(0, "data-opened") > POOL);
    assert!(read(0, "data-most-open") > POOL);
    assert_eq!(read(1, "data-opened"), POOL);
    assert_eq!(read(1, "data-most-open"), POOL);
    assert_eq!(read(2, "data-opened"), REQUESTS);
    // Five requests in turn on some connection: the last waited for four before it.
    let rounds = REQUESTS.div_ceil(POOL);
    assert!(read(1, "data-wait-max-us") >= (rounds - 1) * LATENCY_MS * 1000);

    // The notice quotes the numbers the page shows, as the page formats them.
    let notice = Notice::read(&browser, WAIT);
    let times = |i: usize| {
        format!(
            "{} / {} (p50 / p99)",
            format_ms(read(i, "data-request-p50-us")),
            format_ms(read(i, "data-request-p99-us"))
        )
    };
    notice.assert_contains([
        format!(
            "{} of the {REQUESTS} requests found it empty",
            read(0, "data-opened") - POOL
        ),
        format!(
            "The server accepted {} connections and had {} open at once, more than the pool's {POOL}",
            read(0, "data-opened"),
            read(0, "data-most-open")
        ),
        format!(
            "Requests waited at most {} for a connection",
            format_ms(read(0, "data-wait-max-us"))
        ),
        format!(
            "accepted {POOL} connections and had {POOL} open at once, never more than its {POOL} permits"
        ),
        format!(
            "waited up to {} for a permit (p50 {})",
            format_ms(read(1, "data-wait-max-us")),
            format_ms(read(1, "data-wait-p50-us"))
        ),
        format!(
            "A connection per request: the server accepted {REQUESTS} connections and had {} open",
            read(2, "data-most-open")
        ),
        format!(
            "Connecting took up to {}",
            format_ms(read(2, "data-wait-max-us"))
        ),
    ]);
    for i in 0..3 {
        notice.says(&times(i));
    }
    // Its one reading, drawn only on a quiet machine: the bound's cost, claimed only when
    // the bounded p99 is at least one server latency over the unbounded one.
    if notice.shared {
        assert_eq!(notice.withheld, 1, "{}", notice.text);
    } else {
        let (bounded, mutex) = (
            read(1, "data-request-p99-us"),
            read(0, "data-request-p99-us"),
        );
        let figures = format!(
            "{} against {} in the Mutex<Vec> pool",
            format_ms(bounded),
            format_ms(mutex)
        );
        if bounded >= mutex + LATENCY_MS * 1000 {
            notice.says(&format!(
                "The bound cost time: {REQUESTS} requests for {POOL} connections queued for permits, up to {rounds} server latencies"
            ));
        } else {
            notice.says("supports no conclusion about what the bound cost");
        }
        notice.says(&figures);
        assert_eq!(notice.conclusions, 1, "{}", notice.text);
    }

    // One timeline per strategy, a row for each request and main.
    for part in 0..3 {
        let wrap = browser.wait_for(
            &format!(".timeline[data-part='{part}'] .tl-canvas-wrap"),
            WAIT,
        );
        assert!(
            browser.number::<u64>(&wrap, "data-tasks") > REQUESTS,
            "part {part}: a row for each request and main"
        );
    }
}
