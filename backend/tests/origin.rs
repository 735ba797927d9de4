//! Who may open a session, against a real server on 127.0.0.1: raw upgrade requests with
//! the `Origin` and `Host` a browser on another site (or a DNS-rebinding page) would send,
//! and the clean edges of the static routes.

mod common;

use common::TestServer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Send a WebSocket upgrade with these headers; the response's status code and body.
async fn upgrade(server: &TestServer, host: &str, origin: Option<&str>) -> (u16, String) {
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    let origin = origin.map_or(String::new(), |o| format!("origin: {o}\r\n"));
    let request = format!(
        "GET /ws HTTP/1.1\r\nhost: {host}\r\n{origin}connection: upgrade\r\nupgrade: websocket\r\n\
         sec-websocket-version: 13\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    let mut buf = [0u8; 1024];
    // Read the head (a 101 keeps the socket open, so stop at the blank line), then
    // whatever body came with it.
    loop {
        let n = tokio::time::timeout(common::WAIT, stream.read(&mut buf))
            .await
            .expect("a response")
            .unwrap();
        response.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&response);
        if n == 0
            || text.contains("\r\n\r\n")
                && (text.starts_with("HTTP/1.1 101")
                    || text
                        .split_once("\r\n\r\n")
                        .is_some_and(|(_, b)| !b.is_empty()))
        {
            break;
        }
    }
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text[9..12].parse().unwrap();
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

#[tokio::test]
async fn only_this_server_s_own_or_local_pages_may_open_a_session() {
    let server = TestServer::start().await;
    let own = format!("http://{}", server.addr);
    let host = server.addr.to_string();
    assert_eq!(
        upgrade(&server, &host, Some(&own)).await.0,
        101,
        "its own page"
    );
    assert_eq!(upgrade(&server, &host, None).await.0, 101, "not a browser");
    assert_eq!(
        upgrade(&server, &host, Some("http://localhost:8081"))
            .await
            .0,
        101,
        "the dev server on this machine"
    );
    let (status, body) = upgrade(&server, &host, Some("http://evil.example")).await;
    assert_eq!(
        (status, body.as_str()),
        (403, "this origin may not open sessions on this server")
    );
    let (status, body) = upgrade(&server, &host, Some("null")).await;
    assert_eq!((status, body.as_str()), (403, "origin null is not allowed"));
    // DNS rebinding: evil.example resolved to 127.0.0.1, so its page's origin matches the
    // Host it sends; the Host is what gives it away.
    let rebound = format!("evil.example:{}", server.addr.port());
    let (status, body) = upgrade(&server, &rebound, Some(&format!("http://{rebound}"))).await;
    assert_eq!(
        (status, body.as_str()),
        (403, "the Host header does not name this server")
    );
    server.until_idle().await;
}

#[tokio::test]
async fn behind_a_proxy_the_public_host_and_the_allowed_origins_decide() {
    let server = TestServer::with(|c| {
        c.public_host = Some("pollscope.example.org".into());
        c.allowed_origins = vec!["https://class.example.org".into()];
    })
    .await;
    let public = "pollscope.example.org";
    assert_eq!(
        upgrade(&server, public, Some("https://pollscope.example.org"))
            .await
            .0,
        101
    );
    assert_eq!(
        upgrade(&server, public, Some("https://class.example.org"))
            .await
            .0,
        101
    );
    assert_eq!(
        upgrade(&server, public, Some("https://other.example.org"))
            .await
            .0,
        403
    );
    let own = server.addr.to_string();
    assert_eq!(
        upgrade(&server, &own, Some(&format!("http://{own}")))
            .await
            .0,
        403,
        "only the public host"
    );
    server.until_idle().await;
}

#[tokio::test]
async fn a_path_no_file_could_have_is_a_404_not_a_500() {
    let server = TestServer::start().await;
    let long_name = format!("/{}", "a".repeat(256));
    assert_eq!(server.get(&long_name).await.0, 404);
    let long_path = "/a".repeat(600);
    assert_eq!(server.get(&long_path).await.0, 404);
    assert_eq!(server.get("/no-such-file.js").await.0, 404);
    assert_eq!(server.get("/health").await.0, 200);
}
