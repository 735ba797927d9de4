//! The per-part event aggregator: the one reader of a part's [`Recorder`].
//!
//! Every 2 ms it drains the recorder, counts the events into [`RunTotals`] (and, for
//! scenarios that need them, per-task [`RunStats`] and a bounded copy of the events
//! themselves, see [`Keep`]) and encodes them; every 16 ms (about 60
//! messages a second at most) it sends what it encoded to the session as one batch, binary
//! or JSON as the client asked. Draining often keeps each recording thread's buffer small
//! enough to stay in its cache, which the recording threads' stores feel in the echo
//! benchmark (see `docs/benchmarks.md` for how the interval was chosen).
//!
//! It may wait for the session's queue; the code being measured never does, because it
//! only ever touches the recorder.

use std::time::Duration;

use pollscope_shared::ServerMessage;
use pollscope_shared::instrument::batch::BinaryBatchBuilder;
use pollscope_shared::instrument::stats::{RunStats, RunTotals};
use pollscope_shared::instrument::{Event, Recorder};
use pollscope_shared::protocol::EventEncoding;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::context::{Outbound, OutboundTx, RunContext};

/// How often the aggregator drains the recorder.
pub const DRAIN_INTERVAL: Duration = Duration::from_millis(2);
/// How often it sends what it drained, at most.
pub const FLUSH_INTERVAL: Duration = Duration::from_millis(16);

/// What the aggregator keeps of the events it forwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// Run-wide counters only: a few nanoseconds per event.
    Totals,
    /// Also per-task statistics (scheduling delays, migrations), for scenarios whose
    /// result needs them and whose number of tasks is bounded.
    TaskStats,
    /// Also the statistics and the first [`MAX_KEPT_EVENTS`] events themselves, for
    /// scenarios whose result reads the order of what happened (which await point a
    /// timeout dropped) and whose recordings are short.
    Events,
}

/// Most events [`Keep::Events`] keeps; the rest are still streamed, only not kept.
pub const MAX_KEPT_EVENTS: usize = 16_384;

/// What a finished aggregator hands back.
#[derive(Debug, Default)]
pub struct Folded {
    pub totals: RunTotals,
    /// Present with [`Keep::TaskStats`] and [`Keep::Events`].
    pub stats: Option<RunStats>,
    /// With [`Keep::Events`]: the first events, as drained (each thread's in order).
    pub events: Vec<Event>,
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
    tx: OutboundTx,
    keep: Keep,
}

impl Stream {
    async fn aggregate(self, mut stopped: oneshot::Receiver<()>) -> Folded {
        let mut folded = Folded {
            totals: RunTotals::default(),
            stats: (self.keep != Keep::Totals).then(RunStats::default),
            events: Vec::new(),
        };
        let keep_events = self.keep == Keep::Events;
        let mut pending = Pending::new(self.encoding);
        let mut seq = 0;
        let mut tick = tokio::time::interval(DRAIN_INTERVAL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let mut last_sent = tokio::time::Instant::now();
        let mut session_gone = false;
        loop {
            let last = tokio::select! {
                _ = tick.tick() => false,
                _ = &mut stopped => true,
            };
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
                    if keep_events && folded.events.len() < MAX_KEPT_EVENTS {
                        folded.events.push(event.clone());
                    }
                    pending.push(event);
                }),
            }
            let due = last_sent.elapsed() >= FLUSH_INTERVAL && !pending.is_empty();
            if due || last {
                last_sent = tokio::time::Instant::now();
                let frame = pending.frame(self.run_id, self.part, seq, self.recorder.dropped());
                seq += 1;
                // Keep draining even if the session is gone, so the counts stay complete.
                if !session_gone && self.tx.send(frame).await.is_err() {
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
