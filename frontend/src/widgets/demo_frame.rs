//! [`DemoFrame`]: the shape every server-run demo page shares, in one place: title and
//! summary, a short explanation, the code that ran (as the server's descriptor carries
//! it: the part of the scenario's source between its `demo` markers), the knobs and Run
//! button, the guesses of "predict, then run" (and how the latest run's guesses fared),
//! then whatever the page measured; then the runs the page keeps and, when two
//! are picked, those two side by side. Around the page's timelines it provides the fixes
//! the scenario declares ([`FixOffers`]), so a warning of the latest run can offer its fix,
//! and whether the machine was shared during the run it shows ([`MachineShared`]), for the
//! page's notice.

use std::rc::Rc;

use yew::prelude::*;

use super::code_panel::CodePanel;
use super::notice::MachineShared;
use super::props::{DemoProps, FixRequest};
use super::run_panel::RunPanel;
use crate::history::{CompareView, GuessPanel, GuessResult, RunHistory};
use crate::state::RunState;
use crate::timeline::{CodeFocus, CodeFocusSink, FixOffers};

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
    let demo = &props.demo;
    // What the timeline moved last is about; an equal focus does not re-render the page.
    let focus = use_state_eq(|| None::<CodeFocus>);
    let sink = CodeFocusSink(use_callback(focus.setter(), |f, set| set.set(Some(f))));
    // Fixes are offered on the latest finished run's warnings, while nothing else runs.
    let offers = demo.history.last().map(|last| {
        let on_fix = {
            let (on_fix, from_run, params) =
                (demo.on_fix.clone(), last.run_id, last.params.clone());
            Callback::from(move |fix| {
                on_fix.emit(FixRequest {
                    from_run,
                    params: params.clone(),
                    fix,
                })
            })
        };
        FixOffers {
            run_id: last.run_id,
            params: last.params.clone(),
            fixes: Rc::new(descriptor.fixes.clone()),
            enabled: demo.connected && !demo.run.is_busy(),
            on_fix,
        }
    });
    let measured = match offers {
        Some(offers) => html! {
            <ContextProvider<FixOffers> context={offers}>
                { props.children.clone() }
            </ContextProvider<FixOffers>>
        },
        None => props.children.clone(),
    };
    // The latest run's guesses are checked while it is the run the page shows.
    let guessed_run = demo
        .history
        .last()
        .filter(
            |last| matches!(demo.run, RunState::Finished { run_id, .. } if run_id == last.run_id),
        )
        .cloned();
    let compared = demo.compare.and_then(|(a, b)| {
        let find = |id| demo.history.iter().find(|r| r.run_id == id).cloned();
        Some((find(a)?, find(b)?))
    });
    // Whether the run the page shows ran on a shared machine, for its notice.
    let shared = match &demo.run {
        RunState::Finished { load, .. } => MachineShared::of(load.as_ref()),
        _ => MachineShared::default(),
    };
    html! {
        <ContextProvider<CodeFocusSink> context={sink}>
        <ContextProvider<MachineShared> context={shared}>
        <article class="demo" data-scenario={descriptor.id.clone()}>
            <h2>{ &descriptor.title }</h2>
            <p class="summary">{ &descriptor.summary }</p>
            <div class="explain">{ props.explain.clone() }</div>
            <CodePanel code={code.clone()} focus={(*focus).clone()} />
            <RunPanel ..props.demo.clone() />
            if let Some(last) = guessed_run {
                <GuessResult run={last} />
            }
            if let Some(last) = demo.history.last() {
                <GuessPanel headlines={last.result.headlines()} after_run={last.run_id}
                    guesses={demo.guesses.clone()} disabled={demo.run.is_busy()}
                    on_guess={demo.on_guess.clone()} />
            }
            { measured }
            <RunHistory specs={descriptor.params.clone()} runs={demo.history.clone()}
                compare={demo.compare} on_compare={demo.on_compare.clone()} />
            if let Some((a, b)) = compared {
                <CompareView scenario={descriptor.id.clone()} specs={descriptor.params.clone()}
                    {a} {b} recording_version={demo.recording_version} />
            }
        </article>
        </ContextProvider<MachineShared>>
        </ContextProvider<CodeFocusSink>>
    }
}
