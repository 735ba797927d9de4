//! The binary alone is a playground: built with `--features embed-frontend` after the
//! release frontend build, a server given no `--static-dir` serves the embedded `dist/`
//! — the page (also at a demo's path), and each asset's precompressed twin as the browser
//! accepts it — byte for byte what the build wrote. `cargo xtask test` runs this after the
//! frontend build; without the feature this file holds no test.
#![cfg(feature = "embed-frontend")]

mod common;

use std::path::PathBuf;

use common::TestServer;

fn dist() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../dist")
}

async fn get(server: &TestServer, path: &str, headers: &str) -> (String, Vec<u8>) {
    server.get_with(path, headers).await
}

#[tokio::test]
async fn without_a_static_dir_the_embedded_frontend_is_served_as_built() {
    let index = std::fs::read_to_string(dist().join("index.html"))
        .expect("the release frontend is built (cargo xtask test builds it first)");
    let wasm = index
        .split(['"', '\''])
        .find(|s| s.ends_with("_bg.wasm"))
        .expect("index.html names its wasm")
        .trim_start_matches('/')
        .to_owned();
    let server = TestServer::with(|c| c.static_dir = None).await;

    let (head, body) = get(&server, "/", "").await;
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(head.contains("cache-control: no-cache"), "{head}");
    assert_eq!(body, index.as_bytes(), "the page is the built index.html");

    let (head, body) = get(
        &server,
        &format!("/{wasm}"),
        "accept-encoding: gzip, br\r\n",
    )
    .await;
    assert!(head.contains("content-encoding: br"), "{head}");
    assert!(head.contains("content-type: application/wasm"), "{head}");
    assert!(head.contains("immutable"), "{head}");
    assert_eq!(
        body,
        std::fs::read(dist().join(format!("{wasm}.br"))).unwrap()
    );

    let (head, body) = get(&server, &format!("/{wasm}"), "").await;
    assert!(!head.contains("content-encoding"), "{head}");
    assert_eq!(body, std::fs::read(dist().join(&wasm)).unwrap());

    // A demo's page, knobs and all, is the app's index too; a file that is not there is not.
    let (head, body) = get(&server, "/demos/echo?clients=3", "").await;
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert_eq!(
        body,
        index.as_bytes(),
        "a demo page is the built index.html"
    );
    let (head, _) = get(&server, "/no/such/thing.js", "").await;
    assert!(head.starts_with("http/1.1 404"), "{head}");

    let (_, health) = get(&server, "/health", "").await;
    let health: serde_json::Value = serde_json::from_slice(&health).unwrap();
    assert_eq!(health["frontend_built"], true, "{health}");
    server.until_idle().await;
}
