//! The HTTP layer: the server, its routes, the `/ws` upgrade and the state they share.
//!
//! - [`state`]: [`AppState`], shared by every request and session.
//! - [`origin`]: who may open a session: the `Origin` and `Host` checks.
//! - [`ws`]: the `/ws` handler: admission (origin, session limit, shutdown), then the
//!   upgrade.
//! - [`assets`]: the static frontend: precompressed files and cache headers, from a
//!   directory or from [`embedded`], the frontend compiled into the binary.
//! - [`router`]: the routes and `/health`.
//! - [`server`]: [`Server`]: the listener and graceful shutdown.
//!
//! The top layer: it uses the sessions, the catalog, the config and the gauges; nothing
//! below it uses it.

pub mod assets;
pub mod embedded;
pub mod origin;
pub mod router;
pub mod server;
pub mod state;
pub mod ws;

pub use server::Server;
pub use state::AppState;
