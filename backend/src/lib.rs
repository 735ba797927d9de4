//! # pollscope-backend
//!
//! Runs real async Rust scenarios on demand and streams what happened to the browser.
//!
//! Layout, in layers: each module uses only the ones above it, never one below.
//! - [`alloc_count`]: the global allocator, which counts each thread's allocations (what
//!   the future-size demo reads to say how much memory its tasks hold).
//! - [`config`]: command-line flags (with environment fallbacks) and the limits they set.
//! - [`overlap`]: the server-wide count of runs in flight, so a run can say how many
//!   others overlapped it.
//! - [`slots`]: the server-wide run slots and the first-come-first-served queue for them.
//! - [`outbound`]: a session's queue of frames for its client, and the byte budget all
//!   sessions' queues share (past it, the slowest reader is closed).
//! - [`metrics`]: the live gauges (`/health`, leak tests) and the guard that keeps them.
//! - [`harness`]: what a scenario's recorded work runs in: the run's context, a fresh
//!   Tokio runtime per part hosted on its own thread, the aggregator that streams the
//!   recorder's events, and [`harness::run_part`], which puts them together.
//! - [`scenarios`]: the catalog, one module per scenario with its typed parameters and
//!   its real code, and `support/` for what several share (loopback HTTP, CPU work).
//! - [`run`]: a run as a task of its session: the scenario under the run time limit.
//! - [`session`]: one WebSocket session: parses client messages, starts and cancels runs,
//!   forwards their progress, enforces the session's timeouts. Generic over `Sink`/`Stream`
//!   so it is independent of axum's socket type.
//! - [`http`]: the server, its routes (static frontend, `/ws`, `/health`), the upgrade and
//!   the state they share, and graceful shutdown.
//!
//! A request's life: the browser connects to `/ws`, the session greets with the catalog,
//! the browser sends `run`; the session validates the parameters against the scenario's
//! descriptor, starts the run, forwards `progress` and event batches, and finally `result`.
//!
//! Adding a scenario: a module under `scenarios/` implementing
//! [`scenarios::Scenario`], a line in the catalog's table, and its result type in
//! `pollscope_shared::results` (a module and a line in that table).

pub mod alloc_count;
pub mod config;
pub mod harness;
pub mod http;
pub mod metrics;
pub mod outbound;
pub mod overlap;
pub mod run;
pub mod scenarios;
pub mod session;
pub mod slots;

pub use config::Config;
pub use http::{AppState, Server};
