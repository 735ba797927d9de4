//! Outline section 8 — rate limiting: `interval`'s missed-tick behaviours and a token
//! bucket.
//!
//! The server ran the same operations, every n-th longer than the period, paced four
//! ways: `interval` with `Burst`, `Delay` and `Skip`, and a token bucket. The page shows,
//! per limiter, the rate achieved against the target, the distribution of the gaps
//! between operations (in bins of the period), each operation's start against its tick
//! to scale, one timeline per recorded part, and a notice computed from those numbers:
//! the rates, gaps and what each schedule did are facts; which limiter kept the rate,
//! and what the bucket's bursts mean, are conclusions, left out on a shared machine.

use pollscope_shared::results::{Limiter, LimiterRun, RateLimitResult, ScenarioResult};
use pollscope_shared::scenario::id;
use yew::prelude::*;

use super::DemoPage;
use crate::state::RunState;
use crate::widgets::retries::dropped_events;
use crate::widgets::{part_timelines, DemoFrame, DemoProps, Note, WhatToNotice, format_ms, percent};

impl DemoPage for RateLimitPage {
    const ID: &'static str = id::RATE_LIMIT;
}

/// The gap bins' labels, in periods.
pub const BINS: [&str; 4] = ["under ½ period", "½ to 1½ periods", "1½ to 2½ periods", "2½ periods or more"];

/// How many gaps fall in each of [`BINS`], for a period of `period_us`.
pub fn bins(gaps: &[u64], period_us: u64) -> [u32; 4] {
    let mut counts = [0; 4];
    for &gap in gaps {
        // In half periods: 0 → under ½, 1–2 → ½ to 1½, 3–4 → 1½ to 2½, 5+ → more.
        let halves = gap * 2 / period_us.max(1);
        let bin = match halves {
            0 => 0,
            1 | 2 => 1,
            3 | 4 => 2,
            _ => 3,
        };
        counts[bin] += 1;
    }
    counts
}

/// "50.0/s": a rate as the page writes it.
pub fn format_rate(per_s: f64) -> String {
    format!("{per_s:.1}/s")
}

fn target_per_s(r: &RateLimitResult) -> f64 {
    1000.0 / f64::from(r.period_ms.max(1))
}

/// The sorted gaps' shortest, median and longest.
fn gap_figures(gaps: &[u64]) -> (u64, u64, u64) {
    let mut sorted = gaps.to_vec();
    sorted.sort_unstable();
    let median = sorted.get(sorted.len() / 2).copied().unwrap_or(0);
    (sorted.first().copied().unwrap_or(0), median, sorted.last().copied().unwrap_or(0))
}

/// The ticks' scheduled times, from the first tick (empty for the bucket).
fn grid(l: &LimiterRun) -> Vec<u64> {
    let Some(first) = l.ops.first().and_then(|o| o.scheduled_us) else {
        return Vec::new();
    };
    l.ops
        .iter()
        .filter_map(|o| o.scheduled_us)
        .map(|t| t.saturating_sub(first))
        .collect()
}

/// What the limiter's schedule did, from the ticks' scheduled times.
fn schedule_note(r: &RateLimitResult, l: &LimiterRun) -> String {
    let p = u64::from(r.period_ms) * 1000;
    let grid = grid(l);
    let steps = grid.len().saturating_sub(1) as u64;
    let last = grid.last().copied().unwrap_or(0);
    let disagree = "these numbers disagree with what its missed-tick behaviour does, so read \
                    nothing into this part.";
    match l.limiter {
        Limiter::IntervalBurst => {
            if grid.iter().zip(0..).all(|(&t, i)| t == i * p) {
                let behind = l
                    .ops
                    .iter()
                    .filter(|o| o.started_us.saturating_sub(o.scheduled_us.unwrap_or(0)) * 2 > p)
                    .count();
                format!(
                    "Burst kept every tick on the grid, tick i at i × {} ms; {behind} \
                     operation(s) started more than half a period behind their tick: the \
                     missed ticks, fired at once to catch up.",
                    r.period_ms
                )
            } else {
                format!("Burst's ticks left the grid of {} ms: {disagree}", r.period_ms)
            }
        }
        Limiter::IntervalDelay => format!(
            "Delay moved the grid: its last tick was scheduled {} after the first, {} more than \
             {steps} periods, each missed tick setting the next one a period after it was taken.",
            format_ms(last),
            format_ms(last.saturating_sub(steps * p))
        ),
        Limiter::IntervalSkip => {
            if grid.iter().all(|t| t % p == 0) {
                format!(
                    "Skip kept every tick on the grid's multiples of {} ms and dropped {} \
                     tick(s) it had missed.",
                    r.period_ms,
                    (last / p).saturating_sub(steps)
                )
            } else {
                format!("Skip's ticks left the grid of {} ms: {disagree}", r.period_ms)
            }
        }
        Limiter::TokenBucket => format!(
            "The bucket has no schedule: it started with {} token(s) and gained one a \
             period, keeping at most {}.",
            r.bucket, r.bucket
        ),
    }
}

