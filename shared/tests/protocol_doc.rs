//! `docs/protocol.md` against the code: what a reader of the protocol's description is
//! told must be what the wire carries.
//!
//! - The example session is read message by message (a line starting `< ` or `> ` begins
//!   one, indented lines continue it, an indented `...` line is a remark). Every message
//!   the server sends in it is exactly one of the golden files of `tests/golden/` (which
//!   `golden.rs` pins to the Rust types); every request decodes with the server's strict
//!   parser; the refused one is refused with exactly the error the example shows, by the
//!   rule the server applies to the hello's descriptor; the accepted one is a golden file
//!   (up to fields with defaults), and the run's messages carry its run id.
//! - The version in the title and the hello is [`PROTOCOL_VERSION`].
//! - The message and error-code tables name every type and code the Rust types have.
//!
//! Uses only the shared crate, `serde_json` and the files it reads.

#![cfg(not(target_arch = "wasm32"))] // reads files

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use pollscope_shared::{ClientMessage, ErrorCode, PROTOCOL_VERSION, ServerMessage};
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn doc() -> String {
    std::fs::read_to_string(root().join("docs/protocol.md")).expect("docs/protocol.md")
}

/// The text of the `## <title>` section, up to the next `## ` heading.
fn section<'a>(doc: &'a str, title: &str) -> &'a str {
    let heading = format!("\n## {title}\n");
    let start = doc
        .find(&heading)
        .unwrap_or_else(|| panic!("no section `{title}`"))
        + heading.len();
    let rest = &doc[start..];
    &rest[..rest.find("\n## ").unwrap_or(rest.len())]
}

/// Who sends a message of the example.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum From {
    Client,
    Server,
}

/// The example session's messages, in order, as JSON text.
fn example_session(doc: &str) -> Vec<(From, String)> {
    let body = section(doc, "Example session");
    let block = body
        .split_once("```text\n")
        .and_then(|(_, rest)| rest.split_once("\n```"))
        .map(|(block, _)| block)
        .expect("the example session is a ```text block");
    let mut messages: Vec<(From, String)> = Vec::new();
    // Whether an indented line continues the last message (not after a remark).
    let mut open = false;
    for line in block.lines() {
        if let Some(json) = line.strip_prefix("< ") {
            messages.push((From::Server, json.to_owned()));
            open = true;
        } else if let Some(json) = line.strip_prefix("> ") {
            messages.push((From::Client, json.to_owned()));
            open = true;
        } else if line.trim_start().starts_with("...") {
            open = false;
        } else if line.starts_with(' ') && open {
            messages.last_mut().unwrap().1.push_str(line);
        } else {
            panic!("a line of the example session that is none of the above: {line:?}");
        }
    }
    messages
}

/// Every golden file, by name.
fn golden_files() -> BTreeMap<String, Value> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        // `results/` holds each scenario's result, not messages.
        .filter(|path| path.is_file())
        .map(|path| {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&path).unwrap();
            (name, serde_json::from_str(&text).unwrap())
        })
        .collect()
}

/// The golden file whose JSON is exactly `value`.
fn golden_equal_to(golden: &BTreeMap<String, Value>, value: &Value) -> Option<String> {
    golden
        .iter()
        .find(|(_, g)| *g == value)
        .map(|(name, _)| name.clone())
}

