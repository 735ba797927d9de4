//! Outline section 8 — patterns: connection pooling.
//!
//! The server sent N requests at once to a loopback server three ways: through a
//! `Mutex<Vec>` pool of K connections, through the same pool behind a `Semaphore` of K
//! permits, and with a new connection per request. The page shows, per strategy, the
//! server's own connection counts and the requests' waits and times, one timeline per
//! strategy, and a notice computed from those numbers.

use pollscope_shared::results::{PoolRun, PoolStrategy, PoolingResult, ScenarioResult};
use pollscope_shared::scenario::id;
use yew::prelude::*;

use super::DemoPage;
use crate::state::RunState;
use crate::widgets::{
    DemoFrame, DemoProps, Figure, LatencyPlots, Note, WhatToNotice, figure_rows, format_ms,
    part_timelines, scaled_bars,
};

impl DemoPage for PoolingPage {
    const ID: &'static str = id::POOLING;
}

/// "12.1 ms / 12.2 ms": a strategy's request p50 and p99, as the table and the notice
/// write them.
fn request_times(run: &PoolRun) -> String {
    format!(
        "{} / {}",
        format_ms(run.request_p50_us),
        format_ms(run.request_p99_us)
    )
}

/// What this run's numbers show, sentence by sentence; empty unless all three strategies
/// ran. Connection counts are the server's, exact however busy the machine was, so what
/// they show is a fact; the cost of the bound is read from timings, so it is a
/// conclusion, drawn only when the p99s differ by at least one server latency.
pub fn what_to_notice(result: &PoolingResult) -> Vec<Note> {
    let [mutex, bounded, per_request] = &result.strategies[..] else {
        return Vec::new();
    };
    let (n, k) = (result.requests, result.pool_size);
    let overflow = mutex.connections_opened.saturating_sub(k);
    let kept = if mutex.most_open > k {
        format!(
            ", more than the pool's {k}: the Vec bounds the connections it keeps, not the \
             ones in use"
        )
    } else {
        format!(", no more than the pool's {k}")
    };
    let mut notes = vec![Note::Fact(format!(
        "The Mutex<Vec> pool started with {k} connections; {overflow} of the {n} requests \
         found it empty and opened one of their own. The server accepted {} connections and \
         had {} open at once{kept}. Requests waited at most {} for a connection and took {} \
         (p50 / p99).",
        mutex.connections_opened,
        mutex.most_open,
        format_ms(mutex.wait_max_us),
        request_times(mutex),
    ))];
    let bound = if bounded.most_open <= k {
        format!("never more than its {k} permits")
    } else {
        format!("more than its {k} permits")
    };
    notes.push(Note::Fact(format!(
        "Behind a Semaphore of {k} permits the server accepted {} connections and had {} \
         open at once, {bound}. Requests waited up to {} for a permit (p50 {}) and took {} \
         (p50 / p99).",
        bounded.connections_opened,
        bounded.most_open,
        format_ms(bounded.wait_max_us),
        format_ms(bounded.wait_p50_us),
        request_times(bounded),
    )));
    notes.push(Note::Fact(format!(
        "A connection per request: the server accepted {} connections and had {} open at \
         once. Connecting took up to {}; requests took {} (p50 / p99).",
        per_request.connections_opened,
        per_request.most_open,
        format_ms(per_request.wait_max_us),
        request_times(per_request),
    )));
    notes.push(Note::Conclusion(bound_verdict(result, mutex, bounded)));
    notes
}

/// What the bound cost in time: with more requests than permits, requests queue behind
/// the ones ahead of them on the same connection, each holding it for a server latency.
/// Claimed only when the bounded p99 is at least one latency longer than the unbounded.
fn bound_verdict(result: &PoolingResult, mutex: &PoolRun, bounded: &PoolRun) -> String {
    let (n, k, latency_ms) = (
        result.requests,
        result.pool_size,
        result.server_latency_ms,
    );
    let figures = format!(
        "{} against {} in the Mutex<Vec> pool",
        format_ms(bounded.request_p99_us),
        format_ms(mutex.request_p99_us)
    );
    let latency_us = u64::from(latency_ms) * 1000;
    if n <= k {
        return format!(
            "With {n} request(s) for {k} permits no request queued for one, so the bound \
             cost nothing it could show: the p99 request took {figures}."
        );
    }
    if bounded.request_p99_us >= mutex.request_p99_us + latency_us {
        format!(
            "The bound cost time: {n} requests for {k} connections queued for permits, up to \
             {} server latencies of {latency_ms} ms one after another on one connection, so \
             the p99 request took {figures}.",
            n.div_ceil(k)
        )
    } else {
        format!(
            "The p99 requests differ by less than one server latency of {latency_ms} ms \
             ({figures}), which supports no conclusion about what the bound cost. Run it \
             again."
        )
    }
}

