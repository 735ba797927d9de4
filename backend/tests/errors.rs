//! Outline section 6 over a real WebSocket: a refused connect carried out of nested
//! async functions by `?`, and the three outcomes of awaiting a `JoinHandle`. Every
//! assertion follows from the run's parameters, its result and its recorded events; the
//! same session then runs another demo, so a task's panic was reported, not fatal.

mod common;

use std::collections::BTreeMap;

use common::{TestServer, collect, events_by_part, run, seq_vs_concurrent};
use pollscope_shared::ServerMessage;
use pollscope_shared::instrument::{
    Event, EventKind, PollEvent, PollOutcome, SpanId, SpawnEvent, TaskId, TaskOutcome, Wait,
    WakeSource,
};
use pollscope_shared::results::{Joined, ScenarioResult};
use pollscope_shared::testkit::{Coverage, check_recording};

const NESTING: usize = 3;
const PANIC_TASK: u32 = 1;
const WORK_MS: u64 = 5;

/// Every await point the events name, by span id: from the poll that first waited on
/// it (`waiting_on`) or from its `SpanEnter`.
fn span_names(events: &[Event]) -> BTreeMap<SpanId, (TaskId, String)> {
    let mut names = BTreeMap::new();
    for event in events {
        let (task, span, name) = match &event.kind {
            EventKind::Poll(PollEvent {
                task,
                waiting_on: Some(Wait { span, name }),
                ..
            }) => (task, span, name),
            EventKind::SpanEnter { task, span, name } => (task, span, name),
            _ => continue,
        };
        names
            .entry(*span)
            .or_insert_with(|| (*task, name.to_string()));
    }
    names
}

