//! Outline section 8 — retry with backoff: linear against exponential with jitter.
//!
//! The server retried a loopback server that fails its first k requests, once per backoff
//! policy. The page shows, per policy, each attempt: the delay planned before it, how
//! long the sleep really lasted, when the attempt was due and when it started, and what
//! the server answered; the attempts drawn to scale on one axis; one timeline per
//! recorded part; and a notice computed from those numbers. What was planned and
//! measured are facts; whether the schedule or the machine decided the timing, and why
//! one policy took longer, are conclusions, left out when the machine was shared.

use pollscope_shared::results::{
    BackoffKind, PolicyRun, RetryAttempt, RetryBackoffResult, ScenarioResult,
};
use pollscope_shared::scenario::id;
use yew::prelude::*;

use super::DemoPage;
use crate::state::RunState;
use crate::widgets::retries::{answer, dropped_events, ending, statuses};
use crate::widgets::{part_timelines, DemoFrame, DemoProps, Note, WhatToNotice, format_ms, percent};

impl DemoPage for RetryBackoffPage {
    const ID: &'static str = id::RETRY_BACKOFF;
}

/// A wake-up later than this fraction of the shortest planned delay is more than the
/// timer's doing: the schedule no longer alone decides when the attempts run.
const LATE_FRACTION: u64 = 10;

/// The planned delays, as the table shows them: "50.0 ms, 100.0 ms".
fn planned_list(p: &PolicyRun) -> String {
    let each: Vec<String> = p
        .attempts
        .iter()
        .skip(1)
        .map(|a| format_ms(a.planned_delay_us))
        .collect();
    each.join(", ")
}

/// What one policy did, as facts.
fn policy_notes(r: &RetryBackoffResult, p: &PolicyRun) -> Vec<Note> {
    let label = p.backoff.label();
    let n = p.attempts.len();
    let mut said = format!(
        "With {label}: {n} attempt(s), answered {}; it {} in {}.",
        statuses(p.attempts.iter().map(|a| a.status)),
        ending(p.succeeded, p.attempts.len()),
        format_ms(p.total_us)
    );
    if n > 1 {
        said.push_str(&format!(
            " It planned {} of sleep in all and slept {}.",
            format_ms(p.planned_us()),
            format_ms(p.slept_us())
        ));
    }
    if p.server_requests as usize != n {
        said.push_str(&format!(
            " The server counted {} request(s), not {n}: these numbers disagree.",
            p.server_requests
        ));
    }
    let mut notes = vec![Note::Fact(said)];
    if n > 1 {
        notes.push(Note::Fact(match p.backoff {
            BackoffKind::Linear => format!(
                "Linear planned {}: n × the {} ms base after the n-th failure.",
                planned_list(p),
                r.base_ms
            ),
            BackoffKind::ExponentialJitter => {
                let full: Vec<String> = (1..n as u32)
                    .map(|k| full_exponential_ms(r, k).to_string() + " ms")
                    .collect();
                format!(
                    "Exponential planned {}: each between half and all of min({} ms, {} ms × \
                     2^(n-1)) = {}, the part above half drawn from seed {}.",
                    planned_list(p),
                    r.cap_ms,
                    r.base_ms,
                    full.join(", "),
                    r.seed
                )
            }
        }));
    }
    notes
}

/// The exponential delay before jitter after the k-th failure, in ms.
pub fn full_exponential_ms(r: &RetryBackoffResult, k: u32) -> u64 {
    (u64::from(r.base_ms) << (k - 1).min(20)).min(u64::from(r.cap_ms))
}

/// The sleeps of every policy (attempts after the first).
fn sleeps(r: &RetryBackoffResult) -> impl Iterator<Item = &RetryAttempt> {
    r.policies.iter().flat_map(|p| p.attempts.iter().skip(1))
}

