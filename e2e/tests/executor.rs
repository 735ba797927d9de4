//! Outline section 2 in a real browser: the learner is the executor.

use std::time::Duration;

use pollscope_e2e::playground::Playground;
use pollscope_e2e::webdriver::Browser;

const WAIT: Duration = Duration::from_secs(10);

fn newest_log_kind(browser: &Browser) -> String {
    let line = browser.wait_for("#executor-log li", WAIT);
    browser.attr(&line, "data-kind").unwrap_or_default()
}

fn poll(browser: &Browser) -> String {
    let button = browser.wait_for("#poll-button", WAIT);
    browser.click(&button);
    newest_log_kind(browser)
}

/// The page's log, oldest line first: (kind, text).
fn log_lines(browser: &Browser) -> Vec<(String, String)> {
    let lines = browser.execute(
        "return [...document.querySelectorAll('#executor-log li')].reverse() \
         .map(li => [li.dataset.kind, li.textContent]);",
    );
    lines
        .as_array()
        .expect("an array of lines")
        .iter()
        .map(|line| {
            (
                line[0].as_str().unwrap_or_default().to_owned(),
                line[1].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// The delays of the page's two tasks: the sleeper (task 0) awaits `a`, the joiner
/// (task 1) awaits `b` and `c` together.
const DELAYS: [(&str, u32, usize); 3] = [("a", 1500, 0), ("b", 600, 1), ("c", 4000, 1)];

/// Replay the log against the poll contract: whatever the timing of the clicks, each line
/// must be what an executor with these two tasks does. A wake queues its task (once);
/// `Poll next` takes the front of the queue, or finds nothing ready; a task's poll is
/// Ready once every delay it awaits has fired, Pending before; a finished task is never
/// polled again. Returns the kinds of the log's lines, in order.
fn replay(log: &[(String, String)]) -> Vec<String> {
    let mut queue: std::collections::VecDeque<usize> = [0, 1].into();
    let mut fired: Vec<&str> = Vec::new();
    let mut done = [false; 2];
    let mut kinds = Vec::new();
    for (kind, text) in log {
        match kind.as_str() {
            "note" => continue,
            "wake" => {
                let ms: u32 = text
                    .strip_prefix("A ")
                    .and_then(|t| t.split(' ').next())
                    .and_then(|n| n.parse().ok())
                    .unwrap_or_else(|| panic!("a wake line names its timer: {text}"));
                let (name, _, task) = *DELAYS
                    .iter()
                    .find(|(_, d, _)| *d == ms)
                    .unwrap_or_else(|| panic!("no {ms} ms delay: {text}"));
                assert!(!fired.contains(&name), "delay {name} fired twice");
                fired.push(name);
                assert!(!done[task], "a wake for finished task {task}: {text}");
                if !queue.contains(&task) {
                    queue.push_back(task);
                }
                let shown: Vec<String> = queue.iter().map(ToString::to_string).collect();
                assert!(
                    text.ends_with(&format!("Ready queue: [{}].", shown.join(", "))),
                    "after delay {name} fired the queue is {queue:?}: {text}"
                );
            }
            "idle" => assert!(queue.is_empty(), "idle with {queue:?} ready"),
            "pending" | "ready" => {
                let task = queue
                    .pop_front()
                    .unwrap_or_else(|| panic!("a poll with nothing ready: {text}"));
                assert!(
                    text.starts_with(&format!("poll(task {task} ")),
                    "the front of the queue is task {task}: {text}"
                );
                let ready = DELAYS
                    .iter()
                    .filter(|(_, _, t)| *t == task)
                    .all(|(name, _, _)| fired.contains(name));
                assert_eq!(kind == "ready", ready, "{text} after {fired:?} fired");
                done[task] = ready;
            }
            "refused" => {
                assert!(text.starts_with("Refused to poll task 0"), "{text}");
                assert!(done[0], "refused to poll a task that was not finished");
            }
            other => panic!("a log line of kind {other}: {text}"),
        }
        kinds.push(kind.clone());
    }
    // The order the delays make certain, however slow the clicks: `b` and `c` were armed
    // in the same poll, `a` one poll earlier, and `c` is the longest of the three.
    let at = |name: &str| fired.iter().position(|f| *f == name);
    assert!(
        at("b") < at("c") && at("a") < at("c"),
        "fired in order {fired:?}"
    );
    kinds
}

#[test]
fn polling_by_hand_follows_the_poll_contract_with_real_timers() {
    let playground = Playground::start();
    let browser = Browser::start();
    browser.goto(&playground.demo_url("be_the_executor"));
    // Tab commits the value.
    for (name, ms, _) in DELAYS {
        let input = browser.wait_for(&format!("#delay-ms-{name}"), WAIT);
        browser.type_into(&input, &format!("{ms}\u{E004}"));
    }
    browser.wait_for("#ready-queue[data-queue='0,1']", WAIT);

    // Polling a delay the first time arms its timer and stores the waker: Pending. No
    // timer is armed before its task's first poll, so these two cannot be anything else.
    assert_eq!(poll(&browser), "pending");
    let a = browser.wait_for("#delay-a", WAIT);
    assert_eq!(browser.attr(&a, "data-armed").as_deref(), Some("true"));
    assert_eq!(browser.attr(&a, "data-waker").as_deref(), Some("true"));
    assert_eq!(
        poll(&browser),
        "pending",
        "the join polls both children: Pending"
    );

    // Now poll whenever the page shows a task ready, and once more whenever it shows none
    // (until that has been seen to do nothing), until both tasks are done. How the clicks
    // fall between the timers is up to the machine; `replay` checks each outcome.
    let mut refused = false;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let button = browser.wait_for("#poll-button", WAIT);
        if browser.attr(&button, "disabled").is_some() {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the tasks never finished"
        );
        let queue = browser.wait_for("#ready-queue", WAIT);
        let empty = browser
            .attr(&queue, "data-queue")
            .unwrap_or_default()
            .is_empty();
        let idle_seen = log_lines(&browser).iter().any(|(kind, _)| kind == "idle");
        if !empty || !idle_seen {
            browser.click(&button);
        } else {
            std::thread::sleep(Duration::from_millis(50));
        }
        // A finished future is never polled again: polling it by hand is refused.
        let sleeper = browser.wait_for("#executor-tasks tr[data-task='0']", WAIT);
        if !refused && browser.attr(&sleeper, "data-state").as_deref() == Some("done") {
            browser.click(&browser.wait_for("#poll-task-0", WAIT));
            assert_eq!(newest_log_kind(&browser), "refused");
            refused = true;
        }
    }
    assert!(refused, "the sleeper finished before the joiner");

    let kinds = replay(&log_lines(&browser));
    let count = |k: &str| kinds.iter().filter(|kind| *kind == k).count();
    assert_eq!(count("wake"), 3, "three timers, three wakes: {kinds:?}");
    assert_eq!(count("ready"), 2, "each task finished once: {kinds:?}");
    assert!(
        count("idle") >= 1,
        "nothing is ready until a timer calls wake: {kinds:?}"
    );
    let events = browser.wait_for("#executor-events", WAIT);
    assert_eq!(
        browser.attr(&events, "data-wakes-timer").as_deref(),
        Some("3"),
        "three timers, three wakes"
    );
}

#[test]
fn auto_mode_runs_the_same_futures_on_wasm_bindgen_futures_and_draws_them() {
    let playground = Playground::start();
    let browser = Browser::start();
    browser.goto(&playground.demo_url("be_the_executor"));
    for (name, ms) in [("a", 200), ("b", 100), ("c", 300)] {
        let input = browser.wait_for(&format!("#delay-ms-{name}"), WAIT);
        browser.type_into(&input, &format!("{ms}\u{E004}"));
    }
    let wrap = browser.wait_for(".timeline .tl-canvas-wrap", WAIT);
    let hand_run = browser.attr(&wrap, "data-run-id");
    browser.click(&browser.wait_for("#auto-button", WAIT));
    // Both tasks finish on their own; the log reports what the recording measured.
    let deadline = std::time::Instant::now() + WAIT;
    while browser.find_all("#auto-log li").len() < 5 {
        assert!(
            std::time::Instant::now() < deadline,
            "auto run did not finish"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let log = browser.text(&browser.wait_for("#auto-log", WAIT));
    assert!(
        log.contains("`sleeper` was polled 2 time(s) and woken 1 time(s) by timers"),
        "{log}"
    );
    assert!(
        log.contains("`joiner` was polled 3 time(s) and woken 2 time(s) by timers"),
        "{log}"
    );
    // The timeline now shows the auto run: a new run, the same two tasks.
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let wrap = browser.wait_for(".timeline .tl-canvas-wrap", WAIT);
        if browser.attr(&wrap, "data-run-id") != hand_run
            && browser.attr(&wrap, "data-tasks").as_deref() == Some("2")
        {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the timeline did not switch to the auto run"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
