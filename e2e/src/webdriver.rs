//! A small blocking W3C WebDriver client for ChromeDriver on loopback.
//!
//! WebDriver is JSON over HTTP; the handful of commands the tests need fit in a page, so
//! this avoids a large client crate. Each [`Browser`] starts its own ChromeDriver on a free
//! port and a headless Chromium with a fresh profile, and tears both down on drop.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The W3C key under which an element reference is returned.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
/// Flags verified to work in this closed-network sandbox.
const CHROMIUM_ARGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--window-size=1280,900",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element(String);

pub struct Browser {
    driver: Child,
    addr: SocketAddr,
    session: String,
    profile: std::path::PathBuf,
}

fn env_or(key: &str, default: &str) -> String {
    std::env::var(key).unwrap_or_else(|_| default.to_owned())
}

impl Browser {
    pub fn start() -> Self {
        let port = {
            let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
            probe.local_addr().unwrap().port()
        };
        let driver = Command::new(env_or("CHROMEDRIVER", "/usr/bin/chromedriver"))
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver runs (apt-get install chromium-driver)");
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let deadline = Instant::now() + Duration::from_secs(20);
        while http(addr, "GET", "/status", None).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        let profile = std::env::temp_dir().join(format!("pollscope-chromium-{port}"));
        let mut args: Vec<String> = CHROMIUM_ARGS.iter().map(|s| s.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": env_or("CHROMIUM", "/usr/bin/chromium"), "args": args},
        }}});
        let mut browser = Self {
            driver,
            addr,
            session: String::new(),
            profile,
        };
        let created = browser.command("POST", "/session", Some(caps));
        browser.session = created["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {created}"))
            .to_owned();
        browser
    }

    fn command(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let response = http(self.addr, method, path, body.as_ref())
            .unwrap_or_else(|e| panic!("webdriver {method} {path}: {e}"));
        if let Some(error) = response["value"].get("error") {
            panic!(
                "webdriver {method} {path}: {error}: {}",
                response["value"]["message"]
            );
        }
        response["value"].clone()
    }

    fn session_path(&self, rest: &str) -> String {
        format!("/session/{}{rest}", self.session)
    }

    pub fn goto(&self, url: &str) {
        self.command(
            "POST",
            &self.session_path("/url"),
            Some(json!({ "url": url })),
        );
    }

    pub fn find_all(&self, css: &str) -> Vec<Element> {
        let found = self.command(
            "POST",
            &self.session_path("/elements"),
            Some(json!({"using": "css selector", "value": css})),
        );
        found
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e[ELEMENT_KEY].as_str().map(|id| Element(id.to_owned())))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Wait until `css` matches an element, or panic with what the page shows.
    pub fn wait_for(&self, css: &str, timeout: Duration) -> Element {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(element) = self.find_all(css).into_iter().next() {
                return element;
            }
            if Instant::now() > deadline {
                let body = self
                    .find_all("body")
                    .into_iter()
                    .next()
                    .map(|b| self.text(&b));
                panic!("`{css}` did not appear within {timeout:?}; page text: {body:?}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn click(&self, element: &Element) {
        self.command(
            "POST",
            &self.session_path(&format!("/element/{}/click", element.0)),
            Some(json!({})),
        );
    }

    pub fn attr(&self, element: &Element, name: &str) -> Option<String> {
        let value = self.command(
            "GET",
            &self.session_path(&format!("/element/{}/attribute/{name}", element.0)),
            None,
        );
        value.as_str().map(str::to_owned)
    }

    /// A numeric attribute (the pages put measured numbers in `data-*` attributes);
    /// panics, naming the attribute, if it is missing or not a number.
    pub fn number<T>(&self, element: &Element, name: &str) -> T
    where
        T: std::str::FromStr,
        T::Err: std::fmt::Display,
    {
        let value = self
            .attr(element, name)
            .unwrap_or_else(|| panic!("no attribute {name}"));
        value
            .parse()
            .unwrap_or_else(|e| panic!("{name}={value:?}: {e}"))
    }

    /// Go to `url` and wait until the page's WebSocket to the backend is connected.
    pub fn open_connected(&self, url: &str) {
        self.goto(url);
        self.wait_for(
            "#connection-status[data-state='connected']",
            Duration::from_secs(20),
        );
    }

    pub fn text(&self, element: &Element) -> String {
        let value = self.command(
            "GET",
            &self.session_path(&format!("/element/{}/text", element.0)),
            None,
        );
        value.as_str().unwrap_or_default().to_owned()
    }

    /// Replace an input's value by typing, as a user would.
    pub fn type_into(&self, element: &Element, text: &str) {
        self.command(
            "POST",
            &self.session_path(&format!("/element/{}/clear", element.0)),
            Some(json!({})),
        );
        self.command(
            "POST",
            &self.session_path(&format!("/element/{}/value", element.0)),
            Some(json!({ "text": text })),
        );
    }

    /// Set a demo's parameter `name` (its `#param-<name>` box) to `value`, waiting up to
    /// `timeout` for the box to be there.
    pub fn set_param(&self, name: &str, value: u64, timeout: Duration) {
        let input = self.wait_for(&format!("#param-{name}"), timeout);
        self.type_into(&input, &value.to_string());
    }

    /// Send keys to an element (it must be focusable), without clearing anything first.
    pub fn send_keys(&self, element: &Element, text: &str) {
        self.command(
            "POST",
            &self.session_path(&format!("/element/{}/value", element.0)),
            Some(json!({ "text": text })),
        );
    }

    /// The element's position and size in CSS pixels: (x, y, width, height).
    pub fn rect(&self, element: &Element) -> (f64, f64, f64, f64) {
        let r = self.command(
            "GET",
            &self.session_path(&format!("/element/{}/rect", element.0)),
            None,
        );
        let n = |k: &str| r[k].as_f64().unwrap_or_default();
        (n("x"), n("y"), n("width"), n("height"))
    }

    /// Move the mouse to (x, y) from the element's top-left corner, optionally clicking
    /// there (a real press and release, as a user would).
    pub fn mouse_at(&self, element: &Element, x: f64, y: f64, click: bool) {
        let (_, _, w, h) = self.rect(element);
        // W3C offsets are from the element's centre, in whole pixels.
        let (dx, dy) = ((x - w / 2.0).round() as i64, (y - h / 2.0).round() as i64);
        let mut actions = vec![json!({
            "type": "pointerMove", "duration": 0,
            "origin": { ELEMENT_KEY: element.0 }, "x": dx, "y": dy,
        })];
        if click {
            actions.push(json!({"type": "pointerDown", "button": 0}));
            actions.push(json!({"type": "pointerUp", "button": 0}));
        }
        self.command(
            "POST",
            &self.session_path("/actions"),
            Some(json!({"actions": [{
                "type": "pointer", "id": "mouse",
                "parameters": {"pointerType": "mouse"}, "actions": actions,
            }]})),
        );
    }

    /// A PNG of the viewport, written to `path`.
    pub fn screenshot(&self, path: &std::path::Path) {
        let value = self.command("GET", &self.session_path("/screenshot"), None);
        let png = base64_decode(value.as_str().unwrap_or_default());
        std::fs::write(path, png).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }

    /// Run an asynchronous script in the page: it ends by calling its last argument
    /// (`arguments[arguments.length - 1]`) with the result.
    pub fn execute_async(&self, script: &str) -> Value {
        self.command(
            "POST",
            &self.session_path("/execute/async"),
            Some(json!({"script": script, "args": []})),
        )
    }

    /// Run a script in the page and return its result.
    pub fn execute(&self, script: &str) -> Value {
        self.command(
            "POST",
            &self.session_path("/execute/sync"),
            Some(json!({"script": script, "args": []})),
        )
    }

    /// Send a Chrome DevTools Protocol command through ChromeDriver (say,
    /// `Emulation.setEmulatedMedia` to emulate `prefers-color-scheme`).
    pub fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.command(
            "POST",
            &self.session_path("/goog/cdp/execute"),
            Some(json!({"cmd": cmd, "params": params})),
        )
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = http(self.addr, "DELETE", &self.session_path(""), None);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// Standard base64 (WebDriver screenshots), padding and unknown bytes skipped.
pub fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for v in text.bytes().filter_map(value) {
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

/// One HTTP/1.1 exchange on a fresh connection; returns the JSON body.
fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> std::io::Result<Value> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    let body = body.map(Value::to_string).unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut reader = BufReader::new(stream);
    let mut chunked = false;
    let mut length = None;
    let mut line = String::new();
    reader.read_line(&mut line)?; // status line
    loop {
        line.clear();
        reader.read_line(&mut line)?;
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        let lower = header.to_ascii_lowercase();
        if lower.starts_with("transfer-encoding:") && lower.contains("chunked") {
            chunked = true;
        } else if let Some(n) = lower.strip_prefix("content-length:") {
            length = n.trim().parse::<usize>().ok();
        }
    }
    let mut payload = Vec::new();
    if chunked {
        loop {
            line.clear();
            reader.read_line(&mut line)?;
            let size = usize::from_str_radix(line.trim(), 16).map_err(std::io::Error::other)?;
            if size == 0 {
                break;
            }
            let start = payload.len();
            payload.resize(start + size, 0);
            reader.read_exact(&mut payload[start..])?;
            line.clear();
            reader.read_line(&mut line)?;
        }
    } else if let Some(n) = length {
        payload.resize(n, 0);
        reader.read_exact(&mut payload)?;
    } else {
        reader.read_to_end(&mut payload)?;
    }
    serde_json::from_slice(&payload).map_err(std::io::Error::other)
}

#[cfg(test)]
mod tests {
    #[test]
    fn decodes_base64() {
        assert_eq!(super::base64_decode("aGVsbG8="), b"hello");
        assert_eq!(super::base64_decode("iVBORw0KGgo="), b"\x89PNG\r\n\x1a\n");
    }
}
