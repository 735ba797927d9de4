//! "Be the executor" (outline section 2): futures you poll by hand, in the browser.
//!
//! Everything here is the real thing at a small scale: [`Delay`] is a hand-written future
//! whose event source is a browser timer, [`Join2`] a hand-written join, and
//! [`ManualExecutor`] an executor whose only scheduling decision is made by the learner
//! clicking *Poll*. Nothing is simulated: a poll is a call to `Future::poll`, a wake is a
//! call to `Waker::wake` from the timer's callback, and both are recorded with the same
//! instrumentation the backend uses.
//!
//! Layout:
//! - [`timer`]: where a delay's timer comes from (gloo in the browser, a hand-fired queue
//!   in native tests).
//! - [`futures`]: [`Delay`] and [`Join2`], with their inner state visible to the page.
//! - [`manual`]: [`ManualExecutor`]: tasks, the ready queue, and the poll contract.
//!
//! The page that lets the learner drive it is [`crate::demos::be_the_executor`].

pub mod futures;
pub mod manual;
pub mod timer;

pub use futures::{Delay, DelayView, DelayWatch, Join2};
pub use manual::{ManualExecutor, Step};
