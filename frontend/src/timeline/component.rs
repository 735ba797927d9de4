//! `<Timeline recording_part={PartRef::new("echo", 0)} />`: the canvas, its controls, the
//! legend, the tooltip and the details panel, for one part of a scenario's latest run.
//!
//! The component reads the [`RecordingStore`] (from its `store` prop, else from the
//! context) once per animation frame: it hands the part's new events to its [`Engine`],
//! advances playback, and repaints the canvas only if something changed. The store
//! applies incoming batches once per frame too (see [`crate::recording`]), so a fast
//! stream costs one ingest and one paint per frame. Several timelines can share a page:
//! each has its own engine, and nothing in it uses an element id.
//!
//! DOM contract (for tests): the `.tl-canvas-wrap` element carries, updated on every
//! paint, `data-bars` (poll bars drawn one by one in task rows), `data-buckets` and
//! `data-bucketed-polls` (merged narrow polls), `data-lane-bars`, `data-arrows`,
//! `data-lanes`, `data-workers`, `data-tasks`, `data-events`, `data-current-event` (index
//! of the highlighted event, or -1), `data-mode` (live / paused / playing), `data-run-id`,
//! `data-paints`, `data-theme` (the theme of the last paint), and `data-view-start-ns` /
//! `data-view-end-ns` (the time window shown, which wheel, drag, pinch and keys move).
//! The wrapper is the keyboard's way in (focusable, `role="application"`, named by its
//! `aria-label`); the canvas takes mouse, pen and touch alike as Pointer Events (see
//! [`super::gesture`]) with `touch-action: none`, so a finger pans the timeline rather
//! than the page. `.tl-announce`, a polite live region, says in words the current event
//! and its task whenever the learner moves the cursor (silent while it follows a live
//! run or replays, which would be a flood). The controls are buttons
//! `.tl-step-back`, `.tl-play`, `.tl-step-forward`, `.tl-live`, `.tl-zoom-in`,
//! `.tl-zoom-out`, `.tl-fit`, the select `.tl-speed` and the range `.tl-scrub`; `.tl-current-event` (with `data-event-index`
//! and `data-kind`) describes the highlighted event, `.tl-details` (with `data-task-id`)
//! the clicked task, or else the task of the highlighted event. When the current event
//! changes, the timeline tells the page's [`CodeFocusSink`] (if any) what it is about.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use pollscope_shared::instrument::Event;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{
    AddEventListenerOptions, CanvasRenderingContext2d, Element, HtmlCanvasElement,
    HtmlInputElement, HtmlSelectElement, PointerEvent, WheelEvent,
};
use yew::prelude::*;

use super::details::{TaskDetails, announcement, describe, event_kind, task_details};
use super::draw;
use super::engine::Engine;
use super::focus::{CodeFocusSink, focus_of};
use super::layout::format_duration;
use super::playback::{Mode, SPEEDS};
use super::warnings::Warnings;
use crate::recording::{PartRecording, RecordingStore, Recordings, RunRecording};
use crate::theme::Theme;

/// Which recording a timeline shows: part `part` of the latest run of `scenario`, or of
/// run `run_id`; with `span_ns`, "fit" shows at least that much time, so timelines given
/// the same span draw on one time scale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartRef {
    pub scenario: AttrValue,
    pub part: u32,
    pub run_id: Option<u64>,
    pub span_ns: Option<u64>,
}

impl PartRef {
    pub fn new(scenario: impl Into<AttrValue>, part: u32) -> Self {
        Self {
            scenario: scenario.into(),
            part,
            run_id: None,
            span_ns: None,
        }
    }

    /// The same part of run `run_id`, fitted to at least `span_ns`.
    pub fn of_run(mut self, run_id: u64, span_ns: u64) -> Self {
        self.run_id = Some(run_id);
        self.span_ns = Some(span_ns);
        self
    }

