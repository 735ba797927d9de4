//! A kept run: one file holding everything a page needs to show a finished run again,
//! offline — the scenario's descriptor (so its page can be drawn without a server), the
//! knob values, the result and what the server saw of the machine, and every recorded
//! event, as the binary batches of [`crate::instrument::batch`].
//!
//! Layout (all integers little-endian):
//!
//! ```text
//! magic "POLLSCOPE-RUN\0\0\0" (16 bytes) | format version: u32 | postcard(Body)
//! ```
//!
//! The body's descriptor, knobs, result and load are JSON text (their wire form, pinned
//! by the golden files); the events are binary batch frames, the same bytes the server
//! streams. The file is not compressed: no compression crate is in the wasm build, and the
//! batch encoding is already delta- and name-packed.
//!
//! Decoding never trusts the file: its size, the number of batches and of events are
//! bounded before anything large is allocated, and each way it can be wrong is its own
//! [`KeepError`]. Plain data and pure functions; uses only this crate, serde and postcard.

use serde::{Deserialize, Serialize};

use crate::instrument::batch::{DecodeError, EventBatch};
use crate::load::RunLoad;
use crate::results::ScenarioResult;
use crate::scenario::{ParamValues, ScenarioDescriptor};

/// The first bytes of every kept-run file.
pub const MAGIC: &[u8; 16] = b"POLLSCOPE-RUN\0\0\0";

/// The format version this build writes and the newest it reads.
pub const FORMAT_VERSION: u32 = 1;

/// The largest file read: 256 MiB.
pub const MAX_FILE_BYTES: usize = 256 << 20;

/// The most events a file may hold, over all parts (the page keeps at most 2,000,000 a
/// part, see the frontend's recordings).
pub const MAX_EVENTS: u64 = 8_000_000;

/// The most batches a file may hold.
pub const MAX_BATCHES: usize = 1 << 16;

/// Events per batch when a recording is written back into batches.
pub const EVENTS_PER_BATCH: usize = 50_000;

/// One finished run, as the page held it.
#[derive(Debug, Clone, PartialEq)]
pub struct KeptRun {
    /// The protocol version of the server that ran it.
    pub protocol_version: u32,
    pub descriptor: ScenarioDescriptor,
    pub run_id: u64,
    pub params: ParamValues,
    pub result: ScenarioResult,
    pub load: Option<RunLoad>,
    /// Every event batch, of every part, in the order they are applied.
    pub batches: Vec<EventBatch>,
}

/// Why a file is not a kept run this page can open.
#[derive(Debug, thiserror::Error)]
pub enum KeepError {
    #[error("the file is {0} bytes; files over {1} bytes are not opened")]
    TooLarge(usize, usize),
    #[error("not a pollscope run file (it does not start with the pollscope header)")]
    Foreign,
    #[error("the file ends early: it is truncated")]
    Truncated,
    #[error(
        "the file was written by a newer pollscope (format {0}; this page reads up to {FORMAT_VERSION})"
    )]
    TooNew(u32),
    #[error("format version 0 does not exist: the file is corrupt")]
    BadVersion,
    #[error("the file is corrupt: {0}")]
    Corrupt(String),
    #[error("the file holds {0} batches; at most {MAX_BATCHES} are opened")]
    TooManyBatches(usize),
    #[error("the file holds more than {0} events")]
    TooManyEvents(u64),
    #[error("event batch {index} is corrupt: {source}")]
    Batch {
        index: usize,
        #[source]
        source: DecodeError,
    },
    #[error("the file's result is for scenario {result}, its page for {descriptor}")]
    Mismatch { descriptor: String, result: String },
}

#[derive(Serialize, Deserialize)]
struct Body {
    protocol_version: u32,
    run_id: u64,
    descriptor: String,
    params: String,
    result: String,
    load: Option<String>,
    batches: Vec<Vec<u8>>,
}

impl KeptRun {
    /// The file's bytes.
    pub fn encode(&self) -> Vec<u8> {
        let body = Body {
            protocol_version: self.protocol_version,
            run_id: self.run_id,
            descriptor: json(&self.descriptor),
            params: json(&self.params),
            result: json(&self.result),
            load: self.load.as_ref().map(json),
            batches: self.batches.iter().map(EventBatch::encode_binary).collect(),
        };
        let mut out = Vec::with_capacity(64 + body.batches.iter().map(Vec::len).sum::<usize>());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend(postcard::to_allocvec(&body).expect("a kept run always encodes"));
        out
    }

