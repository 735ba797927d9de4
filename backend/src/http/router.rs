//! The routes: `/ws`, `/health`, and the static frontend for everything else.
//!
//! Expected refusals are not errors: a 503 (full, shutting down) is logged at INFO, and a
//! path no file could have (too long, or a segment longer than a file name can be) is a
//! 404 before it reaches the file system, not the 500 the OS's "name too long" would give.
//!
//! Uses the app state and the `/ws` handler.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use std::time::Duration;

use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;
use tower_http::classify::ServerErrorsFailureClass;
use tower_http::trace::TraceLayer;

use super::assets;
use super::state::AppState;
use super::ws;

/// The routes: `/ws`, `/health`, and the static frontend for everything else.
pub fn router(state: AppState) -> Router {
    let frontend = assets::service(&state.frontend);
    let trace = TraceLayer::new_for_http().on_failure(
        |class: ServerErrorsFailureClass, latency: Duration, _: &tracing::Span| match class {
            ServerErrorsFailureClass::StatusCode(StatusCode::SERVICE_UNAVAILABLE) => {
                tracing::info!(?latency, "refused: 503");
            }
            class => tracing::error!(?latency, "request failed: {class}"),
        },
    );
    Router::new()
        .route("/ws", get(ws::handler))
        .route("/health", get(health))
        .fallback_service(
            Router::new()
                .fallback_service(frontend)
                .layer(middleware::from_fn(no_impossible_paths)),
        )
        .layer(trace)
        .with_state(state)
}

/// Longest path a static file is looked up for; longer ones are 404 at once.
const MAX_PATH_BYTES: usize = 1024;
/// Longest path segment (a file name on Linux is at most 255 bytes).
const MAX_SEGMENT_BYTES: usize = 255;

/// 404 for a path no file could have, before the file system is asked.
async fn no_impossible_paths(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let impossible = path.len() > MAX_PATH_BYTES
        || path
            .split('/')
            .any(|segment| segment.len() > MAX_SEGMENT_BYTES);
    if impossible {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    }
    next.run(request).await
}

#[derive(Serialize)]
struct Health {
    status: &'static str,
    protocol_version: u32,
    live_sessions: usize,
    live_runs: usize,
    open_connections: usize,
    refused_connections: u64,
    /// Bytes queued for clients and not yet written, all sessions together.
    outbound_bytes: usize,
    /// Sessions closed for reading the slowest while that was over its budget.
    evicted_sessions: u64,
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
        open_connections: state.connections.open(),
        refused_connections: state.connections.refused(),
        outbound_bytes: state.outbound.used(),
        evicted_sessions: state.outbound.evicted(),
        frontend_built: state.frontend.is_built(),
    };
    (status, Json(body))
}