    fn run<'a>(&self, recordings: &'a Recordings) -> Option<&'a RunRecording> {
        match self.run_id {
            Some(id) => recordings.run(id),
            None => recordings.for_scenario(&self.scenario),
        }
    }

    /// The part's recording, if its run is kept and the part has begun.
    pub fn part<'a>(&self, recordings: &'a Recordings) -> Option<&'a PartRecording> {
        self.run(recordings)?.part(self.part)
    }

    /// The run id and the events of the part, if the scenario has a recording.
    pub fn events<'a>(&self, recordings: &'a Recordings) -> Option<(u64, &'a [Event])> {
        let run = self.run(recordings)?;
        let events = run.part(self.part).map_or(&[][..], |p| p.events.as_slice());
        Some((run.run_id, events))
    }
}

#[derive(Properties, PartialEq)]
pub struct TimelineProps {
    pub recording_part: PartRef,
    /// A heading above the timeline (e.g. the part's runtime).
    #[prop_or_default]
    pub title: Option<AttrValue>,
    /// The store to read; by default the one in the context.
    #[prop_or_default]
    pub store: Option<RecordingStore>,
}

/// Everything the controls and panels show: when it changes, they re-render.
#[derive(Debug, Clone, Copy, PartialEq)]
struct UiKey {
    total: usize,
    current: Option<usize>,
    mode: Mode,
    selected: Option<u32>,
    speed: f64,
    follow: bool,
    run_id: Option<u64>,
}

impl UiKey {
    fn of(e: &Engine) -> Self {
        Self {
            total: e.total,
            current: e.current(),
            mode: e.playback.mode,
            selected: e.selected,
            speed: e.playback.speed,
            follow: e.follow,
            run_id: e.model.run_id,
        }
    }
}

/// One frame: ingest, advance, and paint (in `theme`) if needed. Returns whether it
/// painted.
pub fn run_frame(
    engine: &mut Engine,
    recordings: &Recordings,
    part: &PartRef,
    canvas: &HtmlCanvasElement,
    wrap: &Element,
    dt_ms: f64,
    theme: Theme,
) -> bool {
    let Some((run_id, events)) = part.events(recordings) else {
        return false;
    };
    engine.set_span(part.span_ns);
    engine.sync(run_id, events);
    engine.tick(dt_ms);
    engine.reveal(events);
    let width = f64::from(wrap.client_width());
    if width > 0.0 {
        engine.resize(width);
    }
    // A canvas this engine never painted (e.g. the element was re-created) needs a paint.
    if !engine.dirty && canvas.has_attribute("data-painted") {
        return false;
    }
    paint(engine, events, canvas, wrap, theme);
    true
}

