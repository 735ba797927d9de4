//! The timeline in a real browser: run the echo demo on two workers, see one lane per
//! worker, step back and forward through the recorded events, and click a task.

use std::time::{Duration, Instant};

use pollscope_e2e::playground::Playground;
use pollscope_e2e::webdriver::{Browser, Element};

const WRAP: &str = ".timeline[data-part='0'] .tl-canvas-wrap";

fn attr(browser: &Browser, element: &Element, name: &str) -> String {
    browser
        .attr(element, name)
        .unwrap_or_else(|| panic!("no {name}"))
}

/// Wait until `check` holds (the timeline repaints on the next animation frame).
fn until(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(30));
    }
}

/// The highlighted event, as the canvas wrapper and the panel report it.
fn current(browser: &Browser) -> (i64, i64, String, String) {
    let wrap = browser.wait_for(WRAP, Duration::from_secs(1));
    let panel = browser.wait_for(".timeline .tl-current-event", Duration::from_secs(1));
    let details = browser.wait_for(".timeline .tl-details", Duration::from_secs(1));
    (
        browser.number::<i64>(&wrap, "data-current-event"),
        browser.number::<i64>(&panel, "data-event-index"),
        browser.text(&panel),
        browser.text(&details),
    )
}

#[test]
fn echo_timeline_has_a_lane_per_worker_and_steps_through_the_run() {
    let playground = Playground::start();
    let browser = Browser::start();
    browser.open_connected(&playground.demo_url("echo"));
    for (param, value) in [("workers", "2"), ("clients", "4"), ("messages", "50")] {
        let input = browser.wait_for(&format!("#param-{param}"), Duration::from_secs(5));
        browser.type_into(&input, value);
    }
    let run = browser.wait_for("#run-button", Duration::from_secs(5));
    browser.click(&run);
    browser.wait_for("#echo-result", Duration::from_secs(30));

    // The timeline took in every event the page received.
    let count = browser.wait_for("#event-count", Duration::from_secs(5));
    let received = browser.number::<i64>(&count, "data-events");
    let wrap = browser.wait_for(WRAP, Duration::from_secs(5));
    until("the timeline to take in every event", || {
        browser.attr(&wrap, "data-events").as_deref() == Some(&*received.to_string())
    });
    // One lane per worker thread.
    assert_eq!(
        browser.number::<i64>(&wrap, "data-workers"),
        2,
        "worker lanes"
    );
    assert!(browser.number::<i64>(&wrap, "data-lanes") >= 2);
    // The whole run is in view: every poll the server counted is drawn, as a bar of its
    // own or inside a bucket of narrow ones.
    let result = browser.wait_for("#echo-result", Duration::from_secs(1));
    let polls = browser.number::<i64>(&result, "data-polls");
    assert!(polls > 0);
    until("a bar for every poll", || {
        browser.number::<i64>(&wrap, "data-bars")
            + browser.number::<i64>(&wrap, "data-bucketed-polls")
            == polls
    });
    let tasks = browser.find_all("#task-table tr.task-row").len() as i64;
    assert_eq!(browser.number::<i64>(&wrap, "data-tasks"), tasks);
    // Live: the latest event is highlighted.
    assert_eq!(attr(&browser, &wrap, "data-mode"), "live");
    let last = received - 1;
    until("the panel to show the latest event", || {
        let (c, p, _, _) = current(&browser);
        (c, p) == (last, last)
    });

    // Step back: one event earlier, in the canvas and in the panel.
    let back = browser.wait_for(".timeline .tl-step-back", Duration::from_secs(1));
    browser.click(&back);
    until("one step back", || current(&browser).0 == last - 1);
    until("the panel to follow", || current(&browser).1 == last - 1);
    let (_, _, at_back, details_back) = current(&browser);
    assert_eq!(attr(&browser, &wrap, "data-mode"), "paused");
    assert!(
        at_back.contains(&format!("Event {} of {received}", last)),
        "{at_back}"
    );
    browser.click(&back);
    until("two steps back", || current(&browser).1 == last - 2);
    let (_, _, two_back, _) = current(&browser);
    assert_ne!(two_back, at_back);

    // Step forward: back to the same event, described the same way.
    let forward = browser.wait_for(".timeline .tl-step-forward", Duration::from_secs(1));
    browser.click(&forward);
    until("one step forward", || {
        let (c, p, _, _) = current(&browser);
        (c, p) == (last - 1, last - 1)
    });
    let (_, _, again, details_again) = current(&browser);
    assert_eq!(again, at_back);
    assert_eq!(details_again, details_back);

    // The keyboard does the same: "." steps forward.
    browser.send_keys(&wrap, ".");
    until("a step forward by key", || current(&browser).0 == last);

    // Scrub to the first event: the lane of the first worker is declared there.
    browser.execute(
        "const s = document.querySelector('.timeline .tl-scrub'); s.value = '0'; \
         s.dispatchEvent(new Event('input', { bubbles: true }));",
    );
    until("the scrub", || current(&browser).1 == 0);
    let (_, _, first, _) = current(&browser);
    assert!(first.contains("Event 1 of"), "{first}");

    // Hover a task's label, then click its row: the details panel shows that task.
    let canvas = browser.wait_for(".timeline canvas.tl-canvas", Duration::from_secs(1));
    let (_, _, _, height) = browser.rect(&canvas);
    let y = height - 16.0; // the last task row in view
    browser.mouse_at(&canvas, 40.0, y, false);
    let tip = browser.wait_for(
        ".timeline .tl-tooltip:not([hidden])",
        Duration::from_secs(5),
    );
    assert!(
        browser.text(&tip).contains("click for details"),
        "{}",
        browser.text(&tip)
    );
    browser.mouse_at(&canvas, 200.0, y, true);
    until("a selected task", || {
        browser
            .find_all(".timeline .tl-details[data-selected='true']")
            .len()
            == 1
    });
    let details = browser.wait_for(".timeline .tl-details", Duration::from_secs(1));
    let text = browser.text(&details);
    assert!(text.contains("polls") && text.contains("busy"), "{text}");
    assert!(text.contains("waited longest at"), "{text}");

    // Back to the latest event, and zoom in with the keyboard: fewer polls in view.
    let bars = browser.number::<i64>(&wrap, "data-bars")
        + browser.number::<i64>(&wrap, "data-bucketed-polls");
    browser.send_keys(&wrap, "l+++++");
    until("live again", || {
        attr(&browser, &wrap, "data-mode") == "live"
    });
    until("the zoom", || {
        browser.number::<i64>(&wrap, "data-bars")
            + browser.number::<i64>(&wrap, "data-bucketed-polls")
            < bars
    });

    // A look at the page, for people (not asserted).
    let shot = std::env::temp_dir().join("pollscope-timeline.png");
    browser.execute("document.querySelector('.timeline').scrollIntoView()");
    let canvas = browser.wait_for(".timeline canvas.tl-canvas", Duration::from_secs(1));
    browser.mouse_at(&canvas, 600.0, 150.0, false);
    std::thread::sleep(Duration::from_millis(200));
    browser.screenshot(&shot);
    eprintln!("screenshot: {}", shot.display());
}