fn strategy_title(run: &PoolRun, k: u32) -> String {
    match run.strategy {
        PoolStrategy::MutexPool => format!("Mutex<Vec<Connection>> pool of {k}"),
        PoolStrategy::SemaphorePool => format!("the pool behind Semaphore::new({k})"),
        PoolStrategy::ConnectPerRequest => "a new connection per request".to_owned(),
    }
}

#[component]
pub fn PoolingPage(props: &DemoProps) -> Html {
    let result = match &props.run {
        RunState::Finished {
            result: ScenarioResult::Pooling(r),
            ..
        } => html! { <PoolingResultView result={r.clone()} /> },
        _ => html! {},
    };
    let explain = html! {
        <>
            <p>
                { "Opening a connection costs a round trip (more with TLS), and a server can \
                   only hold so many. A pool keeps a few open and lends them out. The simplest \
                   one is a " }<code>{ "Mutex<Vec<Connection>>" }</code>
                { ": pop one, use it, push it back. When the Vec is empty it must either wait \
                   (a Mutex cannot wake anyone) or open another, and this one opens another: \
                   it bounds the connections it keeps, not the ones in use." }
            </p>
            <p>
                { "A " }<code>{ "Semaphore" }</code>
                { " of K permits bounds the ones in use: a request holds a permit for as long \
                   as it holds a connection, and the K+1st waits, woken when a permit comes \
                   back. Here N requests start at once against a loopback server that answers \
                   each after a fixed latency, through both pools and with a new connection \
                   each; the server counts its accepts and how many are open at once." }
            </p>
        </>
    };
    html! {
        <DemoFrame demo={props.clone()} explain={explain}>
            { result }
            { part_timelines(id::POOLING, &[
                "Part 0: Mutex<Vec> pool",
                "Part 1: Semaphore-bounded pool",
                "Part 2: a connection per request",
            ], &props.run) }
        </DemoFrame>
    }
}

#[derive(Properties, PartialEq)]
pub struct PoolingResultProps {
    pub result: PoolingResult,
}

