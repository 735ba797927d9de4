//! The process's global allocator: the system allocator, with each thread counting what it
//! allocates and frees.
//!
//! Every allocation goes straight to [`System`]; the thread that made it (or freed it)
//! adds the size to counters of its own, so [`ThreadAllocs::snapshot`] on one thread,
//! twice, tells what *that thread* allocated in between, whatever the server's other
//! threads were doing at the time. That is what the section 7 demo needs to say how much
//! memory T spawned tasks hold: it spawns them from one thread and reads that thread's
//! counters before and after (a process's resident size would mix in every other run and
//! the allocator's own caching).
//!
//! The counters are const-initialised thread-locals of plain `Cell`s, with no destructor,
//! so counting never allocates, never registers anything with the thread, and works
//! during thread start and teardown ([`LocalKey::try_with`] skips the count rather than
//! panicking if a thread's locals are already gone). Counting costs a few plain additions
//! per allocation, on data only its own thread touches.
//!
//! Uses only std; the layers below use it through [`ThreadAllocs`].
//!
//! [`LocalKey::try_with`]: std::thread::LocalKey::try_with

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// The system allocator, counting per thread. Installed as the process's global allocator
/// below; read its counts with [`ThreadAllocs::snapshot`].
pub struct CountingAllocator;

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// One thread's running totals.
struct Counters {
    allocated: Cell<u64>,
    freed: Cell<u64>,
    allocations: Cell<u64>,
}

thread_local! {
    static COUNTERS: Counters = const {
        Counters {
            allocated: Cell::new(0),
            freed: Cell::new(0),
            allocations: Cell::new(0),
        }
    };
}

fn count_allocated(bytes: usize) {
    let _ = COUNTERS.try_with(|c| {
        c.allocated
            .set(c.allocated.get().wrapping_add(bytes as u64));
        c.allocations.set(c.allocations.get().wrapping_add(1));
    });
}

fn count_freed(bytes: usize) {
    let _ = COUNTERS.try_with(|c| c.freed.set(c.freed.get().wrapping_add(bytes as u64)));
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged, so the
// memory handed out and taken back is `System`'s and meets `GlobalAlloc`'s contract as
// `System` does; the counting around it touches only thread-local `Cell`s, never allocates
// and never unwinds.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `alloc`'s contract (a non-zero size), which is
        // `System`'s too.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            count_allocated(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            count_allocated(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller passes a block this allocator (that is, `System`) handed out,
        // with the layout it was allocated with.
        unsafe { System.dealloc(ptr, layout) };
        count_freed(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller passes a block `System` handed out with `layout`, and a valid
        // non-zero `new_size`: `System.realloc`'s contract.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            // The old block is gone and a new one of `new_size` bytes is live.
            count_freed(layout.size());
            count_allocated(new_size);
        }
        new
    }
}

/// What the calling thread has allocated and freed since it started (a snapshot), or
/// between two snapshots ([`ThreadAllocs::since`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ThreadAllocs {
    /// Bytes allocated (a reallocation counts its new size).
    pub allocated: u64,
    /// Bytes freed (a reallocation counts its old size), including blocks other threads
    /// allocated.
    pub freed: u64,
    /// Allocations made, reallocations included.
    pub allocations: u64,
}

impl ThreadAllocs {
    /// The calling thread's totals so far.
    pub fn snapshot() -> Self {
        COUNTERS
            .try_with(|c| Self {
                allocated: c.allocated.get(),
                freed: c.freed.get(),
                allocations: c.allocations.get(),
            })
            .unwrap_or_default()
    }

    /// What happened between `earlier` (a snapshot on the same thread) and `self`.
    pub fn since(self, earlier: Self) -> Self {
        Self {
            allocated: self.allocated.wrapping_sub(earlier.allocated),
            freed: self.freed.wrapping_sub(earlier.freed),
            allocations: self.allocations.wrapping_sub(earlier.allocations),
        }
    }

    /// Bytes allocated and not freed (0 if more was freed than allocated: the thread freed
    /// memory from before the first snapshot, or from another thread).
    pub fn live(&self) -> u64 {
        self.allocated.saturating_sub(self.freed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_this_threads_allocations_and_frees_exactly() {
        let before = ThreadAllocs::snapshot();
        let block = vec![7u8; 1000];
        let held = ThreadAllocs::snapshot().since(before);
        assert_eq!((held.allocated, held.freed, held.allocations), (1000, 0, 1));
        assert_eq!(held.live(), 1000);

        let mut grown = block;
        grown.reserve_exact(1000);
        let after_grow = ThreadAllocs::snapshot().since(before);
        assert_eq!(after_grow.allocated, 1000 + grown.capacity() as u64);
        assert_eq!(after_grow.freed, 1000);
        assert_eq!(after_grow.live(), grown.capacity() as u64);

        drop(grown);
        let after = ThreadAllocs::snapshot().since(before);
        assert_eq!(after.live(), 0);
        assert_eq!(after.allocations, 2);
    }

    #[test]
    fn another_threads_allocations_are_not_counted_here() {
        let before = ThreadAllocs::snapshot();
        let (on_other, freed_there) = std::thread::scope(|s| {
            s.spawn(|| {
                let start = ThreadAllocs::snapshot();
                let block = Box::new([0u8; 4096]);
                let on_other = ThreadAllocs::snapshot().since(start);
                drop(block);
                (on_other, ThreadAllocs::snapshot().since(start))
            })
            .join()
            .unwrap()
        });
        assert!(on_other.allocated >= 4096, "{on_other:?}");
        assert_eq!(freed_there.live(), 0, "{freed_there:?}");
        // Spawning and joining the thread allocated here (its handle, its closure), but
        // not the 4096-byte block.
        let here = ThreadAllocs::snapshot().since(before);
        assert!(here.allocated < 4096, "{here:?}");
    }
}
