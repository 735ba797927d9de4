//! The recorder on known futures: exact poll and wake counts, wake attribution, outcomes,
//! bounded buffers. Runs natively and, in headless Chromium, on wasm32.

mod support;

use std::task::Poll;

use pollscope_shared::instrument::batch::EventBatch;
use pollscope_shared::instrument::stats::{RunStats, TaskState};
use pollscope_shared::instrument::{
    Event, EventKind, PollEvent, PollOutcome, Recorder, SpawnEvent, TaskOutcome, WakeSource,
};
use support::{Executor, Signal, YieldN, check_consistency};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[test]
fn pending_twice_with_self_wakes_is_three_polls_and_two_self_wakes() {
    let recorder = Recorder::new(1024);
    let mut executor = Executor::default();
    executor.spawn(recorder.task("yield twice", YieldN { left: 2 }));
    assert_eq!(executor.run_until_stalled(), 0);

    let events = recorder.drain();
    let per_task = check_consistency(&events);
    assert_eq!(per_task.len(), 1);
    let mut stats = RunStats::default();
    stats.apply_all(&events);
    let task = stats.tasks.values().next().unwrap();
    assert_eq!(task.name, "yield twice");
    assert_eq!(task.polls, 3);
    assert_eq!(task.wakes.self_wakes, 2);
    assert_eq!(task.wakes.total(), 2);
    assert_eq!(task.state, TaskState::Done(TaskOutcome::Ok));
    let outcomes: Vec<_> = per_task
        .values()
        .next()
        .unwrap()
        .iter()
        .filter_map(|k| match k {
            EventKind::Poll(PollEvent { outcome, .. }) => Some(*outcome),
            _ => None,
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            PollOutcome::Pending,
            PollOutcome::Pending,
            PollOutcome::Ready
        ]
    );
    // wake_by_ref, not wake: the waker was kept.
    assert!(
        events
            .iter()
            .all(|e| !matches!(e.kind, EventKind::Wake { by_ref: false, .. }))
    );
    assert_eq!(stats.anomalies, 0);
}

#[test]
fn a_task_woken_by_another_task_names_that_task() {
    let recorder = Recorder::new(1024);
    let signal = Signal::default();
    let mut executor = Executor::default();
    let waiter = recorder.task("waiter", signal.wait());
    let waiter_id = waiter.id();
    executor.spawn(waiter);
    let firer = recorder.task("firer", {
        let signal = signal.clone();
        async move { signal.fire() }
    });
    let firer_id = firer.id();
    executor.spawn(firer);
    assert_eq!(executor.run_until_stalled(), 0);

    let events = recorder.drain();
    check_consistency(&events);
    let wakes: Vec<_> = events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Wake { task, by, by_ref } => Some((task, by, by_ref)),
            _ => None,
        })
        .collect();
    assert_eq!(wakes, [(waiter_id, WakeSource::Task(firer_id), false)]);
    let mut stats = RunStats::default();
    stats.apply_all(&events);
    assert_eq!(stats.tasks[&waiter_id].polls, 2);
    assert_eq!(stats.tasks[&waiter_id].wakes.by_task, 1);
    // The waiter stored a clone of its waker; the firer consumed it with `wake`.
    assert_eq!(stats.tasks[&waiter_id].waker_clones, 1);
}

#[test]
fn a_wake_from_outside_any_lane_is_a_thread_wake_and_a_dropped_future_is_cancelled() {
    let recorder = Recorder::new(1024);
    let signal = Signal::default();
    let mut executor = Executor::default();
    let mut waiting = Some(Box::pin(recorder.task("waiter", signal.wait())));
    let id = waiting.as_ref().unwrap().id();
    // Poll once by hand, on a thread that is a lane of this recorder.
    let waker = std::task::Waker::noop();
    let poll = waiting
        .as_mut()
        .unwrap()
        .as_mut()
        .poll(&mut std::task::Context::from_waker(waker));
    assert!(poll.is_pending());
    // Fire from a context that is not a lane of this recorder: a second recorder's lane.
    let other = Recorder::new(16);
    executor.spawn(other.task("elsewhere", async move { signal.fire() }));
    executor.run_until_stalled();
    drop(waiting.take());

    let events = recorder.drain();
    check_consistency(&events);
    let wake = events.iter().find_map(|e| match e.kind {
        EventKind::Wake { by, .. } => Some(by),
        _ => None,
    });
    // A task of another recorder is "not one of ours": it counts as an outside thread.
    assert_eq!(wake, Some(WakeSource::Thread));
    let last = events.last().unwrap();
    assert_eq!(
        last.kind,
        EventKind::Complete {
            task: id,
            outcome: TaskOutcome::Cancelled
        }
    );
    let _ = Poll::<()>::Pending;
}

