//! A tiny HTTP/1.1 server on 127.0.0.1 that answers every request after a fixed delay.
//!
//! It stands in for "a slow remote service" in demos, but it is real: a real listener on
//! an ephemeral loopback port, real TCP connections, a real timer. Dropping the
//! [`SlowServer`] stops the accept loop and every connection it was serving, so a
//! cancelled run leaks no task and no port.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::loopback::LoopbackServer;

/// A request larger than this is answered with an error instead of being read on.
const MAX_REQUEST_BYTES: usize = 8 * 1024;
/// A client that sends no complete request within this time is disconnected.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
/// Connections served at once; further ones wait in the listen backlog.
const MAX_CONNECTIONS: usize = 64;

pub const BODY: &str = "ok\n";

pub struct SlowServer {
    server: LoopbackServer,
}

impl SlowServer {
    pub async fn start(delay: Duration) -> io::Result<Self> {
        let server =
            LoopbackServer::start(MAX_CONNECTIONS, move |stream| serve(stream, delay)).await?;
        Ok(Self { server })
    }

    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }
}

async fn serve(mut stream: TcpStream, delay: Duration) {
    let request = tokio::time::timeout(REQUEST_TIMEOUT, read_request_head(&mut stream)).await;
    let response = match request {
        Ok(Ok(())) => {
            tokio::time::sleep(delay).await;
            format!(
                "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{BODY}",
                BODY.len()
            )
        }
        _ => {
            "HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".to_owned()
        }
    };
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

/// Read until the blank line that ends the request head (at most [`MAX_REQUEST_BYTES`]).
pub async fn read_request_head(stream: &mut TcpStream) -> io::Result<()> {
    let mut head = Vec::with_capacity(256);
    let mut buf = [0u8; 1024];
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        head.extend_from_slice(&buf[..n]);
        if head.windows(4).any(|w| w == b"\r\n\r\n") {
            return Ok(());
        }
        if head.len() > MAX_REQUEST_BYTES {
            return Err(io::ErrorKind::InvalidData.into());
        }
    }
}
