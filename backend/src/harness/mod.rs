//! The harness: what every scenario's recorded work runs in.
//!
//! - [`context`]: [`RunContext`], a run's id, clock, limits and outbound queue.
//! - [`runtime`]: real Tokio runtimes built per part, hosted on a thread of their own,
//!   with worker park and unpark recorded, on the machine's clock or a paused one.
//! - [`events`]: the per-part aggregator that drains the recorder and sends event batches.
//! - [`schedstat`]: how long a part's threads ran and waited for a CPU.
//! - [`part`]: [`run_part`], the one scaffold that puts those together for a part.
//! - [`error`]: [`ScenarioError`], how a scenario fails.
//!
//! The harness knows nothing of any scenario, session or HTTP: it uses only `shared` and
//! Tokio; the limits it applies arrive in the [`RunContext`].

pub mod context;
pub mod error;
pub mod events;
pub mod part;
pub mod runtime;
pub mod schedstat;

pub use context::{Outbound, RunContext, duration_us};
pub use error::ScenarioError;
pub use events::Keep;
pub use part::{Part, PartOutcome, run_part, run_part_paused};
pub use runtime::{Clock, MAX_WORKERS, RuntimeSpec};
