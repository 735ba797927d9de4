//! Outline section 9 — paused time: the retry code of section 8 on a paused clock.
//!
//! The very same [`retry`] function the retry demo runs for real, with its real sleeps,
//! real loopback server and real status lines, runs here on a `current_thread` runtime
//! built with `start_paused(true)` (Tokio's `test-util` feature; see
//! [`crate::harness::Clock::Paused`]). Tokio's clock then stands still until the runtime
//! has nothing to do but wait for a timer, and then jumps straight to that timer's
//! deadline ("auto-advance"). So seconds of backoff pass in microseconds of real time, and
//! each sleep lasts exactly its planned delay on Tokio's clock.
//!
//! [`retry`] times every sleep and every attempt on both clocks: Tokio's
//! (`tokio::time::Instant`, virtual here) and the machine's (`std::time::Instant`). A
//! sleep's virtual length is the jump the clock made to wake it; an attempt's virtual
//! length is how far the clock moved while it talked to the server.
//!
//! The server runs *inside* the paused runtime, on the same thread, and keeps no timer
//! of its own: while an attempt waits for it, no timer is pending anywhere in the
//! runtime, so there is nothing for the clock to jump to and it waits for the socket as
//! usual. With a server elsewhere and a timer pending (a per-request timeout, say), an
//! idle moment of waiting for a real reply would let the clock jump to that timer: the
//! timeout would fire at once in virtual time, however soon the reply was coming.

use std::io;

use pollscope_shared::instrument::Recorder;
use pollscope_shared::results::{PausedAttempt, PausedPolicy, PausedTimeResult};

use super::Scenario;
use super::retry_backoff::{Backoff, Jitter, Tried, retry};
use super::support::loopback_flaky::FlakyServer;
use crate::harness::{Keep, RunContext, ScenarioError, duration_us, run_part_paused};

crate::params! {
    /// The server, the policies, and when to give up: in virtual time.
    pub struct PausedTimeParams {
        /// Requests the server fails first
        failures: u32 [default 4, min 0, max 9],
        /// Base delay
        base_ms: u32 [default 1000, min 100, max 10000, unit "ms"],
        /// Longest exponential delay
        cap_ms: u32 [default 30000, min 1000, max 60000, unit "ms"],
        /// Attempts before giving up
        max_attempts: u32 [default 6, min 1, max 10],
        /// Jitter seed
        seed: u32 [default 7, min 1, max 1000],
    }
}

pub struct PausedTime;

impl Scenario for PausedTime {
    type Params = PausedTimeParams;
    type Output = PausedTimeResult;
    const SECTION: u8 = 9;
    const TITLE: &'static str = "Paused time: seconds of backoff in milliseconds";
    const SUMMARY: &'static str = "The retry code of section 8, run for real on a current_thread runtime whose clock is paused: virtual time elapsed against real time, and each jump of the clock.";
    const SOURCE: (&'static str, &'static str) = (file!(), include_str!("paused_time.rs"));

    async fn run(
        params: PausedTimeParams,
        run: RunContext,
    ) -> Result<PausedTimeResult, ScenarioError> {
        let mut policies = Vec::new();
        for (index, backoff) in (0..).zip(Backoff::both(params.base_ms, params.cap_ms)) {
            run.phase(format!(
                "part {index}: {} on a paused clock, against a server that fails {} request(s)",
                backoff.kind().label(),
                params.failures
            ));
            let PausedTimeParams {
                failures,
                max_attempts,
                seed,
                ..
            } = params;
            let measured = run_part_paused(&run, index, Keep::Totals, move |recorder| {
                paused_retries(recorder, backoff, failures, max_attempts, seed)
            })
            .await?;
            let (tried, server_requests) = measured.output?;
            policies.push(paused_policy(
                backoff,
                &tried,
                server_requests,
                measured.events_dropped,
            ));
        }
        Ok(PausedTimeResult {
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
/// The part's main task, on the runtime `harness::runtime` built with
/// `Builder::new_current_thread().enable_all().start_paused(true)`: the retry code of
/// section 8, unchanged. Its server starts here, so it runs on this same runtime and
/// thread: while an attempt waits for it no timer is pending, and the clock stays put.
/// At each backoff sleep the runtime has nothing else to do, so Tokio's clock jumps to
/// the sleep's deadline, and the sleep returns at once in real time.
async fn paused_retries(
    recorder: Recorder,
    backoff: Backoff,
    failures: u32,
    max_attempts: u32,
    seed: u32,
) -> io::Result<(Vec<Tried>, u32)> {
    let server = FlakyServer::start(failures).await?;
    let mut jitter = Jitter::seeded(seed);
    let tried = retry(&recorder, server.addr(), backoff, max_attempts, &mut jitter).await;
    Ok((tried, server.requests()))
}
// [demo:end]

/// One policy's attempts on both clocks, and the server's count.
fn paused_policy(
    backoff: Backoff,
    tried: &[Tried],
    server_requests: u32,
    events_dropped: u64,
) -> PausedPolicy {
    let attempts = tried
        .iter()
        .map(|t| PausedAttempt {
            attempt: t.attempt,
            planned_delay_us: duration_us(t.planned),
            virtual_slept_us: duration_us(t.slept.tokio),
            real_slept_us: duration_us(t.slept.real),
            virtual_started_us: duration_us(t.began.tokio),
            real_started_us: duration_us(t.began.real),
            virtual_took_us: duration_us(t.ended.tokio.saturating_sub(t.began.tokio)),
            real_took_us: duration_us(t.ended.real.saturating_sub(t.began.real)),
            status: *t.outcome.as_ref().unwrap_or(&0),
            error: t.outcome.as_ref().err().map(ToString::to_string),
        })
        .collect();
    let last = tried.last();
    PausedPolicy {
        backoff: backoff.kind(),
        attempts,
        succeeded: last.is_some_and(|t| matches!(t.outcome, Ok(200))),
        virtual_total_us: last.map_or(0, |t| duration_us(t.ended.tokio)),
        real_total_us: last.map_or(0, |t| duration_us(t.ended.real)),
        server_requests,
        events_dropped,
    }
}