/// Paint the engine's scene on `canvas` in `theme` and publish the frame's counts on `wrap`.
pub fn paint(
    engine: &mut Engine,
    events: &[Event],
    canvas: &HtmlCanvasElement,
    wrap: &Element,
    theme: Theme,
) {
    let scene = engine.scene(events);
    let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio().max(1.0));
    let (w, h) = (
        (scene.width * dpr).round() as u32,
        (scene.height * dpr).round() as u32,
    );
    if canvas.width() != w || canvas.height() != h {
        canvas.set_width(w);
        canvas.set_height(h);
        let _ = canvas.set_attribute(
            "style",
            &format!("width: {}px; height: {}px", scene.width, scene.height),
        );
    }
    if let Some(ctx) = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
    {
        draw::paint(&ctx, &scene, dpr, theme);
    }
    let _ = canvas.set_attribute("data-painted", "");
    engine.stats = scene.stats;
    engine.dirty = false;
    let layout = engine.layout();
    let (lanes, workers) = layout.lane_counts(&engine.model);
    let s = scene.stats;
    let paints = wrap
        .get_attribute("data-paints")
        .and_then(|p| p.parse::<u64>().ok())
        .unwrap_or(0)
        + 1;
    let current = engine.current().map_or(-1, |c| c as i64);
    for (name, value) in [
        ("data-bars", s.bars.to_string()),
        ("data-buckets", s.buckets.to_string()),
        ("data-bucketed-polls", s.bucketed_polls.to_string()),
        ("data-lane-bars", s.lane_bars.to_string()),
        ("data-arrows", s.arrows.to_string()),
        ("data-lanes", lanes.to_string()),
        ("data-workers", workers.to_string()),
        ("data-tasks", engine.model.tasks.len().to_string()),
        ("data-events", engine.total.to_string()),
        ("data-current-event", current.to_string()),
        ("data-mode", engine.playback.mode.as_str().to_owned()),
        (
            "data-run-id",
            engine.model.run_id.map_or(String::new(), |r| r.to_string()),
        ),
        ("data-paints", paints.to_string()),
        ("data-span-ns", engine.fit_end().to_string()),
        ("data-theme", theme.as_str().to_owned()),
        (
            "data-view-start-ns",
            format!("{:.0}", engine.view.time_range().0),
        ),
        (
            "data-view-end-ns",
            format!("{:.0}", engine.view.time_range().1),
        ),
    ] {
        let _ = wrap.set_attribute(name, &value);
    }
}

/// Canvas coordinates of a pointer event on the canvas. A captured pointer's events
/// target the canvas even off it, so the offsets stay the canvas's.
fn at(e: &PointerEvent) -> (f64, f64) {
    (f64::from(e.offset_x()), f64::from(e.offset_y()))
}

/// The frame callback, which re-requests itself through this slot.
type FrameSlot = Rc<RefCell<Option<Closure<dyn FnMut(f64)>>>>;

