//! Outline section 6 — timeouts: `tokio::time::timeout` drops the future it gave up on.
//!
//! The server ran `timeout(limit, fetch(slow_server))` once per attempt. The page draws,
//! per attempt, the limit against the time the timeout took to return (to scale, with the
//! server's delay beside them), says which await point the timeout dropped (read by the
//! server from the recorded events) and what the server saw of the connection, shows the
//! recorded part's timeline, and a notice computed from those numbers: what each attempt
//! did as facts, and why it was late (or won past its deadline, or ran out of time under
//! a shorter delay) as conclusions, left out when the machine was shared.

use pollscope_shared::results::{ScenarioResult, TimeoutAttempt, TimeoutsResult};
use pollscope_shared::scenario::id;
use yew::prelude::*;

use super::DemoPage;
use crate::state::RunState;
use crate::timeline::{PartRef, Timeline};
use crate::widgets::{DemoFrame, DemoProps, Note, WhatToNotice, format_ms, percent};

impl DemoPage for TimeoutsPage {
    const ID: &'static str = id::TIMEOUTS;
}

/// What the server saw of an attempt's connection, as the page and the notice say it.
pub fn server_saw(a: &TimeoutAttempt) -> String {
    match (a.server_close_after_us, a.server_replied, a.server_read_request) {
        (Some(us), _, _) => format!(
            "the server saw the connection close {} after the request, and never replied",
            format_ms(us)
        ),
        (None, true, _) => "the server wrote its reply".to_owned(),
        (None, false, false) => "the server never got the whole request".to_owned(),
        (None, false, true) => "the server sent no report on this connection".to_owned(),
    }
}

/// What the events say the timeout dropped, as the page and the notice say it.
pub fn dropped_text(a: &TimeoutAttempt) -> Option<String> {
    a.dropped_wait
        .as_ref()
        .map(|name| format!("the inner future was dropped while waiting on \"{name}\""))
}

/// Tokio's timer fires on whole milliseconds: a deadline is rounded up to the next tick.
const TIMER_RESOLUTION_US: u64 = 1000;

/// How the attempt's return stands against its limit: "0.9 ms past the limit" or, when
/// the client's clock says it returned sooner, "1.0 ms before the limit" (never a
/// floored "0.0 ms past").
pub fn against_limit(a: &TimeoutAttempt) -> String {
    match a.limit_us.checked_sub(a.elapsed_us) {
        Some(early) if early > 0 => format!("{} before the limit", format_ms(early)),
        _ => format!("{} past the limit", format_ms(a.past_limit_us())),
    }
}

/// What one attempt's numbers show: what happened, then what it says about the timer or
/// the machine, where the numbers support it.
fn attempt_notes(i: usize, a: &TimeoutAttempt, delay_ms: u32) -> Vec<Note> {
    if a.timed_out {
        timed_out_notes(i, a, delay_ms)
    } else {
        replied_notes(i, a, delay_ms)
    }
}

/// An attempt whose reply won.
fn replied_notes(i: usize, a: &TimeoutAttempt, delay_ms: u32) -> Vec<Note> {
    let limit = format_ms(a.limit_us);
    let delay_us = u64::from(delay_ms) * 1000;
    let when = if a.elapsed_us <= a.limit_us {
        format!("within the limit of {limit}")
    } else {
        format!("{} of {limit}, yet the reply won", against_limit(a))
    };
    let mut notes = vec![Note::Fact(format!(
        "Attempt {i}: the reply came {} after the call, {when}: timeout returned Ok with the \
         fetch's {} bytes, and {}.",
        format_ms(a.elapsed_us),
        a.reply_bytes,
        server_saw(a)
    ))];
    if a.elapsed_us < delay_us {
        // The server waits its delay after reading the request, which the call sent.
        notes.push(Note::Fact(format!(
            "That is sooner than the server's {delay_ms} ms delay, which a reply cannot \
             beat: these numbers disagree with each other, so read nothing into this attempt."
        )));
    } else if a.elapsed_us > a.limit_us || delay_us >= a.limit_us {
        notes.push(Note::Conclusion(format!(
            "The server's delay was {delay_ms} ms against a limit of {limit}: timeout polls \
             the future inside it before its timer, so a reply that was there when the task \
             was polled won, even at or past the deadline."
        )));
    }
    notes
}

