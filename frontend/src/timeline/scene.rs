//! One frame, as plain data: rectangles, lines, triangles and texts grouped by [`Paint`],
//! built from the model, the layout and the viewport. [`super::draw`] only paints it.
//!
//! Building the scene is where the level of detail happens (through
//! [`super::buckets::visible`]), and where the frame's counts come from ([`SceneStats`]:
//! bars drawn one by one, buckets, polls inside buckets, arrows), which the component
//! exposes to tests as `data-*` attributes. Keeping it pure means the counts are tested
//! natively, and the canvas code stays a loop over the groups.

use super::buckets::{Lod, visible};
use super::layout::{LABEL_W, Layout, Row, RowKind, TASK_H, Viewport, format_time, tick_step};
use super::model::{SourceKind, TimelineModel, Track, Waker};
use crate::theme::Theme;

/// What to fill or stroke with. The order of the variants is the drawing order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Paint {
    RowAlt,
    CurrentRow,
    Selected,
    Park,
    Grid,
    Span,
    Ready,
    Pending,
    Panicked,
    ReadyDim,
    PendingDim,
    WakeTask,
    WakeReactor,
    WakeTimer,
    WakeDriver,
    WakeThread,
    WakeUnknown,
    Future,
    Cursor,
    Highlight,
    PanicMark,
    Axis,
    Text,
    TextMuted,
}

pub const PAINTS: usize = Paint::TextMuted as usize + 1;

impl Paint {
    pub const ALL: [Paint; PAINTS] = [
        Paint::RowAlt,
        Paint::CurrentRow,
        Paint::Selected,
        Paint::Park,
        Paint::Grid,
        Paint::Span,
        Paint::Ready,
        Paint::Pending,
        Paint::Panicked,
        Paint::ReadyDim,
        Paint::PendingDim,
        Paint::WakeTask,
        Paint::WakeReactor,
        Paint::WakeTimer,
        Paint::WakeDriver,
        Paint::WakeThread,
        Paint::WakeUnknown,
        Paint::Future,
        Paint::Cursor,
        Paint::Highlight,
        Paint::PanicMark,
        Paint::Axis,
        Paint::Text,
        Paint::TextMuted,
    ];

    /// The CSS colour in `theme` (see [`super::palette`]).
    pub fn color(self, theme: Theme) -> &'static str {
        super::palette::color(self, theme)
    }

    /// The colour as opaque RGBA bytes, blended over the theme's canvas background (for
    /// the pixel buffer).
    pub fn rgba(self, theme: Theme) -> [u8; 4] {
        super::palette::over(self.color(theme), super::palette::background(theme))
    }

    /// Drawn hatched (diagonal stripes of the colour and a shade of it toward the ink):
    /// Pending polls, so they differ from Ready ones without colour.
    pub fn hatched(self) -> bool {
        matches!(self, Paint::Pending | Paint::PendingDim)
    }

    /// The dash of a wake arrow's shaft, as alternating on / off lengths in CSS pixels
    /// (empty: solid), so each wake source reads without colour too.
    pub fn dash(self) -> &'static [f64] {
        match self {
            Paint::WakeReactor => &[4.0, 2.0],
            Paint::WakeTimer => &[1.0, 2.0],
            Paint::WakeDriver => &[6.0, 2.0, 1.0, 2.0],
            Paint::WakeThread => &[2.0, 4.0],
            _ => &[],
        }
    }

    /// The name of the paint's `--paint-*` custom property, for those the legend shows.
    pub fn css_name(self) -> Option<&'static str> {
        Some(match self {
            Paint::Ready => "ready",
            Paint::Pending => "pending",
            Paint::Panicked => "panicked",
            Paint::Span => "span",
            Paint::Park => "park",
            Paint::WakeTask => "wake-task",
            Paint::WakeReactor => "wake-reactor",
            Paint::WakeTimer => "wake-timer",
            Paint::WakeDriver => "wake-driver",
            Paint::WakeThread => "wake-thread",
            Paint::Cursor => "cursor",
            Paint::PanicMark => "panic-mark",
            _ => return None,
        })
    }

    pub fn line_width(self) -> f64 {
        match self {
            Paint::Cursor | Paint::Highlight => 2.0,
            _ => 1.0,
        }
    }

    pub fn wake(by: Waker) -> Paint {
        match by {
            Waker::Task(_) => Paint::WakeTask,
            Waker::Source(SourceKind::Reactor) => Paint::WakeReactor,
            Waker::Source(SourceKind::Timer) => Paint::WakeTimer,
            Waker::Source(SourceKind::Driver) => Paint::WakeDriver,
            Waker::Source(SourceKind::Thread) => Paint::WakeThread,
            Waker::Unknown => Paint::WakeUnknown,
        }
    }

    pub fn source(s: SourceKind) -> Paint {
        Paint::wake(Waker::Source(s))
    }
}

