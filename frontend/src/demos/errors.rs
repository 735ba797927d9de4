//! Outline section 6 — errors: `?` through awaits, and what a `JoinHandle` returns.
//!
//! The server connected to a loopback port nothing listened on, through nested async
//! functions that each added their name to the error with `?`, then joined three tasks
//! (one returned `Ok`, one `Err`, one panicked). The page shows the error's chain as the
//! error value spelled it (innermost first), each `handle.await` as the pattern it
//! matched, one timeline per part, and a notice computed from those values: all facts,
//! but for whether the panic's time in polls stands out, a conclusion from times that is
//! left out when the machine was shared.

use std::collections::BTreeMap;

use pollscope_shared::instrument::{Event, EventKind, PollEvent, SpanId, TaskId, TaskOutcome, Wait};
use pollscope_shared::results::{ErrorsResult, Joined, JoinedTask, Propagation, ScenarioResult};
use pollscope_shared::scenario::id;
use yew::prelude::*;

use super::DemoPage;
use crate::recording::RecordingStore;
use crate::state::RunState;
use crate::timeline::{PartRef, Timeline};
use crate::widgets::{DemoFrame, DemoProps, Note, WhatToNotice, format_ms};

impl DemoPage for ErrorsPage {
    const ID: &'static str = id::ERRORS;
}

/// What a `handle.await` carried, as the page and the notice write it: `42`, the error's
/// message, the panic's message.
pub fn joined_detail(joined: &Joined) -> String {
    match joined {
        Joined::Ok { value } => value.to_string(),
        Joined::Err { error } => error.clone(),
        Joined::Panic { message } => format!("\"{message}\""),
        Joined::Cancelled => "cancelled".to_owned(),
    }
}

/// A task's time in polls as the page writes it: whole microseconds below a
/// millisecond (`"18 µs"`), milliseconds above (`"2.3 ms"`).
pub fn format_busy(us: u64) -> String {
    if us < 1000 {
        format!("{us} µs")
    } else {
        format_ms(us)
    }
}

/// How the recorder saw a task end, as the page writes it (`TaskOutcome`'s variant).
pub fn recorded_label(recorded: Option<TaskOutcome>) -> &'static str {
    match recorded {
        Some(TaskOutcome::Ok) => "Ok",
        Some(TaskOutcome::Error) => "Error",
        Some(TaskOutcome::Panicked) => "Panicked",
        Some(TaskOutcome::Cancelled) => "Cancelled",
        None => "not recorded",
    }
}

/// "ConnectionRefused (os error 111)": the I/O error at the bottom of the chain.
pub fn io_summary(p: &Propagation) -> String {
    match p.os_code {
        Some(code) => format!("{} (os error {code})", p.io_kind),
        None => p.io_kind.clone(),
    }
}

/// What the recorder should have seen for a join outcome.
fn expected_record(joined: &Joined) -> TaskOutcome {
    match joined {
        Joined::Ok { .. } => TaskOutcome::Ok,
        Joined::Err { .. } => TaskOutcome::Error,
        Joined::Panic { .. } => TaskOutcome::Panicked,
        Joined::Cancelled => TaskOutcome::Cancelled,
    }
}

/// How part 0's await points ended, read from its recorded events.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Unwinding {
    /// The await points' names in the order they ended. Within one poll, the one the
    /// poll resumed at ended first (as the poll started), then those it exited.
    pub order: Vec<String>,
    /// How many of them ended in the last poll that ended any.
    pub in_last_poll: usize,
}

impl Unwinding {
    /// `"connect → fetch_json → load_profile"`, as the page and the notice write it.
    pub fn path(&self) -> String {
        self.order.join(" → ")
    }
}

