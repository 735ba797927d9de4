//! The HTTP layer: the server, its routes, the `/ws` upgrade and the state they share.
//!
//! - [`state`]: [`AppState`], shared by every request and session.
//! - [`origin`]: who may open a session: the `Origin` and `Host` checks.
//! - [`client_ip`]: who a request comes from (the peer, or what a trusted proxy forwards).
//! - [`limits`]: counting per address, with slots that give their place back.
//! - [`connections`]: admission of TCP connections (overall and per address).
//! - [`socket`]: an admitted socket, and its lingering close.
//! - [`accept`]: accepting, with `TCP_NODELAY`.
//! - [`connection`]: serving one connection with hyper (header-read timeout, shutdown).
//! - [`ws`]: the `/ws` handler: admission (origin, session limit, shutdown), then the
//!   upgrade.
//! - [`assets`]: the static frontend: precompressed files and cache headers, from a
//!   directory or from [`embedded`], the frontend compiled into the binary.
//! - [`router`]: the routes and `/health`.
//! - [`server`]: [`Server`]: the accept loop and a shutdown bounded by its grace.
//!
//! The top layer: it uses the sessions, the catalog, the config and the gauges; nothing
//! below it uses it.

pub mod accept;
pub mod assets;
pub mod client_ip;
pub mod connection;
pub mod connections;
pub mod embedded;
pub mod limits;
pub mod origin;
pub mod router;
pub mod server;
pub mod socket;
pub mod state;
pub mod ws;

pub use server::Server;
pub use state::AppState;
