//! Typed errors of the wire protocol.
//!
//! A client matches on [`ErrorCode`] (its `snake_case` name is stable and part of the
//! contract); the message next to it is for humans and may change.

use serde::{Deserialize, Serialize};

/// Stable machine-readable error codes sent in [`crate::ServerMessage::Error`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The frame was not a JSON object with a string `type`, or its fields did not fit the type.
    MalformedMessage,
    /// The `type` names no message this protocol version knows.
    UnknownMessageType,
    /// Binary frames are not accepted from clients.
    BinaryNotSupported,
    /// No scenario has this id.
    UnknownScenario,
    /// A parameter the scenario requires was not given.
    MissingParameter,
    /// A parameter the scenario does not have was given.
    UnknownParameter,
    /// A parameter was outside its `[min, max]`.
    ParameterOutOfRange,
    /// The session already runs as many scenarios as it may.
    TooManyRuns,
    /// `cancel` named a run this session does not have running.
    UnknownRun,
    /// The run took longer than the server's run limit and was stopped.
    RunTimedOut,
    /// The scenario itself failed (for example a loopback socket error).
    RunFailed,
    /// The server is shutting down and starts nothing new.
    ShuttingDown,
    /// Every run slot on the server is taken and its queue is full: try again later.
    ServerBusy,
}

impl ErrorCode {
    /// The code's wire name, e.g. `"parameter_out_of_range"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MalformedMessage => "malformed_message",
            Self::UnknownMessageType => "unknown_message_type",
            Self::BinaryNotSupported => "binary_not_supported",
            Self::UnknownScenario => "unknown_scenario",
            Self::MissingParameter => "missing_parameter",
            Self::UnknownParameter => "unknown_parameter",
            Self::ParameterOutOfRange => "parameter_out_of_range",
            Self::TooManyRuns => "too_many_runs",
            Self::UnknownRun => "unknown_run",
            Self::RunTimedOut => "run_timed_out",
            Self::RunFailed => "run_failed",
            Self::ShuttingDown => "shutting_down",
            Self::ServerBusy => "server_busy",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error with its code and a human-readable explanation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ProtocolError {
    pub code: ErrorCode,
    pub message: String,
}

impl ProtocolError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}
