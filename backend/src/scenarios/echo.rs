//! Outline section 4 — async I/O: a real TCP echo server and its clients.
//!
//! An accept loop, one task per connection and N client tasks run on a fresh Tokio
//! runtime (`current_thread`, or `multi_thread` with the chosen number of workers). Every
//! task is recorded, and every socket `.await` is a named await point, so the learner sees
//! each read return Pending, the worker park, and the reactor wake the task when the peer's
//! bytes arrive.
//!
//! The workload is generic over [`Probe`]: the scenario runs it with a recorder; the
//! overhead benchmark also runs it with `NoProbe` for the plain baseline.
//! The part between the `demo` markers is what the browser shows as "the code that ran".

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use pollscope_shared::instrument::Probe;
use pollscope_shared::results::{EchoResult, Histogram};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

use super::Scenario;
use super::support::percentile;
use crate::harness::{
    MAX_WORKERS, Part, RunContext, RuntimeSpec, ScenarioError, duration_us, run_part,
};

crate::params! {
    /// The runtime and the workload's size.
    pub struct EchoParams {
        /// Runtime workers (0 = current_thread)
        workers: u32 [default 2, min 0, max MAX_WORKERS],
        /// Clients
        clients: u32 [default 8, min 1, max 64],
        /// Messages per client
        messages: u32 [default 200, min 1, max 1000],
        /// Message size
        message_bytes: u32 [default 64, min 1, max 4096, unit "bytes"],
    }
}

pub struct Echo;

impl Scenario for Echo {
    type Params = EchoParams;
    type Output = EchoResult;
    const SECTION: u8 = 4;
    const TITLE: &'static str = "Echo server: reads park, the reactor wakes";
    const SUMMARY: &'static str = "A real TCP echo server on 127.0.0.1 with N clients; every task and every socket await recorded.";
    const SOURCE: (&'static str, &'static str) = (file!(), include_str!("echo.rs"));

    async fn run(params: EchoParams, run: RunContext) -> Result<EchoResult, ScenarioError> {
        let spec = RuntimeSpec {
            workers: params.workers,
        };
        let config = EchoConfig {
            clients: params.clients,
            messages: params.messages,
            message_bytes: params.message_bytes as usize,
        };
        run.phase(format!(
            "{} runtime with {} worker(s); {} clients x {} messages of {} bytes",
            spec.flavor_name(),
            spec.workers,
            config.clients,
            config.messages,
            config.message_bytes
        ));
        let part = run_part(&run, Part::single(spec), move |probe| {
            echo_workload(probe, config)
        })
        .await?;
        // The runtime is shut down by now: every task's completion is recorded.
        let stats = part.folded.totals;
        let mut outcome = part.output?;

        outcome.latencies_us.sort_unstable();
        let round_trips = outcome.latencies_us.len() as u64;
        let elapsed_us = duration_us(outcome.elapsed).max(1);
        Ok(EchoResult {
            workers: spec.workers,
            clients: config.clients,
            messages_per_client: config.messages,
            message_bytes: params.message_bytes,
            round_trips,
            elapsed_us,
            round_trips_per_sec: round_trips * 1_000_000 / elapsed_us,
            latency_p50_us: percentile(&outcome.latencies_us, 50).into(),
            latency_p99_us: percentile(&outcome.latencies_us, 99).into(),
            latency_max_us: outcome.latencies_us.last().copied().map_or(0, u64::from),
            latency_histogram: Box::new(Histogram::from_samples(
                outcome.latencies_us.iter().map(|&us| u64::from(us)),
            )),
            tasks: stats.tasks,
            polls: stats.polls,
            wakes: stats.wakes,
            events_recorded: stats.events,
            events_dropped: part.events_dropped,
        })
    }
}

/// The workload's size.
#[derive(Debug, Clone, Copy)]
pub struct EchoConfig {
    pub clients: u32,
    pub messages: u32,
    pub message_bytes: usize,
}

/// What the clients measured.
#[derive(Debug, Clone)]
pub struct EchoOutcome {
    pub elapsed: Duration,
    /// One round-trip latency per message, in microseconds.
    pub latencies_us: Vec<u32>,
}

// [demo:start]
/// Accept connections forever; each one gets its own task.
pub(crate) async fn accept_loop<P: Probe>(probe: P, listener: TcpListener, message_bytes: usize) {
    loop {
        // Pending until a client connects; the reactor wakes this task when one does.
        let Ok((socket, peer)) = probe.io("accept", listener.accept()).await else {
            continue;
        };
        let connection = serve_connection(probe.clone(), socket, message_bytes);
        tokio::spawn(probe.task(format!("conn {peer}"), connection));
    }
}

/// Echo every byte back until the client hangs up.
async fn serve_connection<P: Probe>(
    probe: P,
    mut socket: TcpStream,
    message_bytes: usize,
) -> io::Result<()> {
    socket.set_nodelay(true)?;
    let mut buffer = vec![0u8; message_bytes];
    loop {
        // Pending until the client's bytes arrive: the task parks, the worker is free.
        let n = probe.io("read request", socket.read(&mut buffer)).await?;
        if n == 0 {
            return Ok(()); // the client closed its end
        }
        probe
            .io("write reply", socket.write_all(&buffer[..n]))
            .await?;
    }
}

/// Send `messages` requests one at a time and time each round trip.
async fn client<P: Probe>(
    probe: P,
    server: SocketAddr,
    messages: u32,
    message_bytes: usize,
) -> io::Result<Vec<u32>> {
    let mut socket = probe.io("connect", TcpStream::connect(server)).await?;
    socket.set_nodelay(true)?;
    let request = vec![b'x'; message_bytes];
    let mut reply = vec![0u8; message_bytes];
    let mut latencies_us = Vec::with_capacity(messages as usize);
    for _ in 0..messages {
        let sent = Instant::now();
        probe
            .io("write request", socket.write_all(&request))
            .await?;
        probe.io("read echo", socket.read_exact(&mut reply)).await?;
        latencies_us.push(u32::try_from(sent.elapsed().as_micros()).unwrap_or(u32::MAX));
    }
    Ok(latencies_us)
}
// [demo:end]

/// The whole workload: server, clients, and the clients' measurements.
pub async fn echo_workload<P: Probe>(probe: P, config: EchoConfig) -> io::Result<EchoOutcome> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
    let server = listener.local_addr()?;
    let accepting = tokio::spawn(probe.task(
        "accept loop",
        accept_loop(probe.clone(), listener, config.message_bytes),
    ));

    let started = Instant::now();
    let mut clients = JoinSet::new();
    for i in 0..config.clients {
        let work = client(probe.clone(), server, config.messages, config.message_bytes);
        clients.spawn(probe.task(format!("client {i}"), work));
    }
    let mut latencies_us = Vec::with_capacity((config.clients * config.messages) as usize);
    while let Some(joined) = clients.join_next().await {
        latencies_us.extend(joined.map_err(io::Error::other)??);
    }
    let elapsed = started.elapsed();
    accepting.abort();
    Ok(EchoOutcome {
        elapsed,
        latencies_us,
    })
}
