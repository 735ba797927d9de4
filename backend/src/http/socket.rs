//! One accepted TCP connection as the HTTP layer sees it: the socket, the places it holds
//! (see [`super::connections`]), and a lingering close for when it is dropped with input
//! unread.
//!
//! Why linger: closing a socket whose receive buffer still holds unread bytes makes the
//! kernel answer with a reset (RST) instead of an orderly FIN, and a client that is still
//! writing (a browser sending a message over the size limit) then fails with "connection
//! reset" and never reports the close frame the server sent just before, 1009 "message too
//! big". So when the session asks for it ([`ConnHandle::drain_on_close`]), dropping the
//! socket hands it to a short task instead: shut down the sending side (the close frame is
//! already written; the client sees end-of-stream after it), then read and discard what
//! the client still sends, until it closes its side, [`DRAIN_BYTES`] have been read or
//! [`DRAIN_TIME`] has passed, whichever comes first. Only then is the socket closed.
//!
//! The socket and its places live as long as the connection, wherever it went: hyper
//! serves it, an upgrade hands it to a WebSocket session, and it is dropped (or lingers)
//! when that ends. Uses the connection admission's types only.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio_util::sync::CancellationToken;

use super::connections::Admission;

/// Most bytes read and discarded while lingering.
pub const DRAIN_BYTES: usize = 16 * 1024 * 1024;
/// Longest a dropped socket lingers.
pub const DRAIN_TIME: Duration = Duration::from_secs(1);

/// What a connection's handlers may know and ask of it (a request extension).
#[derive(Clone, Debug)]
pub struct ConnHandle {
    peer: SocketAddr,
    shared: Arc<Shared>,
}

#[derive(Debug, Default)]
struct Shared {
    /// The client has sent at least one byte.
    received: AtomicBool,
    /// Linger when the socket is dropped.
    drain: AtomicBool,
}

impl ConnHandle {
    /// The TCP peer's address.
    pub fn peer(&self) -> SocketAddr {
        self.peer
    }

    /// When the socket is dropped, linger: read and discard what the client still sends
    /// (bounded) before closing, so it reads what was written last instead of a reset.
    pub fn drain_on_close(&self) {
        self.shared.drain.store(true, Ordering::Relaxed);
    }

    /// Whether the client has sent anything yet.
    pub fn received_any(&self) -> bool {
        self.shared.received.load(Ordering::Relaxed)
    }
}

/// An accepted socket with the places it holds; `AsyncRead + AsyncWrite` for hyper.
pub struct ConnIo {
    stream: Option<TcpStream>,
    admission: Option<Admission>,
    shared: Arc<Shared>,
    /// Cancelled when shutdown's grace is over: a lingering socket is then closed at once.
    kill: CancellationToken,
}

impl ConnIo {
    pub fn new(
        stream: TcpStream,
        peer: SocketAddr,
        admission: Admission,
        kill: CancellationToken,
    ) -> (Self, ConnHandle) {
        let shared = Arc::<Shared>::default();
        let handle = ConnHandle {
            peer,
            shared: shared.clone(),
        };
        let io = Self {
            stream: Some(stream),
            admission: Some(admission),
            shared,
            kill,
        };
        (io, handle)
    }

    fn stream(&mut self) -> Pin<&mut TcpStream> {
        Pin::new(
            self.stream
                .as_mut()
                .expect("the stream is only taken on drop"),
        )
    }
}

impl AsyncRead for ConnIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = self.stream().poll_read(cx, buf);
        if buf.filled().len() > before {
            self.shared.received.store(true, Ordering::Relaxed);
        }
        polled
    }
}

impl AsyncWrite for ConnIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.stream().poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.stream().poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.stream().poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.stream().poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.as_ref().is_some_and(|s| s.is_write_vectored())
    }
}

impl Drop for ConnIo {
    fn drop(&mut self) {
        if !self.shared.drain.load(Ordering::Relaxed) || self.kill.is_cancelled() {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let (Some(stream), admission) = (self.stream.take(), self.admission.take()) else {
            return;
        };
        let kill = self.kill.clone();
        runtime.spawn(async move {
            // The places stay held while lingering: the socket is still open.
            let _admission = admission;
            tokio::select! {
                () = linger(stream) => {}
                () = kill.cancelled() => {}
            }
        });
    }
}

/// Shut down the sending side, then read and discard until the client closes, or the
/// bounds are reached.
async fn linger(mut stream: TcpStream) {
    let _ = stream.shutdown().await;
    let mut buf = vec![0u8; 16 * 1024];
    let mut left = DRAIN_BYTES;
    let _ = tokio::time::timeout(DRAIN_TIME, async {
        while left > 0 {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => left = left.saturating_sub(n),
            }
        }
    })
    .await;
}
