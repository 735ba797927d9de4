//! The teaching loop of section 7 in a real browser: a run of the echo server whose slow
//! handler sleeps with `std::thread::sleep` shows a warning that names the long poll and
//! its task; its "run the fixed version" button reruns with `tokio::time::sleep`, and the
//! two runs appear side by side with the p99 change in words — every number in those
//! words read back from the table beside them.

use std::time::Duration;

use pollscope_e2e::playground::Playground;
use pollscope_e2e::webdriver::Browser;

const WAIT: Duration = Duration::from_secs(60);
const WORK_MS: u64 = 30;
/// The learner's guess of the fixed run's p99, in ms.
const GUESS_MS: u64 = 2;

#[test]
fn a_long_poll_warning_offers_the_fix_and_the_two_runs_are_compared_in_words() {
    let playground = Playground::start();
    let browser = Browser::start();
    browser.open_connected(&playground.demo_url("blocking_runtime"));
    browser.set_param("workers", 0, WAIT);
    browser.set_param("clients", 4, WAIT);
    browser.set_param("messages", 20, WAIT);
    browser.set_param("work_ms", WORK_MS, WAIT);
    browser.set_param("way", 0, WAIT);
    let choice = browser.wait_for("#param-way-choice", WAIT);
    assert_eq!(browser.text(&choice), "std::thread::sleep");
    browser.click(&browser.wait_for("#run-button", WAIT));
    browser.wait_for("#blocking-runtime-result[data-finished='true']", WAIT);

    // One way ran: one table, the blocking one, and its longest poll's task.
    let tables = browser.find_all("table.way-run");
    assert_eq!(tables.len(), 1);
    assert_eq!(
        browser.attr(&tables[0], "data-way").unwrap(),
        "thread_sleep"
    );
    let task = browser.attr(&tables[0], "data-poll-task").unwrap();
    let task_label = browser.attr(&tables[0], "data-poll-task-label").unwrap();
    let p99_before = browser.number::<u64>(&tables[0], "data-p99-us");
    assert!(browser.number::<u64>(&tables[0], "data-poll-us") >= WORK_MS * 1000);

    // The warning above the timeline names that poll's task, and offers the fix.
    let warning = browser.wait_for(
        &format!(
            ".timeline[data-part='0'] .tl-warning[data-kind='long-poll'][data-task-id='{task}']"
        ),
        WAIT,
    );
    let text = browser.text(&warning);
    assert!(text.contains(&task_label), "{task_label:?} not in {text}");
    let fixes = browser.find_all(".timeline[data-part='0'] .tl-warning-fix");
    let fix = fixes
        .iter()
        .find(|f| {
            browser
                .attr(f, "data-fix")
                .is_some_and(|l| l.contains("tokio::time::sleep"))
        })
        .expect("a fix that awaits tokio::time::sleep");

    // Predict, then run: a guess of the fixed run's p99, typed before it runs.
    browser.click(&browser.wait_for("#guess-panel summary", WAIT));
    let guess_box = browser.wait_for("#guess-panel input.guess[data-key='others_p99']", WAIT);
    browser.type_into(&guess_box, &GUESS_MS.to_string());
    browser.wait_for(
        "#guess-panel input.guess[data-key='others_p99'][data-guessed='true']",
        WAIT,
    );
    browser.click(fix);

    // The fixed run: its knob moved, it finished, and the two are side by side.
    let compare = browser.wait_for("#compare", WAIT);
    let (a, b) = (
        browser.number::<u64>(&compare, "data-a"),
        browser.number::<u64>(&compare, "data-b"),
    );
    assert!(a < b, "the run that was fixed first: {a} {b}");
    assert_eq!(
        browser.text(&browser.wait_for("#param-way-choice", WAIT)),
        "tokio::time::sleep"
    );
    let history = browser.wait_for("#run-history", WAIT);
    assert_eq!(browser.number::<u64>(&history, "data-runs"), 2);
    let columns = browser.find_all("#compare .compare-run");
    let ids: Vec<u64> = columns
        .iter()
        .map(|c| browser.number::<u64>(c, "data-run-id"))
        .collect();
    assert_eq!(ids, [a, b]);
    // Each column draws its run's timeline, on one time scale.
    let spans: Vec<u64> = columns
        .iter()
        .map(|c| {
            let run = browser.number::<u64>(c, "data-run-id");
            let wrap = browser.wait_for(
                &format!(
                    "#compare .compare-run[data-run-id='{run}'] .tl-canvas-wrap[data-run-id='{run}']"
                ),
                WAIT,
            );
            browser.number::<u64>(&wrap, "data-span-ns")
        })
        .collect();
    assert_eq!(spans[0], spans[1], "one time scale");
    assert!(
        spans[0] >= WORK_MS * 1_000_000,
        "the blocked run lasted the work at least"
    );

    // The knob that changed, and the p99 before and after, as the table shows them.
    let way = browser.wait_for("#compare tr.compare-knob[data-name='way']", WAIT);
    assert_eq!(browser.attr(&way, "data-changed").unwrap(), "true");
    let row = browser.wait_for("#compare tr.compare-headline[data-key='others_p99']", WAIT);
    assert_eq!(browser.number::<u64>(&row, "data-a"), p99_before);
    let cells: Vec<String> = browser
        .find_all("#compare tr.compare-headline[data-key='others_p99'] td")
        .iter()
        .map(|c| browser.text(c))
        .collect();
    let (before, after) = (cells[0].clone(), cells[1].clone());
    assert_eq!(before, pollscope_e2e::format_ms(p99_before));
    let notice = browser.text(&browser.wait_for("#compare .compare-notice", WAIT));
    assert!(
        notice.contains("went from std::thread::sleep to tokio::time::sleep"),
        "{notice}"
    );
    let p99_after = browser.number::<u64>(&row, "data-b");
    let said = match browser.attr(&row, "data-change").unwrap().as_str() {
        "fell" => format!("p99 round trip fell from {before} to {after}"),
        "rose" => format!("p99 round trip rose from {before} to {after}"),
        _ => format!("p99 round trip stayed within noise: {before}, then {after}"),
    };
    assert!(notice.contains(&said), "{said:?} not in {notice}");
    // The verdict follows the numbers: a change under the noise margin is not claimed.
    if p99_before.abs_diff(p99_after) < 1_000 {
        assert!(notice.contains("within noise"), "{notice}");
    } else {
        assert!(!notice.contains("p99 round trip stayed"), "{notice}");
    }

    // The guess, beside what was measured, in a sentence that quotes the table.
    let guessed = browser.wait_for(
        &format!("#guess-result[data-run-id='{b}'] tr.guess-row[data-key='others_p99']"),
        WAIT,
    );
    assert_eq!(
        browser.number::<u64>(&guessed, "data-guess"),
        GUESS_MS * 1000
    );
    assert_eq!(browser.number::<u64>(&guessed, "data-measured"), p99_after);
    let verdict = browser.text(&browser.wait_for("#guess-result .guess-notice", WAIT));
    let quoted = format!(
        "You guessed {} for the other clients' p99 round trip; it measured {after}",
        pollscope_e2e::format_ms(GUESS_MS * 1000)
    );
    assert!(verdict.contains(&quoted), "{quoted:?} not in {verdict}");
}
