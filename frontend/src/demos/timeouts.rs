//! Outline section 6 — timeouts: `tokio::time::timeout` drops the future it gave up on.
//!
//! The server ran `timeout(limit, fetch(slow_server))` once per attempt. The page draws,
//! per attempt, the limit against the time the timeout took to return (to scale, with the
//! server's delay beside them), says which await point the timeout dropped (read by the
//! server from the recorded events) and what the server saw of the connection, shows the
//! recorded part's timeline, and a notice computed from those numbers.

use pollscope_shared::results::{ScenarioResult, TimeoutAttempt, TimeoutsResult};
use pollscope_shared::scenario::id;
use yew::prelude::*;

use super::DemoPage;
use crate::state::RunState;
use crate::timeline::{PartRef, Timeline};
use crate::widgets::{DemoFrame, DemoProps, format_ms, percent};

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

/// What one attempt's numbers show.
fn attempt_note(i: usize, a: &TimeoutAttempt, delay_ms: u32) -> String {
    let limit = format_ms(a.limit_us);
    let delay_us = u64::from(delay_ms) * 1000;
    if !a.timed_out {
        let when = if a.elapsed_us <= a.limit_us {
            format!("within the limit of {limit}")
        } else {
            format!(
                "{} past the limit of {limit}, yet the reply won",
                format_ms(a.past_limit_us())
            )
        };
        let mut note = format!(
            "Attempt {i}: the reply came {} after the call, {when}: timeout returned Ok with \
             the fetch's {} bytes, and {}.",
            format_ms(a.elapsed_us),
            a.reply_bytes,
            server_saw(a)
        );
        if a.elapsed_us > a.limit_us || delay_us >= a.limit_us {
            note.push_str(&format!(
                " The server's delay was {delay_ms} ms against a limit of {limit}: timeout \
                 polls the future inside it before its timer, so a reply that is there when \
                 the task is polled wins, even once the deadline has passed."
            ));
        }
        return note;
    }
    let mut note = if a.elapsed_us >= a.limit_us {
        format!(
            "Attempt {i}: the timeout fired {} after the call, {} past the limit of {limit}: \
             it never returns before the limit, and past it the timer's 1 ms resolution and \
             when the runtime got to the task add the rest.",
            format_ms(a.elapsed_us),
            format_ms(a.past_limit_us())
        )
    } else {
        format!(
            "Attempt {i}: the timeout fired {} after the call, before the limit of {limit} by \
             the client's clock: these numbers disagree with each other, so read nothing \
             into this attempt.",
            format_ms(a.elapsed_us)
        )
    };
    match dropped_text(a) {
        Some(dropped) => note.push_str(&format!(
            " When it returned, {dropped}: that wait ended only because the future was \
             dropped, so nothing after that .await ever ran."
        )),
        None => note.push_str(
            " The events show no await point of the fetch still waiting when it returned \
             (the fetch had not waited yet, or the recording missed it).",
        ),
    }
    note.push_str(&format!(" Then {}", server_saw(a)));
    if a.server_saw_close {
        note.push_str(&format!(
            ": the close came before its {delay_ms} ms delay was up, because dropping the \
             future dropped its socket."
        ));
    } else if a.server_replied {
        note.push_str(
            ": its delay was up before the close reached it, and the fetch, dropped, never \
             read the reply.",
        );
    } else {
        note.push('.');
    }
    if delay_us < a.limit_us {
        note.push_str(&format!(
            " The server's delay ({delay_ms} ms) was under the limit, yet the reply did not \
             arrive in time: the machine was slow to connect or to send."
        ));
    }
    note
}