/// An attempt the timeout gave up on.
fn timed_out_notes(i: usize, a: &TimeoutAttempt, delay_ms: u32) -> Vec<Note> {
    let limit = format_ms(a.limit_us);
    let delay_us = u64::from(delay_ms) * 1000;
    let mut fired = format!(
        "Attempt {i}: the timeout fired {} after the call, {} of {limit}",
        format_ms(a.elapsed_us),
        against_limit(a)
    );
    let mut notes = Vec::new();
    let late = a.past_limit_us();
    if a.elapsed_us < a.limit_us {
        fired.push_str(
            " by the client's clock: these numbers disagree with each other, so read \
             nothing into this attempt.",
        );
    } else {
        fired.push('.');
        notes.push(Note::Conclusion(if late <= TIMER_RESOLUTION_US {
            "It never returns before the limit, and this one was late by no more than the \
             timer's 1 ms resolution: the deadline is rounded up to the timer's next tick."
                .to_owned()
        } else {
            format!(
                "It never returns before the limit; this one was late by more than the \
                 timer's 1 ms resolution, so for the other {} the runtime had not yet got to \
                 the task.",
                format_ms(late - TIMER_RESOLUTION_US)
            )
        }));
    }
    let mut facts = fired;
    match dropped_text(a) {
        Some(dropped) => facts.push_str(&format!(
            " When it returned, {dropped}: that wait ended only because the future was \
             dropped, so nothing after that .await ever ran."
        )),
        None => facts.push_str(
            " The events show no await point of the fetch still waiting when it returned \
             (the fetch had not waited yet, or the recording missed it).",
        ),
    }
    facts.push_str(&format!(" Then {}", server_saw(a)));
    match (a.server_close_after_us, a.server_replied) {
        (Some(close), _) if close < delay_us => facts.push_str(&format!(
            ": the close came before its {delay_ms} ms delay was up, because dropping the \
             future dropped its socket."
        )),
 (Some(_), _) => facts.push_str(&format!(
            ": the close reached it at or after the end of its {delay_ms} ms delay, \
             before it had written its reply."
        )),
        (None, true) => facts.push_str(
            ": its delay was up before the close reached it, and the fetch, dropped, never \
             read the reply.",
        ),
        (None, false) => facts.push('.'),
    }
    notes.insert(0, Note::Fact(facts));
    if delay_us < a.limit_us {
        notes.push(Note::Conclusion(format!(
            "The server's delay ({delay_ms} ms) was under the limit, yet the reply did not \
             arrive in time: connecting, sending the request, or getting either side's task \
             polled took the other {}.",
            format_ms(a.limit_us - delay_us)
        )));
    }
    notes
}

/// What this run's numbers show, note by note.
pub fn what_to_notice(result: &TimeoutsResult) -> Vec<Note> {
    let mut notes: Vec<Note> = (1..)
        .zip(&result.attempts)
        .flat_map(|(i, a)| attempt_notes(i, a, result.server_delay_ms))
        .collect();
    let late: Vec<u64> = result
        .attempts
        .iter()
        .filter(|a| a.timed_out && a.elapsed_us >= a.limit_us)
        .map(TimeoutAttempt::past_limit_us)
        .collect();
    if let (Some(low), Some(high), true) = (late.iter().min(), late.iter().max(), late.len() > 1) {
        notes.push(Note::Fact(format!(
            "Over the {} attempts that timed out, the timeout returned between {} and {} past \
             its limit.",
            late.len(),
            format_ms(*low),
            format_ms(*high)
        )));
    }
    if result.events_dropped > 0 {
        notes.push(Note::Fact(format!(
            "The recorder dropped {} events in this run, so what the events say was dropped \
             may be missing.",
            result.events_dropped
        )));
    }
    notes
}

