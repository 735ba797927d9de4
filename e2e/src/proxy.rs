//! A real nginx (Debian's package) on 127.0.0.1 in front of backends, configured from the
//! documented site file `deploy/nginx.conf` with only its `listen` port and upstream
//! addresses replaced; stopped when dropped. Everything it writes (pid, logs, temp files)
//! is in a directory of its own under the system's temp dir.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const NGINX: &str = "/usr/sbin/nginx";

pub struct Nginx {
    pub addr: SocketAddr,
    dir: PathBuf,
    child: Child,
}

/// The documented site file.
fn site_template() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/nginx.conf");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The site file with nginx listening on `listen` and proxying to `backends`.
pub fn site(listen: SocketAddr, backends: &[SocketAddr]) -> String {
    let mut out = String::new();
    let mut upstreams_written = false;
    for line in site_template().lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("listen ") {
            out.push_str(&format!("    listen {listen};\n"));
        } else if trimmed.starts_with("server 127.0.0.1:") {
            // The documented upstream lines, replaced by one per backend.
            if !upstreams_written {
                for backend in backends {
                    out.push_str(&format!(
                        "    server {backend} max_fails=1 fail_timeout=5s;\n"
                    ));
                }
                upstreams_written = true;
            }
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    assert!(
        upstreams_written,
        "deploy/nginx.conf names no upstream server"
    );
    out
}

impl Nginx {
    /// nginx on a free port of 127.0.0.1 in front of `backends`, once it accepts
    /// connections.
    pub fn start(backends: &[SocketAddr]) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let dir =
            std::env::temp_dir().join(format!("pollscope-nginx-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let main = format!(
            "daemon off;\nmaster_process off;\nworker_processes 1;\npid {dir}/nginx.pid;\n\
             error_log {dir}/error.log info;\nevents {{ worker_connections 256; }}\n\
             http {{\n  access_log {dir}/access.log;\n  client_body_temp_path {dir}/body;\n  \
             proxy_temp_path {dir}/proxy;\n  fastcgi_temp_path {dir}/fastcgi;\n  \
             uwsgi_temp_path {dir}/uwsgi;\n  scgi_temp_path {dir}/scgi;\n{}\n}}\n",
            site(addr, backends),
            dir = dir.display()
        );
        let conf = dir.join("nginx.conf");
        std::fs::write(&conf, main).unwrap();
        let child = Command::new(NGINX)
            .arg("-p")
            .arg(&dir)
            .arg("-c")
            .arg(&conf)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {NGINX}: {e} (cargo xtask test installs it)"));
        let mut nginx = Self { addr, dir, child };
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(addr).is_err() {
            if let Ok(Some(status)) = nginx.child.try_wait() {
                panic!("nginx exited with {status}: {}", nginx.error_log());
            }
            assert!(
                Instant::now() < deadline,
                "nginx did not listen: {}",
                nginx.error_log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        nginx
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The address of demo `id`'s page (see [`crate::demo_path`]).
    pub fn demo_url(&self, id: &str) -> String {
        self.url(&crate::demo_path(id))
    }

    pub fn error_log(&self) -> String {
        std::fs::read_to_string(self.dir.join("error.log")).unwrap_or_default()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
