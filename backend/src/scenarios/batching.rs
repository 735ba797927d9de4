//! Outline section 7 — performance pitfalls: per-task overhead vs batching.
//!
//! The same N tiny operations (a few arithmetic steps each, far cheaper than a task) run
//! as one task per item, then as tasks of K items each for K = 10, 100, … up to the
//! chosen largest batch. A task is not free: `spawn` allocates it and queues it, a worker
//! polls it, its end wakes whoever awaits its `JoinHandle`, and the join reads its output.
//! With one task per item every item pays all of that; with batches of K, K items share it.
//!
//! Each way runs twice over, on fresh runtimes of the same shape: first a few rounds
//! with [`NoProbe`] (the plain code, nothing recorded), then once as a recorded part with
//! its own timeline. Recording costs something per task too (its spawn, poll and end are
//! events), so the recorded time per item is the plain cost plus pollscope's own; the
//! page shows both. Both runtimes' threads are measured (their time on a CPU and waiting
//! for one), so the run's load, which says whether the machine was shared, covers the
//! plain rounds as well as the recorded parts.
//!
//! Bounds: with at most [`MAX_ITEMS`] items, one task per item records about three events
//! per item (spawn, poll, end), which fits one recording thread's default buffer
//! (65,536 events) even if no drain came between them.

use std::hint::black_box;
use std::time::{Duration, Instant};

use pollscope_shared::instrument::{NoProbe, Probe};
use pollscope_shared::results::{BatchWay, BatchingResult};
use tokio::task::JoinError;

use super::Scenario;
use crate::harness::runtime::run_hosted_measured;
use crate::harness::{
    Keep, MAX_WORKERS, Part, RunContext, RuntimeSpec, ScenarioError, run_part,
};

/// Most items a run may process.
pub const MAX_ITEMS: u32 = 20_000;
/// Rounds of each plain (unrecorded) measurement; the page shows their median and range.
pub const PLAIN_ROUNDS: usize = 5;

crate::params! {
    /// The items, the largest batch, and the runtime.
    pub struct BatchingParams {
        /// Items
        items: u32 [default 10_000, min 100, max MAX_ITEMS, unit "items"],
        /// Largest batch (K grows 1, 10, 100, … up to it)
        max_batch: u32 [default 1000, min 10, max 10_000, unit "items"],
        /// Runtime workers (0 = current_thread)
        workers: u32 [default 2, min 0, max MAX_WORKERS],
    }
}

pub struct Batching;

impl Scenario for Batching {
    type Params = BatchingParams;
    type Output = BatchingResult;
    const SECTION: u8 = 7;
    const TITLE: &'static str = "Per-task overhead vs batching";
    const SUMMARY: &'static str = "The same tiny operations as one task each, then in batches of K: ns per item, polls and events recorded, with and without recording.";
    const SOURCE: (&'static str, &'static str) = (file!(), include_str!("batching.rs"));

