//! Two runs of one demo, compared: which knobs differ, and how each headline number moved
//! between them, in words. Pure functions on the runs the page keeps (no Yew here), so
//! every sentence is unit-tested natively and quotes the numbers exactly as the table
//! beside it prints them.

use pollscope_shared::results::{Headline, Unit};
use pollscope_shared::scenario::{ParamSpec, ParamValues};

use super::label::{run_name, run_title};
use crate::state::PastRun;
use crate::widgets::format_ms;

/// A headline's value as the page prints it.
pub fn value_text(unit: Unit, value: u64) -> String {
    match unit {
        Unit::Micros => format_ms(value),
        Unit::NanosPerItem => format!("{value} ns per item"),
        Unit::Bytes => format!("{value} bytes"),
        Unit::Count => value.to_string(),
    }
}

/// One knob whose value differs between the two runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnobChange {
    pub label: String,
    pub before: String,
    pub after: String,
}

/// The knobs that differ between `a` and `b`, in the descriptor's order, their values as
/// the knobs name them (a choice by its name, a number with its unit).
pub fn knob_changes(specs: &[ParamSpec], a: &ParamValues, b: &ParamValues) -> Vec<KnobChange> {
    specs
        .iter()
        .filter_map(|spec| {
            let value = |p: &ParamValues| p.get(&spec.name).copied().unwrap_or(spec.default);
            let (before, after) = (value(a), value(b));
            (before != after).then(|| KnobChange {
                label: spec.label.clone(),
                before: spec.value_text(before),
                after: spec.value_text(after),
            })
        })
        .collect()
}

/// How one headline moved from run A to run B.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Change {
    /// The difference is under the figure's noise: no change is claimed.
    WithinNoise,
    /// B is lower; `times` = A ÷ B (`None` when B is 0).
    Fell { times: Option<f64> },
    /// B is higher; `times` = B ÷ A (`None` when A is 0).
    Rose { times: Option<f64> },
}

impl Change {
    pub fn of(noise: u64, a: u64, b: u64) -> Self {
        let ratio = |big: u64, small: u64| (small > 0).then(|| big as f64 / small as f64);
        if a.abs_diff(b) < noise.max(1) {
            Self::WithinNoise
        } else if b < a {
            Self::Fell { times: ratio(a, b) }
        } else {
            Self::Rose { times: ratio(b, a) }
        }
    }

    /// For `data-change`.
    pub fn label(self) -> &'static str {
        match self {
            Self::WithinNoise => "within-noise",
            Self::Fell { .. } => "fell",
            Self::Rose { .. } => "rose",
        }
    }
}

/// "2.4×", "167×".
pub fn times_text(times: f64) -> String {
    if times < 10.0 {
        format!("{times:.1}×")
    } else {
        format!("{times:.0}×")
    }
}

/// One row of the side-by-side table: a headline both runs measured.
#[derive(Debug, Clone, PartialEq)]
pub struct HeadlineRow {
    pub key: String,
    pub label: String,
    pub unit: Unit,
    pub a: u64,
    pub b: u64,
    pub noise: u64,
    pub change: Change,
}

impl HeadlineRow {
    pub fn a_text(&self) -> String {
        value_text(self.unit, self.a)
    }

    pub fn b_text(&self) -> String {
        value_text(self.unit, self.b)
    }

    /// "The other clients' p99 round trip fell from 50.2 ms to 0.3 ms (167× lower)."
    pub fn sentence(&self) -> String {
        let what = capitalized(&self.label);
        let (a, b) = (self.a_text(), self.b_text());
        match self.change {
            Change::WithinNoise => format!(
                "{what} stayed within noise: {a}, then {b} (a difference under {} is not \
                 called a change).",
                value_text(self.unit, self.noise)
            ),
            Change::Fell { times } => {
                let by = times.map_or(String::new(), |t| format!(" ({} lower)", times_text(t)));
                format!("{what} fell from {a} to {b}{by}.")
            }
            Change::Rose { times } => {
                let by = times.map_or(String::new(), |t| format!(" ({} higher)", times_text(t)));
                format!("{what} rose from {a} to {b}{by}.")
            }
        }
    }
}

fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// The headlines both runs measured, in A's order, each with its change.
pub fn headline_rows(a: &[Headline], b: &[Headline]) -> Vec<HeadlineRow> {
    a.iter()
        .filter_map(|ha| {
            let hb = b.iter().find(|h| h.key == ha.key)?;
            let noise = ha.noise.max(hb.noise);
            Some(HeadlineRow {
                key: ha.key.clone(),
                label: ha.label.clone(),
                unit: ha.unit,
                a: ha.value,
                b: hb.value,
                noise,
                change: Change::of(noise, ha.value, hb.value),
            })
        })
        .collect()
}

/// What changed between run `a` and run `b` (older first), sentence by sentence: the
/// knobs that differ, then each headline both measured.
pub fn what_changed(specs: &[ParamSpec], a: &PastRun, b: &PastRun) -> Vec<String> {
    let knobs = knob_changes(specs, &a.params, &b.params);
    let mut notes = Vec::new();
    let runs = format!("{} and {}", run_title(a.run_id), run_name(b.run_id));
    if knobs.is_empty() {
        notes.push(format!(
            "{runs} used the same knobs: any difference below is run-to-run variation."
        ));
    } else {
        let list: Vec<String> = knobs
            .iter()
            .map(|k| {
                format!(
                    "\u{201c}{}\u{201d} went from {} to {}",
                    k.label, k.before, k.after
                )
            })
            .collect();
        notes.push(format!(
            "From {} to {}: {}.",
            run_name(a.run_id),
            run_name(b.run_id),
            list.join("; ")
        ));
    }
    let rows = headline_rows(&a.result.headlines(), &b.result.headlines());
    if rows.is_empty() {
        notes.push(format!("{runs} measured no figure in common to compare."));
    }
    notes.extend(rows.iter().map(HeadlineRow::sentence));
    notes
}

