//! The recorder: one per run, bounded per-thread buffers of events, their drains, and the
//! run's lanes (which thread is which). It uses the clock, the spin lock, the compact
//! records and the poll stage (which it reads when it writes a poll's record); what it does
//! that depends on the task running on this thread is in `context`, one layer up.
//!
//! Recording reads the run's clock (`clock`) and pushes a 40-byte record (`record`)
//! onto *this thread's* buffer under its own lock (a spin lock, see `spin`), which only a
//! drain ever contends for: no `.await`, no allocation for static names. Per-thread
//! buffers keep two workers recording at once from bouncing one lock's cache line between
//! cores (`docs/benchmarks.md` has what a shared buffer cost).
//!
//! A poll is one record, written when it ends (`record_poll`): its start is a clock
//! reading the task wrapper keeps on its stack, and what its await points did rides along
//! (see [`PollStage`]).
//!
//! No buffer grows past its capacity: an event that does not fit is dropped and counted,
//! and the aggregator reports that count with every batch. A drain
//! ([`Recorder::drain_to_batch`], [`Recorder::drain_each`]) takes, from every buffer,
//! exactly the events stamped up to one cutoff instant, so consecutive drains never overlap
//! in time and their concatenation is in time order, although the threads record
//! independently; it merges the threads' buffers as it goes and hands each one back, its
//! memory kept, for the thread's next events.

use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::ThreadId;

use super::batch::BinaryBatchBuilder;
use super::clock::{Calibration, Clock};
use super::event::{
    Event, EventKind, LaneId, LaneKind, Name, PollOutcome, SpanId, TaskId, WakeSource,
};
use super::record::{NameSource, NameTable, Names, Packed, Record};
use super::spin::{SpinGuard, SpinLock};
use super::stage::PollStage;
use super::stats::RunTotals;

/// Distinguishes recorders, so a thread's lane from an earlier run is never reused.
static NEXT_RECORDER: AtomicU64 = AtomicU64::new(1);

thread_local! {
    /// Which lane this thread is, and for which recorder.
    static LANE: Cell<Option<(u64, LaneId)>> = const { Cell::new(None) };
    /// This thread's buffer in the recorder it last recorded for (the common case: a
    /// runtime thread records for one run only).
    static SHARD: RefCell<Option<ShardHandle>> = const { RefCell::new(None) };
    /// The same shard as a plain pointer, for the hot path: read without a borrow check.
    /// Set together with `SHARD`, reset when its handle is dropped, so it never dangles.
    static FAST_SHARD: Cell<(u64, *const Shard)> = const { Cell::new((0, std::ptr::null())) };
}

/// Records the events of one run. Cheap to clone; all clones share the same buffers.
#[derive(Clone)]
pub struct Recorder {
    shared: Arc<Shared>,
}

struct Shared {
    id: u64,
    clock: Clock,
    /// The clocks' last joint reading; held for a whole drain, so drains take turns.
    calibration: Mutex<Calibration>,
    /// The names the buffers' records refer to.
    names: Mutex<NameTable>,
    /// Events one thread's buffer holds between two drains.
    capacity: usize,
    /// Every thread's buffer, found by thread when a thread's cached one is for another run.
    shards: Mutex<Vec<(ThreadId, Arc<Shard>)>>,
    dropped: AtomicU64,
    next_task: AtomicU32,
    next_shard: AtomicU32,
    next_lane: AtomicU32,
}

/// Span ids carry the recording thread in their low bits, so each thread counts its own
/// (and the ids stay small: a varint of 2 to 4 bytes on the wire, not 5). A run has a
/// handful of threads (workers, blocking threads); ids stay unique up to `SPAN_THREADS`
/// threads and 2^26 spans per thread.
const SPAN_THREADS: u32 = 64;

