//! Browser tests: render components into a real DOM (headless Chromium) and check the
//! attributes the end-to-end tests rely on.
//!
//! Run with `wasm-bindgen-test-runner` (see `webdriver.json` for the Chromium flags):
//! `CHROMEDRIVER=/usr/bin/chromedriver CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner cargo test --target wasm32-unknown-unknown`
//! On native targets this file compiles to nothing.
#![cfg(target_arch = "wasm32")]

mod support;

use pollscope_frontend::demos::echo::{EchoResultProps, EchoResultView};
use pollscope_frontend::demos::seq_vs_concurrent::{ResultProps, SeqVsConcurrentResultView};
use pollscope_frontend::demos::{self, be_the_executor};
use pollscope_frontend::recording::PartRecording;
use pollscope_frontend::state::{FailureCode, RunState, Slot};
use pollscope_frontend::widgets::{
    DemoProps, EventCounts, EventCountsProps, EventCountsView, Knobs, KnobsProps, RunPanel,
    TaskTable, TaskTableProps, task_rows,
};
use pollscope_shared::ErrorCode;
use pollscope_shared::instrument::batch::EventBatch;
use pollscope_shared::instrument::stats::WakeCounts;
use pollscope_shared::instrument::{
    Event, EventKind, LaneId, PollEvent, PollOutcome, SpawnEvent, TaskId, TaskKind, TaskOutcome,
    WakeSource,
};
use pollscope_shared::results::{EchoResult, Histogram};
use pollscope_shared::results::{ProgressEvent, SeqVsConcurrentResult};
use pollscope_shared::scenario::{ParamSpec, ParamValues, ScenarioDescriptor, id};
use support::{all, attr, container, ev, exists, find, settle};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};
use yew::{Callback, Html, component};

wasm_bindgen_test_configure!(run_in_browser);

/// The result from the golden file, as the server sends it.
fn golden_result() -> SeqVsConcurrentResult {
    pollscope_shared::testkit::seq_vs_concurrent_result()
}

#[wasm_bindgen_test]
async fn result_view_draws_measured_bars() {
    let root = container();
    let result = golden_result();
    yew::Renderer::<SeqVsConcurrentResultView>::with_root_and_props(
        root.clone(),
        ResultProps {
            result: result.clone(),
        },
    )
    .render();
    settle().await;

    let section = find(&root, "#result");
    assert_eq!(attr(&section, "data-sequential-us"), "802911");
    assert_eq!(attr(&section, "data-concurrent-us"), "501870");

    let text = section.text_content().unwrap();
    assert!(
        text.contains("Sequential: 802.9 ms (≈ sum of delays: 800 ms)"),
        "{text}"
    );
    assert!(
        text.contains("Concurrent: 501.9 ms (≈ max: 500 ms)"),
        "{text}"
    );

    let bars = all(&root, ".strategy-bar");
    assert_eq!(bars.len(), 2);
    assert_eq!(attr(&bars[0], "data-strategy"), "sequential");
    assert_eq!(attr(&bars[1], "data-strategy"), "concurrent");
    let (seq_px, conc_px) = (bars[0].offset_width(), bars[1].offset_width());
    assert!(seq_px > 0 && conc_px > 0, "{seq_px} {conc_px}");
    // Widths are proportional to the measured totals (allow a pixel of rounding).
    let expected_conc = f64::from(seq_px) * 501_870.0 / 802_911.0;
    assert!(
        (f64::from(conc_px) - expected_conc).abs() <= 1.5,
        "concurrent {conc_px}px, expected ≈ {expected_conc}px"
    );

    let fetches = all(&root, ".fetch-bar");
    assert_eq!(fetches.len(), 4);
    let seen: Vec<(String, String, String)> = fetches
        .iter()
        .map(|f| {
            (
                attr(f, "data-strategy"),
                attr(f, "data-server"),
                attr(f, "data-elapsed-us"),
            )
        })
        .collect();
    let expected: Vec<(String, String, String)> = [
        ("sequential", "a", "301325"),
        ("sequential", "b", "501560"),
        ("concurrent", "a", "300950"),
        ("concurrent", "b", "501800"),
    ]
    .iter()
    .map(|(s, v, e)| (s.to_string(), v.to_string(), e.to_string()))
    .collect();
    assert_eq!(seen, expected);

    // Sequential: b starts after a ended. Concurrent: both start at (almost) zero.
    let left = |e: &HtmlElement| e.offset_left() - bars[0].offset_left();
    assert!(left(&fetches[1]) >= left(&fetches[0]) + fetches[0].offset_width() - 1);
    assert!(left(&fetches[2]) <= 1 && left(&fetches[3]) <= 1);
    // Each fetch bar's width is its elapsed time on the shared scale.
    let px_per_us = f64::from(seq_px) / 802_911.0;
    for (f, elapsed) in fetches
        .iter()
        .zip([301_325.0, 501_560.0, 300_950.0, 501_800.0])
    {
        let expected = elapsed * px_per_us;
        assert!(
            (f64::from(f.offset_width()) - expected).abs() <= 1.5,
            "{} vs {expected}",
            f.offset_width()
        );
    }
}

