//! The HTTP server: listener and graceful shutdown.
//!
//! axum's graceful shutdown stops accepting and waits for in-flight HTTP requests, but an
//! upgraded WebSocket is no longer an HTTP request: axum has handed the socket over and
//! forgotten it. So sessions are tracked separately, in a `TaskTracker`, and told to stop
//! through the `CancellationToken` every session selects on. Shutdown is then:
//! cancel the token, let axum drain HTTP, wait (bounded) for the sessions to close.
//!
//! Uses the router and the app state.

use std::future::Future;
use std::io;
use std::net::SocketAddr;

use tokio::net::TcpListener;

use super::router::router;
use super::state::AppState;
use crate::config::Config;

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
    /// every session (with a close frame) and return once they are gone or the grace
    /// period is over.
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
        let app = router(state.clone());
        axum::serve(listener, app)
            .with_graceful_shutdown(async move { token.cancelled().await })
            .await?;

        state.sessions.close();
        let grace = state.config.shutdown_grace();
        if tokio::time::timeout(grace, state.sessions.wait())
            .await
            .is_err()
        {
            tracing::warn!(
                "{} sessions still open after {grace:?}; exiting anyway",
                state.live_sessions()
            );
        }
        tracing::info!("shut down");
        Ok(())
    }
}