/// How the sleeps stood against their plans: a fact, and what it means for the schedule.
fn timing_notes(r: &RetryBackoffResult) -> Vec<Note> {
    let Some(latest) = sleeps(r).max_by_key(|a| a.late_us()) else {
        return Vec::new();
    };
    if let Some(early) = sleeps(r).find(|a| a.slept_us < a.planned_delay_us) {
        return vec![Note::Fact(format!(
            "The sleep before attempt {} lasted {}, less than its planned {}: a timer does \
             not fire early, so these numbers disagree with each other; read nothing into \
             this run's timings.",
            early.attempt,
            format_ms(early.slept_us),
            format_ms(early.planned_delay_us)
        ))];
    }
    let shortest = sleeps(r).map(|a| a.planned_delay_us).min().unwrap_or(0);
    let late = latest.late_us();
    vec![
        Note::Fact(format!(
            "Every sleep lasted at least its planned delay; the latest wake-up came {} after \
             its plan.",
            format_ms(late)
        )),
        Note::Conclusion(if late * LATE_FRACTION <= shortest {
            format!(
                "Against a shortest delay of {}, wake-ups at most {} late are the timer's \
                 millisecond ticks and the poll that follows: the policy's schedule decided \
                 when each attempt ran.",
                format_ms(shortest),
                format_ms(late)
            )
        } else {
            format!(
                "A wake-up {} late is more than a tenth of the shortest delay ({}): \
                 something other than the schedule (a busy runtime, or a busy machine) held \
                 the attempts back.",
                format_ms(late),
                format_ms(shortest)
            )
        }),
    ]
}

/// Which policy took longer, and whether the plans explain it.
fn comparison(linear: &PolicyRun, exponential: &PolicyRun) -> Option<Note> {
    if linear.attempts.len() != exponential.attempts.len() || linear.attempts.len() < 2 {
        return None;
    }
    let (lt, et) = (linear.total_us, exponential.total_us);
    let (lp, ep) = (linear.planned_us(), exponential.planned_us());
    let totals = format!("{} against {}", format_ms(lt), format_ms(et));
    let plans = format!("{} against {}", format_ms(lp), format_ms(ep));
    Some(Note::Conclusion(if (lt > et) == (lp > ep) && lt != et && lp != ep {
        let longer = if lt > et { linear } else { exponential };
        format!(
            "With the same attempts against the same failures, {} took longer in all \
             ({totals}, linear first) because its planned sleeps added up to more ({plans}): \
             the backoff, not the fetches, set the total.",
            longer.backoff.label()
        )
    } else {
        format!(
            "The totals ({totals}, linear first) do not follow the planned sleeps ({plans}): \
             the fetches and the wake-ups made the difference, so this run does not say \
             which policy waits longer."
        )
    }))
}

/// What this run's numbers show, note by note; empty unless both policies ran.
pub fn what_to_notice(r: &RetryBackoffResult) -> Vec<Note> {
    let [linear, exponential] = &r.policies[..] else {
        return Vec::new();
    };
    let mut notes = Vec::new();
    if r.failures == 0 {
        notes.push(Note::Fact(
            "The server failed no request, so the first attempt got its 200 and no backoff \
             was slept."
                .to_owned(),
        ));
    }
    for p in [linear, exponential] {
        notes.extend(policy_notes(r, p));
    }
    notes.extend(timing_notes(r));
    notes.extend(comparison(linear, exponential));
    notes.extend(dropped_events(r.policies.iter().map(|p| p.events_dropped).sum()));
    notes
}