/// What one limiter measured, as facts.
fn limiter_notes(r: &RateLimitResult, l: &LimiterRun) -> Vec<Note> {
    let gaps = l.gaps_us();
    let (low, median, high) = gap_figures(&gaps);
    let counts = bins(&gaps, u64::from(r.period_ms) * 1000);
    vec![
        Note::Fact(format!(
            "{}: {} operations in {}, {} against a target of {}. Gaps between starts: \
             shortest {}, median {}, longest {}; {} under half a period.",
            l.limiter.label(),
            l.ops.len(),
            format_ms(l.span_us()),
            format_rate(l.achieved_per_s()),
            format_rate(target_per_s(r)),
            format_ms(low),
            format_ms(median),
            format_ms(high),
            counts[0]
        )),
        Note::Fact(schedule_note(r, l)),
    ]
}

/// Which interval behaviour kept closest to the target rate.
fn rate_verdict(r: &RateLimitResult, burst: &LimiterRun, delay: &LimiterRun, skip: &LimiterRun) -> Note {
    let (b, d, s) = (burst.achieved_per_s(), delay.achieved_per_s(), skip.achieved_per_s());
    let rates = format!(
        "Burst {}, Delay {}, Skip {}, against {}",
        format_rate(b),
        format_rate(d),
        format_rate(s),
        format_rate(target_per_s(r))
    );
    Note::Conclusion(if b > d && b > s {
        format!(
            "Burst came closest to the target ({rates}): it made up the ticks it missed by \
             bunching them, where Delay and Skip let the missed time go."
        )
    } else {
        format!(
            "In this run Burst did not start more operations a second than both Delay and \
             Skip ({rates}), so the rates do not show what bunching the missed ticks buys."
        )
    })
}

/// What the bucket's short gaps mean.
fn bucket_verdict(r: &RateLimitResult, bucket: &LimiterRun) -> Note {
    let short = bins(&bucket.gaps_us(), u64::from(r.period_ms) * 1000)[0];
    Note::Conclusion(if short > 0 {
        format!(
            "The bucket spent the tokens it saved while slow operations ran: {short} \
             operation(s) started under half a period after the one before, bursts of up to \
             {} that keep the average rate but not the spacing.",
            r.bucket
        )
    } else {
        "No two operations went back to back through the bucket in this run: it never \
         had a token saved when one finished."
            .to_owned()
    })
}

/// What this run's numbers show, note by note; empty unless all four limiters ran.
pub fn what_to_notice(r: &RateLimitResult) -> Vec<Note> {
    let [burst, delay, skip, bucket] = &r.limiters[..] else {
        return Vec::new();
    };
    let mut notes: Vec<Note> = r.limiters.iter().flat_map(|l| limiter_notes(r, l)).collect();
    notes.push(rate_verdict(r, burst, delay, skip));
    notes.push(bucket_verdict(r, bucket));
    notes.extend(dropped_events(r.limiters.iter().map(|l| l.events_dropped).sum()));
    notes
}

#[component]
pub fn RateLimitPage(props: &DemoProps) -> Html {
    let result = match &props.run {
        RunState::Finished {
            result: ScenarioResult::RateLimit(r),
            ..
        } => html! { <RateLimitResultView result={r.clone()} /> },
        _ => html! {},
    };
    let explain = html! {
        <>
            <p>
                { "To do something at most once a period, wait for a tick: " }
                <code>{ "let mut ticks = tokio::time::interval(period);" }</code>
                { " and " }<code>{ "ticks.tick().await" }</code>
                { " before each operation. When an operation takes longer than the period, \
                   the next tick is already due when it ends, and " }
                <code>{ "MissedTickBehavior" }</code>{ " says what the ticks after that are \
                   scheduled for: " }<b>{ "Burst" }</b>{ " (the default) keeps the grid and \
                   fires the missed ticks at once, to catch up; " }<b>{ "Delay" }</b>
                { " schedules the next tick a period after the late one, moving the grid; " }
                <b>{ "Skip" }</b>{ " drops the missed ticks and waits for the grid's next one." }
            </p>
            <p>
                { "A " }<b>{ "token bucket" }</b>{ " is the other common shape: a token each \
                   period, at most B saved, one spent per operation. After a pause it lets up \
                   to B operations through back to back." }
            </p>
            <p>
                { "Here the same operations run under each: most are short, every n-th is \
                   longer than the period. An operation is a timer wait of its length, \
                   standing in for a request. Each start is timed, and with an interval the \
                   tick's scheduled time (what " }<code>{ "tick()" }</code>
                { " returns) is kept too: a tick never fires before it." }
            </p>
        </>
    };
    html! {
        <DemoFrame demo={props.clone()} explain={explain}>
            { result }
            { part_timelines(id::RATE_LIMIT, &[
                "Part 0: interval, Burst",
                "Part 1: interval, Delay",
                "Part 2: interval, Skip",
                "Part 3: token bucket",
            ], &props.run) }
        </DemoFrame>
    }
}

