//! # pollscope-frontend
//!
//! The browser side of pollscope: a Yew app that connects to the backend over one
//! WebSocket, offers the scenarios the server announces, and draws what the server
//! measured. Nothing on screen is computed or animated locally: every number comes from
//! a server message (see `shared/` for the wire contract).
//!
//! Layout:
//! - [`state`]: the pure app state and its reducer (unit-tested natively).
//! - [`connection`]: the WebSocket, reconnection with backoff, and the `Connection` context.
//! - [`recording`]: the recorded events of each run and the stats folded from them, kept
//!   outside the app state (they can be large) and shared through a context.
//! - [`app`]: the shell — header, connection indicator, navigation, routing, banners. It
//!   names no demo: it asks [`demos`] for the page of the selected scenario.
//! - [`course`]: the outline's section names and the front page listing every demo.
//! - [`links`]: the paths of the pages, a demo's knobs in its query, old `#/` links.
//! - [`demos`]: one module per demo page and the registry from scenario id to page
//!   (adding a demo: a new file there and one line in its `demos!` list).
//! - [`widgets`]: what the pages share — their props, the demo frame, knobs, run panel,
//!   progress, the task table, lanes and event counts, number formatting.
//! - [`history`]: the runs a page keeps, two of them side by side, what changed.
//! - [`theme`]: light / dark / auto, remembered, published on `<html data-theme>`.
//! - [`shortcuts`]: the `?` overlay listing the page's keyboard shortcuts.
//! - [`keep`]: a finished run saved to a file, opened again offline, exported for Perfetto.
//! - [`timeline`]: the canvas timeline of a recorded run (lanes, polls, wakes, playback).
//! - [`executor`]: hand-written futures and a hand-driven executor, run in the browser by
//!   the "be the executor" page.

pub mod app;
pub mod connection;
pub mod course;
pub mod demos;
pub mod executor;
#[cfg(test)]
mod fixtures;
pub mod history;
pub mod keep;
pub mod links;
pub mod recording;
pub mod shortcuts;
pub mod state;
pub mod theme;
pub mod timeline;
pub mod widgets;

/// Mount the app on `<body>` (an old `#/<id>` address first becomes its path).
pub fn start() {
    links::redirect_old_link();
    yew::Renderer::<app::App>::new().render();
}
