//! Outline section 8 — patterns: graceful shutdown.
//!
//! A small request/reply server runs on 127.0.0.1 inside the measured runtime (one
//! `current_thread` part), with C clients sending it requests one after another without
//! a break (see `clients`). Mid-run the shutdown signal fires: a `CancellationToken`
//! cancelled, the same token a `tokio::signal::ctrl_c()` handler would cancel in a real
//! server. The server then shuts down in three steps: it drops its listener, so further
//! connects are refused; it gives the requests already in flight until a drain deadline
//! to finish (a connection that is between requests closes at once); and it aborts the
//! connection tasks still running at the deadline, which drops each at its `.await`.
//!
//! What is counted, and by whom: the server counts its connections and its requests
//! (answered before the signal, drained after it, or in flight when their task was
//! aborted: a request's guard that is dropped unfinished counts itself). The main task
//! samples what was open and in flight at the instant it fires the signal; on one thread
//! nothing else runs in between, so those in flight then are exactly the ones drained or
//! aborted. The clients count what they saw: replies, requests cut off by a closed or
//! reset connection, and connects refused.

mod clients;

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use pollscope_shared::instrument::{Probe, Recorder};
use pollscope_shared::results::GracefulShutdownResult;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio::time::{sleep, timeout};
use tokio_util::sync::CancellationToken;

use super::Scenario;
use crate::harness::{Keep, Part, RunContext, RuntimeSpec, ScenarioError, duration_us, run_part};
use clients::{ClientCounts, Load};

/// Connections the server serves at once (each client holds at most one).
const MAX_CONNECTIONS: usize = 64;
/// A request line is `work <ms>\n`; a longer line ends the connection.
const MAX_LINE_BYTES: u64 = 32;
/// The longest work a request may ask for.
const MAX_WORK: Duration = Duration::from_millis(1000);
const REPLY: &[u8] = b"ok\n";

crate::params! {
    /// The load, the signal, and the deadline.
    pub struct GracefulShutdownParams {
        /// Clients
        clients: u32 [default 8, min 1, max 32],
        /// Request time (client c: × (c mod 4 + 1))
        request_ms: u32 [default 20, min 5, max 100, unit "ms"],
        /// Signal after
        signal_after_ms: u32 [default 250, min 20, max 1000, unit "ms"],
        /// Drain deadline
        drain_ms: u32 [default 40, min 0, max 1000, unit "ms"],
    }
}

pub struct GracefulShutdown;

impl Scenario for GracefulShutdown {
    type Params = GracefulShutdownParams;
    type Output = GracefulShutdownResult;
    const SECTION: u8 = 8;
    const TITLE: &'static str = "Graceful shutdown: stop accepting, drain with a deadline, abort the rest";
    const SUMMARY: &'static str = "A loopback server under load gets its shutdown token cancelled mid-run: new connects are refused, in-flight requests get a deadline, the rest are aborted.";
    const SOURCE: (&'static str, &'static str) = (file!(), include_str!("graceful_shutdown.rs"));

    async fn run(
        params: GracefulShutdownParams,
        run: RunContext,
    ) -> Result<GracefulShutdownResult, ScenarioError> {
        run.phase(format!(
            "{} clients, requests of {}–{} ms; the signal after {} ms, a drain deadline of {} ms",
            params.clients,
            params.request_ms,
            params.request_ms * 4,
            params.signal_after_ms,
            params.drain_ms
        ));
        let part = Part {
            index: 0,
            runtime: RuntimeSpec { workers: 0 },
            keep: Keep::Totals,
        };
        let measured = run_part(&run, part, move |recorder| one_run(recorder, params)).await?;
        let mut result = measured.output?;
        result.events_dropped = measured.events_dropped;
        Ok(result)
    }
}

/// What the server counts.
#[derive(Debug, Default)]
struct ServerCounts {
    accepted: AtomicU32,
    open: AtomicU32,
    in_flight: AtomicU32,
    before_signal: AtomicU32,
    drained: AtomicU32,
    aborted: AtomicU32,
}

/// How the server's shutdown went.
struct Shutdown {
    drained_in_time: bool,
    connections_aborted: u32,
    signal_to_last_task: Duration,
}

// [demo:start]
/// The server: accept until the signal, then shut down in three steps.
async fn server<P: Probe>(
    probe: P,
    listener: TcpListener,
    shutdown: CancellationToken,
    drain: Duration,
    counts: Arc<ServerCounts>,
) -> Shutdown {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            () = shutdown.cancelled() => break,
            accepted = probe.io("accept", listener.accept()), if connections.len() < MAX_CONNECTIONS => {
                if let Ok((stream, _)) = accepted {
                    let n = counts.accepted.fetch_add(1, Ordering::SeqCst);
                    let serve = connection(probe.clone(), stream, shutdown.clone(), counts.clone());
                    connections.spawn(probe.task(format!("conn {n}"), serve));
                }
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {} // reap
        }
    }
    let signalled = Instant::now();
    // 1. Stop accepting: with the listener gone, connects are refused.
    drop(listener);
    // 2. Drain: the requests in flight get until the deadline to finish.
    let all_done = async { while connections.join_next().await.is_some() {} };
    let drained_in_time = probe.timer("drain", timeout(drain, all_done)).await.is_ok();
    // 3. Abort the rest: each task is dropped at the `.await` it was parked on.
    connections.abort_all();
    let mut connections_aborted = 0;
    while let Some(ended) = connections.join_next().await {
        connections_aborted += u32::from(ended.is_err_and(|e| e.is_cancelled()));
    }
    Shutdown {
        drained_in_time,
        connections_aborted,
        signal_to_last_task: signalled.elapsed(),
    }
}

