//! One run of a scenario, as a task of its session: the scenario under the server's run
//! time limit, counted in the live-run gauge however it ends.
//!
//! Uses the scenarios, the harness's [`RunContext`] and [`crate::metrics`].

use std::sync::Arc;
use std::time::Duration;

use pollscope_shared::results::ScenarioResult;
use pollscope_shared::{ErrorCode, ProtocolError};

use crate::harness::RunContext;
use crate::metrics::{GaugeGuard, Gauges};
use crate::scenarios::RunFuture;

/// How a run ended when it was not cancelled.
#[derive(Debug)]
pub enum RunOutcome {
    Finished(ScenarioResult),
    Failed(ProtocolError),
}

/// The body of a run task: the started scenario under the run time limit. The guard keeps
/// the live-run gauge honest even when the session aborts the task.
pub async fn run_scenario(
    scenario: RunFuture,
    ctx: RunContext,
    gauges: Arc<Gauges>,
    limit: Duration,
) -> RunOutcome {
    let _live = GaugeGuard::new(gauges, |g| &g.live_runs);
    let run_id = ctx.run_id;
    let outcome = match tokio::time::timeout(limit, scenario).await {
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
