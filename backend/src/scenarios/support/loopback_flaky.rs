//! A flaky HTTP/1.1 server on 127.0.0.1: it answers its first k requests with
//! `503 Service Unavailable` and every later one with `200 OK`, at once.
//!
//! It stands in for "a remote service that is down for a while", but it is real: a real
//! listener on an ephemeral loopback port, real connections, a real status line. It keeps
//! no timer of its own, so it behaves the same on a runtime whose clock is paused (the
//! paused-time demo runs it inside that runtime) as on the server's. Dropping the
//! [`FlakyServer`] stops its accept loop and every connection, so a cancelled run leaks
//! no task and no port.
//!
//! Uses Tokio, std, `support::loopback` and the request reading of `support::loopback_http`.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use super::loopback::LoopbackServer;
use super::loopback_http::read_request_head;

/// Connections served at once; further ones wait in the listen backlog.
const MAX_CONNECTIONS: usize = 4;

const FAILED: &[u8] =
    b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";
const OK: &[u8] =
    b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 3\r\nconnection: close\r\n\r\nok\n";

pub struct FlakyServer {
    server: LoopbackServer,
    requests: Arc<AtomicU32>,
}

impl FlakyServer {
    /// Listen on an ephemeral loopback port, on the runtime this is called on; the first
    /// `fail_first` requests read get a 503.
    pub async fn start(fail_first: u32) -> io::Result<Self> {
        let requests = Arc::new(AtomicU32::new(0));
        let counted = requests.clone();
        let server = LoopbackServer::start(MAX_CONNECTIONS, move |stream| {
            let counted = counted.clone();
            async move {
                let _ = serve(stream, &counted, fail_first).await;
            }
        })
        .await?;
        Ok(Self { server, requests })
    }

    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// Requests read so far, answered or about to be.
    pub fn requests(&self) -> u32 {
        self.requests.load(Ordering::Relaxed)
    }
}

/// Read the request head (no time limit: the server lives only as long as its run), then
/// answer by its number.
async fn serve(mut stream: TcpStream, requests: &AtomicU32, fail_first: u32) -> io::Result<()> {
    read_request_head(&mut stream).await?;
    let n = requests.fetch_add(1, Ordering::Relaxed);
    stream
        .write_all(if n < fail_first { FAILED } else { OK })
        .await?;
    stream.shutdown().await
}
