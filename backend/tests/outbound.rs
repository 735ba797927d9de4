//! The server-wide outbound budget against a real server: a client that stops reading
//! while its run streams events is closed with 1013 once the bytes queued for it pass
//! the budget, while a client that reads gets its whole run, and every queued byte is
//! given back.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::{TestServer, WAIT};
use futures_util::{SinkExt, StreamExt};
use pollscope_shared::protocol::EventEncoding;
use pollscope_shared::{ClientMessage, ServerMessage};
use tokio::net::TcpSocket;
use tokio_tungstenite::tungstenite::Message;

/// The smallest budget the server takes.
const BUDGET_MIB: u32 = 1;

/// The run with the most events a default server allows (every one of the echo demo's
/// round trips is a handful of recorded polls and wakes), as JSON: a few MB more than the
/// kernel's socket buffers hold, so most of it has to wait in the server's queue.
fn busy_run() -> ClientMessage {
    let mut run = common::run(
        "echo",
        &[
            ("workers", 2),
            ("clients", 64),
            ("messages", 1000),
            ("message_bytes", 1),
        ],
    );
    if let ClientMessage::Run { events, .. } = &mut run {
        *events = EventEncoding::Json;
    }
    run
}

/// A session whose socket takes as little as the kernel allows into its receive buffer,
/// so what the client does not read backs up on the server quickly.
async fn narrow_session(server: SocketAddr) -> common::WsStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let stream = socket.connect(server).await.unwrap();
    let (ws, _) = tokio_tungstenite::client_async(
        format!("ws://{server}/ws"),
        tokio_tungstenite::MaybeTlsStream::Plain(stream),
    )
    .await
    .unwrap();
    ws
}

async fn health(server: &TestServer) -> serde_json::Value {
    serde_json::from_str(&server.get("/health").await.1).unwrap()
}

#[tokio::test]
async fn past_the_budget_the_slowest_reader_is_closed_and_the_others_go_on() {
    let server = TestServer::with(|c| c.max_outbound_mib = BUDGET_MIB).await;
    let budget = u64::from(BUDGET_MIB) * 1024 * 1024;

    // The slow learner: reads the hello, starts the run, then reads nothing.
    let mut slow = narrow_session(server.addr).await;
    let hello = slow.next().await.unwrap().unwrap();
    assert!(matches!(hello, Message::Text(_)), "{hello:?}");
    slow.send(Message::text(busy_run().to_json()))
        .await
        .unwrap();
    slow.flush().await.unwrap();

    let deadline = Instant::now() + WAIT;
    let mut peak = 0;
    loop {
        let h = health(&server).await;
        peak = peak.max(h["outbound_bytes"].as_u64().unwrap());
        if h["evicted_sessions"] == 1 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no session was closed; most bytes queued: {peak} (budget {budget})"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // A learner who reads is served in full, budget or not.
    let mut reader = server.connect().await;
    reader.recv().await; // hello
    reader.send(&common::seq_vs_concurrent(10, 20)).await;
    let (_, last) = common::collect(&mut reader).await;
    assert!(matches!(last, ServerMessage::Result { .. }), "{last:?}");

    // The slow one, reading at last, finds the close frame after what was already in
    // flight: 1013, try again later, with the reason.
    let (code, reason) = loop {
        match tokio::time::timeout(WAIT, slow.next()).await.unwrap() {
            Some(Ok(Message::Close(Some(frame)))) => break (u16::from(frame.code), frame.reason),
            Some(Ok(_)) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    };
    assert_eq!(code, 1013);
    assert!(reason.contains("slowest"), "{reason}");
    // It names what it held when the budget tripped: alone in queuing, all of it.
    let kib: u64 = reason
        .split(" KiB unread")
        .next()
        .and_then(|head| head.rsplit('(').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no KiB figure in {reason:?}"));
    assert!(
        kib * 1024 >= budget,
        "{kib} KiB named, budget {budget} bytes"
    );
    drop((slow, reader));
    server.until_idle().await;
    assert_eq!(
        health(&server).await["outbound_bytes"],
        0,
        "bytes were not given back"
    );
    assert_eq!(
        health(&server).await["evicted_sessions"],
        1,
        "the reader was closed too"
    );
}
