//! Outline section 7 — future size: what a task holds across `.await`.
//!
//! The server sized three real futures doing the same work on a buffer (holding it across
//! the `.await`, dropping it before, keeping it in a `Vec`) and counted, with its counting
//! allocator, the bytes T spawned tasks of each held. The page shows those figures in one
//! table, a timeline per kind, and a notice computed from the same numbers: facts only,
//! since sizes and allocation counts do not depend on how busy the machine was.

use pollscope_shared::results::{FutureKind, FutureSizeResult, KindRun, ScenarioResult};
use pollscope_shared::scenario::id;
use yew::prelude::*;

use super::DemoPage;
use crate::state::RunState;
use crate::widgets::{part_timelines, DemoFrame, DemoProps, Note, WhatToNotice, format_ms};

impl DemoPage for FutureSizePage {
    const ID: &'static str = id::FUTURE_SIZE;
}

/// What the dropped kind keeps across its `.await` in place of the buffer: its `u64` sum.
const SUM_BYTES: u64 = 8;

/// A count of bytes with thousands separators: `16512` → `"16,512 B"`.
pub fn format_bytes(bytes: u64) -> String {
    let digits = bytes.to_string();
    let mut grouped = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("{grouped} B")
}

/// A total: `166533120` → `"166.5 MB"`, `26880` → `"26.9 kB"` (decimal units).
pub fn format_total(bytes: u64) -> String {
    if bytes >= 1_000_000 {
        format!("{:.1} MB", bytes as f64 / 1e6)
    } else {
        format!("{:.1} kB", bytes as f64 / 1e3)
    }
}

/// How many times `value` is `smallest`: `"×61.9"`.
pub fn format_ratio(value: u64, smallest: u64) -> String {
    format!("×{:.1}", value as f64 / smallest.max(1) as f64)
}

/// Allocations per task with two decimals: `"2.00"`.
pub fn format_allocations(kind: &KindRun, tasks: u32) -> String {
    let x100 = kind.allocations_per_task_x100(tasks);
    format!("{}.{:02}", x100 / 100, x100 % 100)
}

/// The buffer's size as the page names it: `"16 KiB (16,384 B)"`.
pub fn format_buffer(bytes: u32) -> String {
    format!("{} KiB ({})", bytes / 1024, format_bytes(bytes.into()))
}

/// The smallest bytes per task of the run (what the ratios are against).
fn smallest_per_task(result: &FutureSizeResult) -> u64 {
    result
        .kinds
        .iter()
        .map(|k| k.bytes_per_task(result.tasks))
        .min()
        .unwrap_or(1)
}

/// Allocations per task (in hundredths) that read as "the task and one more": 2.00 give
/// or take the few allocations the part's main task and the run queue's growth add.
const TWO_ALLOCATIONS_X100: std::ops::RangeInclusive<u64> = 190..=210;

/// Below this future size even a debug build's `tokio::spawn` keeps the future in the
/// task itself (release builds: 16 KiB).
const SPAWN_BOXES_ABOVE: u64 = 2 * 1024;

