//! Numbers as the pages print them: durations in milliseconds, shares as percentages,
//! counts in sentences. Pure functions, unit-tested natively; no Yew here.

/// Microseconds as milliseconds with one decimal: `802911` → `"802.9 ms"`.
pub fn format_ms(us: u64) -> String {
    format!("{:.1} ms", us as f64 / 1000.0)
}

/// Nanoseconds as milliseconds with three decimals: `1_234_567` → `"1.235"`.
pub fn format_ns_ms(ns: u64) -> String {
    format!("{:.3}", ns as f64 / 1e6)
}

/// `part` as a percentage of `whole` (0 when `whole` is 0), for bar geometry.
pub fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

/// A count for a sentence: "once", "3 times".
pub fn times(n: u64) -> String {
    if n == 1 {
        "once".to_owned()
    } else {
        format!("{n} times")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_microseconds_as_milliseconds() {
        assert_eq!(format_ms(802_911), "802.9 ms");
        assert_eq!(format_ms(0), "0.0 ms");
        assert_eq!(format_ms(50), "0.1 ms");
    }

    #[test]
    fn formats_nanoseconds_as_milliseconds() {
        assert_eq!(format_ns_ms(1_234_567), "1.235");
        assert_eq!(format_ns_ms(0), "0.000");
    }

    #[test]
    fn percent_handles_zero() {
        assert_eq!(percent(1, 0), 0.0);
        assert_eq!(percent(250, 1000), 25.0);
    }

    #[test]
    fn counts_read_as_words() {
        assert_eq!(times(1), "once");
        assert_eq!(times(0), "0 times");
        assert_eq!(times(3), "3 times");
    }
}
