//! The timeline by touch and by keyboard in a real browser: run the echo demo, pinch the
//! canvas with two real touch points (Chrome DevTools `Input.dispatchTouchEvent`) and see
//! the time window narrow around the fingers, drag one finger and see it move with the
//! same width; then focus the timeline, step with the arrow keys, and read the live
//! region name each event and the task the details panel shows.

use std::time::{Duration, Instant};

use pollscope_e2e::playground::Playground;
use pollscope_e2e::webdriver::{Browser, Element};
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(30);
const WRAP: &str = ".timeline[data-part='0'] .tl-canvas-wrap";
/// The label column's width, as `frontend/src/timeline/layout.rs` has it: the plot
/// starts this far right of the canvas's left edge.
const LABEL_W: f64 = 150.0;
/// WebDriver's codes for keys.
const HOME: &str = "\u{E011}";
const ARROW_LEFT: &str = "\u{E012}";
const ARROW_RIGHT: &str = "\u{E014}";

fn until(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(30));
    }
}

/// The time window the timeline shows, in ns.
fn window(browser: &Browser, wrap: &Element) -> (f64, f64) {
    (
        browser.number::<f64>(wrap, "data-view-start-ns"),
        browser.number::<f64>(wrap, "data-view-end-ns"),
    )
}

/// The canvas's box in the viewport (CSS pixels): left, top, width, height.
fn canvas_box(browser: &Browser) -> (f64, f64, f64, f64) {
    let v = browser.execute(&format!(
        "const c = document.querySelector(\"{WRAP} canvas\");
         c.scrollIntoView({{ block: 'center' }});
         const r = c.getBoundingClientRect();
         return [r.left, r.top, r.width, r.height];"
    ));
    let n = |i: usize| v[i].as_f64().expect("a number");
    (n(0), n(1), n(2), n(3))
}

/// One touch event with these points (viewport CSS pixels), each with its own id.
fn touch(browser: &Browser, kind: &str, points: &[(u32, f64, f64)]) {
    let points: Vec<Value> = points
        .iter()
        .map(|&(id, x, y)| json!({"x": x, "y": y, "id": id, "radiusX": 1, "radiusY": 1}))
        .collect();
    browser.cdp(
        "Input.dispatchTouchEvent",
        json!({"type": kind, "touchPoints": points}),
    );
}

/// Run echo on two workers and wait until the timeline has every event, painted live.
fn run_echo(browser: &Browser) -> (Element, i64) {
    for (param, value) in [("workers", 2), ("clients", 4), ("messages", 50)] {
        browser.set_param(param, value, WAIT);
    }
    browser.click(&browser.wait_for("#run-button", WAIT));
    browser.wait_for("#echo-result", WAIT);
    let count = browser.wait_for("#event-count", WAIT);
    let received = browser.number::<i64>(&count, "data-events");
    let wrap = browser.wait_for(WRAP, WAIT);
    until("the timeline to take in every event", || {
        browser.attr(&wrap, "data-events").as_deref() == Some(&*received.to_string())
    });
    (wrap, received)
}

#[test]
fn a_pinch_narrows_the_window_and_a_drag_moves_it() {
    let playground = Playground::start();
    let browser = Browser::start();
    browser.open_connected(&playground.demo_url("echo"));
    let (wrap, _) = run_echo(&browser);
    let canvas = browser.wait_for(&format!("{WRAP} canvas"), WAIT);
    // The browser leaves touches on the canvas to the timeline.
    let touch_action = browser.execute(&format!(
        "return getComputedStyle(document.querySelector(\"{WRAP} canvas\")).touchAction;"
    ));
    assert_eq!(touch_action.as_str(), Some("none"));
    assert!(browser.attr(&canvas, "aria-hidden").is_some());
    browser.cdp(
        "Emulation.setTouchEmulationEnabled",
        json!({"enabled": true, "maxTouchPoints": 2}),
    );

    // Fitted to the whole run: the window starts at 0.
    let (start, end) = window(&browser, &wrap);
    assert_eq!(start, 0.0);
    assert!(end > 0.0);
    let (left, top, width, _) = canvas_box(&browser);
    let plot = width - LABEL_W;
    assert!(plot > 200.0, "a plot {plot} px wide");
    let y = top + 30.0;
    // Plot x → viewport x, and the time a plot x shows in a window.
    let px = |f: f64| left + LABEL_W + plot * f;
    let time_at = |(s, e): (f64, f64), f: f64| s + (e - s) * f;

    // Two fingers 0.1 of the plot apart at its middle spread to 0.4 apart, in steps.
    let mid_before = time_at((start, end), 0.5);
    touch(
        &browser,
        "touchStart",
        &[(1, px(0.45), y), (2, px(0.55), y)],
    );
    for k in 1..=6 {
        let d = 0.05 + 0.025 * f64::from(k);
        touch(
            &browser,
            "touchMove",
            &[(1, px(0.5 - d), y), (2, px(0.5 + d), y)],
        );
    }
    touch(&browser, "touchEnd", &[]);
    until("the pinch to narrow the window", || {
        let (s, e) = window(&browser, &wrap);
        e - s < (end - start) * 0.5
    });
    let pinched = window(&browser, &wrap);
    let ratio = (end - start) / (pinched.1 - pinched.0);
    // The fingers ended four times as far apart: four times closer (a pixel of
    // rounding in each touch point aside).
    assert!((3.5..4.5).contains(&ratio), "zoomed {ratio}×");
    // The time between the fingers stayed between them.
    let ns_per_px = (end - start) / plot;
    let drift = (time_at(pinched, 0.5) - mid_before).abs();
    assert!(drift < 3.0 * ns_per_px, "the midpoint drifted {drift} ns");

    // One finger drags a quarter of the plot to the left: later times come into view,
    // by a quarter of the window, and the width stays.
    touch(&browser, "touchStart", &[(3, px(0.6), y)]);
    for k in 1..=5 {
        touch(
            &browser,
            "touchMove",
            &[(3, px(0.6 - 0.05 * f64::from(k)), y)],
        );
    }
    touch(&browser, "touchEnd", &[]);
    until("the drag to move the window", || {
        window(&browser, &wrap).0 > pinched.0
    });
    let dragged = window(&browser, &wrap);
    let w = pinched.1 - pinched.0;
    assert!(
        ((dragged.1 - dragged.0) - w).abs() <= 2.0,
        "the width changed: {w} → {}",
        dragged.1 - dragged.0
    );
    let shift = (dragged.0 - pinched.0) / w;
    assert!((0.22..0.28).contains(&shift), "moved {shift} of the window");
    // Neither gesture was a tap: no task got selected.
    assert!(
        browser
            .find_all(".timeline .tl-details[data-selected='true']")
            .is_empty()
    );
}

