//! [`Probe`]: write a workload once, run it instrumented or not.
//!
//! Scenario code wraps its tasks and await points through a `Probe`. With a [`Recorder`]
//! they are recorded; with [`NoProbe`] the wrappers are the futures themselves, so the
//! uninstrumented baseline of a benchmark is exactly the plain code, not a recorder that
//! happens to be switched off.

use std::future::Future;

use super::event::Name;
use super::recorder::Recorder;
use super::span::AwaitPoint;
use super::task::Instrumented;

/// The `Send` bounds let the wrapped futures go to a multi-threaded runtime's `spawn`.
pub trait Probe: Clone + Send + Sync + 'static {
    type Task<F: Future + Send + 'static>: Future<Output = F::Output> + Send + 'static;
    type Wait<F: Future + Send>: Future<Output = F::Output> + Send;

    /// Wrap a future that is about to be spawned as a task.
    fn task<F: Future + Send + 'static>(&self, name: impl Into<Name>, future: F) -> Self::Task<F>;
    /// A named `.await` on a socket.
    fn io<F: Future + Send>(&self, name: &'static str, future: F) -> Self::Wait<F>;
    /// A named `.await` on a timer.
    fn timer<F: Future + Send>(&self, name: &'static str, future: F) -> Self::Wait<F>;
    /// A named `.await` on anything else.
    fn point<F: Future + Send>(&self, name: &'static str, future: F) -> Self::Wait<F>;
}

impl Probe for Recorder {
    type Task<F: Future + Send + 'static> = Instrumented<F>;
    type Wait<F: Future + Send> = AwaitPoint<F>;

    fn task<F: Future + Send + 'static>(
        &self,
        name: impl Into<Name>,
        future: F,
    ) -> Instrumented<F> {
        Recorder::task(self, name, future)
    }
    fn io<F: Future + Send>(&self, name: &'static str, future: F) -> AwaitPoint<F> {
        Recorder::io(self, name, future)
    }
    fn timer<F: Future + Send>(&self, name: &'static str, future: F) -> AwaitPoint<F> {
        Recorder::timer(self, name, future)
    }
    fn point<F: Future + Send>(&self, name: &'static str, future: F) -> AwaitPoint<F> {
        Recorder::point(self, name, future)
    }
}

/// Records nothing and adds nothing: every wrapper is the future itself.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProbe;

impl Probe for NoProbe {
    type Task<F: Future + Send + 'static> = F;
    type Wait<F: Future + Send> = F;

    fn task<F: Future + Send + 'static>(&self, _name: impl Into<Name>, future: F) -> F {
        future
    }
    fn io<F: Future + Send>(&self, _name: &'static str, future: F) -> F {
        future
    }
    fn timer<F: Future + Send>(&self, _name: &'static str, future: F) -> F {
        future
    }
    fn point<F: Future + Send>(&self, _name: &'static str, future: F) -> F {
        future
    }
}
