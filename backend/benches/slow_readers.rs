//! Memory under slow readers: N learners each start a run that streams a lot (the echo
//! demo at its largest, events as JSON), then stop reading, with a receive buffer as
//! small as the kernel allows. Everything the server has to say to them piles up in its
//! outbound queues until the send timeout gives up on them.
//!
//! The same crowd meets two servers in turn, each in a fresh child process of this bench:
//! one whose outbound budget is as large as the flag allows (in effect none, as before the
//! budget existed) and one with the default. Printed side by side: each process's peak
//! RSS (`VmHWM`: the server, its runs and the readers together), the most bytes queued
//! the server reported, and how many sessions it closed for reading the slowest.
//!
//! `cargo bench -p pollscope-backend --bench slow_readers [-- --readers 64 --secs 8
//! --max-running 64 --budget-mib 256]` (`--max-running 64` is the server before run slots;
//! pass the server's default, the cores, to see today's). Loopback only; every socket is closed when a round ends.

use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use pollscope_backend::{Config, Server};
use pollscope_shared::ClientMessage;
use pollscope_shared::protocol::EventEncoding;
use tokio::net::TcpSocket;
use tokio_tungstenite::tungstenite::Message;

fn busy_run() -> ClientMessage {
    ClientMessage::Run {
        scenario: "echo".into(),
        params: [
            ("workers", 2),
            ("clients", 64),
            ("messages", 1000),
            ("message_bytes", 1),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect(),
        events: EventEncoding::Json,
    }
}

/// A reader that reads its hello, asks for the run, and then reads nothing.
async fn slow_reader(addr: std::net::SocketAddr, hold: Duration) {
    let socket = TcpSocket::new_v4().expect("socket");
    let _ = socket.set_recv_buffer_size(4096);
    let Ok(stream) = socket.connect(addr).await else {
        return;
    };
    let Ok((mut ws, _)) = tokio_tungstenite::client_async(
        format!("ws://{addr}/ws"),
        tokio_tungstenite::MaybeTlsStream::Plain(stream),
    )
    .await
    else {
        return;
    };
    let _ = ws.next().await;
    let _ = ws.send(Message::text(busy_run().to_json())).await;
    tokio::time::sleep(hold).await;
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

struct Round {
    peak_rss_kib: u64,
    peak_outbound: usize,
    evicted: u64,
}

async fn round(budget_mib: u32, args: &Args) -> Round {
    let config = Config {
        bind: "127.0.0.1:0".parse().unwrap(),
        max_sessions: args.readers.max(64),
        max_sessions_per_ip: args.readers,
        max_connections_per_ip: args.readers.max(64) * 2,
        max_running: Some(args.max_running),
        max_outbound_mib: budget_mib,
        ..Config::default()
    };
    let server = Server::bind(config).await.expect("bind 127.0.0.1:0");
    let addr = server.local_addr();
    let state = server.state();
    let serving = tokio::spawn(server.run_until(std::future::pending()));
    tokio::time::sleep(Duration::from_millis(200)).await;

    let hold = Duration::from_secs(args.secs);
    let readers: Vec<_> = (0..args.readers)
        .map(|_| tokio::spawn(slow_reader(addr, hold)))
        .collect();
    let until = Instant::now() + hold;
    let mut peak_outbound = 0;
    while Instant::now() < until {
        peak_outbound = peak_outbound.max(state.outbound.used());
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let result = Round {
        peak_rss_kib: peak_rss_kib(),
        peak_outbound,
        evicted: state.outbound.evicted(),
    };
    for r in readers {
        let _ = r.await;
    }
    state.shutdown.cancel();
    let _ = serving.await;
    result
}

struct Args {
    readers: u32,
    secs: u64,
    max_running: u32,
    /// The budget of the bounded round (default: the server's default).
    budget_mib: u32,
    /// Set in a child process: run one round with this budget and print its figures.
    round: Option<u32>,
}

fn args() -> Args {
    let mut args = Args {
        readers: 64,
        secs: 8,
        max_running: 64,
        budget_mib: Config::default().max_outbound_mib,
        round: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().and_then(|v| v.parse::<u64>().ok());
        match flag.as_str() {
            "--readers" => args.readers = value().unwrap_or(64).clamp(1, 256) as u32,
            "--secs" => args.secs = value().unwrap_or(8).clamp(1, 60),
            "--max-running" => args.max_running = value().unwrap_or(64).clamp(1, 256) as u32,
            "--budget-mib" => {
                args.budget_mib = value().map_or(args.budget_mib, |v| v.clamp(1, 65_536) as u32);
            }
            "--round" => args.round = value().map(|v| v.clamp(1, 65_536) as u32),
            _ => {} // cargo bench passes `--bench`
        }
    }
    args
}

/// Run one round in a fresh process (so one round's allocations cannot count in the
/// other's peak) and read back its figures.
fn round_in_child(budget_mib: u32, args: &Args) -> Option<Round> {
    let output = std::process::Command::new(std::env::current_exe().ok()?)
        .args(["--round", &budget_mib.to_string()])
        .args(["--readers", &args.readers.to_string()])
        .args(["--secs", &args.secs.to_string()])
        .args(["--max-running", &args.max_running.to_string()])
        .output()
        .ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    let mut figures = text.lines().last()?.split_whitespace();
    Some(Round {
        peak_rss_kib: figures.next()?.parse().ok()?,
        peak_outbound: figures.next()?.parse().ok()?,
        evicted: figures.next()?.parse().ok()?,
    })
}

#[tokio::main]
async fn main() {
    let args = args();
    if let Some(budget_mib) = args.round {
        let r = round(budget_mib, &args).await;
        println!("{} {} {}", r.peak_rss_kib, r.peak_outbound, r.evicted);
        return;
    }
    let rounds = [
        ("65536 MiB (in effect none)".to_owned(), 65_536),
        (format!("{} MiB", args.budget_mib), args.budget_mib),
    ];
    println!(
        "pollscope slow readers: {} readers for {} s, {} run slots, one process per round\n",
        args.readers, args.secs, args.max_running
    );
    println!("| outbound budget | peak RSS | most bytes queued | sessions closed (1013) |");
    println!("|---|---|---|---|");
    for (name, mib) in rounds {
        match round_in_child(mib, &args) {
            Some(r) => println!(
                "| {name} | {:.0} MiB | {:.0} MiB | {} |",
                r.peak_rss_kib as f64 / 1024.0,
                r.peak_outbound as f64 / (1024.0 * 1024.0),
                r.evicted
            ),
            None => println!("| {name} | round failed | | |"),
        }
    }
}
