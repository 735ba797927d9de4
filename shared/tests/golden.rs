//! Golden JSON for every protocol message.
//!
//! Each message has one example under `tests/golden/`. The test checks both directions:
//! the example decodes to the value below, and the value encodes to the example. A change
//! to the wire format therefore fails here until the golden file (and `docs/protocol.md`)
//! is updated on purpose: `POLLSCOPE_UPDATE_GOLDEN=1 cargo test -p pollscope-shared`.
//! `protocol_doc.rs` checks that the example session of `docs/protocol.md` is made of
//! these files.

#![cfg(not(target_arch = "wasm32"))] // reads files

use std::path::PathBuf;

use pollscope_shared::instrument::event::LaneKind;
use pollscope_shared::instrument::stats::WakeCounts;
use pollscope_shared::instrument::{
    Event, EventKind, LaneId, PollEvent, PollOutcome, SpanId, SpawnEvent, TaskId, TaskKind,
    TaskOutcome, Wait, WakeSource,
};
use pollscope_shared::load::{RunLoad, ThreadLoad};
use pollscope_shared::protocol::{EventEncoding, SessionLimits};
use pollscope_shared::results::*;
use pollscope_shared::scenario::{CodeSnippet, ParamSpec, ParamValues, ScenarioDescriptor};
use pollscope_shared::{ClientMessage, ErrorCode, PROTOCOL_VERSION, ServerMessage};
use serde::Serialize;
use serde::de::DeserializeOwned;

fn params() -> ParamValues {
    ParamValues::from([("delay_a_ms".into(), 300), ("delay_b_ms".into(), 500)])
}

fn fetch(server: &str, delay_ms: u64, started_at_us: u64, elapsed_us: u64) -> FetchTiming {
    FetchTiming {
        server: server.into(),
        delay_ms,
        started_at_us,
        elapsed_us,
        bytes: 79,
    }
}

fn client_examples() -> Vec<(&'static str, ClientMessage)> {
    vec![
        (
            "client_run",
            ClientMessage::Run {
                scenario: "seq_vs_concurrent".into(),
                params: params(),
                events: EventEncoding::Binary,
            },
        ),
        ("client_cancel", ClientMessage::Cancel { run_id: 1 }),
    ]
}

