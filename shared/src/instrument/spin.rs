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

use std::cell::UnsafeCell;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicBool, Ordering};

pub(crate) struct SpinLock<T> {
    locked: AtomicBool,
    value: UnsafeCell<T>,
}

// SAFETY: the value is only reached through a guard, and one guard exists at a time (the
// flag's acquire and release order every access after the previous one).
unsafe impl<T: Send> Sync for SpinLock<T> {}

impl<T> SpinLock<T> {
    pub(crate) const fn new(value: T) -> Self {
        Self {
            locked: AtomicBool::new(false),
            value: UnsafeCell::new(value),
        }
    }

    #[inline(always)]
    pub(crate) fn lock(&self) -> SpinGuard<'_, T> {
        if self
            .locked
            .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            self.lock_contended();
        }
        SpinGuard(self)
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
pub(crate) struct SpinGuard<'a, T>(&'a SpinLock<T>);

impl<T> Deref for SpinGuard<'_, T> {
    type Target = T;

    #[inline(always)]
    fn deref(&self) -> &T {
        // SAFETY: this guard is the only one (see `Sync`).
        unsafe { &*self.0.value.get() }
    }
}

impl<T> DerefMut for SpinGuard<'_, T> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: this guard is the only one (see `Sync`).
        unsafe { &mut *self.0.value.get() }
    }
}

impl<T> Drop for SpinGuard<'_, T> {
    #[inline(always)]
    fn drop(&mut self) {
        self.0.locked.store(false, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn two_threads_never_lose_an_increment() {
        let lock = Arc::new(SpinLock::new(0u64));
        let other = {
            let lock = lock.clone();
            std::thread::spawn(move || {
                for _ in 0..100_000 {
                    *lock.lock() += 1;
                }
            })
        };
        for _ in 0..100_000 {
            *lock.lock() += 1;
        }
        other.join().unwrap();
        assert_eq!(*lock.lock(), 200_000);
    }
}
