//! What instrumentation costs, printed side by side in one run:
//! `cargo bench -p pollscope-backend --bench instrumentation [-- --soak-secs N]`.
//!
//! 1. Echo throughput, instrumented ÷ plain: the same workload code (generic over
//!    `Probe`) with a `Recorder` and with `NoProbe`, interleaved runs, medians.
//!    The instrumented runs also pay for an aggregator draining, folding and encoding the
//!    events every 16 ms, as the server does.
//! 2. Cost of one recorded event, on one thread and with two threads recording at once.
//! 3. Bytes per event, binary ÷ JSON, on a real echo recording; decode time of a
//!    100k-event batch in both encodings.
//! 4. Memory over a continuous instrumented run: RSS at the end ÷ RSS at 10 s.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use pollscope_backend::runtime::{self, RuntimeSpec};
use pollscope_backend::scenarios::echo::{EchoConfig, echo_workload};
use pollscope_shared::instrument::batch::EventBatch;
use pollscope_shared::instrument::stats::RunTotals;
use pollscope_shared::instrument::{Event, EventKind, LaneId, NoProbe, Probe, Recorder, TaskId};

const PAIRS: usize = 9;
const ECHO: EchoConfig = EchoConfig {
    clients: 8,
    messages: 1500,
    message_bytes: 64,
};

fn main() {
    let soak_secs: u64 = std::env::args()
        .skip_while(|a| a != "--soak-secs")
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    println!(
        "pollscope instrumentation benchmark (2 workers, {} clients x {} messages of {} bytes)\n",
        ECHO.clients, ECHO.messages, ECHO.message_bytes
    );

    throughput();
    per_event_cost();
    encoding();
    memory(soak_secs);
}

/// Round trips per second of one echo run, with its probe.
fn echo_once<P: Probe>(probe: P, recorder: Option<&Recorder>) -> f64 {
    let rt = runtime::build(RuntimeSpec { workers: 2 }, recorder).expect("runtime");
    let outcome = rt.block_on(async move {
        let main = probe.task("main", echo_workload(probe.clone(), ECHO));
        tokio::spawn(main).await.expect("join").expect("echo")
    });
    outcome.latencies_us.len() as f64 / outcome.elapsed.as_secs_f64()
}

/// Drains a recorder every 16 ms on its own thread, as the server's aggregator does:
/// count totals and encode a binary batch. Returns events seen when stopped.
struct Aggregator {
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<u64>,
}

impl Aggregator {
    fn start(recorder: Recorder) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let thread = std::thread::spawn({
            let stop = stop.clone();
            move || {
                let mut stats = RunTotals::default();
                let mut seq = 0;
                loop {
                    let last = stop.load(Ordering::Relaxed);
                    let events = recorder.drain();
                    stats.apply_all(&events);
                    let batch = EventBatch {
                        run_id: 1,
                        part: 0,
                        seq,
                        dropped_total: recorder.dropped(),
                        events,
                    };
                    std::hint::black_box(batch.encode_binary());
                    seq += 1;
                    if last {
                        return stats.events;
                    }
                    std::thread::sleep(Duration::from_millis(16));
                }
            }
        });
        Self { stop, thread }
    }

    fn finish(self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().expect("aggregator")
    }
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values[values.len() / 2]
}

fn throughput() {
    // Warm up both paths once (page faults, socket buffers).
    echo_once(NoProbe, None);
    let recorder = Recorder::new(1 << 16);
    let aggregator = Aggregator::start(recorder.clone());
    echo_once(recorder.clone(), Some(&recorder));
    aggregator.finish();

    let mut plain = Vec::new();
    let mut instrumented = Vec::new();
    let mut ratios = Vec::new();
    let mut events = 0;
    let mut dropped = 0;
    for i in 0..PAIRS {
        // Alternate which goes first, so drift on the machine hits both alike.
        let (p, r) = if i % 2 == 0 {
            let p = echo_once(NoProbe, None);
            (p, instrumented_run(&mut events, &mut dropped))
        } else {
            let r = instrumented_run(&mut events, &mut dropped);
            (echo_once(NoProbe, None), r)
        };
        plain.push(p);
        instrumented.push(r);
        ratios.push(r / p);
    }
    let (p, r) = (median(&mut plain), median(&mut instrumented));
    println!("1. echo throughput ({PAIRS} interleaved pairs, medians)");
    println!("   plain          {p:>10.0} round trips/s");
    println!(
        "   instrumented   {r:>10.0} round trips/s   ({} events/run, {} dropped in all)",
        events / PAIRS as u64,
        dropped
    );
    println!(
        "   ratio instrumented / plain: {:.3} (median of medians), {:.3} (median of pair ratios)   target >= 0.95\n",
        r / p,
        median(&mut ratios)
    );
}

fn instrumented_run(events: &mut u64, dropped: &mut u64) -> f64 {
    let recorder = Recorder::new(1 << 16);
    let aggregator = Aggregator::start(recorder.clone());
    let rate = echo_once(recorder.clone(), Some(&recorder));
    *events += aggregator.finish();
    *dropped += recorder.dropped();
    rate
}

