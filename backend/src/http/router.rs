//! The routes: `/ws`, `/health`, and the static frontend for everything else.
//!
//! Uses the app state and the `/ws` handler.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use serde::Serialize;
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;

use super::state::AppState;
use super::ws;

/// The routes: `/ws`, `/health`, and the static frontend for everything else.
pub fn router(state: AppState) -> Router {
    let frontend = ServeDir::new(&state.config.static_dir);
    Router::new()
        .route("/ws", get(ws::handler))
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