/// What this run's numbers show, note by note; empty unless all three kinds ran. Every
/// note is a [`Note::Fact`]: sizes and the allocator's counts do not depend on how busy
/// the machine was (the spawn times in the table do, and the notice draws nothing from
/// them).
pub fn what_to_notice(result: &FutureSizeResult) -> Vec<Note> {
    let [held, dropped, boxed] = &result.kinds[..] else {
        return Vec::new();
    };
    if (held.kind, dropped.kind, boxed.kind)
        != (FutureKind::Held, FutureKind::Dropped, FutureKind::Boxed)
    {
        return Vec::new();
    }
    let tasks = result.tasks;
    let per_task = |k: &KindRun| k.bytes_per_task(tasks);
    let mut notes = vec![
        sizes_note(result, held, dropped, boxed),
        totals_note(tasks, held, dropped),
        vec_note(result, boxed),
    ];

    let around = |k: &KindRun| per_task(k).checked_sub(k.future_bytes);
    if let Some(overhead) = around(dropped) {
        notes.push(format!(
            "Around its future, a task that dropped the buffer first took {} more: Tokio's \
             task header, scheduler handle, id and trailer (its allocation is cache-line \
             aligned), and a share of the run queue, which grew to hold all {tasks} tasks at \
             once.",
            format_bytes(overhead),
        ));
    }

    if TWO_ALLOCATIONS_X100.contains(&held.allocations_per_task_x100(tasks))
        && held.future_bytes > SPAWN_BOXES_ABOVE
    {
        let memory = match (around(held), around(dropped)) {
            (Some(h), Some(d)) if h <= d => format!(
                "an allocation more, not more memory: {} around the future, against {} for \
                 a task that dropped the buffer",
                format_bytes(h),
                format_bytes(d)
            ),
            (Some(h), Some(d)) => format!(
                "an allocation more, and {} around the future, against {} for a task that \
                 dropped the buffer",
                format_bytes(h),
                format_bytes(d)
            ),
            _ => "an allocation more".to_owned(),
        };
        notes.push(format!(
            "The held tasks made {} allocations each: tokio::spawn moves a future this large \
             into a Box of its own first (above 16 KiB in release builds, 2 KiB in debug \
             builds), {memory}.",
            format_allocations(held, tasks),
        ));
    }

    let dropped_events: Vec<String> = result
        .kinds
        .iter()
        .filter(|k| k.events_dropped > 0)
        .map(|k| format!("{} ({})", k.kind.label(), k.events_dropped))
        .collect();
    if !dropped_events.is_empty() {
        notes.push(format!(
            "The recorder dropped events in {}: those timelines miss them (the figures above \
             come from the allocator, not the recording).",
            dropped_events.join(", ")
        ));
    }
    notes.into_iter().map(Note::Fact).collect()
}

/// The three futures' sizes, and whether they show the buffer inside the held one.
fn sizes_note(result: &FutureSizeResult, held: &KindRun, dropped: &KindRun, boxed: &KindRun) -> String {
    let buffer = u64::from(result.buffer_bytes);
    if held.future_bytes + SUM_BYTES < dropped.future_bytes + buffer {
        return format!(
            "In this run the held future ({}) is not the buffer's {} bigger than the one that \
             dropped it ({}): the sizes do not show the buffer inside the future.",
            format_bytes(held.future_bytes),
            format_bytes(buffer),
            format_bytes(dropped.future_bytes),
        );
    }
    let vec = if boxed.future_bytes < buffer {
        " (the Vec's pointer, capacity and length in place of the bytes)"
    } else {
        ", not smaller than the buffer: the Vec did not take the bytes out of the future"
    };
    format!(
        "Holding the {} buffer across the .await made the future {}; dropping it before \
         the .await: {}; keeping it in a Vec: {}{vec}.",
        format_buffer(result.buffer_bytes),
        format_bytes(held.future_bytes),
        format_bytes(dropped.future_bytes),
        format_bytes(boxed.future_bytes),
    )
}

/// What all the tasks held, held against dropped.
fn totals_note(tasks: u32, held: &KindRun, dropped: &KindRun) -> String {
    let per_task = |k: &KindRun| k.bytes_per_task(tasks);
    if per_task(held) > per_task(dropped) {
        format!(
            "{tasks} such tasks held {} ({} per task) against {} ({} per task) when the \
             buffer was dropped first: {} as much.",
            format_total(held.live_bytes),
            format_bytes(per_task(held)),
            format_total(dropped.live_bytes),
            format_bytes(per_task(dropped)),
            format_ratio(per_task(held), per_task(dropped)),
        )
    } else {
        format!(
            "In this run the tasks holding the buffer did not take more memory than those that \
             dropped it ({} against {} per task): the counts do not support a conclusion.",
            format_bytes(per_task(held)),
            format_bytes(per_task(dropped)),
        )
    }
}

