//! Finding and installing the tools the build needs, and running commands.
//!
//! Everything is checked before it is installed, so a second run installs nothing:
//! the wasm32 target (rustup), trunk at [`TRUNK_VERSION`], wasm-bindgen-cli at exactly the
//! `wasm-bindgen` version in `Cargo.lock` (trunk refuses a mismatched one and cannot
//! download its own here), binaryen's `wasm-opt` at [`BINARYEN_VERSION`] from the npm
//! package (it runs under Node.js; Debian's binaryen is too old for today's wasm), Debian's
//! Chromium + ChromeDriver for browser tests (and nginx for the proxy test), and a nightly
//! toolchain with Miri (and the `rust-src` it builds its sysroot from) for the Miri step.

use std::path::{Path, PathBuf};
use std::process::Command;

pub const TRUNK_VERSION: &str = "0.21.14";
/// The npm package `binaryen`'s version; Trunk.toml's `[tools] wasm_opt` names the same.
pub const BINARYEN_VERSION: &str = "132.0.0";
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// The reverse proxy the end-to-end test of a scaled-out deployment runs in front of two
/// backends (`deploy/nginx.conf`).
pub const NGINX: &str = "/usr/sbin/nginx";

/// The workspace root (where `Cargo.lock` is).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the workspace")
        .to_path_buf()
}

/// A command run from the workspace root, with `~/.cargo/bin` on `PATH` so freshly
/// installed tools are found.
pub struct Cmd(Command);

impl Cmd {
    pub fn new(program: &str) -> Self {
        let mut cmd = Command::new(program);
        cmd.current_dir(root());
        if let Some(bin) = cargo_bin() {
            let path = std::env::var_os("PATH").unwrap_or_default();
            let mut paths = vec![bin, binaryen_bin()];
            paths.extend(std::env::split_paths(&path));
            if let Ok(joined) = std::env::join_paths(paths) {
                cmd.env("PATH", joined);
            }
        }
        Self(cmd)
    }

    pub fn arg(mut self, arg: impl AsRef<std::ffi::OsStr>) -> Self {
        self.0.arg(arg);
        self
    }

    pub fn args<I: IntoIterator<Item = S>, S: AsRef<std::ffi::OsStr>>(mut self, args: I) -> Self {
        self.0.args(args);
        self
    }

    pub fn env(mut self, key: &str, value: impl AsRef<std::ffi::OsStr>) -> Self {
        self.0.env(key, value);
        self
    }

    pub fn current_dir(mut self, dir: PathBuf) -> Self {
        self.0.current_dir(dir);
        self
    }

    /// Run to completion with inherited output; an error unless it exits 0.
    pub fn run(mut self) -> Result<(), String> {
        let status = self
            .0
            .status()
            .map_err(|e| format!("cannot run {:?}: {e}", self.0.get_program()))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("{:?} exited with {status}", self.0))
        }
    }

    /// Run and capture stdout; `None` if it cannot run or fails.
    pub fn output(mut self) -> Option<String> {
        let out = self.0.output().ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

fn cargo_bin() -> Option<PathBuf> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))?;
    Some(home.join("bin"))
}

/// Where the npm package `binaryen` is installed: under the workspace's `target/`.
fn binaryen_dir() -> PathBuf {
    root().join("target/tools/binaryen")
}

/// Its commands (`wasm-opt`), which [`Cmd`] puts on `PATH`.
fn binaryen_bin() -> PathBuf {
    binaryen_dir().join("node_modules/.bin")
}

/// binaryen's `wasm-opt` at [`BINARYEN_VERSION`], from npm into [`binaryen_dir`].
pub fn ensure_binaryen() -> Result<(), String> {
    let wanted = format!(
        "(version_{})",
        BINARYEN_VERSION.split('.').next().unwrap_or("")
    );
    let have = Cmd::new(
        binaryen_bin()
            .join("wasm-opt")
            .to_str()
            .unwrap_or("wasm-opt"),
    )
    .arg("--version")
    .output()
    .unwrap_or_default();
    if have.split_whitespace().any(|word| word == wanted) {
        return Ok(());
    }
    eprintln!("xtask: installing binaryen {BINARYEN_VERSION} (wasm-opt) from npm, once");
    let dir = binaryen_dir();
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    Cmd::new("npm")
        .args([
            "install",
            "--no-audit",
            "--no-fund",
            "--no-save",
            "--prefix",
        ])
        .arg(&dir)
        .arg(format!("binaryen@{BINARYEN_VERSION}"))
        .run()
        .map_err(|e| format!("{e}: the release build's wasm-opt needs Node.js and npm"))
}

