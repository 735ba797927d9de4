//! [`FirstPollPlots`]: the spawning result drawn: spawn → first poll delay (p50 and p99)
//! against the number of tasks spawned, one point per N the run measured, and the
//! histogram and CDF of the largest N's delays.

use pollscope_shared::results::SpawnBatch;
use yew::prelude::*;

use super::{LatencyPlots, LinePlot, Series};

/// The p50 and p99 series, one point per part, in the parts' order.
pub fn first_poll_series(parts: &[SpawnBatch]) -> Vec<Series> {
    let series = |name: &'static str, pick: fn(&SpawnBatch) -> u64| Series {
        name: name.into(),
        class: name,
        points: parts
            .iter()
            .map(|p| (u64::from(p.tasks), pick(p)))
            .collect(),
    };
    vec![
        series("p50", |p| p.first_poll_p50_us),
        series("p99", |p| p.first_poll_p99_us),
    ]
}

#[derive(Properties, PartialEq)]
pub struct FirstPollPlotsProps {
    pub parts: Vec<SpawnBatch>,
}

#[component]
pub fn FirstPollPlots(props: &FirstPollPlotsProps) -> Html {
    let largest = props.parts.iter().max_by_key(|p| p.tasks);
    html! {
        <div class="first-poll-plots">
            <LinePlot title="Spawn → first poll against N" x_caption="tasks spawned (N)"
                y_caption="spawn → first poll" series={first_poll_series(&props.parts)} />
            { for largest.map(|p| html! {
                <LatencyPlots title={format!("Spawn → first poll, N = {}", p.tasks)}
                    sample="task" measure="spawn → first poll" histogram={p.first_poll_histogram.clone()}
                    p50_us={p.first_poll_p50_us} p99_us={p.first_poll_p99_us} />
            }) }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pollscope_shared::results::Histogram;

    #[test]
    fn one_point_per_n_in_each_series() {
        let part = |tasks: u32, p50: u64, p99: u64| SpawnBatch {
            tasks,
            wall_us: 1,
            first_poll_p50_us: p50,
            first_poll_p99_us: p99,
            first_poll_max_us: p99,
            first_poll_histogram: Histogram::default(),
            wake_to_poll_p50_us: 0,
            wake_to_poll_p99_us: 0,
            events_dropped: 0,
        };
        let s = first_poll_series(&[part(10, 5, 9), part(100, 50, 90), part(1000, 500, 900)]);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].points, [(10, 5), (100, 50), (1000, 500)]);
        assert_eq!(s[1].points, [(10, 9), (100, 90), (1000, 900)]);
    }
}
