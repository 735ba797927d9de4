//! What a recording thread's buffer holds: each event as a fixed 40-byte [`Record`].
//!
//! An [`Event`] is 48 bytes, because three kinds carry a name (`Cow<'static, str>`, 24
//! bytes on its own). Every byte a recording thread writes, the aggregator later reads
//! from the other core, so in the echo benchmark buffer traffic, not instructions, was
//! what the aggregator spent its time on. A record keeps names out of line: a name is a
//! [`NameId`] into the run's [`NameTable`], and the drain turns records back into events.
//!
//! Static names (await points, most task names) are interned once per run; a thread finds
//! their id in a small cache of its own, without the table's lock. A name built at run
//! time (say `conn 127.0.0.1:50312`) travels in the buffer next to its record.

use std::cell::Cell;
use std::collections::HashMap;

use super::event::{
    EventKind, LaneId, LaneKind, Name, PollEvent, PollOutcome, SpanId, SpawnEvent, TaskId,
    TaskKind, TaskOutcome, Wait, WakeSource,
};

/// One event in a buffer: its raw time (see `clock`) and its packed kind.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Record {
    pub(crate) t: u64,
    pub(crate) kind: Packed,
}

/// An index into a run's [`NameTable`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NameId(u32);

/// `u32::MAX` stands for "none" in the optional lane and span fields (lane ids and the
/// span counter never get there; task ids start at 1, so a parent of 0 is none).
pub(crate) const NONE: u32 = u32::MAX;

/// [`EventKind`] with names out of line and options as sentinels: 32 bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Packed {
    Lane {
        lane: u32,
        name: NameId,
        lane_kind: LaneKind,
    },
    Park {
        lane: u32,
    },
    Unpark {
        lane: u32,
    },
    Spawn {
        task: u32,
        name: NameId,
        parent: u32,
        task_kind: TaskKind,
    },
    Poll {
        /// In a buffer, the raw clock reading at the poll's start; as handed out by a
        /// drain, the poll's busy time in nanoseconds (see `Recorder::drain_records`).
        start: u64,
        task: u32,
        lane: u32,
        outcome: PollOutcome,
        resumed: u32,
        waiting_on: u32,
        /// The name of `waiting_on` (meaningless when that is `NONE`).
        waiting_name: NameId,
        /// Saturates: no poll clones its waker 65,535 times.
        waker_clones: u16,
    },
    Wake {
        task: u32,
        by: WakeSource,
        by_ref: bool,
    },
    WakerClone {
        task: u32,
    },
    WakerDrop {
        task: u32,
    },
    SpanEnter {
        task: u32,
        span: u32,
        name: NameId,
    },
    SpanExit {
        task: u32,
        span: u32,
    },
    Complete {
        task: u32,
        outcome: TaskOutcome,
    },
}

const _: () = assert!(std::mem::size_of::<Record>() == 40);

#[inline(always)]
fn lane_u32(lane: Option<LaneId>) -> u32 {
    lane.map_or(NONE, |l| l.0)
}

fn lane_of(lane: u32) -> Option<LaneId> {
    (lane != NONE).then_some(LaneId(lane))
}

fn span_of(span: u32) -> Option<SpanId> {
    (span != NONE).then_some(SpanId(span))
}

impl Packed {
    /// A poll's record. `start` is the raw clock at its start (or, packing an event, its
    /// busy time: see [`Packed::Poll`]); `waiting_on` comes with its name, interned.
    #[inline(always)]
    pub(crate) fn poll(
        start: u64,
        task: TaskId,
        lane: Option<LaneId>,
        outcome: PollOutcome,
        resumed: Option<SpanId>,
        waiting_on: Option<(SpanId, NameId)>,
        waker_clones: u32,
    ) -> Self {
        let (waiting_on, waiting_name) = waiting_on.map_or((NONE, NameId::NONE), |(s, n)| (s.0, n));
        Self::Poll {
            start,
            task: task.0,
            lane: lane_u32(lane),
            outcome,
            resumed: resumed.map_or(NONE, |s| s.0),
            waiting_on,
            waiting_name,
            waker_clones: u16::try_from(waker_clones).unwrap_or(u16::MAX),
        }
    }

