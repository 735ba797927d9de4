//! What a timeline frame costs in the browser, for two builds of the frontend side by side:
//! say the release build as shipped (`opt-level = "s"`) and one at `"z"`, which is smaller
//! on the wire and may be slower where the page is hottest, painting the timeline.
//!
//! Each round serves one build from the real backend, runs the echo demo at a size that
//! records a large timeline, then zooms that timeline with real wheel events (Chrome
//! DevTools `Input.dispatchMouseEvent`), one per animation frame, and reads Chromium's own
//! counter of script time (`Performance.getMetrics`: `ScriptDuration`, which includes the
//! wasm). Printed per build: the recording's event count, paints, script ms per paint, and
//! the ratio of the two builds. The builds alternate round by round, so a machine that gets
//! busier slows both.
//!
//! `cargo bench -p pollscope-e2e --bench timeline_paint -- --a DIST --b DIST
//! [--rounds 3 --frames 80 --clients 64 --messages 400]` with `CHROMEDRIVER` and `CHROMIUM` set as for the
//! e2e tests. Loopback only; the browser and the server stop at the end of each round.

use std::path::{Path, PathBuf};
use std::time::Duration;

use pollscope_e2e::playground::Playground;
use pollscope_e2e::webdriver::Browser;
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(120);
const WRAP: &str = ".timeline[data-part='0'] .tl-canvas-wrap";

struct Args {
    builds: [PathBuf; 2],
    rounds: u32,
    frames: u32,
    clients: u64,
    messages: u64,
}

fn args() -> Args {
    let mut a = None;
    let mut b = None;
    let (mut rounds, mut frames, mut clients, mut messages) = (3, 80, 64, 400);
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        let number =
            |v: String| -> u64 { v.parse().unwrap_or_else(|_| panic!("not a number: {v}")) };
        match flag.as_str() {
            "--a" => a = Some(PathBuf::from(value())),
            "--b" => b = Some(PathBuf::from(value())),
            "--rounds" => rounds = number(value()).clamp(1, 20) as u32,
            "--frames" => frames = number(value()).clamp(10, 1000) as u32,
            "--clients" => clients = number(value()).clamp(1, 64),
            "--messages" => messages = number(value()).clamp(1, 1000),
            "--bench" => {}
            other => panic!("unknown flag {other}"),
        }
    }
    let need = |d: Option<PathBuf>, name: &str| {
        let d = d.unwrap_or_else(|| panic!("--{name} DIST: a built frontend"));
        assert!(
            d.join("index.html").is_file(),
            "no index.html in {}",
            d.display()
        );
        d
    };
    Args {
        builds: [need(a, "a"), need(b, "b")],
        rounds,
        frames,
        clients,
        messages,
    }
}

/// One Chromium performance counter, in seconds.
fn metric(browser: &Browser, name: &str) -> f64 {
    let reply = browser.cdp("Performance.getMetrics", json!({}));
    reply["metrics"]
        .as_array()
        .and_then(|ms| ms.iter().find(|m| m["name"] == name))
        .and_then(|m| m["value"].as_f64())
        .unwrap_or_else(|| panic!("no {name} in {reply}"))
}

struct Round {
    events: u64,
    paints: u64,
    script_ms: f64,
}

fn round(dist: &Path, args: &Args) -> Round {
    let playground = Playground::with(|c| c.static_dir = Some(dist.to_path_buf()));
    let browser = Browser::start();
    browser.open_connected(&playground.demo_url("echo"));
    browser.set_param("clients", args.clients, WAIT);
    browser.set_param("messages", args.messages, WAIT);
    browser.set_param("message_bytes", 1, WAIT);
    browser.click(&browser.wait_for("#run-button", WAIT));
    browser.wait_for("#echo-result", WAIT);
    let wrap = browser.wait_for(WRAP, WAIT);
    browser.wait_for(".timeline[data-part='0'] canvas.tl-canvas", WAIT);
    let events = browser.number::<u64>(&wrap, "data-events");
    // Into view, and its centre in viewport coordinates (what CDP input events take).
    let centre = browser.execute(
        "const c = document.querySelector(\".timeline[data-part='0'] canvas.tl-canvas\");
         c.scrollIntoView({block: 'center'});
         const r = c.getBoundingClientRect();
         return [r.left + r.width / 2, r.top + Math.min(r.height, window.innerHeight) / 2];",
    );
    let (cx, cy) = (centre[0].as_f64().unwrap(), centre[1].as_f64().unwrap());

    browser.cdp("Performance.enable", json!({}));
    let paints_before = browser.number::<u64>(&wrap, "data-paints");
    let script_before = metric(&browser, "ScriptDuration");
    for i in 0..args.frames {
        // In for half the frames, out for the other half: every frame repaints the scene.
        let delta = if i < args.frames / 2 { -120 } else { 120 };
        browser.cdp(
            "Input.dispatchMouseEvent",
            json!({"type": "mouseWheel", "x": cx, "y": cy, "deltaX": 0, "deltaY": delta}),
        );
        let _: Value = browser.execute_async(
            "const done = arguments[arguments.length - 1];
             requestAnimationFrame(() => requestAnimationFrame(() => done(null)));",
        );
    }
    let script = metric(&browser, "ScriptDuration") - script_before;
    let paints = browser.number::<u64>(&wrap, "data-paints") - paints_before;
    assert!(paints > 0, "no paint in {} wheel events", args.frames);
    Round {
        events,
        paints,
        script_ms: script * 1000.0,
    }
}

fn main() {
    let args = args();
    let mut totals = [(0u64, 0u64, 0f64); 2];
    for r in 0..args.rounds {
        for (i, dist) in args.builds.iter().enumerate() {
            let got = round(dist, &args);
            println!(
                "round {r} build {}: {} events, {} paints, {:.2} ms script per paint",
                ["a", "b"][i],
                got.events,
                got.paints,
                got.script_ms / got.paints as f64
            );
            let t = &mut totals[i];
            t.0 = t.0.max(got.events);
            t.1 += got.paints;
            t.2 += got.script_ms;
        }
    }
    println!();
    println!(
        "{:<6} {:>10} {:>8} {:>18}  dist",
        "build", "events", "paints", "script ms/paint"
    );
    let per: Vec<f64> = totals.iter().map(|t| t.2 / t.1 as f64).collect();
    for (i, t) in totals.iter().enumerate() {
        println!(
            "{:<6} {:>10} {:>8} {:>18.2}  {}",
            ["a", "b"][i],
            t.0,
            t.1,
            per[i],
            args.builds[i].display()
        );
    }
    println!("b ÷ a: {:.3}", per[1] / per[0]);
}
