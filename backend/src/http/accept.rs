//! Accepting a TCP connection: the socket options every connection gets, and which accept
//! errors are the client's business rather than the server's.
//!
//! `TCP_NODELAY`: without it, the kernel holds a small write back while an earlier one is
//! unacknowledged (Nagle's algorithm), and the client delays its acknowledgement (delayed
//! ACK, ~40 ms on Linux) hoping to piggyback it on data. A control reply written right
//! after another frame then waits for that timer. Every frame the server writes is a
//! whole message it wants delivered now, so the socket never waits.
//!
//! Uses Tokio's listener only.

use std::io;
use std::net::SocketAddr;

use tokio::net::{TcpListener, TcpStream};

/// The next connection, with `TCP_NODELAY` set.
pub async fn accept(listener: &TcpListener) -> io::Result<(TcpStream, SocketAddr)> {
    let (stream, peer) = listener.accept().await?;
    stream.set_nodelay(true)?;
    Ok((stream, peer))
}

/// An error that concerns one connection (it was reset before we got to it, or the
/// option could not be set on it): skip it and accept the next. Anything else (out of
/// file descriptors, out of memory) concerns the server.
pub fn concerns_one_connection(error: &io::Error) -> bool {
    use io::ErrorKind::*;
    matches!(
        error.kind(),
        ConnectionAborted
            | ConnectionReset
            | ConnectionRefused
            | Interrupted
            | InvalidInput
            | NotConnected
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn accepted_sockets_do_not_wait_to_coalesce_writes() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (server_side, peer) = accept(&listener).await.unwrap();
        assert_eq!(peer, client.local_addr().unwrap());
        assert!(server_side.nodelay().unwrap());
        // The option is the server's doing, not the default.
        assert!(!client.nodelay().unwrap());
    }
}