    /// `kind` packed, if it names nothing (most events: a wake, a park). Always inlined:
    /// the callers build `kind` just before, so this folds to the packed value.
    #[inline(always)]
    pub(crate) fn nameless(kind: &EventKind) -> Option<Self> {
        Some(match *kind {
            EventKind::Wake { task, by, by_ref } => Self::Wake {
                task: task.0,
                by,
                by_ref,
            },
            EventKind::WakerClone { task } => Self::WakerClone { task: task.0 },
            EventKind::WakerDrop { task } => Self::WakerDrop { task: task.0 },
            EventKind::SpanExit { task, span } => Self::SpanExit {
                task: task.0,
                span: span.0,
            },
            EventKind::Park { lane } => Self::Park { lane: lane.0 },
            EventKind::Unpark { lane } => Self::Unpark { lane: lane.0 },
            EventKind::Complete { task, outcome } => Self::Complete {
                task: task.0,
                outcome,
            },
            EventKind::Poll(PollEvent { .. })
            | EventKind::SpanEnter { .. }
            | EventKind::Lane { .. }
            | EventKind::Spawn(SpawnEvent { .. }) => return None,
        })
    }

    /// Pack `kind` with its name, if any, in `locals` (for encoding an event that is not
    /// in a buffer).
    pub(crate) fn pack_local(kind: EventKind, locals: &mut Vec<Name>) -> Self {
        Self::pack(kind, &Names::Local, locals)
    }

    /// Pack `kind`, interning its name, if any (see [`Names`]). Always inlined: the
    /// callers build `kind` just before, so the match folds away.
    #[inline(always)]
    pub(crate) fn pack(kind: EventKind, names: &Names<'_>, locals: &mut Vec<Name>) -> Self {
        match kind {
            EventKind::Poll(PollEvent {
                task,
                lane,
                busy_ns,
                outcome,
                resumed,
                waiting_on,
                waker_clones,
            }) => {
                let waiting_on =
                    waiting_on.map(|wait| (wait.span, names.intern(wait.name, locals)));
                Self::poll(
                    busy_ns,
                    task,
                    lane,
                    outcome,
                    resumed,
                    waiting_on,
                    waker_clones,
                )
            }
            EventKind::SpanEnter { task, span, name } => Self::SpanEnter {
                task: task.0,
                span: span.0,
                name: names.intern(name, locals),
            },
            EventKind::Lane {
                lane,
                name,
                lane_kind,
            } => Self::Lane {
                lane: lane.0,
                name: names.intern(name, locals),
                lane_kind,
            },
            EventKind::Spawn(SpawnEvent {
                task,
                name,
                parent,
                task_kind,
            }) => Self::Spawn {
                task: task.0,
                name: names.intern(name, locals),
                parent: parent.map_or(0, |p| p.0),
                task_kind,
            },
            nameless => Self::nameless(&nameless).expect("every other kind names nothing"),
        }
    }

    /// The event kind back, with its name.
    pub(crate) fn unpack(self, names: &mut NameSource<'_>) -> EventKind {
        match self {
            Self::Poll {
                start,
                task,
                lane,
                outcome,
                resumed,
                waiting_on,
                waiting_name,
                waker_clones,
            } => EventKind::Poll(PollEvent {
                task: TaskId(task),
                lane: lane_of(lane),
                busy_ns: start,
                outcome,
                resumed: span_of(resumed),
                waiting_on: span_of(waiting_on).map(|span| Wait {
                    span,
                    name: names.take(waiting_name),
                }),
                waker_clones: waker_clones.into(),
            }),
            Self::Wake { task, by, by_ref } => EventKind::Wake {
                task: TaskId(task),
                by,
                by_ref,
            },
            Self::WakerClone { task } => EventKind::WakerClone { task: TaskId(task) },
            Self::WakerDrop { task } => EventKind::WakerDrop { task: TaskId(task) },
            Self::SpanEnter { task, span, name } => EventKind::SpanEnter {
                task: TaskId(task),
                span: SpanId(span),
                name: names.take(name),
            },
            Self::SpanExit { task, span } => EventKind::SpanExit {
                task: TaskId(task),
                span: SpanId(span),
            },
            Self::Park { lane } => EventKind::Park { lane: LaneId(lane) },
            Self::Unpark { lane } => EventKind::Unpark { lane: LaneId(lane) },
            Self::Lane {
                lane,
                name,
                lane_kind,
            } => EventKind::Lane {
                lane: LaneId(lane),
                name: names.take(name),
                lane_kind,
            },
            Self::Spawn {
                task,
                name,
                parent,
                task_kind,
            } => EventKind::Spawn(SpawnEvent {
                task: TaskId(task),
                name: names.take(name),
                parent: (parent != 0).then_some(TaskId(parent)),
                task_kind,
            }),
            Self::Complete { task, outcome } => EventKind::Complete {
                task: TaskId(task),
                outcome,
            },
        }
    }
}

