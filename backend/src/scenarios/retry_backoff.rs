//! Outline section 8 — retry with backoff: linear against exponential with jitter.
//!
//! A loopback server fails its first k requests (it answers `503`), then answers `200`.
//! A client retries it until it gets a 200 or has made its last attempt, sleeping after
//! each failure for as long as its backoff policy says: the seed's linear backoff
//! (`n × base` after the n-th failure) in part 0, exponential backoff with jitter in
//! part 1 (`min(cap, base × 2^(n-1))`, half of it for sure and a random part of the other
//! half, from a small seeded generator so a run can be repeated exactly). Each policy
//! gets a fresh server, on the server's runtime outside the measured one, and its own
//! `current_thread` runtime.
//!
//! Every sleep is timed from before its `sleep` is made to after it returns, and set
//! against the delay the policy planned: a timer never fires early, so the difference is
//! how late the wake-up came. The server counts the requests it read, a witness the
//! client's own count can be checked against.
//!
//! [`retry`] and [`Backoff`] are the retry code; the paused-time demo (section 9) runs
//! the very same function on a runtime whose clock is paused, so each attempt and sleep
//! is timed on both Tokio's clock and the machine's ([`Clocks`]).

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use pollscope_shared::instrument::Probe;
use pollscope_shared::results::{BackoffKind, PolicyRun, RetryAttempt, RetryBackoffResult};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::Scenario;
use super::support::loopback_flaky::FlakyServer;
use crate::harness::{Keep, Part, RunContext, RuntimeSpec, ScenarioError, duration_us, run_part};

/// A reply larger than this is cut off (the server sends under 100 bytes).
const MAX_REPLY_BYTES: u64 = 4 * 1024;

crate::params! {
    /// The server, the policies, and when to give up.
    pub struct RetryBackoffParams {
        /// Requests the server fails first
        failures: u32 [default 3, min 0, max 6],
        /// Base delay
        base_ms: u32 [default 50, min 5, max 100, unit "ms"],
        /// Longest exponential delay
        cap_ms: u32 [default 400, min 10, max 1000, unit "ms"],
        /// Attempts before giving up
        max_attempts: u32 [default 5, min 1, max 7],
        /// Jitter seed
        seed: u32 [default 7, min 1, max 1000],
    }
}

pub struct RetryBackoff;

impl Scenario for RetryBackoff {
    type Params = RetryBackoffParams;
    type Output = RetryBackoffResult;
    const SECTION: u8 = 8;
    const TITLE: &'static str = "Retry with backoff: linear vs exponential with jitter";
    const SUMMARY: &'static str = "A loopback server fails its first k requests; a client retries it with linear backoff, then with exponential backoff and jitter, each sleep timed against its plan.";
    const SOURCE: (&'static str, &'static str) = (file!(), include_str!("retry_backoff.rs"));

    async fn run(
        params: RetryBackoffParams,
        run: RunContext,
    ) -> Result<RetryBackoffResult, ScenarioError> {
        let mut policies = Vec::new();
        for (index, backoff) in (0..).zip(Backoff::both(params.base_ms, params.cap_ms)) {
            // Lives until the end of this iteration: a cancelled run drops it, and its port.
            let server = FlakyServer::start(params.failures).await?;
            let addr = server.addr();
            run.phase(format!(
                "part {index}: {} against {addr}, which fails {} request(s); at most {} attempt(s)",
                backoff.kind().label(),
                params.failures,
                params.max_attempts
            ));
            let part = Part {
                index,
                runtime: RuntimeSpec { workers: 0 },
                keep: Keep::Totals,
            };
            let (max_attempts, seed) = (params.max_attempts, params.seed);
            let measured = run_part(&run, part, move |recorder| async move {
                let mut jitter = Jitter::seeded(seed);
                retry(&recorder, addr, backoff, max_attempts, &mut jitter).await
            })
            .await?;
            policies.push(policy_run(
                backoff.kind(),
                &measured.output,
                server.requests(),
                measured.events_dropped,
            ));
        }
        Ok(RetryBackoffResult {
            failures: params.failures,
            base_ms: params.base_ms,
            cap_ms: params.cap_ms,
            max_attempts: params.max_attempts,
            seed: params.seed,
            policies,
        })
    }
}

