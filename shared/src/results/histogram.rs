//! A latency histogram small enough to ride in a result: log-scale buckets in whole
//! microseconds, at most [`MAX_BUCKETS`] of them, plus the count, minimum and maximum of
//! the samples.
//!
//! The backend builds one from the same samples it takes a result's percentiles from, so
//! the plots the browser draws from it agree with the numbers the page prints.
//!
//! ## The scale
//! Buckets are log-linear, like an HDR histogram: each power of two ("octave") is cut
//! into `per_octave` equal parts, so a bucket's width is a fixed fraction of its value
//! and a 40 µs bucket is as informative as a 40 ms one. Values below `per_octave` get a
//! bucket each. The histogram picks the finest `per_octave` (16, 8, 4, 2 or 1) whose
//! buckets from the smallest to the largest sample fit in [`MAX_BUCKETS`]; only when even
//! one bucket per octave does not fit (samples spanning more than 2^47) does the last
//! bucket take every sample above its lower edge.
//!
//! Uses only serde.

use serde::{Deserialize, Serialize};

/// The most buckets a histogram holds, whatever its samples.
pub const MAX_BUCKETS: usize = 48;

/// Resolutions tried, finest first: buckets per octave (each a power of two).
const RESOLUTIONS: [u32; 5] = [16, 8, 4, 2, 1];

/// Samples counted in log-scale buckets. Bucket `i` counts the samples `v` with
/// `edges_us[i] <= v < edges_us[i + 1]` (the last edge is the largest sample + 1,
/// saturating at `u64::MAX`, whose samples count in the last bucket); there is one more
/// edge than there are counts, none for no samples.
///
/// A histogram read from the wire or from a saved file is checked as it is decoded (see
/// [`Unchecked`]): one that breaks these rules is a decoding error, never a page that
/// indexes past its buckets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Unchecked")]
pub struct Histogram {
    /// How many samples were counted: the sum of `counts`.
    pub count: u64,
    pub min_us: u64,
    pub max_us: u64,
    /// Buckets per power of two (see the module doc); 0 for no samples.
    pub per_octave: u32,
    pub edges_us: Vec<u64>,
    pub counts: Vec<u64>,
}

/// A histogram as decoded, before [`Histogram`]'s rules are checked.
#[derive(Deserialize)]
struct Unchecked {
    count: u64,
    min_us: u64,
    max_us: u64,
    per_octave: u32,
    edges_us: Vec<u64>,
    counts: Vec<u64>,
}

impl TryFrom<Unchecked> for Histogram {
    type Error = String;

    fn try_from(h: Unchecked) -> Result<Self, String> {
        let buckets = h.counts.len();
        if buckets > MAX_BUCKETS {
            return Err(format!(
                "histogram: {buckets} buckets, at most {MAX_BUCKETS}"
            ));
        }
        let edges = if buckets == 0 { 0 } else { buckets + 1 };
        if h.edges_us.len() != edges {
            return Err(format!(
                "histogram: {} edges for {buckets} buckets",
                h.edges_us.len()
            ));
        }
        if h.edges_us.windows(2).any(|w| w[0] > w[1]) {
            return Err("histogram: edges out of order".to_owned());
        }
        let sum = h.counts.iter().try_fold(0u64, |a, &c| a.checked_add(c));
        if sum != Some(h.count) {
            return Err(format!("histogram: counts do not add up to {}", h.count));
        }
        if h.count > 0 && h.min_us > h.max_us {
            return Err("histogram: min above max".to_owned());
        }
        if h.per_octave != 0 && !RESOLUTIONS.contains(&h.per_octave) {
            return Err(format!("histogram: {} buckets per octave", h.per_octave));
        }
        Ok(Self {
            count: h.count,
            min_us: h.min_us,
            max_us: h.max_us,
            per_octave: h.per_octave,
            edges_us: h.edges_us,
            counts: h.counts,
        })
    }
}