/// Shapes of one paint.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Layer {
    /// x, y, w, h (filled).
    pub rects: Vec<[f64; 4]>,
    /// x, y, w, h (stroked).
    pub outlines: Vec<[f64; 4]>,
    /// x0, y0, x1, y1.
    pub lines: Vec<[f64; 4]>,
    /// Three corners (filled).
    pub tris: Vec<[f64; 6]>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Text {
    pub x: f64,
    pub y: f64,
    pub text: String,
    pub paint: Paint,
    /// Centred on x (axis labels) rather than starting at x.
    pub centered: bool,
}

/// What one frame drew; the component exposes these as `data-*` attributes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SceneStats {
    /// Poll bars drawn one by one in task rows.
    pub bars: usize,
    /// Buckets drawn in task rows, and the polls inside them.
    pub buckets: usize,
    pub bucketed_polls: usize,
    /// Poll bars and buckets drawn in lane rows.
    pub lane_bars: usize,
    pub lane_buckets: usize,
    /// Wake arrows drawn.
    pub arrows: usize,
    /// Shapes in total.
    pub shapes: usize,
}

/// The current event, as the timeline highlights it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Highlight {
    pub t: u64,
    /// The task row the event is about.
    pub task: Option<u32>,
    /// The lane row (park, unpark, or the poll's lane).
    pub lane: Option<u32>,
    /// The poll that started or ended.
    pub poll: Option<u32>,
    /// The wake.
    pub wake: Option<u32>,
    /// Dim everything after it (replaying, not live).
    pub dim_future: bool,
}

/// Everything one frame paints.
#[derive(Debug, Clone, PartialEq)]
pub struct Scene {
    pub width: f64,
    pub height: f64,
    pub layers: Vec<Layer>,
    pub texts: Vec<Text>,
    pub stats: SceneStats,
}

/// More wakes than this in view: wake ticks only, no arrows.
pub const MAX_ARROWS: usize = 500;

impl Scene {
    fn layer(&mut self, p: Paint) -> &mut Layer {
        &mut self.layers[p as usize]
    }

    fn rect(&mut self, p: Paint, x: f64, y: f64, w: f64, h: f64) {
        self.layers[p as usize].rects.push([x, y, w, h]);
    }

    /// A bar from x0 to x1 in a row, snapped to whole pixels (at least one wide). It
    /// joins the previous bar of the same paint in the same row if they touch on screen:
    /// the pixels are the same, the shapes fewer.
    fn bar(&mut self, p: Paint, x0: f64, x1: f64, y: f64, h: f64) {
        let a = x0.round();
        let b = x1.round().max(a + 1.0);
        let rects = &mut self.layers[p as usize].rects;
        match rects.last_mut() {
            Some(r) if r[1] == y && r[3] == h && a <= r[0] + r[2] && a >= r[0] => {
                r[2] = r[2].max(b - r[0]);
            }
            _ => rects.push([a, y, b - a, h]),
        }
    }

