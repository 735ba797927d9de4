//! The timeouts demo's slow server: an HTTP/1.1 responder on 127.0.0.1 that answers
//! after a delay, and watches the connection while it waits, so it can tell whether the
//! client gave up (closed) before the reply was written, and when.
//!
//! Like `support::loopback_http`, it runs on the server's own runtime, outside the one
//! being measured, and dropping the [`WatchingServer`] stops its accept loop and every
//! connection. Each connection's [`Report`] (numbered in the order the connections were
//! accepted) goes out on a bounded channel; reports that do not fit are dropped, so a
//! stray client cannot make it grow.
//!
//! Uses Tokio, std, `support::loopback` and the request reading of
//! `support::loopback_http`.

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

use super::super::support::loopback::LoopbackServer;
use super::super::support::loopback_http::read_request_head;

/// A client that sends no complete request within this time is disconnected.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
/// Connections served at once; further ones wait in the listen backlog.
const MAX_CONNECTIONS: usize = 8;
/// Reports kept until the scenario reads them.
pub const MAX_REPORTS: usize = 16;

const REPLY: &[u8] =
    b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 3\r\nconnection: close\r\n\r\nok\n";

/// What the server saw of one connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    /// Which connection: 0 for the first accepted, then 1, 2, …
    pub connection: u32,
    /// The whole request head arrived.
    pub read_request: bool,
    /// The delay passed with the connection open, and the reply was written.
    pub replied: bool,
    /// The client closed before the reply: how long after the request was read.
    pub closed_after: Option<Duration>,
}

pub struct WatchingServer {
    server: LoopbackServer,
}

impl WatchingServer {
    /// Listen on an ephemeral loopback port; reports go to `reports`.
    pub async fn start(delay: Duration, reports: mpsc::Sender<Report>) -> io::Result<Self> {
        let mut accepted = 0u32;
        let server = LoopbackServer::start(MAX_CONNECTIONS, move |stream| {
            let connection = accepted;
            accepted = accepted.saturating_add(1);
            let reports = reports.clone();
            async move {
                let report = serve(stream, connection, delay).await;
                // Full: the scenario is not reading, or a stray client filled it.
                let _ = reports.try_send(report);
            }
        })
        .await?;
        Ok(Self { server })
    }

    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }
}

/// Read the request, then wait `delay` while watching for the client to close: reply if
/// the delay passes first.
async fn serve(mut stream: TcpStream, connection: u32, delay: Duration) -> Report {
    let mut report = Report {
        connection,
        read_request: false,
        replied: false,
        closed_after: None,
    };
    let read = tokio::time::timeout(REQUEST_TIMEOUT, read_request_head(&mut stream)).await;
    if !matches!(read, Ok(Ok(()))) {
        return report;
    }
    report.read_request = true;
    let read_at = Instant::now();
    let reply_due = tokio::time::sleep(delay);
    tokio::pin!(reply_due);
    let mut buf = [0u8; 256];
    loop {
        tokio::select! {
            () = &mut reply_due => break,
            read = stream.read(&mut buf) => match read {
                // End of stream (the client closed), or a reset: it gave up.
                Ok(0) | Err(_) => {
                    report.closed_after = Some(read_at.elapsed());
                    return report;
                }
                Ok(_) => {} // more than the head: not looked at
            },
        }
    }
    report.replied = stream.write_all(REPLY).await.is_ok();
    let _ = stream.shutdown().await;
    report
}