#[test]
fn a_timer_await_point_names_the_wait_and_the_wake_is_the_timers() {
    let recorder = Recorder::new(1024);
    let signal = Signal::default();
    let mut executor = Executor::default();
    let task = recorder.task("sleeper", {
        let recorder = recorder.clone();
        let signal = signal.clone();
        async move { recorder.timer("sleep", signal.wait()).await }
    });
    let id = task.id();
    executor.spawn(task);
    executor.run_until_stalled();
    // The "timer" fires from the lane's own thread, outside any task: as a runtime's
    // driver does when it processes expired timers.
    signal.fire();
    assert_eq!(executor.run_until_stalled(), 0);

    let events = recorder.drain();
    check_consistency(&events);
    // The first poll left the task waiting on "sleep": the span opens with the poll's end,
    // named there (no separate span event).
    let polls: Vec<_> = events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Poll(PollEvent {
                task,
                outcome,
                resumed,
                waiting_on,
                waker_clones,
                ..
            }) if *task == id => Some((*outcome, *resumed, waiting_on.clone(), *waker_clones)),
            _ => None,
        })
        .collect();
    assert_eq!(polls.len(), 2);
    let (outcome, resumed, waiting_on, waker_clones) = polls[0].clone();
    let wait = waiting_on.expect("waits on an await point");
    assert_eq!(
        (outcome, resumed, wait.name.as_ref(), waker_clones),
        // The "timer" kept a clone of the waker, counted in the poll that made it.
        (PollOutcome::Pending, None, "sleep", 1)
    );
    assert!(!events.iter().any(|e| matches!(
        e.kind,
        EventKind::SpanEnter { .. } | EventKind::SpanExit { .. }
    )));
    assert!(events.iter().any(
        |e| matches!(e.kind, EventKind::Wake { task, by: WakeSource::Timer, .. } if task == id)
    ));
    // The second poll resumed there, and finished.
    assert_eq!(
        (polls[1].0, polls[1].1, polls[1].2.clone()),
        (PollOutcome::Ready, Some(wait.span), None)
    );
}

#[test]
fn an_error_output_is_recorded_as_error() {
    let recorder = Recorder::new(1024);
    let mut executor = Executor::default();
    executor.spawn({
        let task = recorder.fallible_task("fails", async { Err::<(), &str>("boom") });
        async move {
            let _ = task.await;
        }
    });
    executor.run_until_stalled();
    let events = recorder.drain();
    check_consistency(&events);
    assert!(events.iter().any(|e| matches!(
        e.kind,
        EventKind::Complete {
            outcome: TaskOutcome::Error,
            ..
        }
    )));
}

#[cfg(not(target_arch = "wasm32"))] // wasm32 aborts on panic
#[test]
fn a_panicking_task_is_recorded_as_panicked_and_the_panic_still_propagates() {
    let recorder = Recorder::new(1024);
    let mut task = Box::pin(recorder.task("panics", async { panic!("on purpose") }));
    let waker = std::task::Waker::noop();
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = task
            .as_mut()
            .poll(&mut std::task::Context::from_waker(waker));
    }));
    assert!(caught.is_err(), "the panic reaches the runtime");
    drop(task);
    let events = recorder.drain();
    check_consistency(&events);
    let ends: Vec<_> = events
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                EventKind::Poll(PollEvent { .. }) | EventKind::Complete { .. }
            )
        })
        .collect();
    assert_eq!(ends.len(), 2);
    assert!(matches!(
        ends[0].kind,
        EventKind::Poll(PollEvent {
            outcome: PollOutcome::Panicked,
            ..
        })
    ));
    assert!(matches!(
        ends[1].kind,
        EventKind::Complete {
            outcome: TaskOutcome::Panicked,
            ..
        }
    ));
}

