//! Outline section 9 — testing: stepping a future by hand with `tokio-test`.
//!
//! The server ran a test script that polls a future with `tokio_test::task::spawn`, sends
//! it a value and advances a paused clock. The page lists the steps with what the mock
//! task said after each (the poll's outcome, `is_woken()`, `waker_ref_count()`, the
//! paused clock) beside what the recorder saw of an identical instrumented twin (its
//! poll, the wakes and who made them) and whether the two agree, draws the recorded part's
//! timeline, and a notice computed from the steps. The server-side twin of the browser's
//! "be the executor" page.

use pollscope_shared::instrument::{PollOutcome, WakeSource};
use pollscope_shared::results::{
    ScenarioResult, Step, StepAction, StepOutcome, SteppingFutureResult,
};
use pollscope_shared::scenario::id;
use yew::prelude::*;

use super::DemoPage;
use crate::state::RunState;
use crate::widgets::{part_timelines, DemoFrame, DemoProps, Note, WhatToNotice, format_ms};

impl DemoPage for SteppingFuturePage {
    const ID: &'static str = id::STEPPING_FUTURE;
}

/// A step's action as the table and the notice write it.
pub fn action_text(step: &Step, value: u32) -> String {
    match step.action {
        StepAction::Poll => "poll()".to_owned(),
        StepAction::Send => format!("tx.send({value})"),
        StepAction::Advance => format!("time::advance({})", format_ms(step.advanced_us)),
    }
}

/// The plain poll's outcome: "Pending", "Ready(Some(42))", or "—" for other steps.
pub fn outcome_text(step: &Step) -> String {
    match step.outcome {
        StepOutcome::NotPolled => "—".to_owned(),
        StepOutcome::Pending => "Pending".to_owned(),
        StepOutcome::Ready => match step.output {
            Some(v) => format!("Ready(Some({v}))"),
            None => "Ready(None)".to_owned(),
        },
    }
}

/// Who made a recorded wake, in words.
pub fn waker_text(by: &WakeSource, script_task: u32) -> String {
    match by {
        WakeSource::Task(t) if t.0 == script_task => format!("the script (task {})", t.0),
        WakeSource::Task(t) => format!("task {}", t.0),
        WakeSource::Timer => "the timer".to_owned(),
        WakeSource::Reactor => "the I/O driver".to_owned(),
        WakeSource::Driver => "the runtime".to_owned(),
        WakeSource::Thread => "another thread".to_owned(),
    }
}

fn recorded_poll_text(poll: Option<PollOutcome>) -> &'static str {
    match poll {
        None => "—",
        Some(PollOutcome::Pending) => "Pending",
        Some(PollOutcome::Ready) => "Ready",
        Some(PollOutcome::Panicked) => "panicked",
    }
}

fn wakes_text(step: &Step, script_task: u32) -> String {
    if step.recorded_wakes.is_empty() {
        return "—".to_owned();
    }
    let who: Vec<String> = step
        .recorded_wakes
        .iter()
        .map(|by| waker_text(by, script_task))
        .collect();
    who.join(", ")
}

/// "a clone" / "2 clones": what the count says beyond the mock task's own reference.
fn clones_held(refs: u32) -> String {
    match refs.saturating_sub(1) {
        0 => "no clone".to_owned(),
        1 => "one clone".to_owned(),
        n => format!("{n} clones"),
    }
}

