//! Outline section 7 — blocking the runtime: one slow handler in the echo server.
//!
//! The echo server of section 4 (an accept loop, one task per connection, every socket
//! `.await` named) and C clients run on a fresh, recorded runtime; each client sends M
//! messages one after the other and times each round trip. One request, client 0's middle
//! message, is marked slow: its handler does D ms of "work" before echoing it. The work
//! is done three ways, one part each on a fresh runtime:
//!
//! - `std::thread::sleep(D)` inside the async handler: the handler's poll lasts D, and
//!   the thread running it polls nothing else meanwhile;
//! - `tokio::time::sleep(D).await`: the handler's task returns Pending and the timer
//!   wakes it; the thread serves the other connections meanwhile;
//! - `spawn_blocking(move || std::thread::sleep(D)).await`: the sleep runs on a
//!   blocking-pool thread; the handler's task awaits the handle.
//!
//! The clients stamp their round trips on the recording's own clock, so the backend can
//! line them up with the recorded polls: [`long_poll`] finds each part's longest poll on a
//! worker lane and the other clients' round trips that waited through it.
//!
//! Uses the harness and `shared`'s recorder and result types.

mod long_poll;

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use pollscope_shared::diagnostics::FindingKind;
use pollscope_shared::instrument::Recorder;
use pollscope_shared::results::{BlockingRuntimeResult, BlockingWay};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use pollscope_shared::scenario::{Fix, ParamValues};

use super::Scenario;
use crate::harness::{Keep, MAX_WORKERS, Part, RunContext, RuntimeSpec, ScenarioError, run_part};
use long_poll::Trips;

/// Bytes in every request and echo.
const MESSAGE_BYTES: usize = 16;
/// The first byte of the slow request; every other request starts with [`PLAIN`].
const SLOW: u8 = b'!';
const PLAIN: u8 = b'x';
/// The name of the blocking closure and of the await points around the work.
const WORK: &str = "work";

crate::params! {
    /// The runtime, the clients, and the slow request's work.
    pub struct BlockingRuntimeParams {
        /// Runtime workers (0 = current_thread)
        workers: u32 [default 0, min 0, max MAX_WORKERS],
        /// Clients (client 0 sends the slow request)
        clients: u32 [default 4, min 2, max 8],
        /// Messages per client
        messages: u32 [default 20, min 2, max 50],
        /// The slow request's work
        work_ms: u32 [default 50, min 1, max 200, unit "ms"],
        /// How the handler does the work
        way: u8 [default 0, min 0, max 3, choices [
            "std::thread::sleep",
            "tokio::time::sleep",
            "spawn_blocking",
            "all three, one part each",
        ]],
    }
}

/// The ways in the order of the `way` knob's choices; its last choice runs all three.
const WAYS: [BlockingWay; 3] = [
    BlockingWay::ThreadSleep,
    BlockingWay::TokioSleep,
    BlockingWay::SpawnBlocking,
];

/// The ways a run with knob value `way` does, one part each.
fn ways_of(way: u8) -> &'static [BlockingWay] {
    match usize::from(way) {
        i @ 0..3 => &WAYS[i..=i],
        _ => &WAYS,
    }
}

pub struct BlockingRuntime;

impl Scenario for BlockingRuntime {
    type Params = BlockingRuntimeParams;
    type Output = BlockingRuntimeResult;
    const SECTION: u8 = 7;
    const TITLE: &'static str = "Blocking the runtime: one slow handler in the echo server";
    const SUMMARY: &'static str = "The echo server where one request's handler calls std::thread::sleep, tokio::time::sleep or spawn_blocking: the other clients' round trips and the longest poll, measured.";
    const SOURCE: (&'static str, &'static str) = (file!(), include_str!("blocking_runtime.rs"));

    /// A long poll in the blocking way is fixed by either way that yields.
    fn fixes() -> Vec<Fix> {
        let fix = |to: u8, label: &str| Fix {
            finding: FindingKind::LongPoll.label().to_owned(),
            label: label.to_owned(),
            when: ParamValues::from([("way".to_owned(), 0)]),
            set: ParamValues::from([("way".to_owned(), i64::from(to))]),
        };
        vec![
            fix(1, "await tokio::time::sleep instead of std::thread::sleep"),
            fix(2, "move the sleep to spawn_blocking"),
        ]
    }

    async fn run(
        params: BlockingRuntimeParams,
        run: RunContext,
    ) -> Result<BlockingRuntimeResult, ScenarioError> {
        let config = Config {
            clients: params.clients,
            messages: params.messages,
            slow_message: params.messages / 2,
            work: Duration::from_millis(params.work_ms.into()),
        };
        let runtime = RuntimeSpec {
            workers: params.workers,
        };
        let mut runs = Vec::new();
        for (index, &way) in (0..).zip(ways_of(params.way)) {
            run.phase(format!(
                "part {index}: {} clients x {} messages on {} ({} worker(s)); the slow request's {} ms with {}",
                config.clients,
                config.messages,
                runtime.flavor_name(),
                runtime.workers,
                params.work_ms,
                way.label()
            ));
            let part = Part {
                index,
                runtime,
                keep: Keep::Events,
            };
            let measured =
                run_part(&run, part, move |recorder| one_way(recorder, way, config)).await?;
            let trips = measured.output?;
            runs.push(long_poll::summarise(
                way,
                &trips,
                config.slow_message,
                &measured.folded,
                measured.events_dropped,
            ));
        }
        Ok(BlockingRuntimeResult {
            workers: params.workers,
            clients: params.clients,
            messages: params.messages,
            work_ms: params.work_ms,
            slow_message: config.slow_message,
            ways: runs,
        })
    }
}