// [demo:start]
/// How long to wait after the n-th failure.
#[derive(Debug, Clone, Copy)]
pub enum Backoff {
    /// The seed's schedule: `n × base`, so 50, 100, 150 ms… for a base of 50 ms.
    Linear { base: Duration },
    /// `min(cap, base × 2^(n-1))`, of which half is waited for sure and the rest cut by a
    /// random fraction ("equal jitter"): clients that failed together spread out.
    ExponentialJitter { base: Duration, cap: Duration },
}

impl Backoff {
    pub fn delay(self, n: u32, jitter: &mut Jitter) -> Duration {
        match self {
            Backoff::Linear { base } => base * n,
            Backoff::ExponentialJitter { base, cap } => {
                let full = (base * 2u32.pow((n - 1).min(20))).min(cap);
                let half = full / 2;
                half + jitter.up_to(full - half)
            }
        }
    }
}

/// Fetch from `server` until it answers 200 or `max_attempts` have been made, sleeping
/// the backoff's delay after each failure. Every attempt and every sleep is timed on
/// Tokio's clock and on the machine's, which are the same unless the runtime's clock
/// is paused.
pub async fn retry<P: Probe>(
    probe: &P,
    server: SocketAddr,
    backoff: Backoff,
    max_attempts: u32,
    jitter: &mut Jitter,
) -> Vec<Tried> {
    let start = Clocks::now();
    let mut tried = Vec::new();
    let mut planned = Duration::ZERO;
    for attempt in 1..=max_attempts {
        let before_sleep = Clocks::now();
        if attempt > 1 {
            probe.timer("backoff", tokio::time::sleep(planned)).await;
        }
        let slept = before_sleep.elapsed();
        let began = start.elapsed();
        let outcome = fetch_status(probe, server).await;
        let ended = start.elapsed();
        let succeeded = matches!(outcome, Ok(200));
        tried.push(Tried { attempt, planned, slept, began, ended, outcome });
        if succeeded {
            break;
        }
        planned = backoff.delay(attempt, jitter);
    }
    tried
}
// [demo:end]

/// One HTTP/1.1 GET on a fresh connection: the status the server answered.
async fn fetch_status<P: Probe>(probe: &P, server: SocketAddr) -> io::Result<u16> {
    let mut stream = probe.io("connect", TcpStream::connect(server)).await?;
    let request = b"GET / HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n";
    probe.io("send request", stream.write_all(request)).await?;
    let mut reply = Vec::new();
    let mut body = (&mut stream).take(MAX_REPLY_BYTES);
    probe.io("read reply", body.read_to_end(&mut reply)).await?;
    status_of(&reply)
}

/// The status code of an HTTP/1.1 reply's status line.
fn status_of(reply: &[u8]) -> io::Result<u16> {
    let line = reply.split(|&b| b == b'\r').next().unwrap_or_default();
    std::str::from_utf8(line)
        .ok()
        .and_then(|line| line.strip_prefix("HTTP/1.1 "))
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "no HTTP status line"))
}

impl Backoff {
    /// The two policies of a run, in order, from its knobs.
    pub fn both(base_ms: u32, cap_ms: u32) -> [Backoff; 2] {
        let base = Duration::from_millis(base_ms.into());
        let cap = Duration::from_millis(cap_ms.into());
        [
            Backoff::Linear { base },
            Backoff::ExponentialJitter { base, cap },
        ]
    }

    pub fn kind(self) -> BackoffKind {
        match self {
            Backoff::Linear { .. } => BackoffKind::Linear,
            Backoff::ExponentialJitter { .. } => BackoffKind::ExponentialJitter,
        }
    }
}

/// The jitter's pseudo-random numbers: SplitMix64, seeded, so a seed gives the same
/// delays every run (no `rand` crate: a dozen lines do).
#[derive(Debug, Clone)]
pub struct Jitter(u64);