#[test]
fn a_full_buffer_drops_and_counts_without_blocking_the_task() {
    let recorder = Recorder::new(8);
    let mut executor = Executor::default();
    executor.spawn(recorder.task("busy", YieldN { left: 100 }));
    // The task runs to completion although nobody drains the buffer.
    assert_eq!(executor.run_until_stalled(), 0);
    let events = recorder.drain();
    assert_eq!(events.len(), 8);
    // spawn + lane + 101 polls + 100 wakes + completion = 204 events.
    assert_eq!(recorder.dropped(), 204 - 8);
    // After a drain there is room again.
    let mut executor = Executor::default();
    executor.spawn(recorder.task("again", YieldN { left: 0 }));
    executor.run_until_stalled();
    // spawn + poll + completion (the lane is known already).
    assert_eq!(recorder.drain().len(), 3);
}

#[test]
fn binary_batches_round_trip_and_are_far_smaller_than_json() {
    // Under Miri, which runs the encoders a thousand times slower, a tenth of the events.
    let (tasks, yields) = if cfg!(miri) { (10, 5) } else { (50, 20) };
    let recorder = Recorder::new(100_000);
    let mut executor = Executor::default();
    for i in 0..tasks {
        let name = if i % 2 == 0 { "even" } else { "odd" };
        executor.spawn(recorder.task(name, YieldN { left: yields }));
    }
    executor.run_until_stalled();
    let batch = EventBatch {
        run_id: 7,
        part: 0,
        seq: 3,
        dropped_total: 0,
        events: recorder.drain(),
    };
    // Each yield is a poll and a wake.
    assert!(batch.events.len() > 2 * (tasks * yields) as usize);

    let binary = batch.encode_binary();
    assert_eq!(EventBatch::decode_binary(&binary).unwrap(), batch);
    let json = serde_json::to_string(&batch).unwrap();
    assert_eq!(serde_json::from_str::<EventBatch>(&json).unwrap(), batch);
    let ratio = binary.len() as f64 / json.len() as f64;
    assert!(ratio <= 0.2, "binary/json = {ratio:.3}");

    assert!(EventBatch::decode_binary(&[]).is_err());
    assert!(EventBatch::decode_binary(&[0x00, 1, 2]).is_err());
    assert!(EventBatch::decode_binary(&binary[..binary.len() / 2]).is_err());
}

#[test]
fn a_batch_spells_each_name_once_and_stands_alone() {
    use pollscope_shared::instrument::batch::BinaryBatchBuilder;
    use pollscope_shared::instrument::stats::RunTotals;

    let recorder = Recorder::new(4096);
    let mut builder = BinaryBatchBuilder::default();
    let mut totals = RunTotals::default();
    let mut frames = Vec::new();
    for _ in 0..2 {
        let mut executor = Executor::default();
        let looper = recorder.clone();
        executor.spawn(recorder.task("looper", async move {
            for _ in 0..20 {
                looper.point("next round", YieldN { left: 1 }).await;
            }
        }));
        executor.run_until_stalled();
        recorder.drain_to_batch(&mut builder, &mut totals);
        frames.push(builder.finish(1, 0, frames.len() as u64, 0));
    }
    for frame in &frames {
        let spelled = frame.windows(10).filter(|w| w == b"next round").count();
        assert_eq!(
            spelled, 1,
            "the await point's name is spelled out once per batch"
        );
        // Each batch decodes on its own, every poll naming its wait.
        let events = EventBatch::decode_binary(frame).unwrap().events;
        let waits: Vec<_> = events
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::Poll(PollEvent { waiting_on, .. }) => waiting_on.as_ref(),
                _ => None,
            })
            .collect();
        assert_eq!(waits.len(), 20);
        assert!(waits.iter().all(|wait| wait.name == "next round"));
        assert!(events.iter().any(|e| matches!(&e.kind,
            EventKind::Spawn(SpawnEvent { name, .. }) if name == "looper")));
    }
}