impl Histogram {
    /// Counts `samples` (microseconds) in the finest buckets that fit.
    pub fn from_samples(samples: impl IntoIterator<Item = u64> + Clone) -> Self {
        let (mut min, mut max, mut count) = (u64::MAX, 0, 0u64);
        for v in samples.clone() {
            min = min.min(v);
            max = max.max(v);
            count += 1;
        }
        if count == 0 {
            return Self::default();
        }
        let per_octave = RESOLUTIONS
            .into_iter()
            .find(|&p| bucket_index(max, p) - bucket_index(min, p) < MAX_BUCKETS as u64)
            .unwrap_or(1);
        let first = bucket_index(min, per_octave);
        let buckets = ((bucket_index(max, per_octave) - first + 1) as usize).min(MAX_BUCKETS);
        let mut edges_us: Vec<u64> = (0..buckets as u64)
            .map(|i| lower_edge(first + i, per_octave))
            .collect();
        edges_us.push(max.saturating_add(1));
        let mut counts = vec![0; buckets];
        for v in samples {
            let i = ((bucket_index(v, per_octave) - first) as usize).min(buckets - 1);
            counts[i] += 1;
        }
        Self {
            count,
            min_us: min,
            max_us: max,
            per_octave,
            edges_us,
            counts,
        }
    }

    /// Whether no sample was counted (also what a result saved before histograms existed
    /// decodes to).
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The bucket that holds `value_us`, if it lies within the samples' range.
    pub fn bucket_of(&self, value_us: u64) -> Option<usize> {
        if self.is_empty() || value_us < self.min_us || value_us > self.max_us {
            return None;
        }
        let last = self.counts.len() - 1;
        Some(
            self.edges_us[1..=last]
                .iter()
                .position(|&edge| value_us < edge)
                .unwrap_or(last),
        )
    }

    /// The share of samples in bucket `i` and every bucket before it (0 to 1).
    pub fn cumulative_share(&self, i: usize) -> f64 {
        let upto: u64 = self.counts.iter().take(i + 1).sum();
        upto as f64 / self.count.max(1) as f64
    }
}

/// `log2` of a resolution (a power of two).
fn shift_of(per_octave: u32) -> u32 {
    per_octave.trailing_zeros()
}

/// The index of `v`'s bucket on the unbounded scale of `per_octave` buckets an octave.
fn bucket_index(v: u64, per_octave: u32) -> u64 {
    let p = u64::from(per_octave);
    if v < p {
        return v;
    }
    let s = shift_of(per_octave);
    let octave = 63 - v.leading_zeros(); // ≥ s, as v ≥ 2^s
    let sub = (v >> (octave - s)) & (p - 1);
    p * u64::from(octave - s + 1) + sub
}

