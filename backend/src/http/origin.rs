//! Who may open a session: the `Origin` and `Host` checks on the `/ws` upgrade.
//!
//! A browser lets any web page open a WebSocket to any address, and sends the page's
//! origin with it; the server is the only one who can say no. So an upgrade is accepted
//! only when:
//! - its `Origin` is the server's own (`http(s)://` + the request's `Host`), one named
//!   with `--allowed-origin`, or, on a server listening on loopback, a loopback origin
//!   (`localhost`, `127.0.0.1`, `[::1]`, any port: software on this machine). `Origin:
//!   null` (sandboxed frames, `file:` pages) is refused. No `Origin` at all is not a
//!   browser, so no page can be behind it: it is let through.
//! - its `Host` names this server. DNS rebinding points an attacker's name at 127.0.0.1,
//!   which makes that page's origin look like "our own"; the `Host` check stops it. With
//!   `--public-host`, `Host` must be that name (what a reverse proxy forwards); without it,
//!   a server listening on loopback accepts only loopback names, and one listening on
//!   another address any `Host` (set `--public-host` when exposing it).
//!
//! Pure: a policy and a request's headers in, a verdict out. Uses nothing else.

use axum::http::HeaderMap;
use axum::http::header::{HOST, ORIGIN};

/// Why an upgrade was refused (sent as the 403 body).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    NullOrigin,
    ForeignOrigin,
    MissingHost,
    ForeignHost,
}

impl Refusal {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NullOrigin => "origin null is not allowed",
            Self::ForeignOrigin => "this origin may not open sessions on this server",
            Self::MissingHost => "the request has no Host header",
            Self::ForeignHost => "the Host header does not name this server",
        }
    }
}

/// Which origins and hosts the server accepts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OriginPolicy {
    /// Origins accepted besides the server's own, normalized (see [`normalize_origin`]).
    pub allowed_origins: Vec<String>,
    /// The one `Host` accepted (lowercase; with a port, the port must match too).
    pub public_host: Option<String>,
    /// The server listens on a loopback address.
    pub loopback: bool,
}

/// Lowercase, without a trailing `/`: how origins are compared.
pub fn normalize_origin(origin: &str) -> String {
    origin.trim().trim_end_matches('/').to_ascii_lowercase()
}

/// The host name of `host[:port]` (an IPv6 literal keeps its brackets).
fn host_name(host: &str) -> &str {
    if host.starts_with('[') {
        return host.find(']').map_or(host, |end| &host[..=end]);
    }
    host.rsplit_once(':').map_or(host, |(name, _)| name)
}

