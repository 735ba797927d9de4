//! Bad input gets a typed error or a clean close, never a panic, and nothing leaks.

mod common;

use std::time::Duration;

use common::TestServer;
use pollscope_shared::{ClientMessage, ErrorCode, ServerMessage};
use tokio_tungstenite::tungstenite::Message;

async fn expect_error(client: &mut common::Client, expected: ErrorCode) {
    match client.recv().await {
        ServerMessage::Error {
            run_id: None,
            code,
            message,
        } => {
            assert_eq!(code, expected, "{message}");
            assert!(!message.is_empty());
        }
        other => panic!("expected {expected} error, got {other:?}"),
    }
}

#[tokio::test]
async fn each_bad_message_gets_its_typed_error_and_the_session_still_works() {
    let server = TestServer::start().await;
    let mut client = server.connect().await;
    client.recv().await; // hello

    let cases: &[(&str, ErrorCode)] = &[
        ("{not json", ErrorCode::MalformedMessage),
        ("[]", ErrorCode::MalformedMessage),
        (
            r#"{"scenario":"seq_vs_concurrent"}"#,
            ErrorCode::MalformedMessage,
        ),
        (r#"{"type":"run"}"#, ErrorCode::MalformedMessage),
        (
            r#"{"type":"run","scenario":"seq_vs_concurrent","params":{"delay_a_ms":"fast"}}"#,
            ErrorCode::MalformedMessage,
        ),
        (r#"{"type":"explode"}"#, ErrorCode::UnknownMessageType),
        (
            r#"{"type":"run","scenario":"nope","params":{}}"#,
            ErrorCode::UnknownScenario,
        ),
        (
            r#"{"type":"run","scenario":"seq_vs_concurrent","params":{"delay_a_ms":100}}"#,
            ErrorCode::MissingParameter,
        ),
        (
            r#"{"type":"run","scenario":"seq_vs_concurrent","params":{"delay_a_ms":100,"delay_b_ms":99999999}}"#,
            ErrorCode::ParameterOutOfRange,
        ),
        (
            r#"{"type":"run","scenario":"seq_vs_concurrent","params":{"delay_a_ms":-5,"delay_b_ms":100}}"#,
            ErrorCode::ParameterOutOfRange,
        ),
        (
            r#"{"type":"run","scenario":"seq_vs_concurrent","params":{"delay_a_ms":100,"delay_b_ms":100,"x":1}}"#,
            ErrorCode::UnknownParameter,
        ),
        (r#"{"type":"cancel","run_id":42}"#, ErrorCode::UnknownRun),
    ];
    for (text, code) in cases {
        client.send_text(text).await;
        expect_error(&mut client, *code).await;
    }
    client.ws.send_binary_frame().await;
    expect_error(&mut client, ErrorCode::BinaryNotSupported).await;
    assert_eq!(server.state.live_runs(), 0, "no bad request started a run");

    // The same session still runs the demo.
    client.send(&common::seq_vs_concurrent(10, 20)).await;
    assert!(matches!(
        client.recv().await,
        ServerMessage::RunStarted { .. }
    ));
    let (_, last) = client
        .recv_until(|m| !matches!(m, ServerMessage::Progress { .. }))
        .await;
    assert!(matches!(last, ServerMessage::Result { .. }), "{last:?}");
}

trait SendBinary {
    async fn send_binary_frame(&mut self);
}

impl SendBinary
    for tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>
{
    async fn send_binary_frame(&mut self) {
        use futures_util::SinkExt;
        self.send(Message::binary(vec![1u8, 2, 3])).await.unwrap();
    }
}

#[tokio::test]
async fn an_oversized_message_closes_with_1009() {
    let server = TestServer::with(|c| c.max_message_bytes = 1024).await;
    let mut client = server.connect().await;
    client.recv().await; // hello
    client
        .send_text(&format!(
            r#"{{"type":"run","scenario":"{}"}}"#,
            "x".repeat(4096)
        ))
        .await;
    assert_eq!(client.close_code().await, 1009);
    drop(client);
    server.until_idle().await;
}

#[tokio::test]
async fn a_client_that_vanishes_mid_run_has_its_run_cancelled() {
    let server = TestServer::start().await;
    let (client, _) = server
        .start_run(&common::seq_vs_concurrent(3000, 3000))
        .await;
    assert_eq!(server.state.live_runs(), 1);
    drop(client); // no close frame: the TCP connection just goes away
    server.until_idle().await;
}

#[tokio::test]
async fn cancel_stops_the_run_and_says_so() {
    let server = TestServer::start().await;
    let (mut client, run_id) = server
        .start_run(&common::seq_vs_concurrent(3000, 3000))
        .await;
    client.send(&ClientMessage::Cancel { run_id }).await;
    let (_, last) = client
        .recv_until(|m| !matches!(m, ServerMessage::Progress { .. }))
        .await;
    assert_eq!(last, ServerMessage::RunCancelled { run_id });
    assert_eq!(server.state.live_runs(), 0);
    // A second cancel of the same run is an error: it is no longer running.
    client.send(&ClientMessage::Cancel { run_id }).await;
    expect_error(&mut client, ErrorCode::UnknownRun).await;
}

#[tokio::test]
async fn a_session_runs_at_most_the_configured_number_of_runs() {
    let server = TestServer::start().await;
    let (mut client, _) = server
        .start_run(&common::seq_vs_concurrent(3000, 3000))
        .await;
    client.send(&common::seq_vs_concurrent(10, 10)).await;
    let (_, last) = client
        .recv_until(|m| !matches!(m, ServerMessage::Progress { .. }))
        .await;
    assert!(
        matches!(
            last,
            ServerMessage::Error {
                run_id: None,
                code: ErrorCode::TooManyRuns,
                ..
            }
        ),
        "{last:?}"
    );
}

#[tokio::test]
async fn a_run_over_the_time_limit_is_stopped_with_run_timed_out() {
    let server = TestServer::with(|c| c.max_run_seconds = 1).await;
    let (mut client, run_id) = server
        .start_run(&common::seq_vs_concurrent(3000, 3000))
        .await;
    let (_, last) = client
        .recv_until(|m| !matches!(m, ServerMessage::Progress { .. }))
        .await;
    match last {
        ServerMessage::Error {
            run_id: Some(id),
            code: ErrorCode::RunTimedOut,
            ..
        } => assert_eq!(id, run_id),
        other => panic!("expected run_timed_out, got {other:?}"),
    }
    assert_eq!(server.state.live_runs(), 0);
}

#[tokio::test]
async fn an_idle_session_is_closed() {
    let server = TestServer::with(|c| c.idle_timeout_seconds = 1).await;
    let mut client = server.connect().await;
    client.recv().await; // hello
    let started = std::time::Instant::now();
    assert_eq!(client.close_code().await, 1000);
    assert!(started.elapsed() >= Duration::from_millis(900));
    drop(client);
    server.until_idle().await;
}

#[tokio::test]
async fn sessions_over_the_limit_are_refused_with_503() {
    let server = TestServer::with(|c| c.max_sessions = 1).await;
    let mut first = server.connect().await;
    first.recv().await; // hello
    let refused = tokio_tungstenite::connect_async(format!("ws://{}/ws", server.addr)).await;
    match refused {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 503)
        }
        other => panic!("expected HTTP 503, got {other:?}"),
    }
    drop(first);
    server.until_idle().await;
    // The permit came back: a new session is admitted.
    let mut again = server.connect().await;
    assert!(matches!(again.recv().await, ServerMessage::Hello { .. }));
}

#[tokio::test]
async fn a_cancelled_run_leaves_no_loopback_port_open() {
    use pollscope_shared::results::ProgressEvent;

    let server = TestServer::start().await;
    let (mut client, run_id) = server
        .start_run(&common::seq_vs_concurrent(3000, 3000))
        .await;
    // The run says where its servers listen; both answer while it runs.
    let (_, listening) = client
        .recv_until(|m| matches!(m, ServerMessage::Progress { event: ProgressEvent::Phase { name, .. }, .. } if name.starts_with("servers listening")))
        .await;
    let ServerMessage::Progress {
        event: ProgressEvent::Phase { name, .. },
        ..
    } = listening
    else {
        unreachable!()
    };
    let addrs: Vec<std::net::SocketAddr> = name
        .split_whitespace()
        .filter_map(|word| word.trim_end_matches(',').parse().ok())
        .collect();
    assert_eq!(addrs.len(), 2, "{name}");
    for addr in &addrs {
        assert!(addr.ip().is_loopback());
        tokio::net::TcpStream::connect(addr)
            .await
            .expect("listening during the run");
    }

    client.send(&ClientMessage::Cancel { run_id }).await;
    let (_, last) = client
        .recv_until(|m| !matches!(m, ServerMessage::Progress { .. }))
        .await;
    assert_eq!(last, ServerMessage::RunCancelled { run_id });
    // Dropping the run dropped its servers: nothing listens on their ports any more.
    let deadline = tokio::time::Instant::now() + common::WAIT;
    for addr in &addrs {
        while tokio::net::TcpStream::connect(addr).await.is_ok() {
            assert!(
                tokio::time::Instant::now() < deadline,
                "{addr} still accepts {:?} after cancel",
                common::WAIT
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    drop(client);
    server.until_idle().await;
}
