//! Outline section 6 — errors: `?` through awaits, and what a `JoinHandle` returns.
//!
//! The server connected to a loopback port nothing listened on, through nested async
//! functions that each added their name to the error with `?`, then joined three tasks
//! (one returned `Ok`, one `Err`, one panicked). The page shows the error's chain as the
//! error value spelled it (innermost first), each `handle.await` as the pattern it
//! matched, one timeline per part, and a notice computed from those values.

use pollscope_shared::instrument::TaskOutcome;
use pollscope_shared::results::{ErrorsResult, Joined, JoinedTask, Propagation, ScenarioResult};
use pollscope_shared::scenario::id;
use yew::prelude::*;

use super::DemoPage;
use crate::state::RunState;
use crate::timeline::{PartRef, Timeline};
use crate::widgets::{DemoFrame, DemoProps, format_ms};

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

/// What this run's values show, sentence by sentence.
pub fn what_to_notice(result: &ErrorsResult) -> Vec<String> {
    let mut notes = Vec::new();
    let p = &result.propagation;
    match p.chain.split_first() {
        Some((arose, passed)) if passed.len() == result.nesting as usize => {
            let passed: Vec<&str> = passed.iter().map(String::as_str).collect();
            notes.push(format!(
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
            ));
            notes.push(format!(
                "In part 0's timeline, main waited at {} await points at once, one per \
                 function; the socket's readiness woke it, and they all ended in that one \
                 poll, innermost first: each ? returned at once, no function waited again.",
                p.chain.len()
            ));
        }
        _ => notes.push(format!(
            "The error's chain has {} entries ({}), not the {} this run's nesting asks for: \
             read the chain above rather than this summary.",
            p.chain.len(),
            p.chain.join(", "),
            result.nesting + 1
        )),
    }
    for task in &result.tasks {
        notes.push(task_note(task));
    }
    notes.extend(panic_cost(&result.tasks));
    if result.tasks.iter().any(|t| matches!(t.joined, Joined::Panic { .. })) {
        notes.push(
            "The panic did not end the run: Tokio caught it in the task and handed it to \
             the JoinHandle; main went on to join the next task, and the session goes on."
                .to_owned(),
        );
    }
    notes
}

/// Above this many times the other tasks' longest time in polls, the panicking task's
/// time stands out: its panicking poll also ran the panic hook.
const PANIC_COST_RATIO: u64 = 10;

/// What the panic cost the thread, from the tasks' time in polls.
fn panic_cost(tasks: &[JoinedTask]) -> Option<String> {
    let panicked = tasks
        .iter()
        .find(|t| matches!(t.joined, Joined::Panic { .. }))?;
    let others = tasks
        .iter()
        .filter(|t| t.task != panicked.task)
        .map(|t| t.busy_us)
        .max()
        .unwrap_or(0);
    let (n, busy) = (panicked.task, format_busy(panicked.busy_us));
    let others_ms = format_busy(others);
    Some(if panicked.busy_us >= (others * PANIC_COST_RATIO).max(1000) {
        format!(
            "Task {n} spent {busy} in polls, the others at most {others_ms}: the panicking \
             poll also ran the default panic hook, which prints the message to stderr (and \
             a backtrace when RUST_BACKTRACE is set) before Tokio catches the panic, and the \
             thread could poll nothing else meanwhile."
        )
    } else {
        format!(
            "Task {n} spent {busy} in polls, the others at most {others_ms}: in this run the \
             panic hook's printing did not stand out."
        )
    })
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

#[component]
pub fn ErrorsPage(props: &DemoProps) -> Html {
    let result = match &props.run {
        RunState::Finished {
            result: ScenarioResult::Errors(r),
            ..
        } => Some(r.clone()),
        _ => None,
    };
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
                <ErrorsRunView result={result} />
            }
        </DemoFrame>
    }
}

#[derive(Properties, PartialEq)]
pub struct ErrorsRunProps {
    /// The result, once the run finished; until then each part shows its timeline alone.
    pub result: Option<ErrorsResult>,
}

/// Each part's values above its own timeline, then the notice.
#[component]
pub fn ErrorsRunView(props: &ErrorsRunProps) -> Html {
    let result = props.result.as_ref();
    let notes = result.map(what_to_notice).unwrap_or_default();
    html! {
        <div class="errors-run">
            <section class="result errors-part" data-part="0">
                <h3>{ "Part 0: ? through the await points" }</h3>
                { for result.map(|r| chain_view(&r.propagation)) }
                <Timeline recording_part={PartRef::new(id::ERRORS, 0)} title="Part 0: ? through the await points" />
            </section>
            <section class="result errors-part" data-part="1">
                <h3>{ "Part 1: what each handle.await gave" }</h3>
                { for result.map(|r| join_table(&r.tasks)) }
                <Timeline recording_part={PartRef::new(id::ERRORS, 1)} title="Part 1: three tasks, joined" />
            </section>
            if let Some(r) = result {
                <section id="errors-result" class="result" data-nesting={r.nesting.to_string()}
                    data-panic-task={r.panic_task.to_string()}>
                    <div id="what-to-notice" class="notice">
                        { for notes.iter().map(|n| html! { <p>{ n }</p> }) }
                    </div>
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
    use super::*;

    fn result() -> ErrorsResult {
        let json = include_str!("../../../shared/tests/golden/results/errors.json");
        match serde_json::from_str(json) {
            Ok(ScenarioResult::Errors(r)) => r,
            other => panic!("the golden errors result: {other:?}"),
        }
    }

    #[test]
    fn the_notice_quotes_the_chain_and_each_outcome_as_the_page_shows_them() {
        let notes = what_to_notice(&result()).join(" ");
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
            "Task 1 spent 2.3 ms in polls, the others at most 21 µs: the panicking poll also ran",
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
        let notes = what_to_notice(&r).join(" ");
        assert!(
            notes.contains("chain has 3 entries (connect, fetch_json, load_profile), not the 4"),
            "{notes}"
        );
        assert!(!notes.contains("The error arose in"), "{notes}");
        assert!(
            notes.contains("Task 1 spent 30 µs in polls, the others at most 21 µs: in this run the panic hook's printing did not stand out"),
            "{notes}"
        );
        assert!(
            notes.contains("the recorder saw it end as not recorded. That recorded end does not match"),
            "{notes}"
        );
    }
}