#[component]
pub fn RetryBackoffPage(props: &DemoProps) -> Html {
    let result = match &props.run {
        RunState::Finished {
            result: ScenarioResult::RetryBackoff(r),
            ..
        } => html! { <RetryBackoffResultView result={r.clone()} /> },
        _ => html! {},
    };
    let explain = html! {
        <>
            <p>
                { "A request that failed may work if tried again a little later, but a \
                   client that retries at once, and keeps retrying, adds load to a service \
                   that is already failing. So it waits between attempts, longer each time: \
                   the seed's " }<b>{ "linear" }</b>{ " backoff waits n × base after the \
                   n-th failure; " }<b>{ "exponential" }</b>{ " backoff doubles the wait each \
                   time, up to a cap, and " }<b>{ "jitter" }</b>
                { " takes a random part off each wait so that many clients that failed at the \
                   same moment do not all come back at the same moment." }
            </p>
            <p>
                { "Here one client retries a real loopback server that answers 503 to its \
                   first k requests and 200 after that, once with each policy. The wait is a \
                   real " }<code>{ "tokio::time::sleep" }</code>
                { ", timed from before it is made to after it returns: a timer never fires \
                   early, so the sleep lasts at least the planned delay, and the rest is how \
                   late the runtime got back to the task. The jitter comes from a small seeded \
                   generator: the same seed gives the same delays. With one client, the page \
                   shows the schedule jitter makes, not the crowd it spreads out." }
            </p>
        </>
    };
    html! {
        <DemoFrame demo={props.clone()} explain={explain}>
            { result }
            { part_timelines(id::RETRY_BACKOFF, &[
                "Part 0: linear backoff",
                "Part 1: exponential backoff with jitter",
            ], &props.run) }
        </DemoFrame>
    }
}

#[derive(Properties, PartialEq)]
pub struct RetryBackoffResultProps {
    pub result: RetryBackoffResult,
}

/// The attempts on the page's shared axis: a block per attempt where it started, with
/// the sleep before it drawn as planned (outline) and as slept (filled).
fn track(p: &PolicyRun, scale: u64) -> Html {
    let blocks = p.attempts.iter().map(|a| {
        let sleep_start = a.started_us.saturating_sub(a.slept_us);
        let color = if a.status == 200 { "var(--ok)" } else { "var(--bad)" };
        html! {
            <>
                if a.attempt > 1 {
                    <div class="sleep-planned" style={format!(
                        "position: absolute; top: 0.1rem; height: 0.5rem; left: {:.3}%; width: {:.3}%; border: 1px solid var(--muted)",
                        percent(sleep_start, scale), percent(a.planned_delay_us, scale))} />
                    <div class="sleep-slept" style={format!(
                        "position: absolute; top: 0.8rem; height: 0.5rem; left: {:.3}%; width: {:.3}%; background: var(--accent)",
                        percent(sleep_start, scale), percent(a.slept_us, scale))} />
                }
                <div class="attempt-mark" style={format!(
                    "position: absolute; top: 0; height: 1.4rem; left: {:.3}%; width: 3px; background: {color}",
                    percent(a.started_us, scale))} title={format!("attempt {}", a.attempt)} />
            </>
        }
    });
    html! {
        <div class="track" style="position: relative; height: 1.5rem; background: var(--head-bg)">
            { for blocks }
        </div>
    }
}

fn attempt_row(a: &RetryAttempt) -> Html {
    let answer = answer(a.status, a.error.as_deref());
    let first = a.attempt == 1;
    html! {
        <tr class="retry-attempt" data-attempt={a.attempt.to_string()}
            data-planned-us={a.planned_delay_us.to_string()} data-slept-us={a.slept_us.to_string()}
            data-late-us={a.late_us().to_string()} data-scheduled-us={a.scheduled_us.to_string()}
            data-started-us={a.started_us.to_string()} data-took-us={a.took_us.to_string()}
            data-status={a.status.to_string()}>
            <td>{ a.attempt }</td>
            <td>{ if first { "—".to_owned() } else { format_ms(a.planned_delay_us) } }</td>
            <td>{ if first { "—".to_owned() } else { format_ms(a.slept_us) } }</td>
            <td>{ if first { "—".to_owned() } else { format_ms(a.late_us()) } }</td>
            <td>{ format_ms(a.scheduled_us) }</td>
            <td>{ format_ms(a.started_us) }</td>
            <td>{ format_ms(a.took_us) }</td>
            <td>{ answer }</td>
        </tr>
    }
}