impl Jitter {
    pub fn seeded(seed: u32) -> Self {
        Self(u64::from(seed))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A whole number of milliseconds from 0 to `max` (rounded down to whole ms), so
    /// every planned delay is whole milliseconds, as Tokio's timer counts.
    pub fn up_to(&mut self, max: Duration) -> Duration {
        let ms = max.as_millis() as u64;
        Duration::from_millis(self.next() % (ms + 1))
    }
}

/// A moment on both clocks: Tokio's (`tokio::time::Instant`, which a paused runtime
/// controls) and the machine's (`std::time::Instant`, which nothing pauses).
#[derive(Debug, Clone, Copy)]
pub struct Clocks {
    tokio: tokio::time::Instant,
    real: std::time::Instant,
}

/// A stretch of time as each clock saw it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Both {
    pub tokio: Duration,
    pub real: Duration,
}

impl Clocks {
    pub fn now() -> Self {
        Self {
            tokio: tokio::time::Instant::now(),
            real: std::time::Instant::now(),
        }
    }

    pub fn elapsed(&self) -> Both {
        Both {
            tokio: self.tokio.elapsed(),
            real: self.real.elapsed(),
        }
    }
}

/// One attempt as [`retry`] saw it. Times are from the retry's start.
#[derive(Debug)]
pub struct Tried {
    pub attempt: u32,
    /// The delay planned before this attempt (zero for the first).
    pub planned: Duration,
    /// How long the sleep before it lasted (nothing for the first).
    pub slept: Both,
    pub began: Both,
    pub ended: Both,
    /// The status the server answered.
    pub outcome: io::Result<u16>,
}

/// One policy's attempts, on the machine's clock, and the server's count.
fn policy_run(
    backoff: BackoffKind,
    tried: &[Tried],
    server_requests: u32,
    events_dropped: u64,
) -> PolicyRun {
    let mut previous_end = Duration::ZERO;
    let attempts = tried
        .iter()
        .map(|t| {
            let scheduled = if t.attempt == 1 {
                Duration::ZERO
            } else {
                previous_end + t.planned
            };
            previous_end = t.ended.real;
            RetryAttempt {
                attempt: t.attempt,
                planned_delay_us: duration_us(t.planned),
                slept_us: duration_us(t.slept.real),
                scheduled_us: duration_us(scheduled),
                started_us: duration_us(t.began.real),
                took_us: duration_us(t.ended.real.saturating_sub(t.began.real)),
                status: *t.outcome.as_ref().unwrap_or(&0),
                error: t.outcome.as_ref().err().map(ToString::to_string),
            }
        })
        .collect();
    PolicyRun {
        backoff,
        attempts,
        succeeded: tried.last().is_some_and(|t| matches!(t.outcome, Ok(200))),
        total_us: tried.last().map_or(0, |t| duration_us(t.ended.real)),
        server_requests,
        events_dropped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_grows_by_the_base_and_exponential_doubles_to_the_cap_with_half_kept() {
        let base = Duration::from_millis(50);
        let cap = Duration::from_millis(400);
        let mut jitter = Jitter::seeded(7);
        let linear: Vec<_> = (1..=4)
            .map(|n| Backoff::Linear { base }.delay(n, &mut jitter))
            .collect();
        assert_eq!(linear, [50, 100, 150, 200].map(Duration::from_millis));
        for n in 1..=6u32 {
            let full = (50 << (n - 1)).min(400);
            let d = Backoff::ExponentialJitter { base, cap }.delay(n, &mut jitter);
            assert!(d.as_millis() >= full / 2 && d.as_millis() <= full, "{n}: {d:?}");
            assert_eq!(d.subsec_nanos() % 1_000_000, 0, "whole ms");
        }
        let mut again = Jitter::seeded(7);
        let mut other = Jitter::seeded(8);
        let a: Vec<u64> = (0..8).map(|_| again.next()).collect();
        let b: Vec<u64> = (0..8).map(|_| other.next()).collect();
        assert_eq!(a, {
            let mut j = Jitter::seeded(7);
            (0..8).map(|_| j.next()).collect::<Vec<_>>()
        });
        assert_ne!(a, b, "another seed, other numbers");
    }

    #[test]
    fn a_status_line_gives_its_code() {
        assert_eq!(status_of(b"HTTP/1.1 503 Service Unavailable\r\n\r\n").unwrap(), 503);
        assert_eq!(status_of(b"HTTP/1.1 200 OK\r\n").unwrap(), 200);
        assert!(status_of(b"").is_err());
        assert!(status_of(b"SSH-2.0").is_err());
    }
}
