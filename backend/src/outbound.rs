//! What the server has to say to a client, queued for its session, and the byte budget
//! every session's queue shares.
//!
//! A session writes frames to its socket as fast as its client reads them, and its runs
//! queue frames as fast as they produce them. Each queue is bounded in frames
//! ([`channel`]'s capacity), but a frame can be a large event batch, so many slow readers
//! at once could still hold a great deal of memory between them. So every frame is
//! *charged* to its session's [`Account`] and to the server's [`OutboundBudget`] while it
//! waits, and the charge is given back when the frame is written or thrown away (the
//! [`Charge`] travels with the frame and gives back on drop, so no path can forget).
//!
//! Past the budget, the session holding the most unwritten bytes (the slowest reader) is
//! told to close ([`OutboundRx::evicted`]); bytes already held by sessions on their way
//! out do not count towards choosing another, so one overflow closes one session, not all.
//! Charging is two atomic additions and a comparison; the registry lock is only taken past
//! the budget and once per session.
//!
//! Uses `shared`'s message type, Tokio's channels and tokio-util's token.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};

use pollscope_shared::ServerMessage;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// A frame for the session to write to the socket.
#[derive(Debug)]
pub enum Outbound {
    Message(ServerMessage),
    /// A binary event batch (see `pollscope_shared::instrument::batch`).
    Binary(Vec<u8>),
}

/// What a JSON frame is charged, per event it carries and otherwise: a frame's text is
/// only written when it is sent, so its size is estimated (generously: an event is about
/// 60 bytes of JSON). Binary batches are charged their length.
const JSON_EVENT_BYTES: usize = 96;
const JSON_FRAME_BYTES: usize = 512;

impl Outbound {
    /// The bytes this frame holds while it waits, as charged against the budget.
    pub fn cost(&self) -> usize {
        match self {
            Self::Binary(bytes) => bytes.len(),
            Self::Message(ServerMessage::Events { events, .. }) => {
                JSON_FRAME_BYTES + events.len() * JSON_EVENT_BYTES
            }
            Self::Message(_) => JSON_FRAME_BYTES,
        }
    }
}

/// The server-wide budget for frames queued and not yet written, across every session.
#[derive(Debug)]
pub struct OutboundBudget {
    limit: usize,
    used: AtomicUsize,
    evicted: AtomicU64,
    accounts: Mutex<Vec<Weak<Account>>>,
}

/// One session's share: the bytes it has queued, and the token that tells it to close.
#[derive(Debug)]
pub struct Account {
    queued: AtomicUsize,
    /// What `queued` was when the budget chose this session to close: the figure its
    /// close reason names (by the time the close is sent, the queue may be empty).
    queued_at_eviction: AtomicUsize,
    evict: CancellationToken,
    budget: Arc<OutboundBudget>,
}

impl OutboundBudget {
    pub fn new(limit_bytes: usize) -> Arc<Self> {
        Arc::new(Self {
            limit: limit_bytes,
            used: AtomicUsize::new(0),
            evicted: AtomicU64::new(0),
            accounts: Mutex::default(),
        })
    }

    /// Bytes queued and not yet written, all sessions together.
    pub fn used(&self) -> usize {
        self.used.load(Ordering::Relaxed)
    }

    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Sessions told to close for being the slowest while the budget was exceeded.
    pub fn evicted(&self) -> u64 {
        self.evicted.load(Ordering::Relaxed)
    }

    fn open_account(self: &Arc<Self>) -> Arc<Account> {
        let account = Arc::new(Account {
            queued: AtomicUsize::new(0),
            queued_at_eviction: AtomicUsize::new(0),
            evict: CancellationToken::new(),
            budget: self.clone(),
        });
        let mut accounts = self.accounts.lock().unwrap_or_else(PoisonError::into_inner);
        accounts.retain(|a| a.strong_count() > 0);
        accounts.push(Arc::downgrade(&account));
        account
    }

