//! Outline section 8 — patterns: connection pooling.
//!
//! N requests start at once against a loopback server that answers each after a fixed
//! latency, three ways, each a part on a fresh `current_thread` runtime with a fresh
//! server: through a pool of K connections kept in a `Mutex<Vec<Connection>>`, through
//! the same pool behind a `Semaphore` of K permits, and with a new connection per
//! request. The Mutex pool bounds how many connections it keeps, not how many are out:
//! a request that finds the Vec empty opens one of its own. The semaphore bounds how
//! many are out, so the K+1st request waits for a permit instead of opening more.
//!
//! The server counts what a pool is judged by (see `support::loopback_counting`): the
//! connections it accepted, and the most open at once. Each request times itself: from
//! asking for a connection to holding one (the wait), and to its reply.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use pollscope_shared::instrument::{Probe, Recorder};
use pollscope_shared::results::{Histogram, PoolRun, PoolStrategy, PoolingResult};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::{Semaphore, SemaphorePermit};
use tokio::task::JoinSet;

use super::Scenario;
use super::support::loopback_counting::{self, CountingServer};
use super::support::percentile;
use crate::harness::{Keep, Part, RunContext, RuntimeSpec, ScenarioError, duration_us, run_part};

/// How long, after a part, the server's accept count may take to catch up with the
/// client's connects (it is at once unless the machine stalls).
const SETTLE: Duration = Duration::from_secs(2);

crate::params! {
    /// The requests, the pool, and the server.
    pub struct PoolingParams {
        /// Requests at once
        requests: u32 [default 32, min 1, max 64],
        /// Pool size K
        pool_size: u32 [default 4, min 1, max 16],
        /// Server latency per request
        server_latency_ms: u32 [default 20, min 1, max 50, unit "ms"],
    }
}

pub struct Pooling;

impl Scenario for Pooling {
    type Params = PoolingParams;
    type Output = PoolingResult;
    const SECTION: u8 = 8;
    const TITLE: &'static str = "Connection pooling: a Mutex<Vec> pool, a Semaphore-bounded pool, a connection per request";
    const SUMMARY: &'static str = "N concurrent requests to a loopback server through a pool of K connections, bounded or not, and with a new connection each; the server counts the connections.";
    const SOURCE: (&'static str, &'static str) = (file!(), include_str!("pooling.rs"));

    async fn run(params: PoolingParams, run: RunContext) -> Result<PoolingResult, ScenarioError> {
        let latency = Duration::from_millis(params.server_latency_ms.into());
        let strategies = [
            PoolStrategy::MutexPool,
            PoolStrategy::SemaphorePool,
            PoolStrategy::ConnectPerRequest,
        ];
        let mut runs = Vec::new();
        for (index, strategy) in (0..).zip(strategies) {
            // A fresh server per part, so its counts are this part's; dropped (with its
            // port and connections) at the end of the iteration, or of a cancelled run.
            let server = CountingServer::start(latency).await?;
            let work = Work {
                strategy,
                requests: params.requests,
                pool_size: params.pool_size as usize,
                addr: server.addr(),
            };
            run.phase(format!(
                "part {index}: {} requests through {}, K = {}, server latency {} ms",
                params.requests,
                strategy.label(),
                params.pool_size,
                params.server_latency_ms
            ));
            let part = Part {
                index,
                runtime: RuntimeSpec { workers: 0 },
                keep: Keep::Totals,
            };
            let measured = run_part(&run, part, move |recorder| one_strategy(recorder, work)).await?;
            let output = measured.output?;
            let connections_opened = server.settle(output.opened, SETTLE).await;
            runs.push(summarise(
                strategy,
                output,
                connections_opened,
                &server,
                measured.events_dropped,
            ));
        }
        Ok(PoolingResult {
            requests: params.requests,
            pool_size: params.pool_size,
            server_latency_ms: params.server_latency_ms,
            strategies: runs,
        })
    }
}

// [demo:start]
/// The seed's pool: up to K idle connections in a `Mutex<Vec<_>>`. A request pops one;
/// when the Vec is empty it opens one of its own rather than wait. A connection goes
/// back if fewer than K are idle, and is closed otherwise. The lock is never held
/// across an `.await`.
struct MutexPool {
    idle: Mutex<Vec<Connection>>,
    size: usize,
    dialer: Dialer,
}

impl MutexPool {
    async fn get(&self) -> io::Result<Connection> {
        let idle = self.idle.lock().unwrap().pop();
        match idle {
            Some(connection) => Ok(connection),
            None => self.dialer.connect().await,
        }
    }

    fn put(&self, connection: Connection) {
        let mut idle = self.idle.lock().unwrap();
        if idle.len() < self.size {
            idle.push(connection);
        }
    }
}

/// The same pool behind a `Semaphore` of K permits. A request holds a permit for as long
/// as it holds a connection, so at most K are ever out: the K+1st request waits for a
/// permit, and the pool never has to open more than K.
struct BoundedPool {
    pool: MutexPool,
    permits: Semaphore,
}

impl BoundedPool {
    async fn get(&self) -> io::Result<(SemaphorePermit<'_>, Connection)> {
        let permit = self.permits.acquire().await.map_err(io::Error::other)?;
        Ok((permit, self.pool.get().await?))
    }
}

