//! # pollscope-backend
//!
//! Runs real async Rust scenarios on demand and streams what happened to the browser.
//!
//! Layout:
//! - [`config`]: command-line flags (with environment fallbacks) and the limits they set.
//! - [`server`]: binds the listener, builds the router (static frontend, `/ws`, `/health`)
//!   and owns graceful shutdown. Shared state lives in [`server::AppState`].
//! - [`ws`]: the `/ws` handler: admission (session limit, shutdown) and the upgrade.
//! - [`session`]: one WebSocket session: parses client messages, starts and cancels runs,
//!   forwards their progress, enforces the session's timeouts. Generic over `Sink`/`Stream`
//!   so it is independent of axum's socket type.
//! - [`run`]: a run of a scenario as a task: its progress reporter, its time limit, and the
//!   guard that keeps the live-run gauge honest even when the run is aborted.
//! - [`runtime`]: real Tokio runtimes (`current_thread` or `multi_thread`) built per run,
//!   with worker park/unpark recorded, hosted on a thread of their own.
//! - [`events`]: the per-run aggregator that drains the recorder and sends event batches.
//! - [`scenarios`]: the catalog of scenarios and each scenario's real code.
//!
//! A request's life: the browser connects to `/ws`, the session greets with the catalog,
//! the browser sends `run`; the session validates the parameters against the scenario's
//! descriptor, spawns the run, forwards `progress` and finally `result`.

pub mod config;
pub mod events;
pub mod run;
pub mod runtime;
pub mod scenarios;
pub mod server;
pub mod session;
pub mod ws;

pub use config::Config;
pub use server::{AppState, Server};