    /// A cross over the bar from x0 to x1 in a row: a panicked poll, marked by shape as
    /// well as by colour.
    fn cross(&mut self, x0: f64, x1: f64, y: f64, h: f64) {
        let (cx, cy) = ((x0 + x1) / 2.0, y + h / 2.0);
        let r = (h / 2.0).min(4.0);
        let lines = &mut self.layers[Paint::PanicMark as usize].lines;
        lines.push([cx - r, cy - r, cx + r, cy + r]);
        lines.push([cx - r, cy + r, cx + r, cy - r]);
    }

    fn text(&mut self, x: f64, y: f64, text: String, paint: Paint, centered: bool) {
        self.texts.push(Text {
            x,
            y,
            text,
            paint,
            centered,
        });
    }
}

/// The pieces a scene is built from.
pub struct SceneInput<'a> {
    pub model: &'a TimelineModel,
    pub layout: &'a Layout,
    pub view: &'a Viewport,
    /// Canvas width (label column + plot).
    pub width: f64,
    pub highlight: Option<Highlight>,
    /// Task row selected for the details panel.
    pub selected: Option<u32>,
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

/// Label of a lane row.
pub fn lane_label(model: &TimelineModel, i: u32) -> String {
    let l = &model.lanes[i as usize];
    let kind = match l.kind {
        pollscope_shared::instrument::event::LaneKind::Worker => "",
        pollscope_shared::instrument::event::LaneKind::Blocking => " (blocking)",
        pollscope_shared::instrument::event::LaneKind::Main => " (main)",
    };
    format!("{} #{}{kind}", l.name, l.id.0)
}

/// Label of a task row.
pub fn task_label(model: &TimelineModel, i: u32) -> String {
    let t = &model.tasks[i as usize];
    format!("#{} {}", t.id.0, t.name)
}

struct Ctx<'a> {
    model: &'a TimelineModel,
    view: &'a Viewport,
    /// Clip for the plot: x range and y range of the area being drawn.
    x_max: f64,
}

impl Ctx<'_> {
    fn x(&self, t: f64) -> f64 {
        LABEL_W + self.view.x(t)
    }

    /// Clip a span of plot x to the plot area; None if nothing is left.
    fn clip_x(&self, x0: f64, x1: f64) -> Option<(f64, f64)> {
        let (a, b) = (x0.max(LABEL_W), x1.min(self.x_max));
        (b > a).then_some((a, b))
    }
}

/// Poll bars (or buckets) of one track in one row; returns (bars, buckets, bucketed).
fn draw_polls(
    scene: &mut Scene,
    c: &Ctx<'_>,
    track: &Track,
    y: f64,
    h: f64,
) -> (usize, usize, usize) {
    let (mut bars, mut buckets, mut bucketed) = (0, 0, 0);
    let model = c.model;
    visible(&track.items, c.view, model.now, |lod| match lod {
        Lod::One(i) => {
            let it = track.items[i];
            let x0 = c.x(it.start as f64);
            let x1 = c.x(model.end_of(it.end) as f64).max(x0 + 1.0);
            let paint = match model.polls[it.id as usize].outcome {
                pollscope_shared::instrument::PollOutcome::Ready => Paint::Ready,
                pollscope_shared::instrument::PollOutcome::Pending => Paint::Pending,
                pollscope_shared::instrument::PollOutcome::Panicked => Paint::Panicked,
            };
            if let Some((a, b)) = c.clip_x(x0, x1) {
                scene.bar(paint, a, b, y, h);
                bars += 1;
                if paint == Paint::Panicked {
                    scene.cross(a, b, y, h);
                }
            }
        }
        Lod::Bucket {
            first,
            end,
            x,
            x_end,
        } => {
            let counts = track.counts(first, end);
            let width_ns = (x_end - x) * c.view.ns_per_px;
            let dense = counts.busy_ns as f64 >= width_ns * 0.5;
            let paint = if counts.panicked > 0 {
                Paint::Panicked
            } else if counts.pending >= counts.ready {
                if dense {
                    Paint::Pending
                } else {
                    Paint::PendingDim
                }
            } else if dense {
                Paint::Ready
            } else {
                Paint::ReadyDim
            };
            let (x0, x1) = (LABEL_W + x, LABEL_W + x_end);
            if let Some((a, b)) = c.clip_x(x0, x1) {
                scene.bar(paint, a, b, y, h);
                if paint == Paint::Panicked {
                    scene.cross(a, b, y, h);
                }
                buckets += 1;
                bucketed += counts.items as usize;
            }
        }
    });
    (bars, buckets, bucketed)
}

