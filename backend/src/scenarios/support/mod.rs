//! What several scenarios use: stand-in services on loopback (the listener scaffold they
//! share, HTTP, echo, a keep-alive server that counts its connections, a server that
//! fails its first requests), CPU work inside a poll, percentiles of measurements.
//!
//! Uses only Tokio and std; it knows no scenario.

pub mod cpu;
pub mod loopback;
pub mod loopback_counting;
pub mod loopback_echo;
pub mod loopback_flaky;
pub mod loopback_http;

pub use cpu::burn_cpu;

/// The value at percentile `p` (0..=100) of sorted values; 0 for none.
pub fn percentile<T: Copy + Default>(sorted: &[T], p: usize) -> T {
    match sorted.len() {
        0 => T::default(),
        n => sorted[(n * p / 100).min(n - 1)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_of_sorted_values() {
        let values: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&values, 50), 51);
        assert_eq!(percentile(&values, 99), 100);
        assert_eq!(percentile(&values, 100), 100);
        assert_eq!(percentile::<u64>(&[], 50), 0);
    }
}
