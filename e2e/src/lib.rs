//! # pollscope-e2e
//!
//! The pieces end-to-end tests are made of:
//! - [`playground`]: the real backend, in-process on 127.0.0.1:0, serving the built
//!   frontend (`dist/`, from `trunk build --release`) on its own Tokio runtime thread.
//! - [`webdriver`]: a small blocking W3C WebDriver client that drives headless Chromium
//!   through ChromeDriver.
//!
//! Run through `cargo xtask test`, which builds `dist/` first and sets `POLLSCOPE_DIST`.

pub mod playground;
pub mod webdriver;