/// The version of a package in `Cargo.lock`, e.g. `wasm-bindgen` → `0.2.105`.
pub fn locked_version(package: &str) -> Result<String, String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    let header = format!("name = \"{package}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == header
            && let Some(version) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = \""))
        {
            return Ok(version.trim_end_matches('"').to_owned());
        }
    }
    Err(format!("{package} is not in Cargo.lock"))
}

/// wasm32 target, trunk, wasm-bindgen-cli and binaryen.
pub fn ensure_frontend_tools() -> Result<(), String> {
    ensure_binaryen()?;
    let targets = Cmd::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .unwrap_or_default();
    if !targets
        .lines()
        .any(|t| t.trim() == "wasm32-unknown-unknown")
    {
        eprintln!("xtask: installing the wasm32-unknown-unknown target");
        Cmd::new("rustup")
            .args(["target", "add", "wasm32-unknown-unknown"])
            .run()?;
    }

    let trunk = Cmd::new("trunk")
        .arg("--version")
        .output()
        .unwrap_or_default();
    if trunk.split_whitespace().nth(1) != Some(TRUNK_VERSION) {
        eprintln!("xtask: installing trunk {TRUNK_VERSION} (takes several minutes, once)");
        Cmd::new("cargo")
            .args(["install", "trunk", "--version", TRUNK_VERSION, "--locked"])
            .run()?;
    }

    // wasm-bindgen-cli must match the library version exactly. It is installed without
    // `--locked`: one of its locked dependencies is not available from the registry.
    let wanted = locked_version("wasm-bindgen")?;
    let have = Cmd::new("wasm-bindgen")
        .arg("--version")
        .output()
        .unwrap_or_default();
    let runner = Cmd::new("wasm-bindgen-test-runner")
        .arg("--version")
        .output()
        .unwrap_or_default();
    if have.split_whitespace().nth(1) != Some(wanted.as_str())
        || runner.split_whitespace().nth(1) != Some(wanted.as_str())
    {
        eprintln!("xtask: installing wasm-bindgen-cli {wanted} (takes a few minutes, once)");
        Cmd::new("cargo")
            .args([
                "install",
                "wasm-bindgen-cli",
                "--force",
                "--version",
                &wanted,
            ])
            .run()?;
    }
    Ok(())
}

/// A nightly toolchain with the `miri` and `rust-src` components.
pub fn ensure_miri() -> Result<(), String> {
    let installed = Cmd::new("rustup")
        .args(["component", "list", "--toolchain", "nightly", "--installed"])
        .output();
    let has = |component: &str| {
        installed
            .as_deref()
            .is_some_and(|list| list.lines().any(|line| line.starts_with(component)))
    };
    if has("miri") && has("rust-src") {
        return Ok(());
    }
    if installed.is_some() {
        eprintln!("xtask: adding miri and rust-src to the nightly toolchain");
        return Cmd::new("rustup")
            .args([
                "component",
                "add",
                "--toolchain",
                "nightly",
                "miri",
                "rust-src",
            ])
            .run();
    }
    eprintln!("xtask: installing a nightly toolchain with miri (once)");
    Cmd::new("rustup")
        .args(["toolchain", "install", "nightly", "--profile", "minimal"])
        .args(["-c", "miri", "-c", "rust-src"])
        .run()
}

/// Chromium and ChromeDriver, and nginx, from Debian's packages.
pub fn ensure_browser() -> Result<(), String> {
    if [CHROMIUM, CHROMEDRIVER, NGINX]
        .iter()
        .all(|tool| Path::new(tool).exists())
    {
        return Ok(());
    }
    let root_user = Cmd::new("id")
        .arg("-u")
        .output()
        .is_some_and(|id| id.trim() == "0");
    if !root_user {
        return Err(format!(
            "{CHROMIUM}, {CHROMEDRIVER} and {NGINX} are needed for the browser tests: \
             run `sudo apt-get install -y chromium chromium-driver nginx`"
        ));
    }
    eprintln!("xtask: installing chromium, chromium-driver and nginx");
    Cmd::new("apt-get")
        .arg("update")
        .env("DEBIAN_FRONTEND", "noninteractive")
        .run()?;
    Cmd::new("apt-get")
        .args([
            "install",
            "-y",
            "--no-install-recommends",
            "chromium",
            "chromium-driver",
            "nginx",
        ])
        .env("DEBIAN_FRONTEND", "noninteractive")
        .run()
}