#[derive(Properties, PartialEq)]
pub struct RateLimitResultProps {
    pub result: RateLimitResult,
}

/// Each operation's start on the page's shared axis (red: a slow one), and its tick's
/// scheduled time as a thin mark above it.
fn track(l: &LimiterRun, scale: u64) -> Html {
    let marks = l.ops.iter().map(|o| {
        let color = if o.slow { "var(--bad)" } else { "var(--accent)" };
        html! {
            <>
                if let Some(t) = o.scheduled_us {
                    <div class="tick-mark" style={format!(
                        "position: absolute; top: 0; height: 0.4rem; left: {:.3}%; width: 1px; background: var(--muted)",
                        percent(t, scale))} />
                }
                <div class="op-mark" style={format!(
                    "position: absolute; top: 0.5rem; height: 0.9rem; left: {:.3}%; width: {:.3}%; min-width: 2px; background: {color}",
                    percent(o.started_us, scale), percent(o.took_us, scale))} />
            </>
        }
    });
    html! {
        <div class="track" style="position: relative; height: 1.5rem; background: var(--head-bg)">
            { for marks }
        </div>
    }
}

fn limiter_view(r: &RateLimitResult, i: usize, l: &LimiterRun, scale: u64) -> Html {
    let gaps = l.gaps_us();
    let counts = bins(&gaps, u64::from(r.period_ms) * 1000);
    let most = counts.iter().copied().max().unwrap_or(0).max(1);
    let gap_list: Vec<String> = gaps.iter().map(u64::to_string).collect();
    let rows = BINS.iter().zip(counts).enumerate().map(|(b, (label, n))| {
        html! {
            <tr class="gap-bin" data-bin={b.to_string()} data-count={n.to_string()}>
                <th scope="row">{ *label }</th>
                <td>
                    <div class="ping-bar" style={format!("width: {:.1}%", percent(n.into(), most.into()))}>
                        { n }
                    </div>
                </td>
            </tr>
        }
    });
    html! {
        <div class="strategy limiter-run" data-part={i.to_string()} data-limiter={l.limiter.id()}
            data-span-us={l.span_us().to_string()} data-ops={l.ops.len().to_string()}
            data-gaps={gap_list.join(",")}>
            <div class="strategy-label">
                { format!("Part {i}: {}: {} against {}", l.limiter.label(),
                    format_rate(l.achieved_per_s()), format_rate(target_per_s(r))) }
            </div>
            { track(l, scale) }
            <table class="gap-table">
                <caption>{ "gaps between operations' starts" }</caption>
                <tbody>{ for rows }</tbody>
            </table>
        </div>
    }
}

#[component]
pub fn RateLimitResultView(props: &RateLimitResultProps) -> Html {
    let r = &props.result;
    let scale = r
        .limiters
        .iter()
        .flat_map(|l| l.ops.last())
        .map(|o| o.started_us + o.took_us)
        .max()
        .unwrap_or(0)
        .max(1);
    let limiters = r
        .limiters
        .iter()
        .enumerate()
        .map(|(i, l)| limiter_view(r, i, l, scale));
    let notes = what_to_notice(r);
    html! {
        <section id="rate-limit-result" class="result" data-period-ms={r.period_ms.to_string()}
            data-ops={r.ops.to_string()} data-slow-every={r.slow_every.to_string()}
            data-slow-ms={r.slow_ms.to_string()} data-bucket={r.bucket.to_string()}>
            { for limiters }
            <div class="axis">
                <span>{ "0 ms" }</span>
                <span>{ format_ms(scale) }</span>
            </div>
            <p class="legend">
                { "Each bar is an operation, from its start, for as long as it took (red: a \
                   slow one); a thin mark above is the time its tick was scheduled for." }
            </p>
            <WhatToNotice {notes} />
        </section>
    }
}

