//! The built frontend as the browser gets it: files from the static directory, the
//! precompressed `.br` / `.gz` twin of each when the browser accepts it (the release build
//! writes them: `cargo xtask` runs `xtask/precompress.mjs`), and how long it may keep each.
//!
//! Caching follows the file names. Trunk puts a content hash in the name of every asset it
//! builds (`pollscope-frontend-21d2bc1cda22ad81_bg.wasm`), so a name never changes content:
//! those are `immutable` for a year. Everything else — `index.html` (which names the
//! current hashes), `/`, `favicon.ico` — is `no-cache`: kept, but revalidated every time,
//! so a new build is seen on the next load. Every file answers `Vary: Accept-Encoding`.
//!
//! The files come from one of two places ([`Frontend`]): a directory (`--static-dir`, the
//! dev loop's `dist/`), or the binary itself when it was built with the frontend embedded
//! ([`super::embedded`]). Both get the same caching.
//!
//! The app's own pages have paths but no files: `/` and `/demos/<id>` (the frontend routes
//! them, a demo's knobs in the query). For those the browser gets `index.html`
//! ([`is_page`]), so a shared link or a reload lands in the app; any other path without a
//! file stays a 404.
//!
//! Uses tower-http's `ServeDir`, the embedded files and the config.

use std::path::{Path, PathBuf};

use axum::Router;
use axum::extract::Request;
use axum::http::Uri;
use axum::http::header::{CACHE_CONTROL, HeaderValue, VARY};
use axum::middleware::{self, Next};
use axum::response::Response;
use tower_http::services::ServeDir;

/// A year: what "forever" means to caches.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Keep, but ask the server first.
pub const REVALIDATE: &str = "no-cache";

/// Shortest run of hex digits taken for a content hash (trunk's are up to 16, fewer when
/// the hash has leading zeros).
const MIN_HASH_DIGITS: usize = 8;

/// Where the frontend's files come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frontend {
    /// A directory on disk.
    Dir(PathBuf),
    /// The files compiled into the binary.
    Embedded,
}

/// Without `--static-dir` and without an embedded frontend: `dist/` in the working
/// directory, where `trunk build --release` writes it.
pub const DEFAULT_DIR: &str = "dist";

impl Frontend {
    /// `--static-dir` if given; else the embedded frontend if the binary has one; else
    /// [`DEFAULT_DIR`].
    pub fn choose(static_dir: Option<&Path>) -> Self {
        match static_dir {
            Some(dir) => Self::Dir(dir.to_path_buf()),
            None if super::embedded::available() => Self::Embedded,
            None => Self::Dir(PathBuf::from(DEFAULT_DIR)),
        }
    }

    /// Is there a built frontend to serve?
    pub fn is_built(&self) -> bool {
        match self {
            Self::Dir(dir) => dir.join("index.html").is_file(),
            Self::Embedded => true,
        }
    }

    /// The directory, or "the frontend embedded in this binary", for the log.
    pub fn describe(&self) -> String {
        match self {
            Self::Dir(dir) => dir.display().to_string(),
            Self::Embedded => "the frontend embedded in this binary".to_owned(),
        }
    }
}

/// The static frontend, precompressed variants preferred, with cache headers.
pub fn service(frontend: &Frontend) -> Router {
    let files = match frontend {
        Frontend::Dir(dir) => Router::new()
            .fallback_service(ServeDir::new(dir).precompressed_br().precompressed_gzip()),
        Frontend::Embedded => Router::new().fallback(super::embedded::serve),
    };
    files
        .layer(middleware::from_fn(cache_headers))
        .layer(middleware::from_fn(pages_are_the_index))
}

/// Where the demo pages live: `/demos/<id>`.
pub const DEMOS: &str = "/demos/";

/// Is `path` one of the app's pages, answered with `index.html`? `/demos/<id>` with an id
/// of letters, digits, `_` and `-` (the scenario ids' alphabet): so `/demos/echo` is,
/// `/demos/`, `/demos/echo/more` and `/demos/app.js` are not. (`/` is the index anyway.)
pub fn is_page(path: &str) -> bool {
    path.strip_prefix(DEMOS).is_some_and(|id| {
        !id.is_empty()
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    })
}

/// A page's path is served as `/index.html` (its query is the app's, not the server's).
async fn pages_are_the_index(mut request: Request, next: Next) -> Response {
    if is_page(request.uri().path()) {
        *request.uri_mut() = Uri::from_static("/index.html");
    }
    next.run(request).await
}

/// Is the last path segment a name with a content hash, `<stem>-<hex>[_bg].<ext>`?
pub fn is_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    let Some((stem, _ext)) = name.split_once('.') else {
        return false;
    };
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-').is_some_and(|(_, hash)| {
        hash.len() >= MIN_HASH_DIGITS && hash.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

async fn cache_headers(request: Request, next: Next) -> Response {
    let hashed = is_hashed(request.uri().path());
    let mut response = next.run(request).await;
    let status = response.status();
    if status.is_success() || status == axum::http::StatusCode::NOT_MODIFIED {
        let value = if hashed { IMMUTABLE } else { REVALIDATE };
        let headers = response.headers_mut();
        headers.insert(CACHE_CONTROL, HeaderValue::from_static(value));
        // The body depends on Accept-Encoding (a precompressed twin or not): a shared
        // cache must not hand a brotli body to a browser that asked for none.
        if !headers.contains_key(VARY) {
            headers.insert(VARY, HeaderValue::from_static("accept-encoding"));
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_paths_are_pages_and_nothing_else_is() {
        for page in ["/demos/echo", "/demos/seq_vs_concurrent", "/demos/a-1"] {
            assert!(is_page(page), "{page}");
        }
        for other in [
            "/",
            "/demos",
            "/demos/",
            "/demos/echo/",
            "/demos/echo/more",
            "/demos/app.js",
            "/demos/%2e%2e",
            "/demo/echo",
            "/x/demos/echo",
            "/index.html",
        ] {
            assert!(!is_page(other), "{other}");
        }
    }

    #[test]
    fn trunk_s_hashed_names_are_told_from_the_rest() {
        for hashed in [
            "/pollscope-frontend-21d2bc1cda22ad81_bg.wasm",
            "/pollscope-frontend-21d2bc1cda22ad81.js",
            "/style-62316e205e7bffd.css",
        ] {
            assert!(is_hashed(hashed), "{hashed}");
        }
        for plain in [
            "/",
            "/index.html",
            "/favicon.ico",
            "/pollscope-frontend.js",
            "/style-sheet.css",
            "/a-1234.css",
            "/deadbeefcafe",
        ] {
            assert!(!is_hashed(plain), "{plain}");
        }
    }
}
