//! [`HistogramPlot`]: a latency histogram's buckets as bars over a log time axis, each
//! bar's height proportional to the samples it counted.
//!
//! [`bars`] is the geometry (pure, tested natively); the component only draws it.

use pollscope_shared::results::Histogram;
use yew::prelude::*;

use super::axis::{Scale, TimeUnit, linear_ticks, log_ticks};
use super::{BOTTOM, LEFT, RIGHT, TOP, Tick, fmt, title, view_box, x_axis, y_axis};

/// One bucket's bar, in SVG units.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub x: f64,
    pub width: f64,
    pub y: f64,
    pub height: f64,
    pub count: u64,
    pub lo_us: u64,
    pub hi_us: u64,
}

/// The time axis of a histogram: its buckets' edges, on a log scale.
pub fn time_scale(h: &Histogram) -> Scale {
    let lo = h.edges_us.first().copied().unwrap_or(1) as f64;
    let hi = h.edges_us.last().copied().unwrap_or(2) as f64;
    Scale::log(lo, hi, LEFT, RIGHT)
}

/// The count axis: 0 at the bottom, the fullest bucket at the top.
pub fn count_scale(h: &Histogram) -> Scale {
    let most = h.counts.iter().copied().max().unwrap_or(0).max(1);
    Scale::linear(0.0, most as f64, BOTTOM, TOP)
}

/// A bar for every bucket that counted a sample (empty buckets draw nothing).
pub fn bars(h: &Histogram) -> Vec<Bar> {
    let (x, y) = (time_scale(h), count_scale(h));
    h.counts
        .iter()
        .enumerate()
        .filter(|&(_, &count)| count > 0)
        .map(|(i, &count)| {
            let (lo, hi) = (h.edges_us[i], h.edges_us[i + 1]);
            let (x0, x1) = (x.at(lo as f64), x.at(hi as f64));
            let top = y.at(count as f64);
            Bar {
                x: x0,
                // A hair's gap between neighbours, never less than a visible sliver.
                width: (x1 - x0 - 0.5).max(0.8),
                y: top,
                height: BOTTOM - top,
                count,
                lo_us: lo,
                hi_us: hi,
            }
        })
        .collect()
}

/// Ticks of a time axis drawn with `scale`.
pub fn time_ticks(scale: &Scale) -> (TimeUnit, Vec<Tick>) {
    let unit = TimeUnit::for_max(scale.hi);
    let ticks = log_ticks(scale.lo, scale.hi, 7)
        .into_iter()
        .map(|v| Tick {
            at: scale.at(v),
            label: unit.tick_label(v),
        })
        .collect();
    (unit, ticks)
}

#[derive(Properties, PartialEq)]
pub struct HistogramProps {
    pub title: AttrValue,
    pub histogram: Histogram,
    /// What one sample is, for the axis caption: "round trip".
    pub sample: AttrValue,
    /// What the time axis measures: "round trip time".
    pub measure: AttrValue,
}

#[component]
pub fn HistogramPlot(props: &HistogramProps) -> Html {
    let h = &props.histogram;
    let drawn = bars(h);
    let (unit, x_ticks) = time_ticks(&time_scale(h));
    let y = count_scale(h);
    let y_ticks: Vec<Tick> = linear_ticks(0.0, y.hi, 4)
        .into_iter()
        .map(|v| Tick {
            at: y.at(v),
            label: format!("{v}"),
        })
        .collect();
    let rects = drawn.iter().map(|b| {
        html! {
            <rect class="bar" x={fmt(b.x)} y={fmt(b.y)} width={fmt(b.width)}
                height={fmt(b.height)} data-count={b.count.to_string()}
                data-lo-us={b.lo_us.to_string()} data-hi-us={b.hi_us.to_string()}>
                <title>{ format!("{} in {}–{}", b.count, unit.tick_label(b.lo_us as f64),
                    unit.tick_label(b.hi_us as f64)) }</title>
            </rect>
        }
    });
    html! {
        <svg class="plot histogram-plot" viewBox={view_box()} role="img"
            aria-label={props.title.clone()} data-total={h.count.to_string()}
            data-bars={drawn.len().to_string()} data-buckets={h.counts.len().to_string()}
            data-unit={unit.symbol()}>
            { title(&props.title) }
            { for rects }
            { x_axis(&x_ticks, &format!("{} ({}, log scale)", props.measure, unit.symbol())) }
            { y_axis(&y_ticks, &format!("{}s", props.sample)) }
        </svg>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bar_heights_are_proportional_to_counts() {
        let samples = [100u64, 100, 100, 100, 200, 200, 400];
        let h = Histogram::from_samples(samples);
        let b = bars(&h);
        assert_eq!(b.len(), 3, "one bar per bucket that counted something");
        assert_eq!(b.iter().map(|b| b.count).sum::<u64>(), 7);
        let full = BOTTOM - TOP;
        assert!(
            (b[0].height - full).abs() < 1e-9,
            "the fullest bucket fills the height"
        );
        assert!((b[1].height - full / 2.0).abs() < 1e-9);
        assert!((b[2].height - full / 4.0).abs() < 1e-9);
        for bar in &b {
            assert!(
                (bar.y + bar.height - BOTTOM).abs() < 1e-9,
                "bars stand on the axis"
            );
        }
    }

    #[test]
    fn bars_run_left_to_right_inside_the_plot() {
        let h = Histogram::from_samples((1..=500u64).map(|i| i * 37));
        let b = bars(&h);
        assert!(b.windows(2).all(|w| w[0].x < w[1].x));
        assert!(b.first().unwrap().x >= LEFT);
        assert!(b.iter().all(|b| b.x + b.width <= RIGHT + 1e-9));
    }

    #[test]
    fn an_empty_histogram_draws_no_bars() {
        assert!(bars(&Histogram::default()).is_empty());
    }

    #[test]
    fn time_ticks_follow_the_range() {
        let h = Histogram::from_samples([90u64, 2_300]);
        let (unit, ticks) = time_ticks(&time_scale(&h));
        assert_eq!(unit, TimeUnit::Millis);
        let labels: Vec<&str> = ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, ["0.1 ms", "0.2 ms", "0.5 ms", "1 ms", "2 ms"]);
        assert!(ticks.windows(2).all(|w| w[0].at < w[1].at));
        let short = Histogram::from_samples([20u64, 300]);
        assert_eq!(time_ticks(&time_scale(&short)).0, TimeUnit::Micros);
    }
}