/// Follow every await point of `events` from the poll that opened it to the poll it
/// ended in (a `SpanExit` belongs to its task's next poll event, which is recorded when
/// that poll ends).
pub fn unwinding(events: &[Event]) -> Unwinding {
    let mut names: BTreeMap<SpanId, String> = BTreeMap::new();
    let mut exits: BTreeMap<TaskId, Vec<SpanId>> = BTreeMap::new();
    let mut ended: Vec<(usize, String)> = Vec::new();
    for (at, event) in events.iter().enumerate() {
        match &event.kind {
            EventKind::Poll(PollEvent {
                task,
                resumed,
                waiting_on,
                ..
            }) => {
                let exited = exits.remove(task).unwrap_or_default();
                for span in resumed.iter().chain(&exited) {
                    let name = names.get(span).cloned().unwrap_or_default();
                    ended.push((at, name));
                }
                if let Some(Wait { span, name }) = waiting_on {
                    names.entry(*span).or_insert_with(|| name.to_string());
                }
            }
            EventKind::SpanEnter { span, name, .. } => {
                names.entry(*span).or_insert_with(|| name.to_string());
            }
            EventKind::SpanExit { task, span } => exits.entry(*task).or_default().push(*span),
            _ => {}
        }
    }
    let last = ended.last().map(|(at, _)| *at);
    Unwinding {
        in_last_poll: ended.iter().filter(|(at, _)| Some(*at) == last).count(),
        order: ended.into_iter().map(|(_, name)| name).collect(),
    }
}

/// What the recording of part 0 shows of the error leaving the await points.
fn unwinding_note(chain: &[String], unwound: Option<&Unwinding>) -> String {
    match unwound {
        Some(u) if u.order == chain && u.in_last_poll == chain.len() => format!(
            "In part 0's timeline, main waited at {} await points at once, one per \
             function, and all {} ended in one poll, innermost first ({}): each ? \
             returned at once, nothing waited again.",
            chain.len(),
            u.in_last_poll,
            u.path()
        ),
        Some(u) if !u.order.is_empty() => format!(
            "The recording shows the await points ending as {}, {} of them in the last \
             poll: not just the chain above, innermost first, in one poll.",
            u.path(),
            u.in_last_poll
        ),
        _ => "No await point of part 0 ended in the events received, so its timeline \
              cannot show the error leaving them."
            .to_owned(),
    }
}

/// What this run's values show, note by note; `unwound` is part 0's recording read with
/// [`unwinding`], if its events arrived. Everything is read from values and the order of
/// events, except what the panic cost the thread, which compares times in polls.
pub fn what_to_notice(result: &ErrorsResult, unwound: Option<&Unwinding>) -> Vec<Note> {
    let mut notes = Vec::new();
    let p = &result.propagation;
    match p.chain.split_first() {
        Some((arose, passed)) if passed.len() == result.nesting as usize => {
            let passed: Vec<&str> = passed.iter().map(String::as_str).collect();
            notes.push(Note::Fact(format!(
                "The error arose in {arose}: the operating system refused the connection to \
                 port {} ({}: \"{}\"). It passed through {} function(s) on its way out, {}, \
                 each adding its name with ?: the error value's source() chain has {} \
                 entries, and printed whole it reads \"{}\". It came back {} after the call.",
                p.port,
                io_summary(p),
                p.io_message,
                passed.len(),
                passed.join(", "),
                p.chain.len(),
                p.display,
                format_ms(p.elapsed_us),
            )));
            notes.push(Note::Fact(unwinding_note(&p.chain, unwound)));
        }
        _ => notes.push(Note::Fact(format!(
            "The error's chain has {} entries ({}), not the {} this run's nesting asks for: \
             read the chain above rather than this summary.",
            p.chain.len(),
            p.chain.join(", "),
            result.nesting + 1
        ))),
    }
    for task in &result.tasks {
        notes.push(Note::Fact(task_note(task)));
    }
    notes.extend(panic_cost(&result.tasks));
    if result.tasks.iter().any(|t| matches!(t.joined, Joined::Panic { .. })) {
        notes.push(Note::Fact(
            "The panic did not end the run: Tokio caught it in the task and handed it to \
             the JoinHandle; main went on to join the next task, and the session goes on."
                .to_owned(),
        ));
    }
    notes
}

/// At this many times the other tasks' longest time in polls (counting that as at least
/// 1 µs, the figures' unit), the panicking task's time stands out: its panicking poll
/// also ran the panic hook.
pub const PANIC_COST_RATIO: u64 = 10;

