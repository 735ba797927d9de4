//! [`RunPanel`]: the part every server demo shares — its knobs, the Run/Cancel buttons,
//! then the run's status: its place in the server's queue while it waits for a run slot,
//! live progress while it runs, a line when it finished (with
//! whether the machine was shared, and the Save button) or was cancelled, the error when
//! it failed.
//!
//! The panel only renders its props and `emit`s callbacks; what a click means is decided
//! by whoever made the props (see [`crate::app`]).

use yew::prelude::*;

use super::knobs::Knobs;
use super::progress::ProgressView;
use super::props::DemoProps;
use super::run_load::RunLoadView;
use crate::keep::save::SaveRun;
use crate::state::{OPENED_RUN_IDS, RunState, Slot};

/// A queued run's place ("2 runs ahead of yours"), or how long it waited for its slot.
fn slot_status(slot: Slot) -> Html {
    match slot {
        Slot::Running => html! {},
        Slot::Queued { ahead } => html! {
            <p id="run-queued" class="run-status" data-ahead={ahead.to_string()}>
                { queued_sentence(ahead) }
            </p>
        },
        Slot::Admitted { waited_ms } => html! {
            <p id="run-admitted" class="run-status" data-waited-ms={waited_ms.to_string()}>
                { format!("Your run waited {} for a free run slot and is running now.",
                    super::format_ms(waited_ms.saturating_mul(1000))) }
            </p>
        },
    }
}

/// What the page says while a run waits for a slot.
pub fn queued_sentence(ahead: u32) -> String {
    let place = match ahead {
        0 => "yours is next".to_owned(),
        1 => "1 run ahead of yours".to_owned(),
        n => format!("{n} runs ahead of yours"),
    };
    format!(
        "Every run slot on the server is taken, so your run waits its turn: {place}. \
         It waits rather than share the cores, so its numbers are its own."
    )
}

/// The line above a finished run's numbers.
fn finished_sentence(run_id: u64) -> String {
    if run_id >= OPENED_RUN_IDS {
        "This run was opened from a file. Measured on the server when it ran:".to_owned()
    } else {
        format!("Run {run_id} finished. Measured on the server:")
    }
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
        RunState::Running {
            run_id,
            events,
            slot,
            limit_us,
            ..
        } => html! {
            <>
                { slot_status(*slot) }
                <ProgressView run_id={*run_id} events={events.clone()} limit_us={*limit_us} started={!matches!(slot, Slot::Queued { .. })} />
            </>
        },
        RunState::Finished { run_id, load, .. } => html! {
            <>
                <p class="run-status">{ finished_sentence(*run_id) }</p>
                <RunLoadView load={load.clone()} />
                <SaveRun descriptor={props.descriptor.clone()} run={props.run.clone()}
                    history={props.history.clone()} />
            </>
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_queue_sentence_counts_the_runs_ahead() {
        assert!(queued_sentence(0).contains("yours is next"));
        assert!(queued_sentence(1).contains("1 run ahead of yours"));
        assert!(queued_sentence(2).contains("2 runs ahead of yours"));
    }
}