#[wasm_bindgen_test]
async fn knobs_follow_the_descriptor() {
    let root = container();
    let specs = vec![
        ParamSpec::integer("delay_a_ms", "Server A delay", "ms", 300, 10, 3000),
        ParamSpec::integer("delay_b_ms", "Server B delay", "ms", 500, 10, 3000),
    ];
    let values = ParamValues::from([("delay_a_ms".into(), 1200), ("delay_b_ms".into(), 500)]);
    yew::Renderer::<Knobs>::with_root_and_props(
        root.clone(),
        KnobsProps {
            specs,
            values,
            disabled: false,
            on_change: Callback::noop(),
        },
    )
    .render();
    settle().await;

    for (name, value) in [("delay_a_ms", "1200"), ("delay_b_ms", "500")] {
        let input = find(&root, &format!("#param-{name}"))
            .dyn_into::<web_sys::HtmlInputElement>()
            .unwrap();
        assert_eq!(input.type_(), "number");
        assert_eq!(attr(&input, "min"), "10");
        assert_eq!(attr(&input, "max"), "3000");
        assert_eq!(input.value(), value);
        let slider = find(&root, &format!("#param-{name}-slider"))
            .dyn_into::<web_sys::HtmlInputElement>()
            .unwrap();
        assert_eq!(slider.type_(), "range");
        assert_eq!(attr(&slider, "min"), "10");
        assert_eq!(attr(&slider, "max"), "3000");
        assert_eq!(slider.value(), value);
    }
    let text = root.text_content().unwrap();
    assert!(text.contains("Server A delay"), "{text}");
    assert!(text.contains("10–3000 ms"), "{text}");
}

fn demo_props(run: RunState, connected: bool) -> DemoProps {
    demo_props_of(id::SEQ_VS_CONCURRENT, run, connected)
}

fn demo_props_of(id: &str, run: RunState, connected: bool) -> DemoProps {
    let descriptor = ScenarioDescriptor {
        id: id.into(),
        title: "Sequential vs concurrent".into(),
        section: 1,
        summary: "s".into(),
        params: vec![ParamSpec::integer(
            "delay_a_ms",
            "Server A delay",
            "ms",
            300,
            10,
            3000,
        )],
        code: Default::default(),
        fixes: Vec::new(),
    };
    DemoProps {
        values: descriptor.defaults(),
        descriptor,
        run,
        connected,
        recording_version: 0,
        on_param: Callback::noop(),
        on_run: Callback::noop(),
        on_cancel: Callback::noop(),
        history: Vec::new(),
        compare: None,
        on_compare: Callback::noop(),
        on_fix: Callback::noop(),
        guesses: Default::default(),
        on_guess: Callback::noop(),
    }
}

