//! Outline section 4 over a real WebSocket: the echo scenario's recorded events arrive as
//! batches that decode, obey the recording rules, and add up to the result's totals.

mod common;

use std::collections::BTreeSet;

use common::{TestServer, collect};
use pollscope_shared::instrument::event::LaneKind;
use pollscope_shared::instrument::stats::{RunStats, TaskState};
use pollscope_shared::instrument::{Event, EventKind, PollEvent, PollOutcome, TaskOutcome};
use pollscope_shared::protocol::EventEncoding;
use pollscope_shared::results::{EchoResult, ScenarioResult};
use pollscope_shared::scenario::ParamValues;
use pollscope_shared::testkit::{Coverage, check_recording};
use pollscope_shared::{ClientMessage, ServerMessage};
use tokio_tungstenite::tungstenite::Message;

fn echo(workers: i64, clients: i64, messages: i64, events: EventEncoding) -> ClientMessage {
    ClientMessage::Run {
        scenario: "echo".into(),
        params: ParamValues::from([
            ("workers".into(), workers),
            ("clients".into(), clients),
            ("messages".into(), messages),
            ("message_bytes".into(), 64),
        ]),
        events,
    }
}

/// The recording rules, checked on a whole run.
fn check_rules(events: &[Event]) {
    check_recording(events, Coverage::WholeRun);
}

async fn run_echo(
    server: &TestServer,
    workers: i64,
    encoding: EventEncoding,
) -> (Vec<Event>, EchoResult) {
    let mut client = server.connect().await;
    client.recv().await; // hello
    client.send(&echo(workers, 4, 50, encoding)).await;
    let (batches, last) = collect(&mut client).await;
    let ServerMessage::Result {
        result: ScenarioResult::Echo(result),
        ..
    } = last
    else {
        panic!("expected the echo result, got {last:?}");
    };
    let seqs: Vec<u64> = batches.iter().map(|b| b.seq).collect();
    assert_eq!(
        seqs,
        (0..batches.len() as u64).collect::<Vec<_>>(),
        "no batch lost"
    );
    assert_eq!(
        batches.last().unwrap().dropped_total,
        0,
        "no drops at default parameters"
    );
    (batches.into_iter().flat_map(|b| b.events).collect(), result)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn echo_on_two_workers_records_every_task_and_adds_up() {
    let server = TestServer::start().await;
    let (events, result) = run_echo(&server, 2, EventEncoding::Binary).await;
    check_rules(&events);

    assert_eq!(result.round_trips, 4 * 50);
    // The histogram counted the same round trips the percentiles came from.
    common::assert_histogram_agrees(
        &result.latency_histogram,
        4 * 50,
        &[(50, result.latency_p50_us), (99, result.latency_p99_us)],
        result.latency_max_us,
    );
    assert!(
        result.latency_p50_us <= result.latency_p99_us
            && result.latency_p99_us <= result.latency_max_us
    );
    // The rate is the count over the measured time, as the result says.
    assert!(result.elapsed_us > 0);
    assert_eq!(
        result.round_trips_per_sec,
        result.round_trips * 1_000_000 / result.elapsed_us
    );
    // Each round trip was measured inside the run's time.
    assert!(result.latency_max_us <= result.elapsed_us, "{result:?}");
    assert_eq!(
        (result.clients, result.messages_per_client, result.workers),
        (4, 50, 2)
    );
    let mut stats = RunStats::default();
    stats.apply_all(&events);
    assert_eq!(stats.anomalies, 0);
    assert_eq!(
        result.polls, stats.polls,
        "result totals come from the same events"
    );
    assert_eq!(result.events_recorded, events.len() as u64);
    assert_eq!(
        result.wakes, stats.wakes,
        "wakes by source, from the same events"
    );
    assert_eq!(result.tasks as usize, stats.tasks.len());
    assert_eq!(result.events_dropped, 0);

    // Every task is there: main, the accept loop, 4 clients, 4 connections.
    let names: BTreeSet<String> = stats.tasks.values().map(|t| t.name.to_string()).collect();
    assert!(names.contains("main") && names.contains("accept loop"));
    assert_eq!(names.iter().filter(|n| n.starts_with("client ")).count(), 4);
    assert_eq!(
        names
            .iter()
            .filter(|n| n.starts_with("conn 127.0.0.1:"))
            .count(),
        4
    );
    assert_eq!(result.tasks, 10);
    for task in stats.tasks.values() {
        let outcome = match task.state {
            TaskState::Done(outcome) => outcome,
            other => panic!("{} not done: {other:?}", task.name),
        };
        if task.name == "accept loop" {
            assert_eq!(
                outcome,
                TaskOutcome::Cancelled,
                "the accept loop is aborted at the end"
            );
        } else if task.name.starts_with("client") || task.name == "main" {
            assert_eq!(outcome, TaskOutcome::Ok, "{}", task.name);
        }
    }
    // Reads park and the reactor wakes them.
    assert!(result.wakes.by_reactor > 0, "{:?}", result.wakes);
    let waited: BTreeSet<&str> = events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Poll(PollEvent {
                outcome: PollOutcome::Pending,
                waiting_on: Some(wait),
                ..
            }) => Some(wait.name.as_ref()),
            _ => None,
        })
        .collect();
    assert!(
        waited.contains("read request"),
        "connections wait on their reads: {waited:?}"
    );
    assert!(
        waited.contains("read echo"),
        "clients wait on the echo: {waited:?}"
    );

    // Two workers: polls happen on at most two lanes, both workers, and they park.
    let lanes_with_polls: BTreeSet<_> = events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Poll(PollEvent { lane, .. }) => lane,
            _ => None,
        })
        .collect();
    assert!(
        (1..=2).contains(&lanes_with_polls.len()),
        "{lanes_with_polls:?}"
    );
    assert!(stats.lanes.values().all(|l| l.kind == LaneKind::Worker));
    assert!(
        stats.lanes.values().any(|l| l.parks > 0),
        "workers park when idle"
    );
    drop(server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn echo_on_current_thread_uses_one_lane_and_json_batches_work_too() {
    let server = TestServer::start().await;
    let (events, result) = run_echo(&server, 0, EventEncoding::Json).await;
    check_rules(&events);
    assert_eq!(result.workers, 0);
    assert_eq!(result.round_trips, 200);
    let lanes: BTreeSet<_> = events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Lane { lane, .. } => Some(lane),
            _ => None,
        })
        .collect();
    assert_eq!(lanes.len(), 1, "current_thread: one thread does everything");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_an_echo_run_stops_its_runtime() {
    let server = TestServer::start().await;
    let mut client = server.connect().await;
    client.recv().await; // hello
    client
        .send(&ClientMessage::Run {
            scenario: "echo".into(),
            params: ParamValues::from([
                ("workers".into(), 2),
                ("clients".into(), 64),
                ("messages".into(), 1000),
                ("message_bytes".into(), 4096),
            ]),
            events: EventEncoding::Binary,
        })
        .await;
    let run_id = loop {
        if let Some(Message::Text(text)) = client.next_frame().await
            && let ServerMessage::RunStarted { run_id, .. } =
                ServerMessage::from_json(&text).unwrap()
        {
            break run_id;
        }
    };
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    client.send(&ClientMessage::Cancel { run_id }).await;
    let (_, last) = collect(&mut client).await;
    assert_eq!(last, ServerMessage::RunCancelled { run_id });
    drop(client);
    server.until_idle().await;
}
