//! Outline section 7 — per-task overhead vs batching.
//!
//! The server ran the same N tiny operations as one task per item, then as tasks of K
//! items for a few K, each way unrecorded (a few rounds) and once recorded (its own part
//! and timeline). The page shows, per way, the tasks, polls and events it took and its
//! cost per item with and without recording, and a notice computed from those numbers:
//! the costs as facts, and each comparison (which way was cheaper, what recording adds) as
//! a conclusion that needs the run's own rounds to support it, says "too close to call"
//! where they do not, and is left out when the machine was shared.

use pollscope_shared::results::{BatchWay, BatchingResult, ScenarioResult};
use pollscope_shared::scenario::id;
use yew::prelude::*;

use super::DemoPage;
use crate::state::RunState;
use crate::timeline::{PartRef, Timeline};
use crate::widgets::{DemoFrame, DemoProps, Note, WhatToNotice, format_ns_ms, percent};

impl DemoPage for BatchingPage {
    const ID: &'static str = id::BATCHING;
}

/// Below this ratio of per-item costs, two ways are too close to call, however steady
/// the run: the smallest difference the page names. A run's own rounds can widen it: a
/// single recorded round of a way may land anywhere in the spread of that way's plain
/// rounds, so two single rounds are compared against their ways' spreads multiplied
/// ([`round_margin`]); plain medians must also have rounds that do not overlap.
pub const CLEAR_RATIO: f64 = 1.2;

/// Nanoseconds per item as the page writes them: `3.25` → `"3.2 ns"`.
pub fn format_ns(ns: f64) -> String {
    format!("{ns:.1} ns")
}

/// A ratio as the page writes it: `9.49` → `"9.5×"`.
pub fn format_ratio(ratio: f64) -> String {
    format!("{ratio:.1}×")
}

/// How the page names a way.
pub fn way_name(way: &BatchWay) -> String {
    if way.batch == 1 {
        "one task per item".to_owned()
    } else {
        format!("batches of {}", way.batch)
    }
}

/// `a ÷ b`, or 1 when `b` is not positive (nothing measured).
fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { 1.0 }
}

/// How far a way's plain rounds spread: its slowest round ÷ its fastest (1 for none).
pub fn spread(way: &BatchWay) -> f64 {
    match (way.plain_wall_ns.first(), way.plain_wall_ns.last()) {
        (Some(&fastest), Some(&slowest)) => ratio(slowest as f64, fastest as f64),
        _ => 1.0,
    }
}

/// The ratio two single rounds of ways `a` and `b` must reach to differ beyond this run's
/// noise: the margin, or their plain rounds' spreads multiplied, whichever is wider.
pub fn round_margin(a: &BatchWay, b: &BatchWay) -> f64 {
    CLEAR_RATIO.max(spread(a) * spread(b))
}

/// The verdict for a ratio that was not clear: cheaper the other way round, or too close
/// for `why`.
fn unclear(ratio_value: f64, why: &str) -> String {
    if ratio_value < 1.0 {
        format!(
            "{} as much: one task per item came out cheaper in this run, which contradicts \
             what the code does; read nothing into these timings and run it again.",
            format_ratio(ratio_value)
        )
    } else {
        format!(
            "{} apart, too close to call in this run: {why}.",
            format_ratio(ratio_value)
        )
    }
}

