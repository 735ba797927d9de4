//! The headline numbers of each result: the few figures a learner would quote about a
//! run ("the other clients' p99 was 50.2 ms"), named so that two runs of one demo can be
//! compared figure by figure and a guess made before a run can be checked after it.
//!
//! A headline is only a view of the result's own fields: nothing here measures anything.
//! Results with no single figure worth quoting (a table of outcomes) have none.

use super::*;

/// What a headline's value counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Microseconds (shown as milliseconds).
    Micros,
    /// Nanoseconds per item.
    NanosPerItem,
    Bytes,
    Count,
}

/// One figure of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Headline {
    /// Stable within a scenario: two runs' headlines with the same key measure the same
    /// thing.
    pub key: String,
    /// What it is, in words: "the other clients' p99 round trip".
    pub label: String,
    pub value: u64,
    pub unit: Unit,
    /// A change smaller than this is within the run-to-run noise of this figure, so a
    /// comparison does not call it a change (0: every change counts).
    pub noise: u64,
}

impl Headline {
    fn new(key: impl Into<String>, label: impl Into<String>, value: u64, unit: Unit) -> Self {
        Self {
            key: key.into(),
            label: label.into(),
            value,
            unit,
            noise: 0,
        }
    }

    fn noise(mut self, noise: u64) -> Self {
        self.noise = noise;
        self
    }
}

/// A loopback round trip or a task's wait varies by about this much between runs on a
/// busy machine.
const TIME_NOISE_US: u64 = 1_000;

/// The headline numbers of a result type; none unless it says.
pub trait Headlines {
    fn headlines(&self) -> Vec<Headline> {
        Vec::new()
    }
}

impl Headlines for SeqVsConcurrentResult {
    fn headlines(&self) -> Vec<Headline> {
        vec![
            Headline::new(
                "sequential",
                "the sequential total",
                self.sequential.total_us,
                Unit::Micros,
            )
            .noise(TIME_NOISE_US),
            Headline::new(
                "concurrent",
                "the concurrent total",
                self.concurrent.total_us,
                Unit::Micros,
            )
            .noise(TIME_NOISE_US),
        ]
    }
}

impl Headlines for EchoResult {
    fn headlines(&self) -> Vec<Headline> {
        vec![
            Headline::new(
                "p99",
                "the p99 round trip",
                self.latency_p99_us,
                Unit::Micros,
            )
            .noise(TIME_NOISE_US),
            Headline::new(
                "throughput",
                "round trips per second",
                self.round_trips_per_sec,
                Unit::Count,
            ),
        ]
    }
}

impl Headlines for RuntimeFlavorsResult {
    fn headlines(&self) -> Vec<Headline> {
        self.parts
            .iter()
            .map(|p| {
                let name = match p.workers {
                    0 => "current_thread".to_owned(),
                    n => format!("multi_thread({n})"),
                };
                Headline::new(
                    format!("wall.{}", p.workers),
                    format!("the wall time on {name}"),
                    p.wall_us,
                    Unit::Micros,
                )
                .noise(TIME_NOISE_US)
            })
            .collect()
    }
}

impl Headlines for SpawningResult {
    fn headlines(&self) -> Vec<Headline> {
        self.parts
            .iter()
            .map(|p| {
                Headline::new(
                    format!("first_poll_p99.{}", p.tasks),
                    format!("the p99 spawn → first poll of {} tasks", p.tasks),
                    p.first_poll_p99_us,
                    Unit::Micros,
                )
                .noise(TIME_NOISE_US)
            })
            .collect()
    }
}

impl Headlines for SpawnBlockingResult {
    fn headlines(&self) -> Vec<Headline> {
        self.modes
            .iter()
            .map(|m| {
                Headline::new(
                    format!("ping_p99.{:?}", m.mode),
                    format!("the ping's p99 with {}", m.mode.label()),
                    m.ping_p99_us,
                    Unit::Micros,
                )
                .noise(TIME_NOISE_US)
            })
            .collect()
    }
}

