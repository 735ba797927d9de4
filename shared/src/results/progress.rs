//! Progress events: what a run streams while it runs, before its result.

use serde::{Deserialize, Serialize};

use super::seq_vs_concurrent::Strategy;
use crate::tag_first::{TagFirst, fields};

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

/// Read with the `kind` tag first (see [`crate::tag_first`]): each variant's fields as a
/// struct of their own, decoded straight from the rest of the object.
impl TagFirst for ProgressEvent {
    const TAG: &'static str = "kind";
    const VARIANTS: &'static [&'static str] = &["phase", "fetch_started", "fetch_finished"];

    fn rest<'de, A: serde::de::MapAccess<'de>>(tag: &str, rest: A) -> Result<Self, A::Error> {
        #[derive(Deserialize)]
        struct Phase {
            at_us: u64,
            name: String,
        }
        #[derive(Deserialize)]
        struct Started {
            at_us: u64,
            strategy: Strategy,
            server: String,
        }
        #[derive(Deserialize)]
        struct Finished {
            at_us: u64,
            strategy: Strategy,
            server: String,
            elapsed_us: u64,
        }
        Ok(match tag {
            "phase" => {
                let Phase { at_us, name } = fields(rest)?;
                Self::Phase { at_us, name }
            }
            "fetch_started" => {
                let Started {
                    at_us,
                    strategy,
                    server,
                } = fields(rest)?;
                Self::FetchStarted {
                    at_us,
                    strategy,
                    server,
                }
            }
            "fetch_finished" => {
                let Finished {
                    at_us,
                    strategy,
                    server,
                    elapsed_us,
                } = fields(rest)?;
                Self::FetchFinished {
                    at_us,
                    strategy,
                    server,
                    elapsed_us,
                }
            }
            other => return Err(serde::de::Error::unknown_variant(other, Self::VARIANTS)),
        })
    }
}
