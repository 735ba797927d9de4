//! What the connection-pooling demo measures (outline section 8): N concurrent requests
//! to a loopback server through a `Mutex<Vec<_>>` pool of K connections, through the same
//! pool bounded by a `Semaphore` of K permits, and with a new connection per request.
//! Connection counts are the server's own (its accepts); times are the client's.

use serde::{Deserialize, Serialize};

use super::{Headline, Headlines, Histogram, Unit};

/// One run: the same requests through each strategy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolingResult {
    /// Requests sent at once, per strategy.
    pub requests: u32,
    /// Connections each pool opens before the requests (and keeps idle).
    pub pool_size: u32,
    /// How long the server takes to answer each request.
    pub server_latency_ms: u32,
    /// One entry per strategy, in the order they ran.
    pub strategies: Vec<PoolRun>,
}

/// How a request got its connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PoolStrategy {
    /// Pop from a `Mutex<Vec<Connection>>`; open a new one when it is empty.
    MutexPool,
    /// The same pool behind a `Semaphore` of K permits: wait for a permit first.
    SemaphorePool,
    /// Connect, send the one request, close.
    ConnectPerRequest,
}

impl PoolStrategy {
    /// How the page and the notices name the strategy.
    pub fn label(self) -> &'static str {
        match self {
            Self::MutexPool => "Mutex<Vec> pool",
            Self::SemaphorePool => "Semaphore-bounded pool",
            Self::ConnectPerRequest => "a connection per request",
        }
    }
}

/// One strategy's measurements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolRun {
    pub strategy: PoolStrategy,
    /// Connections the server accepted during the part, the pool's own K included.
    pub connections_opened: u32,
    /// The most connections the server had open at once.
    pub most_open: u32,
    /// Requests the server answered.
    pub requests_answered: u32,
    /// From the first request's start to the last one's reply.
    pub wall_us: u64,
    /// Each request's time from asking for a connection to holding one (a connect, for
    /// a connection per request): median, worst, and over all requests.
    pub wait_p50_us: u64,
    pub wait_max_us: u64,
    pub wait_total_us: u64,
    /// Each request's time from asking for a connection to its reply.
    pub request_p50_us: u64,
    pub request_p99_us: u64,
    /// Every request's whole time, bucketed: the samples the percentiles come from.
    #[serde(default)]
    pub request_histogram: Histogram,
    pub events_dropped: u64,
}

impl Headlines for PoolingResult {
    fn headlines(&self) -> Vec<Headline> {
        self.strategies
            .iter()
            .flat_map(|s| {
                let key = format!("{:?}", s.strategy);
                [
                    Headline {
                        key: format!("request_p99.{key}"),
                        label: format!("the p99 request with {}", s.strategy.label()),
                        value: s.request_p99_us,
                        unit: Unit::Micros,
                        noise: 1_000,
                    },
                    Headline {
                        key: format!("opened.{key}"),
                        label: format!("connections opened with {}", s.strategy.label()),
                        value: s.connections_opened.into(),
                        unit: Unit::Count,
                        noise: 0,
                    },
                ]
            })
            .collect()
    }
}
