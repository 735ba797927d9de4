//! Real Tokio runtimes for scenarios, built per run and hosted on a thread of their own.
//!
//! A scenario's runtime is separate from the server's, so what the learner sees (workers,
//! parks, polls) is only the scenario's work. `current_thread` runs everything on the
//! hosting thread; `multi_thread` has N workers. Worker park and unpark are recorded
//! through the runtime's `on_thread_park` / `on_thread_unpark` hooks, which stable Tokio
//! has, so no `tokio_unstable` is needed.
//!
//! Each runtime thread, and the hosting thread, adds its scheduler figures to the part's
//! [`Tally`] as it stops (see [`super::schedstat`]).
//!
//! A part may ask for Tokio's clock to start paused ([`Clock::Paused`], a `current_thread`
//! runtime built with `start_paused(true)`, from Tokio's `test-util` feature): its timers
//! then follow a virtual clock that jumps to the next timer whenever the runtime has
//! nothing else to do, while the machine's clock and the recorder's go on as ever.
//!
//! Cancelling the run (dropping [`run_hosted`]'s future) cancels the scenario: the host
//! thread stops waiting, shuts the runtime down (which drops every task, recorded as
//! cancelled, and closes their sockets) and exits.

use std::future::Future;
use std::io;
use std::time::{Duration, Instant};

use pollscope_shared::instrument::Recorder;
use pollscope_shared::load::ThreadLoad;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

use super::context::duration_us;
use super::error::ScenarioError;
use super::schedstat::Tally;

/// Most workers a scenario runtime may have.
pub const MAX_WORKERS: u32 = 4;
/// How long a shutting-down scenario runtime gets to drop its tasks.
const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(2);

/// Which runtime: 0 workers means `current_thread`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuntimeSpec {
    pub workers: u32,
}

impl RuntimeSpec {
    pub fn flavor_name(&self) -> &'static str {
        if self.workers == 0 {
            "current_thread"
        } else {
            "multi_thread"
        }
    }
}

/// Whose time a runtime's timers follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// The machine's.
    Real,
    /// Tokio's own, paused at the start: it moves only when the runtime has nothing to do
    /// but wait for a timer, and then straight to that timer's deadline. Only a
    /// `current_thread` runtime can have it.
    Paused,
}

/// Build the runtime, with park hooks recording into `recorder` if there is one, and each
/// worker or blocking thread adding its scheduler figures to `tally` as it stops.
pub fn build(
    spec: RuntimeSpec,
    recorder: Option<&Recorder>,
    tally: &Tally,
) -> io::Result<tokio::runtime::Runtime> {
    build_on(spec, Clock::Real, recorder, tally)
}

/// [`build`], on the given clock (a paused one only on `current_thread`).
fn build_on(
    spec: RuntimeSpec,
    clock: Clock,
    recorder: Option<&Recorder>,
    tally: &Tally,
) -> io::Result<tokio::runtime::Runtime> {
    if clock == Clock::Paused && spec.workers != 0 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "a paused clock needs a current_thread runtime",
        ));
    }
    let mut builder = if spec.workers == 0 {
        tokio::runtime::Builder::new_current_thread()
    } else {
        let mut b = tokio::runtime::Builder::new_multi_thread();
        b.worker_threads(spec.workers.min(MAX_WORKERS) as usize);
        b
    };
    builder
        .enable_all()
        .thread_name("scenario-runtime")
        .max_blocking_threads(8);
    if clock == Clock::Paused {
        builder.start_paused(true);
    }
    let stops = tally.clone();
    builder.on_thread_stop(move || stops.this_thread_stops());
    if let Some(recorder) = recorder {
        let parked = recorder.clone();
        let unparked = recorder.clone();
        builder.on_thread_park(move || parked.on_park());
        builder.on_thread_unpark(move || unparked.on_unpark());
    }
    builder.build()
}

/// Cancels the token when dropped: the run was cancelled or timed out.
struct CancelOnDrop(CancellationToken);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

/// Run `make()` as the main task of a fresh runtime on its own thread, and wait for it
/// without blocking the server's runtime.
pub async fn run_hosted<T, F, Fut>(
    spec: RuntimeSpec,
    recorder: Option<Recorder>,
    make: F,
) -> Result<T, ScenarioError>
where
    T: Send + 'static,
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    run_hosted_measured(spec, recorder, make).await.0
}

/// [`run_hosted`], also returning what its threads went through: their time on a CPU and
/// waiting for one, and the hosting thread's wall time (`None` where the OS does not say,
/// or when the thread died).
pub async fn run_hosted_measured<T, F, Fut>(
    spec: RuntimeSpec,
    recorder: Option<Recorder>,
    make: F,
) -> (Result<T, ScenarioError>, Option<ThreadLoad>)
where
    T: Send + 'static,
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    run_hosted_on(spec, Clock::Real, recorder, make).await
}

/// [`run_hosted_measured`], on the given clock.
pub async fn run_hosted_on<T, F, Fut>(
    spec: RuntimeSpec,
    clock: Clock,
    recorder: Option<Recorder>,
    make: F,
) -> (Result<T, ScenarioError>, Option<ThreadLoad>)
where
    T: Send + 'static,
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    let cancel = CancellationToken::new();
    let _cancel_on_drop = CancelOnDrop(cancel.clone());
    let (done_tx, done_rx) = oneshot::channel();
    let spawned = std::thread::Builder::new()
        .name("scenario-host".into())
        .spawn(move || {
            let started = Instant::now();
            let tally = Tally::default();
            let runtime = match build_on(spec, clock, recorder.as_ref(), &tally) {
                Ok(runtime) => runtime,
                Err(e) => {
                    let _ = done_tx.send((Err(ScenarioError::from(e)), None));
                    return;
                }
            };
            let outcome = runtime.block_on(async {
                let main = tokio::spawn(make());
                tokio::select! {
                    joined = main => joined.map_err(|e| ScenarioError::new(format!("main task: {e}"))),
                    () = cancel.cancelled() => Err(ScenarioError::new("cancelled")),
                }
            });
            // Shutting down waits for the runtime's threads, so each has reported by now
            // (one stuck past the timeout has not, and is missing from the count).
            runtime.shutdown_timeout(SHUTDOWN_TIMEOUT);
            tally.this_thread_stops();
            let load = tally.total(duration_us(started.elapsed()));
            let _ = done_tx.send((outcome, load));
        });
    if let Err(e) = spawned {
        let message = format!("cannot start the scenario's thread: {e}");
        return (Err(ScenarioError::new(message)), None);
    }
    done_rx.await.unwrap_or_else(|_| {
        let died = ScenarioError::new("the scenario's thread died");
        (Err(died), None)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// On a paused clock a long sleep is one jump of Tokio's clock, to its deadline.
    #[tokio::test]
    async fn a_paused_runtime_jumps_its_clock_to_the_next_timer() {
        let spec = RuntimeSpec { workers: 0 };
        let (moved, _) = run_hosted_on(spec, Clock::Paused, None, || async {
            let before = tokio::time::Instant::now();
            tokio::time::sleep(Duration::from_secs(30)).await;
            before.elapsed()
        })
        .await;
        assert_eq!(moved.unwrap(), Duration::from_secs(30));
        let workers = RuntimeSpec { workers: 2 };
        let (refused, _) = run_hosted_on(workers, Clock::Paused, None, || async {}).await;
        assert!(
            refused.is_err(),
            "a paused clock on multi_thread is refused"
        );
    }
}
