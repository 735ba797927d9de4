//! What a running scenario knows about its run: its id, its clock, its limits, its way
//! out to the session, and the scheduler figures its parts' threads added up to.
//!
//! A run talks to its session through a bounded queue of [`Outbound`] frames. Progress
//! events use `try_send`: a slow browser can make them drop (they are counted), but it can
//! never stall the code being measured. Recorded events take another road: the recorder
//! buffers them and one aggregator per part ([`super::events`]) sends them in batches.
//!
//! Uses `shared` and the session's queue ([`crate::outbound`]).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use pollscope_shared::ServerMessage;
use pollscope_shared::load::ThreadLoad;
use pollscope_shared::protocol::EventEncoding;
use pollscope_shared::results::ProgressEvent;

pub use crate::outbound::{Outbound, OutboundTx};

/// A run's identity, clock and outbound queue. Cheap to clone.
#[derive(Clone)]
pub struct RunContext {
    pub run_id: u64,
    pub encoding: EventEncoding,
    /// Events each recording thread of a part may buffer between two drains.
    pub recorder_capacity: usize,
    /// When the run got its slot and started (set once, on the first reading of the
    /// clock or by [`RunContext::start_clock`]); a queued run's wait is not its time.
    started: Arc<OnceLock<Instant>>,
    tx: OutboundTx,
    dropped: Arc<AtomicU64>,
    threads: Arc<Mutex<PartLoads>>,
}

/// The parts' thread figures so far.
#[derive(Debug, Default)]
enum PartLoads {
    /// No part has run (the run's work was not on a runtime of its own).
    #[default]
    None,
    Known(ThreadLoad),
    /// A part could not tell: a sum without it would understate.
    Unknown,
}

impl RunContext {
    pub fn new(
        run_id: u64,
        encoding: EventEncoding,
        recorder_capacity: usize,
        tx: OutboundTx,
    ) -> Self {
        Self {
            run_id,
            encoding,
            recorder_capacity,
            started: Arc::default(),
            tx,
            dropped: Arc::default(),
            threads: Arc::default(),
        }
    }

    /// A part ended: add what its threads went through (`None`: it could not tell).
    pub fn add_part_load(&self, part: Option<ThreadLoad>) {
        let mut loads = self.threads.lock().unwrap_or_else(PoisonError::into_inner);
        *loads = match (std::mem::take(&mut *loads), part) {
            (PartLoads::None, Some(p)) => PartLoads::Known(p),
            (PartLoads::Known(mut sum), Some(p)) => {
                sum.add(&p);
                PartLoads::Known(sum)
            }
            _ => PartLoads::Unknown,
        };
    }

    /// What the threads of every part so far went through, if each part could tell.
    pub fn thread_load(&self) -> Option<ThreadLoad> {
        match &*self.threads.lock().unwrap_or_else(PoisonError::into_inner) {
            PartLoads::Known(sum) => Some(sum.clone()),
            PartLoads::None | PartLoads::Unknown => None,
        }
    }

    /// The run starts now (it got its run slot): its clock counts from here.
    pub fn start_clock(&self) {
        self.started.get_or_init(Instant::now);
    }

    /// Microseconds since the run started, on the monotonic clock.
    pub fn elapsed_us(&self) -> u64 {
        duration_us(self.started.get_or_init(Instant::now).elapsed())
    }

    /// Queue a progress event for the browser, or count it as dropped if the queue is full.
    pub fn emit(&self, event: ProgressEvent) {
        let message = ServerMessage::Progress {
            run_id: self.run_id,
            event,
        };
        if self.tx.try_send(Outbound::Message(message)).is_err() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub fn phase(&self, name: impl Into<String>) {
        self.emit(ProgressEvent::Phase {
            at_us: self.elapsed_us(),
            name: name.into(),
        });
    }

    /// The session's queue, for the event aggregator (which may wait on it: it is not on
    /// the path of the code being measured).
    pub fn outbound(&self) -> OutboundTx {
        self.tx.clone()
    }

    pub fn dropped_progress(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

/// Whole microseconds, saturating (a run is bounded to minutes, so this never saturates).
pub fn duration_us(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}
