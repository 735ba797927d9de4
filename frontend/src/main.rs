//! The WebAssembly entry point that Trunk builds (`data-bin="pollscope-frontend"`).
//! All the code lives in the library so the browser tests in `tests/` can use it.

fn main() {
    pollscope_frontend::start();
}