#[component]
pub fn Timeline(props: &TimelineProps) -> Html {
    let context_store = use_context::<RecordingStore>();
    let store = props.store.clone().or(context_store);
    let engine = use_mut_ref(Engine::default);
    let canvas_ref = use_node_ref();
    let wrap_ref = use_node_ref();
    let update = use_force_update();
    let tooltip = use_state(|| None::<(f64, f64, Vec<String>)>);
    let focus_sink = use_context::<CodeFocusSink>();

    // The frame loop.
    {
        let (engine, canvas_ref, wrap_ref, update) = (
            engine.clone(),
            canvas_ref.clone(),
            wrap_ref.clone(),
            update.clone(),
        );
        use_effect_with(
            (props.recording_part.clone(), store.clone()),
            move |(part, store)| {
                let part = part.clone();
                let store = store.clone();
                let alive = Rc::new(Cell::new(true));
                let frame_id = Rc::new(Cell::new(None::<i32>));
                let slot: FrameSlot = Rc::default();
                let last_ui = Cell::new(None::<UiKey>);
                let last_ts = Cell::new(None::<f64>);
                let last_theme = Cell::new(None::<Theme>);
                {
                    let (alive, frame_id, me) = (alive.clone(), frame_id.clone(), slot.clone());
                    *slot.borrow_mut() = Some(Closure::new(move |ts: f64| {
                        if !alive.get() {
                            return;
                        }
                        let dt = last_ts.replace(Some(ts)).map_or(0.0, |prev| ts - prev);
                        if let (Some(store), Some(canvas), Some(wrap)) = (
                            store.as_ref(),
                            canvas_ref.cast::<HtmlCanvasElement>(),
                            wrap_ref.cast::<Element>(),
                        ) {
                            let mut e = engine.borrow_mut();
                            // A new theme (a cell the shell sets once per change) repaints.
                            let theme = crate::theme::active();
                            if last_theme.replace(Some(theme)) != Some(theme) {
                                e.dirty = true;
                            }
                            run_frame(&mut e, &store.borrow(), &part, &canvas, &wrap, dt, theme);
                            let ui = UiKey::of(&e);
                            drop(e);
                            if last_ui.replace(Some(ui)) != Some(ui) {
                                update.force_update();
                            }
                        }
                        let id = web_sys::window().and_then(|w| {
                            me.borrow().as_ref().and_then(|c| {
                                w.request_animation_frame(c.as_ref().unchecked_ref()).ok()
                            })
                        });
                        frame_id.set(id);
                    }));
                }
                let id = web_sys::window().and_then(|w| {
                    slot.borrow()
                        .as_ref()
                        .and_then(|c| w.request_animation_frame(c.as_ref().unchecked_ref()).ok())
                });
                frame_id.set(id);
                move || {
                    alive.set(false);
                    if let (Some(id), Some(w)) = (frame_id.get(), web_sys::window()) {
                        let _ = w.cancel_animation_frame(id);
                    }
                    slot.borrow_mut().take();
                }
            },
        );
    }

    // Wheel: zoom (or pan with shift). Registered by hand, not passive, so the page
    // does not scroll while the learner zooms.
    {
        let (engine, canvas_ref) = (engine.clone(), canvas_ref.clone());
        use_effect_with((), move |_| {
            let canvas = canvas_ref.cast::<HtmlCanvasElement>();
            let listener = Closure::<dyn FnMut(WheelEvent)>::new(move |e: WheelEvent| {
                e.prevent_default();
                let mut en = engine.borrow_mut();
                let (dx, dy) = (e.delta_x(), e.delta_y());
                if e.shift_key() || dx.abs() > dy.abs() {
                    let d = if dx.abs() > dy.abs() { dx } else { dy };
                    en.pan(d, 0.0);
                } else {
                    en.zoom(f64::from(e.offset_x()), (-dy * 0.002).exp());
                }
            });
            let options = AddEventListenerOptions::new();
            options.set_passive(false);
            if let Some(c) = &canvas {
                let _ = c.add_event_listener_with_callback_and_add_event_listener_options(
                    "wheel",
                    listener.as_ref().unchecked_ref(),
                    &options,
                );
            }
            move || {
                if let Some(c) = canvas {
                    let _ = c.remove_event_listener_with_callback(
                        "wheel",
                        listener.as_ref().unchecked_ref(),
                    );
                }
            }
        });
    }

    // Mouse, pen and touch: one path, through the engine's gesture.
    let on_pointer_down = {
        let (engine, canvas_ref, tooltip) = (engine.clone(), canvas_ref.clone(), tooltip.clone());
        Callback::from(move |e: PointerEvent| {
            if e.pointer_type() == "mouse" && e.button() != 0 {
                return;
            }
            let (x, y) = at(&e);
            if engine.borrow_mut().pointer_down(e.pointer_id(), x, y) {
                // Moves and the lift come here even off the canvas.
                if let Some(c) = canvas_ref.cast::<Element>() {
                    let _ = c.set_pointer_capture(e.pointer_id());
                }
                if e.pointer_type() != "mouse" {
                    tooltip.set(None);
                }
            }
        })
    };
    let on_pointer_move = {
        let (engine, tooltip) = (engine.clone(), tooltip.clone());
        Callback::from(move |e: PointerEvent| {
            let (x, y) = at(&e);
            let mut en = engine.borrow_mut();
            if en.gesture.active() > 0 {
                if en.pointer_move(e.pointer_id(), x, y) && tooltip.is_some() {
                    tooltip.set(None);
                }
            } else if e.pointer_type() != "touch" {
                // Hover (a mouse or pen not pressed): what is under it.
                tooltip.set(en.tooltip(x, y).map(|lines| (x, y, lines)));
            }
        })
    };
    let on_pointer_up = {
        let engine = engine.clone();
        Callback::from(move |e: PointerEvent| {
            let (x, y) = at(&e);
            engine
                .borrow_mut()
                .pointer_up(e.pointer_id(), x, y, e.time_stamp());
        })
    };
    let on_pointer_cancel = {
        let engine = engine.clone();
        Callback::from(move |e: PointerEvent| engine.borrow_mut().pointer_cancel(e.pointer_id()))
    };
    let on_pointer_leave = {
        let tooltip = tooltip.clone();
        Callback::from(move |_: PointerEvent| tooltip.set(None))
    };
    let on_key = {
        let engine = engine.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.ctrl_key() || e.meta_key() || e.alt_key() {
                return;
            }
            // Shifted arrows move the window; plain ones step through the events.
            let key = e.key();
            let key = if e.shift_key() && key.starts_with("Arrow") {
                format!("Shift+{key}")
            } else {
                key
            };
            if engine.borrow_mut().key(&key) {
                e.prevent_default();
            }
        })
    };
    let act = |f: fn(&mut Engine)| {
        let engine = engine.clone();
        Callback::from(move |_: MouseEvent| f(&mut engine.borrow_mut()))
    };
    let on_scrub = {
        let engine = engine.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Ok(v) = input.value().parse::<usize>() {
                engine.borrow_mut().scrub(v);
            }
        })
    };
    let on_speed = {
        let (engine, update) = (engine.clone(), update.clone());
        Callback::from(move |e: yew::Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            if let Ok(v) = select.value().parse::<f64>() {
                engine.borrow_mut().set_speed(v);
                update.force_update();
            }
        })
    };

    // What the controls and panels show.
    let e = engine.borrow();
    let total = e.total;
    let current = e.current();
    let mode = e.playback.mode;
    let recordings = store.as_ref().map(|s| s.borrow());
    let part = recordings
        .as_ref()
        .and_then(|r| props.recording_part.part(r));
    let events: &[Event] = part.map_or(&[][..], |p| p.events.as_slice());
    let warnings = part.map(|p| {
        let on_go = {
            let (engine, update) = (engine.clone(), update.clone());
            Callback::from(move |index: usize| {
                engine.borrow_mut().scrub(index);
                update.force_update();
            })
        };
        html! {
            <Warnings run_id={p.run_id} report={p.diagnostics()} thresholds={p.thresholds()}
                events_kept={p.events.len()} {on_go} />
        }
    });
    let current_event = current.and_then(|i| events.get(i).map(|ev| (i, ev)));
    // The code panel lights what the current event is about, whenever it changes.
    let focus = current_event
        .filter(|(i, _)| *i < e.model.consumed)
        .map(|(_, ev)| focus_of(&e.model, ev));
    use_effect_with((e.model.run_id, current, focus), move |(_, _, focus)| {
        if let (Some(CodeFocusSink(sink)), Some(focus)) = (focus_sink, focus) {
            sink.emit(focus.clone());
        }
    });
    let current_view = match current_event {
        Some((i, ev)) if i < e.model.consumed => html! {
            <p class="tl-current-event" data-event-index={i.to_string()} data-kind={event_kind(ev)}>
                <strong>{ format!("Event {} of {total}", i + 1) }</strong>
                { format!(" at {}: ", format_duration(ev.t_ns)) }
                { describe(&e.model, ev) }
            </p>
        },
        _ => html! {
            <p class="tl-current-event" data-event-index="-1">{ "No events recorded yet." }</p>
        },
    };
    let details_row = e.selected.or_else(|| {
        current_event.and_then(|(_, ev)| ev.kind.task().and_then(|t| e.model.task_row(t)))
    });
    let details = part.and_then(|p| {
        details_row.and_then(|row| {
            task_details(
                &e.model,
                &p.stats,
                row,
                current_event.map(|(_, ev)| ev.t_ns),
            )
        })
    });
    // Said only where the learner put the cursor: a live run or a replay would flood the
    // reader with events.
    let announce = match current_event {
        Some((i, ev)) if i < e.model.consumed && mode == Mode::Paused => html! {
            <p class="tl-announce" role="status" aria-live="polite" aria-atomic="true"
                data-event-index={i.to_string()}>
                { announcement(&e.model, ev, i, total, details.as_ref(), e.selected.is_some()) }
            </p>
        },
        _ => html! {
            <p class="tl-announce" role="status" aria-live="polite" aria-atomic="true"
                data-event-index="-1"></p>
        },
    };
    let details_view = details_panel(details, e.selected.is_some());
    let speed_options = SPEEDS.iter().map(|&s| {
        html! {
            <option value={s.to_string()} selected={(s - e.playback.speed).abs() < 1e-9}>
                { format!("{} events/s", s) }
            </option>
        }
    });
    let legend = super::legend::items();
    let (canvas_w, canvas_h) = (e.width, e.layout().height);
    let tip = match (*tooltip).as_ref() {
        Some((x, y, lines)) => {
            // Beside the pointer, on the side with more room, so it stays inside the canvas.
            let h = if *x > canvas_w / 2.0 {
                format!("right: {}px", canvas_w - x + 12.0)
            } else {
                format!("left: {}px", x + 12.0)
            };
            let v = if *y > canvas_h / 2.0 {
                format!("bottom: {}px", canvas_h - y + 12.0)
            } else {
                format!("top: {}px", y + 12.0)
            };
            let style = format!("{h}; {v}");
            let lines = lines.iter().enumerate().map(|(i, l)| {
                if i == 0 {
                    html! { <strong>{ l }</strong> }
                } else {
                    html! { <div>{ l }</div> }
                }
            });
            html! { <div class="tl-tooltip" role="tooltip" {style}>{ for lines }</div> }
        }
        // Always an element, so the canvas's siblings never change in number.
        None => html! { <div class="tl-tooltip" role="tooltip" hidden=true></div> },
    };
    let title = props.title.clone();
    let label = format!(
        "Timeline of {}{}: arrow keys step through the events, + and − zoom, \
         shift and arrows move in time, question mark lists all keys",
        props.recording_part.scenario,
        title
            .as_ref()
            .map_or_else(String::new, |t| format!(", {t}")),
    );
    let html = html! {
        <section class="timeline" data-scenario={props.recording_part.scenario.clone()}
            data-part={props.recording_part.part.to_string()}>
            if let Some(title) = title {
                <h4 class="tl-title">{ title }</h4>
            }
            { for warnings }
            <div class="tl-controls">
                <button class="tl-step-back" title="Step one event back (← or ,)" disabled={total == 0}
                    onclick={act(Engine::step_back)}>{ "◀ step" }</button>
                <button class="tl-play" title="Play / pause (space)" disabled={total == 0}
                    onclick={act(Engine::toggle_play)}>
                    { if mode == Mode::Playing { "❚❚ pause" } else { "▶ play" } }
                </button>
                <button class="tl-step-forward" title="Step one event forward (→ or .)" disabled={total == 0}
                    onclick={act(Engine::step_forward)}>{ "step ▶" }</button>
                <button class="tl-live" title="Follow the latest event (End or l)" disabled={mode == Mode::Live}
                    onclick={act(Engine::follow_live)}>{ "» latest" }</button>
                <select class="tl-speed" aria-label="Playback speed" onchange={on_speed}>
                    { for speed_options }
                </select>
                <input class="tl-scrub" type="range" aria-label="Current event" min="0"
                    max={total.saturating_sub(1).to_string()}
                    value={current.unwrap_or(0).to_string()} oninput={on_scrub} />
                <span class="tl-position">
                    { match current { Some(c) => format!("{} / {total}", c + 1), None => "0 / 0".to_owned() } }
                    { format!(" · {}", mode.as_str()) }
                </span>
                <span class="tl-zoom">
                    <button class="tl-zoom-out" title="Zoom out (-)" onclick={act(|e| {
                        let c = super::layout::LABEL_W + e.view.width / 2.0;
                        e.zoom(c, 0.8);
                    })}>{ "−" }</button>
                    <button class="tl-zoom-in" title="Zoom in (+)" onclick={act(|e| {
                        let c = super::layout::LABEL_W + e.view.width / 2.0;
                        e.zoom(c, 1.25);
                    })}>{ "+" }</button>
                    <button class="tl-fit" title="Show the whole run (0, or double-click)" disabled={e.follow}
                        onclick={act(Engine::fit)}>{ "fit" }</button>
                </span>
            </div>
            <div class="tl-canvas-wrap" ref={wrap_ref} tabindex="0" onkeydown={on_key}
                role="application" aria-roledescription="timeline" aria-label={label}>
                <canvas class="tl-canvas" ref={canvas_ref} aria-hidden="true"
                    onpointerdown={on_pointer_down} onpointermove={on_pointer_move}
                    onpointerup={on_pointer_up} onpointercancel={on_pointer_cancel}
                    onpointerleave={on_pointer_leave} />
                { tip }
            </div>
            <p class="tl-hint">
                { "Wheel or pinch: zoom · drag: move in time (up/down scrolls tasks) · double-click or double-tap: whole run · keys: ← → step, + − zoom, shift+← → move, ↑ ↓ scroll, 0 fit, space play, ? all keys · click a task for its details" }
            </p>
            <ul class="tl-legend">{ legend }</ul>
            { current_view }
            { announce }
            { details_view }
        </section>
    };
    drop(e);
    html
}

