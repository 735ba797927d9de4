//! [`DemoFrame`]: the shape every server-run demo page shares, in one place: title and
//! summary, a short explanation, the code that ran (as the server's descriptor carries
//! it: the part of the scenario's source between its `demo` markers), the knobs and Run
//! button, then whatever the page measured.

use yew::prelude::*;

use super::props::DemoProps;
use super::run_panel::RunPanel;

#[derive(Properties, PartialEq)]
pub struct DemoFrameProps {
    pub demo: DemoProps,
    /// The page's explanation: a few paragraphs.
    pub explain: Html,
    /// What the page measured (results, timelines, "what to notice").
    #[prop_or_default]
    pub children: Html,
}

#[component]
pub fn DemoFrame(props: &DemoFrameProps) -> Html {
    let descriptor = &props.demo.descriptor;
    let code = &descriptor.code;
    html! {
        <article class="demo" data-scenario={descriptor.id.clone()}>
            <h2>{ &descriptor.title }</h2>
            <p class="summary">{ &descriptor.summary }</p>
            <div class="explain">{ props.explain.clone() }</div>
            <figure class="code-panel">
                <figcaption>{ "The code that ran — " }<code>{ &code.path }</code></figcaption>
                <pre><code class="language-rust">{ &code.text }</code></pre>
            </figure>
            <RunPanel ..props.demo.clone() />
            { props.children.clone() }
        </article>
    }
}