/// One thread's events, in the order (and so the time order) it recorded them.
///
/// Aligned so that no other thread's data shares its cache lines: its thread writes its
/// lock and buffer on every event.
#[repr(align(128))]
struct Shard {
    buffer: SpinLock<Buffers>,
    /// An empty buffer with its memory kept, which the next drain swaps in for `live`: a
    /// fresh allocation every drain made the recording thread fault in new pages on its
    /// hot path. Only drains touch it (they take turns), outside `buffer`'s lock.
    spare: Mutex<Vec<Record>>,
    /// Span ids handed out on this thread: `count << 6 | index`. Only this thread
    /// increments it, so the atomic is never contended.
    index: u32,
    next_span: AtomicU32,
    /// Its thread exited (or moved on to another recorder): once drained, it can go.
    retired: AtomicBool,
}

impl Shard {
    /// The next span count of this thread. Only the shard's own thread calls this, so a
    /// load and a store do (an atomic add is a locked instruction, on every await that
    /// waits).
    fn take_span(&self) -> u32 {
        let next = self.next_span.load(Ordering::Relaxed);
        self.next_span
            .store(next.wrapping_add(1), Ordering::Relaxed);
        next
    }
}

/// The buffer a thread records into.
struct Buffers {
    live: Vec<Record>,
    /// The names built at run time that `live`'s records refer to.
    locals: Vec<Name>,
}

/// A thread's hold on its shard. Dropped when the thread exits or starts recording for
/// another recorder, which retires the shard so a drain can free it.
struct ShardHandle {
    recorder: u64,
    shard: Arc<Shard>,
}