/// What this run's numbers show, note by note; empty unless the run compared one task
/// per item with at least one batch size. The costs are facts; what they are compared to
/// (which was cheaper, by how much, what recording adds) are conclusions.
pub fn what_to_notice(result: &BatchingResult) -> Vec<Note> {
    let n = result.items;
    let (Some(one), Some(rest)) = (result.ways.first(), result.ways.get(1..)) else {
        return Vec::new();
    };
    let by = |cost: fn(&BatchWay, u32) -> f64| {
        rest.iter()
            .min_by(|a, b| cost(a, n).total_cmp(&cost(b, n)))
    };
    let (Some(plain_best), Some(recorded_best)) = (
        by(BatchWay::plain_ns_per_item),
        by(BatchWay::ns_per_item),
    ) else {
        return Vec::new();
    };
    if one.batch != 1 {
        return Vec::new();
    }
    let mut notes = plain_notes(n, one, plain_best);
    notes.extend(recorded_notes(n, one, recorded_best));
    notes.push(Note::Conclusion(overhead_note(n, one, recorded_best)));

    let dropped: u64 = result.ways.iter().map(|w| w.events_dropped).sum();
    if dropped > 0 {
        notes.push(Note::Fact(format!(
            "The recorder dropped {dropped} events (a thread's buffer was full before it was \
             drained): the event counts and timelines miss them. Wall times are unaffected."
        )));
    }
    if result.ways.iter().any(|w| w.checksum != result.expected_checksum) {
        notes.push(Note::Fact(
            "A way's checksum differs from the expected sum: some item did not run exactly \
             once. That is a bug; its numbers cannot be compared."
                .to_owned(),
        ));
    }
    notes
}

/// Without recording: what a task costs an ordinary program.
fn plain_notes(n: u32, one: &BatchWay, best: &BatchWay) -> Vec<Note> {
    let (one_plain, best_plain) = (one.plain_ns_per_item(n), best.plain_ns_per_item(n));
    let (one_fastest, one_slowest) = one.plain_range_ns_per_item(n);
    let (best_fastest, best_slowest) = best.plain_range_ns_per_item(n);
    let fact = format!(
        "Without recording, one task per item cost {} per item and {} cost {} (medians of \
         {} rounds; their rounds ranged {} – {} and {} – {}).",
        format_ns(one_plain),
        way_name(best),
        format_ns(best_plain),
        one.plain_wall_ns.len(),
        format_ns(one_fastest),
        format_ns(one_slowest),
        format_ns(best_fastest),
        format_ns(best_slowest),
    );
    let plain_ratio = ratio(one_plain, best_plain);
    let verdict = if plain_ratio >= CLEAR_RATIO && one_fastest > best_slowest {
        format!(
            "That is {} as much per item, and every round of one task per item was slower \
             than every round of {}. The operation itself is a few arithmetic steps; the rest \
             is the task: spawn allocates and queues it, a worker polls it, its end wakes the \
             JoinHandle, the join reads its output. A batch pays that once for {} items.",
            format_ratio(plain_ratio),
            way_name(best),
            best.batch,
        )
    } else {
        let why = if plain_ratio >= CLEAR_RATIO {
            format!(
                "one task per item's fastest round ({}) was no slower than the batches' \
                 slowest ({}): their rounds overlap",
                format_ns(one_fastest),
                format_ns(best_slowest)
            )
        } else {
            format!("the difference is within the {} margin", format_ratio(CLEAR_RATIO))
        };
        format!("{} Try more items, or run it again.", unclear(plain_ratio, &why))
    };
    vec![Note::Fact(fact), Note::Conclusion(verdict)]
}

/// Recorded: the same code, one round each, with pollscope's own cost per task on top.
fn recorded_notes(n: u32, one: &BatchWay, best: &BatchWay) -> Vec<Note> {
    let (one_rec, best_rec) = (one.ns_per_item(n), best.ns_per_item(n));
    let fact = format!(
        "Recorded, one task per item took {} per item ({} tasks, {} polls, {} events) and {} \
         took {} ({} tasks, {} polls, {} events).",
        format_ns(one_rec),
        one.tasks,
        one.polls,
        one.events_recorded,
        way_name(best),
        format_ns(best_rec),
        best.tasks,
        best.polls,
        best.events_recorded,
    );
    let recorded_ratio = ratio(one_rec, best_rec);
    let margin = round_margin(one, best);
    let verdict = if recorded_ratio >= margin {
        format!(
            "Recorded, that is {} as much per item, beyond the {} that one round of each may \
             vary by (the margin, or their plain rounds' spreads multiplied).",
            format_ratio(recorded_ratio),
            format_ratio(margin)
        )
    } else {
        format!(
            "Recorded, {}",
            unclear(
                recorded_ratio,
                &format!(
                    "one round of each may vary by {} (the margin, or their plain rounds' \
                     spreads multiplied)",
                    format_ratio(margin)
                )
            )
        )
    };
    vec![Note::Fact(fact), Note::Conclusion(verdict)]
}

