//! The state of one timeline, without the browser: the model of the events, the
//! viewport, the playback cursor, the selection, and what every input does to them.
//!
//! The component calls [`Engine::sync`] and [`Engine::tick`] once per animation frame,
//! then paints [`Engine::scene`] if [`Engine::dirty`] is set. Pointer (mouse, pen, touch)
//! and keyboard handlers call the methods below with canvas coordinates. The benchmark and the tests drive the
//! same engine, so what they measure is what the page runs.

use pollscope_shared::instrument::{Event, EventKind, PollEvent};

use super::details::outcome_label;
use super::gesture::{Gesture, Release};
use super::layout::{LABEL_W, Layout, RowKind, TASK_H, Viewport, format_duration};
use super::model::{OPEN, TimelineModel, Waker};
use super::playback::{Mode, Playback};
use super::scene::{self, Highlight, Scene, SceneInput, SceneStats, lane_label, task_label};

/// Whatever the pointer is over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hit {
    Poll(u32),
    /// Several polls of a row, in one pixel column: the row, and the items of its track.
    Bucket {
        row: RowKind,
        first: usize,
        end: usize,
    },
    Span(u32),
    /// A park period of a lane: the lane row, start and end.
    Park(u32, u64, u64),
    Wake(u32),
    Row(RowKind),
}

#[derive(Debug, Clone)]
pub struct Engine {
    pub model: TimelineModel,
    pub view: Viewport,
    pub playback: Playback,
    /// Keep the whole run in view as it grows (until the learner zooms or pans).
    pub follow: bool,
    /// Task rows scrolled, in pixels.
    pub scroll: f64,
    /// Task row whose details are shown.
    pub selected: Option<u32>,
    /// Events in the recording (the model has ingested all of them).
    pub total: usize,
    /// Canvas width in CSS pixels.
    pub width: f64,
    /// Something changed since the last paint.
    pub dirty: bool,
    /// What the last scene drew.
    pub stats: SceneStats,
    /// See [`Engine::set_span`].
    span_ns: Option<u64>,
    /// The pointers down on the canvas.
    pub gesture: Gesture,
    /// The current event [`Engine::reveal`] last brought into view.
    revealed: Option<usize>,
}

impl Default for Engine {
    fn default() -> Self {
        Self {
            model: TimelineModel::default(),
            view: Viewport::default(),
            playback: Playback::default(),
            follow: true,
            scroll: 0.0,
            selected: None,
            total: 0,
            width: LABEL_W + Viewport::default().width,
            dirty: true,
            stats: SceneStats::default(),
            span_ns: None,
            gesture: Gesture::default(),
            revealed: None,
        }
    }
}

impl Engine {
    /// Take in the events of run `run_id` not seen yet; a different run starts over.
    /// Returns whether anything changed.
    pub fn sync(&mut self, run_id: u64, events: &[Event]) -> bool {
        if self.model.run_id != Some(run_id) || events.len() < self.model.consumed {
            self.model = TimelineModel::new(run_id);
            self.playback.reset();
            self.follow = true;
            self.scroll = 0.0;
            self.selected = None;
            self.dirty = true;
        }
        let new = self.model.sync(events);
        self.total = events.len();
        if new > 0 {
            self.dirty = true;
            if self.follow {
                self.view.fit(self.fit_end());
            }
        }
        new > 0
    }

    /// Set the canvas width (CSS pixels).
    pub fn resize(&mut self, width: f64) {
        let plot = (width - LABEL_W).max(50.0);
        if (plot - self.view.width).abs() > 0.5 {
            self.view.width = plot;
            self.width = LABEL_W + plot;
            if self.follow {
                self.view.fit(self.fit_end());
            }
            self.dirty = true;
        }
    }

    /// Advance playback by `dt_ms`.
    pub fn tick(&mut self, dt_ms: f64) -> bool {
        let moved = self.playback.tick(dt_ms, self.total);
        self.dirty |= moved;
        moved
    }

    pub fn current(&self) -> Option<usize> {
        self.playback.current(self.total)
    }

    pub fn layout(&self) -> Layout {
        Layout::new(&self.model, self.scroll)
    }