/// What the panic cost the thread: the tasks' times in polls (a fact), and whether the
/// panicking one stands out against the others' (a comparison of times).
fn panic_cost(tasks: &[JoinedTask]) -> Vec<Note> {
    let Some(panicked) = tasks
        .iter()
        .find(|t| matches!(t.joined, Joined::Panic { .. }))
    else {
        return Vec::new();
    };
    let others = tasks
        .iter()
        .filter(|t| t.task != panicked.task)
        .map(|t| t.busy_us)
        .max();
    let n = panicked.task;
    let busy = format_busy(panicked.busy_us);
    let Some(others) = others else {
        return vec![Note::Fact(format!("Task {n} spent {busy} in polls."))];
    };
    let fact = Note::Fact(format!(
        "Task {n} spent {busy} in polls, the others at most {}.",
        format_busy(others)
    ));
    let times = if others == 0 {
        String::new()
    } else {
        format!(" ({:.1}× as long)", panicked.busy_us as f64 / others as f64)
    };
    let verdict = if panicked.busy_us >= others.max(1) * PANIC_COST_RATIO {
        format!(
            "That is at least {PANIC_COST_RATIO}× the others'{times}: the panicking poll \
             also ran the default panic hook, which prints the message to stderr (and a \
             backtrace when RUST_BACKTRACE is set) before Tokio catches the panic, and the \
             thread could poll nothing else meanwhile."
        )
    } else {
        format!(
            "That is under {PANIC_COST_RATIO}× the others'{times}: in this run the panic \
             hook's printing did not stand out."
        )
    };
    vec![fact, Note::Conclusion(verdict)]
}

fn task_note(task: &JoinedTask) -> String {
    let n = task.task;
    let detail = joined_detail(&task.joined);
    let recorded = recorded_label(task.recorded);
    let sentence = match &task.joined {
        Joined::Ok { .. } => format!(
            "Task {n} returned Ok: its handle gave Ok(Ok({detail})), and the recorder saw it \
             end as {recorded}."
        ),
        Joined::Err { .. } => format!(
            "Task {n} returned Err: its handle gave Ok(Err({detail})): the task ran to its \
             end and the error is its own value (the recorder saw {recorded}); the outer Ok \
             says only that it was not a panic."
        ),
        Joined::Panic { .. } => format!(
            "Task {n} panicked: its handle gave Err(JoinError::Panic(..)), is_panic() true, \
             and the payload downcast to the message {detail}; the recorder saw it end as \
             {recorded}."
        ),
        Joined::Cancelled => format!(
            "Task {n} was cancelled before it ended: Err(JoinError::Cancelled) (the recorder \
             saw {recorded})."
        ),
    };
    if task.recorded == Some(expected_record(&task.joined)) {
        sentence
    } else {
        format!(
            "{sentence} That recorded end does not match what the handle gave: the \
             recording may be incomplete."
        )
    }
}

/// Re-rendered whenever the recordings changed (`DemoProps::recording_version`), so part
/// 0's await points are re-read from the store.
#[component]
pub fn ErrorsPage(props: &DemoProps) -> Html {
    let result = match &props.run {
        RunState::Finished {
            result: ScenarioResult::Errors(r),
            ..
        } => Some(r.clone()),
        _ => None,
    };
    let store = use_context::<RecordingStore>();
    let unwound = store.and_then(|store| {
        let recordings = store.borrow();
        let part = recordings.for_scenario(id::ERRORS)?.part(0)?;
        Some(unwinding(&part.events))
    });
    let explain = html! {
        <>
            <p>
                { "An async function returns its error like any function: " }<code>{ "?" }</code>
                { " after an " }<code>{ ".await" }</code>
                { " returns the Err from the function at once, and each caller's ? does the \
                   same, so the error comes out through every await point in one go. Here each \
                   function wraps the error with its own name on the way (what anyhow's " }
                <code>{ ".context()" }</code>{ " does), so the error value itself records \
                   where it has been: its " }<code>{ "source()" }</code>
                { " links lead from the outermost function down to the io::Error." }
            </p>
            <p>
                { "A spawned task's result comes back through its JoinHandle as " }
                <code>{ "Result<Result<T, E>, JoinError>" }</code>
                { ": the task's own Err is inside an Ok; a panic is caught by the runtime \
                   and arrives as " }<code>{ "Err(join_error)" }</code>{ " with " }
                <code>{ "is_panic()" }</code>{ " and the panic's payload." }
            </p>
        </>
    };
    html! {
        <DemoFrame demo={props.clone()} explain={explain}>
            if !matches!(props.run, RunState::Idle) {
                <ErrorsRunView result={result} unwound={unwound} />
            }
        </DemoFrame>
    }
}

