//! Pointer gestures on the timeline: mouse, pen and touch through one path (the browser's
//! Pointer Events), turned into changes of the [`Viewport`]. Pure Rust, no browser.
//!
//! - **One pointer drags**: the time under the finger stays under the finger (the window
//!   pans), and the vertical part of the drag scrolls the task rows. A pointer that moves
//!   less than [`SLOP_PX`] before it lifts is a **tap** (a click: select the task's row).
//! - **Two pointers pinch**: the window zooms by the ratio of the fingers' distances, and
//!   the time under their midpoint follows the midpoint. Lifting one finger mid-pinch goes
//!   on as a one-finger drag from where that finger is, with no jump.
//! - **Two taps** within [`DOUBLE_TAP_MS`] and [`DOUBLE_TAP_PX`] of each other (a mouse
//!   double-click is the same) ask for the whole run again ("fit").
//!
//! At most [`MAX_POINTERS`] are tracked; a third finger is ignored until one lifts. The
//! zoom stays within the viewport's limits. Coordinates are plot x (pixels from the label
//! column) and canvas y; times of taps are the events' own time stamps, in milliseconds.

use super::layout::Viewport;

/// Pointers tracked at once: one drags, two pinch.
pub const MAX_POINTERS: usize = 2;
/// A pointer that travels less than this (|dx| + |dy|, pixels) before lifting is a tap.
pub const SLOP_PX: f64 = 4.0;
/// Two taps at most this far apart in time are a double tap.
pub const DOUBLE_TAP_MS: f64 = 400.0;
/// ...and at most this far apart on the canvas (|dx| + |dy|, pixels).
pub const DOUBLE_TAP_PX: f64 = 30.0;
/// Fingers closer than this give no zoom (their ratio would be noise), only a pan.
const MIN_PINCH_PX: f64 = 8.0;

/// A pointer being tracked, at its last position the view has followed.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Finger {
    id: i32,
    x: f64,
    y: f64,
}

/// What a pointer move did: whether the time window changed, and how far (pixels) to
/// scroll the task rows (positive: further down the list).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Motion {
    pub view_changed: bool,
    pub scroll_dy: f64,
}

/// What lifting a pointer means.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Release {
    /// Nothing more (the end of a drag or pinch, or a pointer not tracked).
    Nothing,
    /// A tap (a click) at (x, y).
    Tap { x: f64, y: f64 },
    /// The second tap of a double tap, at (x, y).
    DoubleTap { x: f64, y: f64 },
}

/// The pointers down on the canvas and what they are doing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Gesture {
    /// At most [`MAX_POINTERS`], in the order they went down.
    fingers: Vec<Finger>,
    /// Where the first pointer went down.
    start: (f64, f64),
    /// Past the slop, or pinched: whatever lifts now is not a tap.
    moved: bool,
    /// The last tap: its time stamp (ms) and position, for double taps.
    last_tap: Option<(f64, f64, f64)>,
}

fn midpoint(a: Finger, b: Finger) -> (f64, f64) {
    ((a.x + b.x) / 2.0, (a.y + b.y) / 2.0)
}

fn distance(a: Finger, b: Finger) -> f64 {
    (a.x - b.x).hypot(a.y - b.y)
}

impl Gesture {
    /// Pointers being tracked.
    pub fn active(&self) -> usize {
        self.fingers.len()
    }

    /// Whether a drag or pinch is under way (the tooltip should stay hidden).
    pub fn dragging(&self) -> bool {
        !self.fingers.is_empty() && self.moved
    }

    /// Pointer `id` went down at (x, y). Returns whether it is tracked (not a third
    /// finger, nor one already down).
    pub fn down(&mut self, id: i32, x: f64, y: f64) -> bool {
        if self.fingers.len() >= MAX_POINTERS || self.fingers.iter().any(|f| f.id == id) {
            return false;
        }
        if self.fingers.is_empty() {
            self.start = (x, y);
            self.moved = false;
        } else {
            // A second finger makes a pinch, never a tap.
            self.moved = true;
        }
        self.fingers.push(Finger { id, x, y });
        true
    }