async fn render_panel(props: DemoProps) -> Element {
    let root = container();
    yew::Renderer::<RunPanel>::with_root_and_props(root.clone(), props).render();
    settle().await;
    root
}

/// Whether the button matching `css` exists and is disabled (Yew renders `disabled` as
/// a boolean attribute).
fn button(root: &Element, css: &str) -> Option<bool> {
    root.query_selector(css)
        .unwrap()
        .map(|e| e.has_attribute("disabled"))
}

#[wasm_bindgen_test]
async fn run_panel_states() {
    // Idle and connected: Run enabled, no Cancel.
    let root = render_panel(demo_props(RunState::Idle, true)).await;
    assert!(!button(&root, "#run-button").unwrap());
    assert!(button(&root, "#cancel-button").is_none());

    // Not connected: Run disabled.
    let root = render_panel(demo_props(RunState::Idle, false)).await;
    assert!(button(&root, "#run-button").unwrap());

    // Running: Run disabled, Cancel offered, progress shown.
    let running = RunState::Running {
        run_id: 1,
        params: Default::default(),
        fixing: None,
        events: vec![ProgressEvent::Phase {
            at_us: 210,
            name: "sequential".into(),
        }],
        slot: Slot::Running,
        cancelling: false,
        limit_us: Some(30_000_000),
    };
    let root = render_panel(demo_props(running.clone(), true)).await;
    assert!(button(&root, "#run-button").unwrap());
    assert!(!button(&root, "#cancel-button").unwrap());
    assert_eq!(all(&root, "#progress .progress-event").len(), 1);
    assert!(!exists(&root, "#run-queued"));

    // Waiting for a run slot: its place is said, and it can still be cancelled.
    let mut queued = running;
    if let RunState::Running { slot, .. } = &mut queued {
        *slot = Slot::Queued { ahead: 2 };
    }
    let root = render_panel(demo_props(queued, true)).await;
    let place = find(&root, "#run-queued");
    assert_eq!(attr(&place, "data-ahead"), "2");
    assert!(
        place
            .text_content()
            .unwrap()
            .contains("2 runs ahead of yours"),
        "{:?}",
        place.text_content()
    );
    assert!(!button(&root, "#cancel-button").unwrap());

    // A server error is shown with its code and message.
    let failed = RunState::Failed {
        code: FailureCode::Server(ErrorCode::ParameterOutOfRange),
        message: "parameter `delay_a_ms` = 999999 is outside 10..=3000 ms".into(),
    };
    let root = render_panel(demo_props(failed, true)).await;
    let error = find(&root, "#run-error");
    assert_eq!(attr(&error, "data-code"), "parameter_out_of_range");
    let text = error.text_content().unwrap();
    assert!(text.contains("parameter_out_of_range"), "{text}");
    assert!(text.contains("is outside 10..=3000 ms"), "{text}");
    assert!(!button(&root, "#run-button").unwrap());
}

/// Two tasks: "conn" polled 3 times (Pending, woken by the reactor; Pending, woken by
/// the reactor; Ready), and "client 0" spawned and cancelled without a poll.
fn two_task_events() -> Vec<Event> {
    let lane = Some(LaneId(0));
    let conn = TaskId(1);
    let mut events = vec![
        ev(
            0,
            EventKind::Lane {
                lane: LaneId(0),
                name: "worker 0".into(),
                lane_kind: pollscope_shared::instrument::event::LaneKind::Worker,
            },
        ),
        ev(
            0,
            EventKind::Spawn(SpawnEvent {
                task: conn,
                name: "conn".into(),
                parent: None,
                task_kind: TaskKind::Async,
            }),
        ),
        ev(
            10,
            EventKind::Spawn(SpawnEvent {
                task: TaskId(2),
                name: "client 0".into(),
                parent: None,
                task_kind: TaskKind::Async,
            }),
        ),
    ];
    let mut t = 100;
    for outcome in [
        PollOutcome::Pending,
        PollOutcome::Pending,
        PollOutcome::Ready,
    ] {
        events.push(ev(
            t + 1_000,
            EventKind::Poll(PollEvent {
                task: conn,
                lane,
                busy_ns: 1_000,
                outcome,
                resumed: None,
                waiting_on: None,
                waker_clones: 0,
            }),
        ));
        if outcome == PollOutcome::Pending {
            events.push(ev(
                t + 500_000,
                EventKind::Wake {
                    task: conn,
                    by: WakeSource::Reactor,
                    by_ref: false,
                },
            ));
        }
        t += 1_000_000;
    }
    events.push(ev(
        t,
        EventKind::Complete {
            task: conn,
            outcome: TaskOutcome::Ok,
        },
    ));
    events.push(ev(
        t + 1,
        EventKind::Complete {
            task: TaskId(2),
            outcome: TaskOutcome::Cancelled,
        },
    ));
    events
}