/// What this run's steps show, sentence by sentence; empty if the script stopped short.
/// Every sentence is a fact: the steps are the script's own, and nothing in them depends
/// on how fast the machine ran, so a busy machine withholds nothing here.
pub fn what_to_notice(result: &SteppingFutureResult) -> Vec<Note> {
    let steps = &result.steps;
    let Some(send) = steps.iter().position(|s| s.action == StepAction::Send) else {
        return Vec::new();
    };
    let polls_before: Vec<&Step> = steps[..send]
        .iter()
        .filter(|s| s.action == StepAction::Poll)
        .collect();
    let after_send = steps[send..]
        .iter()
        .find(|s| s.action == StepAction::Poll);
    let advances: Vec<&Step> = steps
        .iter()
        .filter(|s| s.action == StepAction::Advance)
        .collect();
    let (Some(first), Some(after_send), Some(last)) =
        (polls_before.first(), after_send, steps.last())
    else {
        return Vec::new();
    };
    let script = result.script_task;
    let mut notes = vec![Note::Fact(format!(
        "The first poll returned {} with is_woken() {}, and waker_ref_count() was {}: the \
         mock task's own reference and {} of its waker, kept by what the future waits on \
         to wake it later.",
        outcome_text(first),
        first.woken,
        first.waker_refs,
        clones_held(first.waker_refs),
    ))];
    let spurious = &polls_before[1..];
    if !spurious.is_empty() {
        let all_pending = spurious.iter().all(|s| s.outcome == StepOutcome::Pending);
        let none_woken = spurious.iter().all(|s| !s.woken);
        notes.push(Note::Fact(format!(
            "{} more poll(s) before the send {}, {}: nothing had woken the task, and a \
             future polled anyway just answers again.",
            spurious.len(),
            if all_pending {
                "each returned Pending"
            } else {
                "did not all return Pending"
            },
            if none_woken {
                "with is_woken() false"
            } else {
                "though is_woken() was true after some"
            },
        )));
    }
    let sent = &steps[send];
    let woke_by = if sent.recorded_wakes.is_empty() {
        "the recorder saw no wake of the twin at that step".to_owned()
    } else {
        format!("the recorder saw the twin woken by {}", wakes_text(sent, script))
    };
    notes.push(Note::Fact(format!(
        "{} made is_woken() {} without polling anything (a wake only asks to be polled); \
         {woke_by}.",
        action_text(sent, result.value),
        sent.woken,
    )));
    notes.push(Note::Fact(format!(
        "The next poll returned {}: the future took the value and now waits on its {} \
         timer; waker_ref_count() was {} ({} held).",
        outcome_text(after_send),
        format_ms(u64::from(result.delay_ms) * 1000),
        after_send.waker_refs,
        clones_held(after_send.waker_refs),
    )));
    if let Some(fired) = advances.iter().find(|s| s.woken) {
        let before = advances.iter().take_while(|s| !s.woken).count();
        notes.push(Note::Fact(format!(
            "The clock is paused: {before} advance(s) left it not woken, and the one that \
             brought the paused clock to {} woke it ({}); waker_ref_count() went to {}.",
            format_ms(fired.clock_us),
            if fired.recorded_wakes.is_empty() {
                "the recorder saw no wake there".to_owned()
            } else {
                format!("recorded as woken by {}", wakes_text(fired, script))
            },
            fired.waker_refs,
        )));
    } else if !advances.is_empty() {
        notes.push(Note::Fact(format!(
            "None of the {} advance(s) woke the task.",
            advances.len()
        )));
    }
    notes.push(Note::Fact(format!(
        "The last poll returned {}.",
        outcome_text(last)
    )));
    if let Some(first_step) = steps.first() {
        let real_us = last.real_ns.saturating_sub(first_step.real_ns) / 1000;
        notes.push(Note::Fact(format!(
            "From the first step's end to the last's, the paused clock moved {} in {} of \
             real time: a test with a paused clock waits for nothing.",
            format_ms(last.clock_us.saturating_sub(first_step.clock_us)),
            format_ms(real_us),
        )));
    }
    let agreement = result.agreement();
    let disagree: Vec<String> = agreement
        .iter()
        .enumerate()
        .filter(|(_, agrees)| !**agrees)
        .map(|(i, _)| (i + 1).to_string())
        .collect();
    notes.push(Note::Fact(if disagree.is_empty() {
        format!(
            "The instrumented twin agreed with the plain future on all {} steps: the same \
             poll outcomes, and a recorded wake exactly where is_woken() turned true.",
            steps.len()
        )
    } else {
        format!(
            "The instrumented twin disagreed with the plain future on step(s) {} of {}: \
             see those rows{}.",
            disagree.join(", "),
            steps.len(),
            if result.events_dropped > 0 {
                format!(" ({} events were dropped)", result.events_dropped)
            } else {
                String::new()
            }
        )
    }));
    notes
}

