//! A hand-written encoder for binary event batches that produces exactly postcard's bytes.
//!
//! Encoding is on the aggregator's path for every event, and serde's generic route
//! through postcard cost about 30 ns an event; writing the same bytes directly costs a
//! few. The format stays postcard's — unsigned integers as LEB128 varints, signed ones
//! zigzag-encoded, enum variants as their index, `Option` as a 0/1 byte, strings as length
//! and bytes, names as [`WireName`](super::batch::WireName)s — so any postcard decoder
//! reads it, and the browser decodes it with serde. A test checks the bytes against
//! `postcard::to_allocvec` for every event kind.

use super::event::{EventKind, LaneKind, PollOutcome, TaskKind, TaskOutcome, WakeSource};
use super::record::{NONE, NameId, NameSource, Packed};

#[derive(Default)]
pub(crate) struct Writer {
    pub(crate) out: Vec<u8>,
    /// The names this batch has spelled out so far, which later events refer back to.
    spelled: SpelledNames,
}

/// The most bytes an event writes between two strings (or a frame between two header
/// fields): a poll's time difference, up to its await point's name (50).
const MAX_FIXED: usize = 64;

/// Writes one event's bytes straight into the output's reserved spare capacity.
///
/// Two cheaper-looking routes were measured and are slower: pushing byte by byte onto the
/// `Vec` (a capacity check and a length update per byte, four times the instructions),
/// and building the event in a stack buffer then appending it whole (the append reads
/// bytes just written one at a time in 16-byte loads, which the CPU cannot forward from
/// its store buffer: that stall was a third of the aggregator's time).
///
/// Everything here is inlined, and the slow paths are free functions that take `out`, not
/// the scratch: so the scratch never has an address, its position lives in a register,
/// and each byte costs a store. (Through memory, every byte waited for the previous one's
/// position update: half the encoder's time.)
struct Scratch<'a> {
    out: &'a mut Vec<u8>,
    /// Where the bytes not yet committed start: `out`'s end, with `MAX_FIXED` bytes
    /// reserved after it.
    at: *mut u8,
    /// Bytes written after `at`, not yet part of `out`.
    len: usize,
}

impl<'a> Scratch<'a> {
    #[inline(always)]
    fn new(out: &'a mut Vec<u8>) -> Self {
        out.reserve(MAX_FIXED);
        let at = spare_start(out);
        Self { out, at, len: 0 }
    }

    #[inline(always)]
    fn byte(&mut self, byte: u8) {
        // A branch that is never taken keeps the write in bounds whatever the caller does.
        assert!(
            self.len < MAX_FIXED,
            "an event's fixed part exceeds MAX_FIXED"
        );
        // SAFETY: `at` is `out`'s end with `MAX_FIXED` bytes reserved after it (`new`,
        // `commit`), `len < MAX_FIXED`, and `out` is borrowed by `self`, so nothing else
        // moved or shrank its buffer since.
        unsafe { self.at.add(self.len).write(byte) };
        self.len += 1;
    }

    #[inline(always)]
    fn varint(&mut self, mut value: u64) {
        while value >= 0x80 {
            self.byte((value as u8) | 0x80);
            value >>= 7;
        }
        self.byte(value as u8);
    }

    #[inline(always)]
    fn option(&mut self, value: Option<u32>) {
        match value {
            None => self.byte(0),
            Some(v) => {
                self.byte(1);
                self.varint(v.into());
            }
        }
    }

    /// Make the bytes written part of `out`.
    #[inline(always)]
    fn commit(&mut self) {
        // SAFETY: the `len` bytes after `out`'s end were reserved and initialised by `byte`.
        self.at = unsafe { append(self.out, self.len, b"") };
        self.len = 0;
    }