/// One request: get a connection, send, read the reply, give the connection back (or,
/// for a connection per request, close it). Returns (wait for a connection, whole time).
async fn request<P: Probe>(probe: P, how: Arc<How>) -> io::Result<(Duration, Duration)> {
    let asked = Instant::now();
    let waited = match &*how {
        How::Mutex(pool) => {
            let mut connection = probe.point("pool.get", pool.get()).await?;
            let waited = asked.elapsed();
            connection.call(&probe).await?;
            pool.put(connection);
            waited
        }
        How::Bounded(bounded) => {
            let (permit, mut connection) = probe.point("permit", bounded.get()).await?;
            let waited = asked.elapsed();
            connection.call(&probe).await?;
            bounded.pool.put(connection);
            drop(permit); // after the connection is back, so the next one finds it
            waited
        }
        How::PerRequest(dialer) => {
            let mut connection = probe.io("connect", dialer.connect()).await?;
            let waited = asked.elapsed();
            connection.call(&probe).await?;
            waited // dropping the connection closes it
        }
    };
    Ok((waited, asked.elapsed()))
}
// [demo:end]

/// How a part's requests get their connections.
enum How {
    Mutex(MutexPool),
    Bounded(BoundedPool),
    PerRequest(Dialer),
}

impl How {
    fn dialer(&self) -> &Dialer {
        match self {
            How::Mutex(pool) => &pool.dialer,
            How::Bounded(bounded) => &bounded.pool.dialer,
            How::PerRequest(dialer) => dialer,
        }
    }
}

/// Opens connections to the server and counts them (the server counts its accepts too).
struct Dialer {
    addr: SocketAddr,
    opened: AtomicU32,
}

impl Dialer {
    async fn connect(&self) -> io::Result<Connection> {
        let stream = TcpStream::connect(self.addr).await?;
        self.opened.fetch_add(1, Ordering::SeqCst);
        stream.set_nodelay(true)?;
        Ok(Connection {
            stream: BufReader::new(stream),
            reply: Vec::with_capacity(8),
        })
    }
}

/// A connection to the server: one request on it at a time.
struct Connection {
    stream: BufReader<TcpStream>,
    reply: Vec<u8>,
}

impl Connection {
    /// Send one request and read its reply line.
    async fn call<P: Probe>(&mut self, probe: &P) -> io::Result<()> {
        probe
            .io("send", self.stream.get_mut().write_all(loopback_counting::REQUEST))
            .await?;
        self.reply.clear();
        let n = probe
            .io("reply", self.stream.read_until(b'\n', &mut self.reply))
            .await?;
        if n == 0 || self.reply != loopback_counting::REPLY {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the server closed or answered something else",
            ));
        }
        Ok(())
    }
}

/// What one part runs against.
#[derive(Debug, Clone, Copy)]
struct Work {
    strategy: PoolStrategy,
    requests: u32,
    pool_size: usize,
    addr: SocketAddr,
}

/// What a part's main task measured itself.
struct Measured {
    wall: Duration,
    /// Per request: (wait for a connection, whole request).
    timings: Vec<(Duration, Duration)>,
    /// Connections the client opened, the pool's own included.
    opened: u32,
}

/// One strategy: fill the pool (if any), then start every request at once and wait for
/// them all.
async fn one_strategy(recorder: Recorder, work: Work) -> io::Result<Measured> {
    let dialer = Dialer {
        addr: work.addr,
        opened: AtomicU32::new(0),
    };
    let how = match work.strategy {
        PoolStrategy::ConnectPerRequest => How::PerRequest(dialer),
        PoolStrategy::MutexPool | PoolStrategy::SemaphorePool => {
            let mut idle = Vec::with_capacity(work.pool_size);
            for _ in 0..work.pool_size {
                idle.push(recorder.io("fill pool", dialer.connect()).await?);
            }
            let pool = MutexPool {
                idle: Mutex::new(idle),
                size: work.pool_size,
                dialer,
            };
            if work.strategy == PoolStrategy::MutexPool {
                How::Mutex(pool)
            } else {
                How::Bounded(BoundedPool {
                    pool,
                    permits: Semaphore::new(work.pool_size),
                })
            }
        }
    };
    let how = Arc::new(how);
    let started = Instant::now();
    let mut running = JoinSet::new();
    for i in 0..work.requests {
        let task = request(recorder.clone(), how.clone());
        running.spawn(recorder.task(format!("request {i}"), task));
    }
    let timings = running
        .join_all()
        .await
        .into_iter()
        .collect::<io::Result<Vec<_>>>()?;
    Ok(Measured {
        wall: started.elapsed(),
        timings,
        opened: how.dialer().opened.load(Ordering::SeqCst),
    })
}

/// One strategy's numbers: the client's timings and the server's counts.
fn summarise(
    strategy: PoolStrategy,
    measured: Measured,
    connections_opened: u32,
    server: &CountingServer,
    events_dropped: u64,
) -> PoolRun {
    let mut waits: Vec<u64> = measured
        .timings
        .iter()
        .map(|&(w, _)| duration_us(w))
        .collect();
    let mut totals: Vec<u64> = measured
        .timings
        .iter()
        .map(|&(_, t)| duration_us(t))
        .collect();
    waits.sort_unstable();
    totals.sort_unstable();
    PoolRun {
        strategy,
        connections_opened,
        most_open: server.most_open(),
        requests_answered: server.requests(),
        wall_us: duration_us(measured.wall),
        wait_p50_us: percentile(&waits, 50),
        wait_max_us: waits.last().copied().unwrap_or(0),
        wait_total_us: waits.iter().sum(),
        request_p50_us: percentile(&totals, 50),
        request_p99_us: percentile(&totals, 99),
        request_histogram: Histogram::from_samples(totals.iter().copied()),
        events_dropped,
    }
}
