//! The diagnostics on real Tokio recordings streamed over a real WebSocket: a CPU job
//! polled on a worker is a long poll, and the jobs queued behind it wait for their first
//! poll, blamed on it; the same jobs on the blocking pool are no long poll;
//! and real sockets, timers and joins never look like a lost wake.

mod common;

use std::collections::BTreeMap;

use common::{TestServer, collect, events_by_part, run};
use pollscope_shared::diagnostics::{Finding, FindingKind, Report, Thresholds, diagnose};
use pollscope_shared::instrument::Event;

const JOB_MS: u64 = 30;
const MS: u64 = 1_000_000;

type Params = &'static [(&'static str, i64)];

async fn recorded(scenario: &str, params: &[(&str, i64)]) -> BTreeMap<u32, Vec<Event>> {
    let server = TestServer::start().await;
    let (mut client, _) = server.start_run(&run(scenario, params)).await;
    let (batches, _) = collect(&mut client).await;
    events_by_part(batches)
}

fn kinds(report: &Report, kind: FindingKind) -> Vec<&Finding> {
    report
        .diagnostics
        .iter()
        .map(|d| &d.finding)
        .filter(|f| f.kind() == kind)
        .collect()
}

#[tokio::test]
async fn a_job_on_the_runtime_is_a_long_poll_that_delays_the_probe_and_on_the_pool_it_is_not() {
    let parts = recorded(
        "spawn_blocking",
        &[
            ("jobs", 3),
            ("job_ms", JOB_MS as i64),
            ("workers", 2),
            ("ping_pause_ms", 2),
        ],
    )
    .await;
    let thresholds = Thresholds::default();
    let reports: Vec<Report> = parts
        .values()
        .map(|events| diagnose(events, thresholds))
        .collect();
    assert_eq!(reports.len(), 3);

    // Part 0, current_thread: each job's one poll burned JOB_MS of CPU on the only thread.
    let long: Vec<_> = kinds(&reports[0], FindingKind::LongPoll)
        .into_iter()
        .filter(|f| f.task().name.starts_with("job "))
        .collect();
    assert_eq!(long.len(), 3, "{:?}", reports[0].diagnostics);
    for finding in &long {
        assert!(finding.severity() >= JOB_MS * MS, "{}", finding.sentence());
    }
    // The jobs were spawned together, so each one after the first waited for its first
    // poll while an earlier job's poll held the thread, for at least a job's CPU time.
    let queued: Vec<_> = kinds(&reports[0], FindingKind::SlowFirstPoll)
        .into_iter()
        .filter_map(|f| match f {
            Finding::SlowFirstPoll {
                task,
                waited_ns,
                held_by,
            } if task.name.starts_with("job ") => Some((task.name.clone(), *waited_ns, held_by)),
            _ => None,
        })
        .collect();
    let names: Vec<_> = queued.iter().map(|(name, ..)| name.as_ref()).collect();
    assert_eq!(names, ["job 1", "job 2"], "{:?}", reports[0].diagnostics);
    for (name, waited_ns, held_by) in &queued {
        assert!(*waited_ns >= JOB_MS * MS, "{name} waited {waited_ns} ns");
        let first = held_by.first().expect("someone held the thread");
        assert!(first.task.name.starts_with("job "), "{name}: {held_by:?}");
        assert!(first.overlap_ns >= JOB_MS * MS, "{name}: {held_by:?}");
    }
    // (The probe's waits are not scheduling delays here: on `current_thread` the timer
    // and the reactor run on the same thread, so its wake itself came late, after the job.)

    // Part 2, the blocking pool: the jobs are blocking work, never an async long poll.
    assert!(
        kinds(&reports[2], FindingKind::LongPoll)
            .iter()
            .all(|f| !f.task().name.starts_with("job ")),
        "{:?}",
        reports[2].diagnostics
    );
    for report in &reports {
        assert_eq!(
            report.count(FindingKind::LostWake),
            0,
            "{:?}",
            report.diagnostics
        );
        assert_eq!(
            report.count(FindingKind::SelfWakes),
            0,
            "{:?}",
            report.diagnostics
        );
    }
}

#[tokio::test]
async fn sockets_timers_and_joins_never_look_like_a_lost_wake() {
    // Every way a task waits in these demos: accept, read, write, connect, a timer, a
    // JoinHandle, a JoinSet, a panicking task's join, a timeout that drops its inner
    // future, tasks moving between workers.
    let mut parts = recorded(
        "echo",
        &[
            ("workers", 2),
            ("clients", 8),
            ("messages", 50),
            ("message_bytes", 64),
        ],
    )
    .await;
    let others: [(u32, &str, Params); 2] = [
        (
            200,
            "runtime_flavors",
            &[
                ("workers", 2),
                ("tasks", 8),
                ("rounds", 6),
                ("burst_us", 200),
                ("sleep_ms", 2),
            ],
        ),
        (
            300,
            "errors",
            &[("nesting", 3), ("panic_task", 1), ("work_ms", 5)],
        ),
    ];
    for (offset, scenario, params) in others {
        let more = recorded(scenario, params).await;
        parts.extend(more.into_iter().map(|(p, e)| (p + offset, e)));
    }
    parts.extend(
        recorded(
            "timeouts",
            &[("limit_ms", 50), ("server_delay_ms", 200), ("attempts", 2)],
        )
        .await
        .into_iter()
        .map(|(p, e)| (p + 100, e)),
    );
    let strict = Thresholds {
        lost_wake_ns: 0,
        ..Thresholds::default()
    };
    for (part, events) in &parts {
        assert!(events.len() > 10, "part {part} recorded");
        let report = diagnose(events, strict);
        assert_eq!(
            report.count(FindingKind::LostWake),
            0,
            "part {part}: {:?}",
            kinds(&report, FindingKind::LostWake)
        );
    }
}
