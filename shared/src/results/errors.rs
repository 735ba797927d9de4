//! What the errors demo measures (outline section 6): an I/O error carried out of nested
//! async functions by `?`, each adding its name, and what awaiting a `JoinHandle` gives
//! for a task that returned `Ok`, one that returned `Err`, and one that panicked.

use serde::{Deserialize, Serialize};

use crate::instrument::TaskOutcome;

/// One run: the error's way out (part 0) and the three joined tasks (part 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorsResult {
    /// Functions the error passed through above the one where it arose.
    pub nesting: u32,
    /// Which task (0..=2) panicked.
    pub panic_task: u32,
    /// Each task's wait before it ends.
    pub work_ms: u32,
    pub propagation: Propagation,
    /// One entry per task, in spawn order.
    pub tasks: Vec<JoinedTask>,
}

/// Part 0: the error as it came out of the outermost function.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Propagation {
    /// The loopback port connected to, on which nothing listened.
    pub port: u16,
    /// The functions the error names, innermost (where it arose) first, read from the
    /// error value's `source()` chain.
    pub chain: Vec<String>,
    /// The I/O error at the bottom of the chain: its `ErrorKind` as Debug prints it.
    pub io_kind: String,
    /// The operating system's error number, if it came from one.
    pub os_code: Option<i32>,
    /// The I/O error as Display prints it.
    pub io_message: String,
    /// The whole error as Display prints it, sources included.
    pub display: String,
    /// From calling the outermost function to its `Err` coming back.
    pub elapsed_us: u64,
}

/// Part 1: one task and what its `JoinHandle` gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinedTask {
    pub task: u32,
    pub joined: Joined,
    /// How the recorder saw the task end (absent if its completion was not recorded).
    pub recorded: Option<TaskOutcome>,
    /// Time inside the task's polls, from its recorded events. A panicking poll includes
    /// the panic hook's printing (and backtrace, if `RUST_BACKTRACE` is set).
    pub busy_us: u64,
}

/// What `handle.await` returned: `Result<Result<T, E>, JoinError>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Joined {
    /// `Ok(Ok(value))`: the task ran to the end and returned `Ok`.
    Ok { value: u32 },
    /// `Ok(Err(e))`: the task ran to the end and returned `Err`; `error` is its Display.
    Err { error: String },
    /// `Err(join_error)` with `join_error.is_panic()`: the panic's message, downcast from
    /// its payload (`&str` or `String`).
    Panic { message: String },
    /// `Err(join_error)` with `join_error.is_cancelled()`.
    Cancelled,
}

impl Joined {
    /// The pattern the page writes for it.
    pub fn pattern(&self) -> &'static str {
        match self {
            Self::Ok { .. } => "Ok(Ok(..))",
            Self::Err { .. } => "Ok(Err(..))",
            Self::Panic { .. } => "Err(JoinError::Panic(..))",
            Self::Cancelled => "Err(JoinError::Cancelled)",
        }
    }
}
