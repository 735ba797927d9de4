//! Outline section 5 over a real WebSocket: the same CPU jobs as tasks on one thread, as
//! tasks on W workers, and on the blocking pool. Every assertion follows from the run's
//! own parameters and recorded events, not from how fast this machine happens to be.

mod common;

use std::collections::BTreeMap;

use common::{TestServer, collect, events_by_part, run};
use pollscope_shared::ServerMessage;
use pollscope_shared::instrument::TaskKind;
use pollscope_shared::instrument::event::LaneKind;
use pollscope_shared::instrument::stats::RunStats;
use pollscope_shared::results::{JobMode, ScenarioResult};
use pollscope_shared::testkit::{Coverage, check_recording};

const JOBS: u32 = 3;
const JOB_MS: u64 = 30;
const WORKERS: u32 = 2;
const PING_MS: u64 = 2;

#[tokio::test]
async fn jobs_hold_their_threads_as_tasks_and_leave_the_workers_free_on_the_blocking_pool() {
    let server = TestServer::start().await;
    let (mut client, _) = server
        .start_run(&run(
            "spawn_blocking",
            &[
                ("jobs", JOBS.into()),
                ("job_ms", JOB_MS as i64),
                ("workers", WORKERS.into()),
                ("ping_pause_ms", PING_MS as i64),
            ],
        ))
        .await;
    let (batches, last) = collect(&mut client).await;
    let ServerMessage::Result {
        result: ScenarioResult::SpawnBlocking(result),
        ..
    } = last
    else {
        panic!("expected the result, got {last:?}");
    };
    let events = events_by_part(batches);
    let mut parts: BTreeMap<u32, RunStats> = BTreeMap::new();
    for (part, events) in &events {
        // Each part's runtime was shut down: every task's story is complete.
        check_recording(events, Coverage::WholeRun);
        parts.entry(*part).or_default().apply_all(events);
    }

    let modes: Vec<_> = result.modes.iter().map(|m| (m.mode, m.workers)).collect();
    assert_eq!(
        modes,
        [
            (JobMode::SpawnCurrentThread, 0),
            (JobMode::SpawnMultiThread, WORKERS),
            (JobMode::SpawnBlocking, WORKERS),
        ]
    );
    let job_us = JOB_MS * 1000;
    for (index, mode) in result.modes.iter().enumerate() {
        let stats = &parts[&(index as u32)];
        let jobs: Vec<_> = stats
            .tasks
            .values()
            .filter(|t| t.name.starts_with("job "))
            .collect();
        assert_eq!(
            jobs.len(),
            JOBS as usize,
            "{:?}: every job recorded",
            mode.mode
        );
        // Each job used its CPU time; the sum cannot fall short of what was asked.
        assert!(
            mode.jobs_cpu_us >= u64::from(JOBS) * job_us,
            "{:?}: {} µs of CPU for {JOBS} jobs of {JOB_MS} ms",
            mode.mode,
            mode.jobs_cpu_us
        );
        // A job is one burst: one poll that lasts at least its CPU time.
        for job in &jobs {
            assert_eq!(job.polls, 1, "{:?}: {} polled once", mode.mode, job.name);
            assert!(
                job.busy_ns >= job_us * 1000,
                "{:?}: {}",
                mode.mode,
                job.name
            );
        }
        assert!(mode.longest_job_poll_us >= job_us);
        assert!(mode.pings >= 1, "{:?}: the probe pinged", mode.mode);
        assert!(mode.ping_p50_us <= mode.ping_p99_us && mode.ping_p99_us <= mode.ping_max_us);
        common::assert_histogram_agrees(
            &mode.ping_histogram,
            mode.pings.into(),
            &[(50, mode.ping_p50_us), (99, mode.ping_p99_us)],
            mode.ping_max_us,
        );
        // Where each job ran.
        let lane_kind = |t: &&pollscope_shared::instrument::stats::TaskStats| {
            stats.lanes[&t.last_lane.expect("polled")].kind
        };
        match mode.mode {
            JobMode::SpawnCurrentThread | JobMode::SpawnMultiThread => {
                assert!(jobs.iter().all(|t| t.kind == TaskKind::Async));
                assert!(jobs.iter().all(|t| lane_kind(t) == LaneKind::Worker));
                assert_eq!(mode.blocking_lanes_used, 0);
            }
            JobMode::SpawnBlocking => {
                assert!(jobs.iter().all(|t| t.kind == TaskKind::Blocking));
                assert!(jobs.iter().all(|t| lane_kind(t) == LaneKind::Blocking));
                assert!((1..=JOBS).contains(&mode.blocking_lanes_used));
            }
        }
    }

    let [single, multi, blocking] = &result.modes[..] else {
        unreachable!("three modes")
    };
    // One thread did everything, so the jobs' CPU time fits in the wall time (1 ms of
    // slack for two different clocks), and the probe, spawned on the same thread, could
    // not ping while the first job's burst held it: the ping due during that burst came
    // back no sooner than the burst's end.
    assert_eq!(single.worker_lanes_used, 1);
    assert!(single.jobs_cpu_us <= single.wall_us + 1000, "{single:?}");
    assert!(single.ping_max_us >= job_us - PING_MS * 1000, "{single:?}");
    assert!(single.cores_busy() <= 1.05);
    // W workers run at most W jobs at once.
    for m in [multi, blocking] {
        assert!(m.worker_lanes_used <= WORKERS, "{m:?}");
    }
    assert!(
        multi.jobs_cpu_us <= u64::from(WORKERS) * multi.wall_us + 1000,
        "{multi:?}"
    );
    drop(client);
    server.until_idle().await;
}