/// Plain intervals (parks, spans) of one track in one row.
fn draw_intervals(scene: &mut Scene, c: &Ctx<'_>, track: &Track, paint: Paint, y: f64, h: f64) {
    let model = c.model;
    visible(&track.items, c.view, model.now, |lod| {
        let (x0, x1) = match lod {
            Lod::One(i) => {
                let it = track.items[i];
                let x0 = c.x(it.start as f64);
                (x0, c.x(model.end_of(it.end) as f64).max(x0 + 1.0))
            }
            Lod::Bucket { x, x_end, .. } => (LABEL_W + x, LABEL_W + x_end),
        };
        if let Some((a, b)) = c.clip_x(x0, x1) {
            scene.bar(paint, a, b, y, h);
        }
    });
}

/// Wake ticks of one track (points) in one row.
fn draw_ticks(scene: &mut Scene, c: &Ctx<'_>, track: &Track, paint: Paint, y: f64, h: f64) {
    visible(&track.items, c.view, c.model.now, |lod| {
        let x = match lod {
            Lod::One(i) => c.x(track.items[i].start as f64).floor(),
            Lod::Bucket { x, .. } => LABEL_W + x,
        };
        if x >= LABEL_W && x < c.x_max {
            scene.bar(paint, x, x + 1.0, y, h);
        }
    });
}

/// The pieces of a line from `from` to `to` (either way) drawn with the on / off lengths
/// of `pattern`, from `from`; one piece if the pattern is empty.
pub fn dashes(from: f64, to: f64, pattern: &[f64]) -> Vec<(f64, f64)> {
    let len = (to - from).abs();
    let period: f64 = pattern.iter().sum();
    if pattern.is_empty() || period <= 0.0 {
        return vec![(from, to)];
    }
    let dir = if to >= from { 1.0 } else { -1.0 };
    let mut out = Vec::new();
    let mut at = 0.0;
    'outer: loop {
        for (k, &step) in pattern.iter().enumerate() {
            if at >= len {
                break 'outer;
            }
            let end = (at + step).min(len);
            if k % 2 == 0 {
                out.push((from + dir * at, from + dir * end));
            }
            at = end;
        }
    }
    out
}