/// Where the Vec kind's buffer went: out of the future, not out of the task.
fn vec_note(result: &FutureSizeResult, boxed: &KindRun) -> String {
    let (tasks, buffer) = (result.tasks, u64::from(result.buffer_bytes));
    let per_task = boxed.bytes_per_task(tasks);
    if per_task < buffer {
        return format!(
            "The tasks with a Vec held {} each, less than their buffer: the counts do not show \
             the heap buffer.",
            format_bytes(per_task),
        );
    }
    let allocations = format_allocations(boxed, tasks);
    let which = if TWO_ALLOCATIONS_X100.contains(&boxed.allocations_per_task_x100(tasks)) {
        " (the task and its Vec)"
    } else {
        ""
    };
    if boxed.future_bytes >= buffer {
        return format!(
            "The tasks with a Vec held {} each ({allocations} allocations each), with a \
             future of {}: the Vec did not take the buffer out of the future.",
            format_bytes(per_task),
            format_bytes(boxed.future_bytes),
        );
    }
    format!(
        "The Vec made the future small, not the task: {} per task, {allocations} allocations each{which}, because the buffer is \
         still alive across the .await, on the heap instead of inside the future.",
        format_bytes(per_task),
    )
}

#[component]
pub fn FutureSizePage(props: &DemoProps) -> Html {
    let result = match &props.run {
        RunState::Finished {
            result: ScenarioResult::FutureSize(r),
            ..
        } => html! { <FutureSizeResultView result={r.clone()} /> },
        _ => html! {},
    };
    let explain = html! {
        <>
            <p>
                { "An " }<code>{ "async fn" }</code>
                { " compiles to a state machine, and everything alive across an " }
                <code>{ ".await" }</code>
                { " is stored in it: that is the future's size. A spawned task's allocation \
                   holds the whole future for as long as the task lives." }
            </p>
            <p>
                { "Three real futures in the server do the same work on a buffer (fill it, \
                   sum it) around one " }<code>{ ".await" }</code>
                { ": one keeps the array alive across it, one ends the array's block before \
                   it, one keeps the buffer in a " }<code>{ "Vec" }</code>
                { ". The table shows " }<code>{ "std::mem::size_of_val" }</code>
                { " of each, and the bytes T tasks of each held while all of them waited: the \
                   bytes allocated and not freed on the spawning thread, counted by the \
                   server's counting global allocator (each part runs on a " }
                <code>{ "current_thread" }</code>
                { " runtime, so that one thread spawns and polls every task)." }
            </p>
            <p>
                { "The T measured tasks are spawned bare: pollscope's recording wrapper \
                   would add to each what is being measured. Each timeline shows the part's \
                   main task spawning and releasing them (their polls are not recorded), then \
                   a sample of tasks of the same kind spawned through the recorder." }
            </p>
        </>
    };
    html! {
        <DemoFrame demo={props.clone()} explain={explain}>
            { result }
            { part_timelines(id::FUTURE_SIZE, &[
                "Part 0: array held across .await",
                "Part 1: array dropped before .await",
                "Part 2: Vec held across .await",
            ], &props.run) }
        </DemoFrame>
    }
}

#[derive(Properties, PartialEq)]
pub struct FutureSizeResultProps {
    pub result: FutureSizeResult,
}

