//! Runs you can keep, in a real browser: run the echo demo, save the run, stop the server,
//! load the page from plain files (no backend at all), open the saved file, and see the
//! same numbers, the same timeline and the same notice. Corrupt, foreign and too-new files
//! show why they cannot be opened, and the page keeps what it showed. A run exported for
//! Perfetto is a Chrome trace holding the run's polls, wakes and parks.

use std::path::PathBuf;
use std::time::Duration;

use pollscope_e2e::notice::Notice;
use pollscope_e2e::playground::{Playground, dist_dir};
use pollscope_e2e::static_site::StaticSite;
use pollscope_e2e::webdriver::{Browser, base64_decode};
use pollscope_shared::keep::{FORMAT_VERSION, KeptRun, MAGIC};
use serde_json::Value;

const WRAP: &str = ".timeline[data-part='0'] .tl-canvas-wrap";

/// What the echo page shows of its latest run: every figure a learner reads off it.
#[derive(Debug, PartialEq)]
struct Shown {
    result: Vec<(String, u64)>,
    task_rows: usize,
    row_polls: u64,
    events: u64,
    timeline: Vec<(String, u64)>,
    notice: String,
    load: String,
}

fn shown(browser: &Browser) -> Shown {
    let result = browser.wait_for("#echo-result", Duration::from_secs(10));
    let figures = [
        "data-round-trips",
        "data-polls",
        "data-tasks",
        "data-events-recorded",
        "data-wakes-reactor",
        "data-wakes-task",
    ];
    let rows = browser.find_all("#task-table tr.task-row");
    let wrap = browser.wait_for(WRAP, Duration::from_secs(5));
    Shown {
        result: figures
            .iter()
            .map(|f| (f.to_string(), browser.number::<u64>(&result, f)))
            .collect(),
        task_rows: rows.len(),
        row_polls: rows
            .iter()
            .map(|r| browser.number::<u64>(r, "data-polls"))
            .sum(),
        events: browser.number::<u64>(
            &browser.wait_for("#event-count", Duration::from_secs(1)),
            "data-events",
        ),
        timeline: ["data-events", "data-tasks", "data-lanes"]
            .iter()
            .map(|f| (f.to_string(), browser.number::<u64>(&wrap, f)))
            .collect(),
        notice: Notice::read(browser, Duration::from_secs(1)).text,
        load: browser.text(&browser.wait_for("#run-load", Duration::from_secs(1))),
    }
}

fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let path = std::env::temp_dir().join(format!("pollscope-keep-{}-{name}", std::process::id()));
    std::fs::write(&path, bytes).expect("write a temp file");
    path
}

/// The bytes behind a download link (`#saved-run`, `#exported-trace`), fetched in the
/// page from its `blob:` URL.
fn link_bytes(browser: &Browser, css: &str, ends_with: &str) -> Vec<u8> {
    let link = browser.wait_for(css, Duration::from_secs(5));
    let href = browser.attr(&link, "href").expect("an href");
    assert!(href.starts_with("blob:"), "{href}");
    assert!(
        browser
            .attr(&link, "download")
            .is_some_and(|d| d.ends_with(ends_with)),
        "a download name"
    );
    let script = format!(
        "const done = arguments[arguments.length - 1];
         fetch({href:?}).then(r => r.arrayBuffer()).then(b => {{
             const bytes = new Uint8Array(b); let s = '';
             for (let i = 0; i < bytes.length; i += 0x8000)
                 s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
             done(btoa(s));
         }}, e => done('error: ' + e));"
    );
    let value = browser.execute_async(&script);
    let text = value.as_str().expect("base64 text");
    assert!(!text.starts_with("error"), "{text}");
    let bytes = base64_decode(text);
    assert_eq!(
        bytes.len() as u64,
        browser.number::<u64>(&link, "data-bytes"),
        "the link says its size"
    );
    bytes
}