#[test]
fn a_name_referring_past_the_names_spelled_out_is_a_decode_error() {
    use pollscope_shared::instrument::batch::{BINARY_TAG, DecodeError, WireName};
    use pollscope_shared::instrument::{LaneId, TaskId, TaskKind};

    // The layout of a batch: run_id, part, seq, dropped_total, then (dt_ns, kind) pairs.
    let events: Vec<(i64, EventKind<WireName>)> = vec![
        (
            5,
            EventKind::Spawn(SpawnEvent {
                task: TaskId(1),
                name: WireName::Spelled("main".into()),
                parent: None,
                task_kind: TaskKind::Async,
            }),
        ),
        (
            5,
            EventKind::Lane {
                lane: LaneId(0),
                name: WireName::Again(1),
                lane_kind: pollscope_shared::instrument::event::LaneKind::Worker,
            },
        ),
    ];
    let frame = |events: Vec<(i64, EventKind<WireName>)>| {
        let mut frame = vec![BINARY_TAG];
        frame.extend(postcard::to_allocvec(&(1u64, 0u32, 0u64, 0u64, events)).unwrap());
        frame
    };
    assert!(matches!(
        EventBatch::decode_binary(&frame(events)),
        Err(DecodeError::UnknownName(1, 1))
    ));

    // One long name and many references to it: refused, not copied a hundred thousand
    // times over.
    let long = |name| EventKind::SpanEnter {
        task: TaskId(1),
        span: pollscope_shared::instrument::SpanId(1),
        name,
    };
    let mut events = vec![(0, long(WireName::Spelled("x".repeat(1 << 16))))];
    events.extend((0..100_000).map(|_| (0, long(WireName::Again(0)))));
    assert!(matches!(
        EventBatch::decode_binary(&frame(events)),
        Err(DecodeError::NamesTooLarge(_))
    ));
}

#[test]
fn a_cancelled_task_closes_its_await_points_before_it_completes() {
    let recorder = Recorder::new(1024);
    let signal = Signal::default();
    let mut task = Box::pin(recorder.task("waits forever", {
        let recorder = recorder.clone();
        async move { recorder.io("read", signal.wait()).await }
    }));
    let waker = std::task::Waker::noop();
    assert!(
        task.as_mut()
            .poll(&mut std::task::Context::from_waker(waker))
            .is_pending()
    );
    drop(task); // as an abort does
    let events = recorder.drain();
    check_consistency(&events);
    // check_consistency already proved nothing follows the completion; the span was
    // closed, before it.
    assert!(matches!(
        events.last().unwrap().kind,
        EventKind::Complete {
            outcome: TaskOutcome::Cancelled,
            ..
        }
    ));
    assert!(
        events
            .iter()
            .any(|e| matches!(e.kind, EventKind::SpanExit { .. }))
    );
}

#[cfg(not(target_arch = "wasm32"))] // needs threads
#[test]
fn drains_while_two_threads_record_are_complete_and_in_time_order() {
    // Under Miri (which checks every access for a race) fewer still meet drains midway.
    const PER_THREAD: u32 = if cfg!(miri) { 300 } else { 50_000 };
    let recorder = Recorder::new(1 << 16);
    let threads: Vec<_> = (0..2)
        .map(|t| {
            let recorder = recorder.clone();
            std::thread::spawn(move || {
                for i in 0..PER_THREAD {
                    recorder.record(EventKind::WakerClone {
                        task: pollscope_shared::instrument::TaskId(t * 100_000 + i),
                    });
                }
            })
        })
        .collect();
    let mut all = Vec::new();
    while !threads.iter().all(|t| t.is_finished()) {
        all.extend(recorder.drain());
    }
    for t in threads {
        t.join().unwrap();
    }
    all.extend(recorder.drain());
    assert_eq!(
        all.len() + recorder.dropped() as usize,
        2 * PER_THREAD as usize
    );
    assert!(
        all.windows(2).all(|w| w[0].t_ns <= w[1].t_ns),
        "batches overlap in time"
    );
    // Each thread's own events keep their order.
    for t in 0..2u32 {
        let mine: Vec<u32> = all
            .iter()
            .filter_map(|e| match e.kind {
                EventKind::WakerClone { task } if task.0 / 100_000 == t => Some(task.0),
                _ => None,
            })
            .collect();
        assert!(mine.windows(2).all(|w| w[0] < w[1]));
    }
}