// [demo:start]
/// The slow request's work, done the way this part was told to.
async fn do_work(recorder: &Recorder, way: BlockingWay, work: Duration) -> io::Result<()> {
    match way {
        // Blocks the thread: this poll of the handler's task lasts `work`, and the thread
        // running it polls nothing else meanwhile (on current_thread, not even the reactor).
        BlockingWay::ThreadSleep => std::thread::sleep(work),
        // Yields: the task returns Pending and the thread serves the other connections;
        // the timer wakes the task when `work` has passed.
        BlockingWay::TokioSleep => recorder.timer(WORK, tokio::time::sleep(work)).await,
        // Moves it off the workers: a blocking-pool thread sleeps, while the task waits
        // on the handle (Pending) and the workers serve the other connections.
        BlockingWay::SpawnBlocking => {
            let sleep = recorder.blocking(WORK, move || std::thread::sleep(work));
            let handle = tokio::task::spawn_blocking(sleep);
            recorder.point(WORK, handle).await.map_err(io::Error::other)?;
        }
    }
    Ok(())
}

/// Echo each request back; the slow one after its work.
async fn serve_connection(
    recorder: Recorder,
    mut socket: TcpStream,
    way: BlockingWay,
    work: Duration,
) -> io::Result<()> {
    socket.set_nodelay(true)?;
    let mut request = [0u8; MESSAGE_BYTES];
    loop {
        match recorder
            .io("read request", socket.read_exact(&mut request))
            .await
        {
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(()), // hung up
            read => read?,
        };
        if request[0] == SLOW {
            do_work(&recorder, way, work).await?;
        }
        recorder
            .io("write reply", socket.write_all(&request))
            .await?;
    }
}

/// Accept connections until the part ends; each one gets its own task.
async fn accept_loop(recorder: Recorder, listener: TcpListener, way: BlockingWay, work: Duration) {
    loop {
        let Ok((socket, peer)) = recorder.io("accept", listener.accept()).await else {
            continue;
        };
        let handler = serve_connection(recorder.clone(), socket, way, work);
        tokio::spawn(recorder.task(format!("conn {peer}"), handler));
    }
}

/// Send `messages` requests one at a time (number `slow`, if any, marked slow) and
/// stamp each round trip on the recording's clock.
async fn client(
    recorder: Recorder,
    server: SocketAddr,
    messages: u32,
    slow: Option<u32>,
) -> io::Result<Trips> {
    let mut socket = recorder.io("connect", TcpStream::connect(server)).await?;
    socket.set_nodelay(true)?;
    let port = socket.local_addr()?.port();
    let mut reply = [0u8; MESSAGE_BYTES];
    let mut trips = Vec::with_capacity(messages as usize);
    for i in 0..messages {
        let request = [if slow == Some(i) { SLOW } else { PLAIN }; MESSAGE_BYTES];
        let sent_ns = recorder.now_ns();
        recorder
            .io("write request", socket.write_all(&request))
            .await?;
        recorder.io("read echo", socket.read_exact(&mut reply)).await?;
        trips.push((sent_ns, recorder.now_ns()));
    }
    Ok(Trips { port, trips })
}
// [demo:end]

/// One part's workload.
#[derive(Debug, Clone, Copy)]
struct Config {
    clients: u32,
    messages: u32,
    slow_message: u32,
    work: Duration,
}

/// The server and the clients on the part's runtime; each client's round trips, in
/// client order.
async fn one_way(recorder: Recorder, way: BlockingWay, config: Config) -> io::Result<Vec<Trips>> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
    let server = listener.local_addr()?;
    let accept = accept_loop(recorder.clone(), listener, way, config.work);
    let accepting = tokio::spawn(recorder.task("accept loop", accept));
    let clients: Vec<_> = (0..config.clients)
        .map(|i| {
            let slow = (i == 0).then_some(config.slow_message);
            let work = client(recorder.clone(), server, config.messages, slow);
            tokio::spawn(recorder.task(format!("client {i}"), work))
        })
        .collect();
    let mut trips = Vec::with_capacity(clients.len());
    for joined in clients {
        trips.push(joined.await.map_err(io::Error::other)??);
    }
    // Its listener goes with it; the connections' tasks end as their clients hang up,
    // and whatever is left is dropped when the harness shuts the runtime down.
    accepting.abort();
    Ok(trips)
}
