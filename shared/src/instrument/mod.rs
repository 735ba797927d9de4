//! Instrumentation of futures, independent of any runtime.
//!
//! What it records, per task: its spawn (name, parent, async or blocking), every poll as
//! one event at its end (on which lane, how long, Pending or Ready, which named await
//! point it resumed at and which one it left the task waiting on), every wake (of whom,
//! by whom, `wake` or `wake_by_ref`), waker clones and drops, named await points as
//! nested spans, and how the task ended (ok, error, panic, cancelled). Per lane (an OS
//! thread of a runtime): park and unpark.
//!
//! How it stays cheap and never blocks the code it watches:
//! - one [`Recorder`] per run holds a bounded buffer per recording thread; recording is a
//!   counter read and a push of a 40-byte record under that thread's own lock, never an
//!   `.await`, never an allocation for static names; when a buffer is full the event is
//!   dropped and counted, and the count is sent to the user with every batch;
//! - a poll is one record, written when it ends, with one lock: its start is a counter
//!   read kept on the stack, and the await points it resumed at and left waiting on ride
//!   in the same record; what else happens inside a poll and needs no time of its own (a waker cloned)
//!   reuses the thread's last time;
//! - a task's waker takes references in batches, so handing one to a socket costs no
//!   atomic operation;
//! - one aggregator (the backend's, or a test) drains the buffers, merging threads in
//!   time order, and encodes straight from the records.
//!
//! Layout, in layers: each file uses only files listed before it (in its layer or the
//! layers above), so there are no cycles.
//! 1. The data and its encodings:
//!    - [`event`]: the event types, which are also the wire format.
//!    - `record`: the compact form events take in the buffers, with their names out of line;
//!      `wire`: its postcard encoding.
//!    - [`batch`]: event batches and their two encodings (postcard binary, JSON).
//!    - [`stats`]: per-task numbers (polls, busy / scheduled / idle time, wakes by source)
//!      computed from events, the same way on the server and in the browser.
//!    - `stage`: what one poll gathers about its await points for its record, and
//!      [`Resource`], what an await point waits on.
//!    - `clock`: the run's clock: raw counter readings on the hot path, converted to
//!      nanoseconds on the monotonic clock when drained.
//!    - `spin`: the lock on a recording thread's buffer, whose release is a plain store.
//! 2. [`recorder`]: the bounded buffers, their drains, and the lanes (which thread is
//!    which). It knows nothing of tasks being polled.
//! 3. `context`: the per-thread task context (which task is running on this thread), set
//!    only for the length of a closure; and what the recorder does that depends on it.
//! 4. What instruments code, through the context:
//!    - [`task`]: [`Instrumented`], the wrapper future that records a task's life, and the
//!      waker it hands to the code inside so wakes, clones and drops are seen.
//!    - [`span`]: [`AwaitPoint`], a named `.await` inside a task.
//!    - `blocking`: blocking work, recorded as a task of one poll.
//! 5. [`probe`]: [`Probe`], so workload code is written once and runs instrumented
//!    ([`Recorder`]) or plain ([`NoProbe`]).

pub mod batch;
mod blocking;
mod clock;
mod context;
pub mod event;
pub mod probe;
mod record;
pub mod recorder;
pub mod span;
#[doc(hidden)]
pub mod spin;
mod stage;
pub mod stats;
pub mod task;
mod wire;

pub use event::{
    Event, EventKind, LaneId, PollEvent, PollOutcome, SpanId, SpawnEvent, TaskId, TaskKind,
    TaskOutcome, Wait, WakeSource,
};
pub use probe::{NoProbe, Probe};
pub use recorder::Recorder;
pub use span::{AwaitPoint, Resource};
pub use task::Instrumented;
