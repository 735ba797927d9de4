//! [`LanesView`]: the threads (lanes) of a recorded run's runtime — worker, blocking or
//! main — and how often each parked because no task was ready.
//!
//! The rows ([`LaneRow`], from [`lane_rows`]) are folded from a run's [`RunStats`] by a
//! pure function, unit-tested natively; the component only renders them.

use pollscope_shared::instrument::event::LaneKind;
use pollscope_shared::instrument::stats::RunStats;
use yew::prelude::*;

use super::numbers::times;

/// One lane (OS thread) of the run's runtime.
#[derive(Debug, Clone, PartialEq)]
pub struct LaneRow {
    pub id: u32,
    pub name: String,
    pub kind: &'static str,
    /// Times the lane ran out of ready tasks and went to sleep.
    pub parks: u32,
    pub parked: bool,
}

pub fn lane_rows(stats: &RunStats) -> Vec<LaneRow> {
    stats
        .lanes
        .values()
        .map(|l| LaneRow {
            id: l.id.0,
            name: l.name.to_string(),
            kind: match l.kind {
                LaneKind::Worker => "worker",
                LaneKind::Blocking => "blocking",
                LaneKind::Main => "main",
            },
            parks: l.parks,
            parked: l.parked,
        })
        .collect()
}

#[derive(Properties, PartialEq)]
pub struct LanesProps {
    pub lanes: Vec<LaneRow>,
}

/// The runtime's threads and how often each parked.
#[component]
pub fn LanesView(props: &LanesProps) -> Html {
    let workers = props.lanes.iter().filter(|l| l.kind == "worker").count();
    let parks: u64 = props.lanes.iter().map(|l| u64::from(l.parks)).sum();
    let items = props.lanes.iter().map(|l| {
        html! {
            <li class="lane-row" key={l.id} data-lane-id={l.id.to_string()}
                data-kind={l.kind} data-parks={l.parks.to_string()} data-parked={l.parked.to_string()}>
                <code>{ format!("{} #{}", l.name, l.id) }</code>
                { format!(" ({}): parked {}{}", l.kind, times(l.parks.into()),
                    if l.parked { ", asleep now" } else { "" }) }
            </li>
        }
    });
    html! {
        <div id="lanes" class="lanes" data-lanes={props.lanes.len().to_string()}
            data-workers={workers.to_string()} data-parks={parks.to_string()}>
            <span>{ format!("{} lane(s), {workers} worker(s), {parks} parks in total:",
                props.lanes.len()) }</span>
            <ul>{ for items }</ul>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{one_conn_events, recording_of};

    #[test]
    fn one_row_per_lane_with_its_parks() {
        let r = recording_of(one_conn_events());
        assert_eq!(
            lane_rows(&r.stats),
            vec![LaneRow {
                id: 0,
                name: "worker 0".into(),
                kind: "worker",
                parks: 1,
                parked: false,
            }]
        );
    }
}
