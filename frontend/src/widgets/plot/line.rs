//! [`LinePlot`]: series of measured times against a count (spawn → first poll delay
//! against the number of tasks spawned): one point per measurement, joined in order,
//! the count on a log axis, the time on a linear one from 0.
//!
//! [`points`] is the geometry (pure, tested natively).

use yew::prelude::*;

use super::axis::{Scale, TimeUnit, linear_ticks, log_ticks};
use super::{BOTTOM, LEFT, RIGHT, TOP, Tick, fmt, title, view_box, x_axis, y_axis};

/// One series: its name (legend and `data-series`), its CSS class (colour) and its
/// `(count, time_us)` points.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: AttrValue,
    pub class: &'static str,
    pub points: Vec<(u64, u64)>,
}

/// The scales of a plot of `series`.
pub fn scales(series: &[Series]) -> (Scale, Scale) {
    let all = || series.iter().flat_map(|s| s.points.iter());
    let lo = all().map(|p| p.0).min().unwrap_or(1) as f64;
    let hi = all().map(|p| p.0).max().unwrap_or(1) as f64;
    let top = all().map(|p| p.1).max().unwrap_or(0).max(1) as f64;
    // A single count sits in the middle of its axis.
    let (lo, hi) = if hi > lo {
        (lo, hi)
    } else {
        (lo / 3.0, lo * 3.0)
    };
    let pad = (hi / lo).powf(0.04);
    (
        Scale::log(lo / pad, hi * pad, LEFT, RIGHT),
        Scale::linear(0.0, top * 1.08, BOTTOM, TOP),
    )
}

/// Each series' points in SVG units, in the series' order.
pub fn points(series: &[Series]) -> Vec<Vec<(f64, f64)>> {
    let (x, y) = scales(series);
    series
        .iter()
        .map(|s| {
            s.points
                .iter()
                .map(|&(n, us)| (x.at(n as f64), y.at(us as f64)))
                .collect()
        })
        .collect()
}

#[derive(Properties, PartialEq)]
pub struct LinePlotProps {
    pub title: AttrValue,
    /// What the x axis counts: "tasks spawned (N)".
    pub x_caption: AttrValue,
    /// What the y axis times: "spawn → first poll".
    pub y_caption: AttrValue,
    pub series: Vec<Series>,
}

#[component]
pub fn LinePlot(props: &LinePlotProps) -> Html {
    let (x, y) = scales(&props.series);
    let unit = TimeUnit::for_max(y.hi);
    let x_ticks: Vec<Tick> = log_ticks(x.lo, x.hi, 7)
        .into_iter()
        .map(|v| Tick {
            at: x.at(v),
            label: format!("{v}"),
        })
        .collect();
    let y_ticks: Vec<Tick> = linear_ticks(0.0, y.hi, 4)
        .into_iter()
        .map(|v| Tick {
            at: y.at(v),
            label: unit.tick_label(v),
        })
        .collect();
    let drawn = points(&props.series);
    let lines = props.series.iter().zip(&drawn).enumerate().map(|(i, (s, pts))| {
        let path = pts
            .iter()
            .map(|&(px, py)| format!("{},{}", fmt(px), fmt(py)))
            .collect::<Vec<_>>()
            .join(" ");
        let dots = s.points.iter().zip(pts).map(|(&(n, us), &(px, py))| {
            html! {
                <circle cx={fmt(px)} cy={fmt(py)} r="3.5" data-n={n.to_string()}
                    data-us={us.to_string()}>
                    <title>{ format!("{}: N = {n}, {}", s.name, unit.tick_label(us as f64)) }</title>
                </circle>
            }
        });
        let legend_y = TOP + 4.0 + 14.0 * i as f64;
        html! {
            <g class={classes!("series", s.class)} data-series={s.name.clone()}
                data-points={s.points.len().to_string()}>
                <polyline points={path} />
                { for dots }
                <text class="legend" x={fmt(LEFT + 10.0)} y={fmt(legend_y)}>{ s.name.clone() }</text>
            </g>
        }
    });
    html! {
        <svg class="plot line-plot" viewBox={view_box()} role="img"
            aria-label={props.title.clone()} data-unit={unit.symbol()}>
            { title(&props.title) }
            { for lines }
            { x_axis(&x_ticks, &format!("{} (log scale)", props.x_caption)) }
            { y_axis(&y_ticks, &format!("{} ({})", props.y_caption, unit.symbol())) }
        </svg>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(points: Vec<(u64, u64)>) -> Series {
        Series {
            name: "p99".into(),
            class: "p99",
            points,
        }
    }

    #[test]
    fn one_point_per_measurement_left_to_right_and_higher_for_longer() {
        let s = [series(vec![(10, 50), (100, 400), (1000, 3_000)])];
        let p = &points(&s)[0];
        assert_eq!(p.len(), 3);
        assert!(
            p.windows(2).all(|w| w[0].0 < w[1].0),
            "N grows to the right"
        );
        assert!(
            p.windows(2).all(|w| w[0].1 > w[1].1),
            "a longer delay is higher up"
        );
        // Log axis: 10 → 100 is as wide as 100 → 1000.
        assert!(((p[1].0 - p[0].0) - (p[2].0 - p[1].0)).abs() < 1e-9);
        // A linear time axis from 0.
        let (_, y) = scales(&s);
        assert_eq!(y.at(0.0), BOTTOM);
        assert!(
            p.iter()
                .all(|&(x, y)| (LEFT..=RIGHT).contains(&x) && (TOP..=BOTTOM).contains(&y))
        );
    }

    #[test]
    fn a_single_count_sits_inside_the_axis() {
        let p = &points(&[series(vec![(10, 50)])])[0];
        assert!(p[0].0 > LEFT && p[0].0 < RIGHT);
    }
}
