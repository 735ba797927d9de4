//! The Miri step of `cargo xtask test`: the shared crate's instrumentation, whose core is
//! unsafe (raw wakers, a thread-local pointer to the running task's context, a spin lock,
//! an encoder writing into a vector's spare capacity), run under Miri, which reports
//! undefined behaviour, data races and leaks as they happen.
//!
//! What it runs, in about a minute once Miri's sysroot is built (the first run builds it):
//! - every unit test of `pollscope-shared` (`--lib`) except the safe modules in
//!   [`SKIPPED_MODULES`]: among them the spin lock's two
//!   threads, the task context's scopes (nested, unwinding) and the clock's conversion;
//! - the instrumentation's integration tests (`--test instrument`), which drive every
//!   unsafe path through a real executor, at the reduced counts their `cfg(miri)` picks,
//!   except [`SKIPPED`].
//!
//! Uses the tools module only (to install nightly with Miri when it is missing).

use crate::tools::{self, Cmd};

/// Integration tests left out: safe code only, and too slow under Miri to be worth it.
pub const SKIPPED: &[&str] = &[
    // Decodes a batch of a hundred thousand name references to hit the size limit: the
    // decoder is safe code, and under Miri this alone takes many minutes.
    "a_name_referring_past_the_names_spelled_out_is_a_decode_error",
];

/// Unit-test modules of `pollscope-shared --lib` left out: safe code only (no `unsafe` in
/// them), with tests sized for a native run (every truncation of a file, thousands of
/// mutated files) that would take Miri most of an hour.
pub const SKIPPED_MODULES: &[&str] = &["keep::"];

/// Run the shared crate's unit tests and the instrumentation's tests under Miri.
pub fn run() -> Result<(), String> {
    tools::ensure_miri()?;
    let mut lib = Cmd::new("cargo").args([
        "+nightly",
        "miri",
        "test",
        "-p",
        "pollscope-shared",
        "--lib",
        "--",
    ]);
    for module in SKIPPED_MODULES {
        lib = lib.args(["--skip", module]);
    }
    lib.run()?;
    let mut cmd = Cmd::new("cargo").args([
        "+nightly",
        "miri",
        "test",
        "-p",
        "pollscope-shared",
        "--test",
        "instrument",
        "--",
    ]);
    for name in SKIPPED {
        cmd = cmd.args(["--skip", name]);
    }
    cmd.run()
}
