//! Outline section 7 — future size: what a task holds across `.await`.
//!
//! An `async fn` compiles to a state machine, and everything alive across an `.await` is
//! stored in it: that is the future's size, and a spawned task's allocation holds the
//! whole future for as long as the task lives. Three real futures do the same work on an
//! N-byte buffer (fill it, sum it) around one `.await`: one keeps the array alive across
//! the `.await`, one confines it to a block that ends before, one keeps it in a `Vec`.
//!
//! For each, a part on a fresh `current_thread` runtime spawns T tasks, waits until every
//! one waits at its `.await`, and reads what the spawning thread allocated meanwhile from
//! the counting global allocator ([`crate::alloc_count`]). On `current_thread` the tasks
//! are spawned and polled on that one thread, and the counters are per thread, so the
//! server's other work does not enter the figure. The T tasks are spawned bare, not
//! through the recorder (its wrapper would add to each task what is being measured); the
//! part's main task is recorded, and a few tasks of the same kind are spawned through the
//! recorder afterwards, so the timeline shows one's life.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use pollscope_shared::instrument::Recorder;
use pollscope_shared::results::{FutureKind, FutureSizeResult, KindRun};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

use super::Scenario;
use crate::alloc_count::ThreadAllocs;
use crate::harness::{Keep, Part, RunContext, RuntimeSpec, ScenarioError, duration_us, run_part};

/// Most tasks of one kind a run spawns (at the largest buffer, 10,000 tasks of the kinds
/// that keep it hold about 165 MB at once).
pub const MAX_TASKS: u32 = 10_000;
/// The largest buffer, in KiB: the buffer sizes are compile-time constants, one per KiB.
pub const MAX_BUFFER_KIB: u32 = 16;
/// Tasks of each kind spawned through the recorder after the count, for the timeline.
pub const RECORDED_TASKS: u32 = 10;
const KIB: usize = 1024;

crate::params! {
    /// How many tasks, and how big a buffer.
    pub struct FutureSizeParams {
        /// Tasks of each kind
        tasks: u32 [default 10_000, min 100, max MAX_TASKS, unit "tasks"],
        /// Buffer size
        buffer_kib: u32 [default 16, min 1, max MAX_BUFFER_KIB, unit "KiB"],
    }
}

pub struct FutureSize;

impl Scenario for FutureSize {
    type Params = FutureSizeParams;
    type Output = FutureSizeResult;
    const SECTION: u8 = 7;
    const TITLE: &'static str = "Future size: what a task holds across .await";
    const SUMMARY: &'static str = "The size of real futures that hold a buffer across an .await, drop it before, or keep it in a Vec, and the memory of T spawned tasks of each.";
    const SOURCE: (&'static str, &'static str) = (file!(), include_str!("future_size.rs"));

    async fn run(
        params: FutureSizeParams,
        run: RunContext,
    ) -> Result<FutureSizeResult, ScenarioError> {
        let (tasks, kib) = (params.tasks, params.buffer_kib);
        let mut kinds = Vec::new();
        let all = [FutureKind::Held, FutureKind::Dropped, FutureKind::Boxed];
        for (index, kind) in (0..).zip(all) {
            run.phase(format!(
                "part {index}: {tasks} tasks, {kib} KiB buffer, {}",
                kind.label()
            ));
            let part = Part {
                index,
                runtime: RuntimeSpec { workers: 0 },
                keep: Keep::Totals,
            };
            let measured =
                run_part(&run, part, move |recorder| one_kind(recorder, kind, kib, tasks)).await?;
            kinds.push(KindRun {
                events_dropped: measured.events_dropped,
                ..measured.output
            });
        }
        Ok(FutureSizeResult {
            tasks,
            buffer_bytes: kib * KIB as u32,
            recorded_tasks: RECORDED_TASKS,
            kinds,
        })
    }
}

// [demo:start]
/// (a) The array is alive across the `.await`, so it is stored in the future: the
/// future is at least N bytes, and so is every task spawned with it.
async fn held<const N: usize>(gate: Gate) -> u64 {
    let mut buf = [0u8; N];
    fill(&mut buf);
    gate.wait().await;
    checksum(&buf)
}

/// (b) The same work, with the array in a block that ends before the `.await`: only
/// the sum is alive across it, so only the sum is stored.
async fn dropped<const N: usize>(gate: Gate) -> u64 {
    let sum = {
        let mut buf = [0u8; N];
        fill(&mut buf);
        checksum(&buf)
    };
    gate.wait().await;
    sum
}

/// (c) The buffer in a `Vec`: the future stores only the `Vec` (pointer, capacity,
/// length), but the bytes it points to stay allocated across the `.await`.
async fn boxed(len: usize, gate: Gate) -> u64 {
    let mut buf = vec![0u8; len];
    fill(&mut buf);
    gate.wait().await;
    checksum(&buf)
}

/// Spawn `tasks` tasks on this thread, and count with the counting allocator what this
/// thread allocated until every one of them waits at its `.await`.
async fn spawn_and_count<Fut>(tasks: u32, make: impl Fn(Gate) -> Fut) -> (ThreadAllocs, Duration)
where
    Fut: Future<Output = u64> + Send + 'static,
{
    let gate = Gate::new();
    let mut handles = Vec::with_capacity(tasks as usize); // allocated before counting
    let started = Instant::now();
    let before = ThreadAllocs::snapshot();
    for _ in 0..tasks {
        handles.push(tokio::spawn(make(gate.clone())));
    }
    gate.all_waiting(tasks).await;
    let held = ThreadAllocs::snapshot().since(before);
    let waited = started.elapsed();
    gate.open();
    for handle in handles {
        let _ = handle.await;
    }
    (held, waited)
}
// [demo:end]

