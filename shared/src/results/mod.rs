//! What scenarios measure and stream.
//!
//! Every number here was measured in a real run on the server; the browser only draws it.
//! Times are whole microseconds (`_us`) on the server's monotonic clock, relative to the
//! start named in each field's doc.
//!
//! Each scenario's result lives in a module of its own, named after the scenario's id.
//! The one table at the bottom of this file declares them all: a line there is the
//! scenario's id (as both sides spell it), the variant of [`ScenarioResult`] that carries
//! its result on the wire, and the result's type. Nothing else in `shared` names a
//! scenario, so adding one is a module here and one line in the table.
//!
//! This module uses only serde and [`crate::instrument`]'s event and stats types (for wake
//! counts and task outcomes).

mod headline;
mod histogram;
mod progress;

pub use headline::{Headline, Headlines, Unit};
pub use histogram::{Histogram, MAX_BUCKETS};
pub use progress::ProgressEvent;

/// A scenario's measured result type, tied to the scenario that produces it. The backend
/// takes a scenario's id from its result type, so the two cannot disagree.
pub trait ScenarioOutput: Into<ScenarioResult> {
    /// The scenario's id, as in [`id`] and in `run` requests.
    const ID: &'static str;
}

/// Declares the scenarios: their result modules, the ids in [`id`], the variants of
/// [`ScenarioResult`], and each result type's [`ScenarioOutput`].
macro_rules! scenarios {
    ($($const_name:ident = $id:literal => $variant:ident($module:ident :: $result:ident),)*) => {
        $(
            mod $module;
            pub use $module::*;
        )*

        /// The ids of the scenarios the server runs, as both sides spell them.
        pub mod id {
            $(pub const $const_name: &str = $id;)*
            /// Every id, in declaration order.
            pub const ALL: &[&str] = &[$($const_name),*];
        }

        /// The final, measured outcome of a run, tagged by scenario (the tag is the id).
        #[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        #[serde(tag = "scenario")]
        pub enum ScenarioResult {
            $(#[serde(rename = $id)] $variant($result),)*
        }

        impl ScenarioResult {
            /// The id of the scenario that measured this.
            pub fn scenario(&self) -> &'static str {
                match self {
                    $(Self::$variant(_) => $id,)*
                }
            }

            /// The figures a learner would quote about this run (see [`Headline`]).
            pub fn headlines(&self) -> Vec<Headline> {
                match self {
                    $(Self::$variant(r) => Headlines::headlines(r),)*
                }
            }
        }

        $(
            impl From<$result> for ScenarioResult {
                fn from(result: $result) -> Self {
                    Self::$variant(result)
                }
            }

            impl ScenarioOutput for $result {
                const ID: &'static str = $id;
            }
        )*

        /// Read with the `scenario` tag first: the result decoded straight into its type.
        impl $crate::tag_first::TagFirst for ScenarioResult {
            const TAG: &'static str = "scenario";
            const VARIANTS: &'static [&'static str] = id::ALL;

            fn rest<'de, A: serde::de::MapAccess<'de>>(tag: &str, rest: A) -> Result<Self, A::Error> {
                match tag {
                    $($id => $crate::tag_first::fields(rest).map(Self::$variant),)*
                    other => Err(serde::de::Error::unknown_variant(other, id::ALL)),
                }
            }
        }
    };
}

scenarios! {
    SEQ_VS_CONCURRENT = "seq_vs_concurrent" => SeqVsConcurrent(seq_vs_concurrent::SeqVsConcurrentResult),
    ECHO = "echo" => Echo(echo::EchoResult),
    RUNTIME_FLAVORS = "runtime_flavors" => RuntimeFlavors(runtime_flavors::RuntimeFlavorsResult),
    SPAWNING = "spawning" => Spawning(spawning::SpawningResult),
    SPAWN_BLOCKING = "spawn_blocking" => SpawnBlocking(spawn_blocking::SpawnBlockingResult),
    ERRORS = "errors" => Errors(errors::ErrorsResult),
    TIMEOUTS = "timeouts" => Timeouts(timeouts::TimeoutsResult),
    FUTURE_SIZE = "future_size" => FutureSize(future_size::FutureSizeResult),
    BATCHING = "batching" => Batching(batching::BatchingResult),
    BLOCKING_RUNTIME = "blocking_runtime" => BlockingRuntime(blocking_runtime::BlockingRuntimeResult),
    POOLING = "pooling" => Pooling(pooling::PoolingResult),
    GRACEFUL_SHUTDOWN = "graceful_shutdown" => GracefulShutdown(graceful_shutdown::GracefulShutdownResult),
    STEPPING_FUTURE = "stepping_future" => SteppingFuture(stepping_future::SteppingFutureResult),
    RUNTIME_METRICS = "runtime_metrics" => RuntimeMetrics(runtime_metrics::RuntimeMetricsResult),
    RETRY_BACKOFF = "retry_backoff" => RetryBackoff(retry_backoff::RetryBackoffResult),
    PAUSED_TIME = "paused_time" => PausedTime(paused_time::PausedTimeResult),
    RATE_LIMIT = "rate_limit" => RateLimit(rate_limit::RateLimitResult),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_the_wire_tag_is_the_id() {
        for (i, a) in id::ALL.iter().enumerate() {
            assert!(!id::ALL[..i].contains(a), "duplicate id {a}");
        }
        let result = ScenarioResult::from(SeqVsConcurrentResult {
            sequential: StrategyTiming {
                total_us: 1,
                fetches: vec![],
            },
            concurrent: StrategyTiming {
                total_us: 1,
                fetches: vec![],
            },
        });
        let json = serde_json::to_value(&result).unwrap();
        assert_eq!(json["scenario"], id::SEQ_VS_CONCURRENT);
        assert_eq!(result.scenario(), SeqVsConcurrentResult::ID);
    }
}