/// What the recording itself costs: it is per task, so it inflates exactly the way that
/// makes the most tasks. Claimed only when the recorded round is beyond the plain rounds.
fn overhead_note(n: u32, one: &BatchWay, best: &BatchWay) -> String {
    let (one_rec, one_plain) = (one.ns_per_item(n), one.plain_ns_per_item(n));
    let (_, one_slowest) = one.plain_range_ns_per_item(n);
    let overhead = ratio(one_rec, one_plain);
    let margin = CLEAR_RATIO.max(spread(one));
    if overhead >= margin && one_rec > one_slowest {
        let fewer = if best.events_recorded < one.events_recorded {
            " Batches make fewer tasks, so they also record fewer events: compare the plain \
             column for the cost without pollscope."
        } else {
            ""
        };
        format!(
            "Part of the recorded per-task cost is pollscope's own: every task records at \
             least its spawn, its poll and its end, so one task per item cost {} recorded \
             against {} plain ({} as much, slower than its slowest plain round).{fewer}",
            format_ns(one_rec),
            format_ns(one_plain),
            format_ratio(overhead),
        )
    } else if overhead < 1.0 {
        format!(
            "Recording costs something per task too (a spawn, a poll and an end event each), \
             but here one task per item cost {} recorded, less than its {} plain: this run's \
             timings do not show what recording costs.",
            format_ns(one_rec),
            format_ns(one_plain),
        )
    } else {
        format!(
            "Recording costs something per task too (a spawn, a poll and an end event each), \
             but here one task per item cost {} recorded against {} plain ({} as much, not \
             beyond both the {} margin and its slowest plain round, {}): too close to call.",
            format_ns(one_rec),
            format_ns(one_plain),
            format_ratio(overhead),
            format_ratio(margin),
            format_ns(one_slowest),
        )
    }
}

#[component]
pub fn BatchingPage(props: &DemoProps) -> Html {
    let result = match &props.run {
        RunState::Finished {
            result: ScenarioResult::Batching(r),
            ..
        } => {
            // One timeline per way, each a part of the run with its own runtime.
            let timelines = r.ways.iter().enumerate().map(|(part, way)| {
                html! {
                    <Timeline key={part} recording_part={PartRef::new(id::BATCHING, part as u32)}
                        title={format!("Part {part}: {}", way_name(way))} />
                }
            });
            html! {
                <>
                    <BatchingResultView result={r.clone()} />
                    <div class="timelines">{ for timelines }</div>
                </>
            }
        }
        _ => html! {},
    };
    let explain = html! {
        <>
            <p>
                { "A task is cheap, not free. " }<code>{ "tokio::spawn" }</code>
                { " allocates the task and puts it in a run queue; a worker polls it; its end \
                   wakes whoever awaits its " }<code>{ "JoinHandle" }</code>
                { ", and the join reads its output. For real work that is nothing. For an \
                   operation of a few nanoseconds, it is nearly all of the cost." }
            </p>
            <p>
                { "So the same N tiny operations (a few arithmetic steps each, through " }
                <code>{ "std::hint::black_box" }</code>
                { ") run as one task per item, then as tasks of K items for K = 10, 100, …. \
                   Each way runs a few rounds without any recording (the plain cost), then once \
                   recorded, with its own timeline. Recording costs something per task as well \
                   (its spawn, poll and end are events), so the recorded numbers include \
                   pollscope's own overhead; the plain ones do not." }
            </p>
        </>
    };
    html! {
        <DemoFrame demo={props.clone()} explain={explain}>
            { result }
        </DemoFrame>
    }
}

