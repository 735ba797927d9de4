//! The per-run event aggregator: the one reader of a run's [`Recorder`].
//!
//! Every 16 ms (about 60 messages a second at most) it drains the recorder, counts the
//! events into [`RunTotals`] (and, for scenarios that need them, per-task [`RunStats`]),
//! and sends them to the session as one batch, binary or JSON as the client asked. It may
//! wait for the session's queue; the code being measured never does, because it only ever
//! touches the recorder.

use std::time::Duration;

use pollscope_shared::ServerMessage;
use pollscope_shared::instrument::Recorder;
use pollscope_shared::instrument::batch::EventBatch;
use pollscope_shared::instrument::stats::{RunStats, RunTotals};
use pollscope_shared::protocol::EventEncoding;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::run::{Outbound, RunContext};

/// How often the aggregator drains the recorder.
pub const FLUSH_INTERVAL: Duration = Duration::from_millis(16);
/// Events each recording thread of a run buffers between two drains; beyond that, events
/// are dropped and counted. At one drain per 16 ms this allows about 4 million events a
/// second per thread.
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
/// folded.
pub struct EventStream {
    stop: oneshot::Sender<()>,
    task: JoinHandle<Folded>,
}

impl EventStream {
    /// Start forwarding `recorder`'s events as part `part` of the run.
    pub fn start(recorder: Recorder, run: &RunContext, part: u32, keep: Keep) -> Self {
        let (stop, stopped) = oneshot::channel();
        let stream = Stream {
            recorder,
            run_id: run.run_id,
            part,
            encoding: run.encoding,
            tx: run.outbound(),
            keep,
        };
        let task = tokio::spawn(stream.aggregate(stopped));
        Self { stop, task }
    }

    /// Stop after one last drain, so every event recorded so far is sent.
    pub async fn finish(self) -> Folded {
        let _ = self.stop.send(());
        self.task.await.unwrap_or_default()
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
    async fn aggregate(self, mut stopped: oneshot::Receiver<()>) -> Folded {
        let mut folded = Folded {
            totals: RunTotals::default(),
            stats: (self.keep == Keep::TaskStats).then(RunStats::default),
        };
        let mut seq = 0;
        let mut tick = tokio::time::interval(FLUSH_INTERVAL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let mut session_gone = false;
        loop {
            let last = tokio::select! {
                _ = tick.tick() => false,
                _ = &mut stopped => true,
            };
            let events = self.recorder.drain();
            if events.is_empty() && !last {
                continue;
            }
            folded.totals.apply_all(&events);
            if let Some(stats) = folded.stats.as_mut() {
                stats.apply_all(&events);
            }
            let batch = EventBatch {
                run_id: self.run_id,
                part: self.part,
                seq,
                dropped_total: self.recorder.dropped(),
                events,
            };
            seq += 1;
            // Keep draining even if the session is gone, so the counts stay complete.
            if !session_gone && self.tx.send(self.frame(batch)).await.is_err() {
                session_gone = true;
            }
            if last {
                return folded;
            }
        }
    }

    fn frame(&self, batch: EventBatch) -> Outbound {
        match self.encoding {
            EventEncoding::Binary => Outbound::Binary(batch.encode_binary()),
            EventEncoding::Json => Outbound::Message(ServerMessage::Events {
                run_id: batch.run_id,
                part: batch.part,
                seq: batch.seq,
                dropped_total: batch.dropped_total,
                events: batch.events,
            }),
        }
    }
}
