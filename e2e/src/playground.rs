//! The real backend serving the built frontend, on a thread of its own; stopped when
//! dropped, and started again on the same address with [`Playground::start_at`].
//!
//! The tests drive the browser with blocking calls; keeping the server on its own runtime
//! means a blocking test can never stall it.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use pollscope_backend::{AppState, Config, Server};

pub struct Playground {
    pub addr: SocketAddr,
    pub state: AppState,
    thread: Option<JoinHandle<()>>,
}

/// Where the built frontend is: `POLLSCOPE_DIST`, or `dist/` at the workspace root.
pub fn dist_dir() -> PathBuf {
    let dir = std::env::var_os("POLLSCOPE_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../dist"));
    assert!(
        dir.join("index.html").is_file(),
        "no built frontend in {}: run the tests with `cargo xtask test`, which builds it",
        dir.display()
    );
    dir
}

impl Playground {
    /// A backend on a free port of 127.0.0.1.
    pub fn start() -> Self {
        Self::with(|_| {})
    }

    /// A backend on a free port of 127.0.0.1, its config changed by `tweak` first (say,
    /// a tiny recorder, or the test scenarios offered).
    pub fn with(tweak: impl FnOnce(&mut Config)) -> Self {
        let mut config = Self::config(SocketAddr::from(([127, 0, 0, 1], 0)));
        tweak(&mut config);
        Self::try_start(config).expect("bind 127.0.0.1:0")
    }

    fn config(bind: SocketAddr) -> Config {
        Config {
            bind,
            static_dir: Some(dist_dir()),
            ..Config::default()
        }
    }

    /// A backend on `addr`, e.g. a new one where a stopped one listened: a page that was
    /// connected to the old one reconnects to it. Retries for a few seconds while the
    /// port is still taken.
    pub fn start_at(addr: SocketAddr) -> Self {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match Self::try_start_at(addr) {
                Ok(playground) => return playground,
                Err(e) if Instant::now() < deadline => {
                    eprintln!("playground: {addr} not free yet ({e}); retrying");
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(e) => panic!("cannot listen on {addr} again: {e}"),
            }
        }
    }

    fn try_start_at(addr: SocketAddr) -> std::io::Result<Self> {
        Self::try_start(Self::config(addr))
    }

    fn try_start(config: Config) -> std::io::Result<Self> {
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                let server = match Server::bind(config).await {
                    Ok(server) => server,
                    Err(e) => return tx.send(Err(e)).expect("test alive"),
                };
                tx.send(Ok((server.local_addr(), server.state())))
                    .expect("test alive");
                server
                    .run_until(std::future::pending())
                    .await
                    .expect("serve");
            });
        });
        match rx.recv().expect("server thread answers") {
            Ok((addr, state)) => Ok(Self {
                addr,
                state,
                thread: Some(thread),
            }),
            Err(e) => {
                let _ = thread.join();
                Err(e)
            }
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The address of demo `id`'s page (see [`crate::demo_path`]).
    pub fn demo_url(&self, id: &str) -> String {
        self.url(&crate::demo_path(id))
    }
}

impl Drop for Playground {
    fn drop(&mut self) {
        self.state.shutdown.cancel();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