impl Drop for ShardHandle {
    fn drop(&mut self) {
        FAST_SHARD.set((0, std::ptr::null()));
        self.shard.retired.store(true, Ordering::Release);
    }
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recorder")
            .field("id", &self.shared.id)
            .field("capacity", &self.shared.capacity)
            .field("dropped", &self.dropped())
            .finish()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Recorder {
    /// A recorder in which each recording thread's buffer holds at most `capacity` events
    /// between two drains. Its clock starts now: every `t_ns` is measured from this instant.
    pub fn new(capacity: usize) -> Self {
        Self {
            shared: Arc::new(Shared {
                id: NEXT_RECORDER.fetch_add(1, Ordering::Relaxed),
                clock: Clock::new(),
                calibration: Mutex::new(Calibration::default()),
                names: Mutex::new(NameTable::default()),
                capacity,
                shards: Mutex::new(Vec::new()),
                dropped: AtomicU64::new(0),
                next_task: AtomicU32::new(1),
                next_shard: AtomicU32::new(0),
                next_lane: AtomicU32::new(0),
            }),
        }
    }

    /// Tells this recorder apart from every other one in this process.
    #[inline(always)]
    pub(crate) fn id(&self) -> u64 {
        self.shared.id
    }

    /// A fresh task id (recording the task is the caller's job).
    pub(crate) fn next_task(&self) -> TaskId {
        TaskId(self.shared.next_task.fetch_add(1, Ordering::Relaxed))
    }

    /// Nanoseconds since this recorder was created, on the monotonic clock.
    pub fn now_ns(&self) -> u64 {
        self.shared.clock.now_ns()
    }

    /// This thread's buffer, created on the thread's first event for this recorder.
    fn shard(&self) -> Arc<Shard> {
        let id = self.shared.id;
        SHARD.with_borrow_mut(|cached| {
            if let Some(handle) = cached.as_ref()
                && handle.recorder == id
            {
                return handle.shard.clone();
            }
            let thread = std::thread::current().id();
            let shard = {
                let mut shards = lock(&self.shared.shards);
                match shards.iter().find(|(t, _)| *t == thread) {
                    Some((_, shard)) => shard.clone(),
                    None => {
                        let shard = Arc::new(Shard {
                            buffer: SpinLock::new(Buffers {
                                live: Vec::with_capacity(self.shared.capacity.min(1 << 12)),
                                locals: Vec::new(),
                            }),
                            spare: Mutex::new(Vec::new()),
                            index: self.shared.next_shard.fetch_add(1, Ordering::Relaxed)
                                % SPAN_THREADS,
                            next_span: AtomicU32::new(1),
                            retired: AtomicBool::new(false),
                        });
                        shards.push((thread, shard.clone()));
                        shard
                    }
                }
            };
            shard.retired.store(false, Ordering::Release);
            // Dropping the previous handle resets the fast pointer; set it after.
            *cached = Some(ShardHandle {
                recorder: id,
                shard: shard.clone(),
            });
            FAST_SHARD.set((id, Arc::as_ptr(&shard)));
            shard
        })
    }

    /// Record one event, or count it as dropped if this thread's buffer is full. Waits at
    /// most for the aggregator's swap of this one buffer.
    #[inline(always)]
    pub fn record(&self, kind: EventKind) {
        self.record_stamped(kind, Stamp::Now);
    }

    /// Record `kind` at the time of this thread's last event if that is at or after `since`
    /// (the start of the running poll) and still in its buffer; otherwise, or without
    /// `since`, now.
    #[inline]
    pub(crate) fn record_since(&self, kind: EventKind, since: Option<u64>) {
        let stamp = match since {
            Some(started) => Stamp::LastSince(started),
            None => Stamp::Now,
        };
        self.record_stamped(kind, stamp);
    }

    /// Record `kind`, or count it as dropped.
    ///
    /// Callers build `kind` just before, so which path it takes folds away: most events
    /// (a wake, a park) carry no name, and go into the buffer as they are.
    #[inline(always)]
    fn record_stamped(&self, kind: EventKind, stamp: Stamp) {
        match Packed::nameless(&kind) {
            Some(packed) => self.record_packed(packed, stamp),
            None => self.record_named(kind, stamp),
        }
    }

    /// Record an event that names nothing, or count it as dropped. One copy, called from
    /// everywhere (except a wake: see [`Recorder::record_wake`]).
    #[inline(never)]
    fn record_packed(&self, kind: Packed, stamp: Stamp) {
        self.push_packed(kind, stamp);
    }

    /// Record a wake: [`Recorder::record_packed`] inlined into the waker, the one caller
    /// on every round trip's path that is a function of its own anyway (a waker's vtable
    /// calls it).
    #[inline(always)]
    pub(crate) fn record_wake(&self, task: TaskId, by: WakeSource, by_ref: bool) {
        self.push_packed(
            Packed::Wake {
                task: task.0,
                by,
                by_ref,
            },
            Stamp::Now,
        );
    }

    #[inline(always)]
    fn push_packed(&self, kind: Packed, stamp: Stamp) {
        if let Some(mut buffers) = self.buffer_with_room(1) {
            let t = self.stamp(&buffers.live, stamp);
            buffers.live.push(Record { t, kind });
        }
    }

    /// Record an event that names something, interning the name, or count it as dropped.
    #[inline(never)]
    fn record_named(&self, kind: EventKind, stamp: Stamp) {
        if let Some(mut guard) = self.buffer_with_room(1) {
            let buffers = &mut *guard;
            let t = self.stamp(&buffers.live, stamp);
            let kind = Packed::pack(kind, &self.names(), &mut buffers.locals);
            buffers.live.push(Record { t, kind });
        }
    }

    /// This thread's buffer, locked, if it has room for one more record; if not, the
    /// `events` about to be recorded are counted as dropped.
    #[inline(always)]
    fn buffer_with_room(&self, events: u64) -> Option<SpinGuard<'_, Buffers>> {
        // SAFETY: see `fast_shard`; the guard lives in the caller's frame, on this thread.
        let buffers = unsafe { &*self.fast_shard() }.buffer.lock();
        if buffers.live.len() < self.shared.capacity {
            return Some(buffers);
        }
        drop(buffers);
        self.shared.dropped.fetch_add(events, Ordering::Relaxed);
        None
    }

    /// A raw clock reading, for the start of a poll: its record is written when it ends.
    #[inline]
    pub(crate) fn poll_started(&self) -> u64 {
        self.shared.clock.raw()
    }

