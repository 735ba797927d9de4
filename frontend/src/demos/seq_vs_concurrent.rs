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
use crate::widgets::{DemoFrame, DemoProps, format_ms, percent};

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
            if let Some(notice) = what_to_notice(r) {
                <p id="what-to-notice" class="notice">{ notice }</p>
            }
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
                data-elapsed-us={f.elapsed_us.to_string()} style={style} title={title}>
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

/// What this run's fetch timings show: when the second fetch started in each strategy.
pub fn what_to_notice(r: &SeqVsConcurrentResult) -> Option<String> {
    let ([sa, sb], [ca, cb]) = (&r.sequential.fetches[..], &r.concurrent.fetches[..]) else {
        return None;
    };
    let slowest = r.concurrent.fetches.iter().map(|f| f.delay_ms).max()?;
    Some(format!(
        "Sequentially, fetch {} started {} after fetch {} — just after it finished ({} in): \
         its request was not sent until then. With join!, fetch {} started {} after fetch {}, \
         so both servers waited at the same time, and the total was {} more than the slower \
         server's {slowest} ms delay.",
        sb.server,
        format_ms(sb.started_at_us.saturating_sub(sa.started_at_us)),
        sa.server,
        format_ms(sa.elapsed_us),
        cb.server,
        format_ms(cb.started_at_us.saturating_sub(ca.started_at_us)),
        ca.server,
        format_ms(r.concurrent.total_us.saturating_sub(slowest * 1000)),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_notice_reads_the_start_times_of_the_second_fetch() {
        let fetch = |server: &str, delay_ms, started_at_us, elapsed_us| FetchTiming {
            server: server.into(),
            delay_ms,
            started_at_us,
            elapsed_us,
            bytes: 80,
        };
        let r = SeqVsConcurrentResult {
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
        };
        let notice = what_to_notice(&r).unwrap();
        assert!(
            notice.contains("fetch b started 301.2 ms after fetch a"),
            "{notice}"
        );
        assert!(
            notice.contains("fetch b started 0.0 ms after fetch a") || notice.contains("0.04 ms"),
            "{notice}"
        );
        assert!(
            notice.contains("1.5 ms more than the slower server's 500 ms"),
            "{notice}"
        );
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