#[cfg(not(target_arch = "wasm32"))] // needs threads
#[test]
fn buffers_of_exited_threads_are_freed_after_their_last_drain() {
    let recorder = Recorder::new(1024);
    for _ in 0..20 {
        let r = recorder.clone();
        std::thread::spawn(move || {
            r.record(EventKind::WakerClone {
                task: pollscope_shared::instrument::TaskId(1),
            })
        })
        .join()
        .unwrap();
    }
    assert_eq!(recorder.threads(), 20);
    assert_eq!(recorder.drain().len(), 20, "their events are not lost");
    assert_eq!(recorder.threads(), 0, "and their buffers are gone");
}

#[cfg(not(target_arch = "wasm32"))] // needs threads
#[test]
fn blocking_work_is_one_poll_on_a_blocking_lane_of_its_own() {
    use pollscope_shared::instrument::event::LaneKind;
    use pollscope_shared::instrument::{TaskKind, TaskOutcome};

    let recorder = Recorder::new(1024);
    let work = recorder.blocking("hash file", || 6 * 7);
    // As `spawn_blocking` does: the closure runs on another thread.
    let answer = std::thread::Builder::new()
        .name("blocking-pool".into())
        .spawn(work)
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(answer, 42);
    let never_run = recorder.blocking("dropped before it ran", || ());
    drop(never_run);

    let events = recorder.drain();
    check_consistency(&events);
    let mut stats = RunStats::default();
    stats.apply_all(&events);
    let lane = stats
        .lanes
        .values()
        .next()
        .expect("the blocking thread became a lane");
    assert_eq!(
        (lane.kind, lane.name.as_ref(), lane.polls),
        (LaneKind::Blocking, "blocking-pool", 1)
    );
    let tasks: Vec<_> = stats
        .tasks
        .values()
        .map(|t| (t.name.to_string(), t.kind, t.polls, t.state))
        .collect();
    assert_eq!(
        tasks,
        [
            (
                "hash file".to_owned(),
                TaskKind::Blocking,
                1,
                TaskState::Done(TaskOutcome::Ok)
            ),
            (
                "dropped before it ran".to_owned(),
                TaskKind::Blocking,
                0,
                TaskState::Done(TaskOutcome::Cancelled)
            ),
        ]
    );
}

#[test]
fn an_await_point_done_in_the_poll_that_opened_it_is_not_a_wait() {
    // Like a `select!` whose other branch won: `a` returns Pending, is dropped in the same
    // poll, and the task then waits on `b`. Only `b` made the task wait.
    let recorder = Recorder::new(1024);
    let mut task = Box::pin(recorder.task("select-like", {
        let recorder = recorder.clone();
        async move {
            let mut a = Box::pin(recorder.point("a", std::future::pending::<()>()));
            std::future::poll_fn(|cx| {
                assert!(a.as_mut().poll(cx).is_pending());
                Poll::Ready(())
            })
            .await;
            drop(a);
            recorder.point("b", std::future::pending::<()>()).await;
        }
    }));
    let waker = std::task::Waker::noop();
    let mut cx = std::task::Context::from_waker(waker);
    assert!(task.as_mut().poll(&mut cx).is_pending());
    let events = recorder.drain();
    check_consistency(&events);
    assert!(
        !events.iter().any(|e| matches!(
            e.kind,
            EventKind::SpanEnter { .. } | EventKind::SpanExit { .. }
        )),
        "a neither opened nor closed, b opens with the poll: {events:?}"
    );
    // The wait starts when the task yields: with the poll's end, which names it.
    let waits: Vec<_> = events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Poll(PollEvent { waiting_on, .. }) => Some(waiting_on.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(waits.len(), 1);
    assert_eq!(waits[0].as_ref().map(|w| w.name.as_ref()), Some("b"));
}

/// What a recording says about await points, in order: spans opened and closed, and for
/// each poll whether it resumed at one and which one it left the task waiting on.
fn span_story(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::SpanEnter { name, .. } => Some(format!("enter {name}")),
            EventKind::SpanExit { .. } => Some("exit".to_owned()),
            EventKind::Poll(PollEvent {
                resumed,
                waiting_on,
                ..
            }) => Some(format!(
                "poll resumed {} waiting on {}",
                resumed.is_some(),
                waiting_on.as_ref().map_or("-", |w| w.name.as_ref())
            )),
            _ => None,
        })
        .collect()
}

