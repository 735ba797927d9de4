//! The WebSocket protocol.
//!
//! Control messages are JSON text frames; each is an object whose `type` field names the
//! message. The server speaks first with [`ServerMessage::Hello`], which carries
//! [`PROTOCOL_VERSION`] and the scenarios it can run. A client then sends
//! [`ClientMessage::Run`] and receives `run_started`, any number of `progress`, and finally
//! `result`, `run_cancelled` or `error` for that run id.

use serde::{Deserialize, Serialize};

use crate::error::{ErrorCode, ProtocolError};
use crate::instrument::Event;
use crate::load::RunLoad;
use crate::results::{ProgressEvent, ScenarioResult};
use crate::scenario::{ParamValues, ScenarioDescriptor};
use crate::tag_first::{TagFirst, Tagged, fields};

/// Bumped on any change a client of the previous version would misread.
pub const PROTOCOL_VERSION: u32 = 6;

/// Messages a client sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientMessage {
    /// Start a scenario. Every parameter of the scenario must be given.
    Run {
        scenario: String,
        #[serde(default)]
        params: ParamValues,
        /// How to send the run's recorded events, for scenarios that record them.
        #[serde(default)]
        events: EventEncoding,
    },
    /// Stop a run of this session early.
    Cancel { run_id: u64 },
}

impl ClientMessage {
    /// The `type` tags this protocol version accepts from clients.
    pub const TYPES: &'static [&'static str] = &["run", "cancel"];

    /// Parse one text frame, telling apart "not a message at all"
    /// ([`ErrorCode::MalformedMessage`]) from "a message of a type we don't know"
    /// ([`ErrorCode::UnknownMessageType`]).
    pub fn parse(text: &str) -> Result<Self, ProtocolError> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            ProtocolError::new(ErrorCode::MalformedMessage, format!("not JSON: {e}"))
        })?;
        let Some(kind) = value
            .get("type")
            .and_then(|t| t.as_str())
            .map(str::to_owned)
        else {
            return Err(ProtocolError::new(
                ErrorCode::MalformedMessage,
                "expected a JSON object with a string field `type`",
            ));
        };
        if !Self::TYPES.contains(&kind.as_str()) {
            return Err(ProtocolError::new(
                ErrorCode::UnknownMessageType,
                format!(
                    "unknown message type `{kind}`; expected one of {:?}",
                    Self::TYPES
                ),
            ));
        }
        serde_json::from_value(value).map_err(|e| {
            ProtocolError::new(
                ErrorCode::MalformedMessage,
                format!("bad `{kind}` message: {e}"),
            )
        })
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("client messages always serialize")
    }
}

/// The encoding of event batches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventEncoding {
    /// Binary frames: the tag byte `0xB2`, then a postcard-encoded batch (compact; each
    /// name spelled out once per batch).
    #[default]
    Binary,
    /// `events` text messages (readable, about 8 times larger).
    Json,
}

/// Limits the server enforces on a session, announced in the hello so a client can
/// stay inside them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionLimits {
    /// Largest text frame accepted; a larger one closes the session with code 1009.
    pub max_message_bytes: u64,
    /// Runs that may be in flight at once in one session.
    pub max_concurrent_runs: u32,
    /// A run still going after this long is stopped with `run_timed_out`.
    pub max_run_seconds: u64,
    /// A session with no client message and no run for this long is closed.
    pub idle_timeout_seconds: u64,
    /// No session lives longer than this.
    pub max_session_seconds: u64,
    /// Runs in flight at once on the whole server, all sessions together; later runs
    /// queue (`run_queued`).
    #[serde(default)]
    pub server_max_running: u32,
    /// Runs that may wait for a slot; past that a run is refused with `server_busy`.
    #[serde(default)]
    pub server_max_queued: u32,
}

/// Messages the server sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    /// First message of every session.
    Hello {
        protocol_version: u32,
        server_version: String,
        limits: SessionLimits,
        scenarios: Vec<ScenarioDescriptor>,
    },
    /// A run request was accepted; later messages about it carry this id.
    RunStarted {
        run_id: u64,
        scenario: String,
        params: ParamValues,
    },
    /// The server's run slots are all taken: the run waits in a first-come-first-served
    /// queue with `ahead` runs before it. Sent when it joins the queue and each time it
    /// moves up.
    RunQueued { run_id: u64, ahead: u32 },
    /// A run that had queued got its slot after `waited_ms` and is running now.
    RunAdmitted { run_id: u64, waited_ms: u64 },
    /// Something happened during the run.
    Progress { run_id: u64, event: ProgressEvent },
    /// The run finished; these are its measurements, and what the server saw of the
    /// machine meanwhile (absent from servers that predate it).
    Result {
        run_id: u64,
        result: ScenarioResult,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        load: Option<RunLoad>,
    },
    /// A batch of recorded events, when the run asked for `"events": "json"`. With the
    /// default binary encoding the same batch arrives as a binary frame instead.
    Events {
        run_id: u64,
        part: u32,
        seq: u64,
        dropped_total: u64,
        events: Vec<Event>,
    },
    /// The run was stopped by a `cancel` before it finished.
    RunCancelled { run_id: u64 },
    /// Something went wrong. `run_id` is set when it concerns a started run; an error
    /// without one answers the client's last message, and nothing was started.
    Error {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        run_id: Option<u64>,
        code: ErrorCode,
        message: String,
    },
}

