//! The "be the executor" page (outline section 2), entirely in the browser.
//!
//! Two tasks: `sleeper` awaits one [`Delay`]; `joiner` awaits a [`Join2`] of two delays.
//! The learner is the scheduler: *Poll next* takes the first task of the ready queue and
//! calls `poll` on it; each task's own *Poll* button polls it whether it is ready or not
//! (a spurious poll, which a correct future answers with Pending again), and is refused
//! once the task is finished. The delays' timers are real `setTimeout`s: when one fires,
//! its callback calls `wake`, and the task appears in the ready queue.
//!
//! *Auto* runs the same futures on `wasm-bindgen-futures`, the browser's ready-made
//! executor. Both ways are recorded with the same instrumentation as the backend.

use std::cell::RefCell;
use std::rc::Rc;

use pollscope_shared::instrument::Recorder;
use pollscope_shared::instrument::batch::EventBatch;
use pollscope_shared::instrument::stats::RunStats;
use yew::prelude::*;

use super::{DemoPage, DemoProps, LocalDemo};
use crate::executor::futures::{Delay, DelayView, DelayWatch, Join2};
use crate::executor::manual::{ManualExecutor, Step, TaskView};
use crate::executor::timer::{BrowserTimers, TimerHandle, TimerSource};
use crate::recording::RecordingStore;
use crate::timeline::{PartRef, Timeline};

/// The route of this page: it needs no server, so it is not in the server's catalog.
pub const ID: &str = "be_the_executor";
pub const TITLE: &str = "Be the executor: poll a future by hand";
pub const SECTION: u8 = 2;

impl DemoPage for BeTheExecutorPage {
    const ID: &'static str = ID;
    const LOCAL: Option<LocalDemo> = Some(LocalDemo {
        title: TITLE,
        section: SECTION,
        summary: "Hand-written futures polled by a hand-driven executor, in your browser.",
    });
}

/// Bounds of each delay, in milliseconds: long enough to click, short enough to wait.
pub const MIN_DELAY_MS: u32 = 100;
pub const MAX_DELAY_MS: u32 = 10_000;
const EVENT_CAPACITY: usize = 1 << 14;
/// The log keeps this many lines, newest first on screen.
const MAX_LOG_LINES: usize = 200;

/// The code the page runs, shown in its code panel (the files of [`crate::executor`]).
const FUTURES_SOURCE: &str = include_str!("../executor/futures.rs");
const EXECUTOR_SOURCE: &str = include_str!("../executor/manual.rs");

/// Browser timers that also tell the page when one fired, after the wake was made.
struct NotifyingTimers {
    on_fire: Callback<u32>,
}

impl TimerSource for NotifyingTimers {
    fn start(&self, ms: u32, fire: Box<dyn FnOnce()>) -> TimerHandle {
        let on_fire = self.on_fire.clone();
        BrowserTimers.start(
            ms,
            Box::new(move || {
                fire();
                on_fire.emit(ms);
            }),
        )
    }
}

/// Everything one session of the page holds.
struct Session {
    executor: ManualExecutor,
    /// Where the timeline reads this session's events from, as run `run_id`.
    store: RecordingStore,
    run_id: u64,
    seq: u64,
    delays: Vec<DelayWatch>,
    log: Vec<LogLine>,
    /// Events recorded so far, drained from the recorder after every step.
    stats: RunStats,
    events: u64,
}

#[derive(Clone, PartialEq)]
struct LogLine {
    kind: &'static str,
    text: String,
}

fn delay_label(view: &DelayView) -> String {
    format!("Delay {} ({} ms)", view.name, view.ms)
}

