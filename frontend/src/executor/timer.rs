//! Timer sources for [`super::Delay`].
//!
//! A delay arms a timer on its first poll and hands it a callback that wakes the task. In
//! the browser the timer is a real `setTimeout` (through gloo); in native tests it is a
//! queue the test fires by hand, so every step is deterministic.

use std::cell::RefCell;
use std::rc::Rc;

/// Keeps an armed timer alive; dropping it cancels the timer.
pub type TimerHandle = Box<dyn std::any::Any>;

pub trait TimerSource {
    /// Call `fire` once, after `ms` milliseconds.
    fn start(&self, ms: u32, fire: Box<dyn FnOnce()>) -> TimerHandle;
}

/// Browser timers: `setTimeout` through gloo.
#[derive(Debug, Clone, Copy, Default)]
pub struct BrowserTimers;

impl TimerSource for BrowserTimers {
    fn start(&self, ms: u32, fire: Box<dyn FnOnce()>) -> TimerHandle {
        Box::new(gloo_timers::callback::Timeout::new(ms, fire))
    }
}

/// An armed timer: its delay and the callback to call when it fires.
type Armed = (u32, Box<dyn FnOnce()>);

/// Timers fired by hand, for tests: nothing happens until [`ManualTimers::fire_next`].
#[derive(Clone, Default)]
pub struct ManualTimers {
    armed: Rc<RefCell<Vec<Armed>>>,
}

impl ManualTimers {
    /// How many timers are armed and not fired yet.
    pub fn armed(&self) -> usize {
        self.armed.borrow().len()
    }

    /// Fire the armed timer with the shortest delay (ties: the first armed). Returns its
    /// delay, or `None` if no timer is armed.
    pub fn fire_next(&self) -> Option<u32> {
        let (ms, fire) = {
            let mut armed = self.armed.borrow_mut();
            let index = (0..armed.len()).min_by_key(|&i| armed[i].0)?;
            armed.remove(index)
        };
        // Called with the borrow released: the callback wakes a task, which may arm more.
        fire();
        Some(ms)
    }
}

impl TimerSource for ManualTimers {
    fn start(&self, ms: u32, fire: Box<dyn FnOnce()>) -> TimerHandle {
        self.armed.borrow_mut().push((ms, fire));
        Box::new(())
    }
}
