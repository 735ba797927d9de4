//! `<Warnings>`: the diagnostics of one part, listed above its timeline. Each one is a
//! button: clicking it moves the timeline's playhead to the event it is about.
//!
//! DOM contract (for tests): `.tl-warnings` carries `data-found` (all findings, listed or
//! not); each `.tl-warning` carries `data-kind` (see `FindingKind::label`), `data-task-id`
//! and `data-event-index`, and its text is the finding's sentence. Where the page offers
//! a fix for the finding (a [`FixOffers`] context, from the scenario's declared fixes),
//! the warning has a `.tl-warning-fix` button per fix, with `data-fix` = its label.
//!
//! Uses the shared diagnostics; knows nothing of the canvas.

use std::rc::Rc;

use pollscope_shared::diagnostics::{FindingKind, Report, Thresholds, format_ns};
use pollscope_shared::scenario::{Fix, ParamValues};
use yew::prelude::*;

/// The fixes a page offers for the warnings of its latest run (a context around its
/// timelines): a warning of run `run_id` shows a button per fix that applies to it.
#[derive(Clone, PartialEq)]
pub struct FixOffers {
    pub run_id: u64,
    /// The knobs that run used.
    pub params: ParamValues,
    pub fixes: Rc<Vec<Fix>>,
    /// False while a run is under way or the socket is down.
    pub enabled: bool,
    /// Rerun with this fix applied.
    pub on_fix: Callback<Fix>,
}

impl FixOffers {
    /// The fixes offered for a finding of `kind` in run `run_id`.
    pub fn for_finding(&self, run_id: u64, kind: FindingKind) -> Vec<&Fix> {
        if run_id != self.run_id {
            return Vec::new();
        }
        self.fixes
            .iter()
            .filter(|f| f.applies(kind.label(), &self.params))
            .collect()
    }
}

#[derive(Properties, PartialEq)]
pub struct WarningsProps {
    /// The run the report is of.
    pub run_id: u64,
    pub report: Rc<Report>,
    pub thresholds: Thresholds,
    /// Events the timeline holds: a finding about an event past them cannot be shown.
    pub events_kept: usize,
    /// Move the playhead to this event.
    pub on_go: Callback<usize>,
}

/// What the list looks for, with this run's thresholds, in one line.
pub fn looked_for(t: &Thresholds) -> String {
    format!(
        "Looked for: polls of {} or more; tasks waiting {} or more to be polled; \
         tasks waking themselves for most of {}+ wakes; tasks left with no waker for {}; \
         blocking work waiting {} for a pool thread.",
        format_ns(t.long_poll_ns),
        format_ns(t.scheduling_delay_ns.min(t.first_poll_ns)),
        t.self_wake_min_wakes,
        format_ns(t.lost_wake_ns),
        format_ns(t.blocking_queue_ns),
    )
}

#[component]
pub fn Warnings(props: &WarningsProps) -> Html {
    let offers = use_context::<FixOffers>();
    let report = &props.report;
    let found: u64 = report.found.values().sum();
    let summary = if found == 0 {
        "No warnings in this recording.".to_owned()
    } else {
        let by_kind: Vec<String> = FindingKind::ALL
            .iter()
            .filter_map(|kind| {
                let n = report.count(*kind);
                (n > 0).then(|| format!("{} × {}", n, kind.title().to_lowercase()))
            })
            .collect();
        let listed = report.diagnostics.len() as u64;
        let more = if listed < found {
            format!(" (the worst {listed} listed)")
        } else {
            String::new()
        };
        format!("{found} warning(s): {}{more}.", by_kind.join(", "))
    };
    let items = report.diagnostics.iter().map(|d| {
        let index = d.event_index;
        let kept = index < props.events_kept;
        let onclick = {
            let on_go = props.on_go.clone();
            Callback::from(move |_: MouseEvent| on_go.emit(index))
        };
        let kind = d.finding.kind();
        let fixes = offers.iter().flat_map(|o| {
            o.for_finding(props.run_id, kind).into_iter().map(move |fix| {
                let onclick = {
                    let (on_fix, fix) = (o.on_fix.clone(), fix.clone());
                    Callback::from(move |_: MouseEvent| on_fix.emit(fix.clone()))
                };
                html! {
                    <button class="tl-warning-fix" data-fix={fix.label.clone()}
                        disabled={!o.enabled} {onclick}>
                        { format!("Run the fixed version: {}", fix.label) }
                    </button>
                }
            })
        });
        html! {
            <li class="tl-warning" data-kind={kind.label()}
                data-task-id={d.finding.task().id.0.to_string()}
                data-event-index={index.to_string()}>
                <button class="tl-warning-go" disabled={!kept} {onclick}
                    title={if kept { "Move the playhead to this event" } else { "This event was not kept" }}>
                    <strong>{ kind.title() }</strong>{ format!(" · event {}", index + 1) }
                </button>
                <span class="tl-warning-text">{ d.finding.sentence() }</span>
                { for fixes }
            </li>
        }
    });
    html! {
        <div class="tl-warnings" data-found={found.to_string()}>
            <p class="tl-warnings-summary">{ summary }</p>
            if found > 0 {
                <ul class="tl-warning-list">{ for items }</ul>
            }
            if report.lost_wakes_unchecked {
                <p class="hint">{ "Some events of this part were lost, so lost wakes were not looked for." }</p>
            }
            <p class="hint tl-warnings-rules">{ looked_for(&props.thresholds) }</p>
        </div>
    }
}
