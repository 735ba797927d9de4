//! One run of a scenario, as a task of its session: first its turn for a run slot
//! (reporting its place in the queue while it waits), then the scenario under the server's
//! run time limit, counted in the live-run gauge and among the runs in flight however it
//! ends, its result carried with the count of other runs that overlapped it.
//!
//! Uses the scenarios, the harness's [`RunContext`], [`crate::slots`] and
//! [`crate::metrics`].

use std::sync::Arc;
use std::time::{Duration, Instant};

use pollscope_shared::load::RunLoad;
use pollscope_shared::results::ScenarioResult;
use pollscope_shared::{ErrorCode, ProtocolError, ServerMessage};

use crate::harness::{Outbound, RunContext};
use crate::metrics::{GaugeGuard, Gauges};
use crate::overlap::InFlight;
use crate::scenarios::RunFuture;
use crate::slots::{Place, Ticket};

/// How a run ended when it was not cancelled.
#[derive(Debug)]
pub enum RunOutcome {
    /// The result, and what the server saw of the machine meanwhile.
    Finished(ScenarioResult, RunLoad),
    Failed(ProtocolError),
}

/// The body of a run task: its turn for a slot, then the started scenario under the run
/// time limit. The guards (the ticket, the gauge, the in-flight count) stay honest even
/// when the session aborts the task, queued or running.
///
/// A run that got its slot at once counts as in flight from this call, not from the
/// task's first poll, so a run the session has announced (`run_started`) is already
/// counted when the next one starts. A queued run counts from when it gets its slot:
/// waiting in the queue takes no CPU from anyone.
pub fn run_scenario(
    scenario: RunFuture,
    ctx: RunContext,
    gauges: Arc<Gauges>,
    limit: Duration,
    mut ticket: Ticket,
) -> impl Future<Output = RunOutcome> + Send + 'static {
    let at_once = matches!(ticket.place(), Place::Running).then(|| gauges.overlaps.start());
    async move {
        let in_flight = match at_once {
            Some(in_flight) => in_flight,
            None => {
                wait_for_slot(&ctx, &mut ticket).await;
                gauges.overlaps.start()
            }
        };
        ctx.start_clock();
        let outcome = run_counted(scenario, ctx, gauges, limit, in_flight).await;
        drop(ticket);
        outcome
    }
}

/// Wait in the queue, telling the client its place when it joins and each time it moves
/// up, and how long it waited once it got the slot. A report the session's queue has no
/// room for is skipped: the next one says the same, newer.
async fn wait_for_slot(ctx: &RunContext, ticket: &mut Ticket) {
    let (run_id, tx) = (ctx.run_id, ctx.outbound());
    let report = |message| {
        let _ = tx.try_send(Outbound::Message(message));
    };
    let queued = Instant::now();
    if let Place::Queued { ahead } = ticket.place() {
        report(ServerMessage::RunQueued { run_id, ahead });
    }
    ticket
        .running(|ahead| report(ServerMessage::RunQueued { run_id, ahead }))
        .await;
    let waited_ms = u64::try_from(queued.elapsed().as_millis()).unwrap_or(u64::MAX);
    tracing::info!(run_id, waited_ms, "run got its slot");
    report(ServerMessage::RunAdmitted { run_id, waited_ms });
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
