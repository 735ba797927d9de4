//! The run history under a demo and two of its runs side by side.
//!
//! [`RunHistory`] lists the runs the page keeps (at most [`HISTORY_RUNS`]) with their
//! knobs and headline numbers, and lets the learner pick two to compare. [`CompareView`]
//! shows a pair: what changed in words ([`super::compare::what_changed`]), a table of
//! knobs and headlines, and each run's timelines drawn on one time scale.
//!
//! DOM contract (for tests): `#run-history[data-runs]` with one `.history-run[data-run-id]`
//! per kept run; `#compare[data-a][data-b]` with `.compare-notice` (the sentences),
//! `tr.compare-headline[data-key][data-a][data-b][data-change]` (values as numbers; the
//! cells print them as the sentences do), and a `.compare-run[data-run-id]` column per run.
//!
//! Uses [`super::compare`], the recordings store and the timeline; knows no demo.

use pollscope_shared::scenario::ParamSpec;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use super::compare::{headline_rows, value_text, what_changed};
use super::label::{run_name, run_title};
use crate::recording::RecordingStore;
use crate::state::{HISTORY_RUNS, PastRun};
use crate::timeline::{PartRef, Timeline};

#[derive(Properties, PartialEq)]
pub struct RunHistoryProps {
    pub specs: Vec<ParamSpec>,
    /// Oldest first.
    pub runs: Vec<PastRun>,
    /// The pair shown side by side, if any.
    pub compare: Option<(u64, u64)>,
    pub on_compare: Callback<Option<(u64, u64)>>,
}

/// "Way std::thread::sleep, Work 30 ms".
fn knobs_text(specs: &[ParamSpec], run: &PastRun) -> String {
    let knobs: Vec<String> = specs
        .iter()
        .map(|s| {
            let value = run.params.get(&s.name).copied().unwrap_or(s.default);
            format!("{} {}", s.label, s.value_text(value))
        })
        .collect();
    knobs.join(", ")
}

