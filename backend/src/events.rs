//! The per-run event aggregator: the one reader of a run's [`Recorder`].
//!
//! Every 2 ms it drains the recorder, counts the events into [`RunTotals`] (and, for
//! scenarios that need them, per-task [`RunStats`]) and encodes them; every 16 ms (about 60
//! messages a second at most) it sends what it encoded to the session as one batch, binary
//! or JSON as the client asked. Draining often keeps each recording thread's buffer small
//! enough to stay in its cache: with 16 ms between drains, the echo benchmark lost two
//! more points of throughput to cache misses on the recording threads' stores.
//!
//! It runs on a thread of its own at a lowered priority (see [`yield_to_the_watched_code`]),
//! not as a task: on a machine with as many busy threads as cores, a thread of ordinary
//! priority that wakes up takes a core from a worker of the run, and every task queued on
//! that worker waits for it. In the echo benchmark a thread that only spun 30 µs every
//! 2 ms cost the run 1.5 to 2 points of throughput, and as much for 15 µs: it is the
//! wakeups that cost, not the work. The buffers absorb a late drain: they hold far more
//! than a drain's worth, and what does not fit is dropped and counted, never waited for.
//!
//! It may wait for the session's queue; the code being measured never does, because it
//! only ever touches the recorder.

use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::{Duration, Instant};

use pollscope_shared::ServerMessage;
use pollscope_shared::instrument::batch::BinaryBatchBuilder;
use pollscope_shared::instrument::stats::{RunStats, RunTotals};
use pollscope_shared::instrument::{Event, Recorder};
use pollscope_shared::protocol::EventEncoding;
use tokio::sync::{mpsc, oneshot};

use crate::run::{Outbound, RunContext};

/// How often the aggregator drains the recorder.
pub const DRAIN_INTERVAL: Duration = Duration::from_millis(2);
/// How often it sends what it drained, at most.
pub const FLUSH_INTERVAL: Duration = Duration::from_millis(16);
/// Events each recording thread of a run buffers between two drains; beyond that, events
/// are dropped and counted. At one drain per 2 ms this allows about 30 million events a
/// second per thread, and leaves room for drains made late by the aggregator's lowered
/// priority (tens of milliseconds at the run's rate of events).
pub const RECORDER_CAPACITY: usize = 1 << 16;

/// What the aggregator keeps of the events it forwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// Run-wide counters only: a few nanoseconds per event.
    Totals,
    /// Also per-task statistics (scheduling delays, migrations), for scenarios whose
    /// result needs them and whose number of tasks is bounded.
    TaskStats,
}

/// What a finished aggregator hands back.
#[derive(Debug, Default)]
pub struct Folded {
    pub totals: RunTotals,
    /// Present with [`Keep::TaskStats`].
    pub stats: Option<RunStats>,
}

/// A running aggregator. [`EventStream::finish`] sends the last batch and returns what it
/// folded; dropping it (a cancelled run) stops it too, after the same last drain.
pub struct EventStream {
    stop: Sender<()>,
    folded: oneshot::Receiver<Folded>,
}

impl EventStream {
    /// Start forwarding `recorder`'s events as part `part` of the run, from a thread of
    /// its own (an error if the system has none to give).
    pub fn start(
        recorder: Recorder,
        run: &RunContext,
        part: u32,
        keep: Keep,
    ) -> std::io::Result<Self> {
        let (stop, stopped) = channel();
        let (done, folded) = oneshot::channel();
        let stream = Stream {
            recorder,
            run_id: run.run_id,
            part,
            encoding: run.encoding,
            tx: run.outbound(),
            keep,
        };
        std::thread::Builder::new()
            .name("pollscope-aggregator".to_owned())
            .spawn(move || {
                yield_to_the_watched_code();
                // The recorder handle goes with `stream`, before the result is handed over:
                // whoever awaits it finds the run's handles released.
                let result = stream.aggregate(&stopped);
                let _ = done.send(result);
            })?;
        Ok(Self { stop, folded })
    }

    /// Stop after one last drain, so every event recorded so far is sent.
    pub async fn finish(self) -> Folded {
        let _ = self.stop.send(());
        self.folded.await.unwrap_or_default()
    }
}

/// Lower the calling thread's priority so that it yields to the run's threads: nice 10,
/// a tenth of an ordinary thread's weight. A thread this light rarely preempts a worker
/// when it wakes up, yet keeps a tenth of a busy core when it must compete, so it cannot
/// starve (and a run's last drain is not held up for long).
///
/// Measured on the echo benchmark (two workers on two cores, 60 interleaved rounds): 0.954
/// and 0.956 of plain throughput against 0.949 and 0.947 at ordinary priority, for the same
/// work. Lighter still gained no more within the noise: nice 19 read 0.959, the idle policy
/// 0.952 and 0.953; and the batch policy at nice 19 (no wakeup preemption at all) lost,
/// 0.940, its drains put off to the next scheduler tick. Nothing is changed where the
/// system refuses, or is not Linux.
pub fn yield_to_the_watched_code() {
    #[cfg(target_os = "linux")]
    // SAFETY: only changes the calling thread's nice value (on Linux, `PRIO_PROCESS` with
    // id 0 means the calling thread, not the whole process).
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 10);
    }
}

struct Stream {
    recorder: Recorder,
    run_id: u64,
    part: u32,
    encoding: EventEncoding,
    tx: mpsc::Sender<Outbound>,
    keep: Keep,
}