fn server_examples() -> Vec<(&'static str, ServerMessage)> {
    vec![
        (
            "server_hello",
            ServerMessage::Hello {
                protocol_version: PROTOCOL_VERSION,
                server_version: "0.1.0".into(),
                limits: SessionLimits {
                    max_message_bytes: 65536,
                    max_concurrent_runs: 1,
                    max_run_seconds: 30,
                    idle_timeout_seconds: 600,
                    max_session_seconds: 3600,
                    server_max_running: 2,
                    server_max_queued: 64,
                },
                scenarios: vec![ScenarioDescriptor {
                    id: "seq_vs_concurrent".into(),
                    title: "Sequential vs concurrent".into(),
                    section: 1,
                    summary:
                        "Two HTTP fetches awaited one after the other, then together with join!."
                            .into(),
                    params: vec![
                        ParamSpec::integer("delay_a_ms", "Server A delay", "ms", 300, 10, 3000),
                        ParamSpec::integer("delay_b_ms", "Server B delay", "ms", 500, 10, 3000),
                    ],
                    code: CodeSnippet {
                        path: "backend/src/scenarios/seq_vs_concurrent.rs".into(),
                        text: "async fn concurrent(a: impl Future, b: impl Future) {\n    tokio::join!(a, b);\n}".into(),
                        ..CodeSnippet::default()
                    },
                    fixes: Vec::new(),
                }],
            },
        ),
        (
            "server_run_started",
            ServerMessage::RunStarted {
                run_id: 1,
                scenario: "seq_vs_concurrent".into(),
                params: params(),
            },
        ),
        (
            "server_progress_phase_listening",
            ServerMessage::Progress {
                run_id: 1,
                event: ProgressEvent::Phase {
                    at_us: 180,
                    name: "servers listening: a on 127.0.0.1:41617, b on 127.0.0.1:37401".into(),
                },
            },
        ),
        (
            "server_progress_phase",
            ServerMessage::Progress {
                run_id: 1,
                event: ProgressEvent::Phase {
                    at_us: 210,
                    name: "sequential".into(),
                },
            },
        ),
        (
            "server_progress_fetch_started",
            ServerMessage::Progress {
                run_id: 1,
                event: ProgressEvent::FetchStarted {
                    at_us: 215,
                    strategy: Strategy::Sequential,
                    server: "a".into(),
                },
            },
        ),
        (
            "server_progress_fetch_finished",
            ServerMessage::Progress {
                run_id: 1,
                event: ProgressEvent::FetchFinished {
                    at_us: 301_540,
                    strategy: Strategy::Sequential,
                    server: "a".into(),
                    elapsed_us: 301_325,
                },
            },
        ),
        (
            "server_result",
            ServerMessage::Result {
                run_id: 1,
                result: ScenarioResult::SeqVsConcurrent(SeqVsConcurrentResult {
                    sequential: StrategyTiming {
                        total_us: 802_911,
                        fetches: vec![
                            fetch("a", 300, 5, 301_325),
                            fetch("b", 500, 301_340, 501_560),
                        ],
                    },
                    concurrent: StrategyTiming {
                        total_us: 501_870,
                        fetches: vec![fetch("a", 300, 4, 300_950), fetch("b", 500, 6, 501_800)],
                    },
                }),
                load: Some(RunLoad {
                    other_runs: 1,
                    threads: Some(ThreadLoad {
                        threads: 2,
                        cpu_us: 3_150,
                        run_queue_wait_us: 210,
                        wall_us: 1_304_781,
                    }),
                }),
            },
        ),
        (
            "server_result_echo",
            ServerMessage::Result {
                run_id: 2,
                result: ScenarioResult::Echo(EchoResult {
                    workers: 2,
                    clients: 8,
                    messages_per_client: 200,
                    message_bytes: 64,
                    round_trips: 1600,
                    elapsed_us: 81_250,
                    round_trips_per_sec: 19_692,
                    latency_p50_us: 310,
                    latency_p99_us: 1_480,
                    latency_max_us: 2_210,
                    latency_histogram: Box::new(Histogram {
                        count: 1600,
                        min_us: 95,
                        max_us: 2_210,
                        per_octave: 8,
                        edges_us: vec![
                            88, 96, 104, 112, 120, 128, 144, 160, 176, 192, 208, 224, 240, 256, 288,
                            320, 352, 384, 416, 448, 480, 512, 576, 640, 704, 768, 832, 896, 960,
                            1024, 1152, 1280, 1408, 1536, 1664, 1792, 1920, 2048, 2211,
                        ],
                        counts: vec![
                            4, 54, 51, 47, 44, 79, 72, 65, 59, 54, 50, 47, 44, 80, 66, 48, 43, 40,
                            38, 34, 33, 59, 53, 47, 44, 40, 38, 34, 33, 59, 52, 48, 27, 3, 3, 2, 3, 3,
                        ],
                    }),
                    tasks: 18,
                    polls: 6_512,
                    wakes: WakeCounts {
                        by_reactor: 3_190,
                        by_task: 8,
                        ..WakeCounts::default()
                    },
                    events_recorded: 29_880,
                    events_dropped: 0,
                }),
                load: None,
            },
        ),
        (
            "server_result_runtime_flavors",
            ServerMessage::Result {
                run_id: 3,
                result: ScenarioResult::RuntimeFlavors(RuntimeFlavorsResult {
                    tasks_asked: 8,
                    cores: 2,
                    parts: vec![
                        FlavorRun {
                            workers: 0,
                            wall_us: 61_200,
                            tasks: 18,
                            polls: 410,
                            lanes_used: 1,
                            polls_per_lane: vec![410],
                            migrations: 0,
                            busy_us: 48_900,
                            bursts_cpu_us: Some(47_800),
                            wakes: WakeCounts {
                                by_reactor: 120,
                                by_timer: 96,
                                by_task: 8,
                                ..WakeCounts::default()
                            },
                            events_dropped: 0,
                        },
                        FlavorRun {
                            workers: 2,
                            wall_us: 33_900,
                            tasks: 18,
                            polls: 415,
                            lanes_used: 2,
                            polls_per_lane: vec![205, 210],
                            migrations: 37,
                            busy_us: 49_300,
                            bursts_cpu_us: Some(47_500),
                            wakes: WakeCounts {
                                by_reactor: 121,
                                by_timer: 96,
                                by_task: 8,
                                ..WakeCounts::default()
                            },
                            events_dropped: 0,
                        },
                    ],
                }),
                load: None,
            },
        ),
        (
            "server_result_spawning",
            ServerMessage::Result {
                run_id: 4,
                result: ScenarioResult::Spawning(SpawningResult {
                    workers: 2,
                    parts: vec![SpawnBatch {
                        tasks: 10,
                        wall_us: 2_650,
                        first_poll_p50_us: 61,
                        first_poll_p99_us: 240,
                        first_poll_max_us: 240,
                        first_poll_histogram: Histogram {
                            count: 10,
                            min_us: 20,
                            max_us: 240,
                            per_octave: 8,
                            edges_us: vec![
                                20, 22, 24, 26, 28, 30, 32, 36, 40, 44, 48, 52, 56, 60, 64, 72, 80,
                                88, 96, 104, 112, 120, 128, 144, 160, 176, 192, 208, 224, 240, 241,
                            ],
                            counts: vec![
                                1, 0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1, 0,
                                0, 1, 0, 0, 0, 0, 1,
                            ],
                        },
                        wake_to_poll_p50_us: 12,
                        wake_to_poll_p99_us: 31,
                        events_dropped: 0,
                    }],
                }),
                load: None,
            },
        ),
        (
            "server_events",
            ServerMessage::Events {
                run_id: 2,
                part: 0,
                seq: 0,
                dropped_total: 0,
                events: every_event_kind(),
            },
        ),
        (
            "server_run_queued",
            ServerMessage::RunQueued {
                run_id: 1,
                ahead: 2,
            },
        ),
        (
            "server_run_admitted",
            ServerMessage::RunAdmitted {
                run_id: 1,
                waited_ms: 840,
            },
        ),
        (
            "server_run_cancelled",
            ServerMessage::RunCancelled { run_id: 1 },
        ),
        (
            "server_error_request",
            ServerMessage::Error {
                run_id: None,
                code: ErrorCode::ParameterOutOfRange,
                message: "parameter `delay_a_ms` = 999999 is outside 10..=3000 ms".into(),
            },
        ),
        (
            "server_error_run",
            ServerMessage::Error {
                run_id: Some(1),
                code: ErrorCode::RunTimedOut,
                message: "run 1 exceeded the 30 s run limit".into(),
            },
        ),
    ]
}

