//! The `/ws` endpoint: admit the connection, then hand the socket to a session.
//!
//! Admission happens before the upgrade, so a refused client gets a plain HTTP status
//! instead of a socket that closes straight away: 403 for an origin or host this server
//! does not serve (see [`super::origin`]), 503 when it is shutting down, when the client's
//! address already holds `--max-sessions-per-ip` sessions (behind a trusted proxy, the
//! address it forwards: [`super::client_ip`]), or when the server is full.
//!
//! After the upgrade the session runs until it ends or shutdown's grace is over (then it
//! is dropped where it stands). A session that sent a close frame asks its
//! socket to linger before closing (see [`super::socket`]).

use axum::Extension;
use axum::extract::State;
use axum::extract::ws::WebSocketUpgrade;
use axum::http::header::{HOST, ORIGIN};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;

use super::client_ip::client_ip;
use super::socket::ConnHandle;
use super::state::AppState;
use crate::metrics::GaugeGuard;
use crate::session::{self, Ending};

pub async fn handler(
    ws: WebSocketUpgrade,
    headers: HeaderMap,
    conn: Option<Extension<ConnHandle>>,
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
    let conn = conn.map(|Extension(conn)| conn);
    let ip_slot = match &conn {
        Some(conn) => {
            let client = client_ip(conn.peer().ip(), &headers, &state.config.trusted_proxies);
            let Some(slot) = state.session_ips.try_acquire(client) else {
                tracing::info!(%client, "upgrade refused: too many sessions from one address");
                let reason = format!(
                    "too many open sessions from your address (at most {})",
                    state.session_ips.max()
                );
                return (StatusCode::SERVICE_UNAVAILABLE, reason).into_response();
            };
            Some(slot)
        }
        // Not served by `Server` (a router in a test): no peer to count.
        None => None,
    };
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
            let _ip_slot = ip_slot;
            let _tracked = tracked;
            let _live = GaugeGuard::new(state.gauges.clone(), |g| &g.live_sessions);
            // Declared after the guards, so dropped before them: the socket closes (or
            // starts lingering) while the session still counts.
            let (mut sink, mut stream) = socket.split();
            tokio::select! {
                ending = session::run(&mut sink, &mut stream, state.session_context()) => {
                    if ending == Ending::CloseSent
                        && let Some(conn) = &conn
                    {
                        conn.drain_on_close();
                    }
                }
                () = state.kill.cancelled() => {}
            }
        })
}
