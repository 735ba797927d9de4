//! [`ProgressView`]: what the server has reported so far about a running run, one line per
//! progress event, and [`describe_event`], the sentence for one event.

use pollscope_shared::results::{ProgressEvent, Strategy};
use yew::prelude::*;

use super::numbers::format_ms;

#[derive(Properties, PartialEq)]
pub struct ProgressProps {
    pub run_id: u64,
    pub events: Vec<ProgressEvent>,
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