#[component]
pub fn RunHistory(props: &RunHistoryProps) -> Html {
    let n = props.runs.len();
    let last_two = || {
        let id = |back: usize| n.checked_sub(back).map(|i| props.runs[i].run_id);
        (id(2).unwrap_or(0), id(1).unwrap_or(0))
    };
    // The learner's pick; a pick of a run no longer kept falls back to the latest two.
    let picked = use_state(|| None::<(u64, u64)>);
    let kept = |id: u64| props.runs.iter().any(|r| r.run_id == id);
    let (a, b) = match *picked {
        Some((a, b)) if kept(a) && kept(b) => (a, b),
        _ => props.compare.unwrap_or_else(last_two),
    };
    if n == 0 {
        return Html::default();
    }
    let select = |id: &'static str, value: u64, second: bool| {
        let onchange = {
            let picked = picked.clone();
            Callback::from(move |e: Event| {
                let select: HtmlSelectElement = e.target_unchecked_into();
                if let Ok(v) = select.value().parse::<u64>() {
                    picked.set(Some(if second { (a, v) } else { (v, b) }));
                }
            })
        };
        html! {
            <select id={id} {onchange}>
                { for props.runs.iter().map(|r| html! {
                    <option value={r.run_id.to_string()} selected={r.run_id == value}>
                        { run_name(r.run_id) }
                    </option>
                }) }
            </select>
        }
    };
    let show = {
        let on_compare = props.on_compare.clone();
        Callback::from(move |_: MouseEvent| on_compare.emit(Some((a, b))))
    };
    let hide = {
        let on_compare = props.on_compare.clone();
        Callback::from(move |_: MouseEvent| on_compare.emit(None))
    };
    let rows = props.runs.iter().rev().map(|run| {
        let figures: Vec<String> = run
            .result
            .headlines()
            .iter()
            .map(|h| format!("{} {}", h.label, value_text(h.unit, h.value)))
            .collect();
        let fixing = run
            .fixing
            .map(|f| format!(" (the fixed version of {})", run_name(f)))
            .unwrap_or_default();
        html! {
            <li class="history-run" key={run.run_id} data-run-id={run.run_id.to_string()}>
                <strong>{ format!("{}{fixing}", run_title(run.run_id)) }</strong>
                { format!(": {}", knobs_text(&props.specs, run)) }
                if !figures.is_empty() {
                    <span class="history-figures">{ format!(" — {}", figures.join(", ")) }</span>
                }
            </li>
        }
    });
    html! {
        <section id="run-history" class="run-history" data-runs={n.to_string()}>
            <h3>{ format!("Runs kept in this page: {n} (at most {HISTORY_RUNS})") }</h3>
            <ol class="history-list">{ for rows }</ol>
            if n >= 2 {
                <p class="history-pick">
                    { "Compare " }{ select("compare-a", a, false) }
                    { " with " }{ select("compare-b", b, true) }{ " " }
                    <button id="compare-button" onclick={show} disabled={a == b}>
                        { "Show side by side" }
                    </button>
                    if props.compare.is_some() {
                        { " " }<button id="compare-close" onclick={hide}>{ "Hide" }</button>
                    }
                </p>
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct CompareViewProps {
    pub scenario: AttrValue,
    pub specs: Vec<ParamSpec>,
    pub a: PastRun,
    pub b: PastRun,
    /// Changes whenever the recordings did, so the timelines' common span is re-read.
    pub recording_version: u64,
}

#[component]
pub fn CompareView(props: &CompareViewProps) -> Html {
    let store = use_context::<RecordingStore>();
    let (a, b) = (&props.a, &props.b);
    let notes = what_changed(&props.specs, a, b);
    // Parts each run recorded, and one time scale for all of them: the latest event of
    // either run.
    let (parts, span_ns) = store.as_ref().map_or((Vec::new(), 0), |store| {
        let recordings = store.borrow();
        let mut parts: Vec<u32> = Vec::new();
        let mut span = 0;
        for run in [a.run_id, b.run_id]
            .iter()
            .filter_map(|id| recordings.run(*id))
        {
            for (&part, rec) in &run.parts {
                if !parts.contains(&part) {
                    parts.push(part);
                }
                span = span.max(rec.events.iter().map(|e| e.t_ns).max().unwrap_or(0));
            }
        }
        parts.sort_unstable();
        (parts, span)
    });
    let knob_rows = props.specs.iter().map(|s| {
        let value = |r: &PastRun| s.value_text(r.params.get(&s.name).copied().unwrap_or(s.default));
        let (va, vb) = (value(a), value(b));
        let changed = va != vb;
        html! {
            <tr class="compare-knob" data-name={s.name.clone()} data-changed={changed.to_string()}>
                <th scope="row">{ &s.label }</th><td>{ va }</td><td>{ vb }</td>
                <td>{ if changed { "changed" } else { "" } }</td>
            </tr>
        }
    });
    let rows = headline_rows(&a.result.headlines(), &b.result.headlines());
    let headline_rows = rows.iter().map(|r| {
        html! {
            <tr class="compare-headline" data-key={r.key.clone()} data-a={r.a.to_string()}
                data-b={r.b.to_string()} data-change={r.change.label()}>
                <th scope="row">{ &r.label }</th><td>{ r.a_text() }</td><td>{ r.b_text() }</td>
                <td>{ r.change.label().replace('-', " ") }</td>
            </tr>
        }
    });
    let column = |run: &PastRun| {
        let timelines = parts.iter().map(|&part| {
            let part_ref = PartRef::new(props.scenario.clone(), part).of_run(run.run_id, span_ns);
            html! {
                <Timeline key={format!("{}-{part}", run.run_id)} recording_part={part_ref}
                    title={format!("{}, part {part}", run_title(run.run_id))} />
            }
        });
        html! {
            <div class="compare-run" data-run-id={run.run_id.to_string()}>
                <h4>{ run_title(run.run_id) }</h4>
                { for timelines }
            </div>
        }
    };
    html! {
        <section id="compare" class="compare" data-a={a.run_id.to_string()}
            data-b={b.run_id.to_string()}>
            <h3>{ format!("{} and {}, side by side", run_title(a.run_id), run_name(b.run_id)) }</h3>
            <div class="compare-notice notice">
                { for notes.iter().map(|n| html! { <p>{ n }</p> }) }
            </div>
            <table class="mode-table compare-table">
                <thead><tr>
                    <th></th><th>{ run_name(a.run_id) }</th>
                    <th>{ run_name(b.run_id) }</th><th></th>
                </tr></thead>
                <tbody>{ for knob_rows }{ for headline_rows }</tbody>
            </table>
            <div class="compare-runs">{ column(a) }{ column(b) }</div>
        </section>
    }
}