#[derive(Properties, PartialEq)]
pub struct ErrorsRunProps {
    /// The result, once the run finished; until then each part shows its timeline alone.
    pub result: Option<ErrorsResult>,
    /// Part 0's await points as its recording shows them ending.
    pub unwound: Option<Unwinding>,
}

/// Each part's values above its own timeline, then the notice.
#[component]
pub fn ErrorsRunView(props: &ErrorsRunProps) -> Html {
    let result = props.result.as_ref();
    let unwound = props.unwound.as_ref();
    let notes = result
        .map(|r| what_to_notice(r, unwound))
        .unwrap_or_default();
    let unwinding_line = unwound.filter(|u| !u.order.is_empty()).map(|u| {
        html! {
            <p id="unwinding" data-path={u.path()} data-in-last-poll={u.in_last_poll.to_string()}>
                { "Recorded, the await points ended: " }<code>{ u.path() }</code>
                { format!(" ({} in the last poll)", u.in_last_poll) }
            </p>
        }
    });
    html! {
        <div class="errors-run">
            <section class="result errors-part" data-part="0">
                <h3>{ "Part 0: ? through the await points" }</h3>
                { for result.map(|r| chain_view(&r.propagation)) }
                { for unwinding_line }
                <Timeline recording_part={PartRef::new(id::ERRORS, 0)} title="Timeline of part 0: main and its await points" />
            </section>
            <section class="result errors-part" data-part="1">
                <h3>{ "Part 1: what each handle.await gave" }</h3>
                { for result.map(|r| join_table(&r.tasks)) }
                <Timeline recording_part={PartRef::new(id::ERRORS, 1)} title="Timeline of part 1: main and the three tasks" />
            </section>
            if let Some(r) = result {
                <section id="errors-result" class="result" data-nesting={r.nesting.to_string()}
                    data-panic-task={r.panic_task.to_string()}>
                    <WhatToNotice {notes} />
                </section>
            }
        </div>
    }
}

/// The error's chain, innermost first, and the error printed whole.
fn chain_view(p: &Propagation) -> Html {
    let frames = p.chain.iter().enumerate().map(|(i, function)| {
        let role = if i == 0 {
            format!("where it arose: {}", io_summary(p))
        } else {
            format!("passed through: added \"in {function}\"")
        };
        html! {
            <li class="chain-frame" key={i} data-index={i.to_string()} data-function={function.clone()}>
                <code>{ function }</code>{ " — " }{ role }
            </li>
        }
    });
    html! {
        <>
            <p>{ "The error's chain, innermost first:" }</p>
            <ol id="error-chain" data-length={p.chain.len().to_string()}
                data-io-kind={p.io_kind.clone()} data-os-code={p.os_code.map(|c| c.to_string())}
                data-elapsed-us={p.elapsed_us.to_string()}>
                { for frames }
            </ol>
            <p>{ "Printed whole: " }<code id="error-display">{ &p.display }</code></p>
            <p>{ format!("Came back {} after the call.", format_ms(p.elapsed_us)) }</p>
        </>
    }
}