/// Build the frame.
pub fn build(input: &SceneInput<'_>) -> Scene {
    let SceneInput {
        model,
        layout,
        view,
        width,
        highlight,
        selected,
    } = *input;
    let mut scene = Scene {
        width,
        height: layout.height,
        layers: vec![Layer::default(); PAINTS],
        texts: Vec::new(),
        stats: SceneStats::default(),
    };
    let c = Ctx {
        model,
        view,
        x_max: width,
    };
    let plot_w = width - LABEL_W;

    // Grid and axis.
    let step = tick_step(view.ns_per_px, 90.0);
    let (t0, t1) = view.time_range();
    let mut tick = (t0 / step).ceil() * step;
    let mut ticks = 0;
    while tick <= t1 && ticks < 64 {
        let x = c.x(tick).round() + 0.5;
        if x >= LABEL_W {
            scene
                .layer(Paint::Grid)
                .lines
                .push([x, super::layout::AXIS_H, x, layout.height]);
            scene.layer(Paint::Axis).lines.push([x, 16.0, x, 22.0]);
            scene.text(x, 12.0, format_time(tick, step), Paint::TextMuted, true);
        }
        tick += step;
        ticks += 1;
    }
    scene.layer(Paint::Axis).lines.push([
        LABEL_W,
        super::layout::AXIS_H - 0.5,
        width,
        super::layout::AXIS_H - 0.5,
    ]);

    let current_task = highlight.and_then(|h| h.task);
    // Pinned rows: lanes, then wake sources.
    for (n, row) in layout.pinned.iter().enumerate() {
        let Row { kind, y, h } = *row;
        if n % 2 == 1 {
            scene.rect(Paint::RowAlt, LABEL_W, y, plot_w, h);
        }
        match kind {
            RowKind::Lane(i) => {
                let lane = &model.lanes[i as usize];
                draw_intervals(&mut scene, &c, &lane.parks, Paint::Park, y, h);
                let mut lane_stats = (0, 0, 0);
                {
                    let (b, k, _) = draw_polls(&mut scene, &c, &lane.polls, y + 3.0, h - 6.0);
                    lane_stats.0 += b;
                    lane_stats.1 += k;
                }
                scene.stats.lane_bars += lane_stats.0;
                scene.stats.lane_buckets += lane_stats.1;
                scene.text(
                    6.0,
                    y + h / 2.0,
                    truncate(&lane_label(model, i), 22),
                    Paint::Text,
                    false,
                );
            }
            RowKind::Source(s) => {
                draw_ticks(
                    &mut scene,
                    &c,
                    &model.source_wakes[s.index()],
                    Paint::source(s),
                    y + 2.0,
                    h - 4.0,
                );
                scene.text(
                    6.0,
                    y + h / 2.0,
                    format!("woken by {}", s.label()),
                    Paint::TextMuted,
                    false,
                );
            }
            RowKind::Task(_) => {}
        }
    }

    // Task rows.
    let top = layout.tasks_top;
    let bottom = top + layout.tasks_h;
    for i in layout.visible_tasks() {
        let y = layout.task_y(i);
        let task = &model.tasks[i as usize];
        // Clip rows partly scrolled out to the task area.
        let (ry, rh) = (y.max(top), (y + TASK_H).min(bottom) - y.max(top));
        if rh <= 0.0 {
            continue;
        }
        if selected == Some(i) {
            scene.rect(Paint::Selected, 0.0, ry, width, rh);
        } else if current_task == Some(i) {
            scene.rect(Paint::CurrentRow, 0.0, ry, width, rh);
        } else if i % 2 == 1 {
            scene.rect(Paint::RowAlt, LABEL_W, ry, plot_w, rh);
        }
        if y < top || y + TASK_H > bottom {
            // A partial row: its background only.
            continue;
        }
        // Lifetime line from spawn to completion (or now).
        let end = task.completed.map_or(model.now, |(t, _)| t);
        if let Some((a, b)) = c.clip_x(c.x(task.spawned as f64), c.x(end as f64)) {
            scene.bar(Paint::Grid, a, b, y + 7.0, 1.0);
        }
        let (bars, buckets, bucketed) = draw_polls(&mut scene, &c, &task.polls, y + 2.0, 11.0);
        scene.stats.bars += bars;
        scene.stats.buckets += buckets;
        scene.stats.bucketed_polls += bucketed;
        for (slot, spans) in task.spans.iter().enumerate().take(3) {
            let sy = y + 15.0 + slot as f64 * 3.0;
            draw_intervals(&mut scene, &c, spans, Paint::Span, sy, 2.0);
        }
        draw_ticks(&mut scene, &c, &task.wakes, Paint::WakeTask, y + 1.0, 2.0);
        scene.text(
            6.0,
            y + TASK_H / 2.0,
            truncate(&task_label(model, i), 22),
            Paint::Text,
            false,
        );
    }

    // Wake arrows, when few enough are in view.
    let first = model.wakes.partition_point(|w| (w.t as f64) < t0);
    let last = model.wakes.partition_point(|w| (w.t as f64) <= t1);
    let row_center = |kind: RowKind| -> Option<f64> {
        match kind {
            RowKind::Task(i) => {
                let y = layout.task_y(i) + 7.0;
                Some(y.clamp(top, bottom))
            }
            k => layout.pinned_row(k).map(|r| r.y + r.h / 2.0),
        }
    };
    let arrow = |scene: &mut Scene, paint: Paint, x: f64, from: f64, to: f64| {
        let l = scene.layer(paint);
        let dir = if to >= from { 1.0 } else { -1.0 };
        for (a, b) in dashes(from, to - dir * 4.0, paint.dash()) {
            l.lines.push([x, a, x, b]);
        }
        l.tris
            .push([x, to, x - 3.0, to - dir * 5.0, x + 3.0, to - dir * 5.0]);
    };
    if last - first <= MAX_ARROWS {
        for w in &model.wakes[first..last] {
            let x = c.x(w.t as f64).round() + 0.5;
            if x < LABEL_W || x >= width {
                continue;
            }
            let from = match w.by {
                Waker::Task(r) => row_center(RowKind::Task(r)),
                Waker::Source(s) => row_center(RowKind::Source(s)),
                Waker::Unknown => None,
            };
            let to = row_center(RowKind::Task(w.task));
            if let (Some(from), Some(to)) = (from, to)
                && (from - to).abs() > 0.5
            {
                arrow(&mut scene, Paint::wake(w.by), x, from, to);
                scene.stats.arrows += 1;
            }
        }
    }

    // The current event.
    if let Some(h) = highlight {
        let x = c.x(h.t as f64);
        if h.dim_future && x < width {
            let a = x.max(LABEL_W);
            scene.rect(
                Paint::Future,
                a,
                super::layout::AXIS_H,
                width - a,
                layout.height,
            );
        }
        if let Some(p) = h.poll {
            let p = model.polls[p as usize];
            let x0 = c.x(p.start as f64);
            let x1 = c.x(model.end_of(p.end) as f64).max(x0 + 1.0);
            let task_y = layout.task_y(p.task);
            if task_y >= top && task_y + TASK_H <= bottom {
                scene.layer(Paint::Highlight).outlines.push([
                    x0 - 1.5,
                    task_y + 0.5,
                    x1 - x0 + 3.0,
                    14.0,
                ]);
            }
            if let Some(row) = p.lane.and_then(|l| layout.pinned_row(RowKind::Lane(l))) {
                scene.layer(Paint::Highlight).outlines.push([
                    x0 - 1.5,
                    row.y + 1.5,
                    x1 - x0 + 3.0,
                    row.h - 3.0,
                ]);
            }
        }
        if let Some(w) = h.wake.and_then(|w| model.wakes.get(w as usize)) {
            let from = match w.by {
                Waker::Task(r) => row_center(RowKind::Task(r)),
                Waker::Source(s) => row_center(RowKind::Source(s)),
                Waker::Unknown => None,
            };
            if let (Some(from), Some(to)) = (from, row_center(RowKind::Task(w.task))) {
                arrow(&mut scene, Paint::Highlight, x.round() + 0.5, from, to);
            }
        }
        if x >= LABEL_W && x < width {
            let x = x.round() + 0.5;
            scene
                .layer(Paint::Cursor)
                .lines
                .push([x, 14.0, x, layout.height]);
        }
    }

    // The label column's edge.
    scene.layer(Paint::Axis).lines.push([
        LABEL_W - 0.5,
        super::layout::AXIS_H,
        LABEL_W - 0.5,
        layout.height,
    ]);

    scene.stats.shapes = scene
        .layers
        .iter()
        .map(|l| l.rects.len() + l.outlines.len() + l.lines.len() + l.tris.len())
        .sum::<usize>()
        + scene.texts.len();
    scene
}

