//! Counting per client address: how many connections or sessions each address holds, and
//! a slot that gives its place back when dropped.
//!
//! A map from address to count behind a mutex: taken once per connection or upgrade, for
//! a few instructions, so it is never contended long. An address's entry is removed when
//! its count returns to zero, so the map holds only addresses with something open and
//! cannot grow with the number of clients ever seen.
//!
//! Uses nothing else in the crate.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};

/// At most `max` of something per address.
#[derive(Debug)]
pub struct PerIp {
    max: usize,
    counts: Mutex<HashMap<IpAddr, usize>>,
}

/// One place held by one address; dropping it gives the place back.
#[derive(Debug)]
pub struct IpSlot {
    owner: Arc<PerIp>,
    ip: IpAddr,
}

impl PerIp {
    pub fn new(max: usize) -> Arc<Self> {
        Arc::new(Self {
            max,
            counts: Mutex::default(),
        })
    }

    pub fn max(&self) -> usize {
        self.max
    }

    /// A place for `ip`, or `None` when it already holds the maximum.
    pub fn try_acquire(self: &Arc<Self>, ip: IpAddr) -> Option<IpSlot> {
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        let count = counts.entry(ip).or_insert(0);
        if *count >= self.max {
            return None;
        }
        *count += 1;
        Some(IpSlot {
            owner: self.clone(),
            ip,
        })
    }

    /// How many places `ip` holds.
    pub fn held_by(&self, ip: IpAddr) -> usize {
        let counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        counts.get(&ip).copied().unwrap_or(0)
    }

    /// How many addresses hold at least one place.
    pub fn addresses(&self) -> usize {
        self.counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

impl Drop for IpSlot {
    fn drop(&mut self) {
        let mut counts = self
            .owner
            .counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = counts.get_mut(&self.ip) {
            *count -= 1;
            if *count == 0 {
                counts.remove(&self.ip);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_address_gets_its_maximum_and_gets_places_back() {
        let limit = PerIp::new(2);
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        let first = limit.try_acquire(a).unwrap();
        let _second = limit.try_acquire(a).unwrap();
        assert!(limit.try_acquire(a).is_none(), "a is full");
        let other = limit.try_acquire(b);
        assert!(other.is_some(), "b is not affected");
        assert_eq!((limit.held_by(a), limit.held_by(b)), (2, 1));
        drop(first);
        assert!(limit.try_acquire(a).is_some(), "a place came back");
        drop(other);
        assert_eq!(limit.held_by(b), 0);
        assert_eq!(
            limit.addresses(),
            1,
            "b's entry is gone with its last place"
        );
    }
}
