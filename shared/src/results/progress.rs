//! Progress events: what a run streams while it runs, before its result.

use serde::{Deserialize, Serialize};

use super::seq_vs_concurrent::Strategy;

/// Something that happened during a run, streamed while it runs. `at_us` is relative to
/// the run's start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ProgressEvent {
    /// A phase of the run began, e.g. the servers are listening or a strategy starts.
    Phase { at_us: u64, name: String },
    FetchStarted {
        at_us: u64,
        strategy: Strategy,
        server: String,
    },
    FetchFinished {
        at_us: u64,
        strategy: Strategy,
        server: String,
        elapsed_us: u64,
    },
}

impl ProgressEvent {
    pub fn at_us(&self) -> u64 {
        match self {
            Self::Phase { at_us, .. }
            | Self::FetchStarted { at_us, .. }
            | Self::FetchFinished { at_us, .. } => *at_us,
        }
    }
}