fn two_task_recording() -> PartRecording {
    let mut recording = PartRecording::new(1, 0);
    recording.apply_batch(EventBatch {
        run_id: 1,
        part: 0,
        seq: 0,
        dropped_total: 0,
        events: two_task_events(),
    });
    recording
}

#[wasm_bindgen_test]
async fn task_table_has_one_row_per_task() {
    let root = container();
    let recording = two_task_recording();
    yew::Renderer::<TaskTable>::with_root_and_props(
        root.clone(),
        TaskTableProps {
            rows: task_rows(&recording.stats),
        },
    )
    .render();
    settle().await;

    let table = find(&root, "#task-table");
    assert_eq!(attr(&table, "data-tasks"), "2");
    let rows = all(&root, "#task-table tr.task-row");
    assert_eq!(rows.len(), 2);
    let seen: Vec<[String; 5]> = rows
        .iter()
        .map(|r| {
            [
                attr(r, "data-task-id"),
                attr(r, "data-name"),
                attr(r, "data-state"),
                attr(r, "data-polls"),
                attr(r, "data-wakes"),
            ]
        })
        .collect();
    let expected = [
        ["1", "conn", "done-ok", "3", "2"],
        ["2", "client 0", "done-cancelled", "0", "0"],
    ]
    .map(|row| row.map(str::to_owned));
    assert_eq!(seen, expected);

    let conn = rows[0].text_content().unwrap();
    assert!(conn.contains("done"), "{conn}");
    assert!(conn.contains("#0"), "last lane: {conn}");
    let lane = find(&rows[0], "td.lane");
    assert_eq!(attr(&lane, "title"), "worker 0");
    // Busy: 3 polls of 1 µs each.
    assert!(conn.contains("0.003"), "{conn}");
    let client = rows[1].text_content().unwrap();
    assert!(client.contains("cancelled"), "{client}");
    assert!(
        client.contains("—"),
        "no lane for a task never polled: {client}"
    );
}

#[wasm_bindgen_test]
async fn event_counts_show_drops_and_gaps() {
    let root = container();
    let mut recording = two_task_recording();
    recording.apply_batch(EventBatch {
        run_id: 1,
        part: 0,
        seq: 3,
        dropped_total: 17,
        events: vec![],
    });
    yew::Renderer::<EventCountsView>::with_root_and_props(
        root.clone(),
        EventCountsProps {
            counts: EventCounts::of(&recording),
        },
    )
    .render();
    settle().await;

    let count = find(&root, "#event-count");
    assert_eq!(
        attr(&count, "data-events"),
        two_task_events().len().to_string()
    );
    assert_eq!(attr(&count, "data-lost-batches"), "2");
    let dropped = find(&root, "#events-dropped");
    assert_eq!(attr(&dropped, "data-dropped"), "17");
    assert!(
        dropped
            .text_content()
            .unwrap()
            .contains("17 events dropped by the recorder")
    );
    let gaps = find(&root, "#event-gaps");
    assert!(gaps.text_content().unwrap().contains("2 batch(es) lost"));
}

