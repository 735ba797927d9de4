//! Outline section 6 over a real WebSocket: `timeout(limit, fetch(slow_server))`, with a
//! server slower than the limit (the timeout fires, the fetch is dropped mid-wait, the
//! server sees the connection close) and one faster (the reply comes back). Every
//! assertion follows from the run's parameters, the recorded events and the server's
//! report, never from how fast this machine is.

mod common;

use std::collections::BTreeMap;

use common::{TestServer, collect, run};
use pollscope_shared::ServerMessage;
use pollscope_shared::instrument::event::{PollEvent, SpanId, SpawnEvent, TaskOutcome, Wait};
use pollscope_shared::instrument::{Event, EventKind, TaskId};
use pollscope_shared::results::{ScenarioResult, TimeoutsResult};
use pollscope_shared::testkit::{Coverage, check_recording};

/// Run the scenario; its result and its recorded events (one part), checked.
async fn run_timeouts(limit_ms: i64, delay_ms: i64, attempts: i64) -> (TimeoutsResult, Vec<Event>) {
    let server = TestServer::start().await;
    let (mut client, _) = server
        .start_run(&run(
            "timeouts",
            &[
                ("limit_ms", limit_ms),
                ("server_delay_ms", delay_ms),
                ("attempts", attempts),
            ],
        ))
        .await;
    let (batches, last) = collect(&mut client).await;
    let ServerMessage::Result {
        result: ScenarioResult::Timeouts(result),
        ..
    } = last
    else {
        panic!("expected the result, got {last:?}");
    };
    assert!(batches.iter().all(|b| b.part == 0), "one recorded part");
    let events: Vec<Event> = batches.into_iter().flat_map(|b| b.events).collect();
    // The part's runtime was shut down: every task's story is complete.
    check_recording(&events, Coverage::WholeRun);
    assert_eq!(result.events_dropped, 0);
    assert_eq!(result.attempts.len(), attempts as usize);
    drop(client);
    server.until_idle().await;
    (result, events)
}

/// How the events tell the end of one await point's wait.
#[derive(Debug, PartialEq, Eq)]
enum End {
    /// A poll resumed at it: it was ready.
    Resumed,
    /// A `SpanExit` in a poll that resumed at another span (ready, or dropped).
    ExitBeside(SpanId),
}

/// Each span of `task` by name, and how its wait ended.
fn span_ends(events: &[Event], task: TaskId) -> BTreeMap<String, (SpanId, End)> {
    let mut names = BTreeMap::new();
    let mut exits = Vec::new();
    let mut ends = BTreeMap::new();
    for event in events.iter().filter(|e| e.kind.task() == Some(task)) {
        match &event.kind {
            EventKind::SpanEnter { span, name, .. } => {
                names.insert(*span, name.to_string());
            }
            EventKind::SpanExit { span, .. } => exits.push(*span),
            EventKind::Poll(PollEvent {
                resumed,
                waiting_on,
                ..
            }) => {
                if let Some(span) = resumed {
                    ends.insert(*span, End::Resumed);
                    for exit in exits.drain(..) {
                        ends.insert(exit, End::ExitBeside(*span));
                    }
                }
                exits.clear();
                if let Some(Wait { span, name }) = waiting_on {
                    names.insert(*span, name.to_string());
                }
            }
            _ => {}
        }
    }
    names
        .into_iter()
        .filter_map(|(span, name)| Some((name, (span, ends.remove(&span)?))))
        .collect()
}

fn task_named(events: &[Event], wanted: &str) -> TaskId {
    events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::Spawn(SpawnEvent { task, name, .. }) if name == wanted => Some(*task),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no task {wanted}"))
}

fn completed_ok(events: &[Event], task: TaskId) -> bool {
    events.iter().any(|e| {
        e.kind
            == EventKind::Complete {
                task,
                outcome: TaskOutcome::Ok,
            }
    })
}

#[tokio::test]
async fn a_server_slower_than_the_limit_times_out_and_sees_the_dropped_fetch_close() {
    // The server's delay only bounds how long it waits for the close, so the longest one
    // leaves a loaded machine the most room to fire the timer and close first.
    const LIMIT_MS: u64 = 50;
    const DELAY_MS: u64 = 3000;
    let (result, events) = run_timeouts(LIMIT_MS as i64, DELAY_MS as i64, 2).await;
    assert_eq!((result.limit_ms, result.server_delay_ms), (50, 3000));
    for (i, a) in (1..).zip(&result.attempts) {
        assert_eq!(a.limit_us, LIMIT_MS * 1000);
        assert!(a.timed_out, "attempt {i}: {a:?}");
        // The timer never fires early.
        assert!(a.elapsed_us >= a.limit_us, "attempt {i}: {a:?}");
        assert_eq!(a.reply_bytes, 0);
        // The server read the request, then saw the client close before its delay was
        // up, so it never replied.
        assert!(
            a.server_read_request && a.server_saw_close && !a.server_replied,
            "{a:?}"
        );
        let close = a.server_close_after_us.expect("a close time");
        assert!(close <= DELAY_MS * 1000, "attempt {i}: {a:?}");
        assert_eq!(a.dropped_wait.as_deref(), Some("read reply"), "{a:?}");

        // The same from the events: the task resumed at the timeout's await point, and the
        // read's wait ended beside it, after it: it was dropped, not ready.
        let task = task_named(&events, &format!("attempt {i}"));
        assert_eq!(a.task, task.0);
        let ends = span_ends(&events, task);
        let (timeout_span, timeout_end) = &ends["timeout"];
        assert_eq!(*timeout_end, End::Resumed, "{ends:?}");
        assert_eq!(
            ends["read reply"].1,
            End::ExitBeside(*timeout_span),
            "{ends:?}"
        );
        // The attempt itself finished normally: giving up is not an error of the task.
        assert!(completed_ok(&events, task));
    }
}

#[tokio::test]
async fn a_server_faster_than_the_limit_replies_and_nothing_is_dropped() {
    const LIMIT_MS: u64 = 2000;
    const DELAY_MS: u64 = 30;
    let (result, events) = run_timeouts(LIMIT_MS as i64, DELAY_MS as i64, 1).await;
    let a = &result.attempts[0];
    assert!(!a.timed_out, "{a:?}");
    // The reply waited out the server's delay, which began after the request was sent.
    assert!(a.elapsed_us >= DELAY_MS * 1000, "{a:?}");
    assert!(a.reply_bytes > 0);
    assert!(
        a.server_read_request && a.server_replied && !a.server_saw_close,
        "{a:?}"
    );
    assert_eq!(a.server_close_after_us, None);
    assert_eq!(a.dropped_wait, None);

    // The read's wait ended first (the poll resumed at it); the timeout's beside it.
    let task = task_named(&events, "attempt 1");
    let ends = span_ends(&events, task);
    let (read_span, read_end) = &ends["read reply"];
    assert_eq!(*read_end, End::Resumed, "{ends:?}");
    assert_eq!(ends["timeout"].1, End::ExitBeside(*read_span), "{ends:?}");
    assert!(completed_ok(&events, task));
}
