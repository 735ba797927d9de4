//! The diagnostics in a real browser: above each timeline, the warnings computed from
//! that part's events; clicking one moves the playhead to the event it names.

use std::time::Duration;

use pollscope_e2e::playground::Playground;
use pollscope_e2e::webdriver::Browser;

const WAIT: Duration = Duration::from_secs(60);
const JOBS: u64 = 3;
const JOB_MS: f64 = 30.0;

/// The first "<number> ms" in a sentence.
fn first_ms(text: &str) -> f64 {
    let end = text
        .find(" ms")
        .unwrap_or_else(|| panic!("no ms in {text:?}"));
    let start = text[..end].rfind(' ').map_or(0, |i| i + 1);
    text[start..end].parse().unwrap()
}

#[test]
fn a_job_polled_on_the_runtime_is_a_long_poll_warning_that_moves_the_playhead() {
    let playground = Playground::start();
    let browser = Browser::start();
    browser.open_connected(&playground.demo_url("spawn_blocking"));
    browser.set_param("jobs", JOBS, WAIT);
    browser.set_param("job_ms", JOB_MS as u64, WAIT);
    browser.set_param("workers", 2, WAIT);
    browser.click(&browser.wait_for("#run-button", WAIT));
    browser.wait_for("#spawn-blocking-result", WAIT);

    // Part 0, current_thread: every job's one poll held the only thread for its CPU time.
    let part0 = ".timeline[data-part='0']";
    let warnings = browser.wait_for(&format!("{part0} .tl-warnings"), WAIT);
    let found = browser.number::<u64>(&warnings, "data-found");
    let long_polls: Vec<_> = browser
        .find_all(&format!("{part0} .tl-warning[data-kind='long-poll']"))
        .into_iter()
        .filter(|w| browser.text(w).contains(" job "))
        .collect();
    assert_eq!(long_polls.len() as u64, JOBS, "one per job");
    assert!(found >= JOBS, "the summary counts them: {found}");
    for warning in &long_polls {
        let text = browser.text(warning);
        assert!(text.contains(" held ") && text.contains(" #"), "{text}");
        assert!(first_ms(&text) >= JOB_MS, "{text}");
    }

    // Clicking a warning puts the playhead on its event: the job's poll.
    let target = &long_polls[1];
    let index = browser.number::<i64>(target, "data-event-index");
    let task = browser.number::<u64>(target, "data-task-id");
    browser.click(
        &browser.find_all(&format!(
            "{part0} .tl-warning[data-event-index='{index}'] .tl-warning-go"
        ))[0],
    );
    let wrap = browser.wait_for(
        &format!("{part0} .tl-canvas-wrap[data-current-event='{index}']"),
        WAIT,
    );
    assert_eq!(browser.attr(&wrap, "data-mode").as_deref(), Some("paused"));
    let current = browser.wait_for(&format!("{part0} .tl-current-event"), WAIT);
    assert_eq!(browser.attr(&current, "data-kind").as_deref(), Some("poll"));
    let details = browser.wait_for(&format!("{part0} .tl-details"), WAIT);
    assert_eq!(browser.number::<u64>(&details, "data-task-id"), task);

    // Part 2, the blocking pool: the jobs ran on pool threads, not as async polls.
    let part2 = ".timeline[data-part='2']";
    browser.wait_for(&format!("{part2} .tl-warnings"), WAIT);
    let job_polls = browser
        .find_all(&format!("{part2} .tl-warning[data-kind='long-poll']"))
        .into_iter()
        .filter(|w| browser.text(w).contains(" job "))
        .count();
    assert_eq!(job_polls, 0);
}