impl Session {
    fn new(ms: [u32; 3], on_fire: Callback<u32>, store: RecordingStore, run_id: u64) -> Self {
        let recorder = Recorder::new(EVENT_CAPACITY);
        let timers: Rc<dyn TimerSource> = Rc::new(NotifyingTimers { on_fire });
        let a = Delay::new("a", ms[0], timers.clone());
        let b = Delay::new("b", ms[1], timers.clone());
        let c = Delay::new("c", ms[2], timers);
        let delays = vec![a.watch(), b.watch(), c.watch()];
        let mut executor = ManualExecutor::new(recorder.clone());
        let r = recorder.clone();
        executor.spawn(
            "sleeper",
            async move { r.timer("delay a", a).await.to_owned() },
        );
        let r = recorder;
        executor.spawn("joiner", async move {
            let (b, c) = r.timer("join b c", Join2::new(b, c)).await;
            format!("{b}+{c}")
        });
        store.borrow_mut().begin(run_id, ID);
        let mut session = Self {
            executor,
            store,
            run_id,
            seq: 0,
            delays,
            log: Vec::new(),
            stats: RunStats::default(),
            events: 0,
        };
        session.say(
            "note",
            "Two tasks spawned. A new task is ready: it has never been polled.".into(),
        );
        session.absorb_events();
        session
    }

    fn say(&mut self, kind: &'static str, text: String) {
        if self.log.len() == MAX_LOG_LINES {
            self.log.remove(0);
        }
        self.log.push(LogLine { kind, text });
    }

    /// Move what the recorder holds into the page's numbers and the timeline's store.
    fn absorb_events(&mut self) {
        let events = self.executor.recorder().drain();
        if events.is_empty() {
            return;
        }
        self.events += events.len() as u64;
        self.stats.apply_all(&events);
        self.store.borrow_mut().apply_batch(EventBatch {
            run_id: self.run_id,
            part: 0,
            seq: self.seq,
            dropped_total: self.executor.recorder().dropped(),
            events,
        });
        self.seq += 1;
    }

    /// Describe what a poll did, from the delays' state before and after.
    fn after_poll(&mut self, step: Step, before: Vec<DelayView>) {
        match step {
            Step::NothingReady => self.say(
                "idle",
                "The ready queue is empty: every task is waiting for a waker to be called. \
                 A real executor would now sleep (a Tokio worker parks) until a wake."
                    .into(),
            ),
            Step::Refused { task, reason } => {
                self.say("refused", format!("Refused to poll task {task}: {reason}."))
            }
            Step::Polled { task, name, output } => {
                let mut notes = Vec::new();
                for (old, new) in before.iter().zip(self.delays.iter().map(DelayWatch::view)) {
                    if new.polls == old.polls {
                        continue;
                    }
                    let what = if new.fired {
                        "its timer had fired: returned Ready".to_owned()
                    } else if !old.armed {
                        "armed its timer and stored the waker: returned Pending".to_owned()
                    } else {
                        "timer not fired yet: stored the (new) waker again, returned Pending"
                            .to_owned()
                    };
                    notes.push(format!("{} {what}", delay_label(&new)));
                }
                let verdict = match &output {
                    Some(value) => format!("Ready({value:?}) — the task is finished"),
                    None => "Pending — the task waits for a wake".into(),
                };
                let detail = if notes.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", notes.join("; "))
                };
                self.say(
                    if output.is_some() { "ready" } else { "pending" },
                    format!("poll(task {task} `{name}`) → {verdict}{detail}."),
                );
            }
        }
        self.absorb_events();
    }

    fn views(&self) -> Vec<DelayView> {
        self.delays.iter().map(DelayWatch::view).collect()
    }
}