#[cfg(test)]
pub(crate) mod tests {
    use pollscope_shared::instrument::event::LaneKind;
    use pollscope_shared::instrument::{PollOutcome, WakeSource};

    use super::*;
    use crate::timeline::layout::Layout;
    use crate::timeline::model::tests::{lane, poll, sample, spawn, wake};

    fn scene_of(model: &TimelineModel, view: Viewport, highlight: Option<Highlight>) -> Scene {
        let layout = Layout::new(model, 0.0);
        build(&SceneInput {
            model,
            layout: &layout,
            view: &view,
            width: LABEL_W + view.width,
            highlight,
            selected: None,
        })
    }

    fn fitted(model: &TimelineModel, width: f64) -> Viewport {
        let mut v = Viewport {
            width,
            ..Viewport::default()
        };
        v.fit(model.now);
        v
    }

    /// `n` polls of 1 µs, one every 10 µs, spread over `tasks` tasks on 2 workers.
    pub fn spaced_polls(n: u64, tasks: u32) -> Vec<pollscope_shared::instrument::Event> {
        let mut e = vec![lane(0, 0, LaneKind::Worker), lane(0, 1, LaneKind::Worker)];
        e.extend((1..=tasks).map(|t| spawn(0, t)));
        for k in 0..n {
            let t = 10_000 * (k + 1);
            let outcome = if k % 3 == 2 {
                PollOutcome::Ready
            } else {
                PollOutcome::Pending
            };
            e.push(poll(
                t,
                t + 1_000,
                (k % u64::from(tasks)) as u32 + 1,
                (k % 2) as u32,
                outcome,
                None,
            ));
        }
        e
    }

