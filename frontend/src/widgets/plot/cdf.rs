//! [`CdfPlot`]: the share of samples at or below each latency, from a histogram's
//! buckets, with the page's p50 and p99 marked and labelled exactly as the page prints
//! them.
//!
//! The curve joins the share at each bucket's upper edge: between two edges the plot
//! knows only that the bucket's samples lie somewhere inside it. [`steps`] is the
//! geometry's data (pure, tested natively).

use pollscope_shared::results::Histogram;
use yew::prelude::*;

use super::axis::{Scale, figure_label};
use super::histogram::{time_scale, time_ticks};
use super::{BOTTOM, LEFT, RIGHT, TOP, Tick, fmt, title, view_box, x_axis, y_axis};

/// `(value_us, share)`: the share of samples (0 to 1) below `value_us`, from the first
/// edge (share 0) to the last (share 1).
pub fn steps(h: &Histogram) -> Vec<(u64, f64)> {
    if h.is_empty() {
        return Vec::new();
    }
    std::iter::once((h.edges_us[0], 0.0))
        .chain((0..h.counts.len()).map(|i| (h.edges_us[i + 1], h.cumulative_share(i))))
        .collect()
}

/// The share axis: 0 at the bottom, all samples at the top.
pub fn share_scale() -> Scale {
    Scale::linear(0.0, 1.0, BOTTOM, TOP)
}

/// The SVG path of the curve.
pub fn path(h: &Histogram) -> String {
    let (x, y) = (time_scale(h), share_scale());
    steps(h)
        .iter()
        .enumerate()
        .map(|(i, &(v, share))| {
            let cmd = if i == 0 { 'M' } else { 'L' };
            format!("{cmd}{} {}", fmt(x.at(v as f64)), fmt(y.at(share)))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[derive(Properties, PartialEq)]
pub struct CdfProps {
    pub title: AttrValue,
    pub histogram: Histogram,
    pub p50_us: u64,
    pub p99_us: u64,
    /// What one sample is, for the axis caption: "round trip".
    pub sample: AttrValue,
    /// What the time axis measures: "round trip time".
    pub measure: AttrValue,
}

#[component]
pub fn CdfPlot(props: &CdfProps) -> Html {
    let h = &props.histogram;
    let x = time_scale(h);
    let y = share_scale();
    let (unit, x_ticks) = time_ticks(&x);
    let y_ticks: Vec<Tick> = [0.0, 0.5, 0.99, 1.0]
        .into_iter()
        .map(|share| Tick {
            at: y.at(share),
            label: if share == 0.99 {
                String::new()
            } else {
                format!("{}%", share * 100.0)
            },
        })
        .collect();
    let mark = |name: &'static str, value_us: u64, share: f64, dy: f64| {
        let at = x.at(value_us as f64);
        let label = figure_label(value_us);
        // Right of the middle the label reads leftwards, so it stays inside the drawing.
        let (text_x, anchor) = if at > (LEFT + RIGHT) / 2.0 {
            (at - 4.0, "end")
        } else {
            (at + 4.0, "start")
        };
        html! {
            <g class={classes!("mark", name)} data-mark={name} data-label={label.clone()}
                data-us={value_us.to_string()}>
                <line x1={fmt(at)} x2={fmt(at)} y1={fmt(BOTTOM)} y2={fmt(y.at(share))} />
                <text x={fmt(text_x)} y={fmt(y.at(share) + dy)} text-anchor={anchor}>
                    { format!("{name} {label}") }
                </text>
            </g>
        }
    };
    html! {
        <svg class="plot cdf-plot" viewBox={view_box()} role="img"
            aria-label={props.title.clone()} data-total={h.count.to_string()}
            data-steps={steps(h).len().to_string()} data-unit={unit.symbol()}>
            { title(&props.title) }
            <path class="curve" d={path(h)} />
            { mark("p50", props.p50_us, 0.5, 14.0) }
            { mark("p99", props.p99_us, 0.99, -4.0) }
            { x_axis(&x_ticks, &format!("{} ({}, log scale)", props.measure, unit.symbol())) }
            { y_axis(&y_ticks, &format!("{}s at or below", props.sample)) }
        </svg>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_curve_rises_monotonically_to_one() {
        let h = Histogram::from_samples((0..300u64).map(|i| 50 + (i * i) % 7_000));
        let s = steps(&h);
        assert_eq!(s.len(), h.counts.len() + 1);
        assert_eq!(s[0].1, 0.0);
        assert!(
            (s.last().unwrap().1 - 1.0).abs() < 1e-12,
            "ends at every sample"
        );
        assert!(s.windows(2).all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1));
    }

    #[test]
    fn the_path_climbs_from_the_axis_to_the_top() {
        let h = Histogram::from_samples([100u64, 200, 300]);
        let p = path(&h);
        assert!(p.starts_with('M'));
        assert!(p.ends_with(&format!(" {}", fmt(TOP))), "{p}");
        assert!(p.contains(&format!(" {}", fmt(BOTTOM))), "{p}");
        assert!(path(&Histogram::default()).is_empty());
    }
}
