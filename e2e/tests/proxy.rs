//! Behind a real reverse proxy, scaled out: nginx on 127.0.0.1, configured from the
//! documented `deploy/nginx.conf`, in front of two backends. Two learners open the
//! playground through nginx in Chromium and run a demo each: the page, its wasm and the
//! WebSocket all pass through the proxy, and each run's numbers come back as without a
//! proxy. Between them, a bare WebSocket upgrade shows the spreading: with one session
//! open, `least_conn` sends the next to the other backend. (A browser's session can't
//! show it alone: its page's own requests, a favicon still loading, count as connections
//! too, and can make the two backends tie when its WebSocket opens.)

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use pollscope_e2e::playground::Playground;
use pollscope_e2e::proxy::Nginx;
use pollscope_e2e::webdriver::Browser;

const WAIT: Duration = Duration::from_secs(30);
const DELAY_MS: u64 = 40;

/// A learner who opens the section 1 demo through `nginx` and runs it; returns the
/// browser (its session stays open) once the result is shown.
fn learner(nginx: &Nginx) -> Browser {
    let browser = Browser::start();
    browser.open_connected(&nginx.demo_url("seq_vs_concurrent"));
    browser.set_param("delay_a_ms", DELAY_MS, WAIT);
    browser.set_param("delay_b_ms", DELAY_MS, WAIT);
    browser.click(&browser.wait_for("#run-button", WAIT));
    let result = browser.wait_for("#result", WAIT);
    // The numbers a run without the proxy shows: sequential ≈ the sum of the delays,
    // concurrent ≈ the larger one.
    let sequential = browser.number::<u64>(&result, "data-sequential-us");
    let concurrent = browser.number::<u64>(&result, "data-concurrent-us");
    assert!(sequential >= 2 * DELAY_MS * 1000, "{sequential} µs");
    assert!(
        (DELAY_MS * 1000..sequential).contains(&concurrent),
        "{concurrent} µs"
    );
    browser
}

/// A WebSocket upgrade of `/ws` through the proxy, as a page on it would send it (its
/// origin is the proxy's); the open socket, once the reply's status line is read.
fn bare_session(nginx: &Nginx) -> TcpStream {
    let mut stream = TcpStream::connect(nginx.addr).unwrap();
    write!(
        stream,
        "GET /ws HTTP/1.1\r\nhost: {addr}\r\norigin: http://{addr}\r\nupgrade: websocket\r\n\
         connection: Upgrade\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
         sec-websocket-version: 13\r\n\r\n",
        addr = nginx.addr
    )
    .unwrap();
    let mut status = Vec::new();
    let mut byte = [0u8; 1];
    while !status.ends_with(b"\r\n") {
        stream.read_exact(&mut byte).unwrap();
        status.push(byte[0]);
    }
    let status = String::from_utf8_lossy(&status).into_owned();
    assert!(status.contains(" 101 "), "{status} {}", nginx.error_log());
    stream
}

/// Sessions open on each backend, once they add up to `total` (a session is counted a
/// moment after its upgrade).
fn sessions_when(backends: &[Playground; 2], total: usize) -> [usize; 2] {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let sessions = backends.each_ref().map(|b| b.state.live_sessions());
        if sessions.iter().sum::<usize>() == total || std::time::Instant::now() > deadline {
            return sessions;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// GET `path` through the proxy: the status line.
fn status_line(nginx: &Nginx, path: &str) -> String {
    let mut stream = TcpStream::connect(nginx.addr).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nhost: {}\r\nconnection: close\r\n\r\n",
        nginx.addr
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response.lines().next().unwrap_or_default().to_owned()
}

#[test]
fn two_learners_through_nginx_each_run_a_demo_on_a_backend_of_their_own() {
    let backends = [Playground::start(), Playground::start()];
    let nginx = Nginx::start(&backends.each_ref().map(|b| b.addr));
    // The readiness probe answers through the proxy.
    assert!(
        status_line(&nginx, "/health").contains(" 200 "),
        "{}",
        nginx.error_log()
    );

    let first = learner(&nginx);
    let one = sessions_when(&backends, 1);
    assert_eq!(
        one.iter().sum::<usize>(),
        1,
        "sessions per backend: {one:?}"
    );
    // With one backend holding a session, the next session goes to the other.
    let bare = bare_session(&nginx);
    assert_eq!(sessions_when(&backends, 2), [1, 1], "sessions per backend");
    drop(bare);
    sessions_when(&backends, 1);

    // A second learner runs a demo of their own too, wherever the proxy sends them.
    let second = learner(&nginx);
    assert_eq!(sessions_when(&backends, 2).iter().sum::<usize>(), 2);
    drop((first, second));
}
