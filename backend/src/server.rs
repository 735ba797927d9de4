//! The HTTP server: listener, router and graceful shutdown.
//!
//! axum's graceful shutdown stops accepting and waits for in-flight HTTP requests, but an
//! upgraded WebSocket is no longer an HTTP request: axum has handed the socket over and
//! forgotten it. So sessions are tracked separately, in a [`TaskTracker`], and told to stop
//! through the [`CancellationToken`] every session selects on. Shutdown is then:
//! cancel the token, let axum drain HTTP, wait (bounded) for the sessions to close.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use serde::Serialize;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;

use crate::config::Config;
use crate::scenarios::Catalog;

/// State shared by every request and session. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub catalog: Arc<Catalog>,
    /// Admission control: one permit per open session.
    pub session_permits: Arc<Semaphore>,
    /// Every session task, so shutdown can wait for them.
    pub sessions: TaskTracker,
    /// Cancelled once when the server starts shutting down.
    pub shutdown: CancellationToken,
    pub gauges: Arc<Gauges>,
}

/// Live counts, reported by `/health`. Tests use them to prove nothing leaks.
#[derive(Debug, Default)]
pub struct Gauges {
    pub live_sessions: AtomicUsize,
    pub live_runs: AtomicUsize,
}

/// Increments a gauge for as long as it lives, however its owner ends (return, panic, abort).
pub struct GaugeGuard {
    gauges: Arc<Gauges>,
    pick: fn(&Gauges) -> &AtomicUsize,
}

impl GaugeGuard {
    pub fn new(gauges: Arc<Gauges>, pick: fn(&Gauges) -> &AtomicUsize) -> Self {
        pick(&gauges).fetch_add(1, Ordering::SeqCst);
        Self { gauges, pick }
    }
}

impl Drop for GaugeGuard {
    fn drop(&mut self) {
        (self.pick)(&self.gauges).fetch_sub(1, Ordering::SeqCst);
    }
}

impl AppState {
    pub fn new(config: Config) -> Self {
        Self {
            session_permits: Arc::new(Semaphore::new(config.max_sessions as usize)),
            config: Arc::new(config),
            catalog: Arc::new(Catalog::new()),
            sessions: TaskTracker::new(),
            shutdown: CancellationToken::new(),
            gauges: Arc::default(),
        }
    }

    pub fn live_runs(&self) -> usize {
        self.gauges.live_runs.load(Ordering::SeqCst)
    }

    pub fn live_sessions(&self) -> usize {
        self.gauges.live_sessions.load(Ordering::SeqCst)
    }
}

/// The routes: `/ws`, `/health`, and the static frontend for everything else.
pub fn router(state: AppState) -> Router {
    let frontend = ServeDir::new(&state.config.static_dir);
    Router::new()
        .route("/ws", get(crate::ws::handler))
        .route("/health", get(health))
        .fallback_service(frontend)
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

#[derive(Serialize)]
struct Health {
    status: &'static str,
    protocol_version: u32,
    live_sessions: usize,
    live_runs: usize,
    frontend_built: bool,
}

async fn health(State(state): State<AppState>) -> impl IntoResponse {
    let status = if state.shutdown.is_cancelled() {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    };
    let body = Health {
        status: if status.is_success() {
            "ok"
        } else {
            "shutting_down"
        },
        protocol_version: pollscope_shared::PROTOCOL_VERSION,
        live_sessions: state.live_sessions(),
        live_runs: state.live_runs(),
        frontend_built: state.config.static_dir.join("index.html").is_file(),
    };
    (status, Json(body))
}

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
        if !config.static_dir.join("index.html").is_file() {
            tracing::warn!(
                "no index.html in {}: the frontend is not built (run `cargo xtask serve`)",
                config.static_dir.display()
            );
        }
        Ok(Self {
            listener,
            state: AppState::new(config),
        })
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