#[test]
fn arrow_keys_step_and_the_live_region_says_each_event() {
    let playground = Playground::start();
    let browser = Browser::start();
    browser.open_connected(&playground.demo_url("echo"));
    let (wrap, received) = run_echo(&browser);

    // The timeline is a named, focusable application; the live region is polite.
    assert_eq!(browser.attr(&wrap, "role").as_deref(), Some("application"));
    let label = browser.attr(&wrap, "aria-label").unwrap_or_default();
    assert!(label.starts_with("Timeline of echo"), "{label}");
    let focused = browser.execute(&format!(
        "const w = document.querySelector(\"{WRAP}\"); w.focus();
         return document.activeElement === w;"
    ));
    assert_eq!(
        focused.as_bool(),
        Some(true),
        "the timeline takes the focus"
    );
    let announce = browser.wait_for(".timeline[data-part='0'] .tl-announce", WAIT);
    assert_eq!(
        browser.attr(&announce, "aria-live").as_deref(),
        Some("polite")
    );
    // Following a live run it says nothing.
    assert_eq!(
        browser.attr(&announce, "data-event-index").as_deref(),
        Some("-1")
    );

    // What the live region, the playback panel and the details panel say now.
    let said = || {
        let v = browser.execute(
            "const t = document.querySelector(\".timeline[data-part='0']\");
             const a = t.querySelector('.tl-announce');
             const p = t.querySelector('.tl-current-event');
             const d = t.querySelector('.tl-details');
             const h = d.querySelector('h5');
             return [a.getAttribute('data-event-index'), a.textContent, p.textContent,
                     d.getAttribute('data-task-id'), h ? h.textContent : ''];",
        );
        let s = |i: usize| v[i].as_str().unwrap_or_default().to_owned();
        (s(0).parse::<i64>().unwrap_or(-2), s(1), s(2), s(3), s(4))
    };

    // Home: the first event.
    browser.send_keys(&wrap, HOME);
    until("the first event", || said().0 == 0);
    assert_eq!(browser.attr(&wrap, "data-mode").as_deref(), Some("paused"));
    let (_, first, _, _, _) = said();
    assert!(
        first.starts_with(&format!("Event 1 of {received} at ")),
        "{first}"
    );

    // → steps one event at a time; each is said, as the panel says it, with the task
    // the details panel shows.
    let mut with_task = 0;
    for k in 1..=40_i64 {
        browser.send_keys(&wrap, ARROW_RIGHT);
        until("the next event", || said().0 == k);
        assert_eq!(browser.number::<i64>(&wrap, "data-current-event"), k);
        let (_, text, panel, task, heading) = said();
        assert!(
            text.starts_with(&format!("Event {} of {received} at ", k + 1)),
            "{text}"
        );
        // The event's sentence is the panel's.
        let sentence = panel.split_once(": ").map_or("", |(_, s)| s);
        assert!(
            !sentence.is_empty() && text.contains(sentence),
            "{text} / {panel}"
        );
        if !task.is_empty() {
            with_task += 1;
            assert!(
                text.contains(&format!("Its task #{task} ")),
                "{text} / {task}"
            );
            // The heading is "Task #id name (why)": the same name.
            let name = heading
                .strip_prefix(&format!("Task #{task} "))
                .and_then(|h| h.split(" (").next())
                .unwrap_or_else(|| panic!("{heading}"));
            assert!(
                text.contains(&format!("Its task #{task} {name}: ")),
                "{text} / {heading}"
            );
        }
    }
    assert!(with_task > 0, "no event of a task in the first 40");

    // ← steps back, and the region follows.
    browser.send_keys(&wrap, ARROW_LEFT);
    until("one step back", || said().0 == 39);
    assert!(said().1.starts_with(&format!("Event 40 of {received}")));
}
