//! Outline section 6 — timeouts: `tokio::time::timeout` drops the future it gave up on.
//!
//! A slow loopback server answers each request after `server_delay_ms`. The client wraps
//! one fetch from it in `timeout(limit, …)`, once per attempt, one attempt after the
//! other, each attempt a recorded task on a fresh `current_thread` runtime. If the reply
//! comes within the limit, the fetch's value comes back in `Ok`. If not, the timer wins:
//! `timeout` returns `Err(Elapsed)` and drops the fetch's future where it stood, in the
//! middle of its `.await` on the reply. Nothing runs the rest of the fetch; its socket is
//! dropped with it, which closes the connection, and the server sees that close.
//!
//! Three witnesses, none taking another's word: the client's own clock (from the call to
//! the return, against the limit), the recorded events (which await point of the fetch
//! was still waiting when the timeout's own wait ended: it can only have ended after that
//! by being dropped), and the server, which runs on the server's runtime outside the
//! measured one and reports per connection whether the client closed before the reply
//! was written, and when (see `server`).

mod server;

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use pollscope_shared::instrument::event::{Name, PollEvent, SpanId, SpawnEvent, TaskId};
use pollscope_shared::instrument::{Event, EventKind, Probe, Recorder};
use pollscope_shared::results::{TimeoutAttempt, TimeoutsResult};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::time::timeout;

use super::Scenario;
use crate::harness::{Keep, Part, RunContext, RuntimeSpec, ScenarioError, duration_us, run_part};
use server::{Report, WatchingServer};

/// Most attempts of one run: each lasts at most the smaller of the limit and the delay.
pub const MAX_ATTEMPTS: u32 = 3;
/// The name of the await point around `timeout` in the recording.
const TIMEOUT_SPAN: &str = "timeout";
/// A reply larger than this is cut off (the server sends under 100 bytes).
const MAX_REPLY_BYTES: u64 = 4 * 1024;
/// How long, after the attempts, the server's reports may take to arrive (a closed
/// connection is seen at once; this is only reached if something went wrong).
const REPORT_WAIT: Duration = Duration::from_secs(5);

crate::params! {
    /// The limit, the server, and how many times to try.
    pub struct TimeoutsParams {
        /// Timeout limit
        limit_ms: u32 [default 100, min 10, max 2000, unit "ms"],
        /// Server delay
        server_delay_ms: u32 [default 300, min 10, max 3000, unit "ms"],
        /// Attempts, one after another
        attempts: u32 [default 3, min 1, max MAX_ATTEMPTS],
    }
}

pub struct Timeouts;

impl Scenario for Timeouts {
    type Params = TimeoutsParams;
    type Output = TimeoutsResult;
    const SECTION: u8 = 6;
    const TITLE: &'static str = "Timeouts: timeout drops the future it gave up on";
    const SUMMARY: &'static str = "A fetch from a slow loopback server inside tokio::time::timeout: when the limit passes, the fetch is dropped mid-wait and the server sees the connection close.";
    const SOURCE: (&'static str, &'static str) = (file!(), include_str!("timeouts.rs"));

    async fn run(params: TimeoutsParams, run: RunContext) -> Result<TimeoutsResult, ScenarioError> {
        let limit = Duration::from_millis(params.limit_ms.into());
        let delay = Duration::from_millis(params.server_delay_ms.into());
        let (reports_tx, mut reports) = mpsc::channel(server::MAX_REPORTS);
        // Lives as long as this function: a cancelled run drops it, and its port.
        let server = WatchingServer::start(delay, reports_tx).await?;
        let addr = server.addr();
        run.phase(format!(
            "server on {addr} answers after {} ms; {} attempt(s) with a limit of {} ms",
            params.server_delay_ms, params.attempts, params.limit_ms
        ));
        let part = Part {
            index: 0,
            runtime: RuntimeSpec { workers: 0 },
            keep: Keep::Events,
        };
        let n = params.attempts;
        let measured =
            run_part(&run, part, move |recorder| attempts(recorder, addr, limit, n)).await?;
        let tries = measured.output?;
        let events = &measured.folded.events;
        let dropped = dropped_waits(events);
        let seen = server_reports(&mut reports, &tries).await;
        let attempts = (1..)
            .zip(&tries)
            .map(|(i, t)| {
                let task = task_named(events, &attempt_name(i));
                let report = seen.get(&t.connection).copied();
                TimeoutAttempt {
                    task: task.map_or(0, |t| t.0),
                    limit_us: duration_us(limit),
                    elapsed_us: duration_us(t.outcome.elapsed),
                    timed_out: t.outcome.reply.is_none(),
                    dropped_wait: task.and_then(|t| dropped.get(&t)).map(|n| n.to_string()),
                    reply_bytes: t.outcome.reply.unwrap_or(0),
                    server_read_request: report.is_some_and(|r| r.read_request),
                    server_replied: report.is_some_and(|r| r.replied),
                    server_saw_close: report.is_some_and(|r| r.closed_after.is_some()),
                    server_close_after_us: report.and_then(|r| r.closed_after).map(duration_us),
                }
            })
            .collect();
        Ok(TimeoutsResult {
            limit_ms: params.limit_ms,
            server_delay_ms: params.server_delay_ms,
            attempts,
            events_dropped: measured.events_dropped,
        })
    }
}

