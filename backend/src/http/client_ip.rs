//! Who a request comes from: the peer address, or behind a trusted reverse proxy, the
//! address that proxy says it forwards for.
//!
//! Per-client limits need one address per learner. Directly connected, that is the TCP
//! peer. Behind a reverse proxy every peer is the proxy, which appends the address *it*
//! saw to `X-Forwarded-For`; only that last entry is the proxy's word, every earlier one
//! came from the client and could be anything. So the header is read only when the peer
//! is a proxy the operator named (`--trusted-proxy`), and then only its last entry.
//! Without a trusted proxy, the header is ignored: anyone can send it.
//!
//! Pure: addresses and headers in, an address out. Uses nothing else.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use axum::http::HeaderMap;

/// The header a reverse proxy appends the client's address to.
pub const X_FORWARDED_FOR: &str = "x-forwarded-for";

/// An address or a network (`10.0.0.0/8`, `fd00::/8`) of trusted reverse proxies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProxyRange {
    network: IpAddr,
    prefix: u8,
}

impl ProxyRange {
    fn bits(ip: IpAddr) -> (u128, u8) {
        match ip {
            IpAddr::V4(v4) => (u32::from(v4).into(), 32),
            IpAddr::V6(v6) => (u128::from(v6), 128),
        }
    }

    /// Whether `ip` is in this range. An IPv4-mapped IPv6 peer (`::ffff:10.0.0.2`, what
    /// a dual-stack listener reports) counts as its IPv4 address.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        let ((net, width), (addr, addr_width)) = (Self::bits(self.network), Self::bits(ip));
        if width != addr_width {
            return false;
        }
        let host_bits = u32::from(width - self.prefix);
        let mask = u128::MAX.checked_shl(host_bits).unwrap_or(0);
        net & mask == addr & mask
    }
}

impl FromStr for ProxyRange {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let (addr, prefix) = s.split_once('/').map_or((s, None), |(a, p)| (a, Some(p)));
        let network: IpAddr = addr
            .parse()
            .map_err(|_| format!("`{s}` is not an IP address or network"))?;
        let width = Self::bits(network).1;
        let prefix = match prefix {
            None => width,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= width)
                .ok_or_else(|| format!("`{s}`: the prefix length must be 0..={width}"))?,
        };
        Ok(Self { network, prefix })
    }
}

impl fmt::Display for ProxyRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

/// Whether `peer` is one of the trusted proxies.
pub fn is_trusted(peer: IpAddr, trusted: &[ProxyRange]) -> bool {
    trusted.iter().any(|range| range.contains(peer))
}

/// The client's address: the last `X-Forwarded-For` entry when `peer` is a trusted proxy
/// and that entry is an address, else `peer` itself.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[ProxyRange]) -> IpAddr {
    if !is_trusted(peer, trusted) {
        return peer.to_canonical();
    }
    // Several headers are one comma-separated list, in order: the last entry of the last.
    let last = headers
        .get_all(X_FORWARDED_FOR)
        .iter()
        .next_back()
        .and_then(|value| value.to_str().ok())
        .and_then(|list| list.rsplit(',').next())
        .map(str::trim);
    match last.map(parse_forwarded) {
        Some(Some(ip)) => ip.to_canonical(),
        _ => peer.to_canonical(),
    }
}

/// An address as proxies write it: bare, or (nginx with a port, IPv6) bracketed.
fn parse_forwarded(entry: &str) -> Option<IpAddr> {
    if let Ok(ip) = entry.parse() {
        return Some(ip);
    }
    let inner = entry.strip_prefix('[')?.split(']').next()?;
    inner.parse().ok()
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn ranges(list: &[&str]) -> Vec<ProxyRange> {
        list.iter().map(|r| r.parse().unwrap()).collect()
    }

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(X_FORWARDED_FOR, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn ranges_match_addresses_and_networks() {
        let r = ranges(&["10.0.0.0/8", "192.168.1.7", "fd00::/8", "0.0.0.0/0"]);
        assert!(r[0].contains(ip("10.200.3.4")));
        assert!(!r[0].contains(ip("11.0.0.1")));
        assert!(r[1].contains(ip("192.168.1.7")));
        assert!(!r[1].contains(ip("192.168.1.8")));
        assert!(r[2].contains(ip("fd12::1")));
        assert!(!r[2].contains(ip("10.0.0.1")), "families never match");
        assert!(r[3].contains(ip("8.8.8.8")));
        assert!(r[0].contains(ip("::ffff:10.0.0.2")), "v4-mapped is v4");
        for bad in ["", "10.0.0.0/33", "::/129", "example.org", "10.0.0.0/x"] {
            assert!(bad.parse::<ProxyRange>().is_err(), "{bad}");
        }
    }

    #[test]
    fn the_header_counts_only_from_a_trusted_peer_and_only_its_last_entry() {
        let trusted = ranges(&["127.0.0.1"]);
        let h = forwarded(&["6.6.6.6, 10.0.0.1", "10.0.0.9"]);
        assert_eq!(client_ip(ip("127.0.0.1"), &h, &trusted), ip("10.0.0.9"));
        assert_eq!(client_ip(ip("127.0.0.2"), &h, &trusted), ip("127.0.0.2"));
        assert_eq!(client_ip(ip("127.0.0.1"), &h, &[]), ip("127.0.0.1"));
        let one = forwarded(&["6.6.6.6 , 10.0.0.1"]);
        assert_eq!(client_ip(ip("127.0.0.1"), &one, &trusted), ip("10.0.0.1"));
    }

    #[test]
    fn a_missing_or_unreadable_entry_falls_back_to_the_peer() {
        let trusted = ranges(&["127.0.0.1"]);
        let peer = ip("127.0.0.1");
        assert_eq!(client_ip(peer, &HeaderMap::new(), &trusted), peer);
        assert_eq!(client_ip(peer, &forwarded(&["unknown"]), &trusted), peer);
        assert_eq!(client_ip(peer, &forwarded(&["10.0.0.1,"]), &trusted), peer);
        assert_eq!(
            client_ip(peer, &forwarded(&["[2001:db8::1]:4711"]), &trusted),
            ip("2001:db8::1")
        );
    }
}
