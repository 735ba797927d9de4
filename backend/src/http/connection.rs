//! Serving one admitted connection with hyper: HTTP/1.1 with upgrades, a header-read
//! timeout, the peer in every request, and the two stages of shutdown.
//!
//! - **Header-read timeout.** hyper starts a timer whenever it waits for a request head,
//!   on a new connection and after each response on a kept-alive one. A client that sends
//!   nothing, or half a head, is closed when it fires ([`Config::header_read_timeout`]), so
//!   it cannot hold a connection open for ever.
//! - **Graceful, then hard.** When shutdown starts, a connection that never sent a byte is
//!   closed at once (browsers open such sockets in advance); any other is asked to finish
//!   its current request and close. When the grace is over (`kill`), whatever is left is
//!   dropped: the future that serves it is simply not polled again.
//!
//! After an upgrade hyper is done with the connection: the socket lives on in the session,
//! and this task ends.
//!
//! Uses the router, the socket wrapper, and hyper.

use std::net::SocketAddr;
use std::pin::pin;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::Request;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio_util::sync::CancellationToken;
use tower_service::Service;

use super::socket::{ConnHandle, ConnIo};
use crate::config::Config;

/// When to give up on a connection.
pub struct Stops {
    /// Shutdown has started: finish the current request, take no more.
    pub shutdown: CancellationToken,
    /// The grace is over: drop everything.
    pub kill: CancellationToken,
}

/// Serve `io` until the client is done, it times out, it upgrades, or `stops` says so.
pub async fn serve(io: ConnIo, handle: ConnHandle, app: Router, config: &Config, stops: Stops) {
    let peer: SocketAddr = handle.peer();
    let service = hyper::service::service_fn({
        let handle = handle.clone();
        move |mut request: Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            request.extensions_mut().insert(handle.clone());
            app.clone().call(request)
        }
    });
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(config.header_read_timeout());
    let mut conn = pin!(
        builder
            .serve_connection(TokioIo::new(io), service)
            .with_upgrades()
    );
    let ended = tokio::select! {
        ended = conn.as_mut() => ended,
        () = stops.kill.cancelled() => return,
        () = stops.shutdown.cancelled() => {
            if !handle.received_any() {
                return;
            }
            conn.as_mut().graceful_shutdown();
            tokio::select! {
                ended = conn.as_mut() => ended,
                () = stops.kill.cancelled() => return,
            }
        }
    };
    match ended {
        Ok(()) => {}
        Err(e) if e.is_timeout() => {
            tracing::debug!(%peer, "closed: no complete request head in time");
        }
        Err(e) => tracing::debug!(%peer, "connection ended: {e}"),
    }
}