/// Open `path` with the header's file picker.
fn open(browser: &Browser, path: &std::path::Path) {
    let input = browser.wait_for("#open-run-file", Duration::from_secs(10));
    browser.send_keys(&input, path.to_str().expect("a UTF-8 path"));
}

fn open_error(browser: &Browser) -> String {
    browser.text(&browser.wait_for("#open-error", Duration::from_secs(10)))
}

#[test]
fn a_saved_run_opens_with_the_server_stopped_and_shows_the_same() {
    let playground = Playground::start();
    let browser = Browser::start();
    browser.open_connected(&playground.demo_url("echo"));
    // Enough round trips for the file's size per event to show past its fixed part.
    browser.set_param("clients", 8, Duration::from_secs(5));
    browser.set_param("messages", 300, Duration::from_secs(5));
    browser.click(&browser.wait_for("#run-button", Duration::from_secs(5)));
    browser.wait_for("#echo-result", Duration::from_secs(30));
    let before = shown(&browser);
    assert!(before.events > 0 && before.task_rows > 0, "{before:?}");

    browser.click(&browser.wait_for("#save-run", Duration::from_secs(5)));
    let bytes = link_bytes(&browser, "#saved-run", ".pollscope");
    let kept = KeptRun::decode(&bytes).expect("the saved file decodes natively");
    assert_eq!(kept.descriptor.id, "echo");
    assert_eq!(
        kept.events(),
        before.events,
        "every received event is in the file"
    );
    let events_bytes: usize = kept.batches.iter().map(|b| b.encode_binary().len()).sum();
    println!(
        "saved echo run: {} bytes for {} events ({events_bytes} of them event batches) = {} \
         bytes per 100k events",
        bytes.len(),
        kept.events(),
        bytes.len() as u64 * 100_000 / kept.events()
    );
    let path = temp_file("echo.pollscope", &bytes);

    // The server stops; the page comes back from plain files, with no backend at all.
    drop(playground);
    let site = StaticSite::start(dist_dir());
    browser.goto(&site.demo_url("echo"));
    browser.wait_for("#connection-error", Duration::from_secs(10));
    assert!(browser.find_all("#echo-result").is_empty(), "a fresh page");
    open(&browser, &path);
    let after = shown(&browser);
    assert_eq!(
        after, before,
        "the opened run shows what the live one showed"
    );
    // The opened run is named by its order on the page, never by its page-local id.
    let listed = browser.wait_for(".history-run strong", Duration::from_secs(5));
    assert_eq!(browser.text(&listed), "Run #1 (opened)");
    let page = browser.text(&browser.wait_for("main", Duration::from_secs(1)));
    assert!(
        !page.contains(&(1u64 << 40).to_string()),
        "a raw opened-run id on the page: {page}"
    );
    assert!(
        browser
            .find_all("#run-button")
            .iter()
            .all(|b| browser.attr(b, "disabled").is_some()),
        "no server, no Run"
    );

    // A file cut short, or someone else's file: the page says why and keeps the run.
    let cut = temp_file("cut.pollscope", &bytes[..bytes.len() * 2 / 3]);
    open(&browser, &cut);
    let why = open_error(&browser);
    assert!(why.contains("truncated"), "{why}");
    assert_eq!(shown(&browser), before, "a bad file loses nothing");
    let foreign = temp_file("notes.pollscope", b"just some notes, not a run\n");
    open(&browser, &foreign);
    browser.wait_for("#open-error", Duration::from_secs(5));
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !open_error(&browser).contains("not a pollscope run file") {
        assert!(
            std::time::Instant::now() < deadline,
            "{}",
            open_error(&browser)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(shown(&browser), before, "a foreign file loses nothing");
    for p in [path, cut, foreign] {
        let _ = std::fs::remove_file(p);
    }
}

#[test]
fn a_newer_or_dropped_foreign_file_is_refused_by_name() {
    let site = StaticSite::start(dist_dir());
    let browser = Browser::start();
    browser.goto(&site.url("/"));
    browser.wait_for("#connection-error", Duration::from_secs(10));
    let mut bytes = MAGIC.to_vec();
    bytes.extend_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
    bytes.extend_from_slice(&[0; 32]);
    let path = temp_file("newer.pollscope", &bytes);
    open(&browser, &path);
    let why = open_error(&browser);
    assert!(why.contains("newer pollscope"), "{why}");
    // The page is still the one it was: waiting for a server, no demo opened.
    assert!(browser.find_all("article.demo").is_empty());
    let _ = std::fs::remove_file(path);

    // A file dropped on the page is opened the same way.
    browser.execute(
        "const files = new DataTransfer();
         files.items.add(new File(['not a run'], 'dropped.pollscope'));
         window.dispatchEvent(new DragEvent('drop', { dataTransfer: files, cancelable: true }));",
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !open_error(&browser).contains("dropped.pollscope") {
        assert!(
            std::time::Instant::now() < deadline,
            "{}",
            open_error(&browser)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(open_error(&browser).contains("not a pollscope run file"));
    assert!(browser.find_all("article.demo").is_empty());
}

#[test]
fn an_exported_trace_holds_the_runs_polls_wakes_and_parks() {
    let playground = Playground::start();
    let browser = Browser::start();
    browser.open_connected(&playground.demo_url("echo"));
    browser.set_param("clients", 2, Duration::from_secs(5));
    browser.set_param("messages", 30, Duration::from_secs(5));
    browser.click(&browser.wait_for("#run-button", Duration::from_secs(5)));
    let result = browser.wait_for("#echo-result", Duration::from_secs(30));
    let polls = browser.number::<u64>(&result, "data-polls");
    let events = browser.number::<u64>(
        &browser.wait_for("#event-count", Duration::from_secs(1)),
        "data-events",
    );
    let parks = browser.number::<u64>(
        &browser.wait_for("#lanes", Duration::from_secs(1)),
        "data-parks",
    );

    browser.click(&browser.wait_for("#export-perfetto", Duration::from_secs(5)));
    let bytes = link_bytes(&browser, "#exported-trace", ".trace.json");
    let link = browser.wait_for("#exported-trace", Duration::from_secs(1));
    assert_eq!(browser.number::<u64>(&link, "data-events"), events);
    let trace: Value = serde_json::from_slice(&bytes).expect("the trace is JSON");
    let trace = trace["traceEvents"].as_array().expect("traceEvents");
    let count = |ph: &str, cat: &str, tid: fn(u64) -> bool| {
        trace
            .iter()
            .filter(|e| e["ph"] == ph && e["cat"] == cat)
            .filter(|e| e["tid"].as_u64().is_some_and(tid))
            .count() as u64
    };
    const TASKS: u64 = 1 << 20;
    let any = |_| true;
    // Every poll the server counted is a slice on its task's track, its outcome in args;
    // the echo runtime's polls all ran on a lane, so each is on a lane's track too.
    assert_eq!(count("X", "poll", |t| (TASKS..1 << 30).contains(&t)), polls);
    assert_eq!(count("X", "poll", |t| t < TASKS), polls);
    assert!(
        trace
            .iter()
            .filter(|e| e["cat"] == "poll")
            .all(|e| e["args"]["outcome"].is_string())
    );
    assert_eq!(count("X", "park", any), parks, "a parked slice per park");
    let wakes = browser.number::<u64>(&result, "data-wakes-reactor")
        + browser.number::<u64>(&result, "data-wakes-task");
    assert!(count("i", "wake", any) >= wakes, "every wake is an instant");
    assert_eq!(count("s", "wake", any), count("i", "wake", any));
    let flows = count("f", "wake", any);
    assert!(flows > 0 && flows <= count("s", "wake", any));
    assert_eq!(count("b", "await", any), count("e", "await", any));
    assert!(count("b", "await", any) > 0, "the reads are await slices");
    assert_eq!(
        browser.number::<u64>(&link, "data-task-polls"),
        polls,
        "the link counts what the file holds"
    );
}
