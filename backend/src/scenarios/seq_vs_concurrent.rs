//! Outline section 1 — async/await: sequential vs concurrent.
//!
//! Two real HTTP servers on loopback answer after their own delay. The same two fetches
//! are awaited first one after the other, then together with `tokio::join!`, and each is
//! timed with the monotonic clock. Sequential takes about the sum of the delays,
//! concurrent about the larger one, on one task and without any extra thread.
//!
//! The two loopback servers run on the server's own runtime: they stand in for remote
//! services. The client side runs as one recorded task ("main") on a fresh
//! `current_thread` runtime, with each fetch as a named await point, so the timeline shows
//! one task waiting on one fetch at a time, then on two at once.
//!
//! The part between the `demo` markers is what the browser shows as "the code that ran",
//! so keep it readable and true.

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use pollscope_shared::instrument::Probe;
use pollscope_shared::results::{
    FetchTiming, ProgressEvent, SeqVsConcurrentResult, Strategy, StrategyTiming,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::Scenario;
use super::support::loopback_http::SlowServer;
use crate::harness::{Part, RunContext, RuntimeSpec, ScenarioError, duration_us, run_part};

/// Bounds of each server's delay. With both at the maximum a run takes about 9 s.
pub const MIN_DELAY_MS: u64 = 10;
pub const MAX_DELAY_MS: u64 = 3000;
/// A response larger than this is cut off (our servers send under 100 bytes).
const MAX_RESPONSE_BYTES: u64 = 64 * 1024;

crate::params! {
    /// The two servers' delays.
    pub struct SeqVsConcurrentParams {
        /// Server A delay
        delay_a_ms: u64 [default 300, min MIN_DELAY_MS, max MAX_DELAY_MS, unit "ms"],
        /// Server B delay
        delay_b_ms: u64 [default 500, min MIN_DELAY_MS, max MAX_DELAY_MS, unit "ms"],
    }
}

pub struct SeqVsConcurrent;

impl Scenario for SeqVsConcurrent {
    type Params = SeqVsConcurrentParams;
    type Output = SeqVsConcurrentResult;
    const SECTION: u8 = 1;
    const TITLE: &'static str = "Sequential vs concurrent";
    const SUMMARY: &'static str =
        "Two HTTP fetches awaited one after the other, then together with join!.";
    const SOURCE: (&'static str, &'static str) = (file!(), include_str!("seq_vs_concurrent.rs"));

    async fn run(
        params: SeqVsConcurrentParams,
        run: RunContext,
    ) -> Result<SeqVsConcurrentResult, ScenarioError> {
        let delay_a = Duration::from_millis(params.delay_a_ms);
        let delay_b = Duration::from_millis(params.delay_b_ms);
        // The servers live as long as this function: a cancelled run drops them, which
        // stops their accept loops and frees their ports.
        let server_a = SlowServer::start(delay_a).await?;
        let server_b = SlowServer::start(delay_b).await?;
        let a = Target {
            name: "a",
            span: "fetch a",
            addr: server_a.addr(),
            delay: delay_a,
        };
        let b = Target {
            name: "b",
            span: "fetch b",
            addr: server_b.addr(),
            delay: delay_b,
        };
        run.phase(format!(
            "servers listening: a on {}, b on {}",
            a.addr, b.addr
        ));
        let progress = run.clone();
        let part = Part::single(RuntimeSpec { workers: 0 });
        let measured = run_part(&run, part, move |probe| measure(probe, a, b, progress)).await?;
        Ok(measured.output?)
    }
}

// [demo:start]
/// Await one fetch, then the other. A future does nothing until it is polled, so `b`'s
/// request is not even sent before `a`'s response has arrived: total ≈ delay A + delay B.
async fn sequential(
    a: impl Future<Output = io::Result<FetchTiming>>,
    b: impl Future<Output = io::Result<FetchTiming>>,
) -> io::Result<[FetchTiming; 2]> {
    let a = a.await?;
    let b = b.await?;
    Ok([a, b])
}

/// `join!` polls both futures from this one task: both requests go out at once and
/// both servers' delays overlap, so total ≈ max(delay A, delay B).
/// No thread is added: this is concurrency, not parallelism.
async fn concurrent(
    a: impl Future<Output = io::Result<FetchTiming>>,
    b: impl Future<Output = io::Result<FetchTiming>>,
) -> io::Result<[FetchTiming; 2]> {
    let (a, b) = tokio::join!(a, b);
    Ok([a?, b?])
}

/// One HTTP/1.1 GET on a fresh TCP connection. Each `.await` returns Pending to the
/// runtime until the socket is ready; then the task is woken and polled again.
async fn get(addr: SocketAddr) -> io::Result<u64> {
    let mut stream = TcpStream::connect(addr).await?;
    stream
        .write_all(b"GET / HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n")
        .await?;
    let mut response = Vec::new();
    (&mut stream)
        .take(MAX_RESPONSE_BYTES)
        .read_to_end(&mut response)
        .await?;
    Ok(response.len() as u64)
}
// [demo:end]

/// A server to fetch from, as the measurements name it.
#[derive(Clone, Copy)]
struct Target {
    name: &'static str,
    /// The await point's name in the recording.
    span: &'static str,
    addr: SocketAddr,
    delay: Duration,
}

/// [`get`] with a stopwatch around it, reporting start and finish as progress, recorded
/// as an await point of the task that awaits it.
async fn timed<P: Probe>(
    probe: &P,
    target: &Target,
    strategy: Strategy,
    origin: Instant,
    progress: &RunContext,
) -> io::Result<FetchTiming> {
    let started = Instant::now();
    progress.emit(ProgressEvent::FetchStarted {
        at_us: progress.elapsed_us(),
        strategy,
        server: target.name.to_owned(),
    });
    let bytes = probe.io(target.span, get(target.addr)).await?;
    let elapsed_us = duration_us(started.elapsed());
    progress.emit(ProgressEvent::FetchFinished {
        at_us: progress.elapsed_us(),
        strategy,
        server: target.name.to_owned(),
        elapsed_us,
    });
    Ok(FetchTiming {
        server: target.name.to_owned(),
        delay_ms: u64::try_from(target.delay.as_millis()).unwrap_or(u64::MAX),
        started_at_us: duration_us(started.duration_since(origin)),
        elapsed_us,
        bytes,
    })
}

/// Both strategies, one after the other, as one task.
async fn measure<P: Probe>(
    probe: P,
    a: Target,
    b: Target,
    progress: RunContext,
) -> io::Result<SeqVsConcurrentResult> {
    progress.phase("sequential");
    let origin = Instant::now();
    let fetches = sequential(
        timed(&probe, &a, Strategy::Sequential, origin, &progress),
        timed(&probe, &b, Strategy::Sequential, origin, &progress),
    )
    .await?;
    let sequential = StrategyTiming {
        total_us: duration_us(origin.elapsed()),
        fetches: fetches.into(),
    };

    progress.phase("concurrent");
    let origin = Instant::now();
    let fetches = concurrent(
        timed(&probe, &a, Strategy::Concurrent, origin, &progress),
        timed(&probe, &b, Strategy::Concurrent, origin, &progress),
    )
    .await?;
    let concurrent = StrategyTiming {
        total_us: duration_us(origin.elapsed()),
        fetches: fetches.into(),
    };
    Ok(SeqVsConcurrentResult {
        sequential,
        concurrent,
    })
}