impl ServerMessage {
    pub fn error(run_id: Option<u64>, err: ProtocolError) -> Self {
        Self::Error {
            run_id,
            code: err.code,
            message: err.message,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("server messages always serialize")
    }

    /// Decodes a message in any key order (the derived decoder).
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// Decodes a message its tags first, as a pollscope server writes it: what the page
    /// reads its server with (see [`crate::tag_first`]).
    pub fn from_server_json(text: &str) -> Result<Self, serde_json::Error> {
        crate::tag_first::from_str(text)
    }
}

/// Read with the `type` tag first (see [`crate::tag_first`]): what the page decodes its
/// server's messages with. Each variant's fields are a struct of their own here, decoded
/// straight from the rest of the object, with the same defaults as the enum's.
impl TagFirst for ServerMessage {
    const TAG: &'static str = "type";
    const VARIANTS: &'static [&'static str] = &[
        "hello",
        "run_started",
        "run_queued",
        "run_admitted",
        "progress",
        "result",
        "events",
        "run_cancelled",
        "error",
    ];

    fn rest<'de, A: serde::de::MapAccess<'de>>(tag: &str, rest: A) -> Result<Self, A::Error> {
        #[derive(Deserialize)]
        struct Hello {
            protocol_version: u32,
            server_version: String,
            limits: SessionLimits,
            scenarios: Vec<ScenarioDescriptor>,
        }
        #[derive(Deserialize)]
        struct RunStarted {
            run_id: u64,
            scenario: String,
            params: ParamValues,
        }
        #[derive(Deserialize)]
        struct RunQueued {
            run_id: u64,
            ahead: u32,
        }
        #[derive(Deserialize)]
        struct RunAdmitted {
            run_id: u64,
            waited_ms: u64,
        }
        #[derive(Deserialize)]
        struct Progress {
            run_id: u64,
            event: Tagged<ProgressEvent>,
        }
        #[derive(Deserialize)]
        struct Finished {
            run_id: u64,
            result: Tagged<ScenarioResult>,
            #[serde(default)]
            load: Option<RunLoad>,
        }
        #[derive(Deserialize)]
        struct Events {
            run_id: u64,
            part: u32,
            seq: u64,
            dropped_total: u64,
            events: Vec<Event>,
        }
        #[derive(Deserialize)]
        struct RunCancelled {
            run_id: u64,
        }
        #[derive(Deserialize)]
        struct Failed {
            #[serde(default)]
            run_id: Option<u64>,
            code: ErrorCode,
            message: String,
        }
        Ok(match tag {
            "hello" => {
                let Hello {
                    protocol_version,
                    server_version,
                    limits,
                    scenarios,
                } = fields(rest)?;
                Self::Hello {
                    protocol_version,
                    server_version,
                    limits,
                    scenarios,
                }
            }
            "run_started" => {
                let RunStarted {
                    run_id,
                    scenario,
                    params,
                } = fields(rest)?;
                Self::RunStarted {
                    run_id,
                    scenario,
                    params,
                }
            }
            "run_queued" => {
                let RunQueued { run_id, ahead } = fields(rest)?;
                Self::RunQueued { run_id, ahead }
            }
            "run_admitted" => {
                let RunAdmitted { run_id, waited_ms } = fields(rest)?;
                Self::RunAdmitted { run_id, waited_ms }
            }
            "progress" => {
                let Progress { run_id, event } = fields(rest)?;
                Self::Progress {
                    run_id,
                    event: event.0,
                }
            }
            "result" => {
                let Finished {
                    run_id,
                    result,
                    load,
                } = fields(rest)?;
                Self::Result {
                    run_id,
                    result: result.0,
                    load,
                }
            }
            "events" => {
                let Events {
                    run_id,
                    part,
                    seq,
                    dropped_total,
                    events,
                } = fields(rest)?;
                Self::Events {
                    run_id,
                    part,
                    seq,
                    dropped_total,
                    events,
                }
            }
            "run_cancelled" => {
                let RunCancelled { run_id } = fields(rest)?;
                Self::RunCancelled { run_id }
            }
            "error" => {
                let Failed {
                    run_id,
                    code,
                    message,
                } = fields(rest)?;
                Self::Error {
                    run_id,
                    code,
                    message,
                }
            }
            other => return Err(serde::de::Error::unknown_variant(other, Self::VARIANTS)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_tells_malformed_from_unknown() {
        for text in ["", "nope", "[1,2]", "{}", r#"{"type": 3}"#] {
            assert_eq!(
                ClientMessage::parse(text).unwrap_err().code,
                ErrorCode::MalformedMessage,
                "{text}"
            );
        }
        assert_eq!(
            ClientMessage::parse(r#"{"type":"launch_missiles"}"#)
                .unwrap_err()
                .code,
            ErrorCode::UnknownMessageType
        );
        // A known type with wrong fields is malformed, not unknown.
        assert_eq!(
            ClientMessage::parse(r#"{"type":"cancel","run_id":"x"}"#)
                .unwrap_err()
                .code,
            ErrorCode::MalformedMessage
        );
        assert_eq!(
            ClientMessage::parse(r#"{"type":"cancel","run_id":1,"extra":true}"#)
                .unwrap_err()
                .code,
            ErrorCode::MalformedMessage
        );
    }

    #[test]
    fn parse_accepts_run_without_params() {
        assert_eq!(
            ClientMessage::parse(r#"{"type":"run","scenario":"x"}"#),
            Ok(ClientMessage::Run {
                scenario: "x".into(),
                params: ParamValues::new(),
                events: EventEncoding::Binary,
            })
        );
    }
}
