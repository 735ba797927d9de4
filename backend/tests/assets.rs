//! The frontend's delivery over a real socket: a browser that accepts brotli gets the
//! precompressed `.br` file, one that accepts only gzip the `.gz`, anyone else the file as
//! it is; hashed assets may be cached forever, `index.html` is revalidated. The app's
//! pages (`/demos/<id>`, with or without a query) are `index.html`; other missing paths 404.

mod common;

use std::path::PathBuf;

use common::TestServer;

const ASSET: &str = "pollscope-frontend-21d2bc1cda22ad81_bg.wasm";

/// A static directory with an index, one hashed asset in three encodings (each with a
/// different body, so the test can tell which was served) and a favicon.
fn dist(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pollscope-assets-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, body) in [
        ("index.html", "<!doctype html><title>t</title>"),
        (ASSET, "plain wasm bytes"),
        (&format!("{ASSET}.br") as &str, "brotli bytes"),
        (&format!("{ASSET}.gz") as &str, "gzip bytes"),
        ("favicon.ico", "icon"),
    ] {
        std::fs::write(dir.join(name), body).unwrap();
    }
    dir
}

/// GET `path` with these request headers; the status, the response head (lowercase)
/// and the body.
async fn get(server: &TestServer, path: &str, headers: &str) -> (u16, String, String) {
    let (head, body) = server.get_with(path, headers).await;
    let status = head[9..12].parse().unwrap();
    (status, head, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn assets_come_precompressed_as_the_browser_accepts_and_cache_by_their_names() {
    let dir = dist("encodings");
    let server = TestServer::with(|c| c.static_dir = Some(dir.clone())).await;
    let path = format!("/{ASSET}");

    let (status, head, body) = get(&server, &path, "accept-encoding: gzip, deflate, br\r\n").await;
    assert_eq!((status, body.as_str()), (200, "brotli bytes"));
    assert!(head.contains("content-encoding: br"), "{head}");
    assert!(head.contains("content-type: application/wasm"), "{head}");
    assert!(head.contains("vary: accept-encoding"), "{head}");
    assert!(
        head.contains("cache-control: public, max-age=31536000, immutable"),
        "{head}"
    );

    let (status, head, body) = get(&server, &path, "accept-encoding: gzip\r\n").await;
    assert_eq!((status, body.as_str()), (200, "gzip bytes"));
    assert!(head.contains("content-encoding: gzip"), "{head}");

    let (status, head, body) = get(&server, &path, "").await;
    assert_eq!((status, body.as_str()), (200, "plain wasm bytes"));
    assert!(!head.contains("content-encoding"), "{head}");

    // The page and the icon are revalidated on every load, so a new build shows at once.
    for page in ["/", "/index.html", "/favicon.ico"] {
        let (status, head, _) = get(&server, page, "accept-encoding: br\r\n").await;
        assert_eq!(status, 200, "{page}");
        assert!(head.contains("cache-control: no-cache"), "{page}: {head}");
    }
    // A missing file is a 404 that no cache keeps.
    let (status, head, _) = get(&server, "/nothing-0123456789abcdef.js", "").await;
    assert_eq!(status, 404);
    assert!(!head.contains("cache-control"), "{head}");
    server.until_idle().await;
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn demo_pages_are_the_index_and_other_missing_paths_stay_404() {
    let dir = dist("pages");
    let server = TestServer::with(|c| c.static_dir = Some(dir.clone())).await;
    let index = std::fs::read_to_string(dir.join("index.html")).unwrap();
    for page in [
        "/demos/echo",
        "/demos/echo?clients=3&messages=200",
        "/demos/nope",
    ] {
        let (status, head, body) = get(&server, page, "").await;
        assert_eq!((status, body.as_str()), (200, index.as_str()), "{page}");
        assert!(head.contains("content-type: text/html"), "{page}: {head}");
        assert!(head.contains("cache-control: no-cache"), "{page}: {head}");
    }
    for missing in [
        "/no/such/thing.js",
        "/demos/",
        "/demos/echo/more",
        "/demos/app.js",
        "/demo/echo",
    ] {
        let (status, _, _) = get(&server, missing, "").await;
        assert_eq!(status, 404, "{missing}");
    }
    server.until_idle().await;
    std::fs::remove_dir_all(dir).unwrap();
}
