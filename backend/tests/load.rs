//! A result says whether the machine was shared: how many other runs overlapped it, and
//! how long its threads waited for a CPU.

mod common;

use common::TestServer;
use pollscope_shared::ServerMessage;
use pollscope_shared::load::RunLoad;

/// The load a finished run's result carries.
async fn load_of(client: &mut common::Client) -> RunLoad {
    let (_, last) = common::collect(client).await;
    let ServerMessage::Result { load, .. } = last else {
        panic!("expected a result, got {last:?}");
    };
    load.expect("a result carries its load")
}

#[tokio::test]
async fn a_lone_run_overlaps_no_other() {
    let server = TestServer::start().await;
    let (mut client, _) = server.start_run(&common::seq_vs_concurrent(10, 10)).await;
    let load = load_of(&mut client).await;
    assert_eq!(load.other_runs, 0, "{load:?}");
    drop(client);
    server.until_idle().await;
}

#[tokio::test]
async fn two_runs_in_flight_at_once_each_count_the_other() {
    // Two run slots, so B runs beside A instead of waiting for it.
    let server = TestServer::with(|c| c.max_running = Some(2)).await;
    // A sleeps at least 2 × 1.5 s + 1.5 s; B starts as soon as A is announced.
    let (mut a, _) = server
        .start_run(&common::seq_vs_concurrent(1500, 1500))
        .await;
    let (mut b, _) = server.start_run(&common::seq_vs_concurrent(10, 10)).await;
    // Runs are counted from their announcement: two in flight now means A had not ended
    // when B started (the count only falls as runs end).
    let both_in_flight = server.state.gauges.overlaps.in_flight() == 2;
    let load_b = load_of(&mut b).await;
    let load_a = load_of(&mut a).await;
    assert!(both_in_flight, "A ended before B started");
    assert_eq!(load_b.other_runs, 1, "A was in flight when B started");
    assert_eq!(load_a.other_runs, 1, "B started while A ran");
    assert!(load_a.shared_machine() && load_b.shared_machine());
    // A run after both ended overlaps neither.
    let (mut c, _) = server.start_run(&common::seq_vs_concurrent(10, 10)).await;
    assert_eq!(load_of(&mut c).await.other_runs, 0);
    drop((a, b, c));
    server.until_idle().await;
}

#[tokio::test]
async fn an_instrumented_run_reports_its_threads_cpu_and_wait_within_their_lifetimes() {
    const WORKERS: i64 = 2;
    let server = TestServer::start().await;
    let run = common::run(
        "echo",
        &[
            ("workers", WORKERS),
            ("clients", 4),
            ("messages", 50),
            ("message_bytes", 64),
        ],
    );
    let (mut client, _) = server.start_run(&run).await;
    let load = load_of(&mut client).await;
    assert_eq!(load.other_runs, 0);
    let Some(threads) = load.threads.clone() else {
        // Only a server without per-thread scheduler statistics may say it cannot tell.
        assert!(
            std::fs::metadata("/proc/thread-self/schedstat").is_err(),
            "{load:?}"
        );
        return;
    };
    // The hosting thread and each worker, at least (blocking threads would add more).
    assert!(threads.threads > WORKERS as u32, "{threads:?}");
    assert!(threads.cpu_us > 0, "{threads:?}");
    // No thread ran or waited longer than the part it lived in (1 ms of rounding each).
    let lifetimes = threads.wall_us * u64::from(threads.threads);
    assert!(
        threads.cpu_us + threads.run_queue_wait_us
            <= lifetimes + 1_000 * u64::from(threads.threads),
        "{threads:?}"
    );
    // The sentence states these very figures.
    assert!(
        load.sentence().contains(&pollscope_shared::load::format_ms(
            threads.run_queue_wait_us
        )),
        "{}",
        load.sentence()
    );
    drop(client);
    server.until_idle().await;
}
