//! A classroom on one machine: K learners as real WebSocket clients on 127.0.0.1, each
//! running a small demo again and again for a while, against one real server. Printed
//! side by side in one run:
//! - runs completed, cancelled, refused (`server_busy`), and errors by code;
//! - queue wait: from `run_started` to `run_admitted` (0 for a run that got a slot at once);
//! - control round trips: `run` → `run_started`, and `cancel` → `run_cancelled` (every
//!   fifth run is cancelled as soon as it is admitted);
//! - the process's peak RSS (`VmHWM`).
//!
//! `cargo bench -p pollscope-backend --bench capacity [-- --learners 100 --secs 30
//! --max-running N]`. The server runs in this process with its defaults (run slots from
//! the cores, queue 64), so the learners' clients share the machine with it: as they
//! would with a class's browsers, less the rendering.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use pollscope_backend::{Config, Server};
use pollscope_shared::{ClientMessage, ServerMessage};
use tokio_tungstenite::tungstenite::Message;

/// A learner's demo: two loopback fetches of 10 ms each, sequential then joined.
fn demo() -> ClientMessage {
    ClientMessage::Run {
        scenario: "seq_vs_concurrent".into(),
        params: [("delay_a_ms".to_owned(), 10), ("delay_b_ms".to_owned(), 10)]
            .into_iter()
            .collect(),
        events: pollscope_shared::protocol::EventEncoding::Binary,
    }
}

/// Every fifth run is cancelled once admitted, to time `cancel`.
const CANCEL_EVERY: u64 = 5;
/// A refused learner waits this long before asking again (what a page's retry would do).
const BUSY_BACKOFF: Duration = Duration::from_millis(200);

#[derive(Default)]
struct Tally {
    completed: u64,
    cancelled: u64,
    busy: u64,
    errors: BTreeMap<String, u64>,
    started_us: Vec<u64>,
    cancel_us: Vec<u64>,
    queue_wait_us: Vec<u64>,
}

impl Tally {
    fn merge(&mut self, other: Tally) {
        self.completed += other.completed;
        self.cancelled += other.cancelled;
        self.busy += other.busy;
        for (code, n) in other.errors {
            *self.errors.entry(code).or_default() += n;
        }
        self.started_us.extend(other.started_us);
        self.cancel_us.extend(other.cancel_us);
        self.queue_wait_us.extend(other.queue_wait_us);
    }
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

/// The next protocol message, or `None` once the socket is gone.
async fn next_message<S>(ws: &mut S) -> Option<ServerMessage>
where
    S: futures_util::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    loop {
        match ws.next().await? {
            Ok(Message::Text(t)) => return ServerMessage::from_json(&t).ok(),
            Ok(_) => continue,
            Err(_) => return None,
        }
    }
}

/// One learner: its own session, runs back to back until `until`.
async fn learner(addr: std::net::SocketAddr, until: Instant) -> Tally {
    let mut tally = Tally::default();
    let lost = |tally: &mut Tally| *tally.errors.entry("connection_lost".into()).or_default() += 1;
    // `TCP_NODELAY` on the client's side too, as browsers set it on their sockets.
    let connected =
        tokio_tungstenite::connect_async_with_config(format!("ws://{addr}/ws"), None, true).await;
    let Ok((mut ws, _)) = connected else {
        *tally.errors.entry("connect_failed".into()).or_default() += 1;
        return tally;
    };
    if next_message(&mut ws).await.is_none() {
        lost(&mut tally);
        return tally;
    }
    let mut runs = 0u64;
    while Instant::now() < until {
        let asked = Instant::now();
        if ws.send(Message::text(demo().to_json())).await.is_err() {
            lost(&mut tally);
            return tally;
        }
        // The run's life: started (queued or not), admitted (if it queued), ended.
        let mut started_at = None;
        let mut queued = false;
        let mut cancel_sent: Option<Instant> = None;
        loop {
            let Some(message) = next_message(&mut ws).await else {
                lost(&mut tally);
                return tally;
            };
            let mut running_now = false;
            match message {
                ServerMessage::RunStarted { run_id, .. } => {
                    let at = Instant::now();
                    tally.started_us.push(micros(at - asked));
                    started_at = Some((run_id, at));
                    runs += 1;
                }
                ServerMessage::RunQueued { .. } => queued = true,
                ServerMessage::RunAdmitted { .. } => {
                    let (_, at) = started_at.expect("admitted after started");
                    tally.queue_wait_us.push(micros(at.elapsed()));
                    running_now = true;
                }
                ServerMessage::Progress { .. } => running_now = !queued,
                ServerMessage::Result { .. } => {
                    tally.completed += 1;
                    break;
                }
                ServerMessage::RunCancelled { .. } => {
                    if let Some(sent) = cancel_sent {
                        tally.cancel_us.push(micros(sent.elapsed()));
                    }
                    tally.cancelled += 1;
                    break;
                }
                ServerMessage::Error { code, .. } => {
                    if code == pollscope_shared::ErrorCode::ServerBusy {
                        tally.busy += 1;
                        tokio::time::sleep(BUSY_BACKOFF).await;
                    } else {
                        *tally.errors.entry(code.as_str().into()).or_default() += 1;
                    }
                    break;
                }
                _ => {}
            }
            if !queued && running_now && cancel_sent.is_none() {
                // A slot at once: its queue wait is 0.
                tally.queue_wait_us.push(0);
                queued = true; // counted once
            }
            if running_now
                && cancel_sent.is_none()
                && runs.is_multiple_of(CANCEL_EVERY)
                && let Some((run_id, _)) = started_at
            {
                cancel_sent = Some(Instant::now());
                let cancel = ClientMessage::Cancel { run_id };
                if ws.send(Message::text(cancel.to_json())).await.is_err() {
                    lost(&mut tally);
                    return tally;
                }
            }
        }
    }
    tally
}

