//! Where things go: the time ↔ pixel mapping ([`Viewport`]) and the rows ([`Layout`]).
//!
//! From the top: the time axis; one row per **lane** (workers first, then blocking
//! threads, by lane id), one thin row per **wake source** that is not a task and woke
//! someone (reactor, timer, driver, other thread); then one row per **task**, in spawn
//! order. Lanes and sources stay pinned; the task rows scroll under them when there are
//! more than fit. The label column at the left holds the row names.

use std::ops::Range;

use pollscope_shared::instrument::event::LaneKind;

use super::model::{SourceKind, TimelineModel};

pub const AXIS_H: f64 = 24.0;
pub const LABEL_W: f64 = 150.0;
pub const LANE_H: f64 = 20.0;
pub const SOURCE_H: f64 = 16.0;
pub const TASK_H: f64 = 24.0;
pub const GAP: f64 = 8.0;
/// Task rows shown at once; more scroll.
pub const MAX_TASK_ROWS: usize = 14;

/// The visible time window: plot x (pixels from the label column) ↔ run time (ns).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Viewport {
    /// Time at the left edge of the plot.
    pub t0: f64,
    pub ns_per_px: f64,
    /// Width of the plot area in pixels.
    pub width: f64,
}

/// Zooming in stops at this many nanoseconds per pixel.
pub const MIN_NS_PER_PX: f64 = 0.05;

impl Default for Viewport {
    fn default() -> Self {
        Self {
            t0: 0.0,
            ns_per_px: 1000.0,
            width: 600.0,
        }
    }
}

impl Viewport {
    pub fn x(&self, t: f64) -> f64 {
        (t - self.t0) / self.ns_per_px
    }

    pub fn t(&self, x: f64) -> f64 {
        self.t0 + x * self.ns_per_px
    }

    pub fn time_range(&self) -> (f64, f64) {
        (self.t0, self.t(self.width))
    }

    /// Show `0..end` (a little margin on the right).
    pub fn fit(&mut self, end: u64) {
        let span = (end.max(1) as f64) * 1.02;
        self.t0 = 0.0;
        self.ns_per_px = (span / self.width.max(1.0)).max(MIN_NS_PER_PX);
    }

    /// Zoom by `factor` (> 1 zooms in) keeping the time under plot x `at` in place.
    pub fn zoom_at(&mut self, at: f64, factor: f64, end: u64) {
        self.zoom_between(at, at, factor, end);
    }

    /// Zoom by `factor` (> 1 zooms in) and move the time that was under plot x `from` to
    /// plot x `to`: one step of a pinch, whose midpoint may travel while the fingers spread.
    /// The zoom stops at its limits; the time still lands under `to` (unless the window
    /// would leave the run).
    pub fn zoom_between(&mut self, from: f64, to: f64, factor: f64, end: u64) {
        let t = self.t(from);
        self.ns_per_px = (self.ns_per_px / factor).clamp(MIN_NS_PER_PX, self.max_ns_per_px(end));
        self.t0 = t - to * self.ns_per_px;
        self.clamp(end);
    }

    /// Move the window by `dx` pixels (positive: later times come into view).
    pub fn pan(&mut self, dx: f64, end: u64) {
        self.t0 += dx * self.ns_per_px;
        self.clamp(end);
    }

    /// Zooming out stops when the whole run takes a quarter of the width.
    pub fn max_ns_per_px(&self, end: u64) -> f64 {
        (end.max(1) as f64 * 4.0 / self.width.max(1.0)).max(MIN_NS_PER_PX)
    }

    /// Keep some of the run in view.
    fn clamp(&mut self, end: u64) {
        let span = self.width * self.ns_per_px;
        let lo = -span * 0.5;
        let hi = (end as f64 - span * 0.5).max(lo);
        self.t0 = self.t0.clamp(lo, hi);
    }
}

/// What a row shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    /// A lane: index into [`TimelineModel::lanes`].
    Lane(u32),
    Source(SourceKind),
    /// A task: index into [`TimelineModel::tasks`].
    Task(u32),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Row {
    pub kind: RowKind,
    /// Top, in canvas pixels.
    pub y: f64,
    pub h: f64,
}

/// The rows of one frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// Lanes and sources, always shown.
    pub pinned: Vec<Row>,
    /// Top of the task area.
    pub tasks_top: f64,
    pub task_count: usize,
    /// Height of the task area (at most [`MAX_TASK_ROWS`] rows).
    pub tasks_h: f64,
    /// Canvas height.
    pub height: f64,
    /// Task rows scrolled off the top, in pixels.
    pub scroll: f64,
}

fn lane_order(kind: LaneKind) -> u8 {
    match kind {
        LaneKind::Worker => 0,
        LaneKind::Blocking => 1,
        LaneKind::Main => 2,
    }
}

