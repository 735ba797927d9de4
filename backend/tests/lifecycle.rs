//! Serving the frontend, the health check, and graceful shutdown with open sessions.

mod common;

use std::time::{Duration, Instant};

use common::TestServer;

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
    let server = TestServer::with(|c| c.static_dir = dir.clone()).await;
    let (status, body) = server.get("/").await;
    assert_eq!(status, 200);
    assert!(body.contains("pollscope test"));
    assert_eq!(server.get("/missing.js").await.0, 404);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn shutdown_closes_sessions_with_1001_and_cancels_runs() {
    let server = TestServer::start().await;
    let (mut client, _) = server
        .start_run(&common::seq_vs_concurrent(3000, 3000))
        .await;
    assert_eq!(server.state.live_runs(), 1);

    let started = Instant::now();
    server.state.shutdown.cancel();
    assert_eq!(client.close_code().await, 1001);
    let stopped = tokio::time::timeout(Duration::from_secs(5), server.stopped).await;
    assert!(
        matches!(stopped, Ok(Ok(Ok(())))),
        "server did not stop cleanly: {stopped:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "shutdown took {:?}",
        started.elapsed()
    );
    assert_eq!(server.state.live_runs(), 0);
    assert_eq!(server.state.live_sessions(), 0);
    // The port is closed: nothing listens any more.
    assert!(tokio::net::TcpStream::connect(server.addr).await.is_err());
}
