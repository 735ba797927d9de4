//! Outline section 7 over a real WebSocket: three futures doing the same work on a buffer
//! (holding it across the `.await`, dropping it before, keeping it in a `Vec`), their
//! sizes, and the memory T spawned tasks of each held. Every assertion follows from the
//! run's own parameters (the buffer's size, the number of tasks) and recorded events.

mod common;

use std::collections::BTreeMap;

use common::{TestServer, collect, events_by_part, run};
use pollscope_shared::ServerMessage;
use pollscope_shared::instrument::TaskOutcome;
use pollscope_shared::instrument::stats::{RunStats, TaskState};
use pollscope_shared::results::{FutureKind, ScenarioResult};
use pollscope_shared::testkit::{Coverage, check_recording};

const TASKS: u32 = 300;
const BUFFER_KIB: u32 = 4;
const BUF: u64 = BUFFER_KIB as u64 * 1024;
/// What a future may keep besides its buffer: the gate and the `.await`'s own state.
const SMALL: u64 = 256;
/// The sum the dropped kind keeps across its `.await` instead of the buffer.
const SUM: u64 = std::mem::size_of::<u64>() as u64;
/// The recorded tasks of each kind (`RECORDED_TASKS` in the scenario).
const RECORDED: usize = 10;

#[tokio::test]
async fn what_is_alive_across_the_await_is_what_each_task_holds() {
    let server = TestServer::start().await;
    let (mut client, _) = server
        .start_run(&run(
            "future_size",
            &[("tasks", TASKS.into()), ("buffer_kib", BUFFER_KIB.into())],
        ))
        .await;
    let (batches, last) = collect(&mut client).await;
    let ServerMessage::Result {
        result: ScenarioResult::FutureSize(result),
        ..
    } = last
    else {
        panic!("expected the result, got {last:?}");
    };
    assert_eq!((result.tasks, result.buffer_bytes), (TASKS, BUF as u32));
    assert_eq!(result.recorded_tasks as usize, RECORDED);
    let kinds: Vec<_> = result.kinds.iter().map(|k| k.kind).collect();
    assert_eq!(
        kinds,
        [FutureKind::Held, FutureKind::Dropped, FutureKind::Boxed]
    );
    let [held, dropped, boxed] = &result.kinds[..] else {
        unreachable!("three kinds")
    };

    // Sizes, as the code implies them: the held array is in the future, the dropped one
    // is not (only its u64 sum, which the held one does not keep), and the Vec's bytes are
    // on the heap.
    assert!(
        held.future_bytes + SUM >= dropped.future_bytes + BUF,
        "{held:?} {dropped:?}"
    );
    assert!(dropped.future_bytes < SMALL, "{dropped:?}");
    assert!(
        boxed.future_bytes + BUF <= held.future_bytes + SMALL,
        "{boxed:?}"
    );
    assert!(boxed.future_bytes < SMALL, "{boxed:?}");

    let per_task = |k: &pollscope_shared::results::KindRun| k.bytes_per_task(TASKS);
    for k in &result.kinds {
        // A task's allocation holds its whole future (or Tokio's box of it), and every
        // task is a heap allocation of its own.
        assert!(per_task(k) >= k.future_bytes, "{k:?}");
        assert!(k.allocations >= u64::from(TASKS), "{k:?}");
        // The recorder's wrapper holds the future and more.
        assert!(k.recorded_future_bytes > k.future_bytes, "{k:?}");
        assert_eq!(k.events_dropped, 0, "{k:?}");
    }
    // The tasks that keep the buffer hold it, wherever it is; the one that dropped it
    // holds less than the buffer.
    assert!(per_task(held) >= BUF, "{held:?}");
    assert!(per_task(boxed) >= BUF, "{boxed:?}");
    assert!(per_task(dropped) < BUF, "{dropped:?}");
    // Each Vec is an allocation besides its task's.
    assert!(boxed.allocations >= 2 * u64::from(TASKS), "{boxed:?}");

    // The recording: per part, the main task and the recorded sample, each task's story
    // complete; the T measured tasks were spawned bare.
    let events = events_by_part(batches);
    assert_eq!(events.keys().copied().collect::<Vec<_>>(), [0, 1, 2]);
    let names = ["held", "dropped", "vec"];
    let mut parts: BTreeMap<u32, RunStats> = BTreeMap::new();
    for (part, events) in &events {
        check_recording(events, Coverage::WholeRun);
        parts.entry(*part).or_default().apply_all(events);
    }
    for (part, stats) in &parts {
        let name = names[*part as usize];
        let sample: Vec<_> = stats
            .tasks
            .values()
            .filter(|t| t.name.starts_with(&format!("{name} ")))
            .collect();
        assert_eq!(sample.len(), RECORDED, "part {part}");
        assert_eq!(
            stats.tasks.len(),
            RECORDED + 1,
            "part {part}: the sample and main"
        );
        for task in sample {
            // One poll to reach the `.await`, one after the gate opened.
            assert!(task.polls >= 2, "part {part}: {task:?}");
            assert_eq!(
                task.state,
                TaskState::Done(TaskOutcome::Ok),
                "part {part}: {task:?}"
            );
        }
    }
    drop(client);
    server.until_idle().await;
}
