//! [`SpinLock`]: the lock on a recording thread's buffer.
//!
//! Only two parties ever take it: the thread that owns the buffer, on every event, and a
//! drain, for the moment it takes to swap the buffer out. So the owner almost always finds
//! it free, and the cost that matters is the uncontended one. A `std::sync::Mutex` pays
//! there for what this lock never needs: a locked instruction to release it (to see
//! whether anyone sleeps on it) and two checks for poisoning. Releasing this one is a
//! plain store.
//!
//! A waiter spins briefly, then yields its time slice instead of sleeping: whoever holds
//! the lock holds it for nanoseconds, unless the scheduler took its core away, and then
//! yielding gives the core back to it.
//!
//! Its guard, like `std::sync::MutexGuard`, may be shared between threads only when the
//! value may (`T: Sync`): a shared guard hands every holder a `&T`. The module is public
//! (hidden from the docs) only so that this is checked by the doc tests below.
//!
//! ```
//! # use pollscope_shared::instrument::spin::SpinLock;
//! fn assert_sync<T: Sync>(_: &T) {}
//! let lock = SpinLock::new(0u64);
//! assert_sync(&lock.lock());
//! ```
//!
//! A guard of a `Cell` (which is `Send` but not `Sync`) is not `Sync`, so two threads cannot
//! both reach the cell through one guard:
//!
//! ```compile_fail,E0277
//! # use pollscope_shared::instrument::spin::SpinLock;
//! fn assert_sync<T: Sync>(_: &T) {}
//! let lock = SpinLock::new(std::cell::Cell::new(0u64));
//! assert_sync(&lock.lock());
//! ```

use std::cell::UnsafeCell;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicBool, Ordering};

/// A lock whose release is a plain store (see the module documentation).
pub struct SpinLock<T: ?Sized> {
    locked: AtomicBool,
    value: UnsafeCell<T>,
}

// SAFETY: the value is only reached through a guard, and one guard exists at a time (the
// flag's acquire and release order every access after the previous one).
unsafe impl<T: ?Sized + Send> Sync for SpinLock<T> {}

impl<T> SpinLock<T> {
    pub const fn new(value: T) -> Self {
        Self {
            locked: AtomicBool::new(false),
            value: UnsafeCell::new(value),
        }
    }
}

impl<T: ?Sized> SpinLock<T> {
    #[inline(always)]
    pub fn lock(&self) -> SpinGuard<'_, T> {
        if self
            .locked
            .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            self.lock_contended();
        }
        SpinGuard {
            lock: self,
            not_sync: PhantomData,
        }
    }

    #[cold]
    #[inline(never)]
    fn lock_contended(&self) {
        let mut spins = 0u32;
        loop {
            while self.locked.load(Ordering::Relaxed) {
                if spins < 100 {
                    spins += 1;
                    std::hint::spin_loop();
                } else {
                    std::thread::yield_now();
                }
            }
            if self
                .locked
                .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
            {
                return;
            }
        }
    }
}

/// Holds a [`SpinLock`] until dropped (also when unwinding: the value has no invariant a
/// panic could leave half-kept, so there is no poisoning).
pub struct SpinGuard<'a, T: ?Sized> {
    lock: &'a SpinLock<T>,
    /// Without it the guard would be `Sync` whenever `&SpinLock<T>` is, that is whenever
    /// `T: Send`: a `Cell` could then be reached from two threads at once. `Cell<()>` is
    /// `Send` and not `Sync`, so it takes `Sync` away and leaves `Send` as it was.
    not_sync: PhantomData<std::cell::Cell<()>>,
}

// SAFETY: sharing a guard shares only `&T` (through `Deref`), which is safe across threads
// exactly when `T: Sync`; `DerefMut` needs the guard itself, which only one thread has.
unsafe impl<T: ?Sized + Sync> Sync for SpinGuard<'_, T> {}

impl<T: ?Sized> Deref for SpinGuard<'_, T> {
    type Target = T;

    #[inline(always)]
    fn deref(&self) -> &T {
        // SAFETY: this guard is the only one (see `Sync`).
        unsafe { &*self.lock.value.get() }
    }
}

impl<T: ?Sized> DerefMut for SpinGuard<'_, T> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: this guard is the only one (see `Sync`).
        unsafe { &mut *self.lock.value.get() }
    }
}

impl<T: ?Sized> Drop for SpinGuard<'_, T> {
    #[inline(always)]
    fn drop(&mut self) {
        self.lock.locked.store(false, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn two_threads_never_lose_an_increment() {
        // Miri checks every access for a race, at a cost of microseconds each.
        const ROUNDS: u64 = if cfg!(miri) { 200 } else { 100_000 };
        let lock = Arc::new(SpinLock::new(0u64));
        let other = {
            let lock = lock.clone();
            std::thread::spawn(move || {
                for _ in 0..ROUNDS {
                    *lock.lock() += 1;
                }
            })
        };
        for _ in 0..ROUNDS {
            *lock.lock() += 1;
        }
        other.join().unwrap();
        assert_eq!(*lock.lock(), 2 * ROUNDS);
    }
}
