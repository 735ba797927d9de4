//! Outline section 5 in a real browser: the same CPU jobs as tasks on one thread, as
//! tasks on two workers, and on the blocking pool; the page's numbers and its notice
//! read off the page and checked against each other and against the run's parameters.

use std::time::Duration;

use pollscope_e2e::format_ms;
use pollscope_e2e::notice::Notice;
use pollscope_e2e::playground::Playground;
use pollscope_e2e::webdriver::Browser;

const WAIT: Duration = Duration::from_secs(60);
const JOBS: u64 = 3;
const JOB_MS: u64 = 30;
const PAUSE_MS: u64 = 2;

#[test]
fn spawn_blocking_moves_the_jobs_to_their_own_threads_and_the_page_says_what_it_measured() {
    let playground = Playground::start();
    let browser = Browser::start();
    browser.open_connected(&playground.demo_url("spawn_blocking"));
    browser.set_param("jobs", JOBS, WAIT);
    browser.set_param("job_ms", JOB_MS, WAIT);
    browser.set_param("workers", 2, WAIT);
    browser.set_param("ping_pause_ms", PAUSE_MS, WAIT);
    browser.click(&browser.wait_for("#run-button", WAIT));
    let result = browser.wait_for("#spawn-blocking-result", WAIT);
    assert_eq!(browser.number::<u64>(&result, "data-jobs"), JOBS);

    let modes = browser.find_all(".mode-run");
    let names: Vec<String> = modes
        .iter()
        .map(|m| browser.attr(m, "data-mode").unwrap_or_default())
        .collect();
    assert_eq!(
        names,
        [
            "spawn_current_thread",
            "spawn_multi_thread",
            "spawn_blocking"
        ]
    );
    let read = |i: usize, name: &str| browser.number::<u64>(&modes[i], name);
    for i in 0..3 {
        assert!(
            read(i, "data-cpu-us") >= JOBS * JOB_MS * 1000,
            "part {i}: every job used its CPU time"
        );
    }
    // current_thread: one thread, no blocking pool, and a ping that waited out a burst.
    assert_eq!(read(0, "data-worker-lanes"), 1);
    assert_eq!(read(0, "data-blocking-lanes"), 0);
    assert!(read(0, "data-ping-max-us") >= (JOB_MS - PAUSE_MS) * 1000);
    // Tasks on workers never touch the blocking pool; spawn_blocking does.
    assert_eq!(read(1, "data-blocking-lanes"), 0);
    let blocking_lanes = read(2, "data-blocking-lanes");
    assert!((1..=JOBS).contains(&blocking_lanes));

    // The notice quotes the numbers the page shows, as the page formats them.
    let notice = Notice::read(&browser, WAIT);
    for i in 0..3 {
        let (cpu, wall) = (read(i, "data-cpu-us"), read(i, "data-wall-us"));
        notice.assert_contains([
            format!("{:.2} cores busy", cpu as f64 / wall.max(1) as f64),
            format_ms(read(i, "data-ping-max-us")),
        ]);
    }
    notice.assert_contains([
        format!("{blocking_lanes} thread(s) ran the jobs"),
        format!(
            "the longest job poll lasted {}",
            format_ms(read(0, "data-longest-poll-us"))
        ),
    ]);
    // Its two readings of those numbers follow from them, and are drawn only on a quiet
    // machine: whether the worst ping on current_thread waited out a job's poll, and
    // whether the blocking pool cut the worst ping (by half, and by half a job).
    if notice.shared {
        assert_eq!(notice.withheld, 2, "{}", notice.text);
    } else {
        let single = if 2 * read(0, "data-ping-max-us") >= read(0, "data-longest-poll-us") {
            "That ping waited out a job's poll"
        } else {
            "no ping in this run waited a whole job's poll out"
        };
        let (as_tasks, pooled) = (read(1, "data-ping-max-us"), read(2, "data-ping-max-us"));
        let clock = browser.attr(&result, "data-thread-cpu-clock").as_deref() == Some("true");
        let pool_crowded =
            clock && read(2, "data-busy-us") as f64 > read(2, "data-cpu-us") as f64 * 1.25;
        let verdict = if 2 * pooled <= as_tasks && as_tasks - pooled >= JOB_MS * 1000 / 2 {
            format!(
                "cut the probe's worst ping from {} to {}",
                format_ms(as_tasks),
                format_ms(pooled)
            )
        } else if pool_crowded {
            "its jobs waited for a core".to_owned()
        } else {
            "the difference is under half a 30 ms job".to_owned()
        };
        notice.assert_contains([single.to_owned(), verdict]);
        assert_eq!(notice.conclusions, 2, "{}", notice.text);
    }

    // One timeline per mode; the blocking pool's threads are lanes of their own.
    let wrap = browser.wait_for(".timeline[data-part='2'] .tl-canvas-wrap", WAIT);
    assert!(
        browser.number::<u64>(&wrap, "data-lanes") > blocking_lanes,
        "the workers' lanes and the blocking pool's"
    );
    for part in 0..3 {
        let wrap = browser.wait_for(
            &format!(".timeline[data-part='{part}'] .tl-canvas-wrap"),
            WAIT,
        );
        assert!(
            browser.number::<u64>(&wrap, "data-tasks") >= JOBS + 2,
            "part {part}: a row for each job, the probe and main"
        );
    }
}
