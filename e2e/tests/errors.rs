//! Outline section 6 in a real browser: a refused connect carried out of three nested
//! functions by `?`, and three joined tasks of which task 1 panics. The page's chain,
//! its outcome rows and its notice are read off the page and checked against the run's
//! parameters and against each other.

use std::time::Duration;

use pollscope_e2e::format_ms;
use pollscope_e2e::notice::Notice;
use pollscope_e2e::playground::Playground;
use pollscope_e2e::webdriver::Browser;

const WAIT: Duration = Duration::from_secs(60);
const NESTING: usize = 3;
const PANIC_TASK: u64 = 1;
/// The page's `PANIC_COST_RATIO`: how many times the others' time in polls makes the
/// panicking task's stand out.
const PANIC_COST_RATIO: u64 = 10;

fn set(browser: &Browser, name: &str, value: u64) {
    let input = browser.wait_for(&format!("#param-{name}"), WAIT);
    browser.type_into(&input, &value.to_string());
}

#[test]
fn errors_shows_the_chain_the_error_carried_and_what_each_join_handle_gave() {
    let playground = Playground::start();
    let browser = Browser::start();
    browser.open_connected(&playground.demo_url("errors"));
    set(&browser, "nesting", NESTING as u64);
    set(&browser, "panic_task", PANIC_TASK);
    set(&browser, "work_ms", 5);
    browser.click(&browser.wait_for("#run-button", WAIT));
    let result = browser.wait_for("#errors-result", WAIT);
    assert_eq!(browser.number::<usize>(&result, "data-nesting"), NESTING);
    assert_eq!(
        browser.number::<u64>(&result, "data-panic-task"),
        PANIC_TASK
    );

    // The chain: the NESTING functions it passed through plus the one where it arose,
    // innermost first.
    let chain = browser.wait_for("#error-chain", WAIT);
    assert_eq!(browser.number::<usize>(&chain, "data-length"), NESTING + 1);
    let functions: Vec<String> = browser
        .find_all(".chain-frame")
        .iter()
        .map(|f| browser.attr(f, "data-function").unwrap_or_default())
        .collect();
    assert_eq!(functions.len(), NESTING + 1, "{functions:?}");
    assert_eq!(functions[0], "connect");
    let kind = browser.attr(&chain, "data-io-kind").unwrap_or_default();
    assert_eq!(kind, "ConnectionRefused");
    let os_code = browser.number::<i32>(&chain, "data-os-code");
    let display = browser.text(&browser.wait_for("#error-display", WAIT));
    let printed: Vec<String> = functions.iter().rev().map(|f| format!("in {f}")).collect();
    assert!(
        display.starts_with(&printed.join(": ")),
        "{display} prints the chain outermost first"
    );

    // The recording shows every function's await point ending in main's last poll,
    // innermost first: the order of the chain.
    let unwound = browser.wait_for("#unwinding", WAIT);
    let path = functions.join(" → ");
    assert_eq!(
        browser.attr(&unwound, "data-path").unwrap_or_default(),
        path
    );
    assert_eq!(
        browser.number::<usize>(&unwound, "data-in-last-poll"),
        NESTING + 1
    );

    // One row per task; the panicking one is where the parameters put it.
    let rows = browser.find_all(".join-row");
    assert_eq!(rows.len(), 3);
    let attr = |i: usize, name: &str| browser.attr(&rows[i], name).unwrap_or_default();
    let panics: Vec<usize> = (0..3)
        .filter(|&i| attr(i, "data-is-panic") == "true")
        .collect();
    assert_eq!(panics, [PANIC_TASK as usize]);
    let p = PANIC_TASK as usize;
    assert_eq!(attr(p, "data-task"), PANIC_TASK.to_string());
    assert_eq!(attr(p, "data-pattern"), "Err(JoinError::Panic(..))");
    assert_eq!(attr(p, "data-recorded"), "panicked");
    let patterns: Vec<String> = (0..3)
        .filter(|&i| i != p)
        .map(|i| attr(i, "data-pattern"))
        .collect();
    assert_eq!(patterns, ["Ok(Ok(..))", "Ok(Err(..))"]);
    let details = browser.find_all(".join-detail");
    let panic_message = browser.text(&details[p]);
    assert!(
        panic_message.contains(&format!("task {PANIC_TASK} ")),
        "{panic_message}"
    );

    // The notice quotes what the page shows.
    let notice = Notice::read(&browser, WAIT);
    let elapsed = browser.number::<u64>(&chain, "data-elapsed-us");
    notice.says(&format!(
        "It came back {} after the call.",
        format_ms(elapsed)
    ));
    let notice_text = &notice.text;
    for quoted in [
        format!("The error arose in {}", functions[0]),
        format!("{kind} (os error {os_code})"),
        format!(
            "passed through {NESTING} function(s) on its way out, {}",
            functions[1..].join(", ")
        ),
        format!("source() chain has {} entries", NESTING + 1),
        format!("\"{display}\""),
        format!(
            "all {} ended in one poll, innermost first ({path})",
            NESTING + 1
        ),
        format!("Task {PANIC_TASK} panicked: its handle gave Err(JoinError::Panic(..))"),
        format!("the message {panic_message}; the recorder saw it end as Panicked"),
    ] {
        notice.says(&quoted);
    }
    // What the panic cost: the times in polls the table shows, and a verdict that follows
    // from them, drawn only when the machine was not shared.
    let busy_cells = browser.find_all(".join-busy");
    let busy_us = |i: usize| browser.number::<u64>(&rows[i], "data-busy-us");
    let slowest_other = (0..3)
        .filter(|&i| i != p)
        .max_by_key(|&i| busy_us(i))
        .expect("other tasks");
    let spent = format!(
        "Task {PANIC_TASK} spent {} in polls, the others at most {}.",
        browser.text(&busy_cells[p]),
        browser.text(&busy_cells[slowest_other])
    );
    notice.says(&spent);
    let stands_out = "the panicking poll also ran the default panic hook";
    let does_not = "the panic hook's printing did not stand out";
    if notice.shared {
        notice.never_says(stands_out);
        notice.never_says(does_not);
    } else if busy_us(p) >= busy_us(slowest_other).max(1) * PANIC_COST_RATIO {
        notice.says(stands_out);
    } else {
        notice.says(does_not);
    }
    for i in (0..3).filter(|&i| i != p) {
        let detail = browser.text(&details[i]);
        assert!(
            notice_text.contains(&detail),
            "task {i}'s {detail:?} in {notice_text}"
        );
    }

    // One timeline per part: main alone in part 0, main and the three tasks in part 1.
    for (part, tasks) in [(0, 1), (1, 4)] {
        let wrap = browser.wait_for(
            &format!(".timeline[data-part='{part}'] .tl-canvas-wrap"),
            WAIT,
        );
        assert!(
            browser.number::<u64>(&wrap, "data-tasks") >= tasks,
            "part {part}: a row for each task"
        );
    }
}
