//! Outline section 1 over a real WebSocket: the measured sequential time is the sum of
//! the servers' delays, the concurrent one the max.

mod common;

use std::collections::BTreeSet;

use common::TestServer;
use pollscope_shared::results::{ProgressEvent, ScenarioResult, Strategy};
use pollscope_shared::{PROTOCOL_VERSION, ServerMessage};

#[tokio::test]
async fn hello_announces_version_limits_and_the_demo() {
    let server = TestServer::start().await;
    let mut client = server.connect().await;
    let ServerMessage::Hello {
        protocol_version,
        limits,
        scenarios,
        ..
    } = client.recv().await
    else {
        panic!("first message must be hello");
    };
    assert_eq!(protocol_version, PROTOCOL_VERSION);
    assert_eq!(limits.max_message_bytes, 64 * 1024);
    let demo = scenarios
        .iter()
        .find(|s| s.id == "seq_vs_concurrent")
        .expect("demo announced");
    assert_eq!(demo.section, 1);
    let names: Vec<_> = demo.params.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["delay_a_ms", "delay_b_ms"]);
    assert!(
        demo.params
            .iter()
            .all(|p| p.min >= 1 && p.max <= 10_000 && p.unit == "ms")
    );
}

#[tokio::test]
async fn sequential_takes_the_sum_and_concurrent_the_max() {
    const A: u64 = 200;
    const B: u64 = 400;
    let server = TestServer::start().await;
    let mut client = server.connect().await;
    client.recv().await; // hello
    client
        .send(&common::seq_vs_concurrent(A as i64, B as i64))
        .await;

    let ServerMessage::RunStarted { run_id, .. } = client.recv().await else {
        panic!("expected run_started");
    };
    let (progress, last) = client
        .recv_until(|m| matches!(m, ServerMessage::Result { .. }))
        .await;
    let ServerMessage::Result {
        run_id: result_run,
        result: ScenarioResult::SeqVsConcurrent(result),
        ..
    } = last
    else {
        unreachable!()
    };
    assert_eq!(result_run, run_id);

    // Lower bounds the delays make certain: sequential waits for both delays back to back,
    // concurrent for the longer one. (No upper bounds: a loaded machine may add any delay.)
    let (seq, conc) = (&result.sequential, &result.concurrent);
    assert!(seq.total_us >= (A + B) * 1000, "{seq:?}");
    assert!(conc.total_us >= B * 1000, "{conc:?}");
    for strategy in [seq, conc] {
        assert_eq!(strategy.fetches.len(), 2);
        let names: Vec<&str> = strategy.fetches.iter().map(|f| f.server.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(
            [strategy.fetches[0].delay_ms, strategy.fetches[1].delay_ms],
            [A, B]
        );
        // Each fetch waited at least its own server's delay, and lies inside the total.
        for fetch in &strategy.fetches {
            assert!(fetch.elapsed_us >= fetch.delay_ms * 1000, "{fetch:?}");
            assert!(fetch.started_at_us + fetch.elapsed_us <= strategy.total_us);
            assert!(fetch.bytes > 0);
        }
    }
    // Every server sends the same small response.
    let bytes: BTreeSet<u64> = [seq, conc]
        .iter()
        .flat_map(|s| s.fetches.iter().map(|f| f.bytes))
        .collect();
    assert_eq!(bytes.len(), 1, "{result:?}");
    // Sequential: b starts after a has finished, so the total covers both waits. Concurrent:
    // each starts before the other has finished: the two waits overlap.
    let [sa, sb] = [&seq.fetches[0], &seq.fetches[1]];
    assert!(sb.started_at_us >= sa.started_at_us + sa.elapsed_us);
    assert!(seq.total_us >= sa.elapsed_us + sb.elapsed_us);
    let [ca, cb] = [&conc.fetches[0], &conc.fetches[1]];
    assert!(
        cb.started_at_us < ca.started_at_us + ca.elapsed_us,
        "{conc:?}"
    );
    assert!(
        ca.started_at_us < cb.started_at_us + cb.elapsed_us,
        "{conc:?}"
    );

    // Progress arrived live, before the result: 4 fetch starts and 4 finishes, in time order.
    let events: Vec<_> = progress
        .iter()
        .map(|m| match m {
            ServerMessage::Progress { run_id: r, event } if *r == run_id => event.clone(),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    let count = |f: fn(&ProgressEvent) -> bool| events.iter().filter(|e| f(e)).count();
    assert_eq!(
        count(|e| matches!(e, ProgressEvent::FetchStarted { .. })),
        4
    );
    assert_eq!(
        count(|e| matches!(e, ProgressEvent::FetchFinished { .. })),
        4
    );
    assert_eq!(
        count(|e| matches!(
            e,
            ProgressEvent::FetchFinished {
                strategy: Strategy::Concurrent,
                ..
            }
        )),
        2
    );
    assert!(events.windows(2).all(|w| w[0].at_us() <= w[1].at_us()));
    // The order each strategy makes certain: sequential starts b after a finished;
    // concurrent starts both before either finishes.
    let order = |strategy: Strategy| -> Vec<(bool, String)> {
        events
            .iter()
            .filter_map(|e| match e {
                ProgressEvent::FetchStarted {
                    strategy: s,
                    server,
                    ..
                } if *s == strategy => Some((true, server.clone())),
                ProgressEvent::FetchFinished {
                    strategy: s,
                    server,
                    ..
                } if *s == strategy => Some((false, server.clone())),
                _ => None,
            })
            .collect()
    };
    let (start, finish) = (
        |s: &str| (true, s.to_owned()),
        |s: &str| (false, s.to_owned()),
    );
    assert_eq!(
        order(Strategy::Sequential),
        [start("a"), finish("a"), start("b"), finish("b")]
    );
    let concurrent = order(Strategy::Concurrent);
    assert_eq!(&concurrent[..2], [start("a"), start("b")], "{concurrent:?}");
    // The finished progress reports the result's own measurements.
    for (strategy, timing) in [(Strategy::Sequential, seq), (Strategy::Concurrent, conc)] {
        for fetch in &timing.fetches {
            assert!(
                events.iter().any(|e| matches!(e,
                    ProgressEvent::FetchFinished { strategy: s, server, elapsed_us, .. }
                        if *s == strategy && *server == fetch.server && *elapsed_us == fetch.elapsed_us)),
                "no fetch_finished for {fetch:?}"
            );
        }
    }

    drop(client);
    server.until_idle().await;
}

#[tokio::test]
async fn the_recording_shows_one_task_waiting_on_one_fetch_then_on_both() {
    let server = TestServer::start().await;
    let mut client = server.connect().await;
    client.recv().await; // hello
    client.send(&common::seq_vs_concurrent(150, 250)).await;
    let (batches, last) = common::collect(&mut client).await;
    assert!(matches!(last, ServerMessage::Result { .. }), "{last:?}");
    let events: Vec<_> = batches.into_iter().flat_map(|b| b.events).collect();

    use pollscope_shared::instrument::{EventKind, PollEvent, SpawnEvent};
    // One task does everything: `join!` adds no task and no thread.
    let spawned = events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Spawn(SpawnEvent { .. })))
        .count();
    assert_eq!(spawned, 1);
    // Walk the fetch await points: how many are open at once. One opens with a poll that
    // waits on it (or, beside that one, as a span event), and closes with the poll that
    // resumes past it.
    let mut open = std::collections::BTreeMap::new();
    let mut most_open = Vec::new();
    let mut begin = |open: &mut std::collections::BTreeMap<_, _>, span, name: &str| {
        if open.insert(span, name.to_owned()).is_none() {
            most_open.push(open.len());
        }
    };
    for e in &events {
        match &e.kind {
            EventKind::SpanEnter { span, name, .. } => begin(&mut open, *span, name),
            EventKind::SpanExit { span, .. } => {
                open.remove(span);
            }
            EventKind::Poll(PollEvent {
                resumed,
                waiting_on,
                ..
            }) => {
                if let Some(span) = resumed {
                    open.remove(span);
                }
                if let Some(wait) = waiting_on {
                    begin(&mut open, wait.span, &wait.name);
                }
            }
            _ => {}
        }
    }
    // Sequential: "fetch a" then "fetch b", never together; concurrent: both open at once.
    assert_eq!(
        most_open,
        [1, 1, 1, 2],
        "open await points as each one began"
    );
}
