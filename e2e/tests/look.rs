//! Look and access in a real browser: the dark theme (switched in the header, remembered
//! over a reload, and followed from the browser's emulated `prefers-color-scheme` when the
//! choice is Auto), the canvas timeline painted in the theme's colours, the legend's
//! second cues, and the `?` list of keyboard shortcuts.

use std::time::{Duration, Instant};

use pollscope_e2e::playground::Playground;
use pollscope_e2e::webdriver::Browser;
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(30);
const WRAP: &str = ".timeline[data-part='0'] .tl-canvas-wrap";
/// The Pending colour and the canvas background of each theme, as
/// `frontend/src/timeline/palette.rs` has them.
const LIGHT_PENDING: [u8; 3] = [0xba, 0x80, 0x00];
const DARK_PENDING: [u8; 3] = [0xe6, 0x9f, 0x00];
const LIGHT_CANVAS: [u8; 3] = [0xff, 0xff, 0xff];
const DARK_CANVAS: [u8; 3] = [0x1a, 0x1d, 0x22];

/// Wait until `check` holds (theme changes and repaints land on a later frame).
fn until(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(30));
    }
}

fn html_attr(browser: &Browser, name: &str) -> String {
    let script = format!("return document.documentElement.getAttribute('{name}') || '';");
    browser
        .execute(&script)
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// The computed background and text colours of `<body>`.
fn body_colours(browser: &Browser) -> (String, String) {
    let v = browser
        .execute("const s = getComputedStyle(document.body); return [s.backgroundColor, s.color];");
    (
        v[0].as_str().unwrap_or_default().to_owned(),
        v[1].as_str().unwrap_or_default().to_owned(),
    )
}

/// How many canvas pixels have each of `colours`, and the colour of the top-left pixel
/// (the label column's background).
fn canvas_pixels(browser: &Browser, colours: &[[u8; 3]]) -> (Vec<u64>, [u8; 3]) {
    let script = format!(
        "const c = document.querySelector(\"{WRAP} canvas\");
         const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
         const want = {};
         const n = want.map(() => 0);
         for (let i = 0; i < d.length; i += 4)
           for (let k = 0; k < want.length; k++)
             if (d[i] === want[k][0] && d[i + 1] === want[k][1] && d[i + 2] === want[k][2]) n[k]++;
         return [n, [d[0], d[1], d[2]]];",
        json!(colours)
    );
    let v = browser.execute(&script);
    let counts = v[0]
        .as_array()
        .map(|a| a.iter().map(|x| x.as_u64().unwrap_or(0)).collect())
        .unwrap_or_default();
    let px = |i: usize| v[1][i].as_u64().unwrap_or(0) as u8;
    (counts, [px(0), px(1), px(2)])
}

fn emulate_dark(browser: &Browser, dark: bool) {
    let value = if dark { "dark" } else { "light" };
    browser.cdp(
        "Emulation.setEmulatedMedia",
        json!({"features": [{"name": "prefers-color-scheme", "value": value}]}),
    );
}

fn run_echo(browser: &Browser) {
    browser.set_param("clients", 3, WAIT);
    browser.set_param("messages", 20, WAIT);
    browser.click(&browser.wait_for("#run-button", WAIT));
    browser.wait_for("#echo-result", WAIT);
    browser.wait_for(WRAP, WAIT);
}

#[test]
fn the_dark_theme_switches_the_page_and_the_canvas_and_survives_a_reload() {
    let playground = Playground::start();
    let browser = Browser::start();
    // The browser prefers light: Auto (the default) is light.
    emulate_dark(&browser, false);
    browser.open_connected(&playground.demo_url("echo"));
    until("the theme to be applied", || {
        html_attr(&browser, "data-theme") == "light"
    });
    assert_eq!(html_attr(&browser, "data-theme-choice"), "auto");
    let light = body_colours(&browser);
    run_echo(&browser);
    let wrap = browser.wait_for(WRAP, WAIT);
    until("a light paint", || {
        browser.attr(&wrap, "data-theme").as_deref() == Some("light")
    });
    let colours = [LIGHT_PENDING, DARK_PENDING];
    let (counts, corner) = canvas_pixels(&browser, &colours);
    assert!(counts[0] > 0, "no light Pending pixels: {counts:?}");
    assert_eq!(counts[1], 0, "dark Pending pixels in the light theme");
    assert_eq!(corner, LIGHT_CANVAS);

    // Dark: the page's colours and the canvas's both change.
    browser.click(&browser.wait_for("#theme-dark", WAIT));
    until("the dark theme", || {
        html_attr(&browser, "data-theme") == "dark"
    });
    let dark = body_colours(&browser);
    assert_ne!(dark.0, light.0, "background");
    assert_ne!(dark.1, light.1, "text colour");
    assert_eq!(dark.0, "rgb(21, 24, 28)", "dark background");
    assert_eq!(dark.1, "rgb(228, 230, 232)", "dark text");
    let pressed = browser.wait_for("#theme-dark", WAIT);
    assert_eq!(
        browser.attr(&pressed, "aria-pressed").as_deref(),
        Some("true")
    );
    until("a dark paint", || {
        browser.attr(&wrap, "data-theme").as_deref() == Some("dark")
    });
    let (counts, corner) = canvas_pixels(&browser, &colours);
    assert!(counts[1] > 0, "no dark Pending pixels: {counts:?}");
    assert_eq!(counts[0], 0, "light Pending pixels in the dark theme");
    assert_eq!(corner, DARK_CANVAS);

    // The choice survives a reload.
    browser.open_connected(&playground.demo_url("echo"));
    until("the dark theme after a reload", || {
        html_attr(&browser, "data-theme") == "dark"
    });
    assert_eq!(html_attr(&browser, "data-theme-choice"), "dark");
    assert_eq!(body_colours(&browser), dark);
    let stored = browser.execute("return localStorage.getItem('pollscope.theme');");
    assert_eq!(stored, Value::from("dark"));
}

#[test]
fn auto_follows_the_browsers_colour_scheme() {
    let playground = Playground::start();
    let browser = Browser::start();
    emulate_dark(&browser, true);
    browser.open_connected(&playground.demo_url("echo"));
    // Nothing stored: Auto, and the browser prefers dark.
    until("auto to resolve dark", || {
        html_attr(&browser, "data-theme") == "dark"
    });
    assert_eq!(html_attr(&browser, "data-theme-choice"), "auto");
    // The preference changes while the page is open: Auto follows it.
    emulate_dark(&browser, false);
    until("auto to follow to light", || {
        html_attr(&browser, "data-theme") == "light"
    });
    // An explicit choice does not follow.
    browser.click(&browser.wait_for("#theme-light", WAIT));
    emulate_dark(&browser, true);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(html_attr(&browser, "data-theme"), "light");
    // Back to Auto: dark again.
    browser.click(&browser.wait_for("#theme-auto", WAIT));
    until("auto to resolve dark again", || {
        html_attr(&browser, "data-theme") == "dark"
    });
}

#[test]
fn the_legend_shows_a_cue_besides_colour() {
    let playground = Playground::start();
    let browser = Browser::start();
    browser.open_connected(&playground.demo_url("echo"));
    run_echo(&browser);
    let cue = |paint: &str| {
        let li = browser.wait_for(&format!(".tl-legend li[data-paint='{paint}']"), WAIT);
        browser.attr(&li, "data-cue").unwrap_or_default()
    };
    assert_eq!(cue("pending"), "hatched");
    assert_eq!(cue("panicked"), "cross");
    let looks = browser.execute(
        "const q = (p, s) => document.querySelector(`.tl-legend li[data-paint='${p}'] ${s}`);
         const dash = p => q(p, 'line').getAttribute('stroke-dasharray') || '';
         return {
           hatch: getComputedStyle(q('pending', '.tl-swatch')).backgroundImage,
           cross: getComputedStyle(q('panicked', '.tl-swatch'), '::after').content,
           dashes: ['wake-task', 'wake-reactor', 'wake-timer', 'wake-driver', 'wake-thread'].map(dash),
         };",
    );
    let hatch = looks["hatch"].as_str().unwrap_or_default();
    assert!(hatch.contains("repeating-linear-gradient"), "{hatch}");
    assert_eq!(looks["cross"], Value::from("\"×\""));
    let dashes: Vec<&str> = looks["dashes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap_or_default())
        .collect();
    // A task's wake is solid; every source has a dash of its own.
    assert_eq!(dashes[0], "", "{dashes:?}");
    for (i, a) in dashes.iter().enumerate().skip(1) {
        assert!(!a.is_empty(), "{dashes:?}");
        assert!(!dashes[i + 1..].contains(a), "{dashes:?}");
    }
}

#[test]
fn question_mark_lists_the_shortcuts_and_escape_closes_them() {
    let playground = Playground::start();
    let browser = Browser::start();
    browser.open_connected(&playground.demo_url("echo"));
    run_echo(&browser);
    assert!(browser.find_all("#shortcuts").is_empty());

    // Typing a "?" in a box is only typing.
    let input = browser.wait_for("#param-clients", WAIT);
    browser.send_keys(&input, "?");
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        browser.find_all("#shortcuts").is_empty(),
        "opened while typing"
    );

    // On the timeline: "?" opens the list, which names the timeline's keys.
    let wrap = browser.wait_for(WRAP, WAIT);
    browser.send_keys(&wrap, "?");
    let list = browser.wait_for("#shortcuts", WAIT);
    let text = browser.text(&list);
    for says in [
        "Keyboard shortcuts",
        "step one event back",
        "zoom in",
        "Esc",
    ] {
        assert!(text.contains(says), "{says:?} not in {text:?}");
    }
    assert_eq!(
        browser.attr(&list, "role").as_deref(),
        Some("dialog"),
        "a dialog"
    );
    // Escape closes it.
    browser.send_keys(&wrap, "\u{E00C}");
    until("the list to close on Escape", || {
        browser.find_all("#shortcuts").is_empty()
    });
    // "?" twice: open, then closed again.
    browser.send_keys(&wrap, "?");
    browser.wait_for("#shortcuts", WAIT);
    browser.send_keys(&wrap, "?");
    until("the list to close on ?", || {
        browser.find_all("#shortcuts").is_empty()
    });
    // The header's button opens it too.
    browser.click(&browser.wait_for("#shortcuts-hint", WAIT));
    browser.wait_for("#shortcuts", WAIT);
}
