//! Event batches, as the aggregator sends them, in two encodings.
//!
//! - **Binary** (the default): one WebSocket binary frame = the byte [`BINARY_TAG`]
//!   followed by a postcard-encoded [`EventBatch`] in which each event's time is the
//!   difference from the previous event's (so most times take one or two bytes).
//! - **JSON**: a text frame `{"type":"events", ...}` carrying the same fields, for
//!   debugging and third-party clients (see [`crate::ServerMessage::Events`]).

use serde::{Deserialize, Serialize};

use super::event::{Event, EventKind};
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
        // Field by field, the layout of `WireRef` as postcard writes it (see `wire`).
        let mut w = Writer {
            out: Vec::with_capacity(32 + 10 * self.events.len()),
        };
        w.out.push(BINARY_TAG);
        w.varint(self.run_id);
        w.varint(self.part.into());
        w.varint(self.seq);
        w.varint(self.dropped_total);
        w.varint(self.events.len() as u64);
        let mut previous = 0u64;
        for event in &self.events {
            w.zigzag(event.t_ns.wrapping_sub(previous) as i64);
            previous = event.t_ns;
            w.kind(&event.kind);
        }
        w.out
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
