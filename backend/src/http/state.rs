//! What every request and session shares: the config, the origin policy, the catalog,
//! admission permits and counters (connections, sessions, per address), the run slots,
//! the session tracker, the shutdown and kill tokens and the gauges.
//!
//! Uses the config, the catalog, the gauges, the session's context type and the
//! connection counters.

use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::assets::Frontend;
use super::connections::Connections;
use super::limits::PerIp;
use super::origin::OriginPolicy;
use crate::config::Config;
use crate::metrics::Gauges;
use crate::outbound::OutboundBudget;
use crate::scenarios::Catalog;
use crate::session::SessionContext;
use crate::slots::RunSlots;

/// State shared by every request and session. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub catalog: Arc<Catalog>,
    /// Admission control: one permit per open session.
    pub session_permits: Arc<Semaphore>,
    /// Every session task, so shutdown can wait for them.
    pub sessions: TaskTracker,
    /// Cancelled once when the server starts shutting down.
    pub shutdown: CancellationToken,
    /// Cancelled when shutdown's grace is over: whatever is still open is dropped.
    pub kill: CancellationToken,
    /// Open TCP connections: the bounds, the counts, the tracker shutdown waits for.
    pub connections: Arc<Connections>,
    /// Sessions per client address (behind a trusted proxy, the forwarded one).
    pub session_ips: Arc<PerIp>,
    pub gauges: Arc<Gauges>,
    /// Who may open sessions, from the config.
    pub origins: Arc<OriginPolicy>,
    /// Runs in flight server-wide, and the queue for a slot.
    pub slots: Arc<RunSlots>,
    /// Where the frontend's files come from.
    pub frontend: Arc<Frontend>,
    /// Bytes queued for clients and not yet written, all sessions together, and its bound.
    pub outbound: Arc<OutboundBudget>,
}

impl AppState {
    pub fn new(config: Config) -> Self {
        Self {
            session_permits: Arc::new(Semaphore::new(config.max_sessions as usize)),
            connections: Arc::new(Connections::new(&config)),
            session_ips: PerIp::new(config.max_sessions_per_ip as usize),
            kill: CancellationToken::new(),
            origins: Arc::new(config.origin_policy()),
            slots: RunSlots::new(config.max_running(), config.max_queued),
            outbound: OutboundBudget::new(config.max_outbound_bytes()),
            frontend: Arc::new(Frontend::choose(config.static_dir.as_deref())),
            catalog: Arc::new(Catalog::new(config.test_scenarios)),
            config: Arc::new(config),
            sessions: TaskTracker::new(),
            shutdown: CancellationToken::new(),
            gauges: Arc::default(),
        }
    }

    pub fn live_runs(&self) -> usize {
        self.gauges.live_runs()
    }

    pub fn live_sessions(&self) -> usize {
        self.gauges.live_sessions()
    }

    /// What a session needs of the server.
    pub fn session_context(&self) -> SessionContext {
        SessionContext {
            config: self.config.clone(),
            catalog: self.catalog.clone(),
            shutdown: self.shutdown.clone(),
            gauges: self.gauges.clone(),
            slots: self.slots.clone(),
            outbound: self.outbound.clone(),
        }
    }
}
