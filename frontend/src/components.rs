//! Building blocks every demo page uses: knobs generated from a scenario's parameter
//! specs, the Run/Cancel controls, the live progress list, and run errors.
//!
//! These components only render their props and `emit` callbacks; the page that uses
//! them decides what a click means (see [`crate::app`]).

use pollscope_shared::results::{ProgressEvent, Strategy};
use pollscope_shared::scenario::{ParamSpec, ParamValues, ScenarioDescriptor};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::state::RunState;

/// Microseconds as milliseconds with one decimal: `802911` → `"802.9 ms"`.
pub fn format_ms(us: u64) -> String {
    format!("{:.1} ms", us as f64 / 1000.0)
}

/// `part` as a percentage of `whole` (0 when `whole` is 0), for bar geometry.
pub fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

/// Everything a demo page needs: the scenario, its latest run, its knobs, and what to
/// do when the learner acts.
#[derive(Properties, PartialEq, Clone)]
pub struct DemoProps {
    pub descriptor: ScenarioDescriptor,
    pub run: RunState,
    pub values: ParamValues,
    pub connected: bool,
    /// A knob moved: (parameter name, new value). The reducer clamps it.
    pub on_param: Callback<(String, i64)>,
    pub on_run: Callback<()>,
    /// Cancel the run with this id.
    pub on_cancel: Callback<u64>,
}

#[derive(Properties, PartialEq)]
pub struct KnobsProps {
    pub specs: Vec<ParamSpec>,
    pub values: ParamValues,
    #[prop_or_default]
    pub disabled: bool,
    pub on_change: Callback<(String, i64)>,
}

/// One labelled slider + number input per parameter. The number input has the id
/// `param-{name}`; its bounds and unit come from the descriptor.
#[component]
pub fn Knobs(props: &KnobsProps) -> Html {
    let knobs = props.specs.iter().map(|spec| {
        let value = props
            .values
            .get(&spec.name)
            .copied()
            .unwrap_or(spec.default);
        // The slider can only produce values inside its bounds: send each one live.
        let on_slide = {
            let (name, cb) = (spec.name.clone(), props.on_change.clone());
            Callback::from(move |e: InputEvent| {
                let input: HtmlInputElement = e.target_unchecked_into();
                if let Ok(v) = input.value().parse::<i64>() {
                    cb.emit((name.clone(), v));
                }
            })
        };
        // While typing, only in-range numbers are sent, so typing "50" is not clamped at
        // "5"; on Enter or blur the box commits, clamping whatever is there.
        let on_type = {
            let (spec, cb) = (spec.clone(), props.on_change.clone());
            Callback::from(move |e: InputEvent| {
                let input: HtmlInputElement = e.target_unchecked_into();
                if let Ok(v) = input.value().trim().parse::<i64>()
                    && spec.clamp(v) == v
                {
                    cb.emit((spec.name.clone(), v));
                }
            })
        };
        let on_commit = {
            let (spec, cb) = (spec.clone(), props.on_change.clone());
            Callback::from(move |e: Event| {
                let input: HtmlInputElement = e.target_unchecked_into();
                // An empty box is left alone (the slider still shows the value in use).
                let Ok(v) = input.value().trim().parse::<i64>() else {
                    return;
                };
                let clamped = spec.clamp(v);
                if clamped != v {
                    // Write the clamped value back: if it equals the current state there
                    // is no re-render that would replace the out-of-range entry.
                    input.set_value(&clamped.to_string());
                }
                cb.emit((spec.name.clone(), clamped));
            })
        };
        let id = format!("param-{}", spec.name);
        html! {
            <div class="knob" key={spec.name.clone()}>
                <label for={id.clone()}>{ &spec.label }</label>
                <input type="range" id={format!("{id}-slider")} aria-label={spec.label.clone()}
                    min={spec.min.to_string()} max={spec.max.to_string()} step="1"
                    value={value.to_string()} disabled={props.disabled} oninput={on_slide} />
                <input type="number" id={id} name={spec.name.clone()}
                    min={spec.min.to_string()} max={spec.max.to_string()} step="1"
                    value={value.to_string()} disabled={props.disabled}
                    oninput={on_type} onchange={on_commit} />
                <span class="unit">{ &spec.unit }</span>
                <span class="bounds">{ format!("{}–{} {}", spec.min, spec.max, spec.unit) }</span>
            </div>
        }
    });
    html! { <div class="knobs">{ for knobs }</div> }
}

/// Knobs, Run/Cancel, live progress and errors of one scenario: the part every demo shares.
#[component]
pub fn RunPanel(props: &DemoProps) -> Html {
    let busy = props.run.is_busy();
    let on_run = {
        let cb = props.on_run.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    let cancel = match &props.run {
        RunState::Running {
            run_id, cancelling, ..
        } => {
            let (cb, id) = (props.on_cancel.clone(), *run_id);
            html! {
                <button id="cancel-button" disabled={*cancelling || !props.connected}
                    onclick={Callback::from(move |_: MouseEvent| cb.emit(id))}>
                    { if *cancelling { "Cancelling…" } else { "Cancel" } }
                </button>
            }
        }
        _ => html! {},
    };
    let status = match &props.run {
        RunState::Idle => html! {},
        RunState::Requested => {
            html! { <p class="run-status">{ "Asking the server to run it…" }</p> }
        }
        RunState::Running { run_id, events, .. } => html! {
            <ProgressView run_id={*run_id} events={events.clone()} />
        },
        RunState::Finished { run_id, .. } => html! {
            <p class="run-status">{ format!("Run {run_id} finished. Measured on the server:") }</p>
        },
        RunState::Cancelled { run_id } => html! {
            <p class="run-status" id="run-cancelled">{ format!("Run {run_id} was cancelled before it finished.") }</p>
        },
        RunState::Failed { code, message } => html! {
            <div id="run-error" class="error" role="alert" data-code={code.as_str()}>
                <strong>{ code.as_str() }</strong>{ ": " }{ message }
            </div>
        },
    };
    html! {
        <section class="run-panel">
            <Knobs specs={props.descriptor.params.clone()} values={props.values.clone()}
                disabled={busy} on_change={props.on_param.clone()} />
            <div class="controls">
                <button id="run-button" class="primary" disabled={busy || !props.connected}
                    onclick={on_run}>
                    { if busy { "Running…" } else { "Run" } }
                </button>
                { cancel }
                if !props.connected {
                    <span class="hint">{ "Waiting for the connection…" }</span>
                }
            </div>
            { status }
        </section>
    }
}

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
    fn formats_microseconds_as_milliseconds() {
        assert_eq!(format_ms(802_911), "802.9 ms");
        assert_eq!(format_ms(0), "0.0 ms");
        assert_eq!(format_ms(50), "0.1 ms");
    }

    #[test]
    fn percent_handles_zero() {
        assert_eq!(percent(1, 0), 0.0);
        assert_eq!(percent(250, 1000), 25.0);
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