/// One connection: read a request, do its work, reply; again until the client closes or
/// the signal comes. Between requests the signal closes the connection at once; a
/// request already read is finished (nothing interrupts it but the abort).
async fn connection<P: Probe>(
    probe: P,
    stream: TcpStream,
    shutdown: CancellationToken,
    counts: Arc<ServerCounts>,
) -> io::Result<()> {
    let _open = Gauge::up(&counts.open);
    let mut stream = BufReader::new(stream);
    let mut line = Vec::new();
    loop {
        line.clear();
        let mut limited = (&mut stream).take(MAX_LINE_BYTES);
        let read = limited.read_until(b'\n', &mut line);
        let n = tokio::select! {
            biased;
            () = shutdown.cancelled() => return Ok(()),
            n = probe.io("request", read) => n?,
        };
        let Some(work) = parse_request(&line[..n]) else {
            return Ok(()); // closed, or not a request
        };
        let in_flight = InFlight::start(&counts);
        probe.timer("work", sleep(work)).await;
        probe.io("reply", stream.get_mut().write_all(REPLY)).await?;
        in_flight.finish(shutdown.is_cancelled());
    }
}
// [demo:end]

/// `work <ms>\n` → how long the request's work takes.
fn parse_request(line: &[u8]) -> Option<Duration> {
    let ms = std::str::from_utf8(line)
        .ok()?
        .strip_prefix("work ")?
        .strip_suffix('\n')?;
    let work = Duration::from_millis(ms.parse().ok()?);
    (work <= MAX_WORK).then_some(work)
}

/// A count that is up while the value lives.
struct Gauge<'a>(&'a AtomicU32);

impl<'a> Gauge<'a> {
    fn up(count: &'a AtomicU32) -> Self {
        count.fetch_add(1, Ordering::SeqCst);
        Self(count)
    }
}

impl Drop for Gauge<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A request the server has read and not answered. Answered, it counts as before the
/// signal or drained; dropped unanswered with its task (the abort), it counts as
/// aborted. A reply the client could not take (write error) counts as neither.
struct InFlight<'a> {
    counts: &'a ServerCounts,
    _gauge: Gauge<'a>,
    ended: bool,
}

impl<'a> InFlight<'a> {
    fn start(counts: &'a ServerCounts) -> Self {
        Self {
            counts,
            _gauge: Gauge::up(&counts.in_flight),
            ended: false,
        }
    }

    fn finish(mut self, after_signal: bool) {
        self.ended = true;
        let count = if after_signal {
            &self.counts.drained
        } else {
            &self.counts.before_signal
        };
        count.fetch_add(1, Ordering::SeqCst);
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if !self.ended && !std::thread::panicking() {
            self.counts.aborted.fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// The run: server and clients, the signal after `signal_after_ms`, then wait for the
/// server's shutdown and for the clients to give up.
async fn one_run(
    recorder: Recorder,
    params: GracefulShutdownParams,
) -> io::Result<GracefulShutdownResult> {
    let listener = TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, 0)).await?;
    let load = Load {
        addr: listener.local_addr()?,
        clients: params.clients,
        request: Duration::from_millis(params.request_ms.into()),
    };
    let shutdown = CancellationToken::new();
    let counts = Arc::new(ServerCounts::default());
    let drain = Duration::from_millis(params.drain_ms.into());
    let serving = server(
        recorder.clone(),
        listener,
        shutdown.clone(),
        drain,
        counts.clone(),
    );
    let server = tokio::spawn(recorder.task("server", serving));
    let client_counts = Arc::new(ClientCounts::default());
    let clients = clients::start(&recorder, load, client_counts.clone());

    let started = Instant::now();
    recorder
        .timer(
            "until the signal",
            sleep(Duration::from_millis(params.signal_after_ms.into())),
        )
        .await;
    // The signal, and what was open and in flight at that instant: on this one thread no
    // other task runs between these lines.
    shutdown.cancel();
    let signal_at = started.elapsed();
    let connections_at_signal = counts.open.load(Ordering::SeqCst);
    let in_flight_at_signal = counts.in_flight.load(Ordering::SeqCst);

    let shutdown = server.await.map_err(io::Error::other)?;
    clients.join_all().await;
    let load = |c: &AtomicU32| c.load(Ordering::SeqCst);
    Ok(GracefulShutdownResult {
        clients: params.clients,
        request_ms: params.request_ms,
        signal_after_ms: params.signal_after_ms,
        signal_at_us: duration_us(signal_at),
        drain_deadline_ms: params.drain_ms,
        connections_accepted: load(&counts.accepted),
        connections_at_signal,
        requests_before_signal: load(&counts.before_signal),
        in_flight_at_signal,
        requests_drained: load(&counts.drained),
        requests_aborted: load(&counts.aborted),
        connections_aborted: shutdown.connections_aborted,
        drained_in_time: shutdown.drained_in_time,
        signal_to_last_task_us: duration_us(shutdown.signal_to_last_task),
        replies_received: load(&client_counts.replies),
        requests_cut: load(&client_counts.cut),
        connects_refused: load(&client_counts.refused),
        events_dropped: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_names_its_work_within_bounds() {
        assert_eq!(
            parse_request(b"work 40\n"),
            Some(Duration::from_millis(40))
        );
        assert_eq!(parse_request(b"work 40"), None, "no end of line");
        assert_eq!(parse_request(b""), None);
        assert_eq!(parse_request(b"work 5000\n"), None, "over MAX_WORK");
        assert_eq!(parse_request(b"play 4\n"), None);
    }
}
