//! # pollscope-e2e
//!
//! The pieces end-to-end tests are made of:
//! - [`playground`]: the real backend, in-process on 127.0.0.1:0, serving the built
//!   frontend (`dist/`, from `trunk build --release`) on its own Tokio runtime thread.
//! - [`proxy`]: a real nginx on 127.0.0.1 in front of backends, from the documented
//!   `deploy/nginx.conf`.
//! - [`static_site`]: the built frontend as plain files, no backend: the server stopped.
//! - [`webdriver`]: a small blocking W3C WebDriver client that drives headless Chromium
//!   through ChromeDriver.
//! - [`notice`]: a page's "what to notice", read and checked against the run's load.
//! - [`format_ms`]: a duration as the pages write it, to find it in their text.
//! - [`demo_path`]: where a demo's page is (each server above has a `demo_url` from it).
//!
//! Run through `cargo xtask test`, which builds `dist/` first and sets `POLLSCOPE_DIST`.

pub mod notice;
pub mod playground;
pub mod proxy;
pub mod static_site;
pub mod webdriver;

/// The path of demo `id`'s page: `/demos/echo` (its knobs go in a query after it).
pub fn demo_path(id: &str) -> String {
    format!("/demos/{id}")
}

/// Microseconds as the pages write them (the frontend's `format_ms`): `50853` → `"50.9 ms"`.
pub fn format_ms(us: u64) -> String {
    format!("{:.1} ms", us as f64 / 1000.0)
}