/// The smallest value in bucket `index` of the unbounded scale (saturating at
/// `u64::MAX` past the top of the scale).
fn lower_edge(index: u64, per_octave: u32) -> u64 {
    let p = u64::from(per_octave);
    if index < p {
        return index;
    }
    let s = shift_of(per_octave);
    let octave = index / p - 1 + u64::from(s);
    let sub = index % p;
    let edge = u128::from(p + sub) << (octave - u64::from(s));
    u64::try_from(edge).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scale_is_contiguous_and_each_value_lies_within_its_bucket() {
        for p in RESOLUTIONS {
            for v in (0..5_000u64).chain([u64::MAX / 3, u64::MAX - 1]) {
                let i = bucket_index(v, p);
                assert!(lower_edge(i, p) <= v, "p={p} v={v}");
                assert!(v < lower_edge(i + 1, p) || lower_edge(i + 1, p) == u64::MAX);
            }
            for i in 0..=(u64::from(p) * 60).min(200) {
                assert_eq!(bucket_index(lower_edge(i, p), p), i, "p={p} i={i}");
            }
        }
    }

    #[test]
    fn bucket_edges_for_four_per_octave() {
        let edges: Vec<u64> = (0..13).map(|i| lower_edge(i, 4)).collect();
        assert_eq!(edges, [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16]);
    }

    #[test]
    fn no_samples_make_an_empty_histogram() {
        let h = Histogram::from_samples(std::iter::empty());
        assert!(h.is_empty());
        assert!(h.counts.is_empty() && h.edges_us.is_empty());
        assert_eq!(h.bucket_of(0), None);
        assert_eq!(h, Histogram::default());
    }

    #[test]
    fn counts_every_sample_and_keeps_the_range() {
        let samples: Vec<u64> = (0..1_000).map(|i| 100 + i * i).collect();
        let h = Histogram::from_samples(samples.iter().copied());
        assert_eq!(h.count, 1_000);
        assert_eq!(h.counts.iter().sum::<u64>(), 1_000);
        assert_eq!((h.min_us, h.max_us), (100, 100 + 999 * 999));
        assert_eq!(h.edges_us.len(), h.counts.len() + 1);
        assert!(h.counts.len() <= MAX_BUCKETS);
        assert!(h.edges_us.windows(2).all(|w| w[0] < w[1]));
        assert!(h.edges_us[0] <= h.min_us && h.max_us < *h.edges_us.last().unwrap());
        for &v in &samples {
            let i = h.bucket_of(v).unwrap();
            assert!(h.edges_us[i] <= v && v < h.edges_us[i + 1], "v={v}");
        }
        assert!((h.cumulative_share(h.counts.len() - 1) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn picks_the_finest_resolution_that_fits() {
        // 100..=200 µs is one octave: 16 buckets an octave fit.
        let narrow = Histogram::from_samples(100..=200u64);
        assert_eq!(narrow.per_octave, 16);
        // 1 µs .. 1 s is about 20 octaves: only 2 an octave fit in 48.
        let wide = Histogram::from_samples([1u64, 1_000_000]);
        assert_eq!(wide.per_octave, 2);
        assert_eq!(wide.counts.first(), Some(&1));
        assert_eq!(wide.counts.last(), Some(&1));
        assert!(wide.counts.len() <= MAX_BUCKETS);
    }

    #[test]
    fn one_value_makes_one_bucket() {
        let h = Histogram::from_samples([42u64; 7]);
        assert_eq!(h.counts, [7]);
        assert_eq!(h.edges_us.len(), 2);
        assert_eq!(h.bucket_of(42), Some(0));
        assert_eq!(h.bucket_of(41), None);
    }

    #[test]
    fn huge_values_stay_bounded_and_counted() {
        let h = Histogram::from_samples([0u64, 1, u64::MAX]);
        assert_eq!(h.per_octave, 1);
        assert_eq!(h.counts.len(), MAX_BUCKETS);
        assert_eq!(h.count, 3);
        assert_eq!(
            *h.counts.last().unwrap(),
            1,
            "u64::MAX lands in the last bucket"
        );
        assert_eq!(h.bucket_of(u64::MAX), Some(MAX_BUCKETS - 1));
        assert_eq!(*h.edges_us.last().unwrap(), u64::MAX);
    }

    #[test]
    fn a_histogram_decodes_back_and_a_broken_one_is_an_error() {
        let h = Histogram::from_samples([3, 40, 41, 900, 70_000]);
        let json = serde_json::to_value(&h).unwrap();
        assert_eq!(
            serde_json::from_value::<Histogram>(json.clone()).unwrap(),
            h
        );
        let broken = |edit: &dyn Fn(&mut serde_json::Value)| {
            let mut v = json.clone();
            edit(&mut v);
            serde_json::from_value::<Histogram>(v)
                .unwrap_err()
                .to_string()
        };
        let e = broken(&|v| v["counts"].as_array_mut().unwrap().push(0.into()));
        assert!(e.contains("edges for"), "{e}");
        let e = broken(&|v| v["count"] = 6.into());
        assert!(e.contains("do not add up"), "{e}");
        let e = broken(&|v| v["edges_us"][1] = 0.into());
        assert!(e.contains("out of order"), "{e}");
        let e = broken(&|v| v["per_octave"] = 3.into());
        assert!(e.contains("per octave"), "{e}");
        let e = broken(&|v| {
            v["counts"] = serde_json::json!([u64::MAX, 2]);
            v["edges_us"] = serde_json::json!([1, 2, 3]);
        });
        assert!(e.contains("do not add up"), "{e}");
        let e = broken(&|v| {
            v["counts"] = vec![1u64; MAX_BUCKETS + 1].into();
            v["edges_us"] = (0..=MAX_BUCKETS as u64 + 1).collect::<Vec<_>>().into();
            v["count"] = (MAX_BUCKETS as u64 + 1).into();
        });
        assert!(e.contains("at most"), "{e}");
        // Counted samples with no buckets to hold them.
        let e = broken(&|v| {
            v["counts"] = serde_json::json!([]);
            v["edges_us"] = serde_json::json!([]);
        });
        assert!(e.contains("do not add up"), "{e}");
    }

    #[test]
    fn a_result_saved_without_a_histogram_decodes_to_an_empty_one() {
        #[derive(Deserialize)]
        struct Old {
            #[serde(default)]
            h: Histogram,
        }
        let old: Old = serde_json::from_str("{}").unwrap();
        assert!(old.h.is_empty());
    }
}
