//! The graceful-shutdown demo's load: C clients, each a recorded task, that connect and
//! send one request after another on their connection without a break, and reconnect
//! when it ends. They know nothing of the signal; they learn of the shutdown the way real
//! clients do: a connection closed or reset before its reply (a request cut off), then
//! connects refused. A client gives up after [`GIVE_UP_AFTER`] failed connects in a row
//! (to a loopback port nobody listens on, each is a refusal), so after the server is
//! gone every client ends by itself.
//!
//! Uses Tokio, std and the recorder's probe; it knows the server only by its address.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use pollscope_shared::instrument::{Probe, Recorder};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::task::JoinSet;

/// Refused connects in a row after which a client stops trying.
pub const GIVE_UP_AFTER: u32 = 3;
/// The pause before a client tries to connect again.
const RETRY_PAUSE: Duration = Duration::from_millis(5);
/// Most requests one client sends (more than the longest run can fit: a bound, not a
/// limit the demo reaches).
const MAX_REQUESTS: u32 = 1_000;
/// Most connects one client makes.
const MAX_CONNECTS: u32 = 100;

/// What the clients saw, all together.
#[derive(Debug, Default)]
pub struct ClientCounts {
    pub replies: AtomicU32,
    pub cut: AtomicU32,
    pub refused: AtomicU32,
}

/// Where the clients send, how many, and how long their requests take.
#[derive(Debug, Clone, Copy)]
pub struct Load {
    pub addr: SocketAddr,
    pub clients: u32,
    /// Client c's requests take `request × (c mod 4 + 1)`.
    pub request: Duration,
}

/// Start every client; each ends by itself after [`GIVE_UP_AFTER`] failed connects in a
/// row.
pub fn start(recorder: &Recorder, load: Load, counts: Arc<ClientCounts>) -> JoinSet<()> {
    let mut clients = JoinSet::new();
    for c in 0..load.clients {
        let work = load.request * (c % 4 + 1);
        let client = client(recorder.clone(), load.addr, work, counts.clone());
        clients.spawn(recorder.task(format!("client {c}"), client));
    }
    clients
}

async fn client<P: Probe>(probe: P, addr: SocketAddr, work: Duration, counts: Arc<ClientCounts>) {
    let request = format!("work {}\n", work.as_millis());
    let (mut refused_in_a_row, mut sent, mut connects) = (0, 0, 0);
    while refused_in_a_row < GIVE_UP_AFTER && sent < MAX_REQUESTS && connects < MAX_CONNECTS {
        connects += 1;
        let stream = match probe.io("connect", TcpStream::connect(addr)).await {
            Ok(stream) => stream,
            Err(e) => {
                if e.kind() == io::ErrorKind::ConnectionRefused {
                    counts.refused.fetch_add(1, Ordering::SeqCst);
                }
                refused_in_a_row += 1;
                probe.timer("retry pause", tokio::time::sleep(RETRY_PAUSE)).await;
                continue;
            }
        };
        refused_in_a_row = 0;
        let _ = stream.set_nodelay(true);
        let mut stream = BufReader::new(stream);
        let mut reply = Vec::with_capacity(8);
        while sent < MAX_REQUESTS {
            sent += 1;
            reply.clear();
            let answered = match probe
                .io("send", stream.get_mut().write_all(request.as_bytes()))
                .await
            {
                Ok(()) => probe
                    .io("reply", stream.read_until(b'\n', &mut reply))
                    .await
                    .is_ok_and(|n| n > 0 && reply.ends_with(b"\n")),
                Err(_) => false,
            };
            if !answered {
                // Closed or reset with the request outstanding: the server is going.
                counts.cut.fetch_add(1, Ordering::SeqCst);
                break;
            }
            counts.replies.fetch_add(1, Ordering::SeqCst);
        }
    }
}
