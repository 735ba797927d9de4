//! One run of a scenario, as a task of its session: the scenario under the server's run
//! time limit, counted in the live-run gauge and among the runs in flight however it ends,
//! its result carried with the count of other runs that overlapped it.
//!
//! Uses the scenarios, the harness's [`RunContext`] and [`crate::metrics`].

use std::sync::Arc;
use std::time::Duration;

use pollscope_shared::load::RunLoad;
use pollscope_shared::results::ScenarioResult;
use pollscope_shared::{ErrorCode, ProtocolError};

use crate::harness::RunContext;
use crate::metrics::{GaugeGuard, Gauges};
use crate::overlap::InFlight;
use crate::scenarios::RunFuture;

/// How a run ended when it was not cancelled.
#[derive(Debug)]
pub enum RunOutcome {
    /// The result, and what the server saw of the machine meanwhile.
    Finished(ScenarioResult, RunLoad),
    Failed(ProtocolError),
}

/// The body of a run task: the started scenario under the run time limit. The guards keep
/// the live-run gauge and the runs in flight honest even when the session aborts the task.
///
/// The run counts as in flight from this call, not from the task's first poll, so a run
/// the session has announced (`run_started`) is already counted when the next one starts.
pub fn run_scenario(
    scenario: RunFuture,
    ctx: RunContext,
    gauges: Arc<Gauges>,
    limit: Duration,
) -> impl Future<Output = RunOutcome> + Send + 'static {
    let in_flight = gauges.overlaps.start();
    run_counted(scenario, ctx, gauges, limit, in_flight)
}

async fn run_counted(
    scenario: RunFuture,
    ctx: RunContext,
    gauges: Arc<Gauges>,
    limit: Duration,
    in_flight: InFlight,
) -> RunOutcome {
    let _live = GaugeGuard::new(gauges, |g| &g.live_runs);
    let run_id = ctx.run_id;
    let outcome = match tokio::time::timeout(limit, scenario).await {
        Ok(Ok(result)) => RunOutcome::Finished(
            result,
            RunLoad {
                other_runs: in_flight.other_runs(),
                threads: ctx.thread_load(),
            },
        ),
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
