//! Test harness: a real pollscope server on 127.0.0.1:0 and a real WebSocket client.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use pollscope_backend::{AppState, Config, Server};
use pollscope_shared::instrument::Event;
use pollscope_shared::instrument::batch::EventBatch;
use pollscope_shared::{ClientMessage, ServerMessage};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// Longest any single expected message may take to arrive.
pub const WAIT: Duration = Duration::from_secs(20);

pub struct TestServer {
    pub addr: SocketAddr,
    pub state: AppState,
    pub stopped: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl TestServer {
    pub async fn start() -> Self {
        Self::with(|_| {}).await
    }

    pub async fn with(tweak: impl FnOnce(&mut Config)) -> Self {
        let mut config = Config {
            bind: "127.0.0.1:0".parse().unwrap(),
            static_dir: Some(std::env::temp_dir().join("pollscope-no-frontend")),
            ..Config::default()
        };
        tweak(&mut config);
        let server = Server::bind(config).await.unwrap();
        let addr = server.local_addr();
        let state = server.state();
        let stopped = tokio::spawn(server.run_until(std::future::pending()));
        Self {
            addr,
            state,
            stopped,
        }
    }

    pub async fn connect(&self) -> Client {
        let (ws, _) = tokio_tungstenite::connect_async(format!("ws://{}/ws", self.addr))
            .await
            .unwrap();
        Client { ws }
    }

    /// A new session that has read its hello, sent `run`, and seen it accepted: the
    /// client and the run's id.
    pub async fn start_run(&self, run: &ClientMessage) -> (Client, u64) {
        let mut client = self.connect().await;
        assert!(matches!(client.recv().await, ServerMessage::Hello { .. }));
        client.send(run).await;
        match client.recv().await {
            ServerMessage::RunStarted { run_id, .. } => (client, run_id),
            other => panic!("expected run_started, got {other:?}"),
        }
    }

    /// Wait until the live-run and live-session gauges read zero, or fail after [`WAIT`]
    /// (a deadline for a loaded machine: it is only reached when something leaked).
    pub async fn until_idle(&self) {
        let deadline = tokio::time::Instant::now() + WAIT;
        while self.state.live_runs() != 0 || self.state.live_sessions() != 0 {
            assert!(
                tokio::time::Instant::now() < deadline,
                "still live after {WAIT:?}: runs={} sessions={}",
                self.state.live_runs(),
                self.state.live_sessions()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// A plain HTTP GET; returns (status code, body).
    pub async fn get(&self, path: &str) -> (u16, String) {
        let (head, body) = self.get_with(path, "").await;
        let status = head[9..12].parse().unwrap();
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    /// A plain HTTP GET with extra request header lines (each ending in `\r\n`): the
    /// response head, lowercased, and the body's bytes.
    pub async fn get_with(&self, path: &str, headers: &str) -> (String, Vec<u8>) {
        let mut stream = TcpStream::connect(self.addr).await.unwrap();
        let request = format!(
            "GET {path} HTTP/1.1\r\nhost: {}\r\n{headers}connection: close\r\n\r\n",
            self.addr
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).await.unwrap();
        let split = response
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or(response.len());
        let head = String::from_utf8_lossy(&response[..split]).to_ascii_lowercase();
        let body = response.get(split + 4..).unwrap_or_default().to_vec();
        (head, body)
    }
}

/// A client WebSocket over plain TCP.
pub type WsStream = WebSocketStream<MaybeTlsStream<TcpStream>>;

pub struct Client {
    pub ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Client {
    pub async fn send(&mut self, message: &ClientMessage) {
        self.send_text(&message.to_json()).await;
    }

    pub async fn send_text(&mut self, text: &str) {
        self.ws.send(Message::text(text)).await.unwrap();
    }

    /// The next frame, whatever it is; `None` once the socket has ended.
    pub async fn next_frame(&mut self) -> Option<Message> {
        match tokio::time::timeout(WAIT, self.ws.next()).await {
            Ok(Some(Ok(message))) => Some(message),
            Ok(Some(Err(_))) | Ok(None) => None,
            Err(_) => panic!("no frame within {WAIT:?}"),
        }
    }

    /// The next protocol message, skipping event batches (binary frames; use [`collect`]
    /// to read them); fails on anything else.
    pub async fn recv(&mut self) -> ServerMessage {
        loop {
            match self.next_frame().await {
                Some(Message::Text(text)) => return ServerMessage::from_json(&text).unwrap(),
                Some(Message::Ping(_) | Message::Pong(_) | Message::Binary(_)) => continue,
                other => panic!("expected a text message, got {other:?}"),
            }
        }
    }

    /// The close frame's code, skipping any messages still in flight before it.
    pub async fn close_code(&mut self) -> u16 {
        loop {
            match self.next_frame().await {
                Some(Message::Close(Some(frame))) => return frame.code.into(),
                Some(Message::Close(None)) => panic!("close frame without a code"),
                Some(_) => continue,
                None => panic!("socket ended without a close frame"),
            }
        }
    }

    /// Receive messages until one matches, returning the ones skipped and the match.
    pub async fn recv_until(
        &mut self,
        done: impl Fn(&ServerMessage) -> bool,
    ) -> (Vec<ServerMessage>, ServerMessage) {
        let mut skipped = Vec::new();
        loop {
            let message = self.recv().await;
            if done(&message) {
                return (skipped, message);
            }
            skipped.push(message);
        }
    }
}

/// Everything a run sent until its end: its event batches (either encoding, any part) and
/// its last message (`result`, `run_cancelled` or `error`).
pub async fn collect(client: &mut Client) -> (Vec<EventBatch>, ServerMessage) {
    let mut batches = Vec::new();
    loop {
        match client.next_frame().await.expect("socket open") {
            Message::Binary(bytes) => batches.push(EventBatch::decode_binary(&bytes).unwrap()),
            Message::Text(text) => match ServerMessage::from_json(&text).unwrap() {
                ServerMessage::Events {
                    run_id,
                    part,
                    seq,
                    dropped_total,
                    events,
                } => batches.push(EventBatch {
                    run_id,
                    part,
                    seq,
                    dropped_total,
                    events,
                }),
                ServerMessage::Progress { .. }
                | ServerMessage::RunStarted { .. }
                | ServerMessage::RunQueued { .. }
                | ServerMessage::RunAdmitted { .. } => {}
                last => return (batches, last),
            },
            _ => {}
        }
    }
}

/// Each part's events, in order, from a run's batches.
pub fn events_by_part(batches: Vec<EventBatch>) -> BTreeMap<u32, Vec<Event>> {
    let mut parts: BTreeMap<u32, Vec<Event>> = BTreeMap::new();
    for batch in batches {
        parts.entry(batch.part).or_default().extend(batch.events);
    }
    parts
}

/// A `run` request with binary event batches.
pub fn run(scenario: &str, params: &[(&str, i64)]) -> ClientMessage {
    ClientMessage::Run {
        scenario: scenario.into(),
        params: params.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        events: pollscope_shared::protocol::EventEncoding::Binary,
    }
}

/// A run of the section 1 demo with these server delays.
pub fn seq_vs_concurrent(delay_a_ms: i64, delay_b_ms: i64) -> ClientMessage {
    run(
        "seq_vs_concurrent",
        &[("delay_a_ms", delay_a_ms), ("delay_b_ms", delay_b_ms)],
    )
}

/// Checks a result's latency histogram against the figures it was counted beside: it
/// counted `samples` values (from the run's own parameters), its range is `min..=max`
/// of those figures, and each percentile lies in a bucket that holds samples, with at
/// least `p`% of the samples at or below that bucket.
pub fn assert_histogram_agrees(
    h: &pollscope_shared::results::Histogram,
    samples: u64,
    percentiles: &[(u32, u64)],
    max_us: u64,
) {
    assert_eq!(h.count, samples, "one count per sample: {h:?}");
    assert_eq!(h.counts.iter().sum::<u64>(), samples, "{h:?}");
    assert_eq!(h.max_us, max_us, "{h:?}");
    assert!(h.counts.len() <= pollscope_shared::results::MAX_BUCKETS);
    assert_eq!(h.edges_us.len(), h.counts.len() + 1);
    for &(p, value) in percentiles {
        let bucket = h
            .bucket_of(value)
            .unwrap_or_else(|| panic!("p{p} {value} µs outside the histogram {h:?}"));
        assert!(h.counts[bucket] > 0, "p{p}'s bucket is empty: {h:?}");
        assert!(
            h.cumulative_share(bucket) * 100.0 >= f64::from(p),
            "p{p} = {value} µs, but fewer than {p}% of samples are at or below its bucket: {h:?}"
        );
        if bucket > 0 {
            assert!(
                h.cumulative_share(bucket - 1) * 100.0 <= f64::from(p) + 1.0,
                "p{p} = {value} µs, but more than {p}% of samples lie below its bucket: {h:?}"
            );
        }
    }
}