/// One event of every kind, so the JSON of each is pinned.
fn every_event_kind() -> Vec<Event> {
    let task = TaskId(3);
    let lane = Some(LaneId(1));
    let kinds = vec![
        EventKind::Lane {
            lane: LaneId(1),
            name: "tokio-runtime-worker".into(),
            lane_kind: LaneKind::Worker,
        },
        EventKind::Spawn(SpawnEvent {
            task,
            name: "conn 127.0.0.1:40522".into(),
            parent: Some(TaskId(2)),
            task_kind: TaskKind::Async,
        }),
        EventKind::WakerClone { task },
        EventKind::Poll(PollEvent {
            task,
            lane,
            busy_ns: 700,
            outcome: PollOutcome::Pending,
            resumed: None,
            waiting_on: Some(Wait {
                span: SpanId(9),
                name: "read request".into(),
            }),
            waker_clones: 1,
        }),
        EventKind::SpanEnter {
            task,
            span: SpanId(8),
            name: "handle request".into(),
        },
        EventKind::Park { lane: LaneId(1) },
        EventKind::Wake {
            task,
            by: WakeSource::Reactor,
            by_ref: false,
        },
        EventKind::Unpark { lane: LaneId(1) },
        EventKind::Wake {
            task,
            by: WakeSource::Task(TaskId(2)),
            by_ref: true,
        },
        EventKind::WakerDrop { task },
        EventKind::Poll(PollEvent {
            task,
            lane,
            busy_ns: 120,
            outcome: PollOutcome::Ready,
            resumed: Some(SpanId(9)),
            waiting_on: None,
            waker_clones: 0,
        }),
        EventKind::SpanExit {
            task,
            span: SpanId(8),
        },
        EventKind::Complete {
            task,
            outcome: TaskOutcome::Cancelled,
        },
    ];
    kinds
        .into_iter()
        .enumerate()
        .map(|(i, kind)| Event {
            t_ns: 1_000 + 250 * i as u64,
            kind,
        })
        .collect()
}

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

