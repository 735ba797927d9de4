//! `cargo xtask`: the project's two commands.
//!
//! - `cargo xtask serve`: installs what is missing (wasm32 target, trunk, wasm-bindgen-cli
//!   matching `Cargo.lock`, binaryen's wasm-opt from npm), builds the frontend in release
//!   (wasm-opt, then every asset precompressed with brotli and gzip by `precompress.mjs`
//!   under Node), and runs the backend serving it on http://127.0.0.1:8080. A second run
//!   reinstalls nothing.
//! - `cargo xtask test`: installs what the tests need (Chromium and chromedriver too), then
//!   runs every check: formatting, clippy (native and wasm32), native tests, the shared
//!   crate's instrumentation under Miri (see `miri`), browser tests of the frontend in
//!   headless Chromium, the release build, the backend built with that frontend embedded,
//!   and the end-to-end browser tests.
//! - `cargo xtask dist`: only the release frontend build (for `cargo install --path
//!   backend --features embed-frontend` and the Dockerfile).
//!
//! No dependencies: it only runs commands, so it compiles in a second.

mod miri;
mod tools;

use std::process::ExitCode;

use tools::{Cmd, root};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  serve [BACKEND FLAGS]   build the frontend (release) and run the playground on
                          http://127.0.0.1:8080; flags after `serve` go to the backend
                          (e.g. `cargo xtask serve --bind 0.0.0.0:8080`; see --help)
  test                    run every test (installs Chromium, trunk, wasm-bindgen-cli if missing)
  dist                    only build the release frontend into dist/ (then
                          `cargo install --path backend --features embed-frontend`
                          gives one binary with the frontend in it)
  miri                    only the Miri step of `test` (the shared crate's instrumentation)
  install                 only install the tools the two commands above need
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("serve") => serve(&args[1..]),
        Some("test") => test(),
        Some("dist") => tools::ensure_frontend_tools().and_then(|()| build_frontend()),
        Some("miri") => miri::run(),
        Some("install") => tools::ensure_frontend_tools().and_then(|()| tools::ensure_browser()),
        _ => {
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

fn serve(backend_args: &[String]) -> Result<(), String> {
    tools::ensure_frontend_tools()?;
    build_frontend()?;
    let dist = root().join("dist");
    let mut cmd = Cmd::new("cargo")
        .args([
            "run",
            "--release",
            "--package",
            "pollscope-backend",
            "--bin",
            "pollscope",
            "--",
        ])
        .arg("--static-dir")
        .arg(dist.to_str().ok_or("non-UTF-8 path")?);
    for arg in backend_args {
        cmd = cmd.arg(arg);
    }
    eprintln!("xtask: starting the backend; open the URL it prints (Ctrl-C stops it)");
    cmd.run()
}

/// A crate's tests compiled to wasm32 and run by wasm-bindgen-test-runner in headless
/// Chromium (the crate's `webdriver.json` holds the browser flags).
fn browser_tests(crate_dir: &str) -> Result<(), String> {
    Cmd::new("cargo")
        .args(["test", "--target", "wasm32-unknown-unknown"])
        .env("CHROMEDRIVER", tools::CHROMEDRIVER)
        .env(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
            "wasm-bindgen-test-runner",
        )
        .env("WASM_BINDGEN_TEST_TIMEOUT", "120")
        .current_dir(root().join(crate_dir))
        .run()
}

/// The release frontend in `dist/`: trunk (with wasm-opt), then every asset precompressed
/// with brotli and gzip beside it, for the backend to serve as they are.
fn build_frontend() -> Result<(), String> {
    Cmd::new("trunk").args(["build", "--release"]).run()?;
    Cmd::new("node")
        .arg(root().join("xtask/precompress.mjs"))
        .arg(root().join("dist"))
        .run()
}

/// One named step of the test command.
struct Step {
    name: &'static str,
    run: fn() -> Result<(), String>,
}

fn test() -> Result<(), String> {
    tools::ensure_frontend_tools()?;
    tools::ensure_browser()?;
    let steps = [
        Step {
            name: "rustfmt",
            run: || {
                Cmd::new("cargo")
                    .args(["fmt", "--all", "--", "--check"])
                    .run()
            },
        },
        Step {
            name: "clippy (native)",
            run: || {
                Cmd::new("cargo")
                    .args([
                        "clippy",
                        "--workspace",
                        "--all-targets",
                        "--",
                        "-D",
                        "warnings",
                    ])
                    .run()
            },
        },
        Step {
            name: "clippy (wasm32)",
            run: || {
                Cmd::new("cargo")
                    .args([
                        "clippy",
                        "-p",
                        "pollscope-shared",
                        "-p",
                        "pollscope-frontend",
                        "--all-targets",
                    ])
                    .args(["--target", "wasm32-unknown-unknown", "--", "-D", "warnings"])
                    .run()
            },
        },
        Step {
            name: "native tests",
            run: || {
                Cmd::new("cargo")
                    .args(["test", "--workspace", "--exclude", "pollscope-e2e"])
                    .run()
            },
        },
        Step {
            name: "miri (shared instrument)",
            run: miri::run,
        },
        Step {
            name: "shared tests on wasm32 in headless Chromium",
            run: || browser_tests("shared"),
        },
        Step {
            name: "frontend tests in headless Chromium",
            run: || browser_tests("frontend"),
        },
        Step {
            name: "frontend release build (trunk)",
            run: build_frontend,
        },
        Step {
            name: "the binary with the frontend embedded",
            run: || {
                Cmd::new("cargo")
                    .args(["test", "-p", "pollscope-backend", "--features"])
                    .args(["embed-frontend", "--test", "embedded"])
                    .run()
            },
        },
        Step {
            name: "end-to-end tests in headless Chromium",
            run: || {
                Cmd::new("cargo")
                    .args(["test", "-p", "pollscope-e2e", "--", "--test-threads=1"])
                    .env(
                        "POLLSCOPE_DIST",
                        root().join("dist").to_str().unwrap_or("dist"),
                    )
                    .env("CHROMEDRIVER", tools::CHROMEDRIVER)
                    .env("CHROMIUM", tools::CHROMIUM)
                    .run()
            },
        },
    ];
    let started = std::time::Instant::now();
    let mut failed = Vec::new();
    for step in &steps {
        eprintln!("\n=== xtask: {} ===", step.name);
        let t = std::time::Instant::now();
        match (step.run)() {
            Ok(()) => eprintln!("=== xtask: {} passed in {:.0?} ===", step.name, t.elapsed()),
            Err(e) => {
                eprintln!("=== xtask: {} FAILED: {e} ===", step.name);
                failed.push(step.name);
            }
        }
    }
    eprintln!("\nxtask: every step took {:.0?} in all", started.elapsed());
    for name in &failed {
        eprintln!("xtask: failed step: {name}");
    }
    println!(
        "steps: {} passed, {} failed",
        steps.len() - failed.len(),
        failed.len()
    );
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("{} step(s) failed", failed.len()))
    }
}
