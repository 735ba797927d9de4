//! Outline section 9 — monitoring: the runtime's own metrics beside what the recorder saw.
//!
//! Tokio counts a few things about every runtime, readable through
//! `Handle::metrics()` without `tokio_unstable`: `num_workers`, `num_alive_tasks`,
//! `global_queue_depth`, and per worker `worker_park_count`, `worker_park_unpark_count`
//! and `worker_total_busy_duration`. A small workload (T tasks, each R rounds of a sleep
//! and a CPU burst) runs on a `multi_thread` runtime with W workers; a sampler reads the
//! metrics every S ms from *outside* that runtime (on the server's, so it is neither a
//! task nor a park there), and once more after the runtime shut down. At each sample's
//! instant the recorded events are counted the same way (tasks spawned and not finished,
//! tasks ready and not polled, parks), so the page can cross-check the two.
//!
//! They need not agree exactly, and where they do not the page says by how much: a
//! worker's counters reach the metrics in batches (when it parks, and on its periodic
//! maintenance), the recorder sees a task finish a moment before Tokio drops it, and the
//! park hook runs once per `park` call, where the metric counts every sleep in it.
//!
//! The workload also logs with `tracing`; its lines are kept for this run only (see
//! [`log_capture`]) and shown beside the timeline.

mod log_capture;

use std::collections::{BTreeMap, BTreeSet};
use std::convert::Infallible;
use std::time::Duration;

use pollscope_shared::instrument::event::LaneKind;
use pollscope_shared::instrument::{Event, EventKind, Probe, Recorder, TaskId};
use pollscope_shared::results::{
    LaneSeen, MetricsSample, RuntimeMetricsResult, WorkerFinal,
};
use tokio::runtime::{Handle, RuntimeMetrics};
use tokio::sync::oneshot;
use tokio::task::JoinSet;
use tracing::Dispatch;
use tracing::instrument::WithSubscriber;

use super::Scenario;
use super::support::cpu::burn_cpu_time;
use crate::harness::events::MAX_KEPT_EVENTS;
use crate::harness::{
    Keep, MAX_WORKERS, Part, RunContext, RuntimeSpec, ScenarioError, duration_us, run_part,
};
use log_capture::LogCapture;

/// Most samples a run keeps (the parameters' maxima need fewer).
const MAX_SAMPLES: usize = 2_000;
/// Most log lines a run keeps; the rest are counted.
const MAX_LOG_LINES: usize = 200;

crate::params! {
    /// The workload and the sampler.
    pub struct RuntimeMetricsParams {
        /// multi_thread workers
        workers: u32 [default 2, min 1, max MAX_WORKERS],
        /// Tasks
        tasks: u32 [default 6, min 1, max 16],
        /// Rounds per task
        rounds: u32 [default 8, min 1, max 40],
        /// Sleep per round
        pause_ms: u32 [default 5, min 1, max 40, unit "ms"],
        /// CPU per round
        work_us: u32 [default 500, min 0, max 5000, unit "µs"],
        /// Sample the metrics every
        sample_ms: u32 [default 2, min 1, max 50, unit "ms"],
    }
}

pub struct RuntimeMetricsDemo;

impl Scenario for RuntimeMetricsDemo {
    type Params = RuntimeMetricsParams;
    type Output = RuntimeMetricsResult;
    const SECTION: u8 = 9;
    const TITLE: &'static str = "Monitoring: RuntimeMetrics beside the recording, and tracing logs";
    const SUMMARY: &'static str = "A workload's stable RuntimeMetrics sampled during the run, cross-checked against what the recorder saw, with the run's own tracing log lines.";
    const SOURCE: (&'static str, &'static str) = (file!(), include_str!("runtime_metrics.rs"));

