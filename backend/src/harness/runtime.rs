//! Real Tokio runtimes for scenarios, built per run and hosted on a thread of their own.
//!
//! A scenario's runtime is separate from the server's, so what the learner sees (workers,
//! parks, polls) is only the scenario's work. `current_thread` runs everything on the
//! hosting thread; `multi_thread` has N workers. Worker park and unpark are recorded
//! through the runtime's `on_thread_park` / `on_thread_unpark` hooks, which stable Tokio
//! has, so no `tokio_unstable` is needed.
//!
//! Cancelling the run (dropping [`run_hosted`]'s future) cancels the scenario: the host
//! thread stops waiting, shuts the runtime down (which drops every task, recorded as
//! cancelled, and closes their sockets) and exits.

use std::future::Future;
use std::io;
use std::time::Duration;

use pollscope_shared::instrument::Recorder;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

use super::error::ScenarioError;

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

/// Build the runtime, with park hooks recording into `recorder` if there is one.
pub fn build(
    spec: RuntimeSpec,
    recorder: Option<&Recorder>,
) -> io::Result<tokio::runtime::Runtime> {
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
    let cancel = CancellationToken::new();
    let _cancel_on_drop = CancelOnDrop(cancel.clone());
    let (done_tx, done_rx) = oneshot::channel();
    std::thread::Builder::new()
        .name("scenario-host".into())
        .spawn(move || {
            let runtime = match build(spec, recorder.as_ref()) {
                Ok(runtime) => runtime,
                Err(e) => {
                    let _ = done_tx.send(Err(ScenarioError::from(e)));
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
            runtime.shutdown_timeout(SHUTDOWN_TIMEOUT);
            let _ = done_tx.send(outcome);
        })
        .map_err(|e| ScenarioError::new(format!("cannot start the scenario's thread: {e}")))?;
    done_rx
        .await
        .unwrap_or_else(|_| Err(ScenarioError::new("the scenario's thread died")))
}