impl Layout {
    pub fn new(model: &TimelineModel, scroll: f64) -> Self {
        let mut lanes: Vec<u32> = (0..model.lanes.len() as u32).collect();
        lanes.sort_by_key(|&i| {
            let l = &model.lanes[i as usize];
            (lane_order(l.kind), l.id)
        });
        let mut y = AXIS_H;
        let mut pinned = Vec::new();
        for i in lanes {
            pinned.push(Row {
                kind: RowKind::Lane(i),
                y,
                h: LANE_H,
            });
            y += LANE_H;
        }
        let mut sources = model.sources_seen().peekable();
        if sources.peek().is_some() {
            y += GAP / 2.0;
        }
        for s in sources {
            pinned.push(Row {
                kind: RowKind::Source(s),
                y,
                h: SOURCE_H,
            });
            y += SOURCE_H;
        }
        let tasks_top = y + GAP;
        let task_count = model.tasks.len();
        let tasks_h = task_count.min(MAX_TASK_ROWS) as f64 * TASK_H;
        let max_scroll = (task_count as f64 * TASK_H - tasks_h).max(0.0);
        Self {
            pinned,
            tasks_top,
            task_count,
            tasks_h,
            height: tasks_top + tasks_h + 4.0,
            scroll: scroll.clamp(0.0, max_scroll),
        }
    }

    pub fn max_scroll(&self) -> f64 {
        (self.task_count as f64 * TASK_H - self.tasks_h).max(0.0)
    }

    /// Top of task row `i` in canvas pixels (may be outside the task area).
    pub fn task_y(&self, i: u32) -> f64 {
        self.tasks_top + f64::from(i) * TASK_H - self.scroll
    }

    /// Task rows at least partly in view.
    pub fn visible_tasks(&self) -> Range<u32> {
        let first = (self.scroll / TASK_H).floor() as u32;
        let last = ((self.scroll + self.tasks_h) / TASK_H).ceil() as u32;
        first..last.min(self.task_count as u32)
    }

    /// Row of a lane or source, if shown.
    pub fn pinned_row(&self, kind: RowKind) -> Option<&Row> {
        self.pinned.iter().find(|r| r.kind == kind)
    }

    /// The row under canvas y.
    pub fn row_at(&self, y: f64) -> Option<Row> {
        if let Some(r) = self.pinned.iter().find(|r| y >= r.y && y < r.y + r.h) {
            return Some(*r);
        }
        if y < self.tasks_top || y >= self.tasks_top + self.tasks_h {
            return None;
        }
        let i = ((y - self.tasks_top + self.scroll) / TASK_H).floor() as u32;
        (i < self.task_count as u32).then(|| Row {
            kind: RowKind::Task(i),
            y: self.task_y(i),
            h: TASK_H,
        })
    }

    /// Lanes shown, and how many of them are workers.
    pub fn lane_counts(&self, model: &TimelineModel) -> (usize, usize) {
        let lanes = self
            .pinned
            .iter()
            .filter_map(|r| match r.kind {
                RowKind::Lane(i) => Some(&model.lanes[i as usize]),
                _ => None,
            })
            .collect::<Vec<_>>();
        let workers = lanes.iter().filter(|l| l.kind == LaneKind::Worker).count();
        (lanes.len(), workers)
    }
}

/// A tick spacing of 1, 2 or 5 × 10^k ns giving ticks at least `min_px` apart.
pub fn tick_step(ns_per_px: f64, min_px: f64) -> f64 {
    let raw = ns_per_px * min_px;
    let mut step = 10f64.powf(raw.max(1e-3).log10().floor());
    for m in [1.0, 2.0, 5.0, 10.0] {
        if step * m >= raw {
            step *= m;
            return step;
        }
    }
    step * 10.0
}

/// A time for the axis, in the unit that suits `step` (the tick spacing).
pub fn format_time(t_ns: f64, step: f64) -> String {
    let (unit, scale) = if step >= 1e8 {
        ("s", 1e9)
    } else if step >= 1e5 {
        ("ms", 1e6)
    } else if step >= 1e2 {
        ("µs", 1e3)
    } else {
        ("ns", 1.0)
    };
    // Enough decimals to tell neighbouring ticks apart.
    let decimals = ((scale / step).log10().ceil().max(0.0)) as usize;
    format!("{:.*} {unit}", decimals, t_ns / scale)
}