    /// Pointer `id` moved to (x, y): pan or pinch `view` (a run ending at `end` ns).
    pub fn moved(&mut self, id: i32, x: f64, y: f64, view: &mut Viewport, end: u64) -> Motion {
        let Some(k) = self.fingers.iter().position(|f| f.id == id) else {
            return Motion::default();
        };
        if self.fingers.len() == 1 {
            if !self.moved {
                if (x - self.start.0).abs() + (y - self.start.1).abs() <= SLOP_PX {
                    // Still a tap: the view stays, and the finger keeps its reference
                    // point, so that the drag, once it starts, takes the whole way.
                    return Motion::default();
                }
                self.moved = true;
            }
            let f = &mut self.fingers[0];
            let (dx, dy) = (x - f.x, y - f.y);
            (f.x, f.y) = (x, y);
            if dx != 0.0 {
                view.pan(-dx, end);
            }
            return Motion {
                view_changed: dx != 0.0,
                scroll_dy: -dy,
            };
        }
        let (a, b) = (self.fingers[0], self.fingers[1]);
        let (m0, d0) = (midpoint(a, b), distance(a, b));
        self.fingers[k].x = x;
        self.fingers[k].y = y;
        let (a, b) = (self.fingers[0], self.fingers[1]);
        let (m1, d1) = (midpoint(a, b), distance(a, b));
        let factor = if d0 >= MIN_PINCH_PX && d1 >= MIN_PINCH_PX {
            d1 / d0
        } else {
            1.0
        };
        let before = *view;
        view.zoom_between(m0.0, m1.0, factor, end);
        Motion {
            view_changed: *view != before,
            scroll_dy: -(m1.1 - m0.1),
        }
    }

    /// Pointer `id` lifted at (x, y) at time stamp `t_ms`.
    pub fn up(&mut self, id: i32, x: f64, y: f64, t_ms: f64) -> Release {
        let Some(k) = self.fingers.iter().position(|f| f.id == id) else {
            return Release::Nothing;
        };
        self.fingers.remove(k);
        if !self.fingers.is_empty() {
            // Mid-pinch: the finger left goes on dragging from where it is.
            return Release::Nothing;
        }
        if self.moved {
            self.last_tap = None;
            return Release::Nothing;
        }
        let double = self.last_tap.take().is_some_and(|(t, tx, ty)| {
            t_ms - t <= DOUBLE_TAP_MS && (x - tx).abs() + (y - ty).abs() <= DOUBLE_TAP_PX
        });
        if double {
            Release::DoubleTap { x, y }
        } else {
            self.last_tap = Some((t_ms, x, y));
            Release::Tap { x, y }
        }
    }

