//! Level of detail: which items of a track to draw one by one, and which to merge into
//! count-carrying buckets.
//!
//! An item at least [`MIN_BAR_PX`] wide is drawn as itself. Narrower items that start in
//! the same pixel column are merged into one [`Lod::Bucket`] that knows how many items it
//! holds (and, through the track's prefix sums, their outcomes and busy time). The end of
//! a bucket is found by binary search, so a track costs O(visible columns × log n) per
//! frame however many events it holds: what a frame costs depends on what is visible.

use super::layout::Viewport;
use super::model::{Interval, OPEN};

/// Items narrower than this many pixels are candidates for a bucket.
pub const MIN_BAR_PX: f64 = 1.0;

/// One thing to draw for a track.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Lod {
    /// Item `i`, drawn on its own (at least one pixel wide).
    One(usize),
    /// Items `first..end` (two or more), all starting in the pixel column at `x`
    /// (plot coordinates); they cover `x .. x_end`.
    Bucket {
        first: usize,
        end: usize,
        x: f64,
        x_end: f64,
    },
}

impl Lod {
    /// How many items it stands for.
    pub fn count(&self) -> usize {
        match *self {
            Lod::One(_) => 1,
            Lod::Bucket { first, end, .. } => end - first,
        }
    }
}

/// Call `emit` for what to draw of `items` (sorted by start, non-overlapping) in `view`.
/// Open items end at `now`.
pub fn visible<T: Interval>(items: &[T], view: &Viewport, now: u64, mut emit: impl FnMut(Lod)) {
    let (t0, t1) = view.time_range();
    let end_of = |it: &T| {
        let e = it.end();
        if e == OPEN { now } else { e }
    };
    // Ends are sorted (items do not overlap), open ones last.
    let mut i = items.partition_point(|it| (end_of(it) as f64) < t0);
    while i < items.len() {
        let it = &items[i];
        let start = it.start() as f64;
        if start > t1 {
            break;
        }
        let width = (end_of(it) as f64 - start) / view.ns_per_px;
        if width >= MIN_BAR_PX {
            emit(Lod::One(i));
            i += 1;
            continue;
        }
        // A narrow item: take every item that starts in the same pixel column.
        let col = view.x(start).floor();
        let col_end_t = view.t(col + 1.0);
        let mut end = i + 1 + gallop(&items[i + 1..], |it| (it.start() as f64) < col_end_t);
        // Only the last of them can reach past the column: if it is wide, it is drawn
        // on its own.
        let last = &items[end - 1];
        if end - 1 > i && (end_of(last) as f64 - last.start() as f64) / view.ns_per_px >= MIN_BAR_PX
        {
            end -= 1;
        }
        if end == i + 1 {
            emit(Lod::One(i));
        } else {
            let x_end = view.x(end_of(&items[end - 1]) as f64).max(col + 1.0);
            emit(Lod::Bucket {
                first: i,
                end,
                x: col,
                x_end,
            });
        }
        i = end;
    }
}

/// `partition_point` that looks near the front first (1, 2, 4, … items ahead): a column
/// holds few items, so this costs O(log k) for k items in it rather than O(log n).
fn gallop<T>(items: &[T], pred: impl Fn(&T) -> bool) -> usize {
    let mut hi = 1;
    while hi < items.len() && pred(&items[hi - 1]) {
        hi *= 2;
    }
    let lo = hi / 2;
    let hi = hi.min(items.len());
    lo + items[lo..hi].partition_point(pred)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timeline::model::Item;

    fn items(spans: &[(u64, u64)]) -> Vec<Item> {
        spans
            .iter()
            .enumerate()
            .map(|(id, &(start, end))| Item {
                start,
                end,
                id: id as u32,
            })
            .collect()
    }

    fn view(t0: f64, ns_per_px: f64, width: f64) -> Viewport {
        Viewport {
            t0,
            ns_per_px,
            width,
        }
    }

    fn lods(items: &[Item], v: &Viewport, now: u64) -> Vec<Lod> {
        let mut out = Vec::new();
        visible(items, v, now, |l| out.push(l));
        out
    }

    #[test]
    fn gallop_is_partition_point() {
        let v: Vec<u32> = (0..100).collect();
        for n in 0..=100 {
            for len in [0, 1, 2, 3, 7, 64, 100] {
                let s = &v[..len];
                assert_eq!(gallop(s, |&x| x < n), s.partition_point(|&x| x < n));
            }
        }
    }

    #[test]
    fn wide_items_are_drawn_one_by_one() {
        let it = items(&[(0, 10), (20, 30), (40, 50)]);
        // 1 ns per pixel: every item is 10 px.
        let out = lods(&it, &view(0.0, 1.0, 100.0), 50);
        assert_eq!(out, vec![Lod::One(0), Lod::One(1), Lod::One(2)]);
    }

    #[test]
    fn only_visible_items_are_visited() {
        let it = items(&[(0, 10), (20, 30), (40, 50), (60, 70)]);
        let out = lods(&it, &view(25.0, 1.0, 20.0), 70);
        assert_eq!(out, vec![Lod::One(1), Lod::One(2)]);
    }

    #[test]
    fn narrow_items_in_one_column_become_a_bucket() {
        // 100 ns per pixel: items of 10 ns, four in column 0, two in column 1.
        let it = items(&[
            (0, 10),
            (20, 30),
            (40, 50),
            (60, 70),
            (100, 110),
            (150, 160),
        ]);
        let out = lods(&it, &view(0.0, 100.0, 10.0), 160);
        assert_eq!(
            out,
            vec![
                Lod::Bucket {
                    first: 0,
                    end: 4,
                    x: 0.0,
                    x_end: 1.0
                },
                Lod::Bucket {
                    first: 4,
                    end: 6,
                    x: 1.0,
                    x_end: 2.0
                },
            ]
        );
        assert_eq!(out.iter().map(Lod::count).sum::<usize>(), 6);
    }

    #[test]
    fn a_lone_narrow_item_is_still_one_bar() {
        let it = items(&[(0, 10), (500, 510)]);
        let out = lods(&it, &view(0.0, 100.0, 10.0), 510);
        assert_eq!(out, vec![Lod::One(0), Lod::One(1)]);
    }

    #[test]
    fn a_wide_item_after_narrow_ones_in_the_column_stays_separate() {
        let it = items(&[(0, 10), (20, 30), (50, 1000)]);
        let out = lods(&it, &view(0.0, 100.0, 20.0), 1000);
        assert_eq!(
            out,
            vec![
                Lod::Bucket {
                    first: 0,
                    end: 2,
                    x: 0.0,
                    x_end: 1.0
                },
                Lod::One(2)
            ]
        );
    }

    #[test]
    fn open_items_end_now() {
        let it = items(&[(0, 10), (20, OPEN)]);
        // Now is 5000: the open item is 50 px wide and visible at the right.
        let out = lods(&it, &view(1000.0, 100.0, 100.0), 5000);
        assert_eq!(out, vec![Lod::One(1)]);
    }

    #[test]
    fn cost_is_bounded_by_columns_not_items() {
        // A million 1-ns items, 2 ns apart, on a 500-pixel view of all of them.
        let it: Vec<Item> = (0..1_000_000u64)
            .map(|k| Item {
                start: 2 * k,
                end: 2 * k + 1,
                id: k as u32,
            })
            .collect();
        let v = view(0.0, 2_000_000.0 / 500.0, 500.0);
        let out = lods(&it, &v, 2_000_000);
        assert!(out.len() <= 501, "{} draw items", out.len());
        assert_eq!(out.iter().map(Lod::count).sum::<usize>(), 1_000_000);
    }
}
