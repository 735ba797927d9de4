//! Behind a real reverse proxy, scaled out: nginx on 127.0.0.1, configured from the
//! documented `deploy/nginx.conf`, in front of two backends. Two learners open the
//! playground through nginx in Chromium and run a demo each: the page, its wasm and the
//! WebSocket all pass through the proxy, each session lands on a backend of its own
//! (`least_conn`), and each run's numbers come back as without a proxy.

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
    let second = learner(&nginx);
    // Both sessions are open, one on each backend: the proxy spread them.
    let sessions = backends.each_ref().map(|b| b.state.live_sessions());
    assert_eq!(sessions, [1, 1], "sessions per backend");
    drop((first, second));
}