    /// A string: its length, then its bytes.
    #[inline(always)]
    fn str(&mut self, value: &str) {
        self.varint(value.len() as u64);
        let bytes = value.as_bytes();
        // A short one (an await point's name, most task names) goes in the reserved room,
        // if it leaves enough for the fields that follow it (a few bytes).
        if bytes.len() + 16 <= MAX_FIXED - self.len {
            // SAFETY: within the `MAX_FIXED` bytes reserved after `at` (see `byte`), which
            // `bytes`, borrowed from elsewhere, cannot overlap.
            unsafe {
                std::ptr::copy_nonoverlapping(bytes.as_ptr(), self.at.add(self.len), bytes.len());
            }
            self.len += bytes.len();
            return;
        }
        // SAFETY: as in `commit`.
        self.at = unsafe { append(self.out, self.len, bytes) };
        self.len = 0;
    }
}

/// Make the `written` bytes after `out`'s end part of it, append `bytes`, and reserve
/// `MAX_FIXED` more: returns the new end.
///
/// # Safety
/// The `written` bytes after `out`'s end must be reserved and initialised.
#[inline(never)]
unsafe fn append(out: &mut Vec<u8>, written: usize, bytes: &[u8]) -> *mut u8 {
    // SAFETY: the caller's promise.
    unsafe { out.set_len(out.len() + written) };
    out.extend_from_slice(bytes);
    out.reserve(MAX_FIXED);
    spare_start(out)
}

/// Where `out`'s spare capacity starts, as a pointer allowed to write all of it.
///
/// Not `as_mut_ptr_range().end`: that pointer comes from a slice of the bytes already in
/// `out`, so it may not write past them (Miri reports the write as undefined behaviour).
#[inline(always)]
fn spare_start(out: &mut Vec<u8>) -> *mut u8 {
    out.spare_capacity_mut().as_mut_ptr().cast()
}

impl Scratch<'_> {
    /// A name, as a [`WireName`](super::batch::WireName): spelled out the first time the
    /// batch uses it, then referred back to by its place among the names spelled out.
    #[inline(always)]
    fn name(&mut self, id: NameId, names: &NameSource<'_>, spelled: &mut SpelledNames) {
        match spelled.earlier(id) {
            Some(index) => {
                self.varint(1);
                self.varint(index.into());
            }
            None => {
                self.varint(0);
                self.str(names.get(id));
                spelled.add(id);
            }
        }
    }
}

/// The names a batch has spelled out: how many, and where each name of the recorder's
/// table (a static name) is among them. A name built at run time is spelled out each time
/// (its id is only good for one buffer's drain); those are rare (task names built with
/// `format!`).
#[derive(Default)]
struct SpelledNames {
    count: u32,
    /// By static name id: its index among the spelled names, plus one (0: not yet).
    statics: Vec<u32>,
    /// The ids set in `statics`, to clear them for the next batch.
    set: Vec<u32>,
}

impl SpelledNames {
    #[inline(always)]
    fn earlier(&self, id: NameId) -> Option<u32> {
        let index = *self.statics.get(id.static_index()?)?;
        index.checked_sub(1)
    }

    #[inline]
    fn add(&mut self, id: NameId) {
        if let Some(i) = id.static_index() {
            if self.statics.len() <= i {
                self.statics.resize(i + 1, 0);
            }
            self.statics[i] = self.count + 1;
            self.set.push(i as u32);
        }
        self.count += 1;
    }

    fn clear(&mut self) {
        for &i in &self.set {
            self.statics[i as usize] = 0;
        }
        self.set.clear();
        self.count = 0;
    }
}

impl Drop for Scratch<'_> {
    fn drop(&mut self) {
        // SAFETY: as in `commit`.
        unsafe { self.out.set_len(self.out.len() + self.len) };
    }
}

impl Writer {
    /// A whole frame: `tag`, the batch's header fields as varints, then the events
    /// written so far (and the writer starts over, its memory kept).
    pub(crate) fn frame(&mut self, tag: u8, header: [u64; 5]) -> Vec<u8> {
        let mut frame = Vec::with_capacity(1 + 5 * 10 + self.out.len());
        frame.push(tag);
        {
            let mut s = Scratch::new(&mut frame);
            for field in header {
                s.varint(field);
                s.commit();
            }
        }
        frame.extend_from_slice(&self.out);
        self.out.clear();
        self.spelled.clear();
        frame
    }