    /// The current event as the timeline highlights it.
    pub fn highlight(&self, events: &[Event]) -> Option<Highlight> {
        let i = self.current()?;
        let event = events.get(i)?;
        let m = &self.model;
        let t = event.t_ns;
        let mut h = Highlight {
            t,
            dim_future: self.playback.mode != Mode::Live,
            ..Highlight::default()
        };
        h.task = event.kind.task().and_then(|id| m.task_row(id));
        match &event.kind {
            EventKind::Park { lane } | EventKind::Unpark { lane } => h.lane = m.lane_row(*lane),
            EventKind::Poll(PollEvent { busy_ns, .. }) => {
                if let Some(row) = h.task {
                    let track = &m.tasks[row as usize].polls;
                    h.poll = track
                        .at(t.saturating_sub(*busy_ns))
                        .map(|k| track.items[k].id);
                    h.lane = h.poll.and_then(|p| m.polls[p as usize].lane);
                }
            }
            EventKind::Wake { .. } => {
                let first = m.wakes.partition_point(|w| w.t < t);
                h.wake = m.wakes[first..]
                    .iter()
                    .take_while(|w| w.t == t)
                    .position(|w| Some(w.task) == h.task)
                    .map(|k| (first + k) as u32);
            }
            _ => {}
        }
        Some(h)
    }

    pub fn scene(&self, events: &[Event]) -> Scene {
        let layout = self.layout();
        scene::build(&SceneInput {
            model: &self.model,
            layout: &layout,
            view: &self.view,
            width: self.width,
            highlight: self.highlight(events),
            selected: self.selected,
        })
    }

    // ----- input ---------------------------------------------------------------------

    /// Zoom by `factor` (> 1: in) around canvas x.
    pub fn zoom(&mut self, canvas_x: f64, factor: f64) {
        let at = (canvas_x - LABEL_W).clamp(0.0, self.view.width);
        self.view.zoom_at(at, factor, self.model.now);
        self.follow = false;
        self.dirty = true;
    }

    /// Pan by `dx` pixels (positive: later) and scroll task rows by `dy` pixels.
    pub fn pan(&mut self, dx: f64, dy: f64) {
        if dx != 0.0 {
            self.view.pan(dx, self.model.now);
            self.follow = false;
        }
        if dy != 0.0 {
            let layout = self.layout();
            self.scroll = (self.scroll + dy).clamp(0.0, layout.max_scroll());
        }
        self.dirty = true;
    }

    /// At least this much time is shown when fitted (`None`: the run's own length), so
    /// that timelines given one span draw on one scale.
    pub fn set_span(&mut self, span_ns: Option<u64>) {
        if self.span_ns != span_ns {
            self.span_ns = span_ns;
            if self.follow {
                self.view.fit(self.fit_end());
            }
            self.dirty = true;
        }
    }

    /// The time "fit" shows up to: the run's end, or the span set, whichever is later.
    pub fn fit_end(&self) -> u64 {
        self.model.now.max(self.span_ns.unwrap_or(0))
    }

    /// Show the whole run, and keep it in view as it grows.
    pub fn fit(&mut self) {
        self.follow = true;
        self.view.fit(self.fit_end());
        self.dirty = true;
    }

    pub fn step_back(&mut self) {
        self.playback.step_back(self.total);
        self.dirty = true;
    }

    pub fn step_forward(&mut self) {
        self.playback.step_forward(self.total);
        self.dirty = true;
    }

    pub fn scrub(&mut self, index: usize) {
        self.playback.scrub(index, self.total);
        self.dirty = true;
    }

    pub fn toggle_play(&mut self) {
        self.playback.toggle(self.total);
        self.dirty = true;
    }

    pub fn follow_live(&mut self) {
        self.playback.follow_live();
        self.dirty = true;
    }

    pub fn set_speed(&mut self, speed: f64) {
        self.playback.speed = speed;
    }

    /// A key press (`KeyboardEvent.key`, with `Shift+` in front for shifted arrows);
    /// returns whether the timeline used it (so the page should not).
    pub fn key(&mut self, key: &str) -> bool {
        let center = LABEL_W + self.view.width / 2.0;
        match key {
            "+" | "=" => self.zoom(center, 1.25),
            "-" | "_" => self.zoom(center, 0.8),
            "ArrowLeft" | "," | "[" => self.step_back(),
            "ArrowRight" | "." | "]" => self.step_forward(),
            "Shift+ArrowLeft" => self.pan(-self.view.width / 8.0, 0.0),
            "Shift+ArrowRight" => self.pan(self.view.width / 8.0, 0.0),
            "ArrowUp" => self.pan(0.0, -TASK_H),
            "ArrowDown" => self.pan(0.0, TASK_H),
            "0" => self.fit(),
            "Home" => self.scrub(0),
            " " | "k" => self.toggle_play(),
            "l" | "End" => self.follow_live(),
            "Escape" => {
                self.selected = None;
                self.dirty = true;
            }
            _ => return false,
        }
        true
    }