/// Registered like every demo, so it takes [`DemoProps`]; it needs none of them (its
/// descriptor is its own, and nothing runs on a server).
#[component]
pub fn BeTheExecutorPage(_props: &DemoProps) -> Html {
    let ms = use_state(|| [1500u32, 1000, 3000]);
    let version = use_state(|| 0u64);
    let bump = {
        let version = version.clone();
        Callback::from(move |_| version.set(*version + 1))
    };
    let session: Rc<RefCell<Option<Session>>> =
        (*use_memo((), |_| Rc::new(RefCell::new(None)))).clone();
    let auto_log = use_state(Vec::<String>::new);
    // The timeline of this page reads a store of its own: nothing here comes from a server.
    let store = (*use_memo((), |_| RecordingStore::default())).clone();
    let next_run = use_mut_ref(|| 0u64);
    let new_session = {
        let (store, next_run) = (store.clone(), next_run.clone());
        move |ms: [u32; 3], on_fire: Callback<u32>| {
            *next_run.borrow_mut() += 1;
            let run_id = *next_run.borrow();
            Session::new(ms, on_fire, store.clone(), run_id)
        }
    };

    // Timer callbacks report here: log the wake, refresh the page.
    let on_fire = {
        let (session, bump) = (session.clone(), bump.clone());
        Callback::from(move |ms: u32| {
            if let Some(s) = session.borrow_mut().as_mut() {
                let queue = s.executor.ready_queue();
                s.say(
                    "wake",
                    format!(
                        "A {ms} ms timer fired: its callback called wake(). Ready queue: {queue:?}."
                    ),
                );
                s.absorb_events();
            }
            bump.emit(());
        })
    };
    if session.borrow().is_none() {
        *session.borrow_mut() = Some(new_session(*ms, on_fire.clone()));
    }

    let poll_next = {
        let (session, bump) = (session.clone(), bump.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(s) = session.borrow_mut().as_mut() {
                let before = s.views();
                let step = s.executor.poll_next();
                s.after_poll(step, before);
            }
            bump.emit(());
        })
    };
    let poll_task = {
        let (session, bump) = (session.clone(), bump.clone());
        Callback::from(move |task: usize| {
            if let Some(s) = session.borrow_mut().as_mut() {
                let before = s.views();
                let step = s.executor.poll(task);
                s.after_poll(step, before);
            }
            bump.emit(());
        })
    };
    let reset = {
        let (session, bump, ms, on_fire) =
            (session.clone(), bump.clone(), ms.clone(), on_fire.clone());
        let new_session = new_session.clone();
        Callback::from(move |_: MouseEvent| {
            *session.borrow_mut() = Some(new_session(*ms, on_fire.clone()));
            bump.emit(());
        })
    };
    let set_ms = |index: usize| {
        let (ms, session, bump, on_fire) =
            (ms.clone(), session.clone(), bump.clone(), on_fire.clone());
        let new_session = new_session.clone();
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            if let Ok(value) = input.value().parse::<u32>() {
                let mut next = *ms;
                next[index] = value.clamp(MIN_DELAY_MS, MAX_DELAY_MS);
                ms.set(next);
                *session.borrow_mut() = Some(new_session(next, on_fire.clone()));
                bump.emit(());
            }
        })
    };
    let auto = {
        let (ms, auto_log, store, next_run) = (
            ms.clone(),
            auto_log.clone(),
            store.clone(),
            next_run.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            *next_run.borrow_mut() += 1;
            let run_id = *next_run.borrow();
            run_auto(*ms, auto_log.clone(), store.clone(), run_id);
        })
    };

    let borrowed = session.borrow();
    let Some(s) = borrowed.as_ref() else {
        return html! {};
    };
    let queue = s.executor.ready_queue();
    let tasks = s.executor.tasks();
    let task_rows = tasks.iter().map(|t: &TaskView| {
        let state = match (&t.output, t.ready) {
            (Some(_), _) => "done",
            (None, true) => "ready",
            (None, false) => "waiting",
        };
        let stats = s.stats.tasks.values().find(|st| st.name == t.name);
        let onclick = {
            let (poll_task, index) = (poll_task.clone(), t.index);
            Callback::from(move |_: MouseEvent| poll_task.emit(index))
        };
        html! {
            <tr class="executor-task" key={t.index} data-task={t.index.to_string()} data-state={state}
                data-polls={t.polls.to_string()}>
                <td>{ t.index }</td>
                <td><code>{ t.name }</code></td>
                <td>{ state }</td>
                <td>{ t.polls }</td>
                <td>{ stats.map_or(0, |st| st.wakes.total()) }</td>
                <td>{ t.output.clone().map_or_else(|| "—".to_owned(), |o| format!("{o:?}")) }</td>
                <td><button id={format!("poll-task-{}", t.index)} onclick={onclick}>{ "Poll" }</button></td>
            </tr>
        }
    });
    let delay_rows = s.views().into_iter().map(|d| {
        html! {
            <li class="delay" id={format!("delay-{}", d.name)} data-armed={d.armed.to_string()}
                data-fired={d.fired.to_string()} data-waker={d.waker_stored.to_string()}
                data-polls={d.polls.to_string()}>
                <strong>{ delay_label(&d) }</strong>
                { format!(" — polled {} time(s); timer {}; waker {}",
                    d.polls,
                    if d.fired { "fired" } else if d.armed { "armed" } else { "not armed" },
                    if d.waker_stored { "stored" } else { "not stored" }) }
            </li>
        }
    });
    let log = s.log.iter().rev().enumerate().map(|(i, line)| {
        html! { <li key={s.log.len() - i} class={classes!("log-line", line.kind)} data-kind={line.kind}>{ &line.text }</li> }
    });
    let queue_text = queue
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let knobs = ["a", "b", "c"].iter().enumerate().map(|(i, name)| {
        html! {
            <label class="knob" key={*name}>
                { format!("Delay {name} ") }
                <input id={format!("delay-ms-{name}")} type="number" min={MIN_DELAY_MS.to_string()}
                    max={MAX_DELAY_MS.to_string()} value={ms[i].to_string()} onchange={set_ms(i)} />
                { " ms" }
            </label>
        }
    });
    let snippet = |source: &str| {
        pollscope_shared::snippet::extract_snippet(source)
            .map_or_else(|| source.to_owned(), pollscope_shared::snippet::dedent)
    };

    html! {
        <article class="demo" data-scenario={ID}>
            <h2>{ TITLE }</h2>
            <div class="explain">
                <p>
                    { "A future is a state machine with one method, " }<code>{ "poll" }</code>
                    { ". Each call either finishes (" }<code>{ "Ready(value)" }</code>
                    { ") or says it cannot go on yet (" }<code>{ "Pending" }</code>
                    { "). Before returning Pending it must arrange to be woken: it stores the " }
                    <code>{ "Waker" }</code>{ " from the context with whatever will make progress possible — here, a timer." }
                </p>
                <p>
                    { "The executor keeps a queue of tasks that are ready to be polled. Calling " }
                    <code>{ "wake()" }</code>{ " puts the task back in that queue. Here " }<em>{ "you" }</em>
                    { " are the executor: poll, watch what comes back, wait for a timer to call wake, poll again." }
                </p>
            </div>
            <div class="knobs">{ for knobs }</div>
            <div class="run-panel">
                <button id="poll-button" onclick={poll_next} disabled={s.executor.all_done()}>{ "Poll next ready task" }</button>
                <button id="reset-button" onclick={reset}>{ "Start over" }</button>
                <button id="auto-button" onclick={auto}>{ "Auto: run on wasm-bindgen-futures" }</button>
            </div>
            <p id="ready-queue" data-queue={queue_text.clone()}>
                { "Ready queue (front first): " }
                { if queue.is_empty() { "empty".to_owned() } else { format!("[{queue_text}]") } }
            </p>
            <table id="executor-tasks" class="task-table">
                <thead><tr><th>{ "#" }</th><th>{ "task" }</th><th>{ "state" }</th><th>{ "polls" }</th>
                    <th>{ "wakes" }</th><th>{ "output" }</th><th></th></tr></thead>
                <tbody>{ for task_rows }</tbody>
            </table>
            <ul id="delays" class="delays">{ for delay_rows }</ul>
            <ol id="executor-log" class="executor-log" data-lines={s.log.len().to_string()} reversed=true>{ for log }</ol>
            <p id="executor-events" data-events={s.events.to_string()} data-wakes-timer={s.stats.wakes.by_timer.to_string()}>
                { format!("{} events recorded; timer wakes: {}; polls: {}", s.events, s.stats.wakes.by_timer, s.stats.polls) }
            </p>
            <Timeline recording_part={PartRef::new(ID, 0)} store={store.clone()}
                title={"Your polls, recorded: bars are polls, arrows are the timers' wakes"} />
            if !auto_log.is_empty() {
                <ul id="auto-log" class="executor-log">
                    { for auto_log.iter().map(|l| html! { <li>{ l }</li> }) }
                </ul>
            }
            <figure class="code-panel">
                <figcaption>{ "The futures — " }<code>{ "frontend/src/executor/futures.rs" }</code></figcaption>
                <pre><code class="language-rust">{ snippet(FUTURES_SOURCE) }</code></pre>
            </figure>
            <figure class="code-panel">
                <figcaption>{ "The executor — " }<code>{ "frontend/src/executor/manual.rs" }</code></figcaption>
                <pre><code class="language-rust">{ snippet(EXECUTOR_SOURCE) }</code></pre>
            </figure>
        </article>
    }
}