    async fn run(params: BatchingParams, run: RunContext) -> Result<BatchingResult, ScenarioError> {
        let runtime = RuntimeSpec {
            workers: params.workers,
        };
        let items = u64::from(params.items);
        let expected = expected_checksum(items);
        let mut ways = Vec::new();
        for (index, batch) in (0..).zip(batch_sizes(params.max_batch, params.items)) {
            let k = u64::from(batch);
            run.phase(format!(
                "part {index}: {items} items in tasks of {batch}, {} rounds unrecorded on {}",
                PLAIN_ROUNDS,
                runtime.flavor_name()
            ));
            // Its threads are measured like a recorded part's, so the run's load counts
            // them too: they ran on the same cores, and their timings are on the page.
            let (plain, load) = run_hosted_measured(runtime, None, move || async move {
                let mut rounds = Vec::with_capacity(PLAIN_ROUNDS);
                for _ in 0..PLAIN_ROUNDS {
                    rounds.push(timed(NoProbe, items, k).await?);
                }
                Ok::<_, JoinError>(rounds)
            })
            .await;
            run.add_part_load(load);
            let mut plain_wall_ns = plain?
            .map_err(|e| ScenarioError::new(format!("an unrecorded task failed: {e}")))?
            .into_iter()
            .map(|(wall, checksum)| {
                if checksum == expected {
                    Ok(duration_ns(wall))
                } else {
                    Err(ScenarioError::new(format!(
                        "an unrecorded round added up to {checksum}, not {expected}"
                    )))
                }
            })
            .collect::<Result<Vec<u64>, _>>()?;
            plain_wall_ns.sort_unstable();

            run.phase(format!("part {index}: recorded, tasks of {batch}"));
            let part = Part {
                index,
                runtime,
                keep: Keep::Totals,
            };
            let measured = run_part(&run, part, move |probe| timed(probe, items, k)).await?;
            let (wall, checksum) = measured
                .output
                .map_err(|e| ScenarioError::new(format!("a recorded task failed: {e}")))?;
            let totals = measured.folded.totals;
            ways.push(BatchWay {
                batch,
                item_tasks: params.items.div_ceil(batch),
                wall_ns: duration_ns(wall),
                checksum,
                tasks: totals.tasks,
                polls: totals.polls,
                events_recorded: totals.events,
                events_dropped: measured.events_dropped,
                plain_wall_ns,
            });
        }
        Ok(BatchingResult {
            items: params.items,
            workers: params.workers,
            expected_checksum: expected,
            ways,
        })
    }
}

// [demo:start]
/// The tiny operation: a few arithmetic steps, through `black_box` so that the compiler
/// cannot fold them away. A few nanoseconds: far less than a task costs.
fn op(item: u64) -> u64 {
    black_box(item).wrapping_mul(3).wrapping_add(1)
}

/// Run items `0..items` as tasks of `batch` items each (`batch = 1`: one task per
/// item), join every task, and add up what they computed.
async fn run_in_batches<P: Probe>(probe: P, items: u64, batch: u64) -> Result<u64, JoinError> {
    let mut tasks = Vec::with_capacity(items.div_ceil(batch) as usize);
    for first in (0..items).step_by(batch as usize) {
        let last = (first + batch).min(items);
        let work = async move { (first..last).map(op).sum::<u64>() };
        tasks.push(tokio::spawn(probe.task("batch", work)));
    }
    let mut sum = 0;
    for task in tasks {
        sum += task.await?;
    }
    Ok(sum)
}
// [demo:end]

/// One way, timed from before the first spawn to after the last join.
async fn timed<P: Probe>(probe: P, items: u64, batch: u64) -> Result<(Duration, u64), JoinError> {
    let started = Instant::now();
    let sum = run_in_batches(probe, items, batch).await?;
    Ok((started.elapsed(), sum))
}

/// What `op` adds up to over `0..items`: Σ (3i + 1) = 3·n(n−1)/2 + n.
pub fn expected_checksum(items: u64) -> u64 {
    3 * items * items.saturating_sub(1) / 2 + items
}

/// The batch sizes a run compares: 1, 10, 100, … below the largest, then the largest,
/// which is `max_batch` but never more than the items.
pub fn batch_sizes(max_batch: u32, items: u32) -> Vec<u32> {
    let largest = max_batch.min(items).max(1);
    let mut sizes: Vec<u32> = std::iter::successors(Some(1u32), |k| k.checked_mul(10))
        .take_while(|&k| k < largest)
        .collect();
    sizes.push(largest);
    sizes
}

/// Whole nanoseconds, saturating (a part lasts far less than the 584 years that overflow).
fn duration_ns(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_sizes_grow_tenfold_up_to_the_largest_and_never_past_the_items() {
        assert_eq!(batch_sizes(1000, 10_000), [1, 10, 100, 1000]);
        assert_eq!(batch_sizes(500, 10_000), [1, 10, 100, 500]);
        assert_eq!(batch_sizes(10_000, 100), [1, 10, 100]);
        assert_eq!(batch_sizes(10, 100), [1, 10]);
    }

    #[test]
    fn the_checksum_is_the_sum_of_every_item_once() {
        for items in [1, 2, 100, 20_000] {
            assert_eq!(expected_checksum(items), (0..items).map(op).sum::<u64>());
        }
    }
}