    async fn run(
        params: RuntimeMetricsParams,
        run: RunContext,
    ) -> Result<RuntimeMetricsResult, ScenarioError> {
        let work = Work {
            tasks: params.tasks,
            rounds: params.rounds,
            pause: Duration::from_millis(params.pause_ms.into()),
            work: Duration::from_micros(params.work_us.into()),
        };
        run.phase(format!(
            "{} tasks × {} rounds on {} workers, metrics every {} ms",
            params.tasks, params.rounds, params.workers, params.sample_ms
        ));
        let part = Part {
            index: 0,
            runtime: RuntimeSpec {
                workers: params.workers,
            },
            keep: Keep::Events,
        };
        let logs = LogCapture::new(MAX_LOG_LINES);
        let workload_logs = logs.clone();
        let (opened, opened_rx) = oneshot::channel();
        let part = run_part(&run, part, move |recorder| {
            workload_logs.set_clock(&recorder);
            workload(recorder, opened, work, workload_logs.dispatch())
        });
        let every = Duration::from_millis(params.sample_ms.into());
        let mut sampler = Sampler::default();
        let measured = tokio::select! {
            measured = part => measured?,
            never = sampler.run(opened_rx, every) => match never {},
        };
        let Some(metrics) = sampler.metrics.take() else {
            return Err(ScenarioError::new("the workload never started"));
        };
        let events = &measured.folded.events;
        let (logs, logs_dropped) = logs.take();
        let (spawned, completed) = task_totals(events);
        Ok(RuntimeMetricsResult {
            workers: params.workers,
            tasks: params.tasks,
            rounds: params.rounds,
            pause_ms: params.pause_ms,
            work_us: params.work_us,
            sample_ms: params.sample_ms,
            samples: beside_the_recording(&sampler.samples, events),
            samples_dropped: sampler.dropped,
            final_workers: finals(&metrics),
            final_num_workers: count(metrics.num_workers()),
            final_alive_tasks: count(metrics.num_alive_tasks()),
            lanes: lanes_seen(events),
            recorded_spawned: spawned,
            recorded_completed: completed,
            logs,
            logs_dropped,
            events_dropped: measured.events_dropped,
            events_complete: events.len() < MAX_KEPT_EVENTS,
        })
    }
}

/// What one part runs.
#[derive(Debug, Clone, Copy)]
struct Work {
    tasks: u32,
    rounds: u32,
    pause: Duration,
    work: Duration,
}

// [demo:start]
/// One reading of the runtime's stable metrics. Any thread may read them: here the
/// sampler does, from outside the runtime it measures.
fn read(metrics: &RuntimeMetrics) -> Reading {
    let workers = 0..metrics.num_workers();
    Reading {
        alive_tasks: count(metrics.num_alive_tasks()),
        global_queue_depth: count(metrics.global_queue_depth()),
        parks: workers.clone().map(|w| metrics.worker_park_count(w)).sum(),
        busy: workers.map(|w| metrics.worker_total_busy_duration(w)).sum(),
    }
}

/// A task of the workload: R rounds of a sleep and a CPU burst, logging as it goes.
/// Its log lines go to whichever subscriber the future was given (`with_subscriber`).
async fn one_task<P: Probe>(probe: P, i: u32, work: Work) {
    tracing::info!(task = i, "started");
    for round in 1..=work.rounds {
        let asleep = std::time::Instant::now();
        probe.timer("pause", tokio::time::sleep(work.pause)).await;
        let late = asleep.elapsed().saturating_sub(work.pause);
        if late > work.pause {
            tracing::warn!(task = i, round, late_us = duration_us(late), "woke late");
        }
        burn_cpu_time(work.work);
        tracing::debug!(task = i, round, "round done");
    }
    tracing::info!(task = i, "finished");
}

/// The part's main task: hand the sampler the runtime's handle, run the tasks, each
/// with this run's own log subscriber.
async fn workload(
    recorder: Recorder,
    opened: oneshot::Sender<(Handle, Recorder)>,
    work: Work,
    logs: Dispatch,
) {
    let _ = opened.send((Handle::current(), recorder.clone()));
    let mut tasks = JoinSet::new();
    for i in 0..work.tasks {
        let task = one_task(recorder.clone(), i, work).with_subscriber(logs.clone());
        tasks.spawn(recorder.task(format!("task {i}"), task));
    }
    tasks.join_all().await;
}
// [demo:end]

/// One reading, before the recorded side is added.
#[derive(Debug, Clone, Copy)]
struct Reading {
    alive_tasks: u32,
    global_queue_depth: u32,
    parks: u64,
    busy: Duration,
}

/// The sampler: reads the metrics every interval until the part is over (it is
/// dropped then), keeping at most [`MAX_SAMPLES`] readings with their recorder times.
#[derive(Default)]
struct Sampler {
    metrics: Option<RuntimeMetrics>,
    samples: Vec<(u64, Reading)>,
    dropped: u64,
}

impl Sampler {
    async fn run(
        &mut self,
        opened: oneshot::Receiver<(Handle, Recorder)>,
        every: Duration,
    ) -> Infallible {
        let Ok((handle, recorder)) = opened.await else {
            // The part ended before its main task started: nothing to sample.
            return std::future::pending().await;
        };
        let metrics = handle.metrics();
        self.metrics = Some(metrics.clone());
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            tick.tick().await;
            let reading = read(&metrics);
            if self.samples.len() < MAX_SAMPLES {
                self.samples.push((recorder.now_ns(), reading));
            } else {
                self.dropped += 1;
            }
        }
    }
}

