//! One run of a scenario, as a task of its session.
//!
//! The run reports progress through a bounded channel with `try_send`: a slow browser can
//! make progress messages drop (they are counted), but it can never stall the code being
//! measured. The run's whole future is wrapped in the server's run time limit, and holds
//! a [`GaugeGuard`] so the live-run gauge falls back even when the session aborts the task.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use pollscope_shared::results::{ProgressEvent, ScenarioResult};
use pollscope_shared::scenario::ParamValues;
use pollscope_shared::{ErrorCode, ProtocolError, ServerMessage};
use tokio::sync::mpsc;

use crate::scenarios::ScenarioId;
use crate::server::{GaugeGuard, Gauges};

/// Hands a run's progress events to its session without ever waiting.
#[derive(Clone)]
pub struct Progress {
    run_id: u64,
    started: Instant,
    tx: mpsc::Sender<ServerMessage>,
    dropped: Arc<AtomicU64>,
}

impl Progress {
    pub fn new(run_id: u64, tx: mpsc::Sender<ServerMessage>) -> Self {
        Self {
            run_id,
            started: Instant::now(),
            tx,
            dropped: Arc::default(),
        }
    }

    /// Microseconds since the run started, on the monotonic clock.
    pub fn elapsed_us(&self) -> u64 {
        duration_us(self.started.elapsed())
    }

    /// Queue an event for the browser, or count it as dropped if the queue is full.
    pub fn emit(&self, event: ProgressEvent) {
        let message = ServerMessage::Progress {
            run_id: self.run_id,
            event,
        };
        if self.tx.try_send(message).is_err() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub fn phase(&self, name: impl Into<String>) {
        self.emit(ProgressEvent::Phase {
            at_us: self.elapsed_us(),
            name: name.into(),
        });
    }

    pub fn dropped(&self) -> u64 {
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
    progress: Progress,
    limit: Duration,
    gauges: Arc<Gauges>,
) -> RunOutcome {
    let _live = GaugeGuard::new(gauges, |g| &g.live_runs);
    let run_id = progress.run_id;
    let outcome = match tokio::time::timeout(limit, scenario.run(&params, progress.clone())).await {
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
    if progress.dropped() > 0 {
        tracing::warn!(
            run_id,
            dropped = progress.dropped(),
            "progress events dropped"
        );
    }
    outcome
}