    /// Record the end of a poll that started at `started` (a [`Recorder::poll_started`]
    /// reading): the poll itself, then the await points it left waiting that are not its
    /// `waiting_on` (see [`PollStage`]), at one instant, with one lock and one clock read.
    /// Those that do not fit are dropped and counted.
    #[inline(always)]
    pub(crate) fn record_poll(&self, started: u64, stage: &PollStage, end: PollEnd) {
        let Some(mut guard) = self.buffer_with_room(1 + stage.len as u64) else {
            return;
        };
        let buffers = &mut *guard;
        let t = self.stamp(&buffers.live, Stamp::Now);
        let names = self.names();
        let waiting_on = stage
            .pending
            .map(|(span, _, name)| (span, names.intern_static(name, &mut buffers.locals)));
        // Built here rather than packed from an `EventKind`: this is every poll's path.
        // The start is the raw clock, which the drain turns into the busy time.
        let poll = Packed::poll(
            started,
            stage.task,
            end.lane,
            end.outcome,
            stage.resumed,
            waiting_on,
            end.waker_clones,
        );
        buffers.live.push(Record { t, kind: poll });
        if stage.len > 0 {
            self.record_opened(buffers, t, stage);
        }
    }

    /// The rest of a poll's record: the await points it left waiting besides its
    /// `waiting_on`. Consumers close the span the poll resumed at first, so they follow it.
    #[inline(never)]
    fn record_opened(&self, buffers: &mut Buffers, t: u64, stage: &PollStage) {
        let names = self.names();
        let mut dropped = 0;
        let task = stage.task;
        for &(span, name) in stage.opened() {
            if buffers.live.len() < self.shared.capacity {
                let kind = EventKind::SpanEnter {
                    task,
                    span,
                    name: name.into(),
                };
                let kind = Packed::pack(kind, &names, &mut buffers.locals);
                buffers.live.push(Record { t, kind });
            } else {
                dropped += 1;
            }
        }
        if dropped > 0 {
            self.shared.dropped.fetch_add(dropped, Ordering::Relaxed);
        }
    }