impl Stream {
    fn aggregate(self, stopped: &Receiver<()>) -> Folded {
        let mut folded = Folded {
            totals: RunTotals::default(),
            stats: (self.keep == Keep::TaskStats).then(RunStats::default),
        };
        let mut pending = Pending::new(self.encoding);
        let mut seq = 0;
        let mut last_sent = Instant::now();
        let mut session_gone = false;
        loop {
            // Stopped by `finish`, or by the stream being dropped.
            let last = !matches!(
                stopped.recv_timeout(DRAIN_INTERVAL),
                Err(RecvTimeoutError::Timeout)
            );
            match (&mut pending, folded.stats.as_mut()) {
                // The common case, straight from the recorder's records to bytes.
                (Pending::Binary(builder), None) => {
                    self.recorder.drain_to_batch(builder, &mut folded.totals);
                }
                (pending, mut stats) => self.recorder.drain_each(|event| {
                    folded.totals.apply(event);
                    if let Some(stats) = stats.as_mut() {
                        stats.apply(event);
                    }
                    pending.push(event);
                }),
            }
            let due = last_sent.elapsed() >= FLUSH_INTERVAL && !pending.is_empty();
            if due || last {
                last_sent = Instant::now();
                let frame = pending.frame(self.run_id, self.part, seq, self.recorder.dropped());
                seq += 1;
                // Keep draining even if the session is gone, so the counts stay complete.
                // (This thread is no runtime's, so it may block on the session's queue.)
                if !session_gone && self.tx.blocking_send(frame).is_err() {
                    session_gone = true;
                }
            }
            if last {
                return folded;
            }
        }
    }
}

/// What was drained since the last batch was sent, in the client's encoding.
enum Pending {
    /// Already encoded: the events themselves are not kept.
    Binary(BinaryBatchBuilder),
    Json(Vec<Event>),
}

impl Pending {
    fn new(encoding: EventEncoding) -> Self {
        match encoding {
            EventEncoding::Binary => Self::Binary(BinaryBatchBuilder::default()),
            EventEncoding::Json => Self::Json(Vec::new()),
        }
    }

    fn push(&mut self, event: &Event) {
        match self {
            Self::Binary(builder) => builder.push(event),
            Self::Json(pending) => pending.push(event.clone()),
        }
    }

    fn is_empty(&self) -> bool {
        match self {
            Self::Binary(builder) => builder.is_empty(),
            Self::Json(pending) => pending.is_empty(),
        }
    }

    /// The next batch's frame; starts over, empty.
    fn frame(&mut self, run_id: u64, part: u32, seq: u64, dropped_total: u64) -> Outbound {
        match self {
            Self::Binary(builder) => {
                Outbound::Binary(builder.finish(run_id, part, seq, dropped_total))
            }
            Self::Json(pending) => Outbound::Message(ServerMessage::Events {
                run_id,
                part,
                seq,
                dropped_total,
                events: std::mem::take(pending),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use pollscope_shared::instrument::{EventKind, LaneId, Recorder};
    use pollscope_shared::protocol::EventEncoding;
    use tokio::sync::mpsc;

    use super::{EventStream, Keep, yield_to_the_watched_code};
    use crate::run::{Outbound, RunContext};
    use crate::server::Gauges;

    fn run_context() -> (RunContext, mpsc::Receiver<Outbound>) {
        let (tx, rx) = mpsc::channel(64);
        let run = RunContext::new(7, EventEncoding::Binary, tx, Arc::new(Gauges::default()));
        (run, rx)
    }

    fn record(recorder: &Recorder, n: u32) {
        for i in 0..n {
            recorder.record(EventKind::Park { lane: LaneId(i) });
        }
    }

    #[tokio::test]
    async fn finish_sends_every_event_and_releases_the_recorder() {
        let recorder = Recorder::new(1024);
        let (run, mut rx) = run_context();
        let stream = EventStream::start(recorder.clone(), &run, 0, Keep::Totals).unwrap();
        record(&recorder, 100);
        tokio::time::sleep(Duration::from_millis(20)).await;
        record(&recorder, 50);
        let folded = stream.finish().await;

        assert_eq!(folded.totals.events, 150);
        let mut batches = 0;
        while let Ok(frame) = rx.try_recv() {
            assert!(matches!(frame, Outbound::Binary(_)));
            batches += 1;
        }
        assert!(batches >= 1, "the last drain is sent");
        // The aggregator's thread has dropped its handle by the time `finish` returns.
        assert_eq!(recorder.handles(), 1);
    }

    #[tokio::test]
    async fn a_dropped_stream_stops_its_thread() {
        let recorder = Recorder::new(1024);
        let (run, _rx) = run_context();
        let stream = EventStream::start(recorder.clone(), &run, 0, Keep::TaskStats).unwrap();
        record(&recorder, 10);
        drop(stream);
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while recorder.handles() > 1 {
            assert!(
                std::time::Instant::now() < deadline,
                "the aggregator's thread outlived its stream"
            );
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }

    /// The aggregator lowers its own thread only: lowering the process would slow down
    /// the code it watches too.
    #[cfg(target_os = "linux")]
    #[test]
    fn only_the_calling_thread_yields() {
        // SAFETY: `getpriority` reads the calling thread's nice value.
        let nice = || unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) };
        let before = nice();
        let lowered = std::thread::spawn(move || {
            yield_to_the_watched_code();
            nice()
        })
        .join()
        .unwrap();
        assert_eq!(lowered, before.max(10));
        assert_eq!(nice(), before);
    }
}
