//! Plots of a run's numbers, drawn as inline SVG: a latency histogram, its cumulative
//! distribution (CDF) with the page's p50 and p99 marked, and a line plot of a figure
//! against a count (spawn → first poll against N).
//!
//! Truth rule: every bar, step and point is a number the server measured in the run
//! (see `pollscope_shared::results::Histogram`); nothing here estimates or smooths.
//! Colours come from CSS classes whose custom properties (`--plot-*` in
//! `static/style.css`) switch with the theme; `colors` tests their contrast.
//!
//! Layout:
//! - [`axis`]: scales, tick choice and tick labels (pure).
//! - [`histogram`]: [`HistogramPlot`] and the bars' geometry.
//! - [`cdf`]: [`CdfPlot`] and the curve's steps.
//! - [`line`]: [`LinePlot`] of series against a count.
//! - [`first_poll`]: [`FirstPollPlots`], the spawning result's delays against N.
//! - [`latency`]: [`LatencyPlots`], the histogram and the CDF side by side, what a demo
//!   page mounts.
//!
//! Uses only Yew, the shared result types and [`crate::widgets::numbers`].

pub mod axis;
pub mod cdf;
#[cfg(test)]
mod colors;
pub mod first_poll;
pub mod histogram;
pub mod latency;
pub mod line;

pub use cdf::{CdfPlot, CdfProps};
pub use first_poll::{FirstPollPlots, FirstPollPlotsProps};
pub use histogram::{HistogramPlot, HistogramProps};
pub use latency::{LatencyPlots, LatencyPlotsProps};
pub use line::{LinePlot, LinePlotProps, Series};

use yew::prelude::*;

/// The drawing's size in SVG units (it scales to the page's width).
pub const WIDTH: f64 = 480.0;
pub const HEIGHT: f64 = 240.0;
/// The plotting area inside the drawing: room for the title and the axes' labels.
pub const LEFT: f64 = 58.0;
pub const RIGHT: f64 = WIDTH - 14.0;
pub const TOP: f64 = 30.0;
pub const BOTTOM: f64 = HEIGHT - 42.0;

/// A tick: its pixel position along the axis and its label.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    pub at: f64,
    pub label: String,
}

/// The x axis along the bottom of the plotting area, with its ticks and caption.
pub fn x_axis(ticks: &[Tick], caption: &str) -> Html {
    let marks = ticks.iter().map(|t| {
        html! {
            <g class="tick" data-value={t.label.clone()}>
                <line x1={fmt(t.at)} x2={fmt(t.at)} y1={fmt(BOTTOM)} y2={fmt(BOTTOM + 5.0)} />
                <text x={fmt(t.at)} y={fmt(BOTTOM + 17.0)} text-anchor="middle">{ t.label.clone() }</text>
            </g>
        }
    });
    html! {
        <g class="plot-axis x-axis">
            <line x1={fmt(LEFT)} x2={fmt(RIGHT)} y1={fmt(BOTTOM)} y2={fmt(BOTTOM)} />
            { for marks }
            <text class="caption" x={fmt((LEFT + RIGHT) / 2.0)} y={fmt(HEIGHT - 6.0)}
                text-anchor="middle">{ caption.to_owned() }</text>
        </g>
    }
}

/// The y axis along the left of the plotting area, with its ticks and caption.
pub fn y_axis(ticks: &[Tick], caption: &str) -> Html {
    let marks = ticks.iter().map(|t| {
        html! {
            <g class="tick" data-value={t.label.clone()}>
                <line x1={fmt(LEFT - 5.0)} x2={fmt(LEFT)} y1={fmt(t.at)} y2={fmt(t.at)} />
                <text x={fmt(LEFT - 8.0)} y={fmt(t.at + 4.0)} text-anchor="end">{ t.label.clone() }</text>
            </g>
        }
    });
    let mid = (TOP + BOTTOM) / 2.0;
    html! {
        <g class="plot-axis y-axis">
            <line x1={fmt(LEFT)} x2={fmt(LEFT)} y1={fmt(TOP)} y2={fmt(BOTTOM)} />
            { for marks }
            <text class="caption" x="12" y={fmt(mid)} text-anchor="middle"
                transform={format!("rotate(-90 12 {})", fmt(mid))}>{ caption.to_owned() }</text>
        </g>
    }
}

/// The plot's title, over the plotting area.
pub fn title(text: &str) -> Html {
    html! {
        <text class="title" x={fmt(LEFT)} y="18">{ text.to_owned() }</text>
    }
}

/// An SVG coordinate with at most one decimal.
pub fn fmt(v: f64) -> String {
    let s = format!("{v:.1}");
    s.strip_suffix(".0").map(str::to_owned).unwrap_or(s)
}

/// The `viewBox` every plot draws in.
pub fn view_box() -> String {
    format!("0 0 {} {}", fmt(WIDTH), fmt(HEIGHT))
}
