//! The code lights up, in a real browser: run the echo demo, step the timeline to a poll
//! that left a connection waiting at `read request`, and the code panel lights the line
//! of that await point and the line that spawned the connection's task; its sentence
//! names the same lines; a lit line is as tall as any other (lighting moves no text).

use std::time::{Duration, Instant};

use pollscope_e2e::playground::Playground;
use pollscope_e2e::webdriver::{Browser, Element};

const WAIT: Duration = Duration::from_secs(30);
const WRAP: &str = ".timeline[data-part='0'] .tl-canvas-wrap";
const PANEL: &str = "figure.code-panel";

/// Wait until `check` holds (the timeline repaints on the next animation frame).
fn until(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn lit(browser: &Browser, panel: &Element, which: &str) -> Option<u32> {
    browser
        .attr(panel, &format!("data-lit-{which}"))
        .and_then(|v| v.parse().ok())
}

#[test]
fn stepping_to_a_read_lights_its_await_line_and_the_line_that_spawned_the_task() {
    let playground = Playground::start();
    let browser = Browser::start();
    browser.open_connected(&playground.demo_url("echo"));
    for (param, value) in [("workers", 1), ("clients", 2), ("messages", 5)] {
        browser.set_param(param, value, Duration::from_secs(5));
    }
    browser.click(&browser.wait_for("#run-button", Duration::from_secs(5)));
    browser.wait_for("#echo-result", WAIT);
    let count = browser.wait_for("#event-count", Duration::from_secs(5));
    let events = browser.number::<i64>(&count, "data-events");
    let wrap = browser.wait_for(WRAP, Duration::from_secs(5));
    until("the timeline to take in every event", || {
        browser.attr(&wrap, "data-events").as_deref() == Some(&*events.to_string())
    });

    // From the first event, step forward until the current event is a wait at
    // `read request` (bounded by the events the run recorded).
    browser.execute(
        "const s = document.querySelector('.timeline .tl-scrub'); s.value = '0'; \
         s.dispatchEvent(new Event('input', { bubbles: true }));",
    );
    let at = |browser: &Browser| browser.number::<i64>(&wrap, "data-current-event");
    until("the scrub to the first event", || at(&browser) == 0);
    let panel = browser.wait_for(PANEL, Duration::from_secs(1));
    let mut found = None;
    for step in 0..events {
        let current = browser.wait_for(".timeline .tl-current-event", Duration::from_secs(1));
        let line = lit(&browser, &panel, "await");
        if browser.text(&current).contains("read request") && line.is_some() {
            found = line.map(|l| (step, l));
            break;
        }
        browser.send_keys(&wrap, ".");
        until("a step forward", || at(&browser) == step + 1);
    }
    let Some((step, await_line)) = found else {
        panic!("no event of the {events} recorded waits at `read request`");
    };

    // The lit await line is the snippet's `read request` line, and no other line is lit.
    let line_at = |n: u32| {
        browser.wait_for(
            &format!("{PANEL} .code-line[data-line='{n}']"),
            Duration::from_secs(1),
        )
    };
    let awaited = line_at(await_line);
    assert!(
        browser.text(&awaited).contains("probe.io(\"read request\""),
        "event {step}: line {await_line} is lit: {:?}",
        browser.text(&awaited)
    );
    let lit_awaits = browser.find_all(&format!("{PANEL} .code-line.lit-await"));
    assert_eq!(lit_awaits.len(), 1, "one await line is lit");
    assert_eq!(
        browser.attr(&lit_awaits[0], "data-line"),
        Some(await_line.to_string())
    );

    // The connection's task was spawned by the accept loop's `tokio::spawn` line.
    let spawn_line = lit(&browser, &panel, "spawn").expect("the task's spawn line is lit");
    let spawned = line_at(spawn_line);
    assert!(
        browser
            .text(&spawned)
            .contains("probe.task(format!(\"conn {peer}\")"),
        "line {spawn_line} is lit as the spawn: {:?}",
        browser.text(&spawned)
    );
    assert_eq!(
        browser
            .find_all(&format!("{PANEL} .code-line.lit-spawn"))
            .len(),
        1
    );

    // The sentence under the code names the same lines.
    let note = browser.text(&browser.wait_for(&format!("{PANEL} .code-focus"), WAIT));
    for expected in [
        format!("at the await point `read request`, line {await_line}"),
        format!("spawned at line {spawn_line}"),
    ] {
        assert!(note.contains(&expected), "no {expected:?} in {note:?}");
    }

    // Lighting a line changes its colour, not its height.
    let height = |e: &Element| browser.rect(e).3;
    let plain = browser
        .find_all(&format!(
            "{PANEL} .code-line:not(.lit-await):not(.lit-spawn)"
        ))
        .into_iter()
        .find(|e| !browser.text(e).trim().is_empty())
        .expect("an unlit line with text");
    let reference = height(&plain);
    assert!(reference > 0.0);
    for e in [&awaited, &spawned] {
        assert!(
            (height(e) - reference).abs() < 0.5,
            "a lit line is {} px tall, an unlit one {reference} px",
            height(e)
        );
    }

    // Stepping on to an event about no await point lights no await line.
    let mut cleared = false;
    for step in step..events - 1 {
        browser.send_keys(&wrap, ".");
        until("a step forward", || at(&browser) == step + 1);
        if lit(&browser, &panel, "await").is_none() {
            cleared = true;
            assert!(
                browser
                    .find_all(&format!("{PANEL} .code-line.lit-await"))
                    .is_empty()
            );
            break;
        }
    }
    assert!(
        cleared,
        "some later event (the task's end, a park) is at no await point"
    );
}

/// The code reads as Rust: keywords, strings and macros in spans of their own, each a
/// colour of its own, and the line numbers drawn beside the code but not part of it.
#[test]
fn the_code_is_numbered_and_highlighted_and_its_text_is_unchanged() {
    let playground = Playground::start();
    let browser = Browser::start();
    browser.open_connected(&playground.demo_url("echo"));
    browser.wait_for(&format!("{PANEL} .code-line"), WAIT);
    let found = browser.execute(&format!(
        "const p = document.querySelector('{PANEL}');
         const texts = sel => [...p.querySelectorAll(sel)].map(e => e.textContent);
         const colour = sel => {{ const e = p.querySelector(sel); return e && getComputedStyle(e).color; }};
         const first = p.querySelector('.code-line');
         return {{
           keywords: texts('.tok-kw'), strings: texts('.tok-str'), macros: texts('.tok-mac'),
           kw: colour('.tok-kw'), str: colour('.tok-str'), plain: getComputedStyle(first).color,
           number: getComputedStyle(first, '::before').content,
           firstText: first.textContent,
           lines: p.querySelectorAll('.code-line').length,
           text: p.querySelector('pre code').textContent,
         }};"
    ));
    let list = |key: &str| -> Vec<String> {
        serde_json::from_value(found[key].clone()).unwrap_or_default()
    };
    for keyword in ["async", "fn", "let", "await"] {
        assert!(
            list("keywords").iter().any(|k| k == keyword),
            "{keyword}: {found}"
        );
    }
    assert!(
        list("strings").iter().any(|s| s == "\"read request\""),
        "{found}"
    );
    assert!(!list("macros").is_empty(), "{found}");
    // Each kind its own colour, and neither the plain text's.
    let (kw, string, plain) = (&found["kw"], &found["str"], &found["plain"]);
    assert!(kw != string && kw != plain && string != plain, "{found}");
    // Line 1's number is drawn from data-line, outside the text.
    assert_eq!(found["number"], "\"1\"", "{found}");
    let first = found["firstText"].as_str().unwrap_or_default();
    assert!(
        !first.starts_with('1'),
        "the number leaked into the text: {first:?}"
    );
    // One line element per line of the text: the spans added nothing to it.
    let text = found["text"].as_str().unwrap_or_default();
    let lines = found["lines"].as_u64().unwrap_or(0) as usize;
    assert_eq!(text.split_inclusive('\n').count(), lines, "{text}");
}
