//! Event batches, as the aggregator sends them, in two encodings.
//!
//! - **Binary** (the default): one WebSocket binary frame = the byte [`BINARY_TAG`]
//!   followed by a postcard-encoded [`EventBatch`] in which each event's time is the
//!   difference from the previous event's (so most times take one or two bytes).
//! - **JSON**: a text frame `{"type":"events", ...}` carrying the same fields, for
//!   debugging and third-party clients (see [`crate::ServerMessage::Events`]).

use serde::{Deserialize, Serialize};

use super::event::{Event, EventKind};
use super::record::{NameSource, Packed};
use super::wire::Writer;

/// First byte of a binary event-batch frame (format version 1).
pub const BINARY_TAG: u8 = 0xB1;

/// Events of one run, in time order, with the run's drop count so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventBatch {
    pub run_id: u64,
    /// Which part of the run: a scenario that compares setups (e.g. `current_thread` then
    /// `multi_thread`) records each on its own runtime, with its own recorder, lanes and
    /// clock. 0 for single-part scenarios.
    pub part: u32,
    /// 0, 1, 2, … per run and part: a gap means a batch was lost.
    pub seq: u64,
    /// Events the recorder dropped so far in this run because its buffer was full.
    pub dropped_total: u64,
    pub events: Vec<Event>,
}

/// Encodes a binary batch from events appended over several drains, without keeping the
/// events: the aggregator drains often (a small buffer per recording thread stays in
/// cache) but sends at most about 60 batches a second.
///
/// The bytes are exactly [`EventBatch::encode_binary`]'s for the same events.
#[derive(Default)]
pub struct BinaryBatchBuilder {
    /// The encoded events so far.
    body: Writer,
    events: u64,
    /// The last event's time: each event is written as the difference from it.
    previous_t_ns: u64,
}

impl BinaryBatchBuilder {
    /// Append events, in time order, after those already pushed.
    pub fn push_all(&mut self, events: &[Event]) {
        for event in events {
            self.push(event);
        }
    }

    /// Append one event, at or after those already pushed.
    #[inline]
    pub fn push(&mut self, event: &Event) {
        self.body.event(
            event.t_ns.wrapping_sub(self.previous_t_ns) as i64,
            &event.kind,
        );
        self.previous_t_ns = event.t_ns;
        self.events += 1;
    }

    /// [`push`](Self::push) for a record straight from a recorder's buffer.
    #[inline]
    pub(crate) fn push_packed(&mut self, t_ns: u64, kind: Packed, names: &NameSource<'_>) {
        self.body
            .packed(t_ns.wrapping_sub(self.previous_t_ns) as i64, &kind, names);
        self.previous_t_ns = t_ns;
        self.events += 1;
    }

    /// Events pushed since the last [`finish`](Self::finish).
    pub fn len(&self) -> u64 {
        self.events
    }

    pub fn is_empty(&self) -> bool {
        self.events == 0
    }

    /// The frame of the events pushed so far; the builder starts over, empty (its memory
    /// kept).
    pub fn finish(&mut self, run_id: u64, part: u32, seq: u64, dropped_total: u64) -> Vec<u8> {
        // Field by field, the layout of `WireRef` as postcard writes it (see `wire`).
        let frame = self.body.frame(
            BINARY_TAG,
            [run_id, part.into(), seq, dropped_total, self.events],
        );
        self.events = 0;
        self.previous_t_ns = 0;
        frame
    }
}

#[derive(Serialize)]
struct WireRef<'a> {
    run_id: u64,
    part: u32,
    seq: u64,
    dropped_total: u64,
    events: Vec<WireEventRef<'a>>,
}

#[derive(Serialize)]
struct WireEventRef<'a> {
    dt_ns: i64,
    kind: &'a EventKind,
}

#[derive(Deserialize)]
struct Wire {
    run_id: u64,
    part: u32,
    seq: u64,
    dropped_total: u64,
    events: Vec<WireEvent>,
}

#[derive(Deserialize)]
struct WireEvent {
    dt_ns: i64,
    kind: EventKind,
}

/// Why a binary frame could not be decoded.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("not an event batch (first byte {0:#04x})")]
    UnknownTag(u8),
    #[error("empty frame")]
    Empty,
    #[error("corrupt event batch: {0}")]
    Corrupt(#[from] postcard::Error),
}

impl EventBatch {
    pub fn encode_binary(&self) -> Vec<u8> {
        let mut builder = BinaryBatchBuilder::default();
        builder.push_all(&self.events);
        builder.finish(self.run_id, self.part, self.seq, self.dropped_total)
    }

    /// The same bytes through serde and postcard: the reference the hand-written
    /// encoder is tested against.
    #[doc(hidden)]
    pub fn encode_binary_with_serde(&self) -> Vec<u8> {
        let mut previous = 0u64;
        let events = self
            .events
            .iter()
            .map(|e| {
                let dt_ns = e.t_ns.wrapping_sub(previous) as i64;
                previous = e.t_ns;
                WireEventRef {
                    dt_ns,
                    kind: &e.kind,
                }
            })
            .collect();
        let wire = WireRef {
            run_id: self.run_id,
            part: self.part,
            seq: self.seq,
            dropped_total: self.dropped_total,
            events,
        };
        let mut out = postcard::to_allocvec(&wire).expect("event batches always encode");
        out.insert(0, BINARY_TAG);
        out
    }

    pub fn decode_binary(bytes: &[u8]) -> Result<Self, DecodeError> {
        let (&tag, rest) = bytes.split_first().ok_or(DecodeError::Empty)?;
        if tag != BINARY_TAG {
            return Err(DecodeError::UnknownTag(tag));
        }
        let wire: Wire = postcard::from_bytes(rest)?;
        let mut t_ns = 0u64;
        let events = wire
            .events
            .into_iter()
            .map(|e| {
                t_ns = t_ns.wrapping_add(e.dt_ns as u64);
                Event { t_ns, kind: e.kind }
            })
            .collect();
        Ok(Self {
            run_id: wire.run_id,
            part: wire.part,
            seq: wire.seq,
            dropped_total: wire.dropped_total,
            events,
        })
    }
}
