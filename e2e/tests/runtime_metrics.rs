//! Outline section 9 in a real browser: a workload's RuntimeMetrics beside the
//! recording, and its tracing lines beside the timeline. The cross-check table, the
//! notice and the log pane are read off the page and checked against each other and
//! against the workload's parameters.

use std::time::Duration;

use pollscope_e2e::format_ms;
use pollscope_e2e::notice::Notice;
use pollscope_e2e::playground::Playground;
use pollscope_e2e::webdriver::Browser;

const WAIT: Duration = Duration::from_secs(60);
const WORKERS: u64 = 2;
const TASKS: u64 = 3;
const ROUNDS: u64 = 4;
const WORK_US: u64 = 200;

#[test]
fn the_metrics_stand_beside_the_recording_and_the_logs_beside_the_timeline() {
    let playground = Playground::start();
    let browser = Browser::start();
    browser.open_connected(&playground.demo_url("runtime_metrics"));
    browser.set_param("workers", WORKERS, WAIT);
    browser.set_param("tasks", TASKS, WAIT);
    browser.set_param("rounds", ROUNDS, WAIT);
    browser.set_param("pause_ms", 3, WAIT);
    browser.set_param("work_us", WORK_US, WAIT);
    browser.set_param("sample_ms", 2, WAIT);
    browser.click(&browser.wait_for("#run-button", WAIT));
    let result = browser.wait_for("#runtime-metrics-result", WAIT);
    let read = |name: &str| browser.number::<u64>(&result, name);

    // What follows from the parameters.
    assert_eq!(read("data-num-workers"), WORKERS);
    assert_eq!(read("data-worker-lanes"), WORKERS);
    assert_eq!(
        read("data-recorded-spawned"),
        TASKS + 1,
        "the tasks and main"
    );
    assert_eq!(read("data-final-alive"), 0);
    assert_eq!(read("data-recorded-left"), 0);
    assert!(read("data-samples") >= 1);
    assert!(read("data-recorded-poll-us") >= TASKS * ROUNDS * WORK_US);
    assert!(read("data-recorded-parks") >= 1 && read("data-metric-parks") >= 1);
    // The per-worker and per-thread rows add up to the cross-check's totals.
    let sum = |css: &str, name: &str| -> u64 {
        browser
            .find_all(css)
            .iter()
            .map(|row| browser.number::<u64>(row, name))
            .sum()
    };
    assert_eq!(
        sum(".worker-final", "data-parks"),
        read("data-metric-parks")
    );
    assert_eq!(
        sum(".worker-final", "data-busy-us"),
        read("data-metric-busy-us")
    );
    assert_eq!(sum(".lane-seen", "data-parks"), read("data-recorded-parks"));
    assert_eq!(
        sum(".lane-seen", "data-poll-us"),
        read("data-recorded-poll-us")
    );
    // The samples shown agree with the count of agreeing samples.
    let samples = browser.find_all(".sample");
    assert!(!samples.is_empty());
    if samples.len() as u64 == read("data-samples") {
        let equal = samples
            .iter()
            .filter(|s| browser.attr(s, "data-alive") == browser.attr(s, "data-recorded-alive"))
            .count() as u64;
        assert_eq!(equal, read("data-alive-agreeing"));
    }

    // The run's log lines beside the timeline: each task's start, rounds and finish.
    let logs = browser.wait_for("#run-logs", WAIT);
    let lines = browser.find_all(".log-line");
    assert_eq!(lines.len() as u64, read("data-logs"));
    assert_eq!(browser.number::<u64>(&logs, "data-dropped"), 0);
    let level = |l: &str| {
        lines
            .iter()
            .filter(|line| browser.attr(line, "data-level").as_deref() == Some(l))
            .count() as u64
    };
    assert_eq!(level("INFO"), 2 * TASKS);
    assert_eq!(level("DEBUG"), TASKS * ROUNDS);
    assert_eq!(level("WARN"), read("data-warnings"));

    // The notice quotes both sides of each cross-check as the page shows them.
    let notice = Notice::read(&browser, WAIT);
    let (parks, hooks) = (read("data-metric-parks"), read("data-recorded-parks"));
    let (busy, polls) = (read("data-metric-busy-us"), read("data-recorded-poll-us"));
    let n = read("data-samples");
    let agreeing = read("data-alive-agreeing");
    notice.assert_contains([
        format!("num_workers() said {WORKERS}; the recorder saw {WORKERS} worker thread(s)."),
        format!("the recorder had 0 of its {} tasks unfinished", TASKS + 1),
        format!("worker_total_busy_duration adds up to {}", format_ms(busy)),
        format!("{} line(s) to this run's own subscriber", read("data-logs")),
    ]);
    notice.says(&if parks == hooks {
        format!("adds up to {parks}, the same as the {hooks} on_thread_park calls")
    } else {
        format!(
            "adds up to {parks}, and the recorder saw {hooks} on_thread_park calls: they differ by {}",
            parks.abs_diff(hooks)
        )
    });
    notice.says(&if polls <= busy {
        format!(
            "the recorded polls on the workers lasted {} of it",
            format_ms(polls)
        )
    } else {
        format!("less than the {} the recorded polls", format_ms(polls))
    });
    notice.says(&if agreeing == n {
        format!("at all {n} samples")
    } else {
        format!("at {agreeing} of {n} samples")
    });
    assert_eq!(notice.conclusions, 0, "{}", notice.text);

    let wrap = browser.wait_for(".timeline[data-part='0'] .tl-canvas-wrap", WAIT);
    assert!(browser.number::<u64>(&wrap, "data-tasks") > TASKS);
}