    /// When the current event has changed since the last call and lies outside the time
    /// window (or its task's row is scrolled away), bring it into view: centred in time,
    /// its row scrolled in. Live-follow is left alone (fit shows it already), and so is a
    /// window the learner moved while the cursor stood still.
    pub fn reveal(&mut self, events: &[Event]) {
        let current = self.current();
        if self.revealed == current {
            return;
        }
        self.revealed = current;
        if self.playback.mode == Mode::Live {
            return;
        }
        let Some(event) = current.and_then(|i| events.get(i)) else {
            return;
        };
        let t = event.t_ns as f64;
        let (from, to) = self.view.time_range();
        if t < from || t > to {
            let centre = self.view.x(t) - self.view.width / 2.0;
            self.view.pan(centre, self.model.now);
            self.follow = false;
            self.dirty = true;
        }
        if let Some(row) = event.kind.task().and_then(|id| self.model.task_row(id)) {
            let layout = self.layout();
            let top = f64::from(row) * TASK_H;
            if top < layout.scroll || top + TASK_H > layout.scroll + layout.tasks_h {
                let want = top + TASK_H / 2.0 - layout.tasks_h / 2.0;
                self.scroll = want.clamp(0.0, layout.max_scroll());
                self.dirty = true;
            }
        }
    }

    /// Pointer `id` (mouse, pen or finger) went down at canvas (x, y). Returns whether it
    /// is tracked (the component then captures it).
    pub fn pointer_down(&mut self, id: i32, x: f64, y: f64) -> bool {
        self.gesture.down(id, x - LABEL_W, y)
    }

    /// Pointer `id` moved to canvas (x, y) while down: drag or pinch. Returns whether it
    /// is dragging (so no tooltip).
    pub fn pointer_move(&mut self, id: i32, x: f64, y: f64) -> bool {
        let m = self
            .gesture
            .moved(id, x - LABEL_W, y, &mut self.view, self.model.now);
        if m.view_changed {
            self.follow = false;
            self.dirty = true;
        }
        if m.scroll_dy != 0.0 {
            self.pan(0.0, m.scroll_dy);
        }
        self.gesture.dragging()
    }

    /// Pointer `id` lifted at canvas (x, y), at time stamp `t_ms`: a tap selects the row,
    /// a double tap shows the whole run.
    pub fn pointer_up(&mut self, id: i32, x: f64, y: f64, t_ms: f64) {
        match self.gesture.up(id, x - LABEL_W, y, t_ms) {
            Release::Tap { x, y } => self.click(x + LABEL_W, y),
            Release::DoubleTap { .. } => self.fit(),
            Release::Nothing => {}
        }
    }

    /// The browser took pointer `id` away.
    pub fn pointer_cancel(&mut self, id: i32) {
        self.gesture.cancel(id);
    }

    /// A click at canvas (x, y): select the task of that row (or clear the selection).
    pub fn click(&mut self, x: f64, y: f64) {
        let layout = self.layout();
        let _ = x;
        self.selected = match layout.row_at(y) {
            Some(r) => match r.kind {
                RowKind::Task(i) => Some(i),
                _ => self.selected,
            },
            None => self.selected,
        };
        self.dirty = true;
    }

