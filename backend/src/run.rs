//! One run of a scenario, as a task of its session.
//!
//! A run talks to its session through a bounded queue of [`Outbound`] frames. Progress
//! events use `try_send`: a slow browser can make them drop (they are counted), but it can
//! never stall the code being measured. Recorded events take another road: the recorder
//! buffers them and one aggregator per run ([`crate::events`]) sends them in batches.
//! The run's whole future is wrapped in the server's run time limit, and holds a
//! [`GaugeGuard`] so the live-run gauge falls back even when the session aborts the task.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use pollscope_shared::protocol::EventEncoding;
use pollscope_shared::results::{ProgressEvent, ScenarioResult};
use pollscope_shared::scenario::ParamValues;
use pollscope_shared::{ErrorCode, ProtocolError, ServerMessage};
use tokio::sync::mpsc;

use crate::scenarios::ScenarioId;
use crate::server::{GaugeGuard, Gauges};

/// A frame for the session to write to the socket.
#[derive(Debug)]
pub enum Outbound {
    Message(ServerMessage),
    /// A binary event batch (see `pollscope_shared::instrument::batch`).
    Binary(Vec<u8>),
}

/// What a running scenario knows about its run: its id, its clock, and its way out.
#[derive(Clone)]
pub struct RunContext {
    pub run_id: u64,
    pub encoding: EventEncoding,
    started: Instant,
    tx: mpsc::Sender<Outbound>,
    dropped: Arc<AtomicU64>,
    pub gauges: Arc<Gauges>,
}

impl RunContext {
    pub fn new(
        run_id: u64,
        encoding: EventEncoding,
        tx: mpsc::Sender<Outbound>,
        gauges: Arc<Gauges>,
    ) -> Self {
        Self {
            run_id,
            encoding,
            started: Instant::now(),
            tx,
            dropped: Arc::default(),
            gauges,
        }
    }

    /// Microseconds since the run started, on the monotonic clock.
    pub fn elapsed_us(&self) -> u64 {
        duration_us(self.started.elapsed())
    }

    /// Queue a progress event for the browser, or count it as dropped if the queue is full.
    pub fn emit(&self, event: ProgressEvent) {
        let message = ServerMessage::Progress {
            run_id: self.run_id,
            event,
        };
        if self.tx.try_send(Outbound::Message(message)).is_err() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub fn phase(&self, name: impl Into<String>) {
        self.emit(ProgressEvent::Phase {
            at_us: self.elapsed_us(),
            name: name.into(),
        });
    }

    /// The session's queue, for the event aggregator (which may wait on it: it is not on
    /// the path of the code being measured).
    pub fn outbound(&self) -> mpsc::Sender<Outbound> {
        self.tx.clone()
    }

    pub fn dropped_progress(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

/// Whole microseconds, saturating (a run is bounded to minutes, so this never saturates).
pub fn duration_us(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

/// How a run ended when it was not cancelled.
#[derive(Debug)]
pub enum RunOutcome {
    Finished(ScenarioResult),
    Failed(ProtocolError),
}

/// The body of a run task: the scenario under the run time limit.
pub async fn run_scenario(
    scenario: ScenarioId,
    params: ParamValues,
    ctx: RunContext,
    limit: Duration,
) -> RunOutcome {
    let _live = GaugeGuard::new(ctx.gauges.clone(), |g| &g.live_runs);
    let run_id = ctx.run_id;
    let outcome = match tokio::time::timeout(limit, scenario.run(&params, ctx.clone())).await {
        Ok(Ok(result)) => RunOutcome::Finished(result),
        Ok(Err(e)) => RunOutcome::Failed(ProtocolError::new(
            ErrorCode::RunFailed,
            format!("run {run_id} failed: {e}"),
        )),
        Err(_) => RunOutcome::Failed(ProtocolError::new(
            ErrorCode::RunTimedOut,
            format!("run {run_id} exceeded the {} s run limit", limit.as_secs()),
        )),
    };
    if ctx.dropped_progress() > 0 {
        tracing::warn!(
            run_id,
            dropped = ctx.dropped_progress(),
            "progress events dropped"
        );
    }
    outcome
}