fn check<T>(name: &str, value: &T)
where
    T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let path = golden_dir().join(format!("{name}.json"));
    let encoded = serde_json::to_value(value).unwrap();
    if std::env::var_os("POLLSCOPE_UPDATE_GOLDEN").is_some() {
        let pretty = serde_json::to_string_pretty(&encoded).unwrap() + "\n";
        std::fs::write(&path, pretty).unwrap();
    }
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("golden file {} missing: {e}", path.display()));
    let golden: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        encoded, golden,
        "{name}: encoding drifted from the golden file"
    );
    let decoded: T = serde_json::from_str(&text).unwrap();
    assert_eq!(&decoded, value, "{name}: golden file decodes differently");
}

#[test]
fn every_client_message_matches_its_golden_file() {
    let examples = client_examples();
    assert_eq!(
        examples.len(),
        ClientMessage::TYPES.len(),
        "one example per client type"
    );
    for (name, message) in &examples {
        check(name, message);
        // The strict parser the server uses agrees with serde.
        let text = std::fs::read_to_string(golden_dir().join(format!("{name}.json"))).unwrap();
        assert_eq!(&ClientMessage::parse(&text).unwrap(), message);
    }
}

#[test]
fn every_server_message_matches_its_golden_file() {
    for (name, message) in &server_examples() {
        check(name, message);
        assert_eq!(
            &ServerMessage::from_json(&message.to_json()).unwrap(),
            message
        );
        // What the page reads its server with: the same message, read tag first.
        assert_eq!(
            &ServerMessage::from_server_json(&message.to_json()).unwrap(),
            message,
            "{name}"
        );
    }
}

