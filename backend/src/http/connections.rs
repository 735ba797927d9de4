//! Admission of raw TCP connections: at most `--max-connections` open at once, at most
//! `--max-connections-per-ip` from one peer address, and a count of those refused.
//!
//! Every accepted socket must get an [`Admission`] or be closed at once, before a byte is
//! read: a connection costs a file descriptor and buffers whether or not it ever sends a
//! request, so the bound is on connections, not requests. The admission holds the places
//! for as long as the socket is open (through an upgrade and a lingering close too) and
//! keeps the socket counted in [`Connections::sockets`], which shutdown waits for.
//!
//! A trusted proxy's peer address stands for many clients, so the per-address bound is not
//! applied to it (the overall bound still is); per-client session limits use the address
//! it forwards instead (see [`super::client_ip`]).
//!
//! Uses the per-address counter and the proxy ranges.

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::task::TaskTracker;
use tokio_util::task::task_tracker::TaskTrackerToken;

use super::client_ip::{ProxyRange, is_trusted};
use super::limits::{IpSlot, PerIp};
use crate::config::Config;

/// The server's connection bounds and counts.
#[derive(Debug)]
pub struct Connections {
    max: usize,
    total: Arc<Semaphore>,
    per_ip: Arc<PerIp>,
    trusted: Vec<ProxyRange>,
    refused: AtomicU64,
    /// One token per open socket: shutdown waits (bounded) until it is empty.
    pub sockets: TaskTracker,
}

/// The places one open connection holds; dropping it frees them.
#[derive(Debug)]
pub struct Admission {
    _total: OwnedSemaphorePermit,
    _per_ip: Option<IpSlot>,
    _socket: TaskTrackerToken,
}

/// Which bound a connection ran into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    ServerFull,
    AddressFull,
}

impl Connections {
    pub fn new(config: &Config) -> Self {
        let max = config.max_connections as usize;
        Self {
            max,
            total: Arc::new(Semaphore::new(max)),
            per_ip: PerIp::new(config.max_connections_per_ip as usize),
            trusted: config.trusted_proxies.clone(),
            refused: AtomicU64::new(0),
            sockets: TaskTracker::new(),
        }
    }

    /// Places for a new connection from `peer`, or why not (counted and logged).
    pub fn admit(&self, peer: IpAddr) -> Result<Admission, Refused> {
        let admitted = self.try_admit(peer.to_canonical());
        if let Err(why) = admitted {
            let refused = self.refused.fetch_add(1, Ordering::Relaxed) + 1;
            // A flood would be a log line per connection: INFO for the first and every
            // hundredth, DEBUG for the rest; `/health` has the exact count.
            let reason = match why {
                Refused::ServerFull => "the server holds --max-connections",
                Refused::AddressFull => "this address holds --max-connections-per-ip",
            };
            if refused == 1 || refused.is_multiple_of(100) {
                tracing::info!(%peer, refused, "connection refused: {reason}");
            } else {
                tracing::debug!(%peer, refused, "connection refused: {reason}");
            }
        }
        admitted
    }

    fn try_admit(&self, peer: IpAddr) -> Result<Admission, Refused> {
        let per_ip = if is_trusted(peer, &self.trusted) {
            None
        } else {
            Some(self.per_ip.try_acquire(peer).ok_or(Refused::AddressFull)?)
        };
        let total = self
            .total
            .clone()
            .try_acquire_owned()
            .map_err(|_| Refused::ServerFull)?;
        Ok(Admission {
            _total: total,
            _per_ip: per_ip,
            _socket: self.sockets.token(),
        })
    }

    /// Connections open now.
    pub fn open(&self) -> usize {
        self.max - self.total.available_permits()
    }

    /// Connections refused since the server started.
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(max: u32, per_ip: u32, trusted: &[&str]) -> Config {
        Config {
            max_connections: max,
            max_connections_per_ip: per_ip,
            trusted_proxies: trusted.iter().map(|t| t.parse().unwrap()).collect(),
            ..Config::default()
        }
    }

    #[test]
    fn both_bounds_hold_and_refusals_are_counted() {
        let c = Connections::new(&config(3, 2, &[]));
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        let held = [c.admit(a).unwrap(), c.admit(a).unwrap()];
        assert_eq!(c.admit(a).unwrap_err(), Refused::AddressFull);
        let third = c.admit(b).unwrap();
        assert_eq!(c.admit(b).unwrap_err(), Refused::ServerFull);
        assert_eq!((c.open(), c.refused()), (3, 2));
        drop(third);
        drop(held);
        assert_eq!(c.open(), 0);
        assert!(c.admit(a).is_ok());
    }

    #[test]
    fn a_trusted_proxy_is_bound_only_by_the_total() {
        let c = Connections::new(&config(3, 1, &["10.0.0.9"]));
        let proxy: IpAddr = "10.0.0.9".parse().unwrap();
        let held: Vec<_> = (0..3).map(|_| c.admit(proxy).unwrap()).collect();
        assert_eq!(c.admit(proxy).unwrap_err(), Refused::ServerFull);
        drop(held);
    }
}