#[cfg(test)]
mod tests {
    use pollscope_shared::results::RateOp;

    use super::*;
    use crate::widgets::notice::{WITHHELD, shown};

    /// Operations starting at `starts` (ms), each on the tick `ticks` gives (ms).
    fn run(limiter: Limiter, starts: &[u64], ticks: Option<&[u64]>) -> LimiterRun {
        LimiterRun {
            limiter,
            ops: starts
                .iter()
                .enumerate()
                .map(|(i, &s)| RateOp {
                    scheduled_us: ticks.map(|t| t[i] * 1000),
                    started_us: s * 1000,
                    took_us: 2000,
                    slow: i == 1,
                })
                .collect(),
            events_dropped: 0,
        }
    }

    fn result(limiters: Vec<LimiterRun>) -> RateLimitResult {
        RateLimitResult {
            period_ms: 20,
            ops: 4,
            slow_every: 2,
            slow_ms: 50,
            fast_ms: 2,
            bucket: 3,
            limiters,
        }
    }

    /// Op 1 is slow (50 ms): Burst fires tick 2 late and tick 3 at once; Delay moves the
    /// grid; Skip drops tick 3's slot; the bucket has tokens saved.
    fn quiet() -> RateLimitResult {
        result(vec![
            run(Limiter::IntervalBurst, &[0, 20, 71, 73], Some(&[0, 20, 40, 60])),
            run(Limiter::IntervalDelay, &[0, 20, 71, 91], Some(&[0, 20, 40, 91])),
            run(Limiter::IntervalSkip, &[0, 20, 71, 80], Some(&[0, 20, 40, 80])),
            run(Limiter::TokenBucket, &[0, 2, 52, 54], None),
        ])
    }

    fn text(r: &RateLimitResult) -> String {
        shown(&what_to_notice(r), false).join(" ")
    }

    #[test]
    fn gaps_fall_in_bins_of_the_period() {
        assert_eq!(bins(&[0, 9_999, 10_000, 29_999, 30_000, 49_999, 50_000], 20_000), [2, 2, 2, 1]);
        assert_eq!(bins(&[], 20_000), [0; 4]);
    }

    #[test]
    fn the_notice_quotes_each_limiters_rate_gaps_and_schedule() {
        let notes = text(&quiet());
        for figure in [
            // 3 starts over 73 ms: 41.1/s.
            "interval, Burst: 4 operations in 73.0 ms, 41.1/s against a target of 50.0/s. Gaps between starts: shortest 2.0 ms, median 20.0 ms, longest 51.0 ms; 1 under half a period.",
            "Burst kept every tick on the grid, tick i at i × 20 ms; 2 operation(s) started more than half a period behind their tick",
            "its last tick was scheduled 91.0 ms after the first, 31.0 ms more than 3 periods",
            "Skip kept every tick on the grid's multiples of 20 ms and dropped 1 tick(s)",
            "it started with 3 token(s) and gained one a period, keeping at most 3",
            "Burst came closest to the target (Burst 41.1/s, Delay 33.0/s, Skip 37.5/s, against 50.0/s)",
            "2 operation(s) started under half a period after the one before, bursts of up to 3",
        ] {
            assert!(notes.contains(figure), "{figure:?} not in {notes}");
        }
        assert!(!notes.contains("disagree"), "{notes}");
    }

    #[test]
    fn a_run_that_does_not_support_the_readings_says_so() {
        let mut r = quiet();
        r.limiters[0] = run(Limiter::IntervalBurst, &[0, 20, 71, 100], Some(&[0, 20, 40, 61]));
        r.limiters[3] = run(Limiter::TokenBucket, &[0, 20, 71, 91], None);
        let notes = text(&r);
        assert!(notes.contains("Burst's ticks left the grid of 20 ms: these numbers disagree"), "{notes}");
        assert!(notes.contains("did not start more operations a second than both"), "{notes}");
        assert!(notes.contains("No two operations went back to back"), "{notes}");
        assert!(what_to_notice(&result(vec![])).is_empty());
    }

    #[test]
    fn a_shared_machine_keeps_the_figures_and_withholds_the_readings() {
        let shared = shown(&what_to_notice(&quiet()), true);
        assert_eq!(shared.len(), 9, "{shared:?}");
        assert!(!shared.iter().any(|s| s.contains("came closest")));
        assert_eq!(shared.last().map(String::as_str), Some(WITHHELD));
    }
}
