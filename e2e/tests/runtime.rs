//! Outline section 3 in a real browser: runtime flavours and spawning, measured numbers
//! read off the page.

use std::time::Duration;

use pollscope_e2e::playground::Playground;
use pollscope_e2e::webdriver::Browser;

const WAIT: Duration = Duration::from_secs(30);

fn set(browser: &Browser, name: &str, value: u64) {
    let input = browser.wait_for(&format!("#param-{name}"), WAIT);
    browser.type_into(&input, &value.to_string());
}

#[test]
fn flavours_show_one_lane_for_current_thread_and_two_for_two_workers() {
    let playground = Playground::start();
    let browser = Browser::start();
    browser.open_connected(&playground.url("/#/runtime_flavors"));
    set(&browser, "workers", 2);
    set(&browser, "tasks", 8);
    set(&browser, "rounds", 6);
    set(&browser, "burst_us", 1000);
    browser.click(&browser.wait_for("#run-button", WAIT));
    let result = browser.wait_for("#flavors-result", WAIT);

    assert_eq!(
        browser.number::<u64>(&result, "data-single-lanes"),
        1,
        "current_thread: one lane"
    );
    assert_eq!(
        browser.number::<u64>(&result, "data-multi-lanes"),
        2,
        "multi_thread with 2 workers: two lanes"
    );
    // Both wall times are on the page. Which is faster is not asserted here: this browser
    // draws both timelines live on the same two cores the workers run on. The backend test
    // `concepts.rs` checks the speed-up without a browser competing for the cores.
    assert!(browser.number::<u64>(&result, "data-single-wall-us") > 0);
    assert!(browser.number::<u64>(&result, "data-multi-wall-us") > 0);
    let parts = browser.find_all(".flavor-part");
    assert_eq!(parts.len(), 2);
    assert_eq!(
        browser
            .find_all(".flavor-part[data-part='0'] .lane-polls")
            .len(),
        1
    );
    assert_eq!(
        browser
            .find_all(".flavor-part[data-part='1'] .lane-polls")
            .len(),
        2
    );
    let notice = browser.text(&browser.wait_for("#what-to-notice", WAIT));
    assert!(notice.contains("wall time"), "{notice}");

    // The two timelines, side by side: one lane for current_thread, two for two workers,
    // each drawn from that part's own recorded events.
    let single = browser.wait_for(
        ".timeline[data-part='0'] .tl-canvas-wrap[data-lanes='1']",
        WAIT,
    );
    let multi = browser.wait_for(
        ".timeline[data-part='1'] .tl-canvas-wrap[data-lanes='2']",
        WAIT,
    );
    for wrap in [&single, &multi] {
        assert!(browser.number::<u64>(wrap, "data-events") > 0);
        assert!(
            browser.number::<u64>(wrap, "data-tasks") >= 18,
            "every task has a row"
        );
    }
}

#[test]
fn spawning_shows_the_first_poll_wait_growing_with_n() {
    let playground = Playground::start();
    let browser = Browser::start();
    browser.open_connected(&playground.url("/#/spawning"));
    set(&browser, "max_tasks", 300);
    set(&browser, "work_us", 50);
    browser.click(&browser.wait_for("#run-button", WAIT));
    browser.wait_for("#spawning-result", WAIT);

    let rows = browser.find_all(".spawn-row");
    let sizes: Vec<u64> = rows
        .iter()
        .map(|r| browser.number::<u64>(r, "data-tasks"))
        .collect();
    assert_eq!(sizes, [10, 100, 300]);
    let waits: Vec<u64> = rows
        .iter()
        .map(|r| browser.number::<u64>(r, "data-first-poll-max-us"))
        .collect();
    assert!(
        waits[2] > waits[0] * 3,
        "the last of 300 waits far longer than the last of 10: {waits:?}"
    );
    let notice = browser.text(&browser.wait_for("#what-to-notice", WAIT));
    assert!(notice.starts_with("With 10 tasks"), "{notice}");
    // One timeline per N.
    for (part, n) in [(0, 10), (1, 100), (2, 300)] {
        let wrap = browser.wait_for(
            &format!(".timeline[data-part='{part}'] .tl-canvas-wrap"),
            WAIT,
        );
        // N tasks plus `main`, each with its row.
        let deadline = std::time::Instant::now() + WAIT;
        while browser.number::<u64>(&wrap, "data-tasks") != n + 1 {
            assert!(
                std::time::Instant::now() < deadline,
                "part {part}: expected {} task rows",
                n + 1
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}
