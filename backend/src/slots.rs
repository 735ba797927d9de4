//! Fair run slots: at most `max_running` runs in flight on the whole server, a bounded
//! first-come-first-served queue behind them, and a run's place in that queue as it
//! changes, so the page can say "2 runs ahead of yours".
//!
//! Why: every run measures time on the server's cores. Runs beyond the cores do not go
//! faster, they make every run's numbers include everyone else's load. So a run waits
//! for a slot rather than sharing the machine, and a full queue is refused at once
//! ([`Full`], sent to the client as `server_busy`) instead of holding a request that would
//! wait longer than a learner would.
//!
//! Shape: one small record under a mutex, taken only to join, leave or hand over a slot
//! (never across an `.await`). A [`Ticket`] is a place in the queue or a slot held;
//! dropping it — a run that ends, is cancelled while queued, or whose session vanished —
//! gives up whichever it holds, so a slot cannot leak. A slot is handed over to the head
//! of the queue as it is released, so no later arrival can overtake a waiting run.
//!
//! The lowest layer: it uses nothing of the crate.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::watch;

/// Server-wide run slots and the queue for them.
#[derive(Debug)]
pub struct RunSlots {
    max_running: u32,
    max_queued: u32,
    record: Mutex<Record>,
}

#[derive(Debug, Default)]
struct Record {
    running: u32,
    next_ticket: u64,
    /// Waiting runs, oldest first; each is told its place through its channel.
    queue: VecDeque<Waiter>,
}

#[derive(Debug)]
struct Waiter {
    ticket: u64,
    place: watch::Sender<Place>,
}

/// Where a ticket stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Waiting, with this many runs before it in the queue.
    Queued { ahead: u32 },
    /// Holds a slot: the run may start.
    Running,
}

/// The queue is full: the server refuses the run rather than queue it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Full {
    pub running: u32,
    pub queued: u32,
}

/// A run's claim: a place in the queue, then a slot. Dropping it gives up either.
#[derive(Debug)]
pub struct Ticket {
    slots: Arc<RunSlots>,
    ticket: u64,
    place: watch::Receiver<Place>,
}

impl RunSlots {
    /// `max_running` is at least 1 (a server that runs nothing is a configuration error).
    pub fn new(max_running: u32, max_queued: u32) -> Arc<Self> {
        Arc::new(Self {
            max_running: max_running.max(1),
            max_queued,
            record: Mutex::default(),
        })
    }

    /// Ask for a slot: held at once if one is free (and nobody waits), else a place at
    /// the back of the queue, else [`Full`].
    pub fn join(self: &Arc<Self>) -> Result<Ticket, Full> {
        let mut r = self.lock();
        let ticket = r.next_ticket;
        let place = if r.running < self.max_running && r.queue.is_empty() {
            r.running += 1;
            Place::Running
        } else if (r.queue.len() as u64) < u64::from(self.max_queued) {
            Place::Queued {
                ahead: r.queue.len() as u32,
            }
        } else {
            return Err(Full {
                running: r.running,
                queued: r.queue.len() as u32,
            });
        };
        r.next_ticket += 1;
        let (tx, rx) = watch::channel(place);
        if let Place::Queued { .. } = place {
            r.queue.push_back(Waiter { ticket, place: tx });
        }
        Ok(Ticket {
            slots: self.clone(),
            ticket,
            place: rx,
        })
    }

    /// Runs holding a slot now, and runs waiting for one.
    pub fn counts(&self) -> (u32, u32) {
        let r = self.lock();
        (r.running, r.queue.len() as u32)
    }

    pub fn max_running(&self) -> u32 {
        self.max_running
    }

