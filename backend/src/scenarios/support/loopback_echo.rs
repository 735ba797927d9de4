//! A TCP echo server on 127.0.0.1, outside the runtime being measured.
//!
//! It runs on the server's own runtime, so how fast it answers does not depend on what
//! the scenario's runtime is doing: a slow round trip means the scenario's task was slow
//! to send or to read, not the echo. Dropping the [`EchoServer`] stops the accept loop
//! and every connection it serves, so a cancelled run leaks no task and no port.

use std::io;
use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::loopback::LoopbackServer;

/// Connections served at once; further ones wait in the listen backlog.
const MAX_CONNECTIONS: usize = 16;

pub struct EchoServer {
    server: LoopbackServer,
}

impl EchoServer {
    pub async fn start() -> io::Result<Self> {
        let server = LoopbackServer::start(MAX_CONNECTIONS, |stream| async move {
            let _ = echo(stream).await;
        })
        .await?;
        Ok(Self { server })
    }

    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
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
