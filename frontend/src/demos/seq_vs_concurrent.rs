//! Outline section 1 — async/await: sequential vs concurrent.
//!
//! The page explains the idea, shows the backend code that ran (as the server's
//! descriptor carries it), lets the learner set both servers' delays, and
//! draws the measured result as one timeline per strategy.

use pollscope_shared::results::{
    FetchTiming, ScenarioResult, SeqVsConcurrentResult, StrategyTiming,
};
use pollscope_shared::scenario::id;
use yew::prelude::*;

use super::DemoPage;
use crate::state::RunState;
use crate::timeline::{PartRef, Timeline};
use crate::widgets::{DemoFrame, DemoProps, Note, WhatToNotice, format_ms, percent};

impl DemoPage for SeqVsConcurrentPage {
    const ID: &'static str = id::SEQ_VS_CONCURRENT;
}

#[component]
pub fn SeqVsConcurrentPage(props: &DemoProps) -> Html {
    let result = match &props.run {
        RunState::Finished {
            result: ScenarioResult::SeqVsConcurrent(r),
            ..
        } => html! { <SeqVsConcurrentResultView result={r.clone()} /> },
        _ => html! {},
    };
    let explain = html! {
        <>
            <p>
                { "A future is a value that does nothing until it is polled. Writing " }
                <code>{ "a.await" }</code>{ " then " }<code>{ "b.await" }</code>
                { " means the second request is not even sent before the first response \
                   has arrived, so the total time is about the " }
                <em>{ "sum" }</em>{ " of the two delays." }
            </p>
            <p>
                <code>{ "tokio::join!(a, b)" }</code>
                { " polls both futures from the same task: both requests are in flight \
                   at once and their waiting overlaps, so the total is about the " }
                <em>{ "larger" }</em>{ " delay." }
            </p>
            <p>
                { "No thread is started for this: one task interleaves two waits. That is \
                   concurrency (overlapping waiting), not parallelism (computing on \
                   several cores at once)." }
            </p>
        </>
    };
    html! {
        <DemoFrame demo={props.clone()} explain={explain}>
            { result }
            if !matches!(props.run, RunState::Idle) {
                <Timeline recording_part={PartRef::new(id::SEQ_VS_CONCURRENT, 0)}
                    title={"The client task, recorded: each fetch is an await point"} />
            }
        </DemoFrame>
    }
}

#[derive(Properties, PartialEq)]
pub struct ResultProps {
    pub result: SeqVsConcurrentResult,
}

/// Both strategies on one time scale: the longer total spans the full width. Each
/// strategy gets a bar for its total and, below it, one lane per fetch positioned by when
/// it started and how long it took — end to end when sequential, overlapping when
/// concurrent.
#[component]
pub fn SeqVsConcurrentResultView(props: &ResultProps) -> Html {
    let r = &props.result;
    let scale = r.sequential.total_us.max(r.concurrent.total_us);
    let sum_ms: u64 = r.sequential.fetches.iter().map(|f| f.delay_ms).sum();
    let max_ms: u64 = r
        .concurrent
        .fetches
        .iter()
        .map(|f| f.delay_ms)
        .max()
        .unwrap_or(0);
    let sequential_label = format!(
        "Sequential: {} (≈ sum of delays: {sum_ms} ms)",
        format_ms(r.sequential.total_us)
    );
    let concurrent_label = format!(
        "Concurrent: {} (≈ max: {max_ms} ms)",
        format_ms(r.concurrent.total_us)
    );
    html! {
        <section id="result" class="result"
            data-sequential-us={r.sequential.total_us.to_string()}
            data-concurrent-us={r.concurrent.total_us.to_string()}>
            { strategy_row("sequential", sequential_label, &r.sequential, scale) }
            { strategy_row("concurrent", concurrent_label, &r.concurrent, scale) }
            <div class="axis">
                <span>{ "0 ms" }</span>
                <span>{ format_ms(scale) }</span>
            </div>
            <p class="speedup">{ speedup_text(r) }</p>
            <WhatToNotice notes={what_to_notice(r)} />
        </section>
    }
}

