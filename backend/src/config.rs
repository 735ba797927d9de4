//! Command-line flags, each with an environment-variable fallback.
//!
//! Every limit the server enforces is here, bounded, and announced to clients in the hello
//! (see [`Config::session_limits`]).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use pollscope_shared::protocol::SessionLimits;

use crate::http::client_ip::ProxyRange;
use crate::http::origin::{OriginPolicy, normalize_origin};

/// pollscope: runs real async Rust scenarios and streams what happened to the browser.
///
/// Serves the built frontend (see `cargo xtask serve`), the WebSocket protocol at `/ws`
/// and a health check at `/health`. Every flag can also be set through the environment
/// variable named next to it.
#[derive(Debug, Clone, Parser)]
#[command(name = "pollscope", version)]
pub struct Config {
    /// Address to listen on. Use 0.0.0.0:8080 to self-host for other machines; the default
    /// only accepts connections from this machine.
    #[arg(long, env = "POLLSCOPE_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,

    /// Directory with the built frontend (`trunk build --release` writes `dist/`). Default:
    /// the frontend embedded in this binary if it was built with one (feature
    /// `embed-frontend`), else `dist`.
    #[arg(long, env = "POLLSCOPE_STATIC_DIR")]
    pub static_dir: Option<PathBuf>,

    /// Most WebSocket sessions open at once; further connections get 503.
    #[arg(long, env = "POLLSCOPE_MAX_SESSIONS", default_value_t = 64,
          value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub max_sessions: u32,

