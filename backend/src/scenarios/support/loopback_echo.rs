//! A TCP echo server on 127.0.0.1, outside the runtime being measured.
//!
//! It runs on the server's own runtime, so how fast it answers does not depend on what
//! the scenario's runtime is doing: a slow round trip means the scenario's task was slow
//! to send or to read, not the echo. Dropping the [`EchoServer`] stops the accept loop
//! and every connection it serves, so a cancelled run leaks no task and no port.

use std::io;
use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

/// Connections served at once; further ones wait in the listen backlog.
const MAX_CONNECTIONS: usize = 16;

pub struct EchoServer {
    addr: SocketAddr,
    accept_loop: tokio::task::AbortHandle,
}

impl EchoServer {
    pub async fn start() -> io::Result<Self> {
        let listener = TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, 0)).await?;
        let addr = listener.local_addr()?;
        let accept_loop = tokio::spawn(accept_loop(listener)).abort_handle();
        Ok(Self { addr, accept_loop })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for EchoServer {
    fn drop(&mut self) {
        // Dropping the accept loop's future drops its `JoinSet`, which aborts every
        // connection.
        self.accept_loop.abort();
    }
}

async fn accept_loop(listener: TcpListener) {
    let mut connections = JoinSet::new();
    loop {
        while connections.try_join_next().is_some() {}
        if connections.len() >= MAX_CONNECTIONS {
            connections.join_next().await;
            continue;
        }
        match listener.accept().await {
            Ok((stream, _)) => {
                connections.spawn(echo(stream));
            }
            Err(e) => {
                tracing::debug!("loopback echo accept failed: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
        }
    }
}

async fn echo(mut stream: TcpStream) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let mut buffer = [0u8; 512];
    loop {
        let n = stream.read(&mut buffer).await?;
        if n == 0 {
            return Ok(());
        }
        stream.write_all(&buffer[..n]).await?;
    }
}