#[test]
fn an_outer_await_point_opens_beside_the_inner_one_the_poll_waits_on() {
    let recorder = Recorder::new(1024);
    let mut task = Box::pin(recorder.task("nested", {
        let recorder = recorder.clone();
        async move {
            let inner = recorder.io("read", std::future::pending::<()>());
            recorder.point("handle request", inner).await;
        }
    }));
    let waker = std::task::Waker::noop();
    let mut cx = std::task::Context::from_waker(waker);
    assert!(task.as_mut().poll(&mut cx).is_pending());
    assert!(task.as_mut().poll(&mut cx).is_pending());
    drop(task);
    let events = recorder.drain();
    check_consistency(&events);
    assert_eq!(
        span_story(&events),
        [
            // The inner one claims the poll; the outer one opens right after it.
            "poll resumed false waiting on read",
            "enter handle request",
            // Still waiting on both: nothing opens or closes.
            "poll resumed false waiting on read",
            // Dropped with the task, outside any poll: both close.
            "exit",
            "exit",
        ]
    );
}

#[test]
fn an_await_point_found_waiting_then_done_in_one_poll_is_where_that_poll_resumed() {
    // A poll finds `a` (which made the task wait) still pending, polls it again in the same
    // poll (a hand-written loop can) and finds it done, then waits on `b`: that poll
    // resumed at `a` and waits on `b`, and `a` is not what it waits on any more.
    let recorder = Recorder::new(1024);
    let mut task = Box::pin(recorder.task("re-polls", {
        let recorder = recorder.clone();
        async move {
            let mut a = Box::pin(recorder.point("a", YieldN { left: 2 }));
            let mut first = true;
            std::future::poll_fn(|cx| {
                if std::mem::take(&mut first) {
                    return a.as_mut().poll(cx);
                }
                assert!(a.as_mut().poll(cx).is_pending());
                a.as_mut().poll(cx)
            })
            .await;
            recorder.point("b", std::future::pending::<()>()).await;
        }
    }));
    let waker = std::task::Waker::noop();
    let mut cx = std::task::Context::from_waker(waker);
    assert!(task.as_mut().poll(&mut cx).is_pending());
    assert!(task.as_mut().poll(&mut cx).is_pending());
    drop(task);
    let events = recorder.drain();
    check_consistency(&events);
    assert_eq!(
        span_story(&events),
        [
            "poll resumed false waiting on a",
            "poll resumed true waiting on b",
            // Dropped with the task: `b` closes.
            "exit",
        ]
    );
}

#[test]
fn waker_clones_kept_past_their_tasks_end_still_wake_and_nothing_leaks() {
    // More clones than a task takes references for at once, all kept after it ends.
    let recorder = Recorder::new(4096);
    let kept = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut executor = Executor::default();
    executor.spawn(recorder.task("cloner", {
        let kept = kept.clone();
        std::future::poll_fn(move |cx| {
            kept.lock()
                .unwrap()
                .extend((0..40).map(|_| cx.waker().clone()));
            Poll::Ready(())
        })
    }));
    assert_eq!(executor.run_until_stalled(), 0);
    let handles_while_kept = recorder.handles();
    for (i, waker) in kept.lock().unwrap().drain(..).enumerate() {
        // Waking after the end is harmless: forwarded, not recorded.
        if i % 2 == 0 {
            waker.wake();
        } else {
            waker.wake_by_ref();
        }
    }
    assert_eq!(executor.run_until_stalled(), 0);
    let events = recorder.drain();
    check_consistency(&events); // nothing after the completion
    // Made by the task's own poll, the clones are counted in its end, not sent one by one.
    let counted: u32 = events
        .iter()
        .map(|e| match e.kind {
            EventKind::Poll(PollEvent { waker_clones, .. }) => waker_clones,
            _ => 0,
        })
        .sum();
    assert_eq!(counted, 40);
    assert!(
        !events
            .iter()
            .any(|e| matches!(e.kind, EventKind::WakerClone { .. }))
    );
    assert!(
        handles_while_kept > 1,
        "the kept wakers hold the task's waker"
    );
    assert_eq!(
        recorder.handles(),
        1,
        "every waker reference was given back"
    );
}

