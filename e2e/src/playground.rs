//! The real backend serving the built frontend, on a thread of its own.
//!
//! The tests drive the browser with blocking calls; keeping the server on its own runtime
//! means a blocking test can never stall it.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::thread::JoinHandle;

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
    pub fn start() -> Self {
        let config = Config {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            static_dir: dist_dir(),
            ..Config::default()
        };
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                let server = Server::bind(config).await.expect("bind 127.0.0.1:0");
                tx.send((server.local_addr(), server.state()))
                    .expect("test alive");
                server
                    .run_until(std::future::pending())
                    .await
                    .expect("serve");
            });
        });
        let (addr, state) = rx.recv().expect("server started");
        Self {
            addr,
            state,
            thread: Some(thread),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
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
