//! The shape every server-run demo page shares, in one place: title and summary, a short
//! explanation, the code that ran (extracted from the backend's source between its
//! `demo` markers), the knobs and Run button, then whatever the page measured.

use yew::prelude::*;

use crate::components::{DemoProps, RunPanel};
use crate::snippet::{dedent, extract_snippet};

#[derive(Properties, PartialEq)]
pub struct DemoFrameProps {
    pub demo: DemoProps,
    /// The scenario's source file, embedded with `include_str!` so the panel shows exactly
    /// what the server runs.
    pub source: &'static str,
    /// Where that file lives in the repository, shown in the panel's caption.
    pub source_path: &'static str,
    /// The page's explanation: a few paragraphs.
    pub explain: Html,
    /// What the page measured (results, timelines, "what to notice").
    #[prop_or_default]
    pub children: Html,
}

#[component]
pub fn DemoFrame(props: &DemoFrameProps) -> Html {
    let snippet = extract_snippet(props.source).map_or_else(
        || "(the demo markers are missing from the backend source)".to_owned(),
        dedent,
    );
    let descriptor = &props.demo.descriptor;
    html! {
        <article class="demo" data-scenario={descriptor.id.clone()}>
            <h2>{ &descriptor.title }</h2>
            <p class="summary">{ &descriptor.summary }</p>
            <div class="explain">{ props.explain.clone() }</div>
            <figure class="code-panel">
                <figcaption>{ "The code that ran — " }<code>{ props.source_path }</code></figcaption>
                <pre><code class="language-rust">{ snippet }</code></pre>
            </figure>
            <RunPanel ..props.demo.clone() />
            { props.children.clone() }
        </article>
    }
}