/// Each task's name, from its spawn.
fn names(events: &[Event]) -> BTreeMap<TaskId, String> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Spawn(SpawnEvent { task, name, .. }) => Some((*task, name.to_string())),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn the_error_names_every_function_it_left_and_each_join_handle_tells_its_story() {
    let server = TestServer::start().await;
    let (mut client, _) = server
        .start_run(&run(
            "errors",
            &[
                ("nesting", NESTING as i64),
                ("panic_task", PANIC_TASK.into()),
                ("work_ms", WORK_MS as i64),
            ],
        ))
        .await;
    let (batches, last) = collect(&mut client).await;
    let ServerMessage::Result {
        result: ScenarioResult::Errors(result),
        ..
    } = last
    else {
        panic!("expected the result, got {last:?}");
    };
    let parts = events_by_part(batches);
    for events in parts.values() {
        check_recording(events, Coverage::WholeRun);
    }

    // Part 0: the error arose in `connect`, refused by the OS, and names the NESTING
    // functions it passed through on its way out.
    let p = &result.propagation;
    assert_eq!(p.chain.len(), NESTING + 1, "{p:?}");
    assert_eq!(p.chain[0], "connect");
    assert_eq!(p.io_kind, "ConnectionRefused", "{p:?}");
    assert!(p.os_code.is_some(), "an OS error: {p:?}");
    let outermost = p.chain.last().unwrap();
    assert!(p.display.starts_with(&format!("in {outermost}: ")), "{p:?}");
    assert!(p.display.ends_with(&p.io_message), "{p:?}");
    assert_eq!(p.display.matches("in ").count(), NESTING + 1, "{p:?}");

    // Each function's await point made main wait, and they all ended in main's last
    // poll, innermost first: the poll resumed at connect (its wait ended as the poll
    // began), and exited the others during it, inner one first.
    let events = &parts[&0];
    let spans = span_names(events);
    let main = *names(events).iter().find(|(_, n)| *n == "main").unwrap().0;
    assert!(spans.values().all(|(task, _)| *task == main), "{spans:?}");
    assert_eq!(
        spans.len(),
        NESTING + 1,
        "one await point per function: {spans:?}"
    );
    let polls: Vec<usize> = (0..events.len())
        .filter(|&i| matches!(&events[i].kind, EventKind::Poll(p) if p.task == main))
        .collect();
    let [.., before, last] = polls[..] else {
        panic!("main was polled again after it waited: {polls:?}")
    };
    let EventKind::Poll(PollEvent {
        resumed: Some(resumed),
        ..
    }) = &events[last].kind
    else {
        panic!(
            "main's last poll resumed at an await point: {:?}",
            events[last]
        )
    };
    let exited = events[before + 1..last]
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::SpanExit { task, span } if *task == main => Some(*span),
            _ => None,
        });
    let ended: Vec<&str> = std::iter::once(*resumed)
        .chain(exited)
        .map(|span| spans[&span].1.as_str())
        .collect();
    assert_eq!(
        ended, p.chain,
        "await points end innermost first, in one poll"
    );
    // The refusal came back through the reactor: the socket's readiness woke main.
    assert!(events.iter().any(|e| matches!(
        e.kind,
        EventKind::Wake { task, by: WakeSource::Reactor, .. } if task == main
    )));

    // Part 1: one outcome per task, the panicking one where the parameters put it.
    let joined: Vec<_> = result.tasks.iter().map(|t| (t.task, &t.joined)).collect();
    assert_eq!(joined.len(), 3);
    let Joined::Panic { message } = &result.tasks[PANIC_TASK as usize].joined else {
        panic!("task {PANIC_TASK} panicked: {joined:?}");
    };
    assert!(
        message.contains(&format!("task {PANIC_TASK} ")),
        "{message}"
    );
    assert!(message.contains(&format!("{WORK_MS} ms")), "{message}");
    let others: Vec<_> = result
        .tasks
        .iter()
        .filter(|t| t.task != PANIC_TASK)
        .map(|t| &t.joined)
        .collect();
    assert!(matches!(others[0], Joined::Ok { value: 42 }), "{others:?}");
    assert!(
        matches!(others[1], Joined::Err { error } if error.contains("invalid digit")),
        "{others:?}"
    );
    // The recorder saw each end as the JoinHandle reported it.
    let outcomes: Vec<_> = result.tasks.iter().map(|t| t.recorded).collect();
    let mut expected = [Some(TaskOutcome::Ok), Some(TaskOutcome::Error)].into_iter();
    for (i, outcome) in outcomes.iter().enumerate() {
        let want = if i as u32 == PANIC_TASK {
            Some(TaskOutcome::Panicked)
        } else {
            expected.next().unwrap()
        };
        assert_eq!(*outcome, want, "task {i}");
    }

    // Each task's time in polls is what its recorded polls add up to.
    let events = &parts[&1];
    let names = names(events);
    for t in &result.tasks {
        let id = names
            .iter()
            .find(|(_, n)| **n == format!("task {}", t.task))
            .unwrap()
            .0;
        let busy_ns: u64 = events
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::Poll(p) if p.task == *id => Some(p.busy_ns),
                _ => None,
            })
            .sum();
        assert_eq!(t.busy_us, busy_ns / 1000, "task {}", t.task);
    }

    // And the events say so themselves: the panicking task's last poll panicked and it
    // completed as Panicked, after working at least WORK_MS.
    let id = |name: &str| *names.iter().find(|(_, n)| *n == name).unwrap().0;
    let panicker = id(&format!("task {PANIC_TASK}"));
    let times = |task: TaskId| {
        let of = |f: fn(&EventKind) -> bool| {
            events
                .iter()
                .find(|e| e.kind.task() == Some(task) && f(&e.kind))
                .map(|e| (e.t_ns, e.kind.clone()))
                .unwrap()
        };
        (
            of(|k| matches!(k, EventKind::Spawn(_))),
            of(|k| matches!(k, EventKind::Complete { .. })),
        )
    };
    let ((spawned, _), (ended, complete)) = times(panicker);
    assert_eq!(
        complete,
        EventKind::Complete {
            task: panicker,
            outcome: TaskOutcome::Panicked
        }
    );
    assert!(ended - spawned >= WORK_MS * 1_000_000);
    assert!(events.iter().any(|e| matches!(
        &e.kind,
        EventKind::Poll(PollEvent { task, outcome: PollOutcome::Panicked, .. }) if *task == panicker
    )));

    // The session goes on: the same socket runs another demo to its result.
    client.send(&seq_vs_concurrent(10, 10)).await;
    let (_, last) = collect(&mut client).await;
    let ServerMessage::Result {
        result: ScenarioResult::SeqVsConcurrent(next),
        ..
    } = last
    else {
        panic!("the next run's result, got {last:?}");
    };
    assert_eq!(next.sequential.fetches.len(), 2, "{next:?}");
    drop(client);
    server.until_idle().await;
}