/// A count as the result's `u32`.
fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Each worker's counters, read after the runtime shut down.
fn finals(metrics: &RuntimeMetrics) -> Vec<WorkerFinal> {
    (0..metrics.num_workers())
        .map(|w| WorkerFinal {
            worker: count(w),
            parks: metrics.worker_park_count(w),
            park_unparks: metrics.worker_park_unpark_count(w),
            busy_us: duration_us(metrics.worker_total_busy_duration(w)),
        })
        .collect()
}

/// What the recorder had seen by each sample's instant, beside the sample: one pass
/// over the events (in time order) and the samples (taken in time order).
fn beside_the_recording(samples: &[(u64, Reading)], events: &[Event]) -> Vec<MetricsSample> {
    let mut seen = Seen::default();
    let mut next = events.iter().peekable();
    samples
        .iter()
        .map(|&(t_ns, reading)| {
            while let Some(event) = next.next_if(|e| e.t_ns <= t_ns) {
                seen.apply(&event.kind);
            }
            MetricsSample {
                t_us: t_ns / 1000,
                alive_tasks: reading.alive_tasks,
                global_queue_depth: reading.global_queue_depth,
                parks: reading.parks,
                busy_us: duration_us(reading.busy),
                recorded_alive: seen.spawned.saturating_sub(seen.completed),
                recorded_ready: count(seen.ready.len()),
                recorded_parks: seen.parks,
            }
        })
        .collect()
}

/// Running counts of the recorded events.
#[derive(Default)]
struct Seen {
    spawned: u32,
    completed: u32,
    /// Spawned or woken, and not polled since.
    ready: BTreeSet<TaskId>,
    parks: u64,
}

impl Seen {
    fn apply(&mut self, kind: &EventKind) {
        match kind {
            EventKind::Spawn(spawn) => {
                self.spawned += 1;
                self.ready.insert(spawn.task);
            }
            EventKind::Wake { task, .. } => {
                self.ready.insert(*task);
            }
            EventKind::Poll(poll) => {
                self.ready.remove(&poll.task);
            }
            EventKind::Complete { task, .. } => {
                self.completed += 1;
                self.ready.remove(task);
            }
            EventKind::Park { .. } => self.parks += 1,
            _ => {}
        }
    }
}

/// Tasks recorded as spawned and as completed over the whole run.
fn task_totals(events: &[Event]) -> (u32, u32) {
    let mut seen = Seen::default();
    for event in events {
        seen.apply(&event.kind);
    }
    (seen.spawned, seen.completed)
}

/// Each worker thread as the recorder saw it: its parks, unparks and polls.
fn lanes_seen(events: &[Event]) -> Vec<LaneSeen> {
    let mut lanes: BTreeMap<u32, LaneSeen> = BTreeMap::new();
    let mut busy_ns: BTreeMap<u32, u64> = BTreeMap::new();
    fn lane(lanes: &mut BTreeMap<u32, LaneSeen>, id: u32) -> &mut LaneSeen {
        lanes.entry(id).or_insert_with(|| LaneSeen {
            lane: id,
            name: String::new(),
            parks: 0,
            unparks: 0,
            polls: 0,
            poll_us: 0,
        })
    }
    let mut workers = BTreeSet::new();
    for event in events {
        match &event.kind {
            EventKind::Lane {
                lane: id,
                name,
                lane_kind,
            } => {
                if *lane_kind == LaneKind::Worker {
                    workers.insert(id.0);
                }
                lane(&mut lanes, id.0).name = name.to_string();
            }
            EventKind::Park { lane: id } => lane(&mut lanes, id.0).parks += 1,
            EventKind::Unpark { lane: id } => lane(&mut lanes, id.0).unparks += 1,
            EventKind::Poll(poll) => {
                if let Some(id) = poll.lane {
                    lane(&mut lanes, id.0).polls += 1;
                    *busy_ns.entry(id.0).or_default() += poll.busy_ns;
                }
            }
            _ => {}
        }
    }
    lanes
        .into_values()
        .filter(|l| workers.contains(&l.lane))
        .map(|mut l| {
            l.poll_us = busy_ns.get(&l.lane).copied().unwrap_or(0) / 1000;
            l
        })
        .collect()
}