fn is_loopback_name(name: &str) -> bool {
    name == "localhost"
        || name == "[::1]"
        || name
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

impl OriginPolicy {
    fn host_ok(&self, host: &str) -> bool {
        match &self.public_host {
            Some(public) if public.contains(':') && !public.ends_with(']') => host == public,
            Some(public) => host_name(host) == public,
            None => !self.loopback || is_loopback_name(host_name(host)),
        }
    }

    fn origin_ok(&self, origin: &str, host: &str) -> bool {
        let own = [format!("http://{host}"), format!("https://{host}")];
        if own.iter().any(|o| *o == origin) || self.allowed_origins.iter().any(|o| o == origin) {
            return true;
        }
        let Some((scheme, rest)) = origin.split_once("://") else {
            return false;
        };
        self.loopback
            && self.public_host.is_none()
            && matches!(scheme, "http" | "https")
            && is_loopback_name(host_name(rest))
    }

    /// Whether an upgrade with these headers may open a session.
    pub fn check(&self, headers: &HeaderMap) -> Result<(), Refusal> {
        let host = headers
            .get(HOST)
            .and_then(|h| h.to_str().ok())
            .map(str::to_ascii_lowercase)
            .ok_or(Refusal::MissingHost)?;
        if !self.host_ok(&host) {
            return Err(Refusal::ForeignHost);
        }
        let Some(origin) = headers.get(ORIGIN) else {
            return Ok(());
        };
        let origin = normalize_origin(origin.to_str().map_err(|_| Refusal::ForeignOrigin)?);
        if origin == "null" {
            return Err(Refusal::NullOrigin);
        }
        if self.origin_ok(&origin, &host) {
            Ok(())
        } else {
            Err(Refusal::ForeignOrigin)
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(host: Option<&str>, origin: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(host) = host {
            h.insert(HOST, HeaderValue::from_str(host).unwrap());
        }
        if let Some(origin) = origin {
            h.insert(ORIGIN, HeaderValue::from_str(origin).unwrap());
        }
        h
    }

    fn loopback() -> OriginPolicy {
        OriginPolicy {
            loopback: true,
            ..OriginPolicy::default()
        }
    }

    #[test]
    fn a_loopback_server_takes_its_own_and_local_origins_only() {
        let p = loopback();
        let ok = |host, origin| p.check(&headers(Some(host), origin));
        assert_eq!(ok("127.0.0.1:8080", Some("http://127.0.0.1:8080")), Ok(()));
        assert_eq!(ok("localhost:8080", Some("http://localhost:8081/")), Ok(()));
        assert_eq!(ok("[::1]:8080", Some("http://[::1]:8080")), Ok(()));
        assert_eq!(ok("127.0.0.1:8080", None), Ok(()), "not a browser");
        assert_eq!(
            ok("127.0.0.1:8080", Some("http://evil.example")),
            Err(Refusal::ForeignOrigin)
        );
        assert_eq!(ok("127.0.0.1:8080", Some("null")), Err(Refusal::NullOrigin));
        // DNS rebinding: the page's origin matches the Host it sends, but that Host is not
        // a name of this machine.
        assert_eq!(
            ok("evil.example:8080", Some("http://evil.example:8080")),
            Err(Refusal::ForeignHost)
        );
        assert_eq!(
            p.check(&headers(None, Some("http://127.0.0.1:8080"))),
            Err(Refusal::MissingHost)
        );
        assert_eq!(
            ok("127.0.0.1:8080", Some("ftp://127.0.0.1")),
            Err(Refusal::ForeignOrigin)
        );
    }

    #[test]
    fn a_public_host_and_allowed_origins_are_what_a_proxy_needs() {
        let p = OriginPolicy {
            allowed_origins: vec![normalize_origin("https://Class.example.org/")],
            public_host: Some("pollscope.example.org".into()),
            loopback: true,
        };
        let ok = |host, origin| p.check(&headers(Some(host), origin));
        assert_eq!(
            ok(
                "pollscope.example.org",
                Some("https://pollscope.example.org")
            ),
            Ok(())
        );
        assert_eq!(
            ok("pollscope.example.org", Some("https://class.example.org")),
            Ok(())
        );
        assert_eq!(
            ok("127.0.0.1:8080", Some("http://127.0.0.1:8080")),
            Err(Refusal::ForeignHost),
            "with a public host, only it"
        );
        assert_eq!(
            ok("pollscope.example.org", Some("http://localhost:3000")),
            Err(Refusal::ForeignOrigin),
            "behind a proxy, local origins are not special"
        );
        let with_port = OriginPolicy {
            public_host: Some("pollscope.example.org:8443".into()),
            ..p
        };
        assert_eq!(
            with_port.check(&headers(Some("pollscope.example.org:9999"), None)),
            Err(Refusal::ForeignHost)
        );
    }

    #[test]
    fn a_server_on_all_interfaces_takes_any_host_but_still_checks_origins() {
        let p = OriginPolicy::default();
        assert_eq!(
            p.check(&headers(
                Some("10.0.0.5:8080"),
                Some("http://10.0.0.5:8080")
            )),
            Ok(())
        );
        assert_eq!(
            p.check(&headers(
                Some("10.0.0.5:8080"),
                Some("http://localhost:8080")
            )),
            Err(Refusal::ForeignOrigin)
        );
    }
}