fn policy_view(i: usize, p: &PolicyRun, scale: u64) -> Html {
    html! {
        <div class="strategy policy-run" data-part={i.to_string()} data-backoff={p.backoff.id()}
            data-total-us={p.total_us.to_string()} data-attempts={p.attempts.len().to_string()}
            data-succeeded={p.succeeded.to_string()} data-planned-us={p.planned_us().to_string()}
            data-slept-us={p.slept_us().to_string()}
            data-server-requests={p.server_requests.to_string()}>
            <div class="strategy-label">
                { format!("Part {i}: {}: {} in {}", p.backoff.label(), ending(p.succeeded, p.attempts.len()), format_ms(p.total_us)) }
            </div>
            { track(p, scale) }
            <table class="attempt-table">
                <thead>
                    <tr>
                        <th>{ "attempt" }</th><th>{ "planned delay" }</th><th>{ "slept" }</th>
                        <th>{ "late by" }</th><th>{ "due at" }</th><th>{ "started at" }</th>
                        <th>{ "took" }</th><th>{ "answer" }</th>
                    </tr>
                </thead>
                <tbody>{ for p.attempts.iter().map(attempt_row) }</tbody>
            </table>
            <p class="server-count">
                { format!("The server counted {} request(s).", p.server_requests) }
            </p>
        </div>
    }
}

