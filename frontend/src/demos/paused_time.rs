//! Outline section 9 — paused time: the retry code of section 8 on a paused clock.
//!
//! The server ran the retry demo's own retry function on a `current_thread` runtime whose
//! clock starts paused, once per backoff policy, with the flaky server inside that
//! runtime. The page shows, per policy, the virtual time that passed (Tokio's clock)
//! against the real time (the machine's), each jump of the clock at a sleep, how far each
//! clock moved during each attempt, one timeline per recorded part (drawn on the real
//! clock), and a notice computed from those numbers: what each clock did are facts;
//! where the real time went is a conclusion, left out when the machine was shared.

use pollscope_shared::results::{
    PausedAttempt, PausedPolicy, PausedTimeResult, ScenarioResult,
};
use pollscope_shared::scenario::id;
use yew::prelude::*;

use super::DemoPage;
use crate::state::RunState;
use crate::widgets::retries::{answer, dropped_events, ending, statuses};
use crate::widgets::{part_timelines, DemoFrame, DemoProps, Note, WhatToNotice};

impl DemoPage for PausedTimePage {
    const ID: &'static str = id::PAUSED_TIME;
}

/// Tokio's (virtual) time, in seconds: `2_000_000` → `"2.000 s"`.
pub fn format_virtual(us: u64) -> String {
    format!("{:.3} s", us as f64 / 1e6)
}

/// The machine's (real) time, in milliseconds to the microsecond: `45` → `"0.045 ms"`.
pub fn format_real(us: u64) -> String {
    format!("{:.3} ms", us as f64 / 1000.0)
}

/// The sleeps of a policy: every attempt after the first.
fn sleeps(p: &PausedPolicy) -> &[PausedAttempt] {
    p.attempts.get(1..).unwrap_or_default()
}

/// "from 32 µs to 45 µs" of a set of real times, as the page formats them.
fn real_range(values: impl Iterator<Item = u64> + Clone) -> Option<String> {
    let low = values.clone().min()?;
    let high = values.max()?;
    Some(if low == high {
        format_real(low)
    } else {
        format!("between {} and {}", format_real(low), format_real(high))
    })
}

/// What one policy's clocks did, as facts.
fn policy_notes(p: &PausedPolicy) -> Vec<Note> {
    let label = p.backoff.label();
    let mut notes = vec![Note::Fact(format!(
        "With {label}: {} attempt(s), answered {}; it {}. Tokio's clock went forward {}; \
         the machine's, {}.",
        p.attempts.len(),
        statuses(p.attempts.iter().map(|a| a.status)),
        ending(p.succeeded, p.attempts.len()),
        format_virtual(p.virtual_total_us),
        format_real(p.real_total_us)
    ))];
    let jumps = sleeps(p);
    if !jumps.is_empty() {
        let each: Vec<String> = jumps.iter().map(|a| format_virtual(a.virtual_slept_us)).collect();
        let exact = jumps.iter().all(|a| a.virtual_slept_us == a.planned_delay_us);
        let real = real_range(jumps.iter().map(|a| a.real_slept_us)).unwrap_or_default();
        notes.push(Note::Fact(if exact {
            format!(
                "The clock jumped {} time(s), once per sleep, each by exactly its planned \
                 delay: {}; those sleeps took {real} of real time.",
                jumps.len(),
                each.join(", ")
            )
        } else {
            format!(
                "The clock moved {} across the sleeps, not exactly their planned delays: \
                 these numbers disagree with what a paused clock does, so read nothing \
                 into this part.",
                each.join(", ")
            )
        }));
    }
    let moved: Vec<&PausedAttempt> = p.attempts.iter().filter(|a| a.virtual_took_us > 0).collect();
    let talk = real_range(p.attempts.iter().map(|a| a.real_took_us)).unwrap_or_default();
    notes.push(Note::Fact(match moved.first() {
        None => format!(
            "No attempt moved Tokio's clock: while each talked to the server ({talk} of real \
             time), no timer was pending, so there was nothing to jump to."
        ),
        Some(a) => format!(
            "Attempt {} moved Tokio's clock by {} while it talked to the server: the runtime \
             went idle with a timer pending, and the clock jumped to it.",
            a.attempt,
            format_virtual(a.virtual_took_us)
        ),
    }));
    notes
}