#[test]
fn names_built_at_run_time_come_back_with_their_events() {
    let recorder = Recorder::new(4096);
    let mut executor = Executor::default();
    let mut events = Vec::new();
    for i in 0..50 {
        executor.spawn(recorder.task(format!("task {i}"), YieldN { left: 1 }));
        if i % 7 == 0 {
            assert_eq!(executor.run_until_stalled(), 0);
            recorder.drain_into(&mut events);
        }
    }
    assert_eq!(executor.run_until_stalled(), 0);
    recorder.drain_into(&mut events);
    check_consistency(&events);
    let mut stats = RunStats::default();
    stats.apply_all(&events);
    let names: Vec<_> = stats.tasks.values().map(|t| t.name.to_string()).collect();
    let expected: Vec<_> = (0..50).map(|i| format!("task {i}")).collect();
    assert_eq!(names, expected);
}

#[cfg(not(target_arch = "wasm32"))] // needs to sleep
#[test]
fn drained_times_follow_the_monotonic_clock_across_drains() {
    let recorder = Recorder::new(4096);
    let mut executor = Executor::default();
    let mut events = Vec::new();
    let mut marks = Vec::new();
    for round in 0..4 {
        let before = recorder.now_ns();
        executor.spawn(recorder.task(format!("round {round}"), YieldN { left: 1 }));
        assert_eq!(executor.run_until_stalled(), 0);
        let after = recorder.now_ns();
        marks.push((before, after));
        recorder.drain_into(&mut events);
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    check_consistency(&events); // in time order across the drains too
    for (round, (before, after)) in marks.iter().enumerate() {
        let name = format!("round {round}");
        let spawn = events
            .iter()
            .find(|e| matches!(&e.kind, EventKind::Spawn(SpawnEvent { name: n, .. }) if *n == name))
            .unwrap();
        // Stamped in counter ticks, converted at the drain: still between two readings of
        // the monotonic clock taken around it (give or take a microsecond of conversion).
        assert!(
            spawn.t_ns + 1_000 >= *before && spawn.t_ns <= after + 1_000,
            "{name}: {} not in [{before}, {after}]",
            spawn.t_ns
        );
    }
}

#[test]
fn the_aggregators_direct_encoding_decodes_to_the_recorded_events() {
    // `drain_to_batch` encodes straight from the buffers' packed records; the batch must
    // decode to exactly what `drain` would have returned.
    let run = |drain_direct: bool| {
        let recorder = Recorder::new(4096);
        let signal = Signal::default();
        let mut executor = Executor::default();
        executor.spawn(recorder.task(format!("waiter {}", 7), {
            let recorder = recorder.clone();
            let signal = signal.clone();
            async move { recorder.io("read", signal.wait()).await }
        }));
        executor.spawn(recorder.task("firer", async move { signal.fire() }));
        let fails = recorder.fallible_task("fails", async { Err::<(), ()>(()) });
        executor.spawn(async move {
            let _ = fails.await;
        });
        assert_eq!(executor.run_until_stalled(), 0);
        if drain_direct {
            let mut builder = pollscope_shared::instrument::batch::BinaryBatchBuilder::default();
            let mut totals = pollscope_shared::instrument::stats::RunTotals::default();
            recorder.drain_to_batch(&mut builder, &mut totals);
            let events = EventBatch::decode_binary(&builder.finish(1, 0, 0, 0))
                .unwrap()
                .events;
            assert_eq!(totals.events, events.len() as u64);
            assert_eq!(totals.tasks, 3);
            events
        } else {
            recorder.drain()
        }
    };
    let direct = run(true);
    let drained = run(false);
    check_consistency(&direct);
    // The same events (times differ between the two runs).
    let kinds = |events: &[pollscope_shared::instrument::Event]| -> Vec<EventKind> {
        events
            .iter()
            .map(|e| match e.kind.clone() {
                EventKind::Poll(PollEvent {
                    task,
                    lane,
                    outcome,
                    resumed,
                    waiting_on,
                    waker_clones,
                    ..
                }) => EventKind::Poll(PollEvent {
                    task,
                    lane,
                    busy_ns: 0,
                    outcome,
                    resumed,
                    waiting_on,
                    waker_clones,
                }),
                kind => kind,
            })
            .collect()
    };
    assert_eq!(kinds(&direct), kinds(&drained));
    assert!(direct.iter().any(|e| matches!(
        &e.kind,
        EventKind::Spawn(SpawnEvent { name, .. }) if name == "waiter 7"
    )));
    assert!(direct.iter().any(|e| matches!(
        &e.kind,
        EventKind::Poll(PollEvent { waiting_on: Some(wait), .. }) if wait.name == "read"
    )));
}

#[test]
fn a_waker_cloned_outside_its_tasks_polls_is_a_clone_event() {
    let recorder = Recorder::new(1024);
    let signal = Signal::default();
    let mut executor = Executor::default();
    let waiter = recorder.task("waiter", signal.wait());
    let id = waiter.id();
    executor.spawn(waiter);
    assert_eq!(executor.run_until_stalled(), 1);
    // Cloned here, by no task's poll: an event of its own.
    let clone = signal.clone_waker().expect("the waiter stored its waker");
    drop(clone);
    signal.fire();
    assert_eq!(executor.run_until_stalled(), 0);
    let events = recorder.drain();
    check_consistency(&events);
    let kinds: Vec<_> = events
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                EventKind::WakerClone { .. } | EventKind::WakerDrop { .. }
            )
        })
        .map(|e| e.kind.clone())
        .collect();
    assert_eq!(
        kinds,
        [
            EventKind::WakerClone { task: id },
            EventKind::WakerDrop { task: id }
        ]
    );
}