    /// Largest client message in bytes; a larger one closes the session with code 1009.
    #[arg(long, env = "POLLSCOPE_MAX_MESSAGE_BYTES", default_value_t = 64 * 1024,
          value_parser = clap::value_parser!(u32).range(256..=16 * 1024 * 1024))]
    pub max_message_bytes: u32,

    /// Runs one session may have in flight at once.
    #[arg(long, env = "POLLSCOPE_MAX_CONCURRENT_RUNS", default_value_t = 1,
          value_parser = clap::value_parser!(u32).range(1..=16))]
    pub max_concurrent_runs: u32,

    /// Runs in flight at once on the whole server, all sessions together (default: the
    /// machine's cores). Each run measures time on these cores, so more runs at once would
    /// only put everyone's load into everyone's numbers; later runs queue.
    #[arg(long, env = "POLLSCOPE_MAX_RUNNING",
          value_parser = clap::value_parser!(u32).range(1..=256))]
    pub max_running: Option<u32>,

    /// Runs that may wait for a run slot, first come first served; past that a run is
    /// refused at once with `server_busy`.
    #[arg(long, env = "POLLSCOPE_MAX_QUEUED", default_value_t = 64,
          value_parser = clap::value_parser!(u32).range(0..=10_000))]
    pub max_queued: u32,

    /// Most MiB of frames queued for clients and not yet written, all sessions together.
    /// Past it the session with the most unwritten bytes (the slowest reader) is closed
    /// with 1013; the others go on.
    #[arg(long, env = "POLLSCOPE_MAX_OUTBOUND_MIB", default_value_t = 256,
          value_parser = clap::value_parser!(u32).range(1..=65_536))]
    pub max_outbound_mib: u32,

    /// A run still going after this many seconds is stopped.
    #[arg(long, env = "POLLSCOPE_MAX_RUN_SECONDS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=600))]
    pub max_run_seconds: u64,

    /// A session with no client message and no run for this many seconds is closed.
    #[arg(long, env = "POLLSCOPE_IDLE_TIMEOUT_SECONDS", default_value_t = 600,
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub idle_timeout_seconds: u64,

    /// No session lives longer than this many seconds.
    #[arg(long, env = "POLLSCOPE_MAX_SESSION_SECONDS", default_value_t = 3600,
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub max_session_seconds: u64,

    /// On shutdown, how long open sessions get to close before the server exits anyway.
    #[arg(long, env = "POLLSCOPE_SHUTDOWN_GRACE_SECONDS", default_value_t = 5,
          value_parser = clap::value_parser!(u64).range(1..=60))]
    pub shutdown_grace_seconds: u64,

    /// Events each recording thread of a run may buffer between two drains (every 2 ms);
    /// beyond that, events are dropped and the count is shown with the run. The default
    /// allows about 30 million events a second per thread.
    #[arg(long, env = "POLLSCOPE_RECORDER_CAPACITY", default_value_t = 1 << 16,
          value_parser = clap::value_parser!(u32).range(16..=1 << 22))]
    pub recorder_capacity: u32,

    /// A web origin, besides the server's own, whose pages may open sessions (e.g.
    /// `https://class.example.org`). Repeatable; the environment variable takes a
    /// comma-separated list. See `http::origin` for the rules.
    #[arg(
        long = "allowed-origin",
        env = "POLLSCOPE_ALLOWED_ORIGINS",
        value_delimiter = ','
    )]
    pub allowed_origins: Vec<String>,

    /// The host name (optionally `name:port`) clients reach this server by, e.g. behind a
    /// reverse proxy: an upgrade whose `Host` header names anything else is refused (403).
    /// Without it, a server on a loopback address accepts only loopback names.
    #[arg(long, env = "POLLSCOPE_PUBLIC_HOST")]
    pub public_host: Option<String>,

    // --- Connection hygiene (see `http::server`): limits on raw TCP connections, their
    // timeouts, and who counts as one client. Kept together in this block.
    /// Most TCP connections open at once (HTTP, WebSocket, lingering); past it a new
    /// connection is closed as soon as it is accepted. Keep it below the process's file
    /// descriptor limit (`ulimit -n`), which runs also draw on.
    #[arg(long, env = "POLLSCOPE_MAX_CONNECTIONS", default_value_t = 512,
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max_connections: u32,

    /// Most TCP connections open at once from one peer address; past it a new one is closed
    /// as soon as it is accepted. Not applied to a `--trusted-proxy` peer (all its clients
    /// share its address; `--max-connections` still bounds it).
    #[arg(long, env = "POLLSCOPE_MAX_CONNECTIONS_PER_IP", default_value_t = 64,
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max_connections_per_ip: u32,

    /// Most WebSocket sessions open at once from one client address (behind a trusted
    /// proxy, the address it forwards); further upgrades get 503. Learners behind one NAT
    /// share an address: raise it for a classroom on one network.
    #[arg(long, env = "POLLSCOPE_MAX_SESSIONS_PER_IP", default_value_t = 16,
          value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub max_sessions_per_ip: u32,

    /// A connection that has not sent a complete request head this many seconds after it
    /// opened (or after its previous response, when kept alive) is closed.
    #[arg(long, env = "POLLSCOPE_HEADER_READ_TIMEOUT_SECONDS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=300))]
    pub header_read_timeout_seconds: u64,

    /// A new session whose client neither answers the server's ping after the hello nor
    /// sends anything within this many seconds is closed (browsers answer pings by
    /// themselves).
    #[arg(long, env = "POLLSCOPE_HANDSHAKE_TIMEOUT_SECONDS", default_value_t = 5,
          value_parser = clap::value_parser!(u64).range(1..=60))]
    pub handshake_timeout_seconds: u64,

    /// A reverse proxy's address (`10.0.0.2`) or network (`10.0.0.0/8`): from such a peer,
    /// the client address is the last `X-Forwarded-For` entry. Repeatable; the environment
    /// variable takes a comma-separated list. None by default: the header is ignored.
    #[arg(
        long = "trusted-proxy",
        env = "POLLSCOPE_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<ProxyRange>,
    // --- End of connection hygiene.
    /// Also offer the scenarios that exist only for tests (a run that always fails).
    #[arg(long, env = "POLLSCOPE_TEST_SCENARIOS", hide = true)]
    pub test_scenarios: bool,
}

