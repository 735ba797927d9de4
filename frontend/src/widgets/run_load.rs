//! [`RunLoadView`]: under a finished run, whether the machine was shared while it ran —
//! the figures the server measured ([`RunLoad`]), and when they say shared, a caveat that
//! the run's timings include waiting, not only work.
//!
//! Renders its props only; the sentence and the verdict are [`RunLoad`]'s own.

use pollscope_shared::load::RunLoad;
use yew::prelude::*;

/// Said when the machine was shared, after the figures.
pub const SHARED_CAVEAT: &str = "The machine was shared while this run ran, so compare these \
     numbers with care: part of the time shown was waiting for a CPU, not work.";

#[derive(Properties, PartialEq)]
pub struct RunLoadProps {
    /// `None` when the server did not say (an older server).
    pub load: Option<RunLoad>,
}

/// `<p id="run-load">` with the load's sentence, its figures as data attributes, and the
/// caveat when it was shared.
#[component]
pub fn RunLoadView(props: &RunLoadProps) -> Html {
    let Some(load) = &props.load else {
        return html! {
            <p id="run-load" class="run-load">
                { "The server did not say whether the machine was shared during this run." }
            </p>
        };
    };
    let shared = load.shared_machine();
    let wait = load
        .threads
        .as_ref()
        .map(|t| t.run_queue_wait_us.to_string());
    let cpu = load.threads.as_ref().map(|t| t.cpu_us.to_string());
    html! {
        <p id="run-load" class={classes!("run-load", shared.then_some("shared"))}
            data-other-runs={load.other_runs.to_string()}
            data-run-queue-wait-us={wait} data-cpu-us={cpu}
            data-shared={shared.to_string()}>
            { load.sentence() }
            if shared {
                { " " }<strong class="caveat">{ SHARED_CAVEAT }</strong>
            }
        </p>
    }
}
