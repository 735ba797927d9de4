//! Outline section 7 in a real browser: three futures doing the same work on a buffer
//! (held across the `.await`, dropped before it, kept in a `Vec`); the page's sizes and
//! bytes per task read off the page and checked against each other, against the run's
//! parameters, and against the notice.

use std::time::Duration;

use pollscope_e2e::notice::Notice;
use pollscope_e2e::playground::Playground;
use pollscope_e2e::webdriver::Browser;

const WAIT: Duration = Duration::from_secs(60);
const TASKS: u64 = 1000;
const BUFFER_KIB: u64 = 8;
const BUF: u64 = BUFFER_KIB * 1024;
/// What a future may keep besides its buffer: the gate and the `.await`'s own state.
const SMALL: u64 = 256;
/// The dropped kind's `u64` sum, kept across its `.await` in place of the buffer.
const SUM: u64 = 8;

/// Bytes as the page writes them: `16512` → `"16,512 B"`.
fn bytes(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    format!("{out} B")
}

/// A total as the page writes it.
fn total(n: u64) -> String {
    if n >= 1_000_000 {
        format!("{:.1} MB", n as f64 / 1e6)
    } else {
        format!("{:.1} kB", n as f64 / 1e3)
    }
}

struct Row {
    future: u64,
    live: u64,
    per_task: u64,
    allocations: u64,
}

#[test]
fn the_page_shows_what_each_task_holds_and_the_notice_agrees_with_the_table() {
    let playground = Playground::start();
    let browser = Browser::start();
    browser.open_connected(&playground.demo_url("future_size"));
    browser.set_param("tasks", TASKS, WAIT);
    browser.set_param("buffer_kib", BUFFER_KIB, WAIT);
    browser.click(&browser.wait_for("#run-button", WAIT));
    let result = browser.wait_for("#future-size-result", WAIT);
    assert_eq!(browser.number::<u64>(&result, "data-tasks"), TASKS);
    assert_eq!(browser.number::<u64>(&result, "data-buffer-bytes"), BUF);
    let recorded = browser.number::<u64>(&result, "data-recorded-tasks");

    let elements = browser.find_all(".future-kind");
    let kinds: Vec<String> = elements
        .iter()
        .map(|e| browser.attr(e, "data-kind").unwrap_or_default())
        .collect();
    assert_eq!(kinds, ["held", "dropped", "boxed"]);
    let rows: Vec<Row> = elements
        .iter()
        .map(|e| Row {
            future: browser.number(e, "data-future-bytes"),
            live: browser.number(e, "data-live-bytes"),
            per_task: browser.number(e, "data-bytes-per-task"),
            allocations: browser.number(e, "data-allocations"),
        })
        .collect();
    let smallest = rows.iter().map(|r| r.per_task).min().unwrap();
    for (i, (row, element)) in rows.iter().zip(&elements).enumerate() {
        // The page's own arithmetic: bytes per task is the total over the tasks, and the
        // cells write the figures the attributes carry.
        assert_eq!(row.per_task, row.live / TASKS, "part {i}");
        assert!(
            row.per_task >= row.future,
            "part {i}: a task holds its future"
        );
        assert!(
            row.allocations >= TASKS,
            "part {i}: every task is an allocation"
        );
        let cell = |class: &str| {
            browser.text(&browser.wait_for(&format!(".future-kind[data-part='{i}'] {class}"), WAIT))
        };
        assert_eq!(cell(".future-bytes"), bytes(row.future), "part {i}");
        assert_eq!(cell(".bytes-per-task"), bytes(row.per_task), "part {i}");
        assert_eq!(cell(".total"), total(row.live), "part {i}");
        let ratio = format!("×{:.1}", row.per_task as f64 / smallest as f64);
        assert_eq!(cell(".ratio"), ratio, "part {i}");
        assert_eq!(browser.number::<u64>(element, "data-events-dropped"), 0);
    }
    let [held, dropped, boxed] = &rows[..] else {
        unreachable!("three kinds")
    };
    // What the code implies, with margins from the buffer's size.
    assert!(held.future + SUM >= dropped.future + BUF);
    assert!(boxed.future + BUF <= held.future + SMALL);
    assert!(held.per_task >= BUF && boxed.per_task >= BUF);
    assert!(dropped.per_task < BUF);

    // The notice quotes the numbers the table shows, as the table writes them. Sizes and
    // the allocator's counts do not depend on how busy the machine was: the notice gives
    // them all whether or not it was shared, and concludes nothing from timings.
    let notice = Notice::read(&browser, WAIT);
    assert_eq!(notice.conclusions, 0, "{}", notice.text);
    notice.never_says(pollscope_e2e::notice::WITHHELD);
    let per_task_allocations = |row: &Row| {
        format!(
            "{}.{:02}",
            row.allocations / TASKS,
            row.allocations * 100 / TASKS % 100
        )
    };
    let notice = notice.text;
    for figure in [
        format!("made the future {}", bytes(held.future)),
        format!("dropping it before the .await: {}", bytes(dropped.future)),
        format!("keeping it in a Vec: {}", bytes(boxed.future)),
        format!(
            "{TASKS} such tasks held {} ({} per task) against {} ({} per task)",
            total(held.live),
            bytes(held.per_task),
            total(dropped.live),
            bytes(dropped.per_task)
        ),
        format!(
            "×{:.1} as much",
            held.per_task as f64 / dropped.per_task as f64
        ),
        format!(
            "not the task: {} per task, {} allocations each",
            bytes(boxed.per_task),
            per_task_allocations(boxed)
        ),
        format!(
            "a task that dropped the buffer first took {} more",
            bytes(dropped.per_task - dropped.future)
        ),
    ] {
        assert!(notice.contains(&figure), "{figure:?} in {notice}");
    }
    assert!(!notice.contains("do not"), "{notice}");
    // tokio::spawn boxes a future above 2 KiB (debug) or 16 KiB (release) first: where the
    // held tasks made about two allocations each, the notice says so with that count.
    let held_x100 = held.allocations * 100 / TASKS;
    assert_eq!(
        notice.contains("The held tasks made"),
        (190..=210).contains(&held_x100) && held.future > 2048,
        "{held_x100} hundredths: {notice}"
    );
    if notice.contains("The held tasks made") {
        let made = format!(
            "The held tasks made {} allocations each",
            per_task_allocations(held)
        );
        assert!(notice.contains(&made), "{made:?} in {notice}");
    }

    // One timeline per kind: the main task and the recorded sample, not the bare tasks.
    for part in 0..3 {
        let wrap = browser.wait_for(
            &format!(".timeline[data-part='{part}'] .tl-canvas-wrap"),
            WAIT,
        );
        assert_eq!(
            browser.number::<u64>(&wrap, "data-tasks"),
            recorded + 1,
            "part {part}: a row for main and each recorded task"
        );
    }
}