    /// Over the budget: unless the sessions already told to close will free enough,
    /// tell the one with the most bytes queued.
    fn evict_slowest(&self) {
        let accounts = self.accounts.lock().unwrap_or_else(PoisonError::into_inner);
        let live: Vec<Arc<Account>> = accounts.iter().filter_map(Weak::upgrade).collect();
        drop(accounts);
        let leaving: usize = live
            .iter()
            .filter(|a| a.evict.is_cancelled())
            .map(|a| a.queued())
            .sum();
        if self.used().saturating_sub(leaving) <= self.limit {
            return;
        }
        let slowest = live
            .iter()
            .filter(|a| !a.evict.is_cancelled())
            .max_by_key(|a| a.queued());
        if let Some(slowest) = slowest {
            slowest
                .queued_at_eviction
                .store(slowest.queued(), Ordering::Relaxed);
            slowest.evict.cancel();
            let evicted = self.evicted.fetch_add(1, Ordering::Relaxed) + 1;
            tracing::info!(
                queued_bytes = slowest.queued(),
                used_bytes = self.used(),
                limit_bytes = self.limit,
                evicted,
                "outbound budget exceeded: closing the slowest session"
            );
        }
    }
}

impl Account {
    /// Bytes this session has queued and not yet written.
    pub fn queued(&self) -> usize {
        self.queued.load(Ordering::Relaxed)
    }

    fn charge(self: &Arc<Self>, bytes: usize) -> Charge {
        self.queued.fetch_add(bytes, Ordering::Relaxed);
        let used = self.budget.used.fetch_add(bytes, Ordering::Relaxed) + bytes;
        if used > self.budget.limit {
            self.budget.evict_slowest();
        }
        Charge {
            bytes,
            account: self.clone(),
        }
    }
}

/// A queued frame's bytes, charged to its session and the budget until dropped.
#[derive(Debug)]
pub struct Charge {
    bytes: usize,
    account: Arc<Account>,
}

impl Drop for Charge {
    fn drop(&mut self) {
        self.account.queued.fetch_sub(self.bytes, Ordering::Relaxed);
        self.account
            .budget
            .used
            .fetch_sub(self.bytes, Ordering::Relaxed);
    }
}

/// A frame in the queue, with its charge.
#[derive(Debug)]
pub struct Charged {
    pub frame: Outbound,
    /// Keep it until the frame is written: its bytes are held until then.
    pub charge: Charge,
}

/// The sending side of a session's queue (runs, the event aggregator). Cheap to clone.
#[derive(Debug, Clone)]
pub struct OutboundTx {
    tx: mpsc::Sender<Charged>,
    account: Arc<Account>,
}

/// The queue was full or the session is gone; the frame was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotQueued;

impl OutboundTx {
    /// Queue `frame` if there is room now; never waits.
    pub fn try_send(&self, frame: Outbound) -> Result<(), NotQueued> {
        let charge = self.account.charge(frame.cost());
        self.tx
            .try_send(Charged { frame, charge })
            .map_err(|_| NotQueued)
    }

    /// Queue `frame`, waiting for room. Fails only when the session is gone.
    pub async fn send(&self, frame: Outbound) -> Result<(), NotQueued> {
        let charge = self.account.charge(frame.cost());
        self.tx
            .send(Charged { frame, charge })
            .await
            .map_err(|_| NotQueued)
    }
}

/// The session's side of its queue.
#[derive(Debug)]
pub struct OutboundRx {
    rx: mpsc::Receiver<Charged>,
    account: Arc<Account>,
}

impl OutboundRx {
    pub async fn recv(&mut self) -> Option<Charged> {
        self.rx.recv().await
    }

    /// Cancelled when the budget chose this session to close.
    pub fn eviction(&self) -> CancellationToken {
        self.account.evict.clone()
    }

    /// The next queued frame, if one is there now.
    pub fn try_recv(&mut self) -> Option<Charged> {
        self.rx.try_recv().ok()
    }