    pub fn max_queued(&self) -> u32 {
        self.max_queued
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Record> {
        // Every update leaves the record whole before it can panic (no user code runs
        // under the lock), so a poisoned lock still guards consistent counts.
        self.record.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Give up `ticket`'s claim: leave the queue, or release the slot to the queue's head.
    fn leave(&self, ticket: u64) {
        let mut r = self.lock();
        if let Some(i) = r.queue.iter().position(|w| w.ticket == ticket) {
            r.queue.remove(i);
        } else {
            r.running -= 1;
            // Hand the slot to the oldest waiter still listening (a waiter whose ticket
            // was dropped has already left the queue, so every one here is).
            if r.running < self.max_running
                && let Some(next) = r.queue.pop_front()
            {
                r.running += 1;
                next.place.send_replace(Place::Running);
            }
        }
        // Everyone behind moved up.
        for (ahead, w) in r.queue.iter().enumerate() {
            w.place.send_replace(Place::Queued {
                ahead: ahead as u32,
            });
        }
    }
}

impl Ticket {
    /// Where the ticket stands now.
    pub fn place(&self) -> Place {
        *self.place.borrow()
    }

    /// Wait until the ticket holds a slot, calling `moved` with each new place in the
    /// queue on the way (not with the place it had when it was issued).
    pub async fn running(&mut self, mut moved: impl FnMut(u32)) {
        loop {
            match *self.place.borrow_and_update() {
                Place::Running => return,
                Place::Queued { .. } => {}
            }
            // The sender lives in the queue until the slot is handed over, and the
            // record is only changed under the lock, so a closed channel cannot happen
            // while the ticket is queued; treat it as "no news" rather than spin.
            if self.place.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
            if let Place::Queued { ahead } = *self.place.borrow() {
                moved(ahead);
            }
        }
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        self.slots.leave(self.ticket);
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn free_slots_are_taken_at_once_then_runs_queue_then_the_queue_is_full() {
        let slots = RunSlots::new(2, 2);
        let a = slots.join().unwrap();
        let b = slots.join().unwrap();
        assert_eq!((a.place(), b.place()), (Place::Running, Place::Running));
        let c = slots.join().unwrap();
        let d = slots.join().unwrap();
        assert_eq!(c.place(), Place::Queued { ahead: 0 });
        assert_eq!(d.place(), Place::Queued { ahead: 1 });
        assert_eq!(
            slots.join().unwrap_err(),
            Full {
                running: 2,
                queued: 2
            }
        );
        assert_eq!(slots.counts(), (2, 2));
    }

    #[test]
    fn a_released_slot_goes_to_the_oldest_waiter_and_the_rest_move_up() {
        let slots = RunSlots::new(1, 8);
        let a = slots.join().unwrap();
        let b = slots.join().unwrap();
        let c = slots.join().unwrap();
        drop(a);
        assert_eq!(b.place(), Place::Running);
        assert_eq!(c.place(), Place::Queued { ahead: 0 });
        // A newcomer queues behind c: the one slot is b's.
        let d = slots.join().unwrap();
        assert_eq!(d.place(), Place::Queued { ahead: 1 });
        assert_eq!(slots.counts(), (1, 2));
    }

    #[test]
    fn a_waiter_that_gives_up_leaves_its_place_and_holds_no_slot() {
        let slots = RunSlots::new(1, 8);
        let a = slots.join().unwrap();
        let b = slots.join().unwrap();
        let c = slots.join().unwrap();
        drop(b);
        assert_eq!(c.place(), Place::Queued { ahead: 0 });
        assert_eq!(slots.counts(), (1, 1));
        drop(a);
        assert_eq!(c.place(), Place::Running);
        drop(c);
        assert_eq!(slots.counts(), (0, 0));
        // Nothing leaked: the next run gets a slot at once.
        assert_eq!(slots.join().unwrap().place(), Place::Running);
    }

    #[test]
    fn no_queue_means_busy_as_soon_as_the_slots_are_taken() {
        let slots = RunSlots::new(1, 0);
        let _a = slots.join().unwrap();
        assert!(slots.join().is_err());
    }

    #[tokio::test]
    async fn a_queued_run_hears_each_move_then_starts() {
        let slots = RunSlots::new(1, 8);
        let a = slots.join().unwrap();
        let b = slots.join().unwrap();
        let mut c = slots.join().unwrap();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let waiting = tokio::spawn(async move {
            c.running(|ahead| tx.send(ahead).unwrap()).await;
            c
        });
        tokio::task::yield_now().await;
        drop(a); // b runs, c moves to the front
        assert_eq!(rx.recv().await, Some(0));
        assert!(!waiting.is_finished());
        drop(b); // c runs
        let c = tokio::time::timeout(Duration::from_secs(10), waiting)
            .await
            .expect("c starts once b is done")
            .unwrap();
        assert_eq!(c.place(), Place::Running);
        assert_eq!(slots.counts(), (1, 0));
    }
}