impl Default for Config {
    /// The defaults of every flag, ignoring the environment: what tests start from.
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            static_dir: None,
            max_sessions: 64,
            max_message_bytes: 64 * 1024,
            max_concurrent_runs: 1,
            max_running: None,
            max_queued: 64,
            max_outbound_mib: 256,
            max_run_seconds: 30,
            idle_timeout_seconds: 600,
            max_session_seconds: 3600,
            shutdown_grace_seconds: 5,
            recorder_capacity: 1 << 16,
            allowed_origins: Vec::new(),
            public_host: None,
            max_connections: 512,
            max_connections_per_ip: 64,
            max_sessions_per_ip: 16,
            header_read_timeout_seconds: 10,
            handshake_timeout_seconds: 5,
            trusted_proxies: Vec::new(),
            test_scenarios: false,
        }
    }
}

impl Config {
    pub fn session_limits(&self) -> SessionLimits {
        SessionLimits {
            max_message_bytes: self.max_message_bytes.into(),
            max_concurrent_runs: self.max_concurrent_runs,
            max_run_seconds: self.max_run_seconds,
            idle_timeout_seconds: self.idle_timeout_seconds,
            max_session_seconds: self.max_session_seconds,
            server_max_running: self.max_running(),
            server_max_queued: self.max_queued,
        }
    }

    /// Runs in flight at once server-wide: `--max-running`, else the machine's cores.
    pub fn max_running(&self) -> u32 {
        self.max_running.unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map_or(1, |n| u32::try_from(n.get()).unwrap_or(256))
        })
    }

    pub fn max_run(&self) -> Duration {
        Duration::from_secs(self.max_run_seconds)
    }

    pub fn idle_timeout(&self) -> Duration {
        Duration::from_secs(self.idle_timeout_seconds)
    }

    pub fn max_session(&self) -> Duration {
        Duration::from_secs(self.max_session_seconds)
    }

    /// Who may open sessions (see [`crate::http::origin`]).
    pub fn origin_policy(&self) -> OriginPolicy {
        OriginPolicy {
            allowed_origins: self
                .allowed_origins
                .iter()
                .map(|o| normalize_origin(o))
                .collect(),
            public_host: self.public_host.as_deref().map(str::to_ascii_lowercase),
            loopback: self.bind.ip().is_loopback(),
        }
    }

    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_secs(self.shutdown_grace_seconds)
    }

    pub fn max_outbound_bytes(&self) -> usize {
        self.max_outbound_mib as usize * 1024 * 1024
    }

    pub fn header_read_timeout(&self) -> Duration {
        Duration::from_secs(self.header_read_timeout_seconds)
    }

    pub fn handshake_timeout(&self) -> Duration {
        Duration::from_secs(self.handshake_timeout_seconds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_matches_the_flags_defaults() {
        let parsed = Config::try_parse_from(["pollscope"]).unwrap();
        let default = Config::default();
        // Compare field by field through Debug: Config holds no floats or maps.
        if std::env::vars().all(|(k, _)| !k.starts_with("POLLSCOPE_")) {
            assert_eq!(format!("{parsed:?}"), format!("{default:?}"));
        }
    }

    #[test]
    fn absurd_limits_are_refused_at_startup() {
        for args in [
            ["pollscope", "--max-sessions", "0"],
            ["pollscope", "--max-run-seconds", "100000"],
            ["pollscope", "--max-message-bytes", "1"],
            ["pollscope", "--recorder-capacity", "0"],
            ["pollscope", "--max-running", "0"],
            ["pollscope", "--max-queued", "100000"],
            ["pollscope", "--max-connections", "0"],
            ["pollscope", "--max-outbound-mib", "0"],
            ["pollscope", "--header-read-timeout-seconds", "0"],
            ["pollscope", "--trusted-proxy", "not-an-address"],
            ["pollscope", "--trusted-proxy", "10.0.0.0/33"],
        ] {
            assert!(Config::try_parse_from(args).is_err(), "{args:?}");
        }
    }

    #[test]
    fn trusted_proxies_repeat_and_take_networks() {
        let c = Config::try_parse_from([
            "pollscope",
            "--trusted-proxy",
            "127.0.0.1",
            "--trusted-proxy",
            "10.0.0.0/8,::1",
        ])
        .unwrap();
        let ranges: Vec<String> = c.trusted_proxies.iter().map(|r| r.to_string()).collect();
        assert_eq!(ranges, ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]);
    }
}