#[component]
pub fn TimeoutsPage(props: &DemoProps) -> Html {
    let result = match &props.run {
        RunState::Finished {
            result: ScenarioResult::Timeouts(r),
            ..
        } => html! { <TimeoutsResultView result={r.clone()} /> },
        _ => html! {},
    };
    let explain = html! {
        <>
            <p>
                <code>{ "tokio::time::timeout(limit, fut)" }</code>
                { " is a future that owns " }<code>{ "fut" }</code>
                { " and a timer. Each time it is polled it polls " }<code>{ "fut" }</code>
                { " first, then the timer. If " }<code>{ "fut" }</code>
                { " finishes first, its value comes back in " }<code>{ "Ok" }</code>
                { "; if the limit passes first, it returns " }<code>{ "Err(Elapsed)" }</code>
                { " and drops " }<code>{ "fut" }</code>{ "." }
            </p>
            <p>
                { "Dropping a future is how async Rust cancels: it is stopped at the " }
                <code>{ ".await" }</code>
                { " where it waited, and the code after it never runs. What it owned is \
                   dropped with it: here the TCP socket, so the connection closes and the \
                   slow server, which watches its connections while it waits, sees the \
                   client go before it has answered." }
            </p>
            <p>
                { "In the timeline, the recorder names a wake after what the task's innermost \
                   waiting " }<code>{ ".await" }</code>
                { " waits on. While the fetch waits for the reply that is the socket, so the \
                   timer's wake at the limit is drawn as the reactor's." }
            </p>
        </>
    };
    html! {
        <DemoFrame demo={props.clone()} explain={explain}>
            { result }
            if !matches!(props.run, RunState::Idle) {
                <Timeline recording_part={PartRef::new(id::TIMEOUTS, 0)}
                    title={"The attempts, recorded: one task each, the timeout around the fetch's await points"} />
            }
        </DemoFrame>
    }
}

#[derive(Properties, PartialEq)]
pub struct TimeoutsResultProps {
    pub result: TimeoutsResult,
}

/// One bar of an attempt's track: `value_us` on the page's shared scale. A short bar has
/// its label beside it rather than cut off inside it.
fn bar(kind: &'static str, label: String, value_us: u64, scale: u64, color: &str) -> Html {
    let width = percent(value_us, scale);
    let style = format!("flex: none; width: {width:.3}%; background: {color}");
    let inside = width > 50.0;
    html! {
        <div class="lane" style="display: flex; align-items: center; gap: 0.4rem">
            <div class="fetch-bar" data-bar={kind} data-us={value_us.to_string()} style={style}>
                if inside {
                    <span class="fetch-label">{ label.clone() }</span>
                }
            </div>
            if !inside {
                <span class="fetch-label" style="font-family: var(--mono); font-size: 0.8rem">
                    { label }
                </span>
            }
        </div>
    }
}

fn attempt_view(i: usize, a: &TimeoutAttempt, delay_ms: u32, scale: u64) -> Html {
    let delay_us = u64::from(delay_ms) * 1000;
    let heading = if a.timed_out {
        format!(
            "Attempt {i}: timed out: returned {} after the call, {}",
            format_ms(a.elapsed_us),
            against_limit(a)
        )
    } else {
        format!(
            "Attempt {i}: the reply came in {}: Ok",
            format_ms(a.elapsed_us)
        )
    };
    let returned = if a.timed_out {
        "Err(Elapsed)"
    } else {
        "Ok(reply)"
    };
    html! {
        <div class="strategy attempt" data-attempt={i.to_string()} data-task={a.task.to_string()}
            data-limit-us={a.limit_us.to_string()} data-elapsed-us={a.elapsed_us.to_string()}
            data-timed-out={a.timed_out.to_string()}
            data-dropped-wait={a.dropped_wait.clone().unwrap_or_default()}
            data-server-saw-close={a.server_saw_close.to_string()}
            data-server-replied={a.server_replied.to_string()}
            data-server-close-after-us={a.server_close_after_us.map(|us| us.to_string()).unwrap_or_default()}>
            <div class="strategy-label">{ heading }</div>
            <div class="track">
                { bar("limit", format!("limit · {}", format_ms(a.limit_us)), a.limit_us, scale, "var(--warn)") }
                { bar("elapsed", format!("timeout returned {returned} · {}", format_ms(a.elapsed_us)), a.elapsed_us, scale, "var(--bad)") }
                { bar("server-delay", format!("server's delay · {delay_ms} ms"), delay_us, scale, "var(--accent)") }
            </div>
            <ul class="attempt-facts">
                if let Some(dropped) = dropped_text(a) {
                    <li class="dropped-wait">{ dropped }</li>
                }
                <li class="server-saw">{ server_saw(a) }</li>
            </ul>
        </div>
    }
}