#[derive(Properties, PartialEq)]
pub struct BatchingResultProps {
    pub result: BatchingResult,
}

#[component]
pub fn BatchingResultView(props: &BatchingResultProps) -> Html {
    let result = &props.result;
    let n = result.items;
    let slowest = result.ways.iter().map(|w| w.wall_ns).max().unwrap_or(1).max(1);
    let rows = result.ways.iter().enumerate().map(|(part, w)| {
        let (fastest, slowest_round) = w.plain_range_ns_per_item(n);
        let once = w.checksum == result.expected_checksum;
        html! {
            <tr class="batch-way" key={part} data-part={part.to_string()}
                data-batch={w.batch.to_string()} data-item-tasks={w.item_tasks.to_string()}
                data-tasks={w.tasks.to_string()} data-polls={w.polls.to_string()}
                data-events={w.events_recorded.to_string()}
                data-dropped={w.events_dropped.to_string()}
                data-wall-ns={w.wall_ns.to_string()}
                data-plain-median-ns={w.plain_median_ns().to_string()}
                data-plain-fastest-ns={w.plain_wall_ns.first().copied().unwrap_or(0).to_string()}
                data-plain-slowest-ns={w.plain_wall_ns.last().copied().unwrap_or(0).to_string()}
                data-checksum={w.checksum.to_string()}>
                <td>{ w.batch }</td>
                <td>{ w.tasks }</td>
                <td>{ w.polls }</td>
                <td>{ w.events_recorded }</td>
                <td>{ w.events_dropped }</td>
                <td class="bar-cell">
                    <span class="bar" style={format!("width: {:.1}%", percent(w.wall_ns, slowest))}></span>
                    { format!("{} ms", format_ns_ms(w.wall_ns)) }
                </td>
                <td class="ns-per-item">{ format_ns(w.ns_per_item(n)) }</td>
                <td class="plain-ns-per-item">{ format_ns(w.plain_ns_per_item(n)) }</td>
                <td>{ format!("{} – {}", format_ns(fastest), format_ns(slowest_round)) }</td>
                <td>{ if once { "yes" } else { "NO" } }</td>
            </tr>
        }
    });
    let runtime = if result.workers == 0 {
        "current_thread".to_owned()
    } else {
        format!("multi_thread with {} workers", result.workers)
    };
    let rounds = result.ways.first().map_or(0, |w| w.plain_wall_ns.len());
    let notes = what_to_notice(result);
    html! {
        <section id="batching-result" class="result" data-items={n.to_string()}
            data-workers={result.workers.to_string()}
            data-expected-checksum={result.expected_checksum.to_string()}>
            <p>{ format!(
                "{n} items on a {runtime} runtime, a fresh runtime per row and per measurement. \
                 Tasks include each part's main task; wall time is from the first spawn to the \
                 last join. Plain: the same code unrecorded, median of {rounds} rounds."
            ) }</p>
            <table class="task-table">
                <thead><tr>
                    <th>{ "K (items per task)" }</th><th>{ "tasks" }</th><th>{ "polls" }</th>
                    <th>{ "events recorded" }</th><th>{ "events dropped" }</th>
                    <th>{ "wall (recorded)" }</th><th>{ "ns/item recorded" }</th>
                    <th>{ "ns/item plain" }</th><th>{ "plain, fastest – slowest round" }</th>
                    <th>{ "every item once" }</th>
                </tr></thead>
                <tbody>{ for rows }</tbody>
            </table>
            <WhatToNotice {notes} />
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::widgets::notice::{WITHHELD, shown};

    const ITEMS: u32 = 10_000;

    /// A way whose recorded wall is `wall_ns` and whose plain rounds are `plain`.
    fn way(batch: u32, wall_ns: u64, plain: [u64; 5], events: u64) -> BatchWay {
        let item_tasks = ITEMS.div_ceil(batch);
        BatchWay {
            batch,
            item_tasks,
            wall_ns,
            checksum: 149_995_000,
            tasks: item_tasks + 1,
            polls: u64::from(item_tasks) + 20,
            events_recorded: events,
            events_dropped: 0,
            plain_wall_ns: plain.to_vec(),
        }
    }

    fn result(ways: Vec<BatchWay>) -> BatchingResult {
        BatchingResult {
            items: ITEMS,
            workers: 2,
            expected_checksum: 149_995_000,
            ways,
        }
    }

    fn clear_run() -> BatchingResult {
        result(vec![
            way(1, 9_000_000, [3_000_000, 3_100_000, 3_200_000, 3_300_000, 4_000_000], 30_400),
            way(10, 1_200_000, [400_000, 410_000, 430_000, 470_000, 610_000], 3_080),
            way(100, 160_000, [60_000, 63_000, 65_000, 70_000, 91_000], 331),
            way(1000, 60_000, [30_000, 31_000, 33_000, 36_000, 41_000], 54),
        ])
    }

    /// The notes as the page prints them (`shared`: the machine was shared).
    fn text(r: &BatchingResult, shared: bool) -> String {
        shown(&what_to_notice(r), shared).join(" ")
    }

    #[test]
    fn a_clear_run_names_both_costs_and_the_ratio_as_the_table_writes_them() {
        let r = clear_run();
        let notes = text(&r, false);
        for figure in [
            // 3.2 ms / 10,000 items against 33 µs / 10,000 items.
            "one task per item cost 320.0 ns per item and batches of 1000 cost 3.3 ns (medians \
             of 5 rounds; their rounds ranged 300.0 ns – 400.0 ns and 3.0 ns – 4.1 ns)",
            "That is 97.0× as much per item, and every round of one task per item was slower \
             than every round of batches of 1000",
            "pays that once for 1000 items",
            "Recorded, one task per item took 900.0 ns per item (10001 tasks, 10020 polls, \
             30400 events) and batches of 1000 took 6.0 ns (11 tasks, 30 polls, 54 events).",
            // Spreads 4.0/3.0 and 41/30: 1.33 × 1.37 = 1.8.
            "Recorded, that is 150.0× as much per item, beyond the 1.8× that one round",
            "one task per item cost 900.0 ns recorded against 320.0 ns plain (2.8× as much, \
             slower than its slowest plain round). Batches make fewer tasks",
        ] {
            assert!(notes.contains(figure), "{figure:?} not in {notes}");
        }
        assert!(!notes.contains("too close to call"), "{notes}");
        assert!(!notes.contains("dropped") && !notes.contains("cheaper"), "{notes}");
        // The figures are the table's: the same functions format both.
        assert_eq!(format_ns(r.ways[0].plain_ns_per_item(ITEMS)), "320.0 ns");
        assert_eq!(format_ns(r.ways[3].ns_per_item(ITEMS)), "6.0 ns");
    }

    #[test]
    fn a_shared_machine_keeps_the_costs_and_withholds_every_comparison() {
        let r = clear_run();
        let notes = what_to_notice(&r);
        assert_eq!(notes.iter().filter(|n| n.is_conclusion()).count(), 3, "{notes:?}");
        let shared = shown(&notes, true);
        let joined = shared.join(" ");
        assert!(joined.contains("one task per item cost 320.0 ns per item"), "{joined}");
        assert!(joined.contains("batches of 1000 took 6.0 ns (11 tasks"), "{joined}");
        assert!(!joined.contains("as much"), "{joined}");
        assert!(!joined.contains("too close to call"), "{joined}");
        assert_eq!(shared.last().map(String::as_str), Some(WITHHELD));
    }

    #[test]
    fn numbers_within_the_margin_or_with_overlapping_rounds_are_too_close_to_call() {
        let close = result(vec![
            way(1, 1_100_000, [1_000_000, 1_050_000, 1_100_000, 1_150_000, 1_200_000], 30_000),
            way(10, 1_000_000, [950_000, 1_000_000, 1_000_000, 1_050_000, 1_300_000], 3_000),
        ]);
        let notes = what_to_notice(&close);
        assert!(notes[0].text().contains("110.0 ns per item and batches of 10 cost 100.0 ns"));
        let plain = notes[1].text();
        assert!(
            plain.contains("1.1× apart, too close to call in this run: the difference is within the 1.2× margin"),
            "{plain}"
        );
        assert!(notes[3].text().contains("Recorded, 1.1× apart, too close to call"), "{notes:?}");
        assert!(notes[4].text().contains("(1.0× as much, not beyond both the 1.2× margin"), "{notes:?}");
        // A clear median ratio whose fastest one-per-item round is no slower than the
        // batch's slowest is not concluded: the rounds overlap.
        let overlapping = result(vec![
            way(1, 9_000_000, [500_000, 3_100_000, 3_200_000, 3_300_000, 4_000_000], 30_000),
            way(10, 1_000_000, [400_000, 410_000, 430_000, 470_000, 610_000], 3_000),
        ]);
        let plain = what_to_notice(&overlapping)[1].text().to_owned();
        assert!(plain.contains("too close to call"), "{plain}");
        assert!(
            plain.contains("fastest round (50.0 ns) was no slower than the batches' slowest (61.0 ns)"),
            "{plain}"
        );
    }

    #[test]
    fn single_recorded_rounds_are_weighed_against_their_ways_spreads() {
        let spread = result(vec![
            way(1, 3_000_000, [1_000_000, 1_200_000, 1_300_000, 1_350_000, 1_400_000], 30_000),
            way(10, 2_000_000, [100_000, 110_000, 120_000, 130_000, 140_000], 3_000),
        ]);
        let notes = text(&spread, false);
        assert!(notes.contains("That is 10.8× as much per item"), "{notes}");
        // 1.5× recorded, under the 1.4 × 1.4 = 2.0× that one round of each may vary by.
        assert!(
            notes.contains("Recorded, 1.5× apart, too close to call in this run: one round of each may vary by 2.0×"),
            "{notes}"
        );
        assert!(notes.contains("(2.3× as much, slower than its slowest plain round)"), "{notes}");
    }

    #[test]
    fn timings_the_wrong_way_round_are_said_to_contradict_the_code() {
        let backwards = result(vec![
            way(1, 500_000, [900_000, 950_000, 1_000_000, 1_050_000, 1_100_000], 30_000),
            way(10, 1_000_000, [1_900_000, 2_000_000, 2_000_000, 2_050_000, 2_100_000], 3_000),
        ]);
        let notes = text(&backwards, false);
        assert!(notes.contains("0.5× as much: one task per item came out cheaper"), "{notes}");
        assert!(notes.contains("50.0 ns recorded, less than its 100.0 ns plain"), "{notes}");
        assert!(!notes.contains("apart") && !notes.contains("beyond"), "{notes}");
    }

    #[test]
    fn dropped_events_and_a_wrong_checksum_are_said_and_nothing_is_said_without_batches() {
        let mut r = clear_run();
        r.ways[0].events_dropped = 1_234;
        r.ways[1].checksum += 1;
        let notes = text(&r, true);
        assert!(notes.contains("dropped 1234 events"), "{notes}");
        assert!(notes.contains("did not run exactly once"), "{notes}");
        assert!(what_to_notice(&result(vec![])).is_empty());
        assert!(what_to_notice(&result(vec![clear_run().ways[0].clone()])).is_empty());
    }
}
