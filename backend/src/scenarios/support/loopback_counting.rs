//! A keep-alive request/reply server on 127.0.0.1 that counts its connections.
//!
//! A request is one line (`req\n`); the server waits a fixed latency, answers `ok\n`, and
//! reads the next request on the same connection until the client closes it, so a client
//! may use one connection for many requests (what a pool does) or one per request. The
//! server itself counts what a connection pool is judged by: how many connections it
//! accepted, and the most that were open at once (an accept raises the count of open
//! ones, the end of a connection's task lowers it).
//!
//! Like the other stand-ins it runs on the server's own runtime, outside the one being
//! measured, and dropping the [`CountingServer`] stops its accept loop and every
//! connection it serves. Uses Tokio, std and `support::loopback`.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use super::loopback::LoopbackServer;

/// Connections served at once; further ones wait in the listen backlog.
pub const MAX_CONNECTIONS: usize = 128;
/// A request line longer than this ends the connection.
const MAX_LINE_BYTES: usize = 64;
/// A connection with no request for this long is closed.
const IDLE_TIMEOUT: Duration = Duration::from_secs(10);

pub const REQUEST: &[u8] = b"req\n";
pub const REPLY: &[u8] = b"ok\n";

/// What the server counted.
#[derive(Debug, Default)]
struct Counts {
    accepted: AtomicU32,
    open: AtomicU32,
    most_open: AtomicU32,
    requests: AtomicU32,
}

/// Lowers the open count when a connection's task ends, however it ends.
struct Open(Arc<Counts>);

impl Drop for Open {
    fn drop(&mut self) {
        self.0.open.fetch_sub(1, Ordering::SeqCst);
    }
}

pub struct CountingServer {
    server: LoopbackServer,
    counts: Arc<Counts>,
}

impl CountingServer {
    /// Listen on an ephemeral loopback port; every reply comes `latency` after its request.
    pub async fn start(latency: Duration) -> io::Result<Self> {
        let counts = Arc::new(Counts::default());
        let seen = counts.clone();
        let server = LoopbackServer::start(MAX_CONNECTIONS, move |stream| {
            seen.accepted.fetch_add(1, Ordering::SeqCst);
            let open = seen.open.fetch_add(1, Ordering::SeqCst) + 1;
            seen.most_open.fetch_max(open, Ordering::SeqCst);
            let guard = Open(seen.clone());
            async move {
                let _ = serve(stream, latency, &guard.0).await;
                drop(guard);
            }
        })
        .await?;
        Ok(Self { server, counts })
    }

    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// Connections accepted so far.
    pub fn accepted(&self) -> u32 {
        self.counts.accepted.load(Ordering::SeqCst)
    }

    /// The most connections that were open at once.
    pub fn most_open(&self) -> u32 {
        self.counts.most_open.load(Ordering::SeqCst)
    }

    /// Requests answered so far.
    pub fn requests(&self) -> u32 {
        self.counts.requests.load(Ordering::SeqCst)
    }

    /// Wait until the server has accepted at least `connections` (a client's connect can
    /// complete in the kernel before the accept loop takes it), at most `limit`; the
    /// count reached.
    pub async fn settle(&self, connections: u32, limit: Duration) -> u32 {
        let started = Instant::now();
        while self.accepted() < connections && started.elapsed() < limit {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        self.accepted()
    }
}

async fn serve(stream: TcpStream, latency: Duration, counts: &Counts) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let mut stream = BufReader::new(stream);
    let mut line = Vec::with_capacity(MAX_LINE_BYTES);
    loop {
        line.clear();
        let read = tokio::time::timeout(
            IDLE_TIMEOUT,
            (&mut stream)
                .take(MAX_LINE_BYTES as u64)
                .read_until(b'\n', &mut line),
        )
        .await;
        match read {
            Ok(Ok(n)) if n > 0 && line.ends_with(b"\n") => {}
            _ => return Ok(()), // closed, timed out, or not a request
        }
        tokio::time::sleep(latency).await;
        // Counted before the reply goes out, so a client that has read it sees it counted.
        counts.requests.fetch_add(1, Ordering::SeqCst);
        stream.get_mut().write_all(REPLY).await?;
    }
}