// [demo:start]
/// One attempt: the fetch, given `limit` to finish. If the limit passes first, `timeout`
/// returns `Err(Elapsed)`, and the fetch's future, which it owned, is dropped right
/// there, stopped in the middle of its `.await` on the reply. Nothing of the fetch runs
/// after that: its socket is dropped with it, which closes the connection.
async fn attempt<P: Probe>(probe: P, server: SocketAddr, limit: Duration) -> io::Result<Outcome> {
    let called = Instant::now();
    let fetched = probe
        .timer("timeout", timeout(limit, fetch(&probe, server)))
        .await;
    let elapsed = called.elapsed();
    match fetched {
        Ok(reply) => Ok(Outcome {
            elapsed,
            reply: Some(reply?),
        }),
        Err(_elapsed) => Ok(Outcome {
            elapsed,
            reply: None,
        }),
    }
}

/// One HTTP/1.1 GET on a fresh connection, every `.await` named in the recording.
async fn fetch<P: Probe>(probe: &P, server: SocketAddr) -> io::Result<u64> {
    let mut stream = probe.io("connect", TcpStream::connect(server)).await?;
    let request = b"GET / HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n";
    probe.io("send request", stream.write_all(request)).await?;
    let mut reply = Vec::new();
    let mut body = (&mut stream).take(MAX_REPLY_BYTES);
    probe.io("read reply", body.read_to_end(&mut reply)).await?;
    Ok(reply.len() as u64)
}
// [demo:end]

/// What one attempt measured itself.
#[derive(Debug, Clone, Copy)]
struct Outcome {
    /// From the call to `timeout` to its return.
    elapsed: Duration,
    /// The reply's length, or `None` if the timeout fired.
    reply: Option<u64>,
}

/// An attempt, and the connection it made (the server's reports name it by this).
struct Tried {
    outcome: Outcome,
    /// Which connection of the server: the attempts run one after another, and the server
    /// numbers connections as it accepts them, in the order they were made.
    connection: u32,
}

fn attempt_name(i: u32) -> String {
    format!("attempt {i}")
}

/// The attempts, each a task of its own, one after the other.
async fn attempts(
    recorder: Recorder,
    server: SocketAddr,
    limit: Duration,
    n: u32,
) -> Result<Vec<Tried>, ScenarioError> {
    let mut tried = Vec::new();
    for i in 1..=n {
        let task = recorder.task(attempt_name(i), attempt(recorder.clone(), server, limit));
        let outcome = tokio::spawn(task)
            .await
            .map_err(|e| ScenarioError::new(format!("attempt {i}: {e}")))??;
        tried.push(Tried {
            outcome,
            connection: i - 1,
        });
    }
    Ok(tried)
}

/// The server's report on each attempt's connection, by connection number; waits at most
/// [`REPORT_WAIT`] for them all.
async fn server_reports(
    reports: &mut mpsc::Receiver<Report>,
    tried: &[Tried],
) -> BTreeMap<u32, Report> {
    let mut seen = BTreeMap::new();
    let wanted = tried.len();
    let _ = tokio::time::timeout(REPORT_WAIT, async {
        while seen.len() < wanted {
            let Some(report) = reports.recv().await else {
                break;
            };
            if tried.iter().any(|t| t.connection == report.connection) {
                seen.insert(report.connection, report);
            }
        }
    })
    .await;
    seen
}

