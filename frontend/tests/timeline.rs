//! The timeline component in a real DOM (headless Chromium): what it draws for a recorded
//! run, how the playback controls and keys move the highlighted event, and what the
//! live region says.
//!
//! Run with the other browser tests (see `browser.rs`). On native targets this file
//! compiles to nothing.
#![cfg(target_arch = "wasm32")]

mod support;

use pollscope_frontend::recording::RecordingStore;
use pollscope_frontend::timeline::{PartRef, Timeline, TimelineProps};
use pollscope_shared::instrument::batch::EventBatch;
use pollscope_shared::instrument::event::LaneKind;
use pollscope_shared::instrument::{
    Event, EventKind, LaneId, PollEvent, PollOutcome, SpawnEvent, TaskId, TaskKind, WakeSource,
};
use support::{all, attr, container, ev, find, rendered, until};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Two workers, `tasks` tasks, `n` polls of 2 µs, one every 20 µs, each Pending poll
/// followed by a reactor wake.
fn run_of(n: u64, tasks: u32) -> Vec<Event> {
    let mut e = Vec::new();
    for l in 0..2 {
        e.push(ev(
            0,
            EventKind::Lane {
                lane: LaneId(l),
                name: format!("worker {l}").into(),
                lane_kind: LaneKind::Worker,
            },
        ));
    }
    for t in 1..=tasks {
        e.push(ev(
            0,
            EventKind::Spawn(SpawnEvent {
                task: TaskId(t),
                name: format!("conn {t}").into(),
                parent: None,
                task_kind: TaskKind::Async,
            }),
        ));
    }
    for k in 0..n {
        let t = 20_000 * (k + 1);
        let task = TaskId((k % u64::from(tasks)) as u32 + 1);
        let lane = Some(LaneId((k % 2) as u32));
        e.push(ev(
            t + 2_000,
            EventKind::Poll(PollEvent {
                task,
                lane,
                busy_ns: 2_000,
                outcome: PollOutcome::Pending,
                resumed: None,
                waiting_on: None,
                waker_clones: 0,
            }),
        ));
        e.push(ev(
            t + 10_000,
            EventKind::Wake {
                task,
                by: WakeSource::Reactor,
                by_ref: false,
            },
        ));
    }
    e
}

fn store_with(scenario: &str, parts: &[(u32, Vec<Event>)]) -> RecordingStore {
    let store = RecordingStore::default();
    store.borrow_mut().begin(1, scenario);
    for (part, events) in parts {
        store.borrow_mut().enqueue(EventBatch {
            run_id: 1,
            part: *part,
            seq: 0,
            dropped_total: 0,
            events: events.clone(),
        });
    }
    store.borrow_mut().flush();
    store
}

/// A key pressed on `target` (bubbling, as a real one).
fn press(target: &web_sys::Element, key: &str, shift: bool) {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(key);
    init.set_shift_key(shift);
    init.set_bubbles(true);
    let event =
        web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    target.dispatch_event(&event).unwrap();
}