#[component]
pub fn SteppingFuturePage(props: &DemoProps) -> Html {
    let result = match &props.run {
        RunState::Finished {
            result: ScenarioResult::SteppingFuture(r),
            ..
        } => html! { <SteppingFutureResultView result={r.clone()} /> },
        _ => html! {},
    };
    let explain = html! {
        <>
            <p>
                { "A test can be the executor. " }<code>{ "tokio_test::task::spawn(fut)" }</code>
                { " wraps a future in a mock task: " }<code>{ "poll()" }</code>
                { " polls it once, " }<code>{ "is_woken()" }</code>
                { " says whether anything called its waker since the last poll, and " }
                <code>{ "waker_ref_count()" }</code>
                { " counts the references to that waker: the mock task's own, plus each clone \
                   something keeps to wake the task later. " }<code>{ "assert_pending!" }</code>
                { " and " }<code>{ "assert_ready!" }</code>{ " check each poll's outcome." }
            </p>
            <p>
                { "The future waits for a value on a oneshot channel, then sleeps before it \
                   answers. The clock is paused, as in " }
                <code>{ "#[tokio::test(start_paused = true)]" }</code>{ ": " }
                <code>{ "time::advance" }</code>
                { " moves it by exactly what the script says, so the timer fires at the step \
                   the script chooses. The recorder wraps the waker it is polled with, so an \
                   identical instrumented twin is stepped beside the plain future: the counts \
                   come from the plain one, the timeline from the twin, and the table checks \
                   that they agree." }
            </p>
        </>
    };
    html! {
        <DemoFrame demo={props.clone()} explain={explain}>
            { result }
            { part_timelines(id::STEPPING_FUTURE, &[
                "The script (its polls) and the stepped twin (polled inside them)",
            ], &props.run) }
        </DemoFrame>
    }
}

#[derive(Properties, PartialEq)]
pub struct SteppingFutureResultProps {
    pub result: SteppingFutureResult,
}

#[component]
pub fn SteppingFutureResultView(props: &SteppingFutureResultProps) -> Html {
    let result = &props.result;
    let agreement = result.agreement();
    let script = result.script_task;
    let rows = result.steps.iter().zip(&agreement).enumerate().map(|(i, (step, agrees))| {
        html! {
            <tr class="step" key={i} data-action={action_attr(step.action)}
                data-outcome={outcome_text(step)} data-woken={step.woken.to_string()}
                data-waker-refs={step.waker_refs.to_string()}
                data-clock-us={step.clock_us.to_string()}
                data-advanced-us={step.advanced_us.to_string()}
                data-recorded-poll={recorded_poll_text(step.recorded_poll)}
                data-recorded-wakes={step.recorded_wakes.len().to_string()}
                data-agrees={agrees.to_string()}>
                <td>{ i + 1 }</td>
                <td><code>{ action_text(step, result.value) }</code></td>
                <td>{ format_ms(step.clock_us) }</td>
                <td>{ outcome_text(step) }</td>
                <td>{ step.woken.to_string() }</td>
                <td>{ step.waker_refs }</td>
                <td>{ recorded_poll_text(step.recorded_poll) }</td>
                <td>{ wakes_text(step, script) }</td>
                <td class={if *agrees { "agrees" } else { "disagrees" }}>
                    { if *agrees { "yes" } else { "NO" } }
                </td>
            </tr>
        }
    });
    let agreed = agreement.iter().filter(|a| **a).count();
    let notes = what_to_notice(result);
    html! {
        <section id="stepping-future-result" class="result"
            data-value={result.value.to_string()} data-delay-ms={result.delay_ms.to_string()}
            data-early-polls={result.early_polls.to_string()}
            data-advances={result.advances.to_string()}
            data-steps={result.steps.len().to_string()} data-agreed={agreed.to_string()}
            data-script-task={script.to_string()}
            data-stepped-task={result.stepped_task.to_string()}
            data-events-dropped={result.events_dropped.to_string()}>
            <table class="step-table">
                <thead>
                    <tr>
                        <th></th><th colspan="5">{ "the plain future, under tokio_test's mock task" }</th>
                        <th colspan="2">{ format!("the recorded twin (task {})", result.stepped_task) }</th>
                        <th></th>
                    </tr>
                    <tr>
                        <th scope="col">{ "step" }</th>
                        <th scope="col">{ "action" }</th>
                        <th scope="col">{ "paused clock" }</th>
                        <th scope="col">{ "poll returned" }</th>
                        <th scope="col">{ "is_woken()" }</th>
                        <th scope="col">{ "waker_ref_count()" }</th>
                        <th scope="col">{ "recorded poll" }</th>
                        <th scope="col">{ "recorded wake, by" }</th>
                        <th scope="col">{ "agree" }</th>
                    </tr>
                </thead>
                <tbody>{ for rows }</tbody>
            </table>
            <p class="cross-check">
                { format!("The twin agrees with the plain future on {agreed} of {} steps.", result.steps.len()) }
            </p>
            <WhatToNotice {notes} />
        </section>
    }
}