    /// Pointer `id` was taken away by the browser (say, a system gesture): forget it,
    /// with no tap.
    pub fn cancel(&mut self, id: i32) {
        self.fingers.retain(|f| f.id != id);
        self.moved = true;
        self.last_tap = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timeline::layout::MIN_NS_PER_PX;

    /// 10 ns per pixel, 600 px showing 1000..7000 ns of a 100 µs run: far from its ends,
    /// so that nothing clamps unless a test means it to.
    const END: u64 = 100_000;

    fn view() -> Viewport {
        Viewport {
            t0: 1_000.0,
            ns_per_px: 10.0,
            width: 600.0,
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-6 * a.abs().max(b.abs()).max(1.0)
    }

    #[test]
    fn a_drag_keeps_the_time_under_the_finger() {
        let (mut g, mut v) = (Gesture::default(), view());
        let under = v.t(100.0);
        assert!(g.down(1, 100.0, 50.0));
        // Within the slop nothing moves yet.
        assert_eq!(g.moved(1, 102.0, 50.0, &mut v, END), Motion::default());
        assert_eq!(v, view());
        let m = g.moved(1, 160.0, 50.0, &mut v, END);
        assert!(m.view_changed);
        assert!(close(v.t(160.0), under), "{} vs {under}", v.t(160.0));
        g.moved(1, 40.0, 50.0, &mut v, END);
        assert!(close(v.t(40.0), under));
        // The scale never changes in a drag.
        assert_eq!(v.ns_per_px, view().ns_per_px);
        assert_eq!(g.up(1, 40.0, 50.0, 0.0), Release::Nothing);
        assert_eq!(g.active(), 0);
    }

    #[test]
    fn a_vertical_drag_scrolls_the_rows() {
        let (mut g, mut v) = (Gesture::default(), view());
        g.down(1, 100.0, 100.0);
        let m = g.moved(1, 100.0, 70.0, &mut v, END);
        // Finger up by 30 px: the rows below come up, as on any touch screen.
        assert_eq!(m.scroll_dy, 30.0);
        assert!(!m.view_changed);
        assert_eq!(v, view());
    }

    #[test]
    fn a_pinch_zooms_by_the_finger_distance_ratio_around_the_midpoint() {
        let (mut g, mut v) = (Gesture::default(), view());
        g.down(1, 250.0, 40.0);
        g.down(2, 350.0, 40.0);
        let mid = v.t(300.0);
        // Spread from 100 px apart to 300 px apart, symmetrically: three times closer.
        g.moved(1, 200.0, 40.0, &mut v, END);
        g.moved(2, 400.0, 40.0, &mut v, END);
        g.moved(1, 150.0, 40.0, &mut v, END);
        g.moved(2, 450.0, 40.0, &mut v, END);
        assert!(close(v.ns_per_px, 10.0 / 3.0), "{}", v.ns_per_px);
        assert!(close(v.t(300.0), mid), "{} vs {mid}", v.t(300.0));
        // Pinching back in to 150 px apart: 150 / 100 times closer than at the start.
        g.moved(1, 225.0, 40.0, &mut v, END);
        g.moved(2, 375.0, 40.0, &mut v, END);
        assert!(close(v.ns_per_px, 10.0 * 100.0 / 150.0), "{}", v.ns_per_px);
        assert!(close(v.t(300.0), mid));
    }

    #[test]
    fn a_travelling_pinch_carries_the_time_under_its_midpoint() {
        let (mut g, mut v) = (Gesture::default(), view());
        g.down(1, 100.0, 40.0);
        g.down(2, 200.0, 40.0);
        let mid = v.t(150.0);
        // The fingers end 200 px apart (twice as far), their midpoint 150 px further right.
        g.moved(2, 400.0, 40.0, &mut v, END);
        g.moved(1, 200.0, 40.0, &mut v, END);
        assert!(close(v.ns_per_px, 5.0), "{}", v.ns_per_px);
        assert!(close(v.t(300.0), mid), "{} vs {mid}", v.t(300.0));
    }

    #[test]
    fn pinching_stops_at_the_zoom_limits() {
        let (mut g, mut v) = (Gesture::default(), view());
        // Spread from 10 px to 600 px apart, lift, again: far past the finest zoom.
        for _ in 0..5 {
            g.down(1, 295.0, 0.0);
            g.down(2, 305.0, 0.0);
            g.moved(1, 0.0, 0.0, &mut v, END);
            g.moved(2, 600.0, 0.0, &mut v, END);
            g.up(1, 0.0, 0.0, 0.0);
            g.up(2, 600.0, 0.0, 0.0);
        }
        assert_eq!(v.ns_per_px, MIN_NS_PER_PX);
        // And all the way out: no wider than the run's limit.
        let mut v = view();
        for _ in 0..5 {
            g.down(1, 0.0, 0.0);
            g.down(2, 600.0, 0.0);
            g.moved(1, 295.0, 0.0, &mut v, END);
            g.moved(2, 305.0, 0.0, &mut v, END);
            g.up(1, 295.0, 0.0, 0.0);
            g.up(2, 305.0, 0.0, 0.0);
        }
        assert_eq!(v.ns_per_px, v.max_ns_per_px(END));
        assert!(v.ns_per_px > view().ns_per_px);
    }

    #[test]
    fn a_third_pointer_is_ignored() {
        let (mut g, mut v) = (Gesture::default(), view());
        assert!(g.down(1, 100.0, 0.0));
        assert!(g.down(2, 200.0, 0.0));
        assert!(!g.down(3, 400.0, 0.0));
        assert!(!g.down(2, 250.0, 0.0), "a pointer already down");
        assert_eq!(g.active(), 2);
        assert_eq!(g.moved(3, 500.0, 0.0, &mut v, END), Motion::default());
        assert_eq!(v, view());
        assert_eq!(g.up(3, 500.0, 0.0, 0.0), Release::Nothing);
        assert_eq!(g.active(), 2);
    }

    #[test]
    fn lifting_a_finger_mid_pinch_goes_on_as_a_drag() {
        let (mut g, mut v) = (Gesture::default(), view());
        g.down(1, 100.0, 40.0);
        g.down(2, 200.0, 40.0);
        g.moved(2, 300.0, 40.0, &mut v, END);
        let zoomed = v.ns_per_px;
        assert!(zoomed < view().ns_per_px);
        assert_eq!(g.up(1, 100.0, 40.0, 10.0), Release::Nothing);
        assert_eq!(g.active(), 1);
        // The finger left drags from where it is: no jump, no more zoom, no tap.
        let under = v.t(300.0);
        assert!(!g.moved(2, 300.0, 40.0, &mut v, END).view_changed);
        g.moved(2, 350.0, 40.0, &mut v, END);
        assert!(close(v.t(350.0), under));
        assert_eq!(v.ns_per_px, zoomed);
        assert_eq!(g.up(2, 350.0, 40.0, 20.0), Release::Nothing);
    }

    #[test]
    fn taps_click_and_two_quick_taps_ask_for_the_whole_run() {
        let mut g = Gesture::default();
        g.down(1, 100.0, 50.0);
        assert_eq!(
            g.up(1, 101.0, 50.0, 1_000.0),
            Release::Tap { x: 101.0, y: 50.0 }
        );
        g.down(1, 105.0, 52.0);
        assert_eq!(
            g.up(1, 105.0, 52.0, 1_200.0),
            Release::DoubleTap { x: 105.0, y: 52.0 }
        );
        // A third tap starts over; a slow second tap is just a tap.
        g.down(1, 105.0, 52.0);
        assert!(matches!(g.up(1, 105.0, 52.0, 1_300.0), Release::Tap { .. }));
        g.down(1, 105.0, 52.0);
        let late = 1_300.0 + DOUBLE_TAP_MS + 1.0;
        assert!(matches!(g.up(1, 105.0, 52.0, late), Release::Tap { .. }));
        // Far apart is two taps, too.
        g.down(1, 400.0, 52.0);
        assert!(matches!(
            g.up(1, 400.0, 52.0, late + 10.0),
            Release::Tap { .. }
        ));
        // A drag is no tap, and a cancelled pointer neither.
        let mut v = view();
        g.down(1, 400.0, 52.0);
        g.moved(1, 440.0, 52.0, &mut v, END);
        assert_eq!(g.up(1, 440.0, 52.0, late + 20.0), Release::Nothing);
        g.down(1, 400.0, 52.0);
        g.cancel(1);
        assert_eq!(g.active(), 0);
        assert_eq!(g.up(1, 400.0, 52.0, late + 30.0), Release::Nothing);
    }

    #[test]
    fn a_pinch_is_never_a_tap() {
        let mut g = Gesture::default();
        g.down(1, 100.0, 50.0);
        g.down(2, 200.0, 50.0);
        assert_eq!(g.up(2, 200.0, 50.0, 0.0), Release::Nothing);
        assert_eq!(g.up(1, 100.0, 50.0, 10.0), Release::Nothing);
    }
}