fn details_panel(details: Option<TaskDetails>, selected: bool) -> Html {
    let Some(d) = details else {
        return html! {
            <div class="tl-details" data-task-id="">
                <p class="hint">{ "Click a task's row for its details." }</p>
            </div>
        };
    };
    let w = d.wakes;
    let why = if selected {
        "selected"
    } else {
        "the task of the current event"
    };
    html! {
        <div class="tl-details" data-task-id={d.id.to_string()} data-polls-so-far={d.polls_so_far.to_string()}
            data-selected={selected.to_string()}>
            <h5>{ format!("Task #{} {} ", d.id, d.name) }<span class="hint">{ format!("({why})") }</span></h5>
            <dl>
                <dt>{ "kind / state" }</dt>
                <dd>{ format!("{}, {}", d.kind, d.state) }
                    if let Some(p) = &d.parent { { format!(", spawned by {p}") } }</dd>
                <dt>{ "polls" }</dt>
                <dd>{ format!("{} in the run; {} started up to the current event", d.polls, d.polls_so_far) }</dd>
                <dt>{ "time" }</dt>
                <dd>{ format!("busy {} · scheduled {} · idle {}", format_duration(d.busy_ns),
                    format_duration(d.scheduled_ns), format_duration(d.idle_ns)) }</dd>
                <dt>{ "wakes" }</dt>
                <dd>{ format!("{} in total: reactor {}, timer {}, other tasks {}, itself {}, driver {}, threads {}",
                    w.total(), w.by_reactor, w.by_timer, w.by_task, w.self_wakes, w.by_driver, w.by_thread) }</dd>
                <dt>{ "waited longest at" }</dt>
                <dd>{ match &d.longest_await {
                    Some((name, longest, total, count)) => html! {
                        <><code>{ name }</code>{ format!(": {} once; {} over {count} wait(s)",
                            format_duration(*longest), format_duration(*total)) }</>
                    },
                    None => html! { { "no named await point returned Pending" } },
                } }</dd>
                <dt>{ "ran on" }</dt>
                <dd>{ if d.lanes.is_empty() { "—".to_owned() } else { d.lanes.join(", ") } }
                    { format!(" ({} migration(s))", d.migrations) }
                    if let Some(delay) = d.first_poll_delay_ns {
                        { format!("; first polled {} after its spawn", format_duration(delay)) }
                    }
                </dd>
            </dl>
        </div>
    }
}
