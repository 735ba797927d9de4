//! The playback cursor: which recorded event is "current".
//!
//! While a run streams the cursor follows the latest event ([`Mode::Live`]). The learner
//! can step one event back or forward, scrub to any event, or play the recording from the
//! cursor at a chosen speed (events per second). Stepping or scrubbing leaves live-follow;
//! [`Playback::follow_live`] returns to it. All of it is plain state, unit-tested natively.

/// How the cursor moves on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// At the latest event, moving as events arrive.
    Live,
    /// Still, at `cursor`.
    Paused,
    /// Moving forward at `speed` events per second.
    Playing,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Live => "live",
            Self::Paused => "paused",
            Self::Playing => "playing",
        }
    }
}

/// Playback speeds offered, in events per second.
pub const SPEEDS: [f64; 6] = [1.0, 10.0, 100.0, 1_000.0, 10_000.0, 100_000.0];

#[derive(Debug, Clone, PartialEq)]
pub struct Playback {
    pub mode: Mode,
    /// The current event when not live.
    cursor: usize,
    /// Events per second while playing.
    pub speed: f64,
    /// Fractional events owed to the next tick.
    carry: f64,
}

impl Default for Playback {
    fn default() -> Self {
        Self {
            mode: Mode::Live,
            cursor: 0,
            speed: 100.0,
            carry: 0.0,
        }
    }
}

impl Playback {
    /// The index of the current event among `total`, if there is any event.
    pub fn current(&self, total: usize) -> Option<usize> {
        match (total, self.mode) {
            (0, _) => None,
            (_, Mode::Live) => Some(total - 1),
            _ => Some(self.cursor.min(total - 1)),
        }
    }

    /// Leave live-follow at the current event.
    fn hold(&mut self, total: usize) {
        if let Some(c) = self.current(total) {
            self.cursor = c;
        }
        if self.mode == Mode::Live {
            self.mode = Mode::Paused;
        }
    }

    pub fn step_back(&mut self, total: usize) {
        self.hold(total);
        self.mode = Mode::Paused;
        self.cursor = self.cursor.saturating_sub(1);
    }

    pub fn step_forward(&mut self, total: usize) {
        self.hold(total);
        self.mode = Mode::Paused;
        self.cursor = (self.cursor + 1).min(total.saturating_sub(1));
    }

    /// Jump to event `index` (clamped).
    pub fn scrub(&mut self, index: usize, total: usize) {
        self.mode = Mode::Paused;
        self.cursor = index.min(total.saturating_sub(1));
    }

    /// Play from the cursor; from the start if the cursor is at the end.
    pub fn play(&mut self, total: usize) {
        self.hold(total);
        if total > 0 && self.cursor + 1 >= total {
            self.cursor = 0;
        }
        self.carry = 0.0;
        self.mode = Mode::Playing;
    }

    pub fn pause(&mut self, total: usize) {
        self.hold(total);
        self.mode = Mode::Paused;
    }

    pub fn toggle(&mut self, total: usize) {
        if self.mode == Mode::Playing {
            self.pause(total);
        } else {
            self.play(total);
        }
    }

    pub fn follow_live(&mut self) {
        self.mode = Mode::Live;
    }

    /// A new recording: back to live-follow, keeping the speed.
    pub fn reset(&mut self) {
        *self = Self {
            speed: self.speed,
            ..Self::default()
        };
    }

    /// Advance by `dt_ms` of wall time. Returns whether the current event changed. Playing
    /// stops at the latest event.
    pub fn tick(&mut self, dt_ms: f64, total: usize) -> bool {
        if self.mode != Mode::Playing || total == 0 {
            return false;
        }
        self.carry += dt_ms.clamp(0.0, 250.0) * self.speed / 1000.0;
        let steps = self.carry.floor();
        if steps < 1.0 {
            return false;
        }
        self.carry -= steps;
        let before = self.cursor;
        self.cursor = (self.cursor + steps as usize).min(total - 1);
        if self.cursor == total - 1 {
            self.mode = Mode::Paused;
        }
        self.cursor != before
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_follows_the_latest_event() {
        let p = Playback::default();
        assert_eq!(p.current(0), None);
        assert_eq!(p.current(10), Some(9));
        assert_eq!(p.current(11), Some(10));
    }

    #[test]
    fn stepping_leaves_live_and_stays_in_bounds() {
        let mut p = Playback::default();
        p.step_back(10);
        assert_eq!((p.mode, p.current(10)), (Mode::Paused, Some(8)));
        // More events arrive: the cursor stays.
        assert_eq!(p.current(20), Some(8));
        p.step_forward(20);
        assert_eq!(p.current(20), Some(9));
        for _ in 0..30 {
            p.step_back(20);
        }
        assert_eq!(p.current(20), Some(0));
        for _ in 0..30 {
            p.step_forward(20);
        }
        assert_eq!(p.current(20), Some(19));
        p.follow_live();
        assert_eq!(p.current(25), Some(24));
    }

    #[test]
    fn scrub_clamps() {
        let mut p = Playback::default();
        p.scrub(5, 10);
        assert_eq!((p.mode, p.current(10)), (Mode::Paused, Some(5)));
        p.scrub(50, 10);
        assert_eq!(p.current(10), Some(9));
    }

    #[test]
    fn playing_moves_at_the_speed_and_stops_at_the_end() {
        let mut p = Playback {
            speed: 100.0,
            ..Playback::default()
        };
        p.scrub(0, 50);
        p.play(50);
        assert_eq!(p.mode, Mode::Playing);
        // 100 events/s: 5 ms is half an event, 10 ms completes it.
        assert!(!p.tick(5.0, 50));
        assert!(p.tick(5.0, 50));
        assert_eq!(p.current(50), Some(1));
        assert!(p.tick(100.0, 50));
        assert_eq!(p.current(50), Some(11));
        // A long pause (a hidden tab) does not jump far.
        p.tick(10_000.0, 50);
        assert_eq!(p.current(50), Some(36));
        p.tick(1_000.0, 50);
        assert_eq!((p.mode, p.current(50)), (Mode::Paused, Some(49)));
        // Play at the end starts over.
        p.play(50);
        assert_eq!(p.current(50), Some(0));
        p.toggle(50);
        assert_eq!(p.mode, Mode::Paused);
    }

    #[test]
    fn paused_and_live_do_not_tick() {
        let mut p = Playback::default();
        assert!(!p.tick(1000.0, 10));
        p.pause(10);
        assert!(!p.tick(1000.0, 10));
        assert_eq!(p.current(10), Some(9));
    }

    #[test]
    fn reset_keeps_the_speed() {
        let mut p = Playback {
            speed: 10.0,
            ..Playback::default()
        };
        p.scrub(3, 10);
        p.reset();
        assert_eq!((p.mode, p.speed), (Mode::Live, 10.0));
    }
}