    /// One event of a batch: its time difference from the previous one (zigzag varint),
    /// then its kind.
    pub(crate) fn event(&mut self, dt_ns: i64, kind: &EventKind) {
        let mut locals = Vec::new();
        let packed = Packed::pack_local(kind.clone(), &mut locals);
        let names = NameSource {
            statics: &[],
            locals: &mut locals,
        };
        self.packed(dt_ns, &packed, &names);
    }

    /// [`Writer::event`] for a record straight from a buffer, its names in `names`.
    #[inline]
    pub(crate) fn packed(&mut self, dt_ns: i64, kind: &Packed, names: &NameSource<'_>) {
        let mut s = Scratch::new(&mut self.out);
        s.varint(((dt_ns << 1) ^ (dt_ns >> 63)) as u64);
        Self::kind(&mut s, kind, names, &mut self.spelled);
    }

    /// One event kind, as serde's derive lays `EventKind` out (variants in declaration
    /// order, options as a 0/1 byte then the value).
    #[inline(always)]
    fn kind(
        s: &mut Scratch<'_>,
        kind: &Packed,
        names: &NameSource<'_>,
        spelled: &mut SpelledNames,
    ) {
        match *kind {
            Packed::Lane {
                lane,
                name,
                lane_kind,
            } => {
                s.varint(0);
                s.varint(lane.into());
                s.name(name, names, spelled);
                s.varint(match lane_kind {
                    LaneKind::Worker => 0,
                    LaneKind::Blocking => 1,
                    LaneKind::Main => 2,
                });
            }
            Packed::Park { lane } => {
                s.varint(1);
                s.varint(lane.into());
            }
            Packed::Unpark { lane } => {
                s.varint(2);
                s.varint(lane.into());
            }
            Packed::Spawn {
                task,
                name,
                parent,
                task_kind,
            } => {
                s.varint(3);
                s.varint(task.into());
                s.name(name, names, spelled);
                s.option((parent != 0).then_some(parent));
                s.varint(match task_kind {
                    TaskKind::Async => 0,
                    TaskKind::Blocking => 1,
                });
            }
            Packed::Poll {
                start: busy_ns,
                task,
                lane,
                outcome,
                resumed,
                waiting_on,
                waiting_name,
                waker_clones,
            } => {
                s.varint(4);
                s.varint(task.into());
                s.option(some(lane));
                s.varint(busy_ns);
                s.varint(match outcome {
                    PollOutcome::Pending => 0,
                    PollOutcome::Ready => 1,
                    PollOutcome::Panicked => 2,
                });
                s.option(some(resumed));
                match some(waiting_on) {
                    None => s.byte(0),
                    Some(span) => {
                        s.byte(1);
                        s.varint(span.into());
                        s.name(waiting_name, names, spelled);
                    }
                }
                s.varint(waker_clones.into());
            }
            Packed::Wake { task, by, by_ref } => {
                s.varint(5);
                s.varint(task.into());
                match by {
                    WakeSource::Task(waker) => {
                        s.varint(0);
                        s.varint(waker.0.into());
                    }
                    WakeSource::Reactor => s.varint(1),
                    WakeSource::Timer => s.varint(2),
                    WakeSource::Driver => s.varint(3),
                    WakeSource::Thread => s.varint(4),
                }
                s.byte(u8::from(by_ref));
            }
            Packed::WakerClone { task } => {
                s.varint(6);
                s.varint(task.into());
            }
            Packed::WakerDrop { task } => {
                s.varint(7);
                s.varint(task.into());
            }
            Packed::SpanEnter { task, span, name } => {
                s.varint(8);
                s.varint(task.into());
                s.varint(span.into());
                s.name(name, names, spelled);
            }
            Packed::SpanExit { task, span } => {
                s.varint(9);
                s.varint(task.into());
                s.varint(span.into());
            }
            Packed::Complete { task, outcome } => {
                s.varint(10);
                s.varint(task.into());
                s.varint(match outcome {
                    TaskOutcome::Ok => 0,
                    TaskOutcome::Error => 1,
                    TaskOutcome::Panicked => 2,
                    TaskOutcome::Cancelled => 3,
                });
            }
        }
    }
}

/// A packed optional field (`NONE` when absent).
fn some(value: u32) -> Option<u32> {
    (value != NONE).then_some(value)
}
