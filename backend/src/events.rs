//! The per-run event aggregator: the one reader of a run's [`Recorder`].
//!
//! Every 16 ms (about 60 messages a second at most) it drains the recorder, counts them
//! into [`RunTotals`] (so the run's result can report totals; the per-task table is the
//! browser's to build) and sends them to the
//! session as one batch, binary or JSON as the client asked. It may wait for the session's
//! queue; the code being measured never does, because it only ever touches the recorder.

use std::time::Duration;

use pollscope_shared::ServerMessage;
use pollscope_shared::instrument::Recorder;
use pollscope_shared::instrument::batch::EventBatch;
use pollscope_shared::instrument::stats::RunTotals;
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

/// A running aggregator. [`EventStream::finish`] sends the last batch and returns the stats.
pub struct EventStream {
    stop: oneshot::Sender<()>,
    task: JoinHandle<RunTotals>,
}

impl EventStream {
    pub fn start(recorder: Recorder, run: &RunContext) -> Self {
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(aggregate(
            recorder,
            run.run_id,
            run.encoding,
            run.outbound(),
            stopped,
        ));
        Self { stop, task }
    }

    /// Stop after one last drain, so every event recorded so far is sent.
    pub async fn finish(self) -> RunTotals {
        let _ = self.stop.send(());
        self.task.await.unwrap_or_default()
    }
}

async fn aggregate(
    recorder: Recorder,
    run_id: u64,
    encoding: EventEncoding,
    tx: mpsc::Sender<Outbound>,
    mut stopped: oneshot::Receiver<()>,
) -> RunTotals {
    let mut stats = RunTotals::default();
    let mut seq = 0;
    let mut tick = tokio::time::interval(FLUSH_INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut session_gone = false;
    loop {
        let last = tokio::select! {
            _ = tick.tick() => false,
            _ = &mut stopped => true,
        };
        let events = recorder.drain();
        if events.is_empty() && !last {
            continue;
        }
        stats.apply_all(&events);
        let batch = EventBatch {
            run_id,
            seq,
            dropped_total: recorder.dropped(),
            events,
        };
        seq += 1;
        let frame = match encoding {
            EventEncoding::Binary => Outbound::Binary(batch.encode_binary()),
            EventEncoding::Json => Outbound::Message(ServerMessage::Events {
                run_id,
                seq: batch.seq,
                dropped_total: batch.dropped_total,
                events: batch.events,
            }),
        };
        // Keep draining even if the session is gone, so the stats stay complete.
        if !session_gone && tx.send(frame).await.is_err() {
            session_gone = true;
        }
        if last {
            return stats;
        }
    }
}
