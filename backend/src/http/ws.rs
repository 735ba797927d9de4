//! The `/ws` endpoint: admit the connection, then hand the socket to a session.
//!
//! Admission happens before the upgrade, so a refused client gets a plain HTTP status
//! instead of a socket that closes straight away: 403 for an origin or host this server
//! does not serve (see [`super::origin`]), 503 when it is full or shutting down.

use axum::extract::State;
use axum::extract::ws::WebSocketUpgrade;
use axum::http::header::{HOST, ORIGIN};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;

use super::state::AppState;
use crate::metrics::GaugeGuard;
use crate::session;

pub async fn handler(
    ws: WebSocketUpgrade,
    headers: HeaderMap,
    State(state): State<AppState>,
) -> Response {
    if let Err(refusal) = state.origins.check(&headers) {
        tracing::info!(
            origin = ?headers.get(ORIGIN),
            host = ?headers.get(HOST),
            "upgrade refused: {}",
            refusal.as_str()
        );
        return (StatusCode::FORBIDDEN, refusal.as_str()).into_response();
    }
    if state.shutdown.is_cancelled() {
        return (StatusCode::SERVICE_UNAVAILABLE, "server is shutting down").into_response();
    }
    let Ok(permit) = state.session_permits.clone().try_acquire_owned() else {
        return (StatusCode::SERVICE_UNAVAILABLE, "too many open sessions").into_response();
    };
    let max = state.config.max_message_bytes as usize;
    // The tracker token is taken now, not inside the upgrade callback, so a shutdown that
    // starts between the two still waits for this session.
    let tracked = state.sessions.token();
    ws.max_message_size(max)
        .max_frame_size(max)
        .on_upgrade(move |socket| async move {
            let _permit = permit;
            let _tracked = tracked;
            let _live = GaugeGuard::new(state.gauges.clone(), |g| &g.live_sessions);
            let (sink, stream) = socket.split();
            session::run(sink, stream, state.session_context()).await;
        })
}
