//! Outline section 3 in a real browser: runtime flavours and spawning, measured numbers
//! read off the page.

use std::time::Duration;

use pollscope_e2e::format_ms;
use pollscope_e2e::notice::Notice;
use pollscope_e2e::playground::Playground;
use pollscope_e2e::webdriver::Browser;

const WAIT: Duration = Duration::from_secs(30);

#[test]
fn flavours_show_one_lane_for_current_thread_and_two_for_two_workers() {
    let playground = Playground::start();
    let browser = Browser::start();
    browser.open_connected(&playground.demo_url("runtime_flavors"));
    const WORKERS: u64 = 2;
    const TASKS: u64 = 8;
    const ROUNDS: u64 = 6;
    const BURST_US: u64 = 1000;
    browser.set_param("workers", WORKERS, WAIT);
    browser.set_param("tasks", TASKS, WAIT);
    browser.set_param("rounds", ROUNDS, WAIT);
    browser.set_param("burst_us", BURST_US, WAIT);
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
    // Both wall times are on the page. Which is faster is not asserted: this browser draws
    // both timelines live on the same two cores the workers run on. What the parameters make
    // certain is: one thread ran every burst one after another, two workers at best halved
    // that.
    let bursts_us = TASKS * ROUNDS * BURST_US;
    let single_wall = browser.number::<u64>(&result, "data-single-wall-us");
    let multi_wall = browser.number::<u64>(&result, "data-multi-wall-us");
    assert!(single_wall >= bursts_us, "{single_wall} µs");
    assert!(multi_wall >= bursts_us / WORKERS, "{multi_wall} µs");
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
    // The notice states this run's numbers, as the page shows them: both parts' times,
    // the tasks asked for, and the cores each part used.
    assert_eq!(browser.number::<u64>(&result, "data-tasks-asked"), TASKS);
    let ms = |us: u64| format!("{:.1} ms", us as f64 / 1000.0);
    let single_part = browser.wait_for(".flavor-part[data-part='0']", WAIT);
    let multi_part = browser.wait_for(".flavor-part[data-part='1']", WAIT);
    let migrations = browser.number::<u64>(&multi_part, "data-migrations");
    let single_busy = browser.number::<u64>(&single_part, "data-busy-us");
    let multi_busy = browser.number::<u64>(&multi_part, "data-busy-us");
    let notice = browser.text(&browser.wait_for("#what-to-notice", WAIT));
    let mut expected = vec![
        format!("You asked for {TASKS} tasks"),
        format!(
            "{} inside polls, {} wall time",
            ms(single_busy),
            ms(single_wall)
        ),
        format!(
            "On multi_thread with {WORKERS} workers, all 2 worker threads polled: {} inside \
             polls, {} wall time",
            ms(multi_busy),
            ms(multi_wall)
        ),
        format!("{:.2}×", single_wall as f64 / multi_wall as f64),
    ];
    if migrations > 0 {
        expected.push(format!("{migrations} polls ran on another worker"));
    }
    // With a per-thread CPU clock, the cores each part used are quoted as CPU ÷ wall.
    if let (Some(one), Some(many)) = (
        browser.attr(&single_part, "data-cpu-us"),
        browser.attr(&multi_part, "data-cpu-us"),
    ) {
        let cores = |cpu: &str, wall: u64| {
            format!(
                "{:.2}",
                cpu.parse::<u64>().unwrap() as f64 / wall.max(1) as f64
            )
        };
        expected.push(format!(
            "{} on current_thread, {} on multi_thread",
            cores(&one, single_wall),
            cores(&many, multi_wall)
        ));
    }
    for expected in expected {
        assert!(notice.contains(&expected), "no {expected:?} in {notice}");
    }
    // Polls that took much longer on the workers are named, not hidden.
    assert_eq!(
        notice.contains("The same polls took"),
        multi_busy as f64 > single_busy as f64 * 1.25
            || single_busy as f64 > multi_busy as f64 * 1.25,
        "{notice}"
    );

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
    for (part, wrap) in [(0, &single), (1, &multi)] {
        // Every poll the part counted is an event, and so are each task's spawn and end.
        let polls: u64 = browser
            .find_all(&format!(".flavor-part[data-part='{part}'] .lane-polls"))
            .iter()
            .map(|lane| browser.number::<u64>(lane, "data-polls"))
            .sum();
        let tasks = browser.number::<u64>(wrap, "data-tasks");
        assert!(tasks >= 2 * TASKS + 2, "every task has a row");
        let events = browser.number::<u64>(wrap, "data-events");
        assert!(
            events >= polls + 2 * tasks,
            "part {part}: {events} events, {polls} polls"
        );
    }
}

#[test]
fn spawning_shows_the_first_poll_wait_growing_with_n() {
    let playground = Playground::start();
    let browser = Browser::start();
    browser.open_connected(&playground.demo_url("spawning"));
    const WORKERS: u64 = 2;
    const WORK_US: u64 = 50;
    browser.set_param("max_tasks", 300, WAIT);
    browser.set_param("workers", WORKERS, WAIT);
    browser.set_param("work_us", WORK_US, WAIT);
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
    // 300 first polls of 50 µs on two workers: the queue holds 7.5 ms of work per worker,
    // and the last task waits behind most of it. (Not compared with the wait of 10 tasks:
    // one hiccup of the machine can make that one as long.)
    assert!(
        waits[2] >= 3_000,
        "the last of 300 waits behind the polls ahead of it: {waits:?}"
    );
    // The notice quotes the rows' waits; its verdict on them is the one they support
    // (at least twice the wait with 10 tasks, and by at least half the extra first polls'
    // work per worker), and is drawn only on a quiet machine.
    let result = browser.wait_for("#spawning-result", WAIT);
    assert_eq!(browser.number::<u64>(&result, "data-workers"), WORKERS);
    assert_eq!(browser.number::<u64>(&result, "data-work-us"), WORK_US);
    let notice = Notice::read(&browser, WAIT);
    let expected = format!(
        "With 10 tasks the last task to be polled waited {} before its first poll; with 300 \
         tasks, {}.",
        format_ms(waits[0]),
        format_ms(waits[2])
    );
    assert!(
        notice.text.starts_with(&expected),
        "no {expected:?} in {}",
        notice.text
    );
    if notice.shared {
        assert_eq!(notice.withheld, 1, "the verdict, left out: {}", notice.text);
    } else {
        let queued = |n: u64| (n - 1) * WORK_US / WORKERS;
        let grew = waits[2].saturating_sub(waits[0]);
        let verdict = if waits[2] > waits[0]
            && waits[2] >= 2 * waits[0]
            && grew * 2 >= queued(300) - queued(10)
        {
            "spawn only queues a task: the longer the queue, the longer the wait"
        } else if waits[2] <= waits[0] {
            "waited no longer than the last of 10"
        } else {
            "does not clearly show the wait growing"
        };
        notice.assert_contains([verdict]);
        assert_eq!(notice.conclusions, 1, "{}", notice.text);
    }
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