/// The task spawned with this name.
fn task_named(events: &[Event], name: &str) -> Option<TaskId> {
    events.iter().find_map(|e| match &e.kind {
        EventKind::Spawn(SpawnEvent { task, name: n, .. }) if n == name => Some(*task),
        _ => None,
    })
}

/// For each task, the await point that was dropped while it waited because the timeout
/// around it returned: in the poll in which the `timeout` span's wait ended, a span whose
/// wait ended *after* it. `timeout` polls the future inside it first, so an inner await
/// point that was ready ended its wait before the timeout's; one that ends after can only
/// have been dropped with the future the timeout gave up on.
///
/// In a poll's record, the span it `resumed` at ended first; the `SpanExit` events that
/// come before its `Poll` event ended in their order.
fn dropped_waits(events: &[Event]) -> BTreeMap<TaskId, Name> {
    let mut names: HashMap<(TaskId, SpanId), Name> = HashMap::new();
    let mut exits: HashMap<TaskId, Vec<SpanId>> = HashMap::new();
    let mut dropped = BTreeMap::new();
    for event in events {
        match &event.kind {
            EventKind::SpanEnter { task, span, name } => {
                names.insert((*task, *span), name.clone());
            }
            EventKind::SpanExit { task, span } => exits.entry(*task).or_default().push(*span),
            EventKind::Poll(PollEvent {
                task,
                resumed,
                waiting_on,
                ..
            }) => {
                let ended = resumed.iter().chain(exits.get(task).into_iter().flatten());
                let mut after_timeout = false;
                for span in ended {
                    match names.get(&(*task, *span)) {
                        Some(name) if name == TIMEOUT_SPAN => after_timeout = true,
                        Some(name) if after_timeout => {
                            dropped.entry(*task).or_insert_with(|| name.clone());
                        }
                        _ => {}
                    }
                }
                exits.remove(task);
                if let Some(wait) = waiting_on {
                    names.insert((*task, wait.span), wait.name.clone());
                }
            }
            EventKind::Complete { task, .. } => {
                exits.remove(task);
            }
            _ => {}
        }
    }
    dropped
}

#[cfg(test)]
mod tests {
    use pollscope_shared::instrument::event::{PollOutcome, Wait};

    use super::*;

    fn poll(task: u32, resumed: Option<u32>, waiting_on: Option<(u32, &'static str)>) -> Event {
        Event {
            t_ns: 0,
            kind: EventKind::Poll(PollEvent {
                task: TaskId(task),
                lane: None,
                busy_ns: 1,
                outcome: PollOutcome::Pending,
                resumed: resumed.map(SpanId),
                waiting_on: waiting_on.map(|(span, name)| Wait {
                    span: SpanId(span),
                    name: name.into(),
                }),
                waker_clones: 0,
            }),
        }
    }

    fn at(kind: EventKind) -> Event {
        Event { t_ns: 0, kind }
    }

    fn enter(task: u32, span: u32, name: &'static str) -> Event {
        at(EventKind::SpanEnter {
            task: TaskId(task),
            span: SpanId(span),
            name: name.into(),
        })
    }

    fn exit(task: u32, span: u32) -> Event {
        at(EventKind::SpanExit {
            task: TaskId(task),
            span: SpanId(span),
        })
    }

    /// Task 1 waits on "read reply" (2) inside "timeout" (1). It timed out: the timeout's
    /// wait ended first (resumed), the read's after it. Task 2's reply came: the read's
    /// wait ended first, the timeout's after it.
    #[test]
    fn a_wait_that_ends_after_the_timeouts_was_dropped() {
        let events = [
            poll(1, None, Some((2, "read reply"))),
            enter(1, 1, TIMEOUT_SPAN),
            exit(1, 2),
            poll(1, Some(1), None),
            poll(2, None, Some((4, "read reply"))),
            enter(2, 3, TIMEOUT_SPAN),
            exit(2, 3),
            poll(2, Some(4), None),
        ];
        let dropped = dropped_waits(&events);
        assert_eq!(dropped.get(&TaskId(1)).map(|n| &**n), Some("read reply"));
        assert_eq!(dropped.get(&TaskId(2)), None);
    }
}