/// One row per task: the pattern its `handle.await` matched, and what it carried.
fn join_table(tasks: &[JoinedTask]) -> Html {
    let rows = tasks.iter().map(|t| {
        let recorded = t
            .recorded
            .and_then(|o| serde_json::to_value(o).ok())
            .and_then(|v| v.as_str().map(str::to_owned));
        html! {
            <tr class="join-row" key={t.task} data-task={t.task.to_string()}
                data-pattern={t.joined.pattern()}
                data-is-panic={matches!(t.joined, Joined::Panic { .. }).to_string()}
                data-recorded={recorded} data-busy-us={t.busy_us.to_string()}>
                <td>{ format!("task {}", t.task) }</td>
                <td><code>{ t.joined.pattern() }</code></td>
                <td class="join-detail">{ joined_detail(&t.joined) }</td>
                <td>{ recorded_label(t.recorded) }</td>
                <td class="join-busy">{ format_busy(t.busy_us) }</td>
            </tr>
        }
    });
    html! {
        <table id="join-outcomes">
            <thead>
                <tr>
                    <th scope="col">{ "task" }</th>
                    <th scope="col">{ "handle.await" }</th>
                    <th scope="col">{ "value, error or panic message" }</th>
                    <th scope="col">{ "recorded end" }</th>
                    <th scope="col">{ "time in polls" }</th>
                </tr>
            </thead>
            <tbody>{ for rows }</tbody>
        </table>
    }
}

#[cfg(test)]
mod tests {
    use pollscope_shared::instrument::PollOutcome;

    use super::*;
    use crate::widgets::notice::{WITHHELD, shown};

    /// The notes as a quiet machine's page prints them.
    fn text(notes: &[Note]) -> String {
        shown(notes, false).join(" ")
    }

    fn result() -> ErrorsResult {
        let json = include_str!("../../../shared/tests/golden/results/errors.json");
        match serde_json::from_str(json) {
            Ok(ScenarioResult::Errors(r)) => r,
            other => panic!("the golden errors result: {other:?}"),
        }
    }

    #[test]
    fn the_notice_quotes_the_chain_and_each_outcome_as_the_page_shows_them() {
        let r = result();
        let unwound = Unwinding {
            order: r.propagation.chain.clone(),
            in_last_poll: 4,
        };
        let notes = text(&what_to_notice(&r, Some(&unwound)));
        for figure in [
            "The error arose in connect",
            "port 34339 (ConnectionRefused (os error 111): \"Connection refused (os error 111)\")",
            "passed through 3 function(s) on its way out, fetch_json, load_profile, render_page",
            "source() chain has 4 entries",
            "\"in render_page: in load_profile: in fetch_json: in connect: Connection refused (os error 111)\"",
            "It came back 0.2 ms after the call",
            "Task 0 returned Ok: its handle gave Ok(Ok(42)), and the recorder saw it end as Ok",
            "Task 1 panicked: its handle gave Err(JoinError::Panic(..)), is_panic() true",
            "the message \"task 1 panicked after 10 ms of work\"; the recorder saw it end as Panicked",
            "Task 2 returned Err: its handle gave Ok(Err(invalid digit found in string))",
            "the recorder saw Error",
            "The panic did not end the run",
            "all 4 ended in one poll, innermost first (connect → fetch_json → load_profile → render_page)",
            "Task 1 spent 2.3 ms in polls, the others at most 21 µs.",
            "That is at least 10× the others' (110.0× as long): the panicking poll also ran",
        ] {
            assert!(notes.contains(figure), "{figure:?} not in {notes}");
        }
        assert!(!notes.contains("does not match"), "{notes}");
    }

    #[test]
    fn a_chain_or_record_that_does_not_fit_is_said_instead_of_concluded() {
        let mut r = result();
        r.propagation.chain.pop();
        r.tasks[1].recorded = None;
        r.tasks[1].busy_us = 30;
        let notes = text(&what_to_notice(&r, None));
        assert!(
            notes.contains("chain has 3 entries (connect, fetch_json, load_profile), not the 4"),
            "{notes}"
        );
        assert!(!notes.contains("The error arose in"), "{notes}");
        assert!(
            notes.contains(
                "Task 1 spent 30 µs in polls, the others at most 21 µs. That is under 10× the \
                 others' (1.4× as long): in this run the panic hook's printing did not stand out"
            ),
            "{notes}"
        );
        assert!(
            notes.contains("the recorder saw it end as not recorded. That recorded end does not match"),
            "{notes}"
        );
    }