    /// What is under canvas (x, y).
    pub fn hit(&self, x: f64, y: f64) -> Option<Hit> {
        let layout = self.layout();
        let row = layout.row_at(y)?;
        if x < LABEL_W {
            return Some(Hit::Row(row.kind));
        }
        let m = &self.model;
        let t = self.view.t(x - LABEL_W);
        if t < 0.0 {
            return Some(Hit::Row(row.kind));
        }
        let tu = t as u64;
        let tol = (self.view.ns_per_px * 3.0) as u64;
        // Several items starting in this pixel column: a bucket.
        let column = |items: &[super::model::Item]| -> Option<(usize, usize)> {
            let col = (x - LABEL_W).floor();
            let (a, b) = (self.view.t(col), self.view.t(col + 1.0));
            let first = items.partition_point(|it| (it.start as f64) < a);
            let end = items.partition_point(|it| (it.start as f64) < b);
            (end - first > 1).then_some((first, end))
        };
        match row.kind {
            RowKind::Task(i) => {
                let task = &m.tasks[i as usize];
                let dy = y - row.y;
                if dy >= 14.0 {
                    let slot = ((dy - 14.0) / 3.0) as usize;
                    if let Some(spans) = task.spans.get(slot.min(2))
                        && let Some(k) = spans.near(tu, tol)
                    {
                        return Some(Hit::Span(spans.items[k].id));
                    }
                }
                if let Some((first, end)) = column(&task.polls.items) {
                    return Some(Hit::Bucket {
                        row: row.kind,
                        first,
                        end,
                    });
                }
                if let Some(k) = task.polls.near(tu, tol) {
                    return Some(Hit::Poll(task.polls.items[k].id));
                }
                if let Some(k) = task.wakes.near(tu, tol) {
                    return Some(Hit::Wake(task.wakes.items[k].id));
                }
            }
            RowKind::Lane(l) => {
                let lane = &m.lanes[l as usize];
                if let Some((first, end)) = column(&lane.polls.items) {
                    return Some(Hit::Bucket {
                        row: row.kind,
                        first,
                        end,
                    });
                }
                if let Some(k) = lane.polls.near(tu, tol) {
                    return Some(Hit::Poll(lane.polls.items[k].id));
                }
                if let Some(k) = lane.parks.at(tu) {
                    let it = lane.parks.items[k];
                    return Some(Hit::Park(l, it.start, it.end));
                }
            }
            RowKind::Source(s) => {
                let track = &m.source_wakes[s.index()];
                if let Some(k) = track.near(tu, tol) {
                    // The item's id is the woken task's row; find the wake itself.
                    let it = track.items[k];
                    let first = m.wakes.partition_point(|w| w.t < it.start);
                    if let Some(off) = m.wakes[first..].iter().position(|w| {
                        w.t == it.start && w.task == it.id && w.by == Waker::Source(s)
                    }) {
                        return Some(Hit::Wake((first + off) as u32));
                    }
                }
            }
        }
        Some(Hit::Row(row.kind))
    }

