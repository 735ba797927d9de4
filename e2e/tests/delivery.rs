//! How the frontend reaches a real Chromium: compressed on the wire (the release build
//! precompresses every asset; the browser's Accept-Encoding picks brotli or gzip), with a
//! favicon, and cache headers that let a reload keep the hashed assets. The bytes on the
//! wire are printed (the figure `docs/benchmarks.md` records); the test asserts what must
//! hold whatever the build's size: every asset arrives compressed and smaller.

use std::time::Duration;

use pollscope_e2e::playground::Playground;
use pollscope_e2e::webdriver::Browser;

#[test]
fn the_page_arrives_compressed_with_its_favicon() {
    let playground = Playground::start();
    let browser = Browser::start();
    browser.open_connected(&playground.url("/"));
    // Every resource of the page as the browser's timing API saw it: bytes on the wire
    // (`encodedBodySize`) against bytes after decoding.
    let entries = browser.execute(
        "return [...performance.getEntriesByType('navigation'), \
                 ...performance.getEntriesByType('resource')] \
            .filter(e => !e.name.includes('/ws')) \
            .map(e => [new URL(e.name).pathname, e.encodedBodySize, e.decodedBodySize]);",
    );
    let entries = entries.as_array().expect("a list of entries");
    let mut wire = 0;
    let mut saw_wasm = false;
    for entry in entries {
        let path = entry[0].as_str().unwrap_or_default();
        let (encoded, decoded) = (entry[1].as_u64().unwrap(), entry[2].as_u64().unwrap());
        eprintln!("{path}: {encoded} bytes on the wire, {decoded} decoded");
        wire += encoded;
        if path.ends_with(".wasm") || path.ends_with(".js") || path.ends_with(".css") {
            assert!(
                encoded * 2 < decoded,
                "{path} arrived uncompressed or barely: {encoded} of {decoded} bytes"
            );
            saw_wasm |= path.ends_with(".wasm");
        }
    }
    assert!(saw_wasm, "the page loaded its wasm: {entries:?}");
    eprintln!("the frontend: {wire} bytes on the wire");

    // The favicon is there (no 404 in the console on every load).
    let icon = browser.execute(
        "return fetch('/favicon.ico').then(r => [r.status, r.headers.get('content-type')]);",
    );
    assert_eq!(icon[0].as_u64(), Some(200), "{icon:?}");
    assert!(
        icon[1].as_str().is_some_and(|t| t.starts_with("image/")),
        "{icon:?}"
    );
    // A reload keeps the hashed assets: the wasm is served from the cache, not the wire.
    browser.execute("location.reload();");
    browser.wait_for(
        "#connection-status[data-state='connected']",
        Duration::from_secs(20),
    );
    let cached = browser.execute(
        "return performance.getEntriesByType('resource') \
            .filter(e => e.name.endsWith('.wasm')).map(e => e.transferSize);",
    );
    assert_eq!(
        cached
            .as_array()
            .map(|a| a.iter().all(|t| t.as_u64() == Some(0))),
        Some(true),
        "the reloaded page fetched its wasm again: transfer sizes {cached:?}"
    );
}
