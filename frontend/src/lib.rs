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
//! - [`app`]: the shell — header, connection indicator, navigation, routing, banners.
//! - [`components`]: knobs, run controls, progress and errors shared by every demo.
//! - [`seq_vs_concurrent`]: the section 1 demo page and its result timeline.
//! - [`recording`]: the recorded events of each run and the stats folded from them, kept
//!   outside the app state (they can be large) and shared through a context.
//! - [`echo`]: the section 4 demo page: an echo server with a live task table.
//! - [`demo_frame`]: the frame every server-run demo page shares (explanation, the code
//!   that ran as the server's descriptor carries it, knobs, run panel).
//! - [`timeline`]: the canvas timeline of a recorded run (lanes, polls, wakes, playback).

pub mod app;
pub mod components;
pub mod connection;
pub mod demo_frame;
pub mod echo;
pub mod executor;
pub mod flavors;
pub mod recording;
pub mod seq_vs_concurrent;
pub mod spawn_blocking;
pub mod spawning;
pub mod state;
pub mod timeline;

/// Mount the app on `<body>`.
pub fn start() {
    yew::Renderer::<app::App>::new().render();
}