#[cfg(test)]
mod tests {
    use pollscope_shared::results::{
        BlockingRuntimeResult, BlockingWay, LongPoll, ScenarioResult, WayRun,
    };

    use super::*;

    fn way_spec() -> Vec<ParamSpec> {
        vec![
            ParamSpec::integer("work_ms", "Work", "ms", 50, 1, 200),
            ParamSpec::choice(
                "way",
                "Way",
                0,
                &["std::thread::sleep", "tokio::time::sleep"],
            ),
        ]
    }

    fn params(work: i64, way: i64) -> ParamValues {
        ParamValues::from([("work_ms".to_owned(), work), ("way".to_owned(), way)])
    }

    fn run(run_id: u64, way: BlockingWay, p99_us: u64, poll_us: u64) -> PastRun {
        let w = WayRun {
            way,
            others_round_trips: 60,
            others_p50_us: 60,
            others_p99_us: p99_us,
            others_max_us: p99_us,
            others_histogram: Default::default(),
            slow_request_us: 50_000,
            longest_poll: LongPoll {
                task: 7,
                task_name: "conn".to_owned(),
                client: Some(0),
                lane: 0,
                lane_name: "scenario-host".to_owned(),
                started_at_us: 0,
                busy_us: poll_us,
            },
            blocking_work: None,
            held_up: Vec::new(),
            events_recorded: 10,
            events_searched: 10,
            events_dropped: 0,
        };
        PastRun {
            run_id,
            params: params(50, i64::from(way != BlockingWay::ThreadSleep)),
            result: ScenarioResult::BlockingRuntime(BlockingRuntimeResult {
                workers: 0,
                clients: 4,
                messages: 20,
                work_ms: 50,
                slow_message: 10,
                ways: vec![w],
            }),
            fixing: None,
            guesses: Default::default(),
        }
    }

    #[test]
    fn the_knob_that_differs_is_named_by_its_choice() {
        let changes = knob_changes(&way_spec(), &params(50, 0), &params(50, 1));
        assert_eq!(
            changes,
            vec![KnobChange {
                label: "Way".into(),
                before: "std::thread::sleep".into(),
                after: "tokio::time::sleep".into()
            }]
        );
        let changes = knob_changes(&way_spec(), &params(50, 0), &params(80, 0));
        assert_eq!(
            (changes[0].before.as_str(), changes[0].after.as_str()),
            ("50 ms", "80 ms")
        );
        assert!(knob_changes(&way_spec(), &params(5, 1), &params(5, 1)).is_empty());
    }

    #[test]
    fn a_fix_run_says_the_p99_fell_with_the_numbers_the_table_prints() {
        let a = run(3, BlockingWay::ThreadSleep, 50_170, 50_112);
        let b = run(4, BlockingWay::TokioSleep, 310, 48);
        let notes = what_changed(&way_spec(), &a, &b);
        assert_eq!(
            notes[0],
            "From run 3 to run 4: “Way” went from std::thread::sleep to tokio::time::sleep."
        );
        let rows = headline_rows(&a.result.headlines(), &b.result.headlines());
        let p99 = rows.iter().find(|r| r.key == "others_p99").unwrap();
        assert_eq!(
            (p99.a_text(), p99.b_text()),
            ("50.2 ms".into(), "0.3 ms".into())
        );
        assert!(
            notes.contains(
                &"The other clients' p99 round trip fell from 50.2 ms to 0.3 ms (162× lower)."
                    .to_owned()
            ),
            "{notes:?}"
        );
        assert!(
            notes
                .iter()
                .any(|n| n.starts_with("The longest poll on a worker fell"))
        );
    }

    #[test]
    fn small_differences_are_noise_and_rises_are_rises() {
        assert_eq!(Change::of(1_000, 900, 700), Change::WithinNoise);
        assert_eq!(Change::of(0, 5, 5), Change::WithinNoise);
        assert_eq!(Change::of(0, 5, 6), Change::Rose { times: Some(1.2) });
        assert_eq!(Change::of(1_000, 3_000, 0), Change::Fell { times: None });
        let a = run(1, BlockingWay::TokioSleep, 900, 40);
        let b = run(2, BlockingWay::TokioSleep, 700, 45);
        let notes = what_changed(&way_spec(), &a, &b);
        assert!(notes[0].contains("used the same knobs"), "{notes:?}");
        assert!(
            notes[1].contains("stayed within noise: 0.9 ms, then 0.7 ms"),
            "{notes:?}"
        );
        let c = run(3, BlockingWay::TokioSleep, 9_000, 45);
        let rose = &what_changed(&way_spec(), &b, &c)[1];
        assert!(
            rose.contains("rose from 0.7 ms to 9.0 ms (13× higher)"),
            "{rose}"
        );
        assert_eq!(times_text(2.449), "2.4×");
    }

    #[test]
    fn runs_with_no_figure_in_common_say_so() {
        let a = run(1, BlockingWay::TokioSleep, 900, 40);
        let mut b = a.clone();
        b.run_id = 2;
        let ScenarioResult::BlockingRuntime(r) = &mut b.result else {
            unreachable!()
        };
        r.ways.push(r.ways[0].clone()); // two ways: their headlines carry the way's key
        let notes = what_changed(&way_spec(), &a, &b);
        assert!(notes[1].contains("no figure in common"), "{notes:?}");
    }
}
