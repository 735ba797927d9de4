//! Outline section 9 over a real WebSocket: a workload's RuntimeMetrics sampled beside
//! the recording, and its own tracing lines. What is asserted follows from the
//! workload's parameters and from the recorded events, not from this machine's speed.

mod common;

use common::{TestServer, collect, events_by_part, run};
use pollscope_shared::ServerMessage;
use pollscope_shared::instrument::EventKind;
use pollscope_shared::results::{LogLevel, ScenarioResult};
use pollscope_shared::testkit::{Coverage, check_recording};

const WORKERS: u32 = 2;
const TASKS: u32 = 4;
const ROUNDS: u32 = 5;
const PAUSE_MS: u32 = 4;
const WORK_US: u32 = 300;
const SAMPLE_MS: u32 = 2;

#[tokio::test]
async fn the_metrics_and_the_recording_count_the_same_run() {
    let server = TestServer::start().await;
    let (mut client, _) = server
        .start_run(&run(
            "runtime_metrics",
            &[
                ("workers", WORKERS.into()),
                ("tasks", TASKS.into()),
                ("rounds", ROUNDS.into()),
                ("pause_ms", PAUSE_MS.into()),
                ("work_us", WORK_US.into()),
                ("sample_ms", SAMPLE_MS.into()),
            ],
        ))
        .await;
    let (batches, last) = collect(&mut client).await;
    let ServerMessage::Result {
        result: ScenarioResult::RuntimeMetrics(result),
        ..
    } = last
    else {
        panic!("expected the result, got {last:?}");
    };
    if std::env::var_os("SHOW_RESULT").is_some() {
        eprintln!("RESULT {}", serde_json::to_string(&result).unwrap());
    }
    let parts = events_by_part(batches);
    let events = &parts[&0];
    check_recording(events, Coverage::WholeRun);
    assert_eq!(result.events_dropped, 0);
    assert!(result.events_complete);

    // The runtime had the workers asked for, and the recorder saw each of them.
    assert_eq!(result.final_num_workers, WORKERS);
    assert_eq!(result.final_workers.len(), WORKERS as usize);
    assert_eq!(result.lanes.len(), WORKERS as usize, "{:?}", result.lanes);
    // Every task (the tasks and main) was spawned and finished; after the shutdown
    // the runtime counts none alive.
    assert_eq!(result.recorded_spawned, TASKS + 1);
    assert_eq!(result.recorded_completed, TASKS + 1);
    assert_eq!(result.final_alive_tasks, 0);

    // Samples: at least the first (taken as soon as the workload started), never more
    // tasks alive than exist, and counters that only grow.
    assert!(!result.samples.is_empty());
    for s in &result.samples {
        assert!(s.alive_tasks <= TASKS + 1, "{s:?}");
        assert!(s.recorded_alive <= TASKS + 1, "{s:?}");
    }
    for pair in result.samples.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        assert!(a.t_us <= b.t_us && a.parks <= b.parks && a.busy_us <= b.busy_us);
        assert!(a.recorded_parks <= b.recorded_parks);
    }
    // The final counters are at least what any sample saw (a sample sums the workers'
    // durations before rounding to microseconds, the final figures each worker's after:
    // up to a microsecond per worker apart).
    let last_sample = result.samples.last().unwrap();
    assert!(result.metric_parks() >= last_sample.parks);
    assert!(result.metric_busy_us() + u64::from(WORKERS) >= last_sample.busy_us);

    // Parks: the recorder's from on_thread_park, per worker lane; the workers parked
    // (each sleeps R times, so its worker has nothing to do R times at least once).
    let park_events = events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Park { .. }))
        .count() as u64;
    assert_eq!(result.recorded_parks(), park_events);
    assert!(result.recorded_parks() >= 1);
    assert!(result.metric_parks() >= 1);
    // Every round's burst is inside a poll, so the polls on the workers lasted at least
    // all the CPU asked for; and the metrics' busy time covers every poll it contains.
    let cpu_us = u64::from(TASKS * ROUNDS * WORK_US);
    assert!(
        result.recorded_poll_us() >= cpu_us,
        "{}",
        result.recorded_poll_us()
    );
    assert!(
        result.metric_busy_us() >= cpu_us,
        "{}",
        result.metric_busy_us()
    );

    // The run's own log lines: each task's start and finish and every round.
    let lines = |level: LogLevel, text: &str| {
        result
            .logs
            .iter()
            .filter(|l| l.level == level && l.message.starts_with(text))
            .count() as u32
    };
    assert_eq!(lines(LogLevel::Info, "started"), TASKS);
    assert_eq!(lines(LogLevel::Info, "finished"), TASKS);
    assert_eq!(lines(LogLevel::Debug, "round done"), TASKS * ROUNDS);
    assert_eq!(result.logs_dropped, 0);
    let warned = lines(LogLevel::Warn, "woke late");
    assert_eq!(result.logs.len() as u32, TASKS * (ROUNDS + 2) + warned);
    drop(client);
    server.until_idle().await;
}