    /// Tooltip lines for what is under canvas (x, y).
    pub fn tooltip(&self, x: f64, y: f64) -> Option<Vec<String>> {
        let m = &self.model;
        let lines = match self.hit(x, y)? {
            Hit::Poll(p) => {
                let p = m.polls[p as usize];
                let mut lines = vec![
                    task_label(m, p.task),
                    format!(
                        "poll {} of {}",
                        p.number,
                        m.tasks[p.task as usize].polls.len()
                    ),
                ];
                if let Some(l) = p.lane {
                    lines.push(format!("on {}", lane_label(m, l)));
                }
                lines.push(format!("took {}", format_duration(p.end - p.start)));
                lines.push(format!("returned {}", outcome_label(p.outcome)));
                if let Some(n) = p.waiting_on {
                    lines.push(format!("waiting at `{}`", m.name(n)));
                }
                lines.push(format!("started at {}", format_duration(p.start)));
                lines
            }
            Hit::Bucket { row, first, end } => {
                let (label, track) = match row {
                    RowKind::Task(i) => (task_label(m, i), &m.tasks[i as usize].polls),
                    RowKind::Lane(l) => (lane_label(m, l), &m.lanes[l as usize].polls),
                    RowKind::Source(_) => return None,
                };
                let c = track.counts(first, end);
                let span = m.end_of(track.items[end - 1].end) - track.items[first].start;
                vec![
                    label,
                    format!("{} polls in this pixel (zoom in to see them)", c.items),
                    format!(
                        "{} Pending, {} Ready, {} panicked",
                        c.pending, c.ready, c.panicked
                    ),
                    format!(
                        "busy {} of {}",
                        format_duration(c.busy_ns),
                        format_duration(span)
                    ),
                ]
            }
            Hit::Span(s) => {
                let s = m.spans[s as usize];
                let dur = m.end_of(s.end) - s.start;
                vec![
                    task_label(m, s.task),
                    format!("await `{}`", m.name(s.name)),
                    format!(
                        "{} {}",
                        if s.end == OPEN {
                            "waiting for"
                        } else {
                            "waited"
                        },
                        format_duration(dur)
                    ),
                ]
            }
            Hit::Park(l, start, end) => vec![
                lane_label(m, l),
                format!(
                    "parked for {} (no task was ready)",
                    format_duration(m.end_of(end) - start)
                ),
            ],
            Hit::Wake(w) => {
                let w = m.wakes[w as usize];
                let by = match w.by {
                    Waker::Task(r) if r == w.task => "itself".to_owned(),
                    Waker::Task(r) => task_label(m, r),
                    Waker::Source(s) => s.label().to_owned(),
                    Waker::Unknown => "an unknown task".to_owned(),
                };
                vec![
                    task_label(m, w.task),
                    format!("woken by {by}"),
                    format!("at {}", format_duration(w.t)),
                ]
            }
            Hit::Row(RowKind::Task(i)) => {
                let t = &m.tasks[i as usize];
                vec![
                    task_label(m, i),
                    format!("{} polls — click for details", t.polls.len()),
                ]
            }
            Hit::Row(RowKind::Lane(l)) => {
                let lane = &m.lanes[l as usize];
                vec![
                    lane_label(m, l),
                    format!(
                        "{} polls, parked {} times",
                        lane.polls.len(),
                        lane.parks.len()
                    ),
                ]
            }
            Hit::Row(RowKind::Source(s)) => vec![format!(
                "wakes by the {}: {}",
                s.label(),
                m.source_wakes[s.index()].len()
            )],
        };
        Some(lines)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timeline::layout::{AXIS_H, LANE_H};
    use crate::timeline::model::tests::sample;

    fn engine() -> (Engine, Vec<Event>) {
        let events = sample();
        let mut e = Engine::default();
        e.resize(LABEL_W + 1300.0);
        e.sync(1, &events);
        (e, events)
    }

    #[test]
    fn follows_the_run_until_the_learner_zooms() {
        let (mut e, events) = engine();
        // 130 ns of run on 1300 px (2 % margin).
        assert!((e.view.ns_per_px - 0.102).abs() < 1e-9);
        e.zoom(LABEL_W, 2.0);
        assert!(!e.follow);
        let before = e.view;
        let mut more = events.clone();
        more.push(crate::timeline::model::tests::spawn(500, 3));
        e.sync(1, &more);
        assert_eq!(e.view, before);
        e.fit();
        assert!(e.follow);
        assert!(e.view.ns_per_px > before.ns_per_px);
    }

    #[test]
    fn a_new_run_starts_over() {
        let (mut e, events) = engine();
        e.step_back();
        e.selected = Some(1);
        e.sync(2, &events[..3]);
        assert_eq!(e.model.run_id, Some(2));
        assert_eq!(e.total, 3);
        assert_eq!(e.playback.mode, Mode::Live);
        assert_eq!(e.selected, None);
    }

    #[test]
    fn stepping_moves_the_highlight() {
        let (mut e, events) = engine();
        let last = events.len() - 1;
        assert_eq!(e.current(), Some(last));
        // The last event completes task 1.
        assert_eq!(e.highlight(&events).unwrap().task, Some(0));
        e.step_back();
        // Poll end of task 1's second poll: outlined, on worker 1.
        let h = e.highlight(&events).unwrap();
        assert_eq!(e.current(), Some(last - 1));
        assert_eq!((h.poll, h.lane, h.dim_future), (Some(1), Some(1), true));
        e.step_back();
        let h = e.highlight(&events).unwrap();
        assert_eq!(h.wake, Some(1));
        assert_eq!(h.task, Some(1));
        e.step_forward();
        assert_eq!(e.current(), Some(last - 1));
        e.scrub(0);
        assert_eq!(e.current(), Some(0));
        assert!(e.key("."));
        assert_eq!(e.current(), Some(1));
        assert!(e.key("l"));
        assert_eq!(e.current(), Some(last));
        assert!(!e.key("q"));
    }

    #[test]
    fn clicks_select_tasks_and_hover_explains() {
        let (mut e, _) = engine();
        let layout = e.layout();
        let y = layout.task_y(0) + 5.0;
        e.click(LABEL_W + 10.0, y);
        assert_eq!(e.selected, Some(0));
        // Over the first poll of task 1 (10..20 ns).
        let x = LABEL_W + e.view.x(15.0);
        let tip = e.tooltip(x, y).unwrap();
        assert_eq!(tip[0], "#1 task 1");
        assert_eq!(tip[1], "poll 1 of 2");
        assert!(tip.contains(&"took 10 ns".to_owned()), "{tip:?}");
        assert!(tip.contains(&"returned Pending".to_owned()), "{tip:?}");
        assert!(tip.contains(&"waiting at `read`".to_owned()), "{tip:?}");
        // Over worker 0 while it was parked.
        let x = LABEL_W + e.view.x(60.0);
        let tip = e.tooltip(x, AXIS_H + LANE_H / 2.0).unwrap();
        assert_eq!(tip[1], "parked for 80 ns (no task was ready)");
        assert!(e.key("Escape"));
        assert_eq!(e.selected, None);
    }

    #[test]
    fn zoomed_out_hover_counts_the_bucket() {
        let events = crate::timeline::scene::tests::spaced_polls(3_000, 1);
        let mut e = Engine::default();
        e.resize(LABEL_W + 300.0);
        e.sync(1, &events);
        let y = e.layout().task_y(0) + 5.0;
        let tip = e.tooltip(LABEL_W + 150.5, y).unwrap();
        assert!(
            tip[1].ends_with("polls in this pixel (zoom in to see them)"),
            "{tip:?}"
        );
    }

    #[test]
    fn arrows_step_through_events_and_shift_arrows_pan() {
        let (mut e, _) = engine();
        let last = e.total - 1;
        assert!(e.key("ArrowLeft"));
        assert_eq!(e.current(), Some(last - 1));
        assert!(e.key("ArrowRight"));
        assert_eq!(e.current(), Some(last));
        assert!(e.key("Home"));
        assert_eq!(e.current(), Some(0));
        assert_eq!(e.playback.mode, Mode::Paused);
        assert!(e.key("End"));
        assert_eq!(e.playback.mode, Mode::Live);
        // Stepping never moves the window; shift+arrows do, and leave fit.
        assert!(e.follow);
        e.zoom(LABEL_W + 650.0, 4.0);
        let t0 = e.view.t0;
        assert!(e.key("Shift+ArrowRight"));
        assert!(e.view.t0 > t0);
        assert!(e.key("Shift+ArrowLeft"));
        assert!((e.view.t0 - t0).abs() < 1e-9);
        assert!(e.key("0"));
        assert!(e.follow);
    }

    #[test]
    fn stepping_brings_the_current_event_into_view() {
        let (mut e, events) = engine();
        // Zoomed in on the start of the run: the last events (at 130 ns) are out of view.
        e.zoom(LABEL_W, 8.0);
        let (_, to) = e.view.time_range();
        assert!(to < 120.0, "{to}");
        e.key("ArrowLeft");
        e.reveal(&events);
        let t = events[e.current().unwrap()].t_ns as f64;
        let (from, to) = e.view.time_range();
        assert!(from <= t && t <= to, "{t} not in {from}..{to}");
        // Once shown, the learner may pan away: the cursor did not move, nothing follows.
        e.pan(-2000.0, 0.0);
        let moved = e.view;
        e.reveal(&events);
        assert_eq!(e.view, moved);
    }

    #[test]
    fn pointers_drag_pinch_tap_and_double_tap() {
        let (mut e, _) = engine();
        let y = e.layout().task_y(0) + 5.0;
        // A drag pans the window (not a tap: no selection).
        let under = e.view.t(300.0 - LABEL_W);
        assert!(e.pointer_down(1, 300.0, y));
        assert!(e.pointer_move(1, 400.0, y));
        assert!((e.view.t(400.0 - LABEL_W) - under).abs() < 1e-6);
        e.pointer_up(1, 400.0, y, 0.0);
        assert_eq!(e.selected, None);
        assert!(!e.follow);
        // A pinch zooms by the distance ratio.
        let scale = e.view.ns_per_px;
        e.pointer_down(1, 500.0, y);
        e.pointer_down(2, 600.0, y);
        e.pointer_move(2, 700.0, y);
        assert!((e.view.ns_per_px - scale / 2.0).abs() < 1e-9);
        e.pointer_up(1, 500.0, y, 10.0);
        e.pointer_up(2, 700.0, y, 20.0);
        assert_eq!(e.selected, None);
        // A tap selects the row under it; a second tap there shows the whole run.
        e.pointer_down(1, 300.0, y);
        e.pointer_up(1, 300.0, y, 1_000.0);
        assert_eq!(e.selected, Some(0));
        assert!(!e.follow);
        e.pointer_down(1, 300.0, y);
        e.pointer_up(1, 300.0, y, 1_100.0);
        assert!(e.follow);
    }
}