/// Time `n` records on this thread. With `drain_every`, this thread also drains (and its
/// time includes that); without, the recorder must hold all `n` events.
fn record_many(recorder: &Recorder, n: u64, drain_every: Option<u64>) -> Duration {
    let kind = EventKind::PollStart {
        task: TaskId(1),
        lane: Some(LaneId(0)),
    };
    let started = Instant::now();
    for i in 0..n {
        recorder.record(kind.clone());
        if drain_every.is_some_and(|every| i % every == every - 1) {
            std::hint::black_box(recorder.drain());
        }
    }
    started.elapsed()
}

fn per_event_cost() {
    const N: u64 = 2_000_000;
    let recorder = Recorder::new(1 << 16);
    record_many(&recorder, N / 4, Some(50_000)); // warm up
    let one = record_many(&recorder, N, Some(50_000)).as_nanos() as f64 / N as f64;
    // Two threads at once, nobody draining: each thread's own buffer holds all its events.
    let shared = Recorder::new(N as usize);
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let r = shared.clone();
            std::thread::spawn(move || record_many(&r, N, None))
        })
        .collect();
    let two: f64 = threads
        .into_iter()
        .map(|t| t.join().unwrap().as_nanos() as f64 / N as f64)
        .fold(0.0, f64::max);
    let clock = {
        let started = Instant::now();
        for _ in 0..N {
            std::hint::black_box(recorder.now_ns());
        }
        started.elapsed().as_nanos() as f64 / N as f64
    };
    println!("2. cost per recorded event (clock read + bounded push)");
    println!(
        "   one thread     {one:>6.1} ns/event   (of which the clock read {clock:.1} ns; drains included)   target <= 50 ns"
    );
    println!(
        "   two threads    {two:>6.1} ns/event each, recording into one recorder at once (no drains)\n"
    );
}

fn echo_recording() -> Vec<Event> {
    let recorder = Recorder::new(1 << 20);
    echo_once(recorder.clone(), Some(&recorder));
    recorder.drain()
}

fn encoding() {
    let events = echo_recording();
    let batch = EventBatch {
        run_id: 1,
        part: 0,
        seq: 0,
        dropped_total: 0,
        events: events.clone(),
    };
    let binary = batch.encode_binary();
    let json = serde_json::to_string(&pollscope_shared::ServerMessage::Events {
        run_id: 1,
        part: 0,
        seq: 0,
        dropped_total: 0,
        events,
    })
    .unwrap();
    let n = batch.events.len() as f64;
    println!(
        "3. event encoding, on a real echo recording of {} events",
        batch.events.len()
    );
    println!(
        "   binary {:>6.2} bytes/event   json {:>6.2} bytes/event   ratio binary / json: {:.3}   target <= 0.2",
        binary.len() as f64 / n,
        json.len() as f64 / n,
        binary.len() as f64 / json.len() as f64
    );

    // A 100k-event batch, built from the recording repeated as needed.
    let mut big = Vec::with_capacity(100_000);
    while big.len() < 100_000 {
        for e in &batch.events {
            if big.len() == 100_000 {
                break;
            }
            big.push(e.clone());
        }
    }
    let big = EventBatch {
        run_id: 1,
        part: 0,
        seq: 0,
        dropped_total: 0,
        events: big,
    };
    let binary = big.encode_binary();
    let json = serde_json::to_string(&big).unwrap();
    let time = |f: &dyn Fn()| {
        let started = Instant::now();
        for _ in 0..5 {
            f();
        }
        started.elapsed().as_secs_f64() * 1000.0 / 5.0
    };
    let b = time(&|| {
        std::hint::black_box(EventBatch::decode_binary(&binary).unwrap());
    });
    let j = time(&|| {
        std::hint::black_box(serde_json::from_str::<EventBatch>(&json).unwrap());
    });
    println!(
        "   decode 100k events: binary {b:.1} ms, json {j:.1} ms   ratio binary / json: {:.3}\n",
        b / j
    );
}

fn rss_kib() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4
}

fn memory(secs: u64) {
    let recorder = Recorder::new(1 << 16);
    let aggregator = Aggregator::start(recorder.clone());
    let started = Instant::now();
    let mut at_10 = None;
    let mut runs = 0;
    while started.elapsed() < Duration::from_secs(secs) {
        echo_once(recorder.clone(), Some(&recorder));
        runs += 1;
        if at_10.is_none() && started.elapsed() >= Duration::from_secs(10.min(secs)) {
            at_10 = Some(rss_kib());
        }
    }
    let events = aggregator.finish();
    let at_end = rss_kib();
    let at_10 = at_10.unwrap_or(at_end);
    println!(
        "4. memory over {secs} s of continuous instrumented echo ({runs} runs, {events} events, {} dropped)",
        recorder.dropped()
    );
    println!(
        "   RSS at 10 s {} KiB, at {secs} s {} KiB   ratio: {:.3}   target <= 1.2",
        at_10,
        at_end,
        at_end as f64 / at_10 as f64
    );
}
