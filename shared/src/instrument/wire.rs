//! A hand-written encoder for binary event batches that produces exactly postcard's bytes.
//!
//! Encoding is on the aggregator's path for every event, and serde's generic route
//! through postcard cost about 30 ns an event; writing the same bytes directly costs a
//! few. The format stays postcard's — unsigned integers as LEB128 varints, signed ones
//! zigzag-encoded, enum variants as their index, `Option` as a 0/1 byte, strings as length
//! and bytes — so any postcard decoder reads it, and the browser decodes it with serde.
//! A test checks the bytes against `postcard::to_allocvec` for every event kind.

use super::event::{EventKind, LaneKind, PollOutcome, TaskKind, TaskOutcome, WakeSource};

pub(crate) struct Writer {
    pub(crate) out: Vec<u8>,
}

impl Writer {
    pub(crate) fn varint(&mut self, mut value: u64) {
        while value >= 0x80 {
            self.out.push((value as u8) | 0x80);
            value >>= 7;
        }
        self.out.push(value as u8);
    }

    pub(crate) fn zigzag(&mut self, value: i64) {
        self.varint(((value << 1) ^ (value >> 63)) as u64);
    }

    fn option(&mut self, value: Option<u32>) {
        match value {
            None => self.out.push(0),
            Some(v) => {
                self.out.push(1);
                self.varint(v.into());
            }
        }
    }

    fn str(&mut self, value: &str) {
        self.varint(value.len() as u64);
        self.out.extend_from_slice(value.as_bytes());
    }

    /// One event kind, as serde's derive would lay it out (variants in declaration order).
    pub(crate) fn kind(&mut self, kind: &EventKind) {
        match kind {
            EventKind::Lane {
                lane,
                name,
                lane_kind,
            } => {
                self.varint(0);
                self.varint(lane.0.into());
                self.str(name);
                self.varint(match lane_kind {
                    LaneKind::Worker => 0,
                    LaneKind::Blocking => 1,
                    LaneKind::Main => 2,
                });
            }
            EventKind::Park { lane } => {
                self.varint(1);
                self.varint(lane.0.into());
            }
            EventKind::Unpark { lane } => {
                self.varint(2);
                self.varint(lane.0.into());
            }
            EventKind::Spawn {
                task,
                name,
                parent,
                task_kind,
            } => {
                self.varint(3);
                self.varint(task.0.into());
                self.str(name);
                self.option(parent.map(|p| p.0));
                self.varint(match task_kind {
                    TaskKind::Async => 0,
                    TaskKind::Blocking => 1,
                });
            }
            EventKind::PollStart { task, lane } => {
                self.varint(4);
                self.varint(task.0.into());
                self.option(lane.map(|l| l.0));
            }
            EventKind::PollEnd {
                task,
                lane,
                outcome,
                waiting_on,
            } => {
                self.varint(5);
                self.varint(task.0.into());
                self.option(lane.map(|l| l.0));
                self.varint(match outcome {
                    PollOutcome::Pending => 0,
                    PollOutcome::Ready => 1,
                    PollOutcome::Panicked => 2,
                });
                self.option(waiting_on.map(|s| s.0));
            }
            EventKind::Wake { task, by, by_ref } => {
                self.varint(6);
                self.varint(task.0.into());
                match by {
                    WakeSource::Task(waker) => {
                        self.varint(0);
                        self.varint(waker.0.into());
                    }
                    WakeSource::Reactor => self.varint(1),
                    WakeSource::Timer => self.varint(2),
                    WakeSource::Driver => self.varint(3),
                    WakeSource::Thread => self.varint(4),
                }
                self.out.push(u8::from(*by_ref));
            }
            EventKind::WakerClone { task } => {
                self.varint(7);
                self.varint(task.0.into());
            }
            EventKind::WakerDrop { task } => {
                self.varint(8);
                self.varint(task.0.into());
            }
            EventKind::SpanEnter { task, span, name } => {
                self.varint(9);
                self.varint(task.0.into());
                self.varint(span.0.into());
                self.str(name);
            }
            EventKind::SpanExit { task, span } => {
                self.varint(10);
                self.varint(task.0.into());
                self.varint(span.0.into());
            }
            EventKind::Complete { task, outcome } => {
                self.varint(11);
                self.varint(task.0.into());
                self.varint(match outcome {
                    TaskOutcome::Ok => 0,
                    TaskOutcome::Error => 1,
                    TaskOutcome::Panicked => 2,
                    TaskOutcome::Cancelled => 3,
                });
            }
        }
    }
}