/// What this run's numbers show, sentence by sentence.
pub fn what_to_notice(result: &TimeoutsResult) -> Vec<String> {
    let mut notes: Vec<String> = (1..)
        .zip(&result.attempts)
        .map(|(i, a)| attempt_note(i, a, result.server_delay_ms))
        .collect();
    let late: Vec<u64> = result
        .attempts
        .iter()
        .filter(|a| a.timed_out && a.elapsed_us >= a.limit_us)
        .map(TimeoutAttempt::past_limit_us)
        .collect();
    if let (Some(low), Some(high), true) = (late.iter().min(), late.iter().max(), late.len() > 1) {
        notes.push(format!(
            "Over the {} attempts that timed out, the timeout returned between {} and {} past \
             its limit.",
            late.len(),
            format_ms(*low),
            format_ms(*high)
        ));
    }
    if result.events_dropped > 0 {
        notes.push(format!(
            "The recorder dropped {} events in this run, so what the events say was dropped \
             may be missing.",
            result.events_dropped
        ));
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
            "Attempt {i}: timed out: returned {} after the call, {} past the limit",
            format_ms(a.elapsed_us),
            format_ms(a.past_limit_us())
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
                { bar("limit", format!("limit · {}", format_ms(a.limit_us)), a.limit_us, scale, "#7b3fa0") }
                { bar("elapsed", format!("timeout returned {returned} · {}", format_ms(a.elapsed_us)), a.elapsed_us, scale, "#c0392b") }
                { bar("server-delay", format!("server's delay · {delay_ms} ms"), delay_us, scale, "#0f8b8d") }
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
            if !notes.is_empty() {
                <div id="what-to-notice" class="notice">
                    { for notes.iter().map(|n| html! { <p>{ n }</p> }) }
                </div>
            }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    fn result(server_delay_ms: u32, attempts: Vec<TimeoutAttempt>) -> TimeoutsResult {
        TimeoutsResult {
            limit_ms: 50,
            server_delay_ms,
            attempts,
            events_dropped: 0,
        }
    }

    #[test]
    fn the_notice_quotes_the_timeouts_numbers_as_the_page_shows_them() {
        let r = result(300, vec![timed_out(50_853, 50_413), timed_out(51_479, 51_357)]);
        let notes = what_to_notice(&r).join(" ");
        for figure in [
            "Attempt 1: the timeout fired 50.9 ms after the call, 0.9 ms past the limit of 50.0 ms",
            "Attempt 2: the timeout fired 51.5 ms after the call, 1.5 ms past the limit",
            "the inner future was dropped while waiting on \"read reply\"",
            "the server saw the connection close 50.4 ms after the request",
            "the close came before its 300 ms delay was up",
            "between 0.9 ms and 1.5 ms past its limit",
        ] {
            assert!(notes.contains(figure), "{figure:?} not in {notes}");
        }
        assert!(!notes.contains("disagree"), "{notes}");
        assert!(!notes.contains("was under the limit"), "{notes}");
    }

    #[test]
    fn a_reply_in_time_and_numbers_that_disagree_are_said_as_they_are() {
        let ok = TimeoutAttempt {
            timed_out: false,
            elapsed_us: 31_200,
            dropped_wait: None,
            reply_bytes: 83,
            server_replied: true,
            server_saw_close: false,
            server_close_after_us: None,
            ..timed_out(0, 0)
        };
        let notes = what_to_notice(&result(30, vec![ok.clone()])).join(" ");
        assert!(
            notes.contains(
                "the reply came 31.2 ms after the call, within the limit of 50.0 ms: timeout \
                 returned Ok with the fetch's 83 bytes, and the server wrote its reply"
            ),
            "{notes}"
        );
        assert!(!notes.contains("fired"), "{notes}");
        assert!(!notes.contains("yet the reply won"), "{notes}");

        // A limit equal to the server's delay: the reply can come after the limit, and win.
        let late_ok = TimeoutAttempt {
            elapsed_us: 51_500,
            ..ok
        };
        let notes = what_to_notice(&result(50, vec![late_ok])).join(" ");
        assert!(
            notes.contains(
                "the reply came 51.5 ms after the call, 1.5 ms past the limit of 50.0 ms, yet \
                 the reply won: timeout returned Ok"
            ),
            "{notes}"
        );
        assert!(notes.contains("delay was 50 ms against a limit of 50.0 ms"), "{notes}");
        assert!(!notes.contains("within the limit"), "{notes}");

        let mut early = timed_out(49_000, 48_000);
        early.dropped_wait = None;
        let notes = what_to_notice(&result(30, vec![early])).join(" ");
        assert!(notes.contains("these numbers disagree"), "{notes}");
        assert!(notes.contains("no await point of the fetch still waiting"), "{notes}");
        assert!(notes.contains("delay (30 ms) was under the limit"), "{notes}");
        assert!(!notes.contains("past its limit"), "{notes}");

        // Timed out, but the server's delay ran out first: it replied to no one.
        let crossed = TimeoutAttempt {
            server_replied: true,
            server_saw_close: false,
            server_close_after_us: None,
            ..timed_out(50_700, 0)
        };
        let notes = what_to_notice(&result(50, vec![crossed])).join(" ");
        assert!(
            notes.contains("Then the server wrote its reply: its delay was up before the close"),
            "{notes}"
        );
        assert!(!notes.contains("saw the connection close"), "{notes}");
    }
}