impl Headlines for BatchingResult {
    fn headlines(&self) -> Vec<Headline> {
        self.ways
            .iter()
            .map(|w| {
                Headline::new(
                    format!("ns_per_item.{}", w.batch),
                    format!("ns per item in batches of {}, unrecorded", w.batch),
                    w.plain_median_ns() / u64::from(self.items.max(1)),
                    Unit::NanosPerItem,
                )
            })
            .collect()
    }
}

impl Headlines for FutureSizeResult {
    fn headlines(&self) -> Vec<Headline> {
        self.kinds
            .iter()
            .map(|k| {
                Headline::new(
                    format!("future_bytes.{:?}", k.kind),
                    format!("the future's size ({})", k.kind.label()),
                    k.future_bytes,
                    Unit::Bytes,
                )
            })
            .collect()
    }
}

impl Headlines for BlockingRuntimeResult {
    fn headlines(&self) -> Vec<Headline> {
        let one_way = self.ways.len() == 1;
        self.ways
            .iter()
            .flat_map(|w| {
                // A run of one way has one p99 to quote, whichever the way; with all three
                // each way's figures are their own.
                let (key, with) = if one_way {
                    (String::new(), String::new())
                } else {
                    (format!(".{:?}", w.way), format!(" with {}", w.way.label()))
                };
                [
                    Headline::new(
                        format!("others_p99{key}"),
                        format!("the other clients' p99 round trip{with}"),
                        w.others_p99_us,
                        Unit::Micros,
                    )
                    .noise(TIME_NOISE_US),
                    Headline::new(
                        format!("longest_poll{key}"),
                        format!("the longest poll on a worker{with}"),
                        w.longest_poll.busy_us,
                        Unit::Micros,
                    )
                    .noise(TIME_NOISE_US),
                ]
            })
            .collect()
    }
}

impl Headlines for ErrorsResult {}
impl Headlines for TimeoutsResult {}
impl Headlines for SteppingFutureResult {}
impl Headlines for RuntimeMetricsResult {}

impl Headlines for RetryBackoffResult {
    fn headlines(&self) -> Vec<Headline> {
        self.policies
            .iter()
            .map(|p| {
                Headline::new(
                    format!("total.{:?}", p.backoff),
                    format!("the total time with {}", p.backoff.label()),
                    p.total_us,
                    Unit::Micros,
                )
                .noise(TIME_NOISE_US)
            })
            .collect()
    }
}

impl Headlines for PausedTimeResult {
    fn headlines(&self) -> Vec<Headline> {
        self.policies
            .iter()
            .map(|p| {
                // Virtual time is the schedule itself: the same knobs give the same figure.
                Headline::new(
                    format!("virtual_total.{:?}", p.backoff),
                    format!("the virtual time elapsed with {}", p.backoff.label()),
                    p.virtual_total_us,
                    Unit::Micros,
                )
            })
            .collect()
    }
}

impl Headlines for RateLimitResult {
    fn headlines(&self) -> Vec<Headline> {
        self.limiters
            .iter()
            .map(|l| {
                Headline::new(
                    format!("span.{:?}", l.limiter),
                    format!("first to last start with {}", l.limiter.label()),
                    l.span_us(),
                    Unit::Micros,
                )
                .noise(TIME_NOISE_US)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headlines_are_the_results_own_figures_with_unique_keys() {
        let result: ScenarioResult = crate::testkit::seq_vs_concurrent_result().into();
        let ScenarioResult::SeqVsConcurrent(r) = &result else {
            unreachable!()
        };
        let headlines = result.headlines();
        assert_eq!(headlines.len(), 2);
        assert_eq!(headlines[0].value, r.sequential.total_us);
        assert_eq!(headlines[1].value, r.concurrent.total_us);
        assert_ne!(headlines[0].key, headlines[1].key);
    }
}