    #[test]
    fn colours_blend_over_the_theme_background() {
        assert_eq!(Paint::Ready.rgba(Theme::Light), [0x00, 0x9e, 0x73, 255]);
        // rgba(120, 128, 140, 0.28) over white.
        assert_eq!(Paint::Park.rgba(Theme::Light), [217, 219, 223, 255]);
        // The dimmed future over the dark canvas is the canvas itself.
        assert_eq!(Paint::Future.rgba(Theme::Dark), [0x1a, 0x1d, 0x22, 255]);
    }

    #[test]
    fn n_polls_make_n_bars_at_full_zoom() {
        let mut m = TimelineModel::new(1);
        m.sync(&spaced_polls(50, 3));
        let s = scene_of(&m, fitted(&m, 800.0), None);
        assert_eq!(s.stats.bars, 50);
        assert_eq!(s.stats.buckets, 0);
        assert_eq!(s.stats.lane_bars, 50);
    }

    #[test]
    fn zoomed_out_polls_merge_into_buckets_that_keep_the_count() {
        let mut m = TimelineModel::new(1);
        m.sync(&spaced_polls(3_000, 3));
        // 30 ms of run on 300 px: 100 µs per pixel, ten polls per column.
        let s = scene_of(&m, fitted(&m, 300.0), None);
        assert!(s.stats.buckets > 0);
        assert_eq!(s.stats.bars + s.stats.bucketed_polls, 3_000);
        assert!(
            s.stats.shapes < 2_000,
            "{} shapes for 3000 polls",
            s.stats.shapes
        );
    }

    #[test]
    fn zooming_in_shows_only_the_polls_in_view() {
        let mut m = TimelineModel::new(1);
        m.sync(&spaced_polls(1_000, 2));
        // 100 µs in view, starting at 1 ms: polls at 1.00, 1.01, … 1.09 ms (the one at
        // 1.10 ms starts at the right edge, the one before ended at 0.991 ms).
        let v = Viewport {
            t0: 1_000_000.0,
            ns_per_px: 100.0,
            width: 1_000.0,
        };
        let s = scene_of(&m, v, None);
        assert_eq!(s.stats.bars, 10);
    }