#[component]
pub fn TimeoutsResultView(props: &TimeoutsResultProps) -> Html {
    let r = &props.result;
    let delay_us = u64::from(r.server_delay_ms) * 1000;
    let scale = r
        .attempts
        .iter()
        .map(|a| a.limit_us.max(a.elapsed_us))
        .max()
        .unwrap_or(0)
        .max(delay_us)
        .max(1);
    let attempts = (1..)
        .zip(&r.attempts)
        .map(|(i, a)| attempt_view(i, a, r.server_delay_ms, scale));
    let notes = what_to_notice(r);
    html! {
        <section id="timeouts-result" class="result" data-limit-ms={r.limit_ms.to_string()}
            data-server-delay-ms={r.server_delay_ms.to_string()}
            data-attempts={r.attempts.len().to_string()}>
            { for attempts }
            <div class="axis">
                <span>{ "0 ms" }</span>
                <span>{ format_ms(scale) }</span>
            </div>
            <WhatToNotice {notes} />
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::widgets::notice::{WITHHELD, shown};

    /// The notes as a quiet machine's page prints them.
    fn text(notes: &[Note]) -> String {
        shown(notes, false).join(" ")
    }

    fn timed_out(elapsed_us: u64, close_us: u64) -> TimeoutAttempt {
        TimeoutAttempt {
            task: 2,
            limit_us: 50_000,
            elapsed_us,
            timed_out: true,
            dropped_wait: Some("read reply".to_owned()),
            reply_bytes: 0,
            server_read_request: true,
            server_replied: false,
            server_saw_close: true,
            server_close_after_us: Some(close_us),
        }
    }

    fn replied(elapsed_us: u64) -> TimeoutAttempt {
        TimeoutAttempt {
            timed_out: false,
            elapsed_us,
            dropped_wait: None,
            reply_bytes: 83,
            server_replied: true,
            server_saw_close: false,
            server_close_after_us: None,
            ..timed_out(0, 0)
        }
    }

    fn result(server_delay_ms: u32, attempts: Vec<TimeoutAttempt>) -> TimeoutsResult {
        TimeoutsResult {
            limit_ms: 50,
            server_delay_ms,
            attempts,
            events_dropped: 0,
        }
    }

    #[test]
    fn the_notice_quotes_the_timeouts_numbers_and_reads_each_lateness_against_the_timer() {
        let r = result(300, vec![timed_out(50_853, 50_413), timed_out(51_479, 51_357)]);
        let notes = text(&what_to_notice(&r));
        for figure in [
            "Attempt 1: the timeout fired 50.9 ms after the call, 0.9 ms past the limit of 50.0 ms.",
            "Attempt 2: the timeout fired 51.5 ms after the call, 1.5 ms past the limit",
            "the inner future was dropped while waiting on \"read reply\"",
            "the server saw the connection close 50.4 ms after the request",
            "the close came before its 300 ms delay was up",
            "between 0.9 ms and 1.5 ms past its limit",
            // 0.9 ms late: within a tick; 1.5 ms late: 0.5 ms more than a tick.
            "this one was late by no more than the timer's 1 ms resolution",
            "late by more than the timer's 1 ms resolution, so for the other 0.5 ms",
        ] {
            assert!(notes.contains(figure), "{figure:?} not in {notes}");
        }
        assert!(!notes.contains("disagree"), "{notes}");
        assert!(!notes.contains("was under the limit"), "{notes}");
    }

    #[test]
    fn a_shared_machine_keeps_what_the_attempts_did_and_withholds_why() {
        let r = result(30, vec![timed_out(50_853, 30_100), timed_out(52_000, 29_000)]);
        let notes = what_to_notice(&r);
        assert!(text(&notes).contains("took the other 20.0 ms"), "{notes:?}");
        let shared = shown(&notes, true);
        let joined = shared.join(" ");
        assert!(joined.contains("the timeout fired 50.9 ms after the call"), "{joined}");
        assert!(joined.contains("between 0.9 ms and 2.0 ms past its limit"), "{joined}");
        assert!(!joined.contains("resolution"), "{joined}");
        assert!(!joined.contains("took the other"), "{joined}");
        assert_eq!(shared.last().map(String::as_str), Some(WITHHELD));
    }

    #[test]
    fn a_reply_in_time_a_late_reply_that_won_and_a_reply_too_soon_are_said_as_they_are() {
        let notes = what_to_notice(&result(30, vec![replied(31_200)]));
        let said = text(&notes);
        assert!(
            said.contains(
                "the reply came 31.2 ms after the call, within the limit of 50.0 ms: timeout \
                 returned Ok with the fetch's 83 bytes, and the server wrote its reply"
            ),
            "{said}"
        );
        assert!(!said.contains("fired") && !said.contains("yet the reply won"), "{said}");
        assert!(!notes.iter().any(Note::is_conclusion), "{notes:?}");

        // A limit equal to the server's delay: the reply can come after the limit, and win.
        let notes = what_to_notice(&result(50, vec![replied(51_500)]));
        let said = text(&notes);
        assert!(
            said.contains(
                "the reply came 51.5 ms after the call, 1.5 ms past the limit of 50.0 ms, yet \
                 the reply won: timeout returned Ok"
            ),
            "{said}"
        );
        assert!(said.contains("delay was 50 ms against a limit of 50.0 ms"), "{said}");
        assert!(!said.contains("within the limit"), "{said}");
        assert!(notes[1].is_conclusion(), "{notes:?}");

        // Sooner than the server waits before it replies: the numbers disagree.
        let said = text(&what_to_notice(&result(40, vec![replied(31_200)])));
        assert!(said.contains("sooner than the server's 40 ms delay"), "{said}");
        assert!(!said.contains("polls the future inside it"), "{said}");
    }

    #[test]
    fn an_early_timeout_a_crossed_reply_and_a_late_close_are_said_as_they_are() {
        let mut early = timed_out(49_000, 48_000);
        early.dropped_wait = None;
        let notes = what_to_notice(&result(30, vec![early]));
        let said = text(&notes);
        assert!(said.contains("1.0 ms before the limit of 50.0 ms by the client's clock"), "{said}");
        assert!(said.contains("these numbers disagree"), "{said}");
        assert!(said.contains("no await point of the fetch still waiting"), "{said}");
        assert!(said.contains("delay (30 ms) was under the limit"), "{said}");
        assert!(!said.contains("past") && !said.contains("resolution"), "{said}");

        // Timed out, but the server's delay ran out first: it replied to no one.
        let crossed = TimeoutAttempt {
            server_replied: true,
            server_saw_close: false,
            server_close_after_us: None,
            ..timed_out(50_700, 0)
        };
        let said = text(&what_to_notice(&result(50, vec![crossed])));
        assert!(
            said.contains("Then the server wrote its reply: its delay was up before the close"),
            "{said}"
        );
        assert!(!said.contains("saw the connection close"), "{said}");

        // The close seen at the delay's end is not said to have come before it.
        let said = text(&what_to_notice(&result(50, vec![timed_out(50_700, 50_200)])));
        assert!(
            said.contains("and never replied: the close reached it at or after the end of its 50 ms"),
            "{said}"
        );
        assert!(!said.contains("before its 50 ms delay was up"), "{said}");
    }

    #[test]
    fn the_distance_from_the_limit_is_never_floored() {
        assert_eq!(against_limit(&timed_out(50_853, 0)), "0.9 ms past the limit");
        assert_eq!(against_limit(&timed_out(50_000, 0)), "0.0 ms past the limit");
        assert_eq!(against_limit(&timed_out(49_960, 0)), "0.0 ms before the limit");
        assert_eq!(against_limit(&timed_out(48_000, 0)), "2.0 ms before the limit");
    }
}