/// The static names of one run's events (await points, most task names): one slot per
/// distinct name, interned on first use. A name built at run time (`conn 127.0.0.1:50312`)
/// is not interned: it goes into the recording thread's buffer, next to its record
/// ([`NameId::local`]), and leaves with it.
#[derive(Debug, Default)]
pub(crate) struct NameTable {
    names: Vec<&'static str>,
    ids: HashMap<(usize, usize), NameId>,
}

impl NameTable {
    fn add(&mut self, name: &'static str) -> NameId {
        *self
            .ids
            .entry((name.as_ptr() as usize, name.len()))
            .or_insert_with(|| {
                self.names.push(name);
                NameId((self.names.len() - 1) as u32 & !LOCAL)
            })
    }

    /// Copy the names `into` a drain's own list, to read without holding the lock, if it
    /// has room (the lock is the recording threads' too: nothing is allocated under it).
    /// Returns how many names there are.
    pub(crate) fn copy_into(&self, into: &mut Vec<&'static str>) -> usize {
        if self.names.len() <= into.capacity() {
            into.clear();
            into.extend_from_slice(&self.names);
        }
        self.names.len()
    }
}

/// The top bit of a [`NameId`]: an index into the buffer's own names, not the table.
const LOCAL: u32 = 1 << 31;

impl NameId {
    /// For a record field whose name is absent.
    pub(crate) const NONE: Self = Self(NONE);

    fn local(index: usize) -> Self {
        Self(index as u32 | LOCAL)
    }

    /// Its index in the recorder's table of static names; `None` for a name built at run
    /// time (or none at all).
    #[inline(always)]
    pub(crate) fn static_index(self) -> Option<usize> {
        (self.0 & LOCAL == 0).then_some(self.0 as usize)
    }
}

/// Where a drain finds names: the run's statics, and the names that came with the
/// records being drained.
pub(crate) struct NameSource<'a> {
    pub(crate) statics: &'a [&'static str],
    pub(crate) locals: &'a mut [Name],
}

impl NameSource<'_> {
    /// The name, borrowed (to encode it).
    pub(crate) fn get(&self, id: NameId) -> &str {
        if id.0 & LOCAL != 0 {
            self.locals
                .get((id.0 & !LOCAL) as usize)
                .map_or("", |name| name.as_ref())
        } else {
            self.statics.get(id.0 as usize).copied().unwrap_or_default()
        }
    }

    fn take(&mut self, id: NameId) -> Name {
        if id.0 & LOCAL != 0 {
            self.locals
                .get_mut((id.0 & !LOCAL) as usize)
                .map(std::mem::take)
                .unwrap_or_default()
        } else {
            Name::Borrowed(self.statics.get(id.0 as usize).copied().unwrap_or_default())
        }
    }
}

/// How a recording thread interns names: statics through a small cache of its own (the
/// table's lock only on a miss), run-time names into its buffer's `locals`.
pub(crate) enum Names<'a> {
    Interned {
        recorder: u64,
        table: &'a std::sync::Mutex<NameTable>,
    },
    /// Every name into `locals` (no table).
    Local,
}

thread_local! {
    /// Recently interned static names: (recorder, address, length) → id, by address.
    static CACHE: [Cell<(u64, usize, usize, NameId)>; 16] =
        const { [const { Cell::new((0, 0, 0, NameId(0))) }; 16] };
}

impl Names<'_> {
    #[inline]
    pub(crate) fn intern(&self, name: Name, locals: &mut Vec<Name>) -> NameId {
        match (self, name) {
            (Self::Interned { .. }, Name::Borrowed(name)) => self.intern_static(name, locals),
            (_, name) => {
                locals.push(name);
                NameId::local(locals.len() - 1)
            }
        }
    }

    /// [`Names::intern`] for a static name (every await point's): a look in this thread's
    /// cache, on every poll that leaves its task waiting.
    #[inline]
    pub(crate) fn intern_static(&self, name: &'static str, locals: &mut Vec<Name>) -> NameId {
        let Self::Interned { recorder, table } = self else {
            locals.push(name.into());
            return NameId::local(locals.len() - 1);
        };
        let key = (*recorder, name.as_ptr() as usize, name.len());
        let slot = (key.1 >> 3) % 16;
        let (r, a, l, id) = CACHE.with(|cache| cache[slot].get());
        if (r, a, l) == key {
            return id;
        }
        Self::intern_missed(table, key, slot, name)
    }

    #[cold]
    #[inline(never)]
    fn intern_missed(
        table: &std::sync::Mutex<NameTable>,
        (recorder, address, len): (u64, usize, usize),
        slot: usize,
        name: &'static str,
    ) -> NameId {
        let id = table
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .add(name);
        CACHE.with(|cache| cache[slot].set((recorder, address, len, id)));
        id
    }
}