fn strategy_row(
    strategy: &'static str,
    label: String,
    timing: &StrategyTiming,
    scale: u64,
) -> Html {
    let lanes = timing
        .fetches
        .iter()
        .map(|f| fetch_lane(strategy, f, scale));
    html! {
        <div class={classes!("strategy", strategy)} data-strategy={strategy}>
            <div class="strategy-label">{ label }</div>
            <div class="track">
                <div class="strategy-bar" data-strategy={strategy}
                    data-total-us={timing.total_us.to_string()}
                    style={format!("width: {:.3}%", percent(timing.total_us, scale))}></div>
                { for lanes }
            </div>
        </div>
    }
}

fn fetch_lane(strategy: &'static str, f: &FetchTiming, scale: u64) -> Html {
    let style = format!(
        "margin-left: {:.3}%; width: {:.3}%",
        percent(f.started_at_us, scale),
        percent(f.elapsed_us, scale)
    );
    let title = format!(
        "server {}: started at +{}, took {} (server delay {} ms, {} bytes)",
        f.server,
        format_ms(f.started_at_us),
        format_ms(f.elapsed_us),
        f.delay_ms,
        f.bytes
    );
    html! {
        <div class="lane">
            <div class="fetch-bar" data-strategy={strategy} data-server={f.server.clone()}
                data-started-at-us={f.started_at_us.to_string()}
                data-elapsed-us={f.elapsed_us.to_string()} data-delay-ms={f.delay_ms.to_string()}
                style={style} title={title}>
                <span class="fetch-label">{ format!("{} · {}", f.server, format_ms(f.elapsed_us)) }</span>
            </div>
        </div>
    }
}

/// How many times longer sequential took than concurrent, from the two measured totals.
pub fn speedup_text(r: &SeqVsConcurrentResult) -> String {
    if r.concurrent.total_us == 0 {
        return String::new();
    }
    let ratio = r.sequential.total_us as f64 / r.concurrent.total_us as f64;
    format!("Sequential took {ratio:.2}× as long as concurrent in this run.")
}

/// `later - earlier` as the page says it: "3.0 ms after" or "3.0 ms before" — never a
/// negative difference floored to 0.
fn offset(later: u64, earlier: u64) -> String {
    if later >= earlier {
        format!("{} after", format_ms(later - earlier))
    } else {
        format!("{} before", format_ms(earlier - later))
    }
}

/// Within this fraction of a fetch's server delay, one fetch starting after another
/// ended is "just after" it: the delay is the run's own scale for what counts as soon.
const JUST_AFTER_FRACTION: u64 = 10;

/// What this run's fetch timings show: when the second fetch started in each strategy
/// (facts), and what those start times imply (conclusions, each only in the branch the
/// measured times support, with margins taken from the servers' delays).
pub fn what_to_notice(r: &SeqVsConcurrentResult) -> Vec<Note> {
    let ([sa, sb], [ca, cb]) = (&r.sequential.fetches[..], &r.concurrent.fetches[..]) else {
        return Vec::new();
    };
    let mut notes = sequential_notes(sa, sb);
    notes.extend(concurrent_notes(r.concurrent.total_us, ca, cb));
    notes
}

/// Sequential: fetch b should start once fetch a has ended, and only just after.
fn sequential_notes(a: &FetchTiming, b: &FetchTiming) -> Vec<Note> {
    let a_end = a.started_at_us + a.elapsed_us;
    let mut notes = vec![Note::Fact(format!(
        "Sequentially, fetch {} started {} fetch {}, which took {}: {} it finished.",
        b.server,
        offset(b.started_at_us, a.started_at_us),
        a.server,
        format_ms(a.elapsed_us),
        offset(b.started_at_us, a_end),
    ))];
    let soon_us = a.delay_ms * 1000 / JUST_AFTER_FRACTION;
    if b.started_at_us < a_end {
        notes.push(Note::Fact(format!(
            "So the recorded times overlap, which awaiting one fetch after the other \
             cannot do: fetch {} was recorded as starting before fetch {} had ended.",
            b.server, a.server
        )));
    } else if b.started_at_us - a_end <= soon_us {
        notes.push(Note::Conclusion(format!(
            "That is just after it finished (within a tenth of server {}'s {} ms delay): \
             fetch {}'s request was not sent until fetch {}'s response had arrived.",
            a.server, a.delay_ms, b.server, a.server
        )));
    } else {
        notes.push(Note::Conclusion(format!(
            "Fetch {}'s request was not sent before fetch {}'s response had arrived, but \
             not just after it either: more than a tenth of server {}'s {} ms delay \
             passed in between the two .awaits.",
            b.server, a.server, a.server, a.delay_ms
        )));
    }
    notes
}

