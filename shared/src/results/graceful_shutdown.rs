//! What the graceful-shutdown demo measures (outline section 8): a loopback server under
//! load from clients that send requests without a break gets its shutdown signal (a
//! `CancellationToken`) mid-run; it stops accepting, gives the requests in flight until a
//! drain deadline, then aborts the rest. Server counts are the server's own; refusals and
//! cut-off requests are what the clients saw.

use serde::{Deserialize, Serialize};

use super::{Headline, Headlines, Unit};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GracefulShutdownResult {
    pub clients: u32,
    /// Client c's requests each take `request_ms × (c mod 4 + 1)` on the server.
    pub request_ms: u32,
    /// When the signal was asked to fire, from the clients' start.
    pub signal_after_ms: u32,
    /// When it did fire, as measured: from the clients' start to the token's cancel.
    pub signal_at_us: u64,
    /// How long in-flight requests were given to finish after the signal.
    pub drain_deadline_ms: u32,
    /// Connections the server accepted over the run.
    pub connections_accepted: u32,
    /// Connections open when the signal fired.
    pub connections_at_signal: u32,
    /// Requests answered before the signal.
    pub requests_before_signal: u32,
    /// Requests the server had read and not yet answered when the signal fired.
    pub in_flight_at_signal: u32,
    /// Of those, answered before the deadline.
    pub requests_drained: u32,
    /// Of those, still running at the deadline: their tasks were aborted mid-request.
    pub requests_aborted: u32,
    /// Connection tasks the abort ended (idle ones included).
    pub connections_aborted: u32,
    /// Every connection task ended before the deadline.
    pub drained_in_time: bool,
    /// From the signal to the end of the server's last task.
    pub signal_to_last_task_us: u64,
    /// Replies the clients read, over the run.
    pub replies_received: u32,
    /// Requests the clients sent whose connection closed or was reset before a reply.
    pub requests_cut: u32,
    /// The clients' connection attempts refused (all after the signal: the listener
    /// was open until then).
    pub connects_refused: u32,
    pub events_dropped: u64,
}

impl Headlines for GracefulShutdownResult {
    fn headlines(&self) -> Vec<Headline> {
        let count = |key: &str, label: &str, value: u32| Headline {
            key: key.to_owned(),
            label: label.to_owned(),
            value: value.into(),
            unit: Unit::Count,
            noise: 0,
        };
        vec![
            Headline {
                key: "signal_to_last_task".to_owned(),
                label: "signal → last task finished".to_owned(),
                value: self.signal_to_last_task_us,
                unit: Unit::Micros,
                noise: 1_000,
            },
            count("drained", "requests drained", self.requests_drained),
            count("aborted", "requests aborted", self.requests_aborted),
            count("refused", "connections refused", self.connects_refused),
        ]
    }
}
