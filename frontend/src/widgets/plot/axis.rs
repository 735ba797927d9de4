//! Axes of the plots: where a value lands on the drawing (linear or log scale), which
//! ticks an axis gets, and how a time tick is labelled (µs or ms, picked from the range).
//!
//! Pure functions, unit-tested natively; no Yew here. Tick labels in milliseconds use
//! the page's own [`format_ms`] where they name a measured figure; round tick values
//! drop their trailing zeros ("2 ms", "0.5 ms") so the axis stays short.

use crate::widgets::format_ms;

/// Where values of a range land between two pixel positions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    pub lo: f64,
    pub hi: f64,
    /// Pixel positions of `lo` and `hi` (for a y axis `from` is the bottom).
    pub from: f64,
    pub to: f64,
    pub log: bool,
}

impl Scale {
    pub fn linear(lo: f64, hi: f64, from: f64, to: f64) -> Self {
        Self {
            lo,
            hi: if hi > lo { hi } else { lo + 1.0 },
            from,
            to,
            log: false,
        }
    }

    /// A log scale; `lo` is raised to at least 1 (a latency of 0 µs sits on the axis).
    pub fn log(lo: f64, hi: f64, from: f64, to: f64) -> Self {
        let lo = lo.max(1.0);
        Self {
            lo,
            hi: if hi > lo { hi } else { lo * 2.0 },
            from,
            to,
            log: true,
        }
    }

    /// The pixel position of `v`, clamped to the range.
    pub fn at(&self, v: f64) -> f64 {
        let t = if self.log {
            (v.max(self.lo).ln() - self.lo.ln()) / (self.hi.ln() - self.lo.ln())
        } else {
            (v - self.lo) / (self.hi - self.lo)
        };
        self.from + t.clamp(0.0, 1.0) * (self.to - self.from)
    }
}

/// The unit a time axis is labelled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeUnit {
    Micros,
    Millis,
}

impl TimeUnit {
    /// Milliseconds once the axis reaches a millisecond, microseconds below.
    pub fn for_max(max_us: f64) -> Self {
        if max_us >= 1000.0 {
            TimeUnit::Millis
        } else {
            TimeUnit::Micros
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            TimeUnit::Micros => "µs",
            TimeUnit::Millis => "ms",
        }
    }

    /// A tick at `us` microseconds, in this unit: `"50 µs"`, `"2 ms"`, `"0.5 ms"`.
    pub fn tick_label(self, us: f64) -> String {
        match self {
            TimeUnit::Micros => format!("{} {}", trim(us), self.symbol()),
            TimeUnit::Millis => format!("{} {}", trim(us / 1000.0), self.symbol()),
        }
    }
}

/// A measured figure as the page prints it (so a plot's mark and the page's text agree).
pub fn figure_label(us: u64) -> String {
    format_ms(us)
}

/// A number with at most three decimals, trailing zeros dropped: `2.0` → `"2"`.
fn trim(v: f64) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_owned()
    } else {
        s.to_owned()
    }
}

/// Ticks for a linear axis from `lo` to `hi`: round steps of 1, 2 or 5 × 10^k, about
/// `want` of them, all within the range.
pub fn linear_ticks(lo: f64, hi: f64, want: usize) -> Vec<f64> {
    if hi <= lo || want == 0 {
        return vec![lo];
    }
    let raw = (hi - lo) / want as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * mag)
        .find(|&s| s >= raw)
        .unwrap_or(10.0 * mag);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    (first..=last).map(|i| i as f64 * step).collect()
}

/// Ticks for a log axis from `lo` to `hi` (both > 0): 1, 2 and 5 × 10^k within the
/// range, thinned to the decades alone when there are more than `want`.
pub fn log_ticks(lo: f64, hi: f64, want: usize) -> Vec<f64> {
    let lo = lo.max(1.0);
    let mut all = Vec::new();
    let mut decade = 10f64.powf(lo.log10().floor());
    while decade <= hi * 1.000_001 {
        for m in [1.0, 2.0, 5.0] {
            let v = m * decade;
            if v >= lo * 0.999_999 && v <= hi * 1.000_001 {
                all.push(v);
            }
        }
        decade *= 10.0;
    }
    if all.len() > want {
        all.retain(|v| (v.log10().fract()).abs() < 1e-9 || (1.0 - v.log10().fract()) < 1e-9);
    }
    if all.is_empty() {
        all.push(lo);
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_ticks_are_round_and_inside_the_range() {
        assert_eq!(
            linear_ticks(0.0, 100.0, 5),
            [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
        );
        assert_eq!(linear_ticks(0.0, 7.0, 4), [0.0, 2.0, 4.0, 6.0]);
        let t = linear_ticks(0.0, 1234.0, 4);
        assert_eq!(t, [0.0, 500.0, 1000.0]);
    }

    #[test]
    fn log_ticks_are_one_two_five_per_decade() {
        assert_eq!(
            log_ticks(80.0, 2300.0, 8),
            [100.0, 200.0, 500.0, 1000.0, 2000.0]
        );
        // Too many: decades only.
        assert_eq!(
            log_ticks(1.0, 1e6, 8),
            [1.0, 10.0, 100.0, 1e3, 1e4, 1e5, 1e6]
        );
        // A range inside one step still gets a tick.
        assert_eq!(log_ticks(120.0, 140.0, 8), [120.0]);
    }

    #[test]
    fn time_axes_switch_to_milliseconds_at_one() {
        assert_eq!(TimeUnit::for_max(999.0), TimeUnit::Micros);
        assert_eq!(TimeUnit::for_max(1000.0), TimeUnit::Millis);
        assert_eq!(TimeUnit::Micros.tick_label(50.0), "50 µs");
        assert_eq!(TimeUnit::Millis.tick_label(2000.0), "2 ms");
        assert_eq!(TimeUnit::Millis.tick_label(500.0), "0.5 ms");
        assert_eq!(figure_label(1480), "1.5 ms");
    }

    #[test]
    fn scales_map_the_range_onto_the_pixels() {
        let x = Scale::linear(0.0, 10.0, 40.0, 440.0);
        assert_eq!(x.at(0.0), 40.0);
        assert_eq!(x.at(5.0), 240.0);
        assert_eq!(x.at(20.0), 440.0, "clamped");
        let y = Scale::linear(0.0, 1.0, 200.0, 20.0);
        assert_eq!(y.at(1.0), 20.0, "a y axis grows upwards");
        let l = Scale::log(10.0, 1000.0, 0.0, 200.0);
        assert!(
            (l.at(100.0) - 100.0).abs() < 1e-9,
            "a decade is the same width"
        );
        assert_eq!(l.at(0.0), 0.0);
    }
}
