//! # pollscope-shared
//!
//! What the browser and the backend agree on. Compiled for native and for
//! `wasm32-unknown-unknown`, so it depends on nothing runtime-specific.
//!
//! Layout:
//! - [`protocol`]: the messages on the WebSocket (JSON text frames tagged by `type`),
//!   and the protocol version both sides check.
//! - [`scenario`]: what a scenario looks like from outside: its descriptor, its bounded
//!   parameters and how a request's parameters are validated against them.
//! - [`snippet`]: cutting "the code that ran" out of a source file, between its markers.
//! - [`code_lines`]: which line of a snippet names an await point or spawns a task.
//! - [`error`]: the stable error codes a client can match on.
//! - [`tag_first`]: decoding a tagged message in one pass when its tag comes first, as
//!   ours always does: how the page reads its server without serde's buffering.
//! - [`results`]: the measured outcome of each scenario, and the progress events it streams.
//! - `testkit` (feature `testkit`): the recording rules every test of a recording checks.
//! - [`instrument`]: runtime-agnostic recording of what tasks do (spawn, poll, wake, park),
//!   the event batches that carry it, and the per-task statistics computed from it.
//! - [`keep`]: a finished run kept in one file (save, open, replay offline).
//! - [`load`]: what the server saw of the machine during a run (other runs in flight, its
//!   threads' wait for a CPU), and the sentence that says so.
//! - [`diagnostics`]: warnings computed from a recording (long polls, scheduling delay and
//!   who caused it, self-wakes, lost wakes, a full blocking pool), each naming its event.
//!
//! The protocol is documented with an example session in `docs/protocol.md`; the golden
//! files under `shared/tests/golden/` pin every message's JSON so the contract cannot drift.

pub mod code_lines;
pub mod diagnostics;
pub mod error;
pub mod instrument;
pub mod keep;
pub mod load;
pub mod protocol;
pub mod results;
pub mod scenario;
pub mod snippet;
pub mod tag_first;
#[cfg(any(test, feature = "testkit"))]
pub mod testkit;

pub use error::{ErrorCode, ProtocolError};
pub use protocol::{ClientMessage, PROTOCOL_VERSION, ServerMessage};