    /// How this thread interns names for this recorder.
    #[inline]
    fn names(&self) -> Names<'_> {
        Names::Interned {
            recorder: self.shared.id,
            table: &self.shared.names,
        }
    }

    /// This thread's shard for this recorder, as a pointer that stays valid while this
    /// thread neither exits nor records for another recorder: it is taken from the `Arc`
    /// that this thread's `SHARD` handle holds, and reset before that handle is dropped.
    #[inline(always)]
    fn fast_shard(&self) -> *const Shard {
        let (recorder, shard) = FAST_SHARD.get();
        if recorder == self.shared.id && !shard.is_null() {
            shard
        } else {
            self.first_shard()
        }
    }

    /// [`Recorder::fast_shard`] on this thread's first event for this recorder.
    #[cold]
    #[inline(never)]
    fn first_shard(&self) -> *const Shard {
        let shard = self.shard();
        debug_assert_eq!(FAST_SHARD.get(), (self.shared.id, Arc::as_ptr(&shard)));
        Arc::as_ptr(&shard)
    }

    /// An event's time, taken under its buffer's lock: so a buffer is in time order, and
    /// an event stamped before a drain's cutoff is in its buffer before the drain locks it.
    #[inline]
    fn stamp(&self, buffer: &[Record], stamp: Stamp) -> u64 {
        match (stamp, buffer.last()) {
            // Still in the buffer, so no drain has passed it: reusing its time keeps every
            // drain's cutoff behind this event too.
            (Stamp::LastSince(floor), Some(last)) if last.t >= floor => last.t,
            _ => self.shared.clock.raw(),
        }
    }

    /// Take every event recorded up to now, from every thread, oldest first.
    pub fn drain(&self) -> Vec<Event> {
        let mut events = Vec::new();
        self.drain_into(&mut events);
        events
    }

    /// Append every event recorded up to now, from every thread, oldest first, to `out`
    /// (whose memory the caller can keep from one drain to the next).
    pub fn drain_into(&self, out: &mut Vec<Event>) {
        self.drain_each(|event| out.push(event.clone()));
    }

    /// Hand every event recorded up to now, from every thread, oldest first, to `each`.
    pub fn drain_each(&self, mut each: impl FnMut(&Event)) {
        self.drain_records(|t_ns, record, names| {
            each(&Event {
                t_ns,
                kind: record.unpack(names),
            });
        });
    }

    /// Drain as the aggregator does: count every event into `totals` and encode it into
    /// `batch`, straight from the buffers' records (no [`Event`] is built).
    pub fn drain_to_batch(&self, batch: &mut BinaryBatchBuilder, totals: &mut RunTotals) {
        self.drain_records(|t_ns, record, names| {
            totals.apply_packed(record);
            batch.push_packed(t_ns, record, names);
        });
    }

    /// Hand every record up to now, from every thread, oldest first, with its time in
    /// nanoseconds and where its names are, to `each`.
    ///
    /// Each thread's buffer is already in time order, so this merges them as it goes: no
    /// copy, no sort. Buffers taken whole go back to their threads as spares (their memory
    /// kept).
    fn drain_records(&self, mut each: impl FnMut(u64, Packed, &mut NameSource<'_>)) {
        let mut calibration = lock(&self.shared.calibration);
        let reading = self.shared.clock.sample(*calibration);
        let cutoff = reading.raw;
        self.shared.clock.settle(cutoff);
        let shards: Vec<Arc<Shard>> = lock(&self.shared.shards)
            .iter()
            .map(|(_, s)| s.clone())
            .collect();
        // Per thread: its records up to the cutoff, and the run-time names they refer to.
        let mut parts: Vec<(&Shard, Vec<Record>, Vec<Name>)> = Vec::with_capacity(shards.len());
        for shard in &shards {
            if let Some((records, locals)) = self.take_upto(shard, cutoff) {
                parts.push((shard, records, locals));
            }
        }
        let mut statics = Vec::with_capacity(16);
        loop {
            let names = lock(&self.shared.names).copy_into(&mut statics);
            if statics.len() == names {
                break;
            }
            statics.reserve(names);
        }

        let mut convert = self.shared.clock.converter(*calibration, reading);
        let mut next = vec![0usize; parts.len()];
        loop {
            // The oldest unread record; on a tie, the first thread's (each thread's own
            // order is kept).
            let mut oldest: Option<(usize, u64)> = None;
            for (i, (_, records, _)) in parts.iter().enumerate() {
                if let Some(record) = records.get(next[i])
                    && oldest.is_none_or(|(_, t)| record.t < t)
                {
                    oldest = Some((i, record.t));
                }
            }
            let Some((i, _)) = oldest else { break };
            let (_, records, locals) = &mut parts[i];
            let mut record = records[next[i]];
            next[i] += 1;
            let mut names = NameSource {
                statics: &statics,
                locals,
            };
            if let Packed::Poll { start, .. } = &mut record.kind {
                *start = convert.duration_ns(*start, record.t);
            }
            each(convert.ns(record.t), record.kind, &mut names);
        }
        *calibration = convert.finish();
        drop(calibration);

        // The emptied buffers become the spares (whatever they replace is freed here, with
        // no thread's lock held).
        for (shard, mut emptied, _) in parts {
            emptied.clear();
            drop(std::mem::replace(&mut *lock(&shard.spare), emptied));
        }
        // Forget the shards of threads that are gone, once nothing is left in them.
        lock(&self.shared.shards).retain(|(_, shard)| {
            !(shard.retired.load(Ordering::Acquire) && shard.buffer.lock().live.is_empty())
        });
    }

    /// Take from `shard` its records stamped up to `cutoff`, and the names they refer to.
    ///
    /// Nothing is allocated or freed while the thread's lock is held: the recording thread
    /// waits for it, in the middle of a poll. (When it was a `Mutex`, a thread that found
    /// it taken went to sleep, and on a busy machine the scheduler took milliseconds to
    /// wake it: tens of microseconds spent allocating under the lock here became 2 ms
    /// polls, a few times a second.)
    fn take_upto(&self, shard: &Shard, cutoff: u64) -> Option<(Vec<Record>, Vec<Name>)> {
        let mut spare = std::mem::take(&mut *lock(&shard.spare));
        loop {
            let mut buffers = shard.buffer.lock();
            // Events stamped after the cutoff stay for the next drain. Usually there are
            // none: the last record tells, without a search through cold memory.
            let upto = match buffers.live.last() {
                Some(last) if last.t > cutoff => buffers.live.partition_point(|r| r.t <= cutoff),
                _ => buffers.live.len(),
            };
            if upto == 0 {
                drop(buffers);
                *lock(&shard.spare) = spare;
                return None;
            }
            if spare.capacity() < upto {
                // Sized by what this thread recorded since the last drain; the records up to
                // the cutoff stay where they are meanwhile (later ones are stamped later).
                drop(buffers);
                spare.reserve_exact(upto.max(64).min(self.shared.capacity));
                continue;
            }
            if upto == buffers.live.len() {
                // The usual case: take the whole buffer and leave the spare in its place.
                let records = std::mem::replace(&mut buffers.live, spare);
                let locals = std::mem::take(&mut buffers.locals);
                return Some((records, locals));
            }
            // Rare (the last few microseconds' events stay): copied into the spare. The
            // remaining records may refer to the same run-time names, so those leave as
            // copies (rarer still: most names are static).
            spare.extend_from_slice(&buffers.live[..upto]);
            buffers.live.drain(..upto);
            let locals = buffers.locals.clone();
            return Some((spare, locals));
        }
    }

    /// Buffers currently held, one per recording thread still alive (or not yet drained).
    pub fn threads(&self) -> usize {
        lock(&self.shared.shards).len()
    }

    /// Events dropped so far because the buffer was full.
    pub fn dropped(&self) -> u64 {
        self.shared.dropped.load(Ordering::Relaxed)
    }

    pub fn capacity(&self) -> usize {
        self.shared.capacity
    }

    /// How many handles to this recorder exist (every task and every waker reference holds
    /// one, through its task's waker): for tests that prove nothing leaks.
    #[doc(hidden)]
    pub fn handles(&self) -> usize {
        Arc::strong_count(&self.shared)
    }

    // ----- lanes --------------------------------------------------------------------

    /// This thread's lane for this recorder, registering it (as `kind`) on first use.
    #[inline]
    pub fn lane(&self, kind: LaneKind) -> LaneId {
        if let Some((recorder, lane)) = LANE.get()
            && recorder == self.shared.id
        {
            return lane;
        }
        self.register_lane(kind)
    }

    #[cold]
    fn register_lane(&self, kind: LaneKind) -> LaneId {
        let lane = LaneId(self.shared.next_lane.fetch_add(1, Ordering::Relaxed));
        LANE.set(Some((self.shared.id, lane)));
        self.record(EventKind::Lane {
            lane,
            name: thread_name(lane).into(),
            lane_kind: kind,
        });
        lane
    }

    /// This thread's lane, if it has one for this recorder.
    pub fn current_lane(&self) -> Option<LaneId> {
        LANE.get()
            .and_then(|(recorder, lane)| (recorder == self.shared.id).then_some(lane))
    }

    /// Call from the runtime's "before park" hook (`on_thread_park`).
    pub fn on_park(&self) {
        let lane = self.lane(LaneKind::Worker);
        self.record(EventKind::Park { lane });
    }

    /// Call from the runtime's "after unpark" hook (`on_thread_unpark`).
    pub fn on_unpark(&self) {
        let lane = self.lane(LaneKind::Worker);
        self.record(EventKind::Unpark { lane });
    }

    // ----- spans ---------------------------------------------------------------------

    #[inline(always)]
    pub(crate) fn next_span(&self) -> SpanId {
        // SAFETY: see `fast_shard`.
        let shard = unsafe { &*self.fast_shard() };
        SpanId((shard.take_span() & 0x03FF_FFFF) << 6 | shard.index)
    }
}

/// The fields of a poll's end that the task wrapper knows (the rest is in the
/// [`PollStage`]).
pub(crate) struct PollEnd {
    pub(crate) lane: Option<LaneId>,
    pub(crate) outcome: PollOutcome,
    pub(crate) waker_clones: u32,
}

/// How [`Recorder::record_stamped`] times an event.
#[derive(Clone, Copy)]
enum Stamp {
    /// Read the clock.
    Now,
    /// The time of this thread's last event if it is at or after this time (the start of
    /// the running poll) and still in its buffer, else the clock.
    LastSince(u64),
}

#[cfg(not(target_arch = "wasm32"))]
fn thread_name(lane: LaneId) -> String {
    match std::thread::current().name() {
        Some(name) => name.to_owned(),
        None => format!("thread {}", lane.0),
    }
}

#[cfg(target_arch = "wasm32")]
fn thread_name(_lane: LaneId) -> String {
    "main".to_owned()
}