/// Concurrent: fetch b should start before server a's delay is over, so the servers'
/// waits overlap, and the total should be about the slower delay.
fn concurrent_notes(total_us: u64, a: &FetchTiming, b: &FetchTiming) -> Vec<Note> {
    let (slow, fast) = if a.delay_ms >= b.delay_ms {
        (a, b)
    } else {
        (b, a)
    };
    let slowest_us = slow.delay_ms * 1000;
    let total = if total_us >= slowest_us {
        format!("{} more than", format_ms(total_us - slowest_us))
    } else {
        format!("{} less than", format_ms(slowest_us - total_us))
    };
    let mut notes = vec![Note::Fact(format!(
        "With join!, fetch {} started {} fetch {}, and the total was {total} the slower \
         server's {} ms delay.",
        b.server,
        offset(b.started_at_us, a.started_at_us),
        a.server,
        slow.delay_ms,
    ))];
    // Each server waits its delay from when its fetch started: the two waits overlap if
    // each fetch started before the other server's delay was over.
    let overlapped = b.started_at_us < a.started_at_us + a.delay_ms * 1000
        && a.started_at_us < b.started_at_us + b.delay_ms * 1000;
    if overlapped {
        notes.push(Note::Conclusion(format!(
            "Fetch {} started before server {}'s {} ms delay was over, so both servers \
             waited at the same time.",
            b.server, a.server, a.delay_ms
        )));
        if total_us < slowest_us + fast.delay_ms * 1000 / 2 {
            notes.push(Note::Conclusion(format!(
                "The total was under the slower delay plus half of the faster server's \
                 {} ms: the faster wait was hidden inside the slower one.",
                fast.delay_ms
            )));
        } else {
            notes.push(Note::Conclusion(format!(
                "Even so, the total was more than the slower delay plus half of the faster \
                 server's {} ms: in this run the overlap did not hide the faster wait.",
                fast.delay_ms
            )));
        }
    } else {
        notes.push(Note::Conclusion(format!(
            "Fetch {} started only after server {}'s {} ms delay was over, so in this run \
             the two servers did not wait at the same time.",
            b.server, a.server, a.delay_ms
        )));
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::widgets::notice::shown;

    fn fetch(server: &str, delay_ms: u64, started_at_us: u64, elapsed_us: u64) -> FetchTiming {
        FetchTiming {
            server: server.into(),
            delay_ms,
            started_at_us,
            elapsed_us,
            bytes: 80,
        }
    }

    /// A quiet run with a = 300 ms, b = 500 ms; tests move one start time or total.
    fn run() -> SeqVsConcurrentResult {
        SeqVsConcurrentResult {
            sequential: StrategyTiming {
                total_us: 802_000,
                fetches: vec![
                    fetch("a", 300, 0, 301_000),
                    fetch("b", 500, 301_200, 500_800),
                ],
            },
            concurrent: StrategyTiming {
                total_us: 501_500,
                fetches: vec![fetch("a", 300, 0, 300_900), fetch("b", 500, 40, 501_400)],
            },
        }
    }

    /// The notice as a quiet machine's page prints it.
    fn text(r: &SeqVsConcurrentResult) -> String {
        shown(&what_to_notice(r), false).join(" ")
    }

    #[test]
    fn a_quiet_run_reads_the_start_times_and_draws_what_they_support() {
        let notice = text(&run());
        for expected in [
            "Sequentially, fetch b started 301.2 ms after fetch a, which took 301.0 ms: \
             0.2 ms after it finished.",
            "That is just after it finished (within a tenth of server a's 300 ms delay)",
            "With join!, fetch b started 0.0 ms after fetch a, and the total was 1.5 ms more \
             than the slower server's 500 ms delay.",
            "so both servers waited at the same time",
            "the faster wait was hidden inside the slower one",
        ] {
            assert!(notice.contains(expected), "{expected:?} not in {notice}");
        }
        for absent in ["not just after", "did not wait at the same time", "did not hide"] {
            assert!(!notice.contains(absent), "{absent:?} in {notice}");
        }
        assert!(what_to_notice(&SeqVsConcurrentResult {
            sequential: StrategyTiming {
                total_us: 1,
                fetches: vec![]
            },
            concurrent: StrategyTiming {
                total_us: 1,
                fetches: vec![]
            },
        })
        .is_empty());
    }

    #[test]
    fn a_late_second_fetch_is_not_called_just_after() {
        let mut r = run();
        // 40 ms after a ended: more than a tenth of a's 300 ms.
        r.sequential.fetches[1].started_at_us = 341_000;
        let notice = text(&r);
        assert!(notice.contains("40.0 ms after it finished"), "{notice}");
        assert!(notice.contains("but not just after it either"), "{notice}");
        assert!(!notice.contains("That is just after"), "{notice}");
    }

    #[test]
    fn recorded_times_that_overlap_in_sequence_are_said_not_hidden() {
        let mut r = run();
        r.sequential.fetches[1].started_at_us = 300_000;
        let notice = text(&r);
        assert!(notice.contains("1.0 ms before it finished"), "{notice}");
        assert!(notice.contains("So the recorded times overlap"), "{notice}");
        assert!(!notice.contains("just after"), "{notice}");
    }

    #[test]
    fn a_concurrent_fetch_started_after_the_other_delay_is_not_called_overlapping() {
        let mut r = run();
        r.concurrent.fetches[1].started_at_us = 310_000;
        r.concurrent.total_us = 811_000;
        let notice = text(&r);
        assert!(notice.contains("fetch b started 310.0 ms after fetch a"), "{notice}");
        assert!(notice.contains("did not wait at the same time"), "{notice}");
        assert!(!notice.contains("both servers waited"), "{notice}");
        // b before a is said as "before", not floored to 0.
        let mut r = run();
        r.concurrent.fetches[0].started_at_us = 2_000;
        r.concurrent.fetches[1].started_at_us = 0;
        let notice = text(&r);
        assert!(notice.contains("fetch b started 2.0 ms before fetch a"), "{notice}");
        assert!(notice.contains("both servers waited at the same time"), "{notice}");
    }

    #[test]
    fn a_total_under_the_slower_delay_is_said_as_less_and_a_long_one_as_not_hidden() {
        let mut r = run();
        r.concurrent.total_us = 499_200;
        let notice = text(&r);
        assert!(
            notice.contains("the total was 0.8 ms less than the slower server's 500 ms"),
            "{notice}"
        );
        assert!(!notice.contains("0.0 ms more"), "{notice}");
        let mut r = run();
        // 500 ms + more than half of a's 300 ms.
        r.concurrent.total_us = 660_000;
        let notice = text(&r);
        assert!(notice.contains("160.0 ms more than"), "{notice}");
        assert!(notice.contains("the overlap did not hide the faster wait"), "{notice}");
        assert!(!notice.contains("was hidden"), "{notice}");
    }

    #[test]
    fn a_shared_machine_keeps_the_start_times_and_withholds_what_they_imply() {
        let notes = what_to_notice(&run());
        let shared = shown(&notes, true);
        assert_eq!(shared.len(), 3, "{shared:?}");
        assert!(shared[0].starts_with("Sequentially, fetch b started 301.2 ms after"));
        assert!(shared[1].starts_with("With join!, fetch b started 0.0 ms after"));
        assert_eq!(shared[2], crate::widgets::notice::WITHHELD);
        let joined = shared.join(" ");
        assert!(!joined.contains("just after") && !joined.contains("same time"));
    }

    #[test]
    fn speedup_from_totals() {
        let timing = |total_us| StrategyTiming {
            total_us,
            fetches: vec![],
        };
        let r = SeqVsConcurrentResult {
            sequential: timing(800_000),
            concurrent: timing(500_000),
        };
        assert_eq!(
            speedup_text(&r),
            "Sequential took 1.60× as long as concurrent in this run."
        );
        let r = SeqVsConcurrentResult {
            sequential: timing(1),
            concurrent: timing(0),
        };
        assert_eq!(speedup_text(&r), "");
    }
}