fn percentile(values: &mut [u64], p: f64) -> String {
    if values.is_empty() {
        return "—".into();
    }
    values.sort_unstable();
    let i = ((values.len() - 1) as f64 * p).round() as usize;
    format!("{:.1} ms", values[i] as f64 / 1000.0)
}

fn peak_rss_mib() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or_else(|| "unknown".into(), |kb| format!("{:.0} MiB", kb / 1024.0))
}

struct Args {
    learners: usize,
    secs: u64,
    max_running: Option<u32>,
}

fn args() -> Args {
    let mut args = Args {
        learners: 100,
        secs: 30,
        max_running: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().and_then(|v| v.parse::<u64>().ok());
        match flag.as_str() {
            "--learners" => args.learners = value().unwrap_or(100).clamp(1, 1000) as usize,
            "--secs" => args.secs = value().unwrap_or(30).clamp(1, 600),
            "--max-running" => args.max_running = value().map(|v| v.clamp(1, 256) as u32),
            _ => {} // cargo bench passes `--bench`
        }
    }
    args
}

#[tokio::main]
async fn main() {
    let args = args();
    let config = Config {
        bind: "127.0.0.1:0".parse().unwrap(),
        max_sessions: (args.learners as u32).max(64),
        // A class's learners each have an address of their own; here they all share
        // 127.0.0.1, so the per-address bounds are the class's size.
        max_sessions_per_ip: args.learners as u32,
        max_connections_per_ip: (args.learners as u32).max(64),
        max_running: args.max_running,
        ..Config::default()
    };
    let slots = config.max_running();
    let server = Server::bind(config).await.expect("bind 127.0.0.1:0");
    let addr = server.local_addr();
    let state = server.state();
    let serving = tokio::spawn(server.run_until(std::future::pending()));
    println!(
        "pollscope capacity: {} learners for {} s, {slots} run slots, queue {}",
        args.learners,
        args.secs,
        state.slots.max_queued()
    );
    let until = Instant::now() + Duration::from_secs(args.secs);
    let began = Instant::now();
    let learners: Vec<_> = (0..args.learners)
        .map(|_| tokio::spawn(learner(addr, until)))
        .collect();
    let mut total = Tally::default();
    for l in learners {
        if let Ok(t) = l.await {
            total.merge(t);
        }
    }
    let wall = began.elapsed().as_secs_f64();
    println!("\n| what | figure |\n|---|---|");
    println!(
        "| runs completed | {} ({:.1}/s) |",
        total.completed,
        total.completed as f64 / wall
    );
    println!(
        "| runs cancelled (every {CANCEL_EVERY}th) | {} |",
        total.cancelled
    );
    println!("| refused `server_busy` | {} |", total.busy);
    let errors: Vec<String> = total
        .errors
        .iter()
        .map(|(code, n)| format!("{code} {n}"))
        .collect();
    println!(
        "| other errors | {} |",
        if errors.is_empty() {
            "none".into()
        } else {
            errors.join(", ")
        }
    );
    println!(
        "| queue wait p50 / p99 | {} / {} |",
        percentile(&mut total.queue_wait_us, 0.50),
        percentile(&mut total.queue_wait_us, 0.99)
    );
    println!(
        "| run → run_started p50 / p99 | {} / {} |",
        percentile(&mut total.started_us, 0.50),
        percentile(&mut total.started_us, 0.99)
    );
    println!(
        "| cancel → run_cancelled p50 / p99 | {} / {} |",
        percentile(&mut total.cancel_us, 0.50),
        percentile(&mut total.cancel_us, 0.99)
    );
    println!("| peak RSS | {} |", peak_rss_mib());
    state.shutdown.cancel();
    let _ = serving.await;
}