/// The same two tasks on `wasm-bindgen-futures`, recorded; the log says what was measured,
/// and once both are done the timeline shows this run instead of the hand-driven one.
fn run_auto(ms: [u32; 3], log: UseStateHandle<Vec<String>>, store: RecordingStore, run_id: u64) {
    let recorder = Recorder::new(EVENT_CAPACITY);
    let timers: Rc<dyn TimerSource> = Rc::new(BrowserTimers);
    let (a, b, c) = (
        Delay::new("a", ms[0], timers.clone()),
        Delay::new("b", ms[1], timers.clone()),
        Delay::new("c", ms[2], timers),
    );
    // Shared by both tasks' completions: a state handle would hold a stale copy.
    let lines = Rc::new(RefCell::new(vec![format!(
        "auto: spawned `sleeper` and `joiner` on wasm-bindgen-futures at {:.0} ms",
        now_ms()
    )]));
    log.set(lines.borrow().clone());
    let done = Rc::new(RefCell::new(0));
    let finish = {
        let (recorder, log, done) = (recorder.clone(), log.clone(), done.clone());
        let lines_handle = lines.clone();
        move |name: &str| {
            *done.borrow_mut() += 1;
            let mut lines = lines.borrow_mut();
            lines.push(format!("auto: `{name}` finished at {:.0} ms", now_ms()));
            if *done.borrow() == 2 {
                // This runs inside the last task's final poll: its poll end and completion
                // are not recorded yet. Drain from a task queued behind it instead.
                let (recorder, log, lines, store) = (
                    recorder.clone(),
                    log.clone(),
                    lines_handle.clone(),
                    store.clone(),
                );
                wasm_bindgen_futures::spawn_local(async move {
                    let events = recorder.drain();
                    let mut stats = RunStats::default();
                    stats.apply_all(&events);
                    let mut recordings = store.borrow_mut();
                    recordings.begin(run_id, ID);
                    recordings.apply_batch(EventBatch {
                        run_id,
                        part: 0,
                        seq: 0,
                        dropped_total: recorder.dropped(),
                        events,
                    });
                    drop(recordings);
                    let mut lines = lines.borrow_mut();
                    for t in stats.tasks.values() {
                        lines.push(format!(
                            "auto: `{}` was polled {} time(s) and woken {} time(s) by timers",
                            t.name, t.polls, t.wakes.by_timer
                        ));
                    }
                    log.set(lines.clone());
                });
            }
            log.set(lines.clone());
        }
    };
    let finish = Rc::new(finish);
    let (r, f) = (recorder.clone(), finish.clone());
    wasm_bindgen_futures::spawn_local(recorder.task("sleeper", async move {
        r.timer("delay a", a).await;
        f("sleeper");
    }));
    let (r, f) = (recorder.clone(), finish);
    wasm_bindgen_futures::spawn_local(recorder.task("joiner", async move {
        r.timer("join b c", Join2::new(b, c)).await;
        f("joiner");
    }));
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}
