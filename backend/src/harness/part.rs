//! One instrumented part of a run: the scaffold every scenario's recorded work runs in.
//!
//! A part is a fresh Tokio runtime of the given flavour, a fresh recorder hooked into its
//! worker parks, the aggregator streaming the recorder's events to the browser as part
//! `index` of the run, and the part's main future running as the recorded task `"main"`.
//! When the main task ends (or the run is cancelled) the runtime is shut down, so every
//! task's end is recorded, and the aggregator's last batch is sent before [`run_part`]
//! returns, and the part's thread figures are added to the run's. A scenario with several parts (one per runtime flavour, one per N) calls it
//! once per part. [`run_part_paused`] is the same on a `current_thread` runtime whose clock
//! starts paused.
//!
//! Uses the other harness modules and `shared`'s recorder.

use std::future::Future;

use pollscope_shared::instrument::{Probe, Recorder};

use super::context::RunContext;
use super::error::ScenarioError;
use super::events::{EventStream, Folded, Keep};
use super::runtime::{Clock, RuntimeSpec, run_hosted_on};

/// Which part of the run, on which runtime, keeping what of its events.
#[derive(Debug, Clone, Copy)]
pub struct Part {
    /// The part's number in the event batches (0 for a one-part run).
    pub index: u32,
    pub runtime: RuntimeSpec,
    pub keep: Keep,
}

impl Part {
    /// Part 0 on `runtime`, keeping only run-wide totals.
    pub fn single(runtime: RuntimeSpec) -> Self {
        Self {
            index: 0,
            runtime,
            keep: Keep::Totals,
        }
    }
}

/// What a part measured: its main future's output and what its events added up to.
#[derive(Debug)]
pub struct PartOutcome<T> {
    pub output: T,
    pub folded: Folded,
    /// Events the recorder dropped because a thread's buffer was full.
    pub events_dropped: u64,
}

/// Run `main(recorder)` as the recorded task `"main"` of a fresh runtime, streaming its
/// events as part `part.index` of `run`.
pub async fn run_part<T, F, Fut>(
    run: &RunContext,
    part: Part,
    main: F,
) -> Result<PartOutcome<T>, ScenarioError>
where
    T: Send + 'static,
    F: FnOnce(Recorder) -> Fut + Send + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    run_part_on(run, part, Clock::Real, main).await
}

/// [`run_part`] on a `current_thread` runtime whose clock starts paused (see
/// [`Clock::Paused`]): part `index`, keeping `keep` of its events. The recorder's times
/// stay on the machine's clock.
pub async fn run_part_paused<T, F, Fut>(
    run: &RunContext,
    index: u32,
    keep: Keep,
    main: F,
) -> Result<PartOutcome<T>, ScenarioError>
where
    T: Send + 'static,
    F: FnOnce(Recorder) -> Fut + Send + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    let runtime = RuntimeSpec { workers: 0 };
    let part = Part {
        index,
        runtime,
        keep,
    };
    run_part_on(run, part, Clock::Paused, main).await
}

async fn run_part_on<T, F, Fut>(
    run: &RunContext,
    part: Part,
    clock: Clock,
    main: F,
) -> Result<PartOutcome<T>, ScenarioError>
where
    T: Send + 'static,
    F: FnOnce(Recorder) -> Fut + Send + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    let recorder = Recorder::new(run.recorder_capacity);
    let events = EventStream::start(recorder.clone(), run, part.index, part.keep);
    let probe = recorder.clone();
    let (output, load) = run_hosted_on(part.runtime, clock, Some(recorder.clone()), move || {
        Probe::task(&probe, "main", main(probe.clone()))
    })
    .await;
    run.add_part_load(load);
    // Whatever became of the main task, the runtime is gone now: send its last events.
    let folded = events.finish().await;
    Ok(PartOutcome {
        output: output?,
        folded,
        events_dropped: recorder.dropped(),
    })
}
