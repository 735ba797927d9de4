//! [`ProgressView`]: what the server has reported so far about a running run, one line per
//! progress event, a progress bar of the run's elapsed time against the server's run time
//! limit, and [`describe_event`], the sentence for one event.
//!
//! ## What the bar measures
//! The server knows one length for every run: its run time limit (the hello's
//! `max_run_seconds`), which starts when the run gets its slot. No scenario announces an
//! expected length, so the bar is "elapsed of the limit". Elapsed is a browser clock
//! started when the page learned the run got its slot (`run_started`, or `run_admitted`
//! after a wait in the queue), never less than the latest progress event's timestamp
//! (the server's clock, from the same start): progress events are sparse, and a bar that
//! moved only with them would stand still through a long part. [`elapsed_bar`] is the
//! arithmetic, tested natively.

use pollscope_shared::results::{ProgressEvent, Strategy};
use yew::prelude::*;

use super::numbers::format_ms;

#[derive(Properties, PartialEq)]
pub struct ProgressProps {
    pub run_id: u64,
    pub events: Vec<ProgressEvent>,
    /// The server's run time limit in µs, if the hello said it.
    #[prop_or_default]
    pub limit_us: Option<u64>,
    /// The run holds a slot (not waiting in the queue): its time is running.
    #[prop_or(true)]
    pub started: bool,
}

/// The progress bar's numbers, in whole milliseconds: `value` of `max`, and its words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElapsedBar {
    pub value_ms: u64,
    pub max_ms: u64,
    pub text: String,
}

/// The bar for a run `local_us` into its slot by the browser's clock, whose latest
/// progress event was at `latest_us` (server clock), against a limit of `limit_us`.
pub fn elapsed_bar(local_us: u64, latest_us: u64, limit_us: u64) -> ElapsedBar {
    let max_ms = (limit_us / 1000).max(1);
    let value_ms = (local_us.max(latest_us) / 1000).min(max_ms);
    ElapsedBar {
        value_ms,
        max_ms,
        text: format!(
            "{:.1} s of the {} s run time limit",
            value_ms as f64 / 1000.0,
            limit_us / 1_000_000
        ),
    }
}

/// The browser's monotonic clock in µs (0 where there is none, as in native tests).
fn now_us() -> u64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0, |p| (p.now() * 1000.0) as u64)
}

#[derive(Properties, PartialEq)]
struct BarProps {
    run_id: u64,
    latest_us: u64,
    limit_us: u64,
}

/// The bar itself: re-renders four times a second while mounted.
#[component]
fn RunProgressBar(props: &BarProps) -> Html {
    let origin = use_memo(props.run_id, |_| now_us());
    let redraw = use_force_update();
    use_effect_with(props.run_id, move |_| {
        let interval = gloo_timers::callback::Interval::new(250, move || redraw.force_update());
        move || drop(interval)
    });
    let bar = elapsed_bar(
        now_us().saturating_sub(*origin),
        props.latest_us,
        props.limit_us,
    );
    html! {
        <div class="run-progress">
            <progress id="run-progress" max={bar.max_ms.to_string()}
                value={bar.value_ms.to_string()} aria-valuemin="0"
                aria-valuemax={bar.max_ms.to_string()} aria-valuenow={bar.value_ms.to_string()}
                aria-valuetext={bar.text.clone()} aria-label="Elapsed of the run time limit">
            </progress>
            <span>{ bar.text }</span>
        </div>
    }
}

/// What the server has reported so far about a running run. The elapsed time is the
/// latest event's timestamp (server clock), not a local timer: it only moves when the
/// server says something happened.
#[component]
pub fn ProgressView(props: &ProgressProps) -> Html {
    let latest = props.events.last().map_or(0, ProgressEvent::at_us);
    let rows = props.events.iter().map(|e| {
        html! {
            <li class="progress-event" data-at-us={e.at_us().to_string()}>
                <span class="at">{ format!("+{}", format_ms(e.at_us())) }</span>
                { " " }{ describe_event(e) }
            </li>
        }
    });
    html! {
        <div id="progress" class="progress" data-events={props.events.len().to_string()}>
            <p class="run-status">
                <span class="spinner" aria-hidden="true"></span>
                { format!("Run {} running — last event at {} (server clock), {} events",
                    props.run_id, format_ms(latest), props.events.len()) }
            </p>
            if let (Some(limit_us), true) = (props.limit_us, props.started) {
                <RunProgressBar run_id={props.run_id} latest_us={latest} {limit_us} />
            }
            <ol class="events">{ for rows }</ol>
        </div>
    }
}

fn strategy_name(s: Strategy) -> &'static str {
    match s {
        Strategy::Sequential => "sequential",
        Strategy::Concurrent => "concurrent",
    }
}

/// One line of the progress list, e.g. "sequential: fetch from server a finished after 301.3 ms".
pub fn describe_event(event: &ProgressEvent) -> String {
    match event {
        ProgressEvent::Phase { name, .. } => format!("phase: {name}"),
        ProgressEvent::FetchStarted {
            strategy, server, ..
        } => format!(
            "{}: fetch from server {server} started",
            strategy_name(*strategy)
        ),
        ProgressEvent::FetchFinished {
            strategy,
            server,
            elapsed_us,
            ..
        } => format!(
            "{}: fetch from server {server} finished after {}",
            strategy_name(*strategy),
            format_ms(*elapsed_us)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_is_elapsed_of_the_limit_never_behind_the_server() {
        let bar = elapsed_bar(2_500_000, 1_000_000, 30_000_000);
        assert_eq!((bar.value_ms, bar.max_ms), (2_500, 30_000));
        assert_eq!(bar.text, "2.5 s of the 30 s run time limit");
        // The server's latest timestamp is ahead of the browser's clock: it wins.
        assert_eq!(elapsed_bar(100, 4_000_000, 30_000_000).value_ms, 4_000);
        // Never past the limit.
        assert_eq!(elapsed_bar(90_000_000, 0, 30_000_000).value_ms, 30_000);
    }

    #[test]
    fn describes_events() {
        assert_eq!(
            describe_event(&ProgressEvent::FetchFinished {
                at_us: 1,
                strategy: Strategy::Sequential,
                server: "a".into(),
                elapsed_us: 301_325,
            }),
            "sequential: fetch from server a finished after 301.3 ms"
        );
        assert_eq!(
            describe_event(&ProgressEvent::Phase {
                at_us: 1,
                name: "concurrent".into()
            }),
            "phase: concurrent"
        );
    }
}