    #[test]
    fn wakes_draw_arrows_from_their_source() {
        let mut m = TimelineModel::new(1);
        m.sync(&sample());
        let s = scene_of(&m, fitted(&m, 600.0), None);
        // Reactor → task 1, task 1 → task 2.
        assert_eq!(s.stats.arrows, 2);
        // The reactor's arrow is dashed: several pieces of line, one head.
        assert!(s.layers[Paint::WakeReactor as usize].lines.len() > 1);
        assert_eq!(s.layers[Paint::WakeReactor as usize].tris.len(), 1);
        assert_eq!(s.layers[Paint::WakeTask as usize].tris.len(), 1);
        let labels: Vec<&str> = s.texts.iter().map(|t| t.text.as_str()).collect();
        assert!(labels.contains(&"worker 0 #0"), "{labels:?}");
        assert!(labels.contains(&"worker 5 #5 (blocking)"), "{labels:?}");
        assert!(labels.contains(&"woken by reactor (I/O)"), "{labels:?}");
        assert!(labels.contains(&"#2 task 2"), "{labels:?}");
        // Park periods are shaded.
        assert_eq!(s.layers[Paint::Park as usize].rects.len(), 1);
    }

    #[test]
    fn dashes_follow_the_pattern_and_cover_only_the_line() {
        assert_eq!(dashes(0.0, 10.0, &[]), vec![(0.0, 10.0)]);
        assert_eq!(
            dashes(0.0, 10.0, &[4.0, 2.0]),
            vec![(0.0, 4.0), (6.0, 10.0)]
        );
        // Upwards, and a last dash cut at the end.
        assert_eq!(
            dashes(10.0, 1.0, &[4.0, 2.0]),
            vec![(10.0, 6.0), (4.0, 1.0)]
        );
        // Every wake source has its own dash, and a task's wake is solid.
        let sources = [
            Paint::WakeTask,
            Paint::WakeReactor,
            Paint::WakeTimer,
            Paint::WakeDriver,
            Paint::WakeThread,
        ];
        for (i, a) in sources.iter().enumerate() {
            for b in &sources[i + 1..] {
                assert_ne!(a.dash(), b.dash(), "{a:?} and {b:?}");
            }
        }
        assert!(Paint::WakeTask.dash().is_empty());
    }

    #[test]
    fn panicked_polls_carry_a_cross_and_pending_ones_are_hatched() {
        let mut m = TimelineModel::new(1);
        m.sync(&[
            lane(0, 0, LaneKind::Worker),
            spawn(0, 1),
            poll(1_000, 5_000, 1, 0, PollOutcome::Panicked, None),
        ]);
        let s = scene_of(&m, fitted(&m, 600.0), None);
        // One cross in the task row, one in the lane row: two strokes each.
        assert_eq!(s.layers[Paint::PanicMark as usize].lines.len(), 4);
        assert!(Paint::Pending.hatched() && Paint::PendingDim.hatched());
        assert!(!Paint::Ready.hatched() && !Paint::Panicked.hatched());
    }

    #[test]
    fn too_many_wakes_in_view_draw_no_arrows() {
        let mut m = TimelineModel::new(1);
        let mut e = vec![spawn(0, 1)];
        e.extend((0..(MAX_ARROWS as u64 + 10)).map(|k| wake(k * 10, 1, WakeSource::Timer)));
        m.sync(&e);
        let s = scene_of(&m, fitted(&m, 600.0), None);
        assert_eq!(s.stats.arrows, 0);
        assert!(!s.layers[Paint::WakeTimer as usize].rects.is_empty());
    }

    #[test]
    fn the_current_poll_is_outlined_and_the_future_dimmed() {
        let mut m = TimelineModel::new(1);
        m.sync(&sample());
        let h = Highlight {
            t: 110,
            task: Some(0),
            lane: Some(1),
            poll: Some(1),
            wake: None,
            dim_future: true,
        };
        let s = scene_of(&m, fitted(&m, 600.0), Some(h));
        // Outlined in the task row and in the lane row.
        assert_eq!(s.layers[Paint::Highlight as usize].outlines.len(), 2);
        assert_eq!(s.layers[Paint::Cursor as usize].lines.len(), 1);
        assert_eq!(s.layers[Paint::Future as usize].rects.len(), 1);
    }
}