/// Where the real time of a policy went: a conclusion drawn from real timings.
fn real_time_note(p: &PausedPolicy) -> Option<Note> {
    if sleeps(p).is_empty() {
        return None;
    }
    let slept: u64 = sleeps(p).iter().map(|a| a.real_slept_us).sum();
    let talked: u64 = p.attempts.iter().map(|a| a.real_took_us).sum();
    let figures = format!(
        "{} of the sleeps' {} virtual against {} for the attempts' real I/O",
        format_real(slept),
        format_virtual(p.planned_us()),
        format_real(talked)
    );
    Some(Note::Conclusion(if slept < talked {
        format!(
            "With {}, the real time went to the attempts, not the waiting ({figures}): on a \
             paused clock a sleep of seconds costs about what one turn of the runtime does.",
            p.backoff.label()
        )
    } else {
        format!(
            "With {}, the sleeps took as much real time as the attempts ({figures}): each \
             jump still needs the runtime to go round once, and here those turns were slow.",
            p.backoff.label()
        )
    }))
}

/// What this run's numbers show, note by note; empty unless both policies ran.
pub fn what_to_notice(r: &PausedTimeResult) -> Vec<Note> {
    let [linear, exponential] = &r.policies[..] else {
        return Vec::new();
    };
    let mut notes = Vec::new();
    for p in [linear, exponential] {
        notes.extend(policy_notes(p));
    }
    notes.extend([linear, exponential].into_iter().filter_map(real_time_note));
    let exact = r
        .policies
        .iter()
        .flat_map(sleeps)
        .all(|a| a.virtual_slept_us == a.planned_delay_us);
    if exact && r.policies.iter().any(|p| !sleeps(p).is_empty()) {
        notes.push(Note::Fact(
            "So on a paused clock the schedule is exact and quick to check: which delays, how \
             many attempts, how much virtual time in all. What it cannot show is how late a \
             real wake-up comes: every sleep here lasted exactly its plan, on a clock that \
             only the runtime moves."
                .to_owned(),
        ));
    }
    notes.extend(dropped_events(r.policies.iter().map(|p| p.events_dropped).sum()));
    notes
}

#[component]
pub fn PausedTimePage(props: &DemoProps) -> Html {
    let result = match &props.run {
        RunState::Finished {
            result: ScenarioResult::PausedTime(r),
            ..
        } => html! { <PausedTimeResultView result={r.clone()} /> },
        _ => html! {},
    };
    let explain = html! {
        <>
            <p>
                { "Code that waits seconds between retries makes a test wait seconds too, \
                   unless the clock is not the machine's. A Tokio runtime built with " }
                <code>{ "Builder::new_current_thread().enable_all().start_paused(true)" }</code>
                { " (the " }<code>{ "test-util" }</code>
                { " feature; " }<code>{ "#[tokio::test(start_paused = true)]" }</code>
                { " builds the same) has a clock of its own that stands still. When the \
                   runtime has nothing left to do but wait for a timer, the clock jumps \
                   straight to that timer's deadline (\"auto-advance\") and the timer fires. \
                   Only a " }<code>{ "current_thread" }</code>
                { " runtime can have a paused clock: with one thread, the runtime itself knows \
                   when nothing is left to do." }
            </p>
            <p>
                { "Here the retry demo's own retry function runs on such a runtime, against \
                   the same kind of server, which answers 503 to its first k requests. The \
                   function times everything twice: on " }<code>{ "tokio::time::Instant" }</code>
                { " (virtual here) and on " }<code>{ "std::time::Instant" }</code>
                { " (real). The timelines below are drawn on the real clock." }
            </p>
            <p>
                { "The trade-off: \"nothing left to do\" includes waiting for a socket whose \
                   data has not arrived. So the server runs inside the paused runtime, and has \
                   no timer of its own: while an attempt waits for it, no timer is pending, \
                   and the clock has nothing to jump to. A server elsewhere, with a timer \
                   pending beside the wait (a per-request timeout, say), would let the clock \
                   jump to that timer during a real wait of microseconds, and the timeout \
                   would fire in virtual time however soon the reply was coming. Paused time \
                   tests the schedule, exactly; it says nothing about real latency." }
            </p>
        </>
    };
    html! {
        <DemoFrame demo={props.clone()} explain={explain}>
            { result }
            { part_timelines(id::PAUSED_TIME, &[
                "Part 0: linear backoff, paused clock (real time)",
                "Part 1: exponential backoff with jitter, paused clock (real time)",
            ], &props.run) }
        </DemoFrame>
    }
}