#[wasm_bindgen_test]
async fn a_run_of_n_polls_draws_n_bars_and_steps_through_its_events() {
    const N: u64 = 120;
    let events = run_of(N, 4);
    let total = events.len();
    let store = store_with("t", &[(0, events)]);
    let root = container();
    yew::Renderer::<Timeline>::with_root_and_props(
        root.clone(),
        TimelineProps {
            recording_part: PartRef::new("t", 0),
            title: None,
            store: Some(store.clone()),
        },
    )
    .render();
    let wrap = rendered(&root, ".tl-canvas-wrap").await;
    until("a first paint", || wrap.has_attribute("data-paints")).await;

    // Whole run in view: every poll is a bar of its own, in its task's row and its lane.
    assert_eq!(attr(&wrap, "data-bars"), N.to_string());
    assert_eq!(attr(&wrap, "data-buckets"), "0");
    assert_eq!(attr(&wrap, "data-lane-bars"), N.to_string());
    assert_eq!(attr(&wrap, "data-lanes"), "2");
    assert_eq!(attr(&wrap, "data-workers"), "2");
    assert_eq!(attr(&wrap, "data-tasks"), "4");
    assert_eq!(attr(&wrap, "data-arrows"), N.to_string());
    assert_eq!(attr(&wrap, "data-events"), total.to_string());
    // Live: the latest event is the current one.
    assert_eq!(attr(&wrap, "data-mode"), "live");
    assert_eq!(attr(&wrap, "data-current-event"), (total - 1).to_string());
    let canvas = find(&root, "canvas.tl-canvas");
    assert!(canvas.offset_width() >= 900, "{}", canvas.offset_width());

    // Step back: the previous event (the last poll's end) is highlighted and described.
    find(&root, ".tl-step-back").click();
    until("the step back", || {
        attr(&wrap, "data-current-event") == (total - 2).to_string()
    })
    .await;
    assert_eq!(attr(&wrap, "data-mode"), "paused");
    until("the panel", || {
        attr(&find(&root, ".tl-current-event"), "data-event-index") == (total - 2).to_string()
    })
    .await;
    let current = find(&root, ".tl-current-event");
    assert_eq!(attr(&current, "data-kind"), "poll");
    let text = current.text_content().unwrap();
    assert!(text.contains("returned Pending"), "{text}");
    // The details panel shows the task of that event: task 4 (the 120th poll's task).
    let details = find(&root, ".tl-details");
    assert_eq!(attr(&details, "data-task-id"), "4");
    assert_eq!(attr(&details, "data-polls-so-far"), (N / 4).to_string());

    // Forward again, then scrub to the start with the keyboard's step keys.
    find(&root, ".tl-step-forward").click();
    until("the step forward", || {
        attr(&wrap, "data-current-event") == (total - 1).to_string()
    })
    .await;
    press(&wrap, ",", false);
    until("the key", || {
        attr(&wrap, "data-current-event") == (total - 2).to_string()
    })
    .await;
    // Paused there, the live region says the event and its task, as the panels do.
    until("the live region", || {
        attr(&find(&root, ".tl-announce"), "data-event-index") == (total - 2).to_string()
    })
    .await;
    let said = find(&root, ".tl-announce").text_content().unwrap();
    assert!(
        said.starts_with(&format!("Event {} of {total}", total - 1)),
        "{said}"
    );
    assert!(said.contains("returned Pending"), "{said}");
    assert!(said.contains("Its task #4 conn 4: "), "{said}");
    // → steps forward; shift+→ moves the window instead.
    press(&wrap, "ArrowRight", false);
    until("the arrow", || {
        attr(&wrap, "data-current-event") == (total - 1).to_string()
    })
    .await;
    let start = attr(&wrap, "data-view-start-ns").parse::<f64>().unwrap();
    press(&wrap, "ArrowRight", true);
    until("the window to move", || {
        attr(&wrap, "data-view-start-ns").parse::<f64>().unwrap() > start
    })
    .await;
    assert_eq!(attr(&wrap, "data-current-event"), (total - 1).to_string());
    press(&wrap, "ArrowLeft", false);
    until("the arrow back", || {
        attr(&wrap, "data-current-event") == (total - 2).to_string()
    })
    .await;

    // More events arrive: back to live and the whole run (0), the new polls are drawn.
    press(&wrap, "0", false);
    find(&root, ".tl-live").click();
    let mut more = run_of(N + 10, 4);
    more.drain(..total);
    store.borrow_mut().enqueue(EventBatch {
        run_id: 1,
        part: 0,
        seq: 1,
        dropped_total: 0,
        events: more,
    });
    store.borrow_mut().flush();
    until("the new polls", || {
        wrap.get_attribute("data-bars").as_deref() == Some(&*(N + 10).to_string())
    })
    .await;
    assert_eq!(attr(&wrap, "data-mode"), "live");
}

#[wasm_bindgen_test]
async fn zoomed_out_polls_become_buckets_that_keep_the_count() {
    // 20 000 polls over 0.4 s on ~850 px: many per pixel.
    const N: u64 = 20_000;
    let store = store_with("t", &[(0, run_of(N, 2))]);
    let root = container();
    yew::Renderer::<Timeline>::with_root_and_props(
        root.clone(),
        TimelineProps {
            recording_part: PartRef::new("t", 0),
            title: None,
            store: Some(store),
        },
    )
    .render();
    let wrap = rendered(&root, ".tl-canvas-wrap").await;
    until("a first paint", || wrap.has_attribute("data-paints")).await;
    let n = |name: &str| attr(&wrap, name).parse::<u64>().unwrap();
    assert!(n("data-buckets") > 0);
    assert_eq!(n("data-bars") + n("data-bucketed-polls"), N);
    // Too many wakes in view for arrows: ticks only.
    assert_eq!(n("data-arrows"), 0);
}

#[wasm_bindgen_test]
async fn several_timelines_share_a_page() {
    // Two parts of one run (like runtime_flavors), each its own timeline.
    let store = store_with("flavors", &[(0, run_of(10, 1)), (1, run_of(30, 3))]);
    let root = container();
    #[yew::component]
    fn Both(props: &BothProps) -> yew::Html {
        yew::html! {
            <>
                <Timeline recording_part={PartRef::new("flavors", 0)} title={"part 0"}
                    store={Some(props.store.clone())} />
                <Timeline recording_part={PartRef::new("flavors", 1)} title={"part 1"}
                    store={Some(props.store.clone())} />
            </>
        }
    }
    #[derive(yew::Properties, PartialEq)]
    struct BothProps {
        store: RecordingStore,
    }
    yew::Renderer::<Both>::with_root_and_props(root.clone(), BothProps { store }).render();
    rendered(&root, ".tl-canvas-wrap").await;
    let wraps = all(&root, ".tl-canvas-wrap");
    assert_eq!(wraps.len(), 2);
    until("both painted", || {
        wraps.iter().all(|w| w.has_attribute("data-paints"))
    })
    .await;
    assert_eq!(attr(&wraps[0], "data-bars"), "10");
    assert_eq!(attr(&wraps[1], "data-bars"), "30");
    assert_eq!(attr(&wraps[1], "data-tasks"), "3");
    let titles: Vec<String> = all(&root, ".tl-title")
        .iter()
        .map(|t| t.text_content().unwrap())
        .collect();
    assert_eq!(titles, vec!["part 0", "part 1"]);
}
