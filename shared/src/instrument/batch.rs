//! Event batches, as the aggregator sends them, in two encodings.
//!
//! - **Binary** (the default): one WebSocket binary frame = the byte [`BINARY_TAG`]
//!   followed by a postcard-encoded [`EventBatch`] in which each event's time is the
//!   difference from the previous event's (so most times take one or two bytes), and each
//!   name is a [`WireName`]: spelled out the first time the batch uses it, referred back
//!   to after. An echo server's every poll names the await point it waits on ("read
//!   request"): spelling it out each time was a third of a poll's bytes.
//! - **JSON**: a text frame `{"type":"events", ...}` carrying the same fields, for
//!   debugging and third-party clients (see [`crate::ServerMessage::Events`]).

use serde::{Deserialize, Serialize};

use super::event::{Event, EventKind, Name};
use super::record::{NameSource, Packed};
use super::wire::Writer;

/// First byte of a binary event-batch frame (format version 2: names as [`WireName`]s;
/// version 1, `0xB1`, spelled every name out).
pub const BINARY_TAG: u8 = 0xB2;

/// How many bytes of names a binary frame may decode to, per byte of the frame (plus a
/// megabyte): far more than any batch the server sends, far less than what references to
/// one long name could make a reader allocate.
const NAME_BYTES_PER_FRAME_BYTE: usize = 16;

/// A name in a binary batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum WireName {
    /// The name itself: the first time the batch uses it (or any time, for a name built
    /// at run time).
    Spelled(String),
    /// The same name as the n-th `Spelled` one of this batch (from 0, in event order).
    Again(u32),
}

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
struct WireRef {
    run_id: u64,
    part: u32,
    seq: u64,
    dropped_total: u64,
    events: Vec<WireEventRef>,
}

#[derive(Serialize)]
struct WireEventRef {
    dt_ns: i64,
    kind: EventKind<WireName>,
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
    kind: EventKind<WireName>,
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
    #[error("a name refers back to name {0}, but the batch spelled out only {1}")]
    UnknownName(u32, usize),
    #[error("the batch's names would decode to more than {0} bytes")]
    NamesTooLarge(usize),
}

impl EventBatch {
    /// The binary frame of this batch. It goes through the recorder's packed record, so it
    /// keeps exactly what a recorder can produce: a poll's `waker_clones` saturates at
    /// 65,535, and the packed record's "none" values read back as none (task 0 as a
    /// parent; lane or span `u32::MAX`, which no counter reaches). A decoded frame from
    /// elsewhere may say them; re-encoded, it says what a recorder would.
    pub fn encode_binary(&self) -> Vec<u8> {
        let mut builder = BinaryBatchBuilder::default();
        builder.push_all(&self.events);
        builder.finish(self.run_id, self.part, self.seq, self.dropped_total)
    }

    /// The same bytes through serde and postcard, for events whose names are all built at
    /// run time (as [`BinaryBatchBuilder::push`] takes them: each spelled out): the
    /// reference the hand-written encoder is tested against.
    #[doc(hidden)]
    pub fn encode_binary_with_serde(&self) -> Vec<u8> {
        let mut previous = 0u64;
        let events = self
            .events
            .iter()
            .map(|e| {
                let dt_ns = e.t_ns.wrapping_sub(previous) as i64;
                previous = e.t_ns;
                let kind = e.kind.clone().try_map_names(|name| {
                    Ok::<_, std::convert::Infallible>(WireName::Spelled(name.into_owned()))
                });
                WireEventRef {
                    dt_ns,
                    kind: kind.unwrap_or_else(|never| match never {}),
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
        let mut spelled: Vec<Name> = Vec::new();
        // A reference of three bytes copies a whole name: bound what a frame can make its
        // reader allocate (an echo batch's names come to about the frame's own size).
        let budget = NAME_BYTES_PER_FRAME_BYTE * bytes.len() + (1 << 20);
        let mut decoded = 0usize;
        let mut resolve = |name| {
            let name = match name {
                WireName::Spelled(name) => {
                    let name = Name::from(name);
                    spelled.push(name.clone());
                    name
                }
                WireName::Again(i) => spelled
                    .get(i as usize)
                    .cloned()
                    .ok_or(DecodeError::UnknownName(i, spelled.len()))?,
            };
            decoded += name.len();
            if decoded > budget {
                return Err(DecodeError::NamesTooLarge(budget));
            }
            Ok(name)
        };
        let events = wire
            .events
            .into_iter()
            .map(|e| {
                t_ns = t_ns.wrapping_add(e.dt_ns as u64);
                Ok(Event {
                    t_ns,
                    kind: e.kind.try_map_names(&mut resolve)?,
                })
            })
            .collect::<Result<_, DecodeError>>()?;
        Ok(Self {
            run_id: wire.run_id,
            part: wire.part,
            seq: wire.seq,
            dropped_total: wire.dropped_total,
            events,
        })
    }
}
