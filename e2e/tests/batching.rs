//! Outline section 7 in a real browser: the same tiny operations as one task each, then
//! in batches of K. The page's numbers are read off the page and checked against each
//! other and against the run's parameters, and the notice against the numbers: its
//! verdict must be the one the table's numbers give.

use std::time::{Duration, Instant};

use pollscope_e2e::notice::Notice;
use pollscope_e2e::playground::Playground;
use pollscope_e2e::webdriver::Browser;

const WAIT: Duration = Duration::from_secs(60);
const ITEMS: u64 = 10_000;
const MAX_BATCH: u64 = 1000;
/// The page's margin (`CLEAR_RATIO` in the page's module).
const CLEAR_RATIO: f64 = 1.2;

/// A ratio as the page writes it.
fn times(ratio: f64) -> String {
    format!("{ratio:.1}×")
}

/// Nanoseconds per item as the page writes them.
fn ns(total_ns: u64) -> String {
    format!("{:.1} ns", total_ns as f64 / ITEMS as f64)
}

#[test]
fn batching_makes_fewer_tasks_and_the_notice_follows_the_table() {
    let playground = Playground::start();
    let browser = Browser::start();
    browser.open_connected(&playground.demo_url("batching"));
    browser.set_param("items", ITEMS, WAIT);
    browser.set_param("max_batch", MAX_BATCH, WAIT);
    browser.set_param("workers", 2, WAIT);
    browser.click(&browser.wait_for("#run-button", WAIT));
    let result = browser.wait_for("#batching-result", WAIT);
    assert_eq!(browser.number::<u64>(&result, "data-items"), ITEMS);
    let expected_checksum: u64 = browser.number(&result, "data-expected-checksum");
    assert_eq!(
        expected_checksum,
        (0..ITEMS).map(|i| 3 * i + 1).sum::<u64>()
    );

    let rows = browser.find_all(".batch-way");
    let read = |i: usize, name: &str| browser.number::<u64>(&rows[i], name);
    let ks: Vec<u64> = (0..rows.len()).map(|i| read(i, "data-batch")).collect();
    assert_eq!(ks, [1, 10, 100, 1000]);
    for (i, &k) in ks.iter().enumerate() {
        let item_tasks = ITEMS.div_ceil(k);
        assert_eq!(read(i, "data-item-tasks"), item_tasks, "K = {k}");
        assert_eq!(read(i, "data-tasks"), item_tasks + 1, "K = {k}: and main");
        assert!(read(i, "data-polls") >= read(i, "data-tasks"), "K = {k}");
        assert!(
            read(i, "data-events") >= 3 * read(i, "data-tasks"),
            "K = {k}"
        );
        assert_eq!(read(i, "data-checksum"), expected_checksum, "K = {k}");
        // The cells show the attributes' numbers, per item.
        let cell = |class: &str| {
            browser.text(&browser.wait_for(&format!(".batch-way[data-part='{i}'] .{class}"), WAIT))
        };
        assert_eq!(cell("ns-per-item"), ns(read(i, "data-wall-ns")), "K = {k}");
        assert_eq!(
            cell("plain-ns-per-item"),
            ns(read(i, "data-plain-median-ns")),
            "K = {k}"
        );
        assert!(read(i, "data-plain-fastest-ns") <= read(i, "data-plain-median-ns"));
    }
    for i in 1..rows.len() {
        assert!(
            read(i, "data-events") < read(i - 1, "data-events"),
            "fewer tasks, fewer events"
        );
    }

    // The notice names the costs as the table writes them, and its verdicts, drawn only
    // when the machine was not shared, are the ones the table's numbers give.
    let notice = Notice::read(&browser, WAIT);
    let best_by = |name: &str| {
        (1..rows.len())
            .min_by_key(|&i| read(i, name))
            .expect("batches ran")
    };
    let (fastest, slowest) = (
        |i: usize| read(i, "data-plain-fastest-ns"),
        |i: usize| read(i, "data-plain-slowest-ns"),
    );
    let spread = |i: usize| slowest(i) as f64 / fastest(i) as f64;
    let plain_best = best_by("data-plain-median-ns");
    let (one_plain, best_plain) = (
        read(0, "data-plain-median-ns"),
        read(plain_best, "data-plain-median-ns"),
    );
    notice.says(&format!(
        "Without recording, one task per item cost {} per item and batches of {} cost {} \
         (medians of 5 rounds; their rounds ranged {} – {} and {} – {}).",
        ns(one_plain),
        ks[plain_best],
        ns(best_plain),
        ns(fastest(0)),
        ns(slowest(0)),
        ns(fastest(plain_best)),
        ns(slowest(plain_best)),
    ));
    let plain_ratio = one_plain as f64 / best_plain as f64;
    let plain_clear = plain_ratio >= CLEAR_RATIO && fastest(0) > slowest(plain_best);
    let plain_verdict = if plain_clear {
        format!(
            "That is {} as much per item, and every round",
            times(plain_ratio)
        )
    } else if plain_ratio < 1.0 {
        format!(
            "{} as much: one task per item came out cheaper",
            times(plain_ratio)
        )
    } else {
        format!(
            "{} apart, too close to call in this run",
            times(plain_ratio)
        )
    };

    let recorded_best = best_by("data-wall-ns");
    notice.says(&format!(
        "Recorded, one task per item took {} per item ({} tasks, {} polls, {} events) and \
         batches of {} took {} ({} tasks, {} polls, {} events).",
        ns(read(0, "data-wall-ns")),
        read(0, "data-tasks"),
        read(0, "data-polls"),
        read(0, "data-events"),
        ks[recorded_best],
        ns(read(recorded_best, "data-wall-ns")),
        read(recorded_best, "data-tasks"),
        read(recorded_best, "data-polls"),
        read(recorded_best, "data-events"),
    ));
    let recorded_ratio =
        read(0, "data-wall-ns") as f64 / read(recorded_best, "data-wall-ns") as f64;
    let margin = CLEAR_RATIO.max(spread(0) * spread(recorded_best));
    let recorded_verdict = if recorded_ratio >= margin {
        format!(
            "Recorded, that is {} as much per item, beyond the {}",
            times(recorded_ratio),
            times(margin)
        )
    } else if recorded_ratio < 1.0 {
        format!(
            "Recorded, {} as much: one task per item came out cheaper",
            times(recorded_ratio)
        )
    } else {
        format!(
            "Recorded, {} apart, too close to call",
            times(recorded_ratio)
        )
    };

    let overhead = read(0, "data-wall-ns") as f64 / one_plain as f64;
    let overhead_clear =
        overhead >= CLEAR_RATIO.max(spread(0)) && read(0, "data-wall-ns") > slowest(0);
    let overhead_verdict = if overhead_clear {
        format!(
            "cost {} recorded against {} plain ({} as much, slower than its slowest plain round)",
            ns(read(0, "data-wall-ns")),
            ns(one_plain),
            times(overhead)
        )
    } else if overhead < 1.0 {
        format!(
            "cost {} recorded, less than its {} plain",
            ns(read(0, "data-wall-ns")),
            ns(one_plain)
        )
    } else {
        format!(
            "cost {} recorded against {} plain ({} as much, not beyond",
            ns(read(0, "data-wall-ns")),
            ns(one_plain),
            times(overhead)
        )
    };
    for verdict in [plain_verdict, recorded_verdict, overhead_verdict] {
        if notice.shared {
            notice.never_says(&verdict);
        } else {
            notice.says(&verdict);
        }
    }
    if notice.shared {
        for phrase in ["as much per item", "too close to call", "came out cheaper"] {
            notice.never_says(phrase);
        }
    }
    let notice = notice.text;
    let dropped: u64 = (0..rows.len()).map(|i| read(i, "data-dropped")).sum();
    assert_eq!(
        notice.contains("The recorder dropped"),
        dropped > 0,
        "{dropped} dropped: {notice}"
    );

    // One timeline per way; each ends up holding every task the row counts.
    for (part, _) in ks.iter().enumerate() {
        let wrap = browser.wait_for(
            &format!(".timeline[data-part='{part}'] .tl-canvas-wrap"),
            WAIT,
        );
        let events = read(part, "data-events");
        let started = Instant::now();
        while browser.number::<u64>(&wrap, "data-events") < events {
            assert!(
                started.elapsed() < WAIT,
                "part {part}: the timeline's events"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        assert_eq!(
            browser.number::<u64>(&wrap, "data-tasks"),
            read(part, "data-tasks"),
            "part {part}: a row for each task"
        );
    }
}
