//! Failures and losses reach the client as what they are, over a real WebSocket: a
//! scenario that fails arrives as a `run_failed` error for that run while the session
//! keeps serving, and events a too-small recorder had to drop are counted, in the
//! batches and in the result alike.

mod common;

use common::{TestServer, collect, run};
use pollscope_shared::results::ScenarioResult;
use pollscope_shared::{ErrorCode, ServerMessage};

#[tokio::test]
async fn a_failing_run_is_reported_as_run_failed_and_the_session_goes_on() {
    let server = TestServer::with(|c| c.test_scenarios = true).await;
    let (mut client, run_id) = server
        .start_run(&run("test_always_fails", &[("after_ms", 20)]))
        .await;
    let (_, last) = collect(&mut client).await;
    match last {
        ServerMessage::Error {
            run_id: Some(failed),
            code,
            message,
        } => {
            assert_eq!(failed, run_id);
            assert_eq!(code, ErrorCode::RunFailed);
            assert!(
                message.contains("this scenario always fails"),
                "the scenario's own error reaches the client: {message}"
            );
        }
        other => panic!("expected run_failed, got {other:?}"),
    }
    // The same session runs a real demo afterwards.
    client
        .send(&run(
            "seq_vs_concurrent",
            &[("delay_a_ms", 10), ("delay_b_ms", 10)],
        ))
        .await;
    let (_, last) = collect(&mut client).await;
    assert!(
        matches!(
            last,
            ServerMessage::Result {
                result: ScenarioResult::SeqVsConcurrent(_),
                ..
            }
        ),
        "{last:?}"
    );
    drop(client);
    server.until_idle().await;
}

#[tokio::test]
async fn test_scenarios_are_not_offered_by_default() {
    let server = TestServer::start().await;
    let mut client = server.connect().await;
    let ServerMessage::Hello { scenarios, .. } = client.recv().await else {
        panic!("hello first");
    };
    assert!(scenarios.iter().all(|s| !s.id.starts_with("test_")));
    client
        .send(&run("test_always_fails", &[("after_ms", 20)]))
        .await;
    match client.recv().await {
        ServerMessage::Error { code, .. } => assert_eq!(code, ErrorCode::UnknownScenario),
        other => panic!("expected unknown_scenario, got {other:?}"),
    }
}

#[tokio::test]
async fn a_recorder_too_small_for_the_run_drops_and_counts_the_same_events_everywhere() {
    // 16 events per thread between two drains (every 2 ms): the main task's first poll
    // alone spawns 64 clients, 64 events within microseconds on one thread, so drops
    // cannot be avoided however slow the machine is.
    let server = TestServer::with(|c| c.recorder_capacity = 16).await;
    let (mut client, _) = server
        .start_run(&run(
            "echo",
            &[
                ("workers", 2),
                ("clients", 64),
                ("messages", 20),
                ("message_bytes", 64),
            ],
        ))
        .await;
    let (batches, last) = collect(&mut client).await;
    let ServerMessage::Result {
        result: ScenarioResult::Echo(result),
        ..
    } = last
    else {
        panic!("expected the echo result, got {last:?}");
    };
    // The workload itself is not affected by what the recorder drops.
    assert_eq!(result.round_trips, 64 * 20);
    assert!(result.events_dropped > 0, "nothing dropped: {result:?}");
    let last_batch = batches.last().expect("batches");
    assert_eq!(
        last_batch.dropped_total, result.events_dropped,
        "the last batch and the result count the same drops"
    );
    let delivered: u64 = batches.iter().map(|b| b.events.len() as u64).sum();
    assert_eq!(
        delivered, result.events_recorded,
        "every event the result counts as recorded was delivered"
    );
}