#[wasm_bindgen_test]
async fn echo_result_exposes_the_server_totals() {
    let root = container();
    let result = EchoResult {
        workers: 2,
        clients: 4,
        messages_per_client: 100,
        message_bytes: 64,
        round_trips: 400,
        elapsed_us: 52_000,
        round_trips_per_sec: 7_692,
        latency_p50_us: 110,
        latency_p99_us: 420,
        latency_max_us: 900,
        // Sorted, these put 110 µs at index 200 (p50) and 420 µs at 396 (p99).
        latency_histogram: Box::new(Histogram::from_samples((0..400u64).map(|i| match i {
            0..200 => 100,
            200..396 => 110,
            396..399 => 420,
            _ => 900,
        }))),
        tasks: 10,
        polls: 1_650,
        wakes: WakeCounts {
            by_reactor: 800,
            by_task: 4,
            ..WakeCounts::default()
        },
        events_recorded: 9_000,
        events_dropped: 0,
    };
    yew::Renderer::<EchoResultView>::with_root_and_props(root.clone(), EchoResultProps { result })
        .render();
    settle().await;

    let section = find(&root, "#echo-result");
    for (name, value) in [
        ("data-round-trips", "400"),
        ("data-polls", "1650"),
        ("data-tasks", "10"),
        ("data-wakes-reactor", "800"),
        ("data-events-recorded", "9000"),
        ("data-events-dropped", "0"),
    ] {
        assert_eq!(attr(&section, name), value, "{name}");
    }
    let text = section.text_content().unwrap();
    for expected in [
        "7692 round trips/s",
        "p50 0.1 ms, p99 0.4 ms, max 0.9 ms",
        "1650 polls",
        "800 by the reactor",
    ] {
        assert!(text.contains(expected), "{expected}: {text}");
    }
    // The plots are drawn from the same round trips the percentiles came from.
    // (SVG elements are not HTML elements: read them as plain `Element`s.)
    let svg = |css: &str, name: &str| {
        root.query_selector(css)
            .unwrap()
            .unwrap_or_else(|| panic!("no {css}"))
            .get_attribute(name)
    };
    assert_eq!(
        svg("svg.histogram-plot", "data-total").as_deref(),
        Some("400")
    );
    assert_eq!(
        svg("svg.cdf-plot [data-mark=p99]", "data-label").as_deref(),
        Some("0.4 ms")
    );
}

/// What the shell renders for a scenario: the registry's page for its id.
#[component]
fn Routed(props: &DemoProps) -> Html {
    demos::render(props.clone())
}

async fn render_routed(id: &str) -> Element {
    let root = container();
    yew::Renderer::<Routed>::with_root_and_props(
        root.clone(),
        demo_props_of(id, RunState::Idle, true),
    )
    .render();
    settle().await;
    root
}

#[wasm_bindgen_test]
async fn the_registry_renders_each_ids_page() {
    // Every server demo is drawn in the shared frame, with the code that ran.
    for &id in id::ALL {
        let root = render_routed(id).await;
        let article = find(&root, "article.demo");
        assert_eq!(attr(&article, "data-scenario"), id);
        assert!(exists(&root, "figure.code-panel"), "{id}: the code panel");
        assert!(exists(&root, "#run-button"), "{id}: the run panel");
    }

    // The browser-only demo: its own controls, no server run panel.
    let root = render_routed(be_the_executor::ID).await;
    assert_eq!(
        attr(&find(&root, "article.demo"), "data-scenario"),
        be_the_executor::ID
    );
    assert!(exists(&root, "#poll-button"));
    assert!(!exists(&root, "#run-button"));

    // An id with no page: the generic one, with the run panel but no code panel.
    let root = render_routed("not_a_page_yet").await;
    assert_eq!(
        attr(&find(&root, "article.demo"), "data-scenario"),
        "not_a_page_yet"
    );
    assert!(exists(&root, "#run-button"));
    assert!(!exists(&root, "figure.code-panel"));
}
