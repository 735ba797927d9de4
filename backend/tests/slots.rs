//! Fair run slots, on a real server over real WebSockets: with every slot taken a run is
//! accepted and queued, told its place, admitted when a slot frees (oldest first), and a
//! run beyond the queue is refused at once with `server_busy`. A queued run that is
//! cancelled, or whose client vanishes, gives its place up; nothing leaks.

mod common;

use common::{Client, TestServer};
use pollscope_shared::{ClientMessage, ErrorCode, ServerMessage};

/// A run that sleeps at least 3 × `ms` (two sequential fetches, then both at once).
fn slow(ms: i64) -> ClientMessage {
    common::seq_vs_concurrent(ms, ms)
}

/// The next message about the queue: `Some(ahead)` for `run_queued`, `None` for
/// `run_admitted`.
async fn next_place(client: &mut Client, run_id: u64) -> Option<u32> {
    let (_, message) = client
        .recv_until(|m| {
            matches!(
                m,
                ServerMessage::RunQueued { .. } | ServerMessage::RunAdmitted { .. }
            )
        })
        .await;
    match message {
        ServerMessage::RunQueued { run_id: id, ahead } if id == run_id => Some(ahead),
        ServerMessage::RunAdmitted { run_id: id, .. } if id == run_id => None,
        other => panic!("a message about another run: {other:?}"),
    }
}

#[tokio::test]
async fn runs_beyond_the_slots_queue_in_order_and_beyond_the_queue_are_refused() {
    let server = TestServer::with(|c| {
        c.max_running = Some(1);
        c.max_queued = 2;
    })
    .await;
    // A takes the only slot for a while; B and C queue behind it, in that order.
    let (mut a, a_id) = server.start_run(&slow(1000)).await;
    let (mut b, b_id) = server.start_run(&slow(10)).await;
    assert_eq!(next_place(&mut b, b_id).await, Some(0), "B is next");
    let (mut c, c_id) = server.start_run(&slow(10)).await;
    assert_eq!(next_place(&mut c, c_id).await, Some(1), "B is ahead of C");
    assert_eq!(server.state.slots.counts(), (1, 2));

    // The queue is full: D is refused at once, and nothing of it was started.
    let mut d = server.connect().await;
    assert!(matches!(d.recv().await, ServerMessage::Hello { .. }));
    d.send(&slow(10)).await;
    match d.recv().await {
        ServerMessage::Error {
            run_id: None,
            code: ErrorCode::ServerBusy,
            message,
        } => assert!(
            message.contains("1 runs are running and 2 are waiting"),
            "{message}"
        ),
        other => panic!("expected server_busy, got {other:?}"),
    }
    assert_eq!(server.state.slots.counts(), (1, 2));

    // A ends (cancelled): B gets the slot, C moves up to next.
    a.send(&ClientMessage::Cancel { run_id: a_id }).await;
    let (_, ended) = a
        .recv_until(|m| matches!(m, ServerMessage::RunCancelled { .. }))
        .await;
    assert_eq!(ended, ServerMessage::RunCancelled { run_id: a_id });
    assert_eq!(next_place(&mut b, b_id).await, None, "B admitted");
    assert_eq!(next_place(&mut c, c_id).await, Some(0), "C is next");

    // B ran alone: the queue kept A's load out of its numbers.
    let (_, last) = common::collect(&mut b).await;
    let ServerMessage::Result { run_id, load, .. } = last else {
        panic!("expected B's result, got {last:?}");
    };
    assert_eq!(run_id, b_id);
    assert_eq!(
        load.expect("a load").other_runs,
        0,
        "A had ended before B ran"
    );
    // Then C, after B.
    assert_eq!(next_place(&mut c, c_id).await, None, "C admitted after B");
    let (_, last) = common::collect(&mut c).await;
    assert!(matches!(last, ServerMessage::Result { run_id, .. } if run_id == c_id));
    drop((a, b, c, d));
    server.until_idle().await;
    assert_eq!(server.state.slots.counts(), (0, 0));
}

#[tokio::test]
async fn a_queued_run_that_is_cancelled_or_abandoned_gives_up_its_place() {
    let server = TestServer::with(|c| {
        c.max_running = Some(1);
        c.max_queued = 4;
    })
    .await;
    let (mut a, a_id) = server.start_run(&slow(1000)).await;
    let (mut b, b_id) = server.start_run(&slow(10)).await;
    assert_eq!(next_place(&mut b, b_id).await, Some(0));
    let (c, c_id) = server.start_run(&slow(10)).await;
    let (mut d, d_id) = server.start_run(&slow(10)).await;
    assert_eq!(next_place(&mut d, d_id).await, Some(2));

    // B is cancelled while it waits: it ends as cancelled, and D moves up.
    b.send(&ClientMessage::Cancel { run_id: b_id }).await;
    let (_, ended) = b
        .recv_until(|m| matches!(m, ServerMessage::RunCancelled { .. }))
        .await;
    assert_eq!(ended, ServerMessage::RunCancelled { run_id: b_id });
    assert_eq!(next_place(&mut d, d_id).await, Some(1));
    // C's client vanishes while it waits: D is next.
    drop(c);
    assert_eq!(next_place(&mut d, d_id).await, Some(0), "C ({c_id}) left");

    // When A ends, D runs: no slot went to a run that was gone.
    a.send(&ClientMessage::Cancel { run_id: a_id }).await;
    assert_eq!(next_place(&mut d, d_id).await, None);
    let (_, last) = common::collect(&mut d).await;
    assert!(matches!(last, ServerMessage::Result { run_id, .. } if run_id == d_id));
    drop((a, b, d));
    server.until_idle().await;
    assert_eq!(server.state.slots.counts(), (0, 0));
}

#[tokio::test]
async fn the_hello_announces_the_server_wide_limits() {
    let server = TestServer::with(|c| {
        c.max_running = Some(3);
        c.max_queued = 7;
    })
    .await;
    let mut client = server.connect().await;
    let ServerMessage::Hello { limits, .. } = client.recv().await else {
        panic!("expected hello");
    };
    assert_eq!(
        (limits.server_max_running, limits.server_max_queued),
        (3, 7)
    );
    drop(client);
    server.until_idle().await;
}
