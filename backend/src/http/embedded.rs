//! The frontend compiled into the binary (feature `embed-frontend`), so the binary alone is
//! a playground: `cargo xtask dist`, then `cargo install --path backend --features
//! embed-frontend`. The files are the release build's `dist/` as it was when the backend
//! was compiled, precompressed twins included, through `rust-embed`.
//!
//! Serving mirrors what `ServeDir` does for `dist/` on disk (see [`super::assets`]): the
//! `.br` or `.gz` twin when the browser accepts it, the type by extension, an `ETag` from
//! the file's hash (so `no-cache` revalidation is a 304), `GET` and `HEAD` only. Without
//! the feature, nothing is embedded and [`lookup`] finds nothing.
//!
//! Uses nothing of the crate.

use std::borrow::Cow;

use axum::body::Body;
use axum::http::header::{
    ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, ETAG, IF_NONE_MATCH,
};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

#[cfg(feature = "embed-frontend")]
#[derive(rust_embed::Embed)]
#[folder = "../dist"]
#[allow_missing = true]
struct Dist;

/// One embedded file: its bytes and a digest of them.
pub struct File {
    pub bytes: Cow<'static, [u8]>,
    pub sha256: [u8; 32],
}

/// The embedded file at `name` (relative to `dist/`), if there is one.
#[cfg(feature = "embed-frontend")]
pub fn lookup(name: &str) -> Option<File> {
    Dist::get(name).map(|f| File {
        sha256: f.metadata.sha256_hash(),
        bytes: f.data,
    })
}

#[cfg(not(feature = "embed-frontend"))]
pub fn lookup(_name: &str) -> Option<File> {
    None
}

/// Was a built frontend embedded (is there an `index.html`)?
pub fn available() -> bool {
    lookup("index.html").is_some()
}

/// The media type of a file the frontend build writes.
pub fn content_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css; charset=utf-8",
        Some("ico") => "image/x-icon",
        Some("svg") => "image/svg+xml",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}

/// Does `Accept-Encoding` accept `coding` (by name or `*`, with a q-value above 0)?
pub fn accepts(headers: &HeaderMap, coding: &str) -> bool {
    headers
        .get_all(ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';').map(str::trim);
            let name = parts.next().unwrap_or_default();
            let q = parts
                .find_map(|p| p.strip_prefix("q="))
                .map_or(1.0, |q| q.parse::<f32>().unwrap_or(0.0));
            (name.eq_ignore_ascii_case(coding) || name == "*") && q > 0.0
        })
}

/// The file for `path` from `find` (the embedded files, or a test's), as a response.
pub fn respond(
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    find: impl Fn(&str) -> Option<File>,
) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let mut name = path.trim_start_matches('/').to_owned();
    if name.is_empty() || name.ends_with('/') {
        name.push_str("index.html");
    }
    let Some(plain) = find(&name) else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let (file, coding) = [("br", ".br"), ("gzip", ".gz")]
        .into_iter()
        .filter(|(coding, _)| accepts(headers, coding))
        .find_map(|(coding, ext)| find(&format!("{name}{ext}")).map(|f| (f, Some(coding))))
        .unwrap_or((plain, None));
    let hash: String = file.sha256[..12]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let etag = format!("\"{hash}\"");
    let matches = headers
        .get(IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|tag| tag.trim() == etag || tag.trim() == "*")
        });
    let mut response = if matches {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let length = file.bytes.len();
        let body = if method == Method::HEAD {
            Body::empty()
        } else {
            Body::from(file.bytes)
        };
        let mut response = Response::new(body);
        response
            .headers_mut()
            .insert(CONTENT_LENGTH, HeaderValue::from(length));
        response
    };
    let h = response.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static(content_type(&name)));
    h.insert(
        ETAG,
        HeaderValue::from_str(&etag).expect("hex is a valid header"),
    );
    if let Some(coding) = coding {
        h.insert(CONTENT_ENCODING, HeaderValue::from_static(coding));
    }
    response
}

/// The handler: the embedded frontend.
pub async fn serve(method: Method, uri: Uri, headers: HeaderMap) -> Response {
    respond(&method, uri.path(), &headers, lookup)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn files() -> HashMap<&'static str, &'static [u8]> {
        HashMap::from([
            ("index.html", &b"<!doctype html>"[..]),
            ("app-0123456789abcdef_bg.wasm", b"plain"),
            ("app-0123456789abcdef_bg.wasm.br", b"br!"),
            ("app-0123456789abcdef_bg.wasm.gz", b"gz!"),
        ])
    }

    fn get(path: &str, headers: &[(&'static str, &str)]) -> Response {
        let files = files();
        let mut map = HeaderMap::new();
        for (k, v) in headers {
            map.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        respond(&Method::GET, path, &map, |name| {
            files.get(name).map(|bytes| File {
                bytes: Cow::Borrowed(bytes),
                sha256: [bytes.len() as u8; 32],
            })
        })
    }

    fn header<'a>(r: &'a Response, name: &str) -> Option<&'a str> {
        r.headers().get(name).and_then(|v| v.to_str().ok())
    }

    #[test]
    fn the_best_accepted_twin_is_served_with_its_encoding_and_type() {
        let wasm = "/app-0123456789abcdef_bg.wasm";
        let r = get(wasm, &[("accept-encoding", "gzip, deflate, br")]);
        assert_eq!(header(&r, "content-encoding"), Some("br"));
        assert_eq!(header(&r, "content-type"), Some("application/wasm"));
        assert_eq!(header(&r, "content-length"), Some("3"));
        let r = get(wasm, &[("accept-encoding", "br;q=0, gzip")]);
        assert_eq!(header(&r, "content-encoding"), Some("gzip"));
        let r = get(wasm, &[]);
        assert_eq!(header(&r, "content-encoding"), None);
        assert_eq!(header(&r, "content-length"), Some("5"));
    }

    #[test]
    fn the_index_answers_for_the_root_and_revalidates_to_304() {
        let r = get("/", &[]);
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(header(&r, "content-type"), Some("text/html; charset=utf-8"));
        let etag = header(&r, "etag").unwrap().to_owned();
        let again = get("/index.html", &[("if-none-match", &etag)]);
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(get("/nope.js", &[]).status(), StatusCode::NOT_FOUND);
        assert_eq!(get("/../Cargo.toml", &[]).status(), StatusCode::NOT_FOUND);
    }

    #[test]
    fn only_get_and_head() {
        let r = respond(&Method::POST, "/", &HeaderMap::new(), |_| None);
        assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    }
}
