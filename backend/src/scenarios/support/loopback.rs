//! What every stand-in server on 127.0.0.1 is built on: a listener on an ephemeral port,
//! an accept loop on the server's own runtime (outside the one being measured) that
//! serves each connection as a task of its own, a bounded number at once, and a handle
//! whose drop stops it all, so a cancelled run leaks no task and no port.
//!
//! Uses only Tokio and std; each server (`loopback_http`, `loopback_echo`, the timeouts
//! demo's) says what a connection gets.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

/// A listening server. Dropping it stops the accept loop and every connection it serves.
pub struct LoopbackServer {
    addr: SocketAddr,
    accept_loop: tokio::task::AbortHandle,
}

impl LoopbackServer {
    /// Listen on an ephemeral loopback port and run `serve` on each connection accepted,
    /// at most `max_connections` at once; further ones wait in the listen backlog.
    pub async fn start<F, Fut>(max_connections: usize, serve: F) -> io::Result<Self>
    where
        F: FnMut(TcpStream) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let listener = TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, 0)).await?;
        let addr = listener.local_addr()?;
        let accept_loop = tokio::spawn(accept_loop(listener, max_connections, serve));
        Ok(Self {
            addr,
            accept_loop: accept_loop.abort_handle(),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for LoopbackServer {
    fn drop(&mut self) {
        // Aborting drops the accept loop's future, and with it the listener and the
        // `JoinSet` of connections, which aborts them too.
        self.accept_loop.abort();
    }
}

async fn accept_loop<F, Fut>(listener: TcpListener, max_connections: usize, mut serve: F)
where
    F: FnMut(TcpStream) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let mut connections = JoinSet::new();
    loop {
        // Reap finished connections so the set does not grow without bound.
        while connections.try_join_next().is_some() {}
        if connections.len() >= max_connections {
            connections.join_next().await;
            continue;
        }
        match listener.accept().await {
            Ok((stream, _)) => {
                connections.spawn(serve(stream));
            }
            Err(e) => {
                tracing::debug!("loopback accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
}