    /// Bytes queued and not yet written.
    pub fn queued(&self) -> usize {
        self.account.queued()
    }

    /// Bytes this session had queued when the budget chose it to close (0 if it never did).
    pub fn queued_at_eviction(&self) -> usize {
        self.account.queued_at_eviction.load(Ordering::Relaxed)
    }

    /// Take no more frames and drop the queued ones, giving their bytes back.
    pub fn discard(&mut self) {
        self.rx.close();
        while self.rx.try_recv().is_ok() {}
    }
}

/// A session's queue of at most `capacity` frames, charged against `budget`.
pub fn channel(budget: &Arc<OutboundBudget>, capacity: usize) -> (OutboundTx, OutboundRx) {
    let (tx, rx) = mpsc::channel(capacity);
    let account = budget.open_account();
    (
        OutboundTx {
            tx,
            account: account.clone(),
        },
        OutboundRx { rx, account },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(bytes: usize) -> Outbound {
        Outbound::Binary(vec![0; bytes])
    }

    #[test]
    fn frames_are_charged_until_written_or_discarded() {
        let budget = OutboundBudget::new(1 << 20);
        let (tx, mut rx) = channel(&budget, 8);
        tx.try_send(batch(100)).unwrap();
        tx.try_send(batch(50)).unwrap();
        assert_eq!((budget.used(), rx.queued()), (150, 150));
        let written = rx.rx.try_recv().unwrap();
        assert_eq!(budget.used(), 150, "charged until the frame is written");
        drop(written);
        assert_eq!(budget.used(), 50);
        rx.discard();
        assert_eq!((budget.used(), rx.queued()), (0, 0));
        assert_eq!(tx.try_send(batch(10)), Err(NotQueued));
        assert_eq!(
            budget.used(),
            0,
            "a frame that was not queued is not charged"
        );
    }

    #[test]
    fn a_full_queue_charges_nothing() {
        let budget = OutboundBudget::new(1 << 20);
        let (tx, _rx) = channel(&budget, 1);
        tx.try_send(batch(10)).unwrap();
        assert_eq!(tx.try_send(batch(10)), Err(NotQueued));
        assert_eq!(budget.used(), 10);
    }

    #[test]
    fn past_the_budget_the_slowest_session_alone_is_told_to_close() {
        let budget = OutboundBudget::new(1000);
        let (fast_tx, fast_rx) = channel(&budget, 64);
        let (slow_tx, slow_rx) = channel(&budget, 64);
        fast_tx.try_send(batch(300)).unwrap();
        slow_tx.try_send(batch(600)).unwrap();
        assert_eq!(budget.evicted(), 0, "within the budget");
        // Over it, whoever queued last: the one holding the most is chosen.
        fast_tx.try_send(batch(200)).unwrap();
        assert!(slow_rx.account.evict.is_cancelled());
        assert!(!fast_rx.account.evict.is_cancelled());
        assert_eq!(budget.evicted(), 1);
        assert_eq!(
            slow_rx.queued_at_eviction(),
            slow_rx.queued(),
            "the figure the close reason names is the slow session's queue at eviction"
        );
        assert!(slow_rx.queued_at_eviction() > fast_rx.queued());
        assert_eq!(fast_rx.queued_at_eviction(), 0);
        // The slow session's bytes will be freed as it leaves: no second eviction while
        // the rest fits.
        fast_tx.try_send(batch(100)).unwrap();
        assert!(!fast_rx.account.evict.is_cancelled());
        assert_eq!(budget.evicted(), 1);
        // Once it is gone, its bytes are back and the registry forgets it.
        drop((slow_tx, slow_rx));
        assert_eq!(budget.used(), 600);
        let (_tx, _rx) = channel(&budget, 1);
        let registered = budget.accounts.lock().unwrap().len();
        assert_eq!(registered, 2);
    }
}
