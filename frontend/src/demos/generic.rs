//! [`GenericPage`]: the page of a scenario the server offers but this frontend has no
//! page for (yet): its summary, knobs and run controls, and the measured result exactly
//! as the server sent it, as JSON. The registry ([`super::render`]) falls back to it.

use yew::prelude::*;

use crate::state::RunState;
use crate::widgets::{DemoProps, RunPanel};

#[component]
pub fn GenericPage(props: &DemoProps) -> Html {
    let result = match &props.run {
        RunState::Finished { result, .. } => {
            let json = serde_json::to_string_pretty(result).unwrap_or_default();
            html! {
                <section id="result" class="result raw">
                    <p>{ "Measured result, as the server sent it:" }</p>
                    <pre>{ json }</pre>
                </section>
            }
        }
        _ => html! {},
    };
    html! {
        <article class="demo" data-scenario={props.descriptor.id.clone()}>
            <h2>{ &props.descriptor.title }</h2>
            <p class="summary">{ &props.descriptor.summary }</p>
            <RunPanel ..props.clone() />
            { result }
        </article>
    }
}