#[derive(Properties, PartialEq)]
pub struct PausedTimeResultProps {
    pub result: PausedTimeResult,
}

fn jump_row(a: &PausedAttempt) -> Html {
    let answer = answer(a.status, a.error.as_deref());
    let first = a.attempt == 1;
    let dash = || "—".to_owned();
    html! {
        <tr class="clock-jump" data-attempt={a.attempt.to_string()}
            data-planned-us={a.planned_delay_us.to_string()}
            data-virtual-slept-us={a.virtual_slept_us.to_string()}
            data-real-slept-us={a.real_slept_us.to_string()}
            data-virtual-started-us={a.virtual_started_us.to_string()}
            data-real-started-us={a.real_started_us.to_string()}
            data-virtual-took-us={a.virtual_took_us.to_string()}
            data-real-took-us={a.real_took_us.to_string()}
            data-status={a.status.to_string()}>
            <td>{ a.attempt }</td>
            <td>{ if first { dash() } else { format_virtual(a.planned_delay_us) } }</td>
            <td>{ if first { dash() } else { format_virtual(a.virtual_slept_us) } }</td>
            <td>{ if first { dash() } else { format_real(a.real_slept_us) } }</td>
            <td>{ format_virtual(a.virtual_started_us) }</td>
            <td>{ format_real(a.real_started_us) }</td>
            <td>{ format!("{} / {}", format_virtual(a.virtual_took_us), format_real(a.real_took_us)) }</td>
            <td>{ answer }</td>
        </tr>
    }
}

fn policy_view(i: usize, p: &PausedPolicy) -> Html {
    html! {
        <div class="strategy paused-policy" data-part={i.to_string()} data-backoff={p.backoff.id()}
            data-virtual-total-us={p.virtual_total_us.to_string()}
            data-real-total-us={p.real_total_us.to_string()}
            data-planned-us={p.planned_us().to_string()}
            data-attempts={p.attempts.len().to_string()} data-succeeded={p.succeeded.to_string()}
            data-server-requests={p.server_requests.to_string()}>
            <div class="strategy-label">
                { format!("Part {i}: {}: {}", p.backoff.label(), ending(p.succeeded, p.attempts.len())) }
            </div>
            <table class="clock-totals">
                <tr><th scope="row">{ "virtual time elapsed (Tokio's clock)" }</th>
                    <td class="virtual-total">{ format_virtual(p.virtual_total_us) }</td></tr>
                <tr><th scope="row">{ "real time elapsed (the machine's clock)" }</th>
                    <td class="real-total">{ format_real(p.real_total_us) }</td></tr>
            </table>
            <table class="jump-table">
                <thead>
                    <tr>
                        <th>{ "attempt" }</th><th>{ "planned delay" }</th>
                        <th>{ "clock jumped by" }</th><th>{ "sleep, real" }</th>
                        <th>{ "clock at start" }</th><th>{ "real at start" }</th>
                        <th>{ "attempt: virtual / real" }</th><th>{ "answer" }</th>
                    </tr>
                </thead>
                <tbody>{ for p.attempts.iter().map(jump_row) }</tbody>
            </table>
            <p class="server-count">
                { format!("The server, inside the paused runtime, counted {} request(s).", p.server_requests) }
            </p>
        </div>
    }
}

#[component]
pub fn PausedTimeResultView(props: &PausedTimeResultProps) -> Html {
    let r = &props.result;
    let policies = r.policies.iter().enumerate().map(|(i, p)| policy_view(i, p));
    let notes = what_to_notice(r);
    html! {
        <section id="paused-time-result" class="result" data-failures={r.failures.to_string()}
            data-base-ms={r.base_ms.to_string()} data-cap-ms={r.cap_ms.to_string()}
            data-max-attempts={r.max_attempts.to_string()} data-seed={r.seed.to_string()}>
            { for policies }
            <WhatToNotice {notes} />
        </section>
    }
}

#[cfg(test)]
mod tests {
    use pollscope_shared::results::BackoffKind;

    use super::*;
    use crate::widgets::notice::{WITHHELD, shown};