#[test]
fn the_example_session_is_made_of_golden_messages_and_follows_the_rules() {
    let golden = golden_files();
    let session = example_session(&doc());
    assert!(session.len() >= 8, "the example lost messages: {session:?}");

    let mut matched = BTreeSet::new();
    let mut descriptors = Vec::new();
    let mut run_id = None;
    let mut last_at_us = 0;
    // What the server must answer next, if the example's last request decides it.
    let mut expected_answer: Option<ServerMessage> = None;
    let mut ended = false;
    for (i, (from, text)) in session.iter().enumerate() {
        let value: Value = serde_json::from_str(text)
            .unwrap_or_else(|e| panic!("message {i} of the example is not JSON ({e}): {text}"));
        match from {
            From::Server => {
                let name = golden_equal_to(&golden, &value).unwrap_or_else(|| {
                    panic!("message {i} of the example is no golden file: {value:#}")
                });
                matched.insert(name);
                let message = ServerMessage::from_json(text).unwrap();
                assert_eq!(
                    serde_json::to_value(&message).unwrap(),
                    value,
                    "message {i} re-encodes as it is written"
                );
                if let Some(expected) = expected_answer.take() {
                    assert_eq!(message, expected, "the answer to message {}", i - 1);
                }
                match &message {
                    ServerMessage::Hello {
                        protocol_version,
                        scenarios,
                        ..
                    } => {
                        assert_eq!(i, 0, "the server speaks first, with hello");
                        assert_eq!(*protocol_version, PROTOCOL_VERSION);
                        descriptors = scenarios.clone();
                    }
                    ServerMessage::RunStarted { run_id: id, .. } => run_id = Some(*id),
                    ServerMessage::Progress { run_id: id, event } => {
                        assert_eq!(Some(*id), run_id, "message {i}: progress of the run");
                        assert!(event.at_us() >= last_at_us, "message {i}: in time order");
                        last_at_us = event.at_us();
                    }
                    ServerMessage::Result { run_id: id, .. } => {
                        assert_eq!(Some(*id), run_id, "message {i}: the run's result");
                        ended = true;
                    }
                    ServerMessage::Error { run_id: None, .. } => {}
                    other => panic!("message {i}: not expected in this example: {other:?}"),
                }
            }
            From::Client => {
                let message = ClientMessage::parse(text)
                    .unwrap_or_else(|e| panic!("message {i}: the server refuses it: {e}"));
                let ClientMessage::Run {
                    scenario, params, ..
                } = &message
                else {
                    panic!("message {i}: the example only runs: {message:?}");
                };
                let descriptor = descriptors
                    .iter()
                    .find(|d| &d.id == scenario)
                    .unwrap_or_else(|| panic!("message {i}: the hello has no `{scenario}`"));
                expected_answer = Some(match descriptor.validate(params) {
                    Err(refused) => ServerMessage::error(None, refused),
                    Ok(()) => {
                        // The accepted request is a golden one, up to defaults.
                        let name = golden
                            .iter()
                            .find(|(name, g)| {
                                name.starts_with("client_")
                                    && ClientMessage::parse(&g.to_string()).as_ref() == Ok(&message)
                            })
                            .map(|(name, _)| name.clone())
                            .unwrap_or_else(|| panic!("message {i} is no golden file: {text}"));
                        matched.insert(name);
                        ServerMessage::RunStarted {
                            run_id: run_id.map_or(1, |id| id + 1),
                            scenario: scenario.clone(),
                            params: params.clone(),
                        }
                    }
                });
            }
        }
    }
    assert!(ended, "the run ends with its result");
    assert!(
        expected_answer.is_none(),
        "the last request went unanswered"
    );
    for kind in [
        "server_hello",
        "server_error_request",
        "client_run",
        "server_run_started",
        "server_progress_phase",
        "server_progress_fetch_started",
        "server_progress_fetch_finished",
        "server_result",
    ] {
        assert!(matched.contains(kind), "the example shows no {kind}");
    }
}

#[test]
fn the_title_names_the_current_protocol_version() {
    let doc = doc();
    let title = doc.lines().next().unwrap();
    assert_eq!(
        title,
        format!("# The pollscope WebSocket protocol (version {PROTOCOL_VERSION})")
    );
}

/// The first column's `code` names of a section's table rows.
fn first_column(section: &str) -> BTreeSet<String> {
    section
        .lines()
        .filter(|line| line.starts_with("| `"))
        .flat_map(|line| {
            let cell = line.split('|').nth(1).unwrap();
            cell.split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn the_message_tables_name_every_message_type() {
    let doc = doc();
    let client: BTreeSet<String> = ClientMessage::TYPES.iter().map(|t| t.to_string()).collect();
    assert_eq!(first_column(section(&doc, "Client → server")), client);
    // The server's types, from the golden file of each (`golden.rs` checks every type has
    // one).
    let server: BTreeSet<String> = golden_files()
        .iter()
        .filter(|(name, _)| name.starts_with("server_"))
        .map(|(_, g)| g["type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(first_column(section(&doc, "Server → client")), server);
}

#[test]
fn the_error_table_names_every_error_code() {
    /// Every code.
    const ALL: [ErrorCode; 13] = [
        ErrorCode::MalformedMessage,
        ErrorCode::UnknownMessageType,
        ErrorCode::BinaryNotSupported,
        ErrorCode::UnknownScenario,
        ErrorCode::MissingParameter,
        ErrorCode::UnknownParameter,
        ErrorCode::ParameterOutOfRange,
        ErrorCode::TooManyRuns,
        ErrorCode::UnknownRun,
        ErrorCode::RunTimedOut,
        ErrorCode::RunFailed,
        ErrorCode::ShuttingDown,
        ErrorCode::ServerBusy,
    ];
    /// A new code fails to compile here, until it is added to `ALL` above.
    fn _every_code_is_in_all(code: ErrorCode) {
        match code {
            ErrorCode::MalformedMessage
            | ErrorCode::UnknownMessageType
            | ErrorCode::BinaryNotSupported
            | ErrorCode::UnknownScenario
            | ErrorCode::MissingParameter
            | ErrorCode::UnknownParameter
            | ErrorCode::ParameterOutOfRange
            | ErrorCode::TooManyRuns
            | ErrorCode::UnknownRun
            | ErrorCode::RunTimedOut
            | ErrorCode::RunFailed
            | ErrorCode::ShuttingDown
            | ErrorCode::ServerBusy => {}
        }
    }
    let named: BTreeSet<String> = ALL.iter().map(|c| c.as_str().to_owned()).collect();
    assert_eq!(first_column(section(&doc(), "Error codes")), named);
    // Each name is what the code is called on the wire.
    for code in ALL {
        assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
    }
}
