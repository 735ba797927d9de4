//! Serving the frontend, the health check, and graceful shutdown with open sessions.

mod common;

use std::time::{Duration, Instant};

use common::TestServer;
use pollscope_shared::ServerMessage;
use tokio_tungstenite::tungstenite::Message;

#[tokio::test]
async fn health_reports_live_counts() {
    let server = TestServer::start().await;
    let (status, body) = server.get("/health").await;
    assert_eq!(status, 200);
    let health: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["live_runs"], 0);
    assert_eq!(health["frontend_built"], false);
}

#[tokio::test]
async fn serves_the_built_frontend() {
    let dir = std::env::temp_dir().join(format!("pollscope-static-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("index.html"),
        "<!doctype html><title>pollscope test</title>",
    )
    .unwrap();
    let server = TestServer::with(|c| c.static_dir = Some(dir.clone())).await;
    let (status, body) = server.get("/").await;
    assert_eq!(status, 200);
    assert!(body.contains("pollscope test"));
    assert_eq!(server.get("/missing.js").await.0, 404);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A run of the section 1 demo that takes at least `3000 + 3000` ms sequentially and
/// then `3000` ms concurrently: anything that ends sooner did not wait for it.
const LONG_RUN_MS: (i64, i64) = (3000, 3000);

fn long_run_lasts_at_least() -> Duration {
    let (a, b) = LONG_RUN_MS;
    Duration::from_millis((a + b + a.max(b)) as u64)
}

/// Read until the close frame, failing if the run's result arrived first: the code.
async fn close_code_before_the_run_ends(client: &mut common::Client) -> u16 {
    loop {
        match client.next_frame().await {
            Some(Message::Close(Some(frame))) => return frame.code.into(),
            Some(Message::Text(text)) => {
                let message = ServerMessage::from_json(&text).unwrap();
                assert!(
                    matches!(message, ServerMessage::Progress { .. }),
                    "the run ended before the session did: {message:?}"
                );
            }
            Some(_) => continue,
            None => panic!("socket ended without a close frame"),
        }
    }
}

#[tokio::test]
async fn shutdown_closes_sessions_with_1001_and_cancels_runs() {
    let server = TestServer::start().await;
    let (mut client, _) = server
        .start_run(&common::seq_vs_concurrent(LONG_RUN_MS.0, LONG_RUN_MS.1))
        .await;
    assert_eq!(server.state.live_runs(), 1);

    let started = Instant::now();
    server.state.shutdown.cancel();
    assert_eq!(close_code_before_the_run_ends(&mut client).await, 1001);
    let stopped = tokio::time::timeout(common::WAIT, server.stopped).await;
    assert!(
        matches!(stopped, Ok(Ok(Ok(())))),
        "server did not stop cleanly: {stopped:?}"
    );
    // The server stopped without waiting for the run to finish.
    assert!(
        started.elapsed() < long_run_lasts_at_least(),
        "shutdown took {:?}",
        started.elapsed()
    );
    assert_eq!(server.state.live_runs(), 0);
    assert_eq!(server.state.live_sessions(), 0);
    // The port is closed: nothing listens any more.
    assert!(tokio::net::TcpStream::connect(server.addr).await.is_err());
}

#[tokio::test]
async fn a_session_ends_with_1000_after_max_session_seconds_even_while_running() {
    const MAX_SESSION: Duration = Duration::from_secs(1);
    let server = TestServer::with(|c| c.max_session_seconds = MAX_SESSION.as_secs()).await;
    let connected = Instant::now();
    let mut client = server.connect().await;
    let ServerMessage::Hello { limits, .. } = client.recv().await else {
        panic!("first message must be hello");
    };
    assert_eq!(limits.max_session_seconds, MAX_SESSION.as_secs());
    // Not the idle timeout: that one waits while a run goes on, and is far longer.
    assert!(limits.idle_timeout_seconds > 10 * MAX_SESSION.as_secs());
    client
        .send(&common::seq_vs_concurrent(LONG_RUN_MS.0, LONG_RUN_MS.1))
        .await;
    assert!(matches!(
        client.recv().await,
        ServerMessage::RunStarted { .. }
    ));
    assert_eq!(close_code_before_the_run_ends(&mut client).await, 1000);
    // The session began when the server accepted it, after `connected`.
    assert!(
        connected.elapsed() >= MAX_SESSION,
        "{:?}",
        connected.elapsed()
    );
    // Its run was cancelled with it.
    drop(client);
    server.until_idle().await;
}