    fn policy(backoff: BackoffKind, delays_ms: &[u64], ok: bool) -> PausedPolicy {
        let (mut virtual_at, mut real_at) = (0, 3);
        let attempts: Vec<PausedAttempt> = (1..)
            .zip(std::iter::once(&0).chain(delays_ms))
            .map(|(n, &d)| {
                let real_slept = if n == 1 { 0 } else { 40 };
                virtual_at += d * 1000;
                real_at += real_slept;
                let last = n as usize == delays_ms.len() + 1;
                let a = PausedAttempt {
                    attempt: n,
                    planned_delay_us: d * 1000,
                    virtual_slept_us: d * 1000,
                    real_slept_us: real_slept,
                    virtual_started_us: virtual_at,
                    real_started_us: real_at,
                    virtual_took_us: 0,
                    real_took_us: 200,
                    status: if last && ok { 200 } else { 503 },
                    error: None,
                };
                real_at += 200;
                a
            })
            .collect();
        PausedPolicy {
            backoff,
            server_requests: attempts.len() as u32,
            virtual_total_us: virtual_at,
            real_total_us: real_at,
            succeeded: ok,
            attempts,
            events_dropped: 0,
        }
    }

    fn result(linear: PausedPolicy, exponential: PausedPolicy) -> PausedTimeResult {
        PausedTimeResult {
            failures: 2,
            base_ms: 1000,
            cap_ms: 30_000,
            max_attempts: 6,
            seed: 7,
            policies: vec![linear, exponential],
        }
    }

    fn quiet() -> PausedTimeResult {
        result(
            policy(BackoffKind::Linear, &[1000, 2000], true),
            policy(BackoffKind::ExponentialJitter, &[738, 1957], true),
        )
    }

    fn text(r: &PausedTimeResult) -> String {
        shown(&what_to_notice(r), false).join(" ")
    }

    #[test]
    fn the_notice_quotes_both_clocks_as_the_page_shows_them() {
        let notes = text(&quiet());
        for figure in [
            "With linear backoff: 3 attempt(s), answered 503, 503, 200; it succeeded on attempt 3. Tokio's clock went forward 3.000 s; the machine's, 0.683 ms.",
            "The clock jumped 2 time(s), once per sleep, each by exactly its planned delay: 1.000 s, 2.000 s; those sleeps took 0.040 ms of real time.",
            "Tokio's clock went forward 2.695 s",
            "No attempt moved Tokio's clock: while each talked to the server (0.200 ms of real time)",
            "the real time went to the attempts, not the waiting (0.080 ms of the sleeps' 3.000 s virtual against 0.600 ms for the attempts' real I/O)",
            "every sleep here lasted exactly its plan",
        ] {
            assert!(notes.contains(figure), "{figure:?} not in {notes}");
        }
        assert!(!notes.contains("disagree"), "{notes}");
    }

    #[test]
    fn a_clock_that_moved_otherwise_is_said_as_it_is() {
        let mut r = quiet();
        r.policies[0].attempts[1].virtual_slept_us = 1_001_000;
        r.policies[1].attempts[2].virtual_took_us = 5_000_000;
        r.policies[1].attempts[1].real_slept_us = 900;
        let notes = text(&r);
        assert!(notes.contains("The clock moved 1.001 s, 2.000 s across the sleeps, not exactly"), "{notes}");
        assert!(notes.contains("Attempt 3 moved Tokio's clock by 5.000 s"), "{notes}");
        assert!(notes.contains("sleeps took between 0.040 ms and 0.900 ms"), "{notes}");
        assert!(!notes.contains("every sleep here lasted exactly"), "{notes}");
        let mut slow = quiet();
        slow.policies[0].attempts[1].real_slept_us = 5_000;
        assert!(text(&slow).contains("the sleeps took as much real time as the attempts"));
    }

    #[test]
    fn no_failures_means_no_jumps_and_a_shared_machine_withholds_the_reading() {
        let mut none = result(
            policy(BackoffKind::Linear, &[], true),
            policy(BackoffKind::ExponentialJitter, &[], true),
        );
        none.failures = 0;
        let notes = what_to_notice(&none);
        assert!(!notes.iter().any(Note::is_conclusion), "{notes:?}");
        assert!(!text(&none).contains("jumped"), "{}", text(&none));

        let shared = shown(&what_to_notice(&quiet()), true);
        assert!(!shared.iter().any(|s| s.contains("the real time went to")));
        assert!(shared.iter().any(|s| s.starts_with("With linear backoff")));
        assert_eq!(shared.last().map(String::as_str), Some(WITHHELD));
        assert!(what_to_notice(&PausedTimeResult { policies: vec![], ..quiet() }).is_empty());
    }
}