    /// Read a file; every way it can be wrong is a [`KeepError`].
    pub fn decode(bytes: &[u8]) -> Result<Self, KeepError> {
        Self::decode_within(bytes, MAX_FILE_BYTES, MAX_EVENTS)
    }

    /// [`decode`](Self::decode) with other bounds (the tests' small ones).
    fn decode_within(bytes: &[u8], max_bytes: usize, max_events: u64) -> Result<Self, KeepError> {
        if bytes.len() > max_bytes {
            return Err(KeepError::TooLarge(bytes.len(), max_bytes));
        }
        let magic_len = MAGIC.len().min(bytes.len());
        if bytes[..magic_len] != MAGIC[..magic_len] {
            return Err(KeepError::Foreign);
        }
        let header = MAGIC.len() + 4;
        if bytes.len() < header {
            return Err(KeepError::Truncated);
        }
        let version = u32::from_le_bytes(bytes[MAGIC.len()..header].try_into().expect("4 bytes"));
        match version {
            0 => return Err(KeepError::BadVersion),
            v if v > FORMAT_VERSION => return Err(KeepError::TooNew(v)),
            _ => {}
        }
        // postcard allocates no more than the bytes it has: every length it reads is
        // checked against what is left of the file.
        let body: Body = postcard::from_bytes(&bytes[header..]).map_err(|e| match e {
            postcard::Error::DeserializeUnexpectedEnd => KeepError::Truncated,
            e => KeepError::Corrupt(e.to_string()),
        })?;
        if body.batches.len() > MAX_BATCHES {
            return Err(KeepError::TooManyBatches(body.batches.len()));
        }
        let corrupt = |what: &str, e: serde_json::Error| KeepError::Corrupt(format!("{what}: {e}"));
        let descriptor: ScenarioDescriptor =
            serde_json::from_str(&body.descriptor).map_err(|e| corrupt("descriptor", e))?;
        let params = serde_json::from_str(&body.params).map_err(|e| corrupt("knobs", e))?;
        // Written by `encode` with its tag first: read in one pass (see `tag_first`).
        let result: ScenarioResult =
            crate::tag_first::from_str(&body.result).map_err(|e| corrupt("result", e))?;
        let load = body
            .load
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(|e| corrupt("load", e))?;
        if result.scenario() != descriptor.id {
            return Err(KeepError::Mismatch {
                descriptor: descriptor.id,
                result: result.scenario().to_owned(),
            });
        }
        let mut events = 0u64;
        let mut batches = Vec::with_capacity(body.batches.len());
        for (index, frame) in body.batches.iter().enumerate() {
            let batch = EventBatch::decode_binary(frame)
                .map_err(|source| KeepError::Batch { index, source })?;
            events += batch.events.len() as u64;
            if events > max_events {
                return Err(KeepError::TooManyEvents(max_events));
            }
            batches.push(batch);
        }
        Ok(Self {
            protocol_version: body.protocol_version,
            descriptor,
            run_id: body.run_id,
            params,
            result,
            load,
            batches,
        })
    }

    /// The events the file holds, over all batches.
    pub fn events(&self) -> u64 {
        self.batches.iter().map(|b| b.events.len() as u64).sum()
    }
}

/// Batches of one part's events, [`EVENTS_PER_BATCH`] at a time, numbered from 0; the last
/// carries the part's drop count. At least one batch, so an empty part is kept too.
pub fn batches_of(
    run_id: u64,
    part: u32,
    dropped_total: u64,
    events: &[crate::instrument::Event],
) -> Vec<EventBatch> {
    let mut chunks: Vec<&[crate::instrument::Event]> = events.chunks(EVENTS_PER_BATCH).collect();
    if chunks.is_empty() {
        chunks.push(&[]);
    }
    chunks
        .into_iter()
        .enumerate()
        .map(|(seq, chunk)| EventBatch {
            run_id,
            part,
            seq: seq as u64,
            dropped_total,
            events: chunk.to_vec(),
        })
        .collect()
}

/// A value as its JSON wire form.
fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("wire types always serialize")
}

#[cfg(test)]
mod tests;
