//! Plots in a real browser: the echo run's latency histogram counts every round trip the
//! page reports and its CDF labels the p99 exactly as the page prints it; in the dark
//! theme the plot's computed colours still stand out from its background; the spawning
//! plot has one point per N; a long run shows a progress bar that moves.

use std::time::{Duration, Instant};

use pollscope_e2e::playground::Playground;
use pollscope_e2e::webdriver::Browser;

const WAIT: Duration = Duration::from_secs(30);

/// `rgb(r, g, b)` (or `rgba(…)`) as computed styles give it.
fn rgb(css: &str) -> [f64; 3] {
    let inner = css
        .trim_start_matches("rgba(")
        .trim_start_matches("rgb(")
        .trim_end_matches(')');
    let v: Vec<f64> = inner
        .split(',')
        .filter_map(|p| p.trim().parse().ok())
        .collect();
    assert!(v.len() >= 3, "not a colour: {css}");
    [v[0], v[1], v[2]]
}

/// WCAG contrast ratio of two sRGB colours.
fn contrast(a: [f64; 3], b: [f64; 3]) -> f64 {
    let lum = |c: [f64; 3]| {
        let lin = |x: f64| {
            let x = x / 255.0;
            if x <= 0.039_28 {
                x / 12.92
            } else {
                ((x + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2])
    };
    let (la, lb) = (lum(a), lum(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// The computed `property` of the first element matching `css`.
fn computed(browser: &Browser, css: &str, property: &str) -> String {
    let script = format!(
        "const e = document.querySelector({css:?});
         return e ? getComputedStyle(e).getPropertyValue({property:?}) : '';"
    );
    browser
        .execute(&script)
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn the_echo_plots_count_every_round_trip_and_read_in_the_dark_theme() {
    let playground = Playground::start();
    let browser = Browser::start();
    browser.open_connected(&playground.demo_url("echo"));
    const CLIENTS: u64 = 4;
    const MESSAGES: u64 = 60;
    browser.set_param("clients", CLIENTS, WAIT);
    browser.set_param("messages", MESSAGES, WAIT);
    browser.click(&browser.wait_for("#run-button", WAIT));
    let result = browser.wait_for("#echo-result", WAIT);
    let round_trips = browser.number::<u64>(&result, "data-round-trips");
    assert_eq!(round_trips, CLIENTS * MESSAGES);

    // The histogram counted every round trip, and its drawn bars add up to them.
    let histogram = browser.wait_for("#echo-result svg.histogram-plot", WAIT);
    assert_eq!(browser.number::<u64>(&histogram, "data-total"), round_trips);
    let bars = browser.find_all("#echo-result svg.histogram-plot rect.bar");
    assert_eq!(
        bars.len() as u64,
        browser.number::<u64>(&histogram, "data-bars")
    );
    assert!(!bars.is_empty());
    let counted: u64 = bars
        .iter()
        .map(|b| browser.number::<u64>(b, "data-count"))
        .sum();
    assert_eq!(counted, round_trips, "the bars hold every round trip");
    assert!(bars.len() <= 48);

    // The CDF's p99 label is the page's p99, character for character.
    let text = browser.text(&result);
    let p99 = text
        .split("p99 ")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .unwrap_or_else(|| panic!("no p99 on the page: {text}"))
        .to_owned();
    let mark = browser.wait_for("#echo-result svg.cdf-plot [data-mark=p99]", WAIT);
    assert_eq!(
        browser.attr(&mark, "data-label").as_deref(),
        Some(p99.as_str())
    );
    assert_eq!(browser.text(&mark), format!("p99 {p99}"));
    let cdf = browser.wait_for("#echo-result svg.cdf-plot", WAIT);
    assert_eq!(browser.number::<u64>(&cdf, "data-total"), round_trips);

    // Both themes: the bars, the curve and the labels stand out from the plot.
    for theme in ["light", "dark"] {
        browser.click(&browser.wait_for(&format!("#theme-{theme}"), WAIT));
        let deadline = Instant::now() + WAIT;
        while browser
            .execute("return document.documentElement.getAttribute('data-theme') || '';")
            .as_str()
            != Some(theme)
        {
            assert!(Instant::now() < deadline, "the {theme} theme");
            std::thread::sleep(Duration::from_millis(30));
        }
        let bg = rgb(&computed(
            &browser,
            "#echo-result svg.histogram-plot",
            "background-color",
        ));
        for (what, css, property, floor) in [
            ("bar", "#echo-result rect.bar", "fill", 3.0),
            ("curve", "#echo-result .cdf-plot .curve", "stroke", 3.0),
            (
                "p99 label",
                "#echo-result .cdf-plot .mark.p99 text",
                "fill",
                4.5,
            ),
            (
                "tick label",
                "#echo-result .histogram-plot .tick text",
                "fill",
                4.5,
            ),
        ] {
            let c = contrast(rgb(&computed(&browser, css, property)), bg);
            assert!(c >= floor, "{what} in the {theme} theme: {c:.2}");
        }
        if theme == "dark" {
            assert_eq!(bg, [30.0, 34.0, 39.0], "the dark panel behind the plot");
        }
    }
}

#[test]
fn the_spawning_plot_has_one_point_per_n() {
    let playground = Playground::start();
    let browser = Browser::start();
    browser.open_connected(&playground.demo_url("spawning"));
    browser.set_param("max_tasks", 300, WAIT);
    browser.click(&browser.wait_for("#run-button", WAIT));
    let result = browser.wait_for("#spawning-result", WAIT);
    let parts = browser.number::<usize>(&result, "data-parts");
    let rows: Vec<u64> = browser
        .find_all("#spawning-result tr.spawn-row")
        .iter()
        .map(|r| browser.number::<u64>(r, "data-tasks"))
        .collect();
    assert_eq!(rows.len(), parts);
    for series in ["p50", "p99"] {
        let css = format!("#spawning-result .line-plot [data-series={series}] circle");
        let points: Vec<u64> = browser
            .find_all(&css)
            .iter()
            .map(|c| browser.number::<u64>(c, "data-n"))
            .collect();
        assert_eq!(points, rows, "{series}: one point per N, in order");
    }
    // The p99 points are the table's p99 column, in µs.
    let p99s: Vec<u64> = browser
        .find_all("#spawning-result .line-plot [data-series=p99] circle")
        .iter()
        .map(|c| browser.number::<u64>(c, "data-us"))
        .collect();
    assert_eq!(p99s.len(), parts);
    // The largest N's histogram counted each of its tasks.
    let largest = *rows.iter().max().unwrap();
    let histogram = browser.wait_for("#spawning-result svg.histogram-plot", WAIT);
    assert_eq!(browser.number::<u64>(&histogram, "data-total"), largest);
}

#[test]
fn a_long_run_shows_a_progress_bar_that_moves() {
    let playground = Playground::start();
    let browser = Browser::start();
    browser.open_connected(&playground.demo_url("seq_vs_concurrent"));
    // 2 s + 2 s one after the other, then 2 s together: about 6 s of run.
    browser.set_param("delay_a_ms", 2000, WAIT);
    browser.set_param("delay_b_ms", 2000, WAIT);
    browser.click(&browser.wait_for("#run-button", WAIT));
    let bar = browser.wait_for("#run-progress", WAIT);
    let max = browser.number::<u64>(&bar, "aria-valuemax");
    assert!(max >= 1000, "the limit is at least a second: {max} ms");
    let first = browser.number::<u64>(&bar, "aria-valuenow");
    // The value climbs while the run is still running (the sequential part alone takes
    // 4 s, far more than the 250 ms between redraws).
    let deadline = Instant::now() + WAIT;
    let later = loop {
        std::thread::sleep(Duration::from_millis(100));
        let Some(bar) = browser.find_all("#run-progress").into_iter().next() else {
            panic!("the run ended before its bar moved past {first} ms");
        };
        let now = browser.number::<u64>(&bar, "aria-valuenow");
        if now > first {
            break now;
        }
        assert!(Instant::now() < deadline, "the bar stayed at {first} ms");
    };
    assert!(later <= max);
    browser.wait_for("#result", WAIT);
}