#[component]
pub fn RetryBackoffResultView(props: &RetryBackoffResultProps) -> Html {
    let r = &props.result;
    let scale = r.policies.iter().map(|p| p.total_us).max().unwrap_or(0).max(1);
    let policies = r
        .policies
        .iter()
        .enumerate()
        .map(|(i, p)| policy_view(i, p, scale));
    let notes = what_to_notice(r);
    html! {
        <section id="retry-backoff-result" class="result" data-failures={r.failures.to_string()}
            data-base-ms={r.base_ms.to_string()} data-cap-ms={r.cap_ms.to_string()}
            data-max-attempts={r.max_attempts.to_string()} data-seed={r.seed.to_string()}>
            { for policies }
            <div class="axis">
                <span>{ "0 ms" }</span>
                <span>{ format_ms(scale) }</span>
            </div>
            <p class="legend">
                { "Each mark is an attempt (red: 503, green: 200); before it, the outlined bar \
                   is the planned delay and the filled bar the sleep as it really lasted." }
            </p>
            <WhatToNotice {notes} />
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::widgets::notice::{WITHHELD, shown};

    fn attempt(n: u32, planned_ms: u64, late_us: u64, started_us: u64, status: u16) -> RetryAttempt {
        let planned = planned_ms * 1000;
        RetryAttempt {
            attempt: n,
            planned_delay_us: planned,
            slept_us: if n == 1 { 0 } else { planned + late_us },
            scheduled_us: started_us.saturating_sub(late_us),
            started_us,
            took_us: 300,
            status,
            error: None,
        }
    }

    fn policy(backoff: BackoffKind, delays: &[u64], late_us: u64, ok: bool) -> PolicyRun {
        let mut at = 0;
        let attempts: Vec<RetryAttempt> = (1..)
            .zip(std::iter::once(&0).chain(delays))
            .map(|(n, &d)| {
                at += d * 1000 + if n == 1 { 0 } else { late_us };
                let last = n as usize == delays.len() + 1;
                let a = attempt(n, d, late_us, at, if last && ok { 200 } else { 503 });
                at += 300;
                a
            })
            .collect();
        PolicyRun {
            backoff,
            server_requests: attempts.len() as u32,
            total_us: at,
            succeeded: ok,
            attempts,
            events_dropped: 0,
        }
    }

    fn result(linear: PolicyRun, exponential: PolicyRun) -> RetryBackoffResult {
        RetryBackoffResult {
            failures: 3,
            base_ms: 50,
            cap_ms: 400,
            max_attempts: 5,
            seed: 7,
            policies: vec![linear, exponential],
        }
    }

    fn text(r: &RetryBackoffResult) -> String {
        shown(&what_to_notice(r), false).join(" ")
    }

    fn quiet() -> RetryBackoffResult {
        result(
            policy(BackoffKind::Linear, &[50, 100, 150], 900, true),
            policy(BackoffKind::ExponentialJitter, &[31, 88, 163], 850, true),
        )
    }

    #[test]
    fn the_notice_quotes_each_policys_attempts_and_plans_as_the_page_shows_them() {
        let r = quiet();
        let notes = text(&r);
        for figure in [
            "With linear backoff: 4 attempt(s), answered 503, 503, 503, 200; it succeeded on attempt 4 in 303.9 ms.",
            "It planned 300.0 ms of sleep in all and slept 302.7 ms.",
            "Linear planned 50.0 ms, 100.0 ms, 150.0 ms: n × the 50 ms base",
            "Exponential planned 31.0 ms, 88.0 ms, 163.0 ms: each between half and all of min(400 ms, 50 ms × 2^(n-1)) = 50 ms, 100 ms, 200 ms, the part above half drawn from seed 7.",
            "the latest wake-up came 0.9 ms after its plan",
            "the policy's schedule decided when each attempt ran",
            "linear backoff took longer in all (303.9 ms against 285.8 ms, linear first) because its planned sleeps added up to more (300.0 ms against 282.0 ms)",
        ] {
            assert!(notes.contains(figure), "{figure:?} not in {notes}");
        }
        assert!(!notes.contains("disagree"), "{notes}");
        assert_eq!(r.policies[0].total_us, 303_900);
    }

    #[test]
    fn late_wake_ups_and_totals_against_their_plans_are_said_not_concluded() {
        let r = result(
            policy(BackoffKind::Linear, &[50, 100], 9_000, true),
            policy(BackoffKind::ExponentialJitter, &[49, 100], 100, true),
        );
        let notes = text(&r);
        assert!(notes.contains("A wake-up 9.0 ms late is more than a tenth of the shortest delay (49.0 ms)"), "{notes}");
        // Linear planned more and took longer, so the totals do follow the plans.
        assert!(notes.contains("linear backoff took longer"), "{notes}");
        let r = result(
            policy(BackoffKind::Linear, &[50, 100], 100, true),
            policy(BackoffKind::ExponentialJitter, &[49, 100], 5_000, true),
        );
        let notes = text(&r);
        assert!(notes.contains("do not follow the planned sleeps"), "{notes}");
        assert!(!notes.contains("took longer in all"), "{notes}");
    }

    #[test]
    fn giving_up_no_failures_and_a_short_sleep_are_said_as_they_are() {
        let r = result(
            policy(BackoffKind::Linear, &[50, 100], 900, false),
            policy(BackoffKind::ExponentialJitter, &[30, 70], 900, false),
        );
        assert!(text(&r).contains("it gave up after 3 attempt(s)"), "{}", text(&r));

        let mut none = result(
            policy(BackoffKind::Linear, &[], 0, true),
            policy(BackoffKind::ExponentialJitter, &[], 0, true),
        );
        none.failures = 0;
        let notes = what_to_notice(&none);
        let said = text(&none);
        assert!(said.contains("failed no request"), "{said}");
        assert!(said.contains("1 attempt(s), answered 200; it succeeded on attempt 1"), "{said}");
        assert!(!notes.iter().any(Note::is_conclusion), "{notes:?}");

        let mut early = quiet();
        early.policies[0].attempts[2].slept_us = 99_000;
        let said = text(&early);
        assert!(said.contains("lasted 99.0 ms, less than its planned 100.0 ms"), "{said}");
        assert!(!said.contains("schedule decided"), "{said}");
        assert!(what_to_notice(&RetryBackoffResult { policies: vec![], ..quiet() }).is_empty());
    }

    #[test]
    fn a_shared_machine_keeps_the_figures_and_withholds_the_readings() {
        let notes = what_to_notice(&quiet());
        let shared = shown(&notes, true);
        assert!(shared.iter().any(|s| s.starts_with("With linear backoff")));
        assert!(!shared.iter().any(|s| s.contains("schedule decided")));
        assert!(!shared.iter().any(|s| s.contains("took longer in all")));
        assert_eq!(shared.last().map(String::as_str), Some(WITHHELD));
    }
}
