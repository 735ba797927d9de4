//! Connection hygiene against a real server, with raw sockets where a well-behaved client
//! could not show the fault: connection bounds overall and per address, the header-read
//! timeout, the handshake ping, per-address session limits (and who counts as an address
//! behind a trusted proxy), a shutdown that ends within its grace whatever the clients do,
//! and the 1009 close that reaches a client still sending.
//!
//! Loopback is a whole network (127.0.0.0/8), so a client binds 127.0.0.2 or 127.0.0.3 to
//! be a second or third address.

mod common;

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use common::{TestServer, WAIT};
use futures_util::{SinkExt, StreamExt};
use pollscope_shared::ServerMessage;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Message};

const FIRST: &str = "127.0.0.1";
const SECOND: &str = "127.0.0.2";
const THIRD: &str = "127.0.0.3";

/// A TCP connection to `server` from the loopback address `from`.
async fn connect_from(server: SocketAddr, from: &str) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket
        .bind(SocketAddr::new(from.parse::<IpAddr>().unwrap(), 0))
        .unwrap();
    socket.connect(server).await.unwrap()
}

/// Read until the server closes the connection (end of stream or reset); how long that
/// took, or `None` if it was still open after [`WAIT`].
async fn closed_by_server(stream: &mut TcpStream) -> Option<Duration> {
    let started = Instant::now();
    let mut buf = [0u8; 4096];
    tokio::time::timeout(WAIT, async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return started.elapsed(),
                Ok(_) => continue,
            }
        }
    })
    .await
    .ok()
}

/// Whether the server still has the connection open: it does not close it within a
/// short look (only used on connections that would be closed at once if refused).
async fn still_open(stream: &mut TcpStream) -> bool {
    let mut buf = [0u8; 1];
    tokio::time::timeout(Duration::from_millis(300), stream.read(&mut buf))
        .await
        .is_err()
}