/// The page's one-pass reader needs the tags first, as a server writes them; the golden
/// files are in key order, so it refuses them with an error that says why, while the
/// derived decoder reads any order.
#[test]
fn the_pages_reader_names_a_tag_that_is_not_first() {
    for (name, message) in &server_examples() {
        let text = std::fs::read_to_string(golden_dir().join(format!("{name}.json"))).unwrap();
        assert_eq!(&ServerMessage::from_json(&text).unwrap(), message);
        let tag_first = text.trim_start().starts_with("{\n  \"type\"");
        match ServerMessage::from_server_json(&text) {
            Ok(read) => assert!(tag_first && &read == message, "{name}"),
            Err(e) => assert!(
                e.to_string().contains("tag must be the object's first key"),
                "{name}: {e}"
            ),
        }
    }
    for (text, why) in [
        (
            r#"{"type":"launch_missiles"}"#,
            "unknown variant `launch_missiles`",
        ),
        (
            r#"{"run_id":1}"#,
            "`type` tag must be the object's first key, not `run_id`",
        ),
        ("{}", "missing field `type`"),
        (r#"{"type":"run_cancelled"}"#, "missing field `run_id`"),
        (
            r#"{"type":"progress","run_id":1,"event":{"at_us":3,"kind":"phase"}}"#,
            "`kind` tag",
        ),
        (
            r#"{"type":"result","run_id":1,"result":{"scenario":"nope"}}"#,
            "unknown variant `nope`",
        ),
        ("[1]", "first key is `type`"),
    ] {
        let e = ServerMessage::from_server_json(text)
            .unwrap_err()
            .to_string();
        assert!(e.contains(why), "{text}: {e}");
    }
}

#[test]
fn every_server_message_type_has_an_example() {
    let types: std::collections::BTreeSet<String> = server_examples()
        .iter()
        .map(|(_, m)| {
            serde_json::to_value(m).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    // The page's tag-first reader knows exactly the types the server writes.
    let expected = <ServerMessage as pollscope_shared::tag_first::TagFirst>::VARIANTS;
    assert_eq!(types, expected.iter().map(|s| s.to_string()).collect());
    assert_eq!(types.len(), expected.len(), "a type listed twice");
}

#[test]
fn no_stray_golden_files() {
    let mut known: Vec<String> = client_examples()
        .iter()
        .map(|(n, _)| n.to_string())
        .collect();
    known.extend(server_examples().iter().map(|(n, _)| n.to_string()));
    for entry in std::fs::read_dir(golden_dir()).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            continue; // `results/` has a test of its own (golden_results.rs)
        }
        let name = entry.file_name().into_string().unwrap();
        let stem = name.trim_end_matches(".json");
        assert!(
            known.iter().any(|k| k == stem),
            "golden file {name} has no example"
        );
    }
}

#[test]
fn the_hand_written_binary_encoder_writes_exactly_postcard() {
    let mut events = every_event_kind();
    // Edge values: large ids and times, a time going backwards, a long name.
    events.push(Event {
        t_ns: u64::MAX / 3,
        kind: EventKind::WakerClone {
            task: TaskId(u32::MAX),
        },
    });
    events.push(Event {
        t_ns: 5,
        kind: EventKind::Park { lane: LaneId(300) },
    });
    events.push(Event {
        t_ns: 6,
        kind: EventKind::Spawn(SpawnEvent {
            task: TaskId(128),
            name: "x".repeat(300).into(),
            parent: None,
            task_kind: TaskKind::Blocking,
        }),
    });
    // Polls whose await point's name fits in the encoder's room beside the largest fields,
    // and one whose name does not.
    for name_len in [3, 20, 44] {
        events.push(Event {
            t_ns: 6,
            kind: EventKind::Poll(PollEvent {
                task: TaskId(u32::MAX),
                lane: Some(LaneId(u32::MAX - 1)),
                busy_ns: u64::MAX / 2,
                outcome: PollOutcome::Panicked,
                resumed: Some(SpanId(u32::MAX - 1)),
                waiting_on: Some(Wait {
                    span: SpanId(u32::MAX - 1),
                    name: "y".repeat(name_len).into(),
                }),
                waker_clones: 7,
            }),
        });
    }
    for by in [WakeSource::Timer, WakeSource::Driver, WakeSource::Thread] {
        events.push(Event {
            t_ns: 7,
            kind: EventKind::Wake {
                task: TaskId(1),
                by,
                by_ref: true,
            },
        });
    }
    for outcome in [TaskOutcome::Ok, TaskOutcome::Error, TaskOutcome::Panicked] {
        events.push(Event {
            t_ns: 8,
            kind: EventKind::Complete {
                task: TaskId(1),
                outcome,
            },
        });
    }
    events.push(Event {
        t_ns: 9,
        kind: EventKind::Poll(PollEvent {
            task: TaskId(1),
            lane: None,
            busy_ns: u64::MAX,
            outcome: PollOutcome::Ready,
            resumed: None,
            waiting_on: None,
            waker_clones: u32::from(u16::MAX),
        }),
    });
    events.push(Event {
        t_ns: 9,
        kind: EventKind::Lane {
            lane: LaneId(2),
            name: "b".into(),
            lane_kind: LaneKind::Blocking,
        },
    });
    events.push(Event {
        t_ns: 9,
        kind: EventKind::Lane {
            lane: LaneId(3),
            name: "m".into(),
            lane_kind: LaneKind::Main,
        },
    });
    let batch = pollscope_shared::instrument::batch::EventBatch {
        run_id: 1 << 40,
        part: 3,
        seq: 200,
        dropped_total: 77,
        events,
    };
    let fast = batch.encode_binary();
    assert_eq!(fast, batch.encode_binary_with_serde());
    assert_eq!(
        pollscope_shared::instrument::batch::EventBatch::decode_binary(&fast).unwrap(),
        batch
    );

    // Built from several drains' worth of events, twice in a row: the same bytes each
    // time (the builder starts over after `finish`).
    let mut builder = pollscope_shared::instrument::batch::BinaryBatchBuilder::default();
    for _ in 0..2 {
        for chunk in batch.events.chunks(5) {
            builder.push_all(chunk);
        }
        assert_eq!(builder.len(), batch.events.len() as u64);
        assert_eq!(builder.finish(1 << 40, 3, 200, 77), fast);
        assert!(builder.is_empty());
    }
}