fn action_attr(action: StepAction) -> &'static str {
    match action {
        StepAction::Poll => "poll",
        StepAction::Send => "send",
        StepAction::Advance => "advance",
    }
}

#[cfg(test)]
mod tests {
    use pollscope_shared::instrument::TaskId;

    use super::*;
    use crate::widgets::notice::shown;

    fn step(action: StepAction, outcome: StepOutcome, woken: bool, refs: u32) -> Step {
        Step {
            action,
            advanced_us: if action == StepAction::Advance { 50_000 } else { 0 },
            clock_us: 0,
            real_ns: 0,
            outcome,
            output: None,
            woken,
            waker_refs: refs,
            recorded_poll: match outcome {
                StepOutcome::NotPolled => None,
                StepOutcome::Pending => Some(PollOutcome::Pending),
                StepOutcome::Ready => Some(PollOutcome::Ready),
            },
            recorded_wakes: Vec::new(),
        }
    }

    /// The default script as a run records it: two early polls, the send, a poll, two
    /// advances of 50 ms, the last poll.
    fn run() -> SteppingFutureResult {
        use StepAction::{Advance, Poll, Send};
        use StepOutcome::{NotPolled, Pending, Ready};
        let mut steps = vec![
            step(Poll, Pending, false, 2),
            step(Poll, Pending, false, 2),
            step(Send, NotPolled, true, 2),
            step(Poll, Pending, false, 2),
            step(Advance, NotPolled, false, 2),
            step(Advance, NotPolled, true, 1),
            step(Poll, Ready, false, 1),
        ];
        steps[2].recorded_wakes = vec![WakeSource::Task(TaskId(2))];
        steps[4].clock_us = 50_000;
        steps[5].clock_us = 100_000;
        steps[5].recorded_wakes = vec![WakeSource::Timer];
        steps[6].clock_us = 100_000;
        steps[6].output = Some(42);
        for (i, s) in steps.iter_mut().enumerate() {
            s.real_ns = 900_000 + i as u64 * 10_000;
        }
        SteppingFutureResult {
            early_polls: 2,
            value: 21,
            delay_ms: 100,
            advances: 2,
            stepped_task: 3,
            script_task: 2,
            steps,
            events_dropped: 0,
        }
    }

    fn text(r: &SteppingFutureResult) -> String {
        shown(&what_to_notice(r), false).join(" ")
    }

    #[test]
    fn the_notice_quotes_the_steps_as_the_table_shows_them() {
        let notes = text(&run());
        for figure in [
            "The first poll returned Pending with is_woken() false, and waker_ref_count() was 2: the mock task's own reference and one clone",
            "1 more poll(s) before the send each returned Pending, with is_woken() false",
            "tx.send(21) made is_woken() true",
            "the recorder saw the twin woken by the script (task 2)",
            "waits on its 100.0 ms timer; waker_ref_count() was 2 (one clone held)",
            "1 advance(s) left it not woken, and the one that brought the paused clock to 100.0 ms woke it (recorded as woken by the timer); waker_ref_count() went to 1",
            "The last poll returned Ready(Some(42)).",
            "the paused clock moved 100.0 ms in 0.1 ms of real time",
            "agreed with the plain future on all 7 steps",
        ] {
            assert!(notes.contains(figure), "{figure:?} not in {notes}");
        }
        assert!(!notes.contains("disagreed"), "{notes}");
    }

    #[test]
    fn a_disagreeing_twin_is_said_with_the_steps_it_disagrees_on() {
        let mut r = run();
        // The recorder lost the timer's wake: the plain future was woken, the twin not.
        r.steps[5].recorded_wakes.clear();
        r.events_dropped = 3;
        let notes = text(&r);
        assert!(
            notes.contains("disagreed with the plain future on step(s) 6 of 7: see those rows (3 events were dropped)"),
            "{notes}"
        );
        assert!(notes.contains("the recorder saw no wake there"), "{notes}");
        assert!(!notes.contains("agreed with the plain future on all"), "{notes}");
        assert_eq!(r.agreement(), [true, true, true, true, true, false, true]);
    }

    #[test]
    fn a_script_without_its_steps_says_nothing_and_a_busy_machine_withholds_nothing() {
        let mut r = run();
        r.steps.clear();
        assert!(what_to_notice(&r).is_empty());
        let notes = what_to_notice(&run());
        assert!(notes.iter().all(|n| !n.is_conclusion()));
        assert_eq!(shown(&notes, true).len(), notes.len());
    }
}
