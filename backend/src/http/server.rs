//! The HTTP server: the accept loop, connection admission, and a shutdown that ends within
//! its grace whatever the clients do.
//!
//! The loop accepts, sets `TCP_NODELAY` ([`super::accept`]), admits or closes at once
//! ([`super::connections`]), and gives each admitted connection its own task
//! ([`super::connection`]). axum's own `serve` cannot set a header-read timeout, so the
//! server drives hyper itself, with the axum router as the service.
//!
//! Shutdown, once the signal arrives or [`AppState::shutdown`] is cancelled:
//! 1. stop accepting and close the listener;
//! 2. connections finish their current request and close (silent ones at once); sessions,
//!    which select on the same token, send 1001 and end;
//! 3. wait until every socket and session is gone, at most the grace period;
//! 4. past it, cancel [`AppState::kill`]: every connection, session and lingering close
//!    still there is dropped where it stands, and `run_until` returns.
//!
//! Uses the router, the app state and the connection modules.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;

use super::accept::{accept, concerns_one_connection};
use super::connection::{self, Stops};
use super::router::router;
use super::socket::ConnIo;
use super::state::AppState;
use crate::config::Config;

/// How long to back off when accepting fails for a reason that is the server's (out of
/// file descriptors): the loop would otherwise spin on the same error.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);
/// After the hard stop, how long dropped tasks get to notice (they need one poll).
const AFTER_KILL: Duration = Duration::from_secs(1);

/// A bound, not yet serving, server.
pub struct Server {
    listener: TcpListener,
    state: AppState,
}

impl Server {
    pub async fn bind(config: Config) -> io::Result<Self> {
        let listener = TcpListener::bind(config.bind).await.map_err(|e| {
            io::Error::new(e.kind(), format!("cannot listen on {}: {e}", config.bind))
        })?;
        let state = AppState::new(config);
        if state.frontend.is_built() {
            tracing::info!("serving the frontend from {}", state.frontend.describe());
        } else {
            tracing::warn!(
                "no index.html in {}: the frontend is not built (run `cargo xtask serve`)",
                state.frontend.describe()
            );
        }
        Ok(Self { listener, state })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    pub fn state(&self) -> AppState {
        self.state.clone()
    }

    /// Serve until `signal` resolves or [`AppState::shutdown`] is cancelled, then close
    /// every connection and session (sessions with a close frame) and return once they are
    /// gone or the grace period is over, dropping what is left.
    pub async fn run_until(
        self,
        signal: impl Future<Output = ()> + Send + 'static,
    ) -> io::Result<()> {
        let Self { listener, state } = self;
        let token = state.shutdown.clone();
        tokio::spawn({
            let token = token.clone();
            async move {
                tokio::select! {
                    () = signal => token.cancel(),
                    () = token.cancelled() => {},
                }
            }
        });
        accept_until_shutdown(listener, &state).await;
        drain(&state).await;
        tracing::info!("shut down");
        Ok(())
    }
}

async fn accept_until_shutdown(listener: TcpListener, state: &AppState) {
    let app = router(state.clone());
    let config: Arc<Config> = state.config.clone();
    loop {
        let accepted = tokio::select! {
            accepted = accept(&listener) => accepted,
            () = state.shutdown.cancelled() => break,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(e) if concerns_one_connection(&e) => {
                tracing::debug!("accept: {e}");
                continue;
            }
            Err(e) => {
                tracing::warn!("accept failed: {e}; retrying in {ACCEPT_BACKOFF:?}");
                tokio::time::sleep(ACCEPT_BACKOFF).await;
                continue;
            }
        };
        // Refused: the stream is dropped here, closed before a byte was read.
        let Ok(admission) = state.connections.admit(peer.ip()) else {
            continue;
        };
        let (io, handle) = ConnIo::new(stream, peer, admission, state.kill.clone());
        let stops = Stops {
            shutdown: state.shutdown.clone(),
            kill: state.kill.clone(),
        };
        let (app, config) = (app.clone(), config.clone());
        tokio::spawn(async move { connection::serve(io, handle, app, &config, stops).await });
    }
    // Dropping the listener closes the port: new connections are refused by the OS.
}

/// Wait for every socket and session to be gone, at most the grace; then drop the rest.
async fn drain(state: &AppState) {
    state.sessions.close();
    state.connections.sockets.close();
    let all_gone = || async {
        state.connections.sockets.wait().await;
        state.sessions.wait().await;
    };
    let grace = state.config.shutdown_grace();
    if tokio::time::timeout(grace, all_gone()).await.is_ok() {
        return;
    }
    tracing::warn!(
        sessions = state.live_sessions(),
        connections = state.connections.open(),
        "still open after the {grace:?} grace; dropping them"
    );
    state.kill.cancel();
    if tokio::time::timeout(AFTER_KILL, all_gone()).await.is_err() {
        tracing::warn!("some connections did not stop after being dropped");
    }
}