/// A duration for tooltips and panels: "850 ns", "12.3 µs", "4.56 ms", "1.234 s".
pub fn format_duration(ns: u64) -> String {
    let ns = ns as f64;
    if ns < 1e3 {
        format!("{ns:.0} ns")
    } else if ns < 1e6 {
        format!("{:.1} µs", ns / 1e3)
    } else if ns < 1e9 {
        format!("{:.2} ms", ns / 1e6)
    } else {
        format!("{:.3} s", ns / 1e9)
    }
}

#[cfg(test)]
mod tests {
    use pollscope_shared::instrument::PollOutcome;

    use super::*;
    use crate::timeline::model::tests::{lane, poll, sample, spawn};

    #[test]
    fn viewport_maps_and_zooms_around_the_cursor() {
        let mut v = Viewport {
            t0: 0.0,
            ns_per_px: 10.0,
            width: 100.0,
        };
        assert_eq!(v.x(500.0), 50.0);
        assert_eq!(v.t(50.0), 500.0);
        v.zoom_at(50.0, 2.0, 1000);
        assert_eq!(v.ns_per_px, 5.0);
        assert_eq!(v.t(50.0), 500.0);
        v.pan(10.0, 1000);
        assert_eq!(v.t0, 300.0);
        // Zooming out stops when the run is a quarter of the width.
        v.zoom_at(0.0, 0.001, 1000);
        assert_eq!(v.ns_per_px, 40.0);
        // Panning far away keeps half a window of the run in view.
        v.pan(1e9, 1000);
        assert_eq!(v.t0, 1000.0 - 2000.0);
        v.fit(1000);
        assert_eq!((v.t0, v.ns_per_px), (0.0, 10.2));
    }

    #[test]
    fn lanes_workers_first_then_sources_then_tasks() {
        let mut m = TimelineModel::new(1);
        // The blocking lane is declared first, but workers come first.
        m.sync(&sample());
        let l = Layout::new(&m, 0.0);
        let kinds: Vec<RowKind> = l.pinned.iter().map(|r| r.kind).collect();
        assert_eq!(
            kinds,
            vec![
                RowKind::Lane(0),
                RowKind::Lane(1),
                RowKind::Lane(2),
                RowKind::Source(SourceKind::Reactor)
            ]
        );
        assert_eq!(l.lane_counts(&m), (3, 2));
        assert_eq!(l.task_count, 2);
        assert_eq!(l.visible_tasks(), 0..2);
        let row = l.row_at(l.task_y(1) + 1.0).unwrap();
        assert_eq!(row.kind, RowKind::Task(1));
        assert_eq!(l.row_at(AXIS_H + 1.0).unwrap().kind, RowKind::Lane(0));
        assert_eq!(l.row_at(1.0), None);
    }

    #[test]
    fn lanes_are_sorted_by_kind_and_id() {
        let mut m = TimelineModel::new(1);
        m.sync(&[
            lane(0, 3, LaneKind::Blocking),
            lane(0, 1, LaneKind::Worker),
            lane(0, 0, LaneKind::Worker),
        ]);
        let l = Layout::new(&m, 0.0);
        let ids: Vec<u32> = l
            .pinned
            .iter()
            .map(|r| match r.kind {
                RowKind::Lane(i) => m.lanes[i as usize].id.0,
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(ids, vec![0, 1, 3]);
    }

    #[test]
    fn many_tasks_scroll() {
        let mut m = TimelineModel::new(1);
        let mut events: Vec<_> = (1..=40).map(|t| spawn(t, t as u32)).collect();
        events.push(poll(100, 200, 40, 0, PollOutcome::Ready, None));
        m.sync(&events);
        let l = Layout::new(&m, 1e9);
        assert_eq!(l.tasks_h, MAX_TASK_ROWS as f64 * TASK_H);
        assert_eq!(l.scroll, l.max_scroll());
        assert_eq!(l.visible_tasks().end, 40);
        assert_eq!(l.visible_tasks().len(), MAX_TASK_ROWS);
        let top = Layout::new(&m, 0.0);
        assert_eq!(top.visible_tasks(), 0..MAX_TASK_ROWS as u32);
    }

    #[test]
    fn ticks_and_units() {
        assert_eq!(tick_step(1000.0, 80.0), 100_000.0);
        assert_eq!(tick_step(3.0, 80.0), 500.0);
        assert_eq!(format_time(2_500_000.0, 500_000.0), "2.5 ms");
        assert_eq!(format_time(3_000_000.0, 1_000_000.0), "3 ms");
        assert_eq!(format_time(1500.0, 500.0), "1.5 µs");
        assert_eq!(format_time(40.0, 20.0), "40 ns");
        assert_eq!(format_time(2e9, 1e9), "2 s");
        assert_eq!(format_duration(850), "850 ns");
        assert_eq!(format_duration(12_345), "12.3 µs");
        assert_eq!(format_duration(4_560_000), "4.56 ms");
    }
}