/// `GET /health` over a new connection from `from`: the parsed body.
async fn health_from(server: SocketAddr, from: &str) -> serde_json::Value {
    let mut stream = connect_from(server, from).await;
    let request = format!("GET /health HTTP/1.1\r\nhost: {server}\r\nconnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let response = String::from_utf8(response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    serde_json::from_str(body).unwrap()
}

/// Open a WebSocket session from `from`, with extra request headers: the socket, or the
/// HTTP status the upgrade was refused with.
async fn session_from(
    server: SocketAddr,
    from: &str,
    headers: &[(&'static str, &str)],
) -> Result<common::WsStream, u16> {
    let mut request = format!("ws://{server}/ws").into_client_request().unwrap();
    for (name, value) in headers {
        request
            .headers_mut()
            .insert(*name, HeaderValue::from_str(value).unwrap());
    }
    let stream = connect_from(server, from).await;
    match tokio_tungstenite::client_async(request, tokio_tungstenite::MaybeTlsStream::Plain(stream))
        .await
    {
        Ok((ws, _)) => Ok(ws),
        Err(tungstenite::Error::Http(response)) => Err(response.status().as_u16()),
        Err(e) => panic!("upgrade failed: {e}"),
    }
}

/// Read until the close frame: its code (frames before it are skipped; a reset or the
/// end of the stream before it fails the test).
async fn close_code(ws: &mut common::WsStream) -> u16 {
    loop {
        match tokio::time::timeout(WAIT, ws.next()).await.unwrap() {
            Some(Ok(Message::Close(Some(frame)))) => return u16::from(frame.code),
            Some(Ok(_)) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    }
}

/// Read the session's hello, so the server knows the client is a working one.
async fn hello(ws: &mut common::WsStream) {
    let frame = tokio::time::timeout(WAIT, ws.next()).await.unwrap();
    let Some(Ok(Message::Text(text))) = frame else {
        panic!("expected hello, got {frame:?}");
    };
    assert!(matches!(
        ServerMessage::from_json(&text).unwrap(),
        ServerMessage::Hello { .. }
    ));
}

#[tokio::test]
async fn silent_and_half_sent_connections_close_at_the_header_read_timeout() {
    const TIMEOUT: Duration = Duration::from_secs(1);
    let server = TestServer::with(|c| c.header_read_timeout_seconds = TIMEOUT.as_secs()).await;
    let opened = Instant::now();
    let mut silent = connect_from(server.addr, FIRST).await;
    let mut half = connect_from(server.addr, FIRST).await;
    half.write_all(b"GET /health HTTP/1.1\r\nhost: pollscope\r\n")
        .await
        .unwrap();
    for (name, stream) in [("silent", &mut silent), ("half-sent", &mut half)] {
        if closed_by_server(stream).await.is_none() {
            panic!("the {name} connection was still open after {WAIT:?}");
        }
        // Not closed for some other reason before its time was up.
        let after = opened.elapsed();
        assert!(after >= TIMEOUT / 2, "{name} closed after {after:?}");
    }
    // A complete request on a fresh connection is served as before.
    assert_eq!(health_from(server.addr, FIRST).await["status"], "ok");
}

#[tokio::test]
async fn connections_are_bounded_per_address_and_overall() {
    const PER_IP: usize = 3;
    const TOTAL: usize = 5;
    let server = TestServer::with(|c| {
        c.max_connections_per_ip = PER_IP as u32;
        c.max_connections = TOTAL as u32;
    })
    .await;
    let mut first: Vec<TcpStream> = Vec::new();
    for _ in 0..PER_IP {
        first.push(connect_from(server.addr, FIRST).await);
    }
    // The accept loop admits in order: once the first address's connections are open,
    // the next one from it is over its bound and closed before a byte is read.
    for held in &mut first {
        assert!(
            still_open(held).await,
            "a connection within the bound was closed"
        );
    }
    let mut over = connect_from(server.addr, FIRST).await;
    assert!(
        closed_by_server(&mut over).await.is_some(),
        "a connection past --max-connections-per-ip was kept open"
    );
    // Another address is not affected, and /health counts what was held and refused.
    let health = health_from(server.addr, SECOND).await;
    assert_eq!(health["open_connections"], PER_IP + 1); // counting /health's own
    assert_eq!(health["refused_connections"], 1);

    // Fill the server: the rest of the total from the second address.
    let mut second: Vec<TcpStream> = Vec::new();
    for _ in PER_IP..TOTAL {
        second.push(connect_from(server.addr, SECOND).await);
    }
    for held in &mut second {
        assert!(still_open(held).await);
    }
    let mut full = connect_from(server.addr, THIRD).await;
    assert!(
        closed_by_server(&mut full).await.is_some(),
        "a connection past --max-connections was kept open"
    );
    // A place given back is a place taken again.
    drop(first.pop());
    let deadline = Instant::now() + WAIT;
    loop {
        let mut retry = connect_from(server.addr, THIRD).await;
        let request = format!(
            "GET /health HTTP/1.1\r\nhost: {}\r\nconnection: close\r\n\r\n",
            server.addr
        );
        let _ = retry.write_all(request.as_bytes()).await;
        let mut response = Vec::new();
        let _ = retry.read_to_end(&mut response).await;
        if response.starts_with(b"HTTP/1.1 200") {
            break;
        }
        assert!(Instant::now() < deadline, "the freed place never came back");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn sessions_are_bounded_per_client_address() {
    let server = TestServer::with(|c| c.max_sessions_per_ip = 2).await;
    let mut a = session_from(server.addr, FIRST, &[]).await.unwrap();
    let mut b = session_from(server.addr, FIRST, &[]).await.unwrap();
    hello(&mut a).await;
    hello(&mut b).await;
    assert_eq!(
        session_from(server.addr, FIRST, &[]).await.unwrap_err(),
        503
    );
    // Another address still gets its own.
    let mut c = session_from(server.addr, SECOND, &[]).await.unwrap();
    hello(&mut c).await;
    // A session that ends gives its place back.
    a.close(None).await.unwrap();
    drop(a);
    let deadline = Instant::now() + WAIT;
    let mut again = loop {
        match session_from(server.addr, FIRST, &[]).await {
            Ok(ws) => break ws,
            Err(503) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(status) => panic!("the freed session place never came back: {status}"),
        }
    };
    hello(&mut again).await;
}

#[tokio::test]
async fn x_forwarded_for_counts_only_from_a_trusted_proxy() {
    // Not trusted (the default): the header is the client's word, and ignored.
    let server = TestServer::with(|c| c.max_sessions_per_ip = 1).await;
    let _one = session_from(server.addr, FIRST, &[("x-forwarded-for", "10.0.0.1")])
        .await
        .unwrap();
    assert_eq!(
        session_from(server.addr, FIRST, &[("x-forwarded-for", "10.0.0.2")])
            .await
            .unwrap_err(),
        503,
        "a client dodged the per-address limit with a header"
    );

    // Trusted: each forwarded address is its own client; only the last entry counts.
    let server = TestServer::with(|c| {
        c.max_sessions_per_ip = 1;
        c.trusted_proxies = vec![FIRST.parse().unwrap()];
    })
    .await;
    let _learner_a = session_from(server.addr, FIRST, &[("x-forwarded-for", "10.0.0.1")])
        .await
        .unwrap();
    assert_eq!(
        session_from(
            server.addr,
            FIRST,
            &[("x-forwarded-for", "10.0.0.2, 10.0.0.1")]
        )
        .await
        .unwrap_err(),
        503,
        "the proxy said 10.0.0.1 again"
    );
    let _learner_b = session_from(
        server.addr,
        FIRST,
        &[("x-forwarded-for", "10.0.0.1, 10.0.0.2")],
    )
    .await
    .unwrap();
    // A peer that is not the proxy is counted by its own address, header or not.
    let _direct = session_from(server.addr, SECOND, &[("x-forwarded-for", "10.0.0.3")])
        .await
        .unwrap();
    assert_eq!(
        session_from(server.addr, SECOND, &[("x-forwarded-for", "10.0.0.4")])
            .await
            .unwrap_err(),
        503
    );
}

#[tokio::test]
async fn a_client_that_never_answers_the_ping_is_closed_with_1008() {
    const TIMEOUT: Duration = Duration::from_secs(1);
    let server = TestServer::with(|c| c.handshake_timeout_seconds = TIMEOUT.as_secs()).await;
    let mut mute = session_from(server.addr, FIRST, &[]).await.unwrap();
    let mut live = server.connect().await;
    live.recv().await; // hello
    // The ping that follows it: tungstenite queues the pong, and flushing sends it.
    let ping = tokio::time::timeout(WAIT, live.ws.next()).await.unwrap();
    assert!(matches!(ping, Some(Ok(Message::Ping(_)))), "{ping:?}");
    live.ws.flush().await.unwrap();
    // The mute client reads nothing (so it answers nothing) until well past the timeout.
    tokio::time::sleep(TIMEOUT * 3).await;
    assert_eq!(close_code(&mut mute).await, 1008);
    // The client that answered is still served.
    live.send(&pollscope_shared::ClientMessage::Cancel { run_id: 1 })
        .await;
    assert!(matches!(live.recv().await, ServerMessage::Error { .. }));
}

#[tokio::test]
async fn shutdown_ends_within_its_grace_whatever_the_clients_do() {
    const GRACE: Duration = Duration::from_secs(1);
    let server = TestServer::with(|c| {
        c.shutdown_grace_seconds = GRACE.as_secs();
        // Long enough that only shutdown can end these connections.
        c.header_read_timeout_seconds = 300;
        c.handshake_timeout_seconds = 60;
    })
    .await;
    let mut silent = connect_from(server.addr, FIRST).await;
    let mut half = connect_from(server.addr, FIRST).await;
    half.write_all(b"GET /health HTTP/1.1\r\nhost: pollscope\r\n")
        .await
        .unwrap();
    // A session whose client reads nothing: its close frame cannot be delivered.
    let mut deaf = session_from(server.addr, FIRST, &[]).await.unwrap();
    assert!(still_open(&mut half).await);

    let started = Instant::now();
    server.state.shutdown.cancel();
    let stopped = tokio::time::timeout(WAIT, server.stopped).await;
    assert!(
        matches!(stopped, Ok(Ok(Ok(())))),
        "the server did not stop within {WAIT:?}: {stopped:?}"
    );
    let took = started.elapsed();
    // The half-sent request was given its grace, not cut at once.
    assert!(took >= GRACE / 2, "stopped after {took:?}");
    for (name, stream) in [("silent", &mut silent), ("half-sent", &mut half)] {
        assert!(
            closed_by_server(stream).await.is_some(),
            "the {name} connection outlived the server"
        );
    }
    // The deaf session's socket is gone too: reading now ends.
    let ended =
        tokio::time::timeout(WAIT, async { while let Some(Ok(_)) = deaf.next().await {} }).await;
    assert!(ended.is_ok(), "the session's socket outlived the server");
    assert!(TcpStream::connect(server.addr).await.is_err());
}

#[tokio::test]
async fn a_client_still_sending_an_oversized_message_reads_1009_not_a_reset() {
    const LIMIT: usize = 1024;
    let server = TestServer::with(|c| c.max_message_bytes = LIMIT as u32).await;
    let config = WebSocketConfig::default()
        .max_message_size(None)
        .max_frame_size(None);
    let (mut ws, _) = tokio_tungstenite::connect_async_with_config(
        format!("ws://{}/ws", server.addr),
        Some(config),
        false,
    )
    .await
    .unwrap();
    hello(&mut ws).await;
    // Far past the limit: the server stops reading at the frame's header, while most of
    // the message is still on its way. The send itself may fail once the server has closed.
    let huge = "x".repeat(4 * 1024 * 1024);
    let _ = ws.send(Message::text(huge)).await;
    assert_eq!(close_code(&mut ws).await, 1009);
    drop(ws);
    server.until_idle().await;
}