#[test]
fn references_given_back_by_wakes_serve_the_next_polls_and_none_leak() {
    // As a socket does, 50 times: the task hands a clone of its waker over and waits; the
    // "reactor" (this thread, a lane of the run, outside any task) wakes it by value. The
    // consumed references are kept on this thread for the next poll's clone.
    let recorder = Recorder::new(4096);
    let signals: Vec<Signal> = (0..50).map(|_| Signal::default()).collect();
    let mut executor = Executor::default();
    executor.spawn(recorder.task("reader", {
        let signals = signals.clone();
        async move {
            for signal in signals {
                signal.wait().await;
            }
        }
    }));
    for signal in &signals {
        assert_eq!(executor.run_until_stalled(), 1);
        signal.fire();
    }
    assert_eq!(executor.run_until_stalled(), 0);
    let events = recorder.drain();
    check_consistency(&events);
    let count = |f: fn(&EventKind) -> bool| events.iter().filter(|e| f(&e.kind)).count();
    assert_eq!(
        count(|k| matches!(k, EventKind::Poll(PollEvent { .. }))),
        51
    );
    assert_eq!(
        count(|k| matches!(k, EventKind::Wake { by_ref: false, .. })),
        50
    );
    let clones: u32 = events
        .iter()
        .map(|e| match e.kind {
            EventKind::Poll(PollEvent { waker_clones, .. }) => waker_clones,
            _ => 0,
        })
        .sum();
    assert_eq!(clones, 50);
    // Once the task is gone, every reference is too: the ones its reserve held, and the
    // ones this thread kept.
    drop(executor);
    assert_eq!(recorder.handles(), 1, "a waker reference leaked");
}