#[component]
pub fn FutureSizeResultView(props: &FutureSizeResultProps) -> Html {
    let result = &props.result;
    let tasks = result.tasks;
    let smallest = smallest_per_task(result);
    let rows = result.kinds.iter().enumerate().map(|(i, k)| {
        let per_task = k.bytes_per_task(tasks);
        html! {
            <tr class="future-kind" key={i} data-part={i.to_string()}
                data-kind={serde_json::to_value(k.kind).ok().and_then(|v| v.as_str().map(str::to_owned))}
                data-future-bytes={k.future_bytes.to_string()}
                data-recorded-future-bytes={k.recorded_future_bytes.to_string()}
                data-live-bytes={k.live_bytes.to_string()}
                data-allocations={k.allocations.to_string()}
                data-bytes-per-task={per_task.to_string()}
                data-events-dropped={k.events_dropped.to_string()}>
                <th scope="row">{ format!("Part {i}: {}", k.kind.label()) }</th>
                <td class="future-bytes">{ format_bytes(k.future_bytes) }</td>
                <td>{ format_bytes(k.recorded_future_bytes) }</td>
                <td class="bytes-per-task">{ format_bytes(per_task) }</td>
                <td class="ratio">{ format_ratio(per_task, smallest) }</td>
                <td>{ format_allocations(k, tasks) }</td>
                <td class="total">{ format_total(k.live_bytes) }</td>
                <td>{ format_ms(k.spawn_us) }</td>
                <td>{ k.events_dropped.to_string() }</td>
            </tr>
        }
    });
    let notes = what_to_notice(result);
    html! {
        <section id="future-size-result" class="result" data-tasks={tasks.to_string()}
            data-buffer-bytes={result.buffer_bytes.to_string()}
            data-recorded-tasks={result.recorded_tasks.to_string()}>
            <p>
                { format!("{tasks} tasks of each kind, each with a {} buffer; bytes per task \
                           = bytes allocated and not freed on the spawning thread by the \
                           counting allocator ÷ {tasks}.", format_buffer(result.buffer_bytes)) }
            </p>
            <table class="mode-table">
                <thead>
                    <tr>
                        <th scope="col">{ "kind" }</th>
                        <th scope="col">{ "future size" }</th>
                        <th scope="col">{ "in the recorder's wrapper" }</th>
                        <th scope="col">{ "bytes per task" }</th>
                        <th scope="col">{ "÷ smallest" }</th>
                        <th scope="col">{ "allocations per task" }</th>
                        <th scope="col">{ format!("{tasks} tasks held") }</th>
                        <th scope="col">{ "spawned and waiting in" }</th>
                        <th scope="col">{ "events dropped" }</th>
                    </tr>
                </thead>
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

    fn kind(kind: FutureKind, future_bytes: u64, live_bytes: u64, allocations: u64) -> KindRun {
        KindRun {
            kind,
            future_bytes,
            recorded_future_bytes: future_bytes + 64,
            live_bytes,
            allocations,
            spawn_us: 10_000,
            events_dropped: 0,
        }
    }

    fn result(kinds: Vec<KindRun>) -> FutureSizeResult {
        FutureSizeResult {
            tasks: 10_000,
            buffer_bytes: 16_384,
            recorded_tasks: 10,
            kinds,
        }
    }

    fn measured() -> Vec<KindRun> {
        vec![
            kind(FutureKind::Held, 16_512, 166_533_120, 20_014),
            kind(FutureKind::Dropped, 136, 2_691_072, 10_014),
            kind(FutureKind::Boxed, 152, 166_533_120, 20_014),
        ]
    }

    #[test]
    fn numbers_read_as_the_table_writes_them() {
        assert_eq!(format_bytes(16_512), "16,512 B");
        assert_eq!(format_bytes(136), "136 B");
        assert_eq!(format_bytes(1_234_567), "1,234,567 B");
        assert_eq!(format_bytes(0), "0 B");
        assert_eq!(format_total(166_533_120), "166.5 MB");
        assert_eq!(format_total(26_880), "26.9 kB");
        assert_eq!(format_ratio(16_653, 269), "×61.9");
        assert_eq!(format_buffer(16_384), "16 KiB (16,384 B)");
    }

    /// The notes as the page prints them (`shared`: the machine was shared).
    fn text(r: &FutureSizeResult, shared: bool) -> String {
        shown(&what_to_notice(r), shared).join(" ")
    }

    #[test]
    fn the_notice_quotes_the_measured_numbers_as_the_table_shows_them() {
        let notes = text(&result(measured()), false);
        for figure in [
            "Holding the 16 KiB (16,384 B) buffer across the .await made the future 16,512 B",
            "dropping it before the .await: 136 B; keeping it in a Vec: 152 B (the Vec's pointer",
            "10000 such tasks held 166.5 MB (16,653 B per task) against 2.7 MB (269 B per task)",
            "×61.9 as much",
            "not the task: 16,653 B per task, 2.00 allocations each (the task and its Vec)",
            "a task that dropped the buffer first took 133 B more",
            // 16,653 − 16,512 = 141 B around the held future, more than the dropped's 133 B.
            "The held tasks made 2.00 allocations each",
            "an allocation more, and 141 B around the future, against 133 B",
        ] {
            assert!(notes.contains(figure), "{figure:?} not in {notes}");
        }
        assert!(!notes.contains("do not") && !notes.contains("did not"), "{notes}");
        assert!(!notes.contains("dropped events"), "{notes}");
        assert!(!notes.contains("not more memory"), "{notes}");
    }

    #[test]
    fn sizes_and_counts_are_facts_a_shared_machine_keeps() {
        let r = result(measured());
        let notes = what_to_notice(&r);
        assert!(!notes.is_empty() && !notes.iter().any(Note::is_conclusion));
        assert_eq!(shown(&notes, true), shown(&notes, false));
        assert!(!text(&r, true).contains(WITHHELD));
    }

    #[test]
    fn an_extra_allocation_is_called_no_more_memory_only_when_the_counts_say_so() {
        let mut kinds = measured();
        // 16,640 B per task: 128 B around the held future, under the dropped's 133 B.
        kinds[0] = kind(FutureKind::Held, 16_512, 166_400_000, 20_014);
        let notes = text(&result(kinds.clone()), false);
        assert!(notes.contains("not more memory: 128 B around the future, against 133 B"), "{notes}");
        // One allocation per task: nothing about a Box.
        kinds[0] = kind(FutureKind::Held, 16_512, 166_400_000, 10_014);
        assert!(!text(&result(kinds.clone()), false).contains("Box of its own"));
        // A future under 2 KiB is not boxed by spawn, whatever the count says.
        let mut small = result(measured());
        small.buffer_bytes = 1024;
        small.kinds[0] = kind(FutureKind::Held, 1_152, 16_000_000, 20_014);
        assert!(!text(&small, false).contains("Box of its own"));
    }

    #[test]
    fn a_vec_future_as_big_as_the_buffer_or_three_allocations_are_not_explained_away() {
        let mut kinds = measured();
        kinds[2] = kind(FutureKind::Boxed, 16_400, 166_533_120, 30_014);
        let notes = text(&result(kinds), false);
        assert!(notes.contains("not smaller than the buffer: the Vec did not take"), "{notes}");
        assert!(notes.contains("with a future of 16,400 B: the Vec did not take the buffer"), "{notes}");
        assert!(!notes.contains("The Vec made the future small"), "{notes}");
        assert!(!notes.contains("pointer, capacity and length"), "{notes}");
        let mut kinds = measured();
        kinds[2] = kind(FutureKind::Boxed, 152, 166_533_120, 30_014);
        let notes = text(&result(kinds), false);
        assert!(notes.contains("16,653 B per task, 3.00 allocations each, because"), "{notes}");
        assert!(!notes.contains("(the task and its Vec)"), "{notes}");
    }

    #[test]
    fn numbers_that_do_not_support_the_lesson_are_said_instead_of_concluded() {
        let mut kinds = measured();
        kinds[0] = kind(FutureKind::Held, 200, 2_000_000, 10_000);
        kinds[2] = kind(FutureKind::Boxed, 152, 2_000_000, 10_000);
        kinds[1].events_dropped = 12;
        let notes = text(&result(kinds), false);
        assert!(notes.contains("the sizes do not show the buffer"), "{notes}");
        assert!(notes.contains("the counts do not support a conclusion"), "{notes}");
        assert!(notes.contains("the counts do not show the heap buffer"), "{notes}");
        assert!(
            notes.contains("dropped events in array dropped before .await (12)"),
            "{notes}"
        );
        assert!(!notes.contains("made the future"), "{notes}");
        assert!(!notes.contains("Box of its own"), "{notes}");
        assert!(what_to_notice(&result(vec![])).is_empty());
    }
}