#[component]
pub fn PoolingResultView(props: &PoolingResultProps) -> Html {
    let result = &props.result;
    let headers = result.strategies.iter().enumerate().map(|(i, s)| {
        html! {
            <th scope="col" class="pool-run" key={i} data-part={i.to_string()}
                data-strategy={serde_json::to_value(s.strategy).ok().and_then(|v| v.as_str().map(str::to_owned))}
                data-opened={s.connections_opened.to_string()}
                data-most-open={s.most_open.to_string()}
                data-answered={s.requests_answered.to_string()}
                data-wait-p50-us={s.wait_p50_us.to_string()}
                data-wait-max-us={s.wait_max_us.to_string()}
                data-request-p50-us={s.request_p50_us.to_string()}
                data-request-p99-us={s.request_p99_us.to_string()}>
                { format!("Part {i}: {}", strategy_title(s, result.pool_size)) }
            </th>
        }
    });
    // One row per figure, one column per strategy.
    let rows: [Figure<PoolRun>; 8] = [
        ("connections opened (server's accepts)", |s| {
            s.connections_opened.to_string()
        }),
        ("most open at once (at the server)", |s| s.most_open.to_string()),
        ("requests answered", |s| s.requests_answered.to_string()),
        ("wait for a connection: p50 / max", |s| {
            format!("{} / {}", format_ms(s.wait_p50_us), format_ms(s.wait_max_us))
        }),
        ("wait for a connection, all requests", |s| {
            format_ms(s.wait_total_us)
        }),
        ("request time: p50 / p99", request_times),
        ("wall time", |s| format_ms(s.wall_us)),
        ("events dropped", |s| s.events_dropped.to_string()),
    ];
    let notes = what_to_notice(result);
    html! {
        <section id="pooling-result" class="result" data-requests={result.requests.to_string()}
            data-pool-size={result.pool_size.to_string()}
            data-latency-ms={result.server_latency_ms.to_string()}>
            <table class="mode-table">
                <thead><tr><th></th>{ for headers }</tr></thead>
                <tbody>
                    { scaled_bars("p99 request, to scale", &result.strategies, |c| c.request_p99_us) }
                    { figure_rows(&rows, &result.strategies) }
                </tbody>
            </table>
            { for result.strategies.iter().map(|s| html! { <LatencyPlots title={format!("Request time, {}", s.strategy.label())} sample="request" histogram={s.request_histogram.clone()} p50_us={s.request_p50_us} p99_us={s.request_p99_us} /> }) }
            <WhatToNotice {notes} />
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::widgets::notice::{WITHHELD, shown};

    fn run(strategy: PoolStrategy, opened: u32, most_open: u32, p99: u64) -> PoolRun {
        PoolRun {
            strategy,
            connections_opened: opened,
            most_open,
            requests_answered: 12,
            wall_us: p99 + 300,
            wait_p50_us: 200,
            wait_max_us: 250,
            wait_total_us: 2_000,
            request_p50_us: p99 - 100,
            request_p99_us: p99,
            request_histogram: Default::default(),
            events_dropped: 0,
        }
    }

    /// The run the golden file pins: 12 requests, K = 3, 10 ms latency.
    fn quiet() -> PoolingResult {
        let mut bounded = run(PoolStrategy::SemaphorePool, 3, 3, 46_030);
        bounded.wait_p50_us = 22_181;
        bounded.wait_max_us = 34_333;
        PoolingResult {
            requests: 12,
            pool_size: 3,
            server_latency_ms: 10,
            strategies: vec![
                run(PoolStrategy::MutexPool, 12, 12, 12_145),
                bounded,
                run(PoolStrategy::ConnectPerRequest, 12, 12, 12_210),
            ],
        }
    }

    fn text(r: &PoolingResult) -> String {
        shown(&what_to_notice(r), false).join(" ")
    }

    #[test]
    fn the_notice_quotes_the_measured_numbers_as_the_table_shows_them() {
        let notes = text(&quiet());
        for figure in [
            "9 of the 12 requests found it empty",
            "The server accepted 12 connections and had 12 open at once, more than the pool's 3",
            "waited at most 0.2 ms for a connection and took 12.0 ms / 12.1 ms",
            "accepted 3 connections and had 3 open at once, never more than its 3 permits",
            "waited up to 34.3 ms for a permit (p50 22.2 ms) and took 45.9 ms / 46.0 ms",
            "A connection per request: the server accepted 12 connections",
            "The bound cost time: 12 requests for 3 connections",
            "up to 4 server latencies of 10 ms",
            "the p99 request took 46.0 ms against 12.1 ms in the Mutex<Vec> pool",
        ] {
            assert!(notes.contains(figure), "{figure:?} not in {notes}");
        }
        assert!(!notes.contains("supports no conclusion"), "{notes}");
        let mut empty = quiet();
        empty.strategies.pop();
        assert!(what_to_notice(&empty).is_empty());
    }

    #[test]
    fn a_difference_under_one_latency_supports_no_conclusion() {
        let mut r = quiet();
        r.strategies[1].request_p99_us = 20_000;
        let notes = text(&r);
        assert!(
            notes.contains("differ by less than one server latency of 10 ms (20.0 ms against 12.1 ms"),
            "{notes}"
        );
        assert!(!notes.contains("The bound cost time"), "{notes}");
    }

    #[test]
    fn fewer_requests_than_permits_queue_for_nothing() {
        let mut r = quiet();
        r.requests = 2;
        r.strategies[0].connections_opened = 3;
        r.strategies[0].most_open = 3;
        let notes = text(&r);
        assert!(notes.contains("0 of the 2 requests found it empty"), "{notes}");
        assert!(notes.contains("no more than the pool's 3"), "{notes}");
        assert!(notes.contains("With 2 request(s) for 3 permits no request queued"));
        assert!(!notes.contains("The bound cost time"), "{notes}");
    }

    #[test]
    fn a_shared_machine_keeps_the_counts_and_withholds_the_reading() {
        let shared = shown(&what_to_notice(&quiet()), true);
        assert_eq!(shared.len(), 4, "{shared:?}");
        assert!(shared[0].starts_with("The Mutex<Vec> pool started with 3"));
        assert!(shared[1].starts_with("Behind a Semaphore of 3 permits"));
        assert!(shared[2].starts_with("A connection per request"));
        assert_eq!(shared[3], WITHHELD);
    }
}