/// Holds every task at its `.await` until the count is taken.
#[derive(Clone)]
struct Gate {
    waiting: Arc<Semaphore>,
    open: CancellationToken,
}

impl Gate {
    fn new() -> Self {
        Self {
            waiting: Arc::new(Semaphore::new(0)),
            open: CancellationToken::new(),
        }
    }

    /// A task's `.await`: say it got here, then wait for the gate to open. Neither
    /// allocates: the semaphore's and the token's waiters live in the futures.
    async fn wait(&self) {
        self.waiting.add_permits(1);
        self.open.cancelled().await;
    }

    /// Until `tasks` tasks wait at the gate.
    async fn all_waiting(&self, tasks: u32) {
        // The semaphore is never closed.
        if let Ok(permits) = self.waiting.acquire_many(tasks).await {
            permits.forget();
        }
    }

    fn open(&self) {
        self.open.cancel();
    }
}

/// Write every byte, so the buffer is really used.
fn fill(buf: &mut [u8]) {
    for (i, byte) in buf.iter_mut().enumerate() {
        *byte = i as u8;
    }
}

fn checksum(buf: &[u8]) -> u64 {
    buf.iter().map(|&b| u64::from(b)).sum()
}

/// Picks the compile-time buffer size for a `buffer_kib` value already within
/// `1..=MAX_BUFFER_KIB`: `$n` is that size in bytes inside `$body`.
macro_rules! with_buffer {
    ($kib:expr, $n:ident => $body:expr) => {
        match $kib {
            1 => { const $n: usize = KIB; $body }
            2 => { const $n: usize = 2 * KIB; $body }
            3 => { const $n: usize = 3 * KIB; $body }
            4 => { const $n: usize = 4 * KIB; $body }
            5 => { const $n: usize = 5 * KIB; $body }
            6 => { const $n: usize = 6 * KIB; $body }
            7 => { const $n: usize = 7 * KIB; $body }
            8 => { const $n: usize = 8 * KIB; $body }
            9 => { const $n: usize = 9 * KIB; $body }
            10 => { const $n: usize = 10 * KIB; $body }
            11 => { const $n: usize = 11 * KIB; $body }
            12 => { const $n: usize = 12 * KIB; $body }
            13 => { const $n: usize = 13 * KIB; $body }
            14 => { const $n: usize = 14 * KIB; $body }
            15 => { const $n: usize = 15 * KIB; $body }
            _ => { const $n: usize = 16 * KIB; $body }
        }
    };
}

/// One part's main task: one kind, `tasks` times, with a `kib` KiB buffer.
async fn one_kind(recorder: Recorder, kind: FutureKind, kib: u32, tasks: u32) -> KindRun {
    match kind {
        FutureKind::Held => with_buffer!(kib, N => measure(recorder, kind, tasks, held::<N>).await),
        FutureKind::Dropped => {
            with_buffer!(kib, N => measure(recorder, kind, tasks, dropped::<N>).await)
        }
        FutureKind::Boxed => {
            let len = kib as usize * KIB;
            measure(recorder, kind, tasks, move |gate| boxed(len, gate)).await
        }
    }
}

/// Size one future of the kind, count `tasks` of them spawned, then run
/// [`RECORDED_TASKS`] more through the recorder for the timeline.
async fn measure<Fut>(
    recorder: Recorder,
    kind: FutureKind,
    tasks: u32,
    make: impl Fn(Gate) -> Fut,
) -> KindRun
where
    Fut: Future<Output = u64> + Send + 'static,
{
    let future_bytes = std::mem::size_of_val(&make(Gate::new())) as u64;
    let (held, waited) = spawn_and_count(tasks, &make).await;

    let name = match kind {
        FutureKind::Held => "held",
        FutureKind::Dropped => "dropped",
        FutureKind::Boxed => "vec",
    };
    let gate = Gate::new();
    let mut recorded_future_bytes = 0;
    let mut sample = Vec::with_capacity(RECORDED_TASKS as usize);
    for i in 0..RECORDED_TASKS {
        let task = recorder.task(format!("{name} {i}"), make(gate.clone()));
        recorded_future_bytes = std::mem::size_of_val(&task) as u64;
        sample.push(tokio::spawn(task));
    }
    gate.all_waiting(RECORDED_TASKS).await;
    gate.open();
    for task in sample {
        let _ = task.await;
    }
    KindRun {
        kind,
        future_bytes,
        recorded_future_bytes,
        live_bytes: held.live(),
        allocations: held.allocations,
        spawn_us: duration_us(waited),
        events_dropped: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sizes the compiler gives the three futures, as the demo relies on them.
    #[test]
    fn what_is_alive_across_the_await_is_what_the_future_stores() {
        const N: usize = 4 * KIB;
        let held = std::mem::size_of_val(&held::<N>(Gate::new()));
        let dropped = std::mem::size_of_val(&dropped::<N>(Gate::new()));
        let boxed = std::mem::size_of_val(&boxed(N, Gate::new()));
        // The dropped kind keeps its u64 sum across the `.await` instead.
        assert!(held + 8 >= dropped + N, "held {held}, dropped {dropped}");
        assert!(dropped < N && boxed < N, "dropped {dropped}, boxed {boxed}");
    }

    #[test]
    fn every_buffer_size_is_its_own_constant() {
        for kib in 1..=MAX_BUFFER_KIB {
            let n = with_buffer!(kib, N => N);
            assert_eq!(n, kib as usize * KIB);
        }
    }
}
