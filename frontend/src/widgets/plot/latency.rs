//! [`LatencyPlots`]: what a demo page mounts under a latency's percentiles: the
//! histogram of the samples and their CDF, side by side. A result saved before results
//! carried histograms has an empty one: then this says so instead of drawing empty axes.

use pollscope_shared::results::Histogram;
use yew::prelude::*;

use super::{CdfPlot, HistogramPlot};

#[derive(Properties, PartialEq)]
pub struct LatencyPlotsProps {
    /// What was timed, for the titles: "Round-trip latency".
    pub title: AttrValue,
    /// What one sample is: "round trip".
    pub sample: AttrValue,
    /// What the time axis measures, if not "<sample> time": "spawn → first poll".
    #[prop_or_default]
    pub measure: Option<AttrValue>,
    pub histogram: Histogram,
    /// The percentiles the page prints, marked on the CDF.
    pub p50_us: u64,
    pub p99_us: u64,
}

#[component]
pub fn LatencyPlots(props: &LatencyPlotsProps) -> Html {
    if props.histogram.is_empty() {
        return html! {
            <p class="plots-missing">{ "This run's result carries no histogram to plot." }</p>
        };
    }
    let measure = props
        .measure
        .clone()
        .unwrap_or_else(|| format!("{} time", props.sample).into());
    html! {
        <div class="plots">
            <HistogramPlot title={format!("{}: histogram", props.title)}
                histogram={props.histogram.clone()} sample={props.sample.clone()}
                measure={measure.clone()} />
            <CdfPlot title={format!("{}: cumulative share", props.title)}
                histogram={props.histogram.clone()} sample={props.sample.clone()} {measure}
                p50_us={props.p50_us} p99_us={props.p99_us} />
        </div>
    }
}