    #[test]
    fn a_shared_machine_keeps_the_values_and_withholds_what_the_panic_cost() {
        let r = result();
        let notes = what_to_notice(&r, None);
        assert_eq!(notes.iter().filter(|n| n.is_conclusion()).count(), 1, "{notes:?}");
        let shared = shown(&notes, true);
        let joined = shared.join(" ");
        assert!(joined.contains("Task 1 spent 2.3 ms in polls, the others at most 21 µs."), "{joined}");
        assert!(joined.contains("Task 1 panicked: its handle gave"), "{joined}");
        assert!(joined.contains("The panic did not end the run"), "{joined}");
        assert!(!joined.contains("panic hook"), "{joined}");
        assert_eq!(shared.last().map(String::as_str), Some(WITHHELD));
    }

    #[test]
    fn the_panic_s_cost_is_weighed_against_the_others_even_when_they_took_no_time() {
        let mut r = result();
        for t in &mut r.tasks {
            t.busy_us = if matches!(t.joined, Joined::Panic { .. }) { 9 } else { 0 };
        }
        let notes = text(&what_to_notice(&r, None));
        assert!(notes.contains("Task 1 spent 9 µs in polls, the others at most 0 µs."), "{notes}");
        assert!(notes.contains("That is under 10× the others': in this run"), "{notes}");
        r.tasks[1].busy_us = 10;
        let notes = text(&what_to_notice(&r, None));
        assert!(notes.contains("That is at least 10× the others': the panicking poll"), "{notes}");
        // No panicking task: nothing about a panic's cost.
        r.tasks.remove(1);
        let notes = text(&what_to_notice(&r, None));
        assert!(!notes.contains("spent") && !notes.contains("The panic did not"), "{notes}");
    }

    fn poll(resumed: Option<u32>, waiting_on: Option<(u32, &'static str)>) -> EventKind {
        EventKind::Poll(PollEvent {
            task: TaskId(1),
            lane: None,
            busy_ns: 10,
            outcome: if waiting_on.is_some() {
                PollOutcome::Pending
            } else {
                PollOutcome::Ready
            },
            resumed: resumed.map(SpanId),
            waiting_on: waiting_on.map(|(span, name)| Wait {
                span: SpanId(span),
                name: name.into(),
            }),
            waker_clones: 0,
        })
    }

    fn events(kinds: Vec<EventKind>) -> Vec<Event> {
        (0..)
            .zip(kinds)
            .map(|(t_ns, kind)| Event { t_ns, kind })
            .collect()
    }

    fn enter(span: u32, name: &'static str) -> EventKind {
        EventKind::SpanEnter {
            task: TaskId(1),
            span: SpanId(span),
            name: name.into(),
        }
    }

    fn exit(span: u32) -> EventKind {
        EventKind::SpanExit {
            task: TaskId(1),
            span: SpanId(span),
        }
    }

    #[test]
    fn await_points_read_from_the_recording_end_innermost_first() {
        // One Pending poll opens connect (its waiting_on) and the two around it; the poll
        // that resumes at connect exits the others, inner one first.
        let one_poll = events(vec![
            poll(None, Some((1, "connect"))),
            enter(2, "fetch_json"),
            enter(3, "load_profile"),
            exit(2),
            exit(3),
            poll(Some(1), None),
        ]);
        let u = unwinding(&one_poll);
        assert_eq!(u.path(), "connect → fetch_json → load_profile");
        assert_eq!(u.in_last_poll, 3);
        let chain: Vec<String> = u.order.clone();
        assert!(unwinding_note(&chain, Some(&u)).contains("all 3 ended in one poll"));

        // Ended over two polls: said, not concluded.
        let two_polls = events(vec![
            poll(None, Some((1, "connect"))),
            enter(2, "fetch_json"),
            poll(Some(1), Some((3, "retry"))),
            exit(2),
            poll(Some(3), None),
        ]);
        let u = unwinding(&two_polls);
        assert_eq!(u.path(), "connect → retry → fetch_json");
        assert_eq!(u.in_last_poll, 2);
        let chain = ["connect".to_owned(), "fetch_json".to_owned()];
        let note = unwinding_note(&chain, Some(&u));
        assert!(
            note.contains("ending as connect → retry → fetch_json, 2 of them in the last poll: not just"),
            "{note}"
        );
        assert!(unwinding_note(&chain, Some(&Unwinding::default())).contains("No await point"));
    }
}
