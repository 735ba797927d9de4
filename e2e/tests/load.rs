//! Under a finished run, the page says whether the machine was shared: a lone run says no
//! other run was in flight, and its sentence states the figures its attributes carry.

use std::time::Duration;

use pollscope_e2e::playground::Playground;
use pollscope_e2e::webdriver::Browser;

/// Milliseconds with one decimal, as the sentence prints them.
fn ms(us: u64) -> String {
    format!("{:.1} ms", us as f64 / 1000.0)
}

#[test]
fn a_lone_run_says_no_other_run_and_states_its_threads_figures() {
    let playground = Playground::start();
    let browser = Browser::start();
    browser.open_connected(&playground.demo_url("echo"));
    let messages = browser.wait_for("#param-messages", Duration::from_secs(5));
    browser.type_into(&messages, "50");
    let run = browser.wait_for("#run-button", Duration::from_secs(5));
    browser.click(&run);
    let load = browser.wait_for("#run-load", Duration::from_secs(30));

    assert_eq!(browser.attr(&load, "data-other-runs").as_deref(), Some("0"));
    let text = browser.text(&load);
    assert!(text.starts_with("No other run was in flight;"), "{text}");
    // Echo runs on a runtime of its own, so on Linux its threads' figures are there.
    // (The playground's server runs in this process, on this machine.)
    let Some(wait_us) = browser.attr(&load, "data-run-queue-wait-us") else {
        assert!(
            !std::path::Path::new("/proc/thread-self/schedstat").exists(),
            "schedstat is here, but the page has no wait: {text}"
        );
        assert!(text.contains("cannot tell"), "{text}");
        return;
    };
    let wait_us: u64 = wait_us.parse().unwrap();
    let cpu_us = browser.number::<u64>(&load, "data-cpu-us");
    assert!(cpu_us > 0, "{text}");
    assert!(
        text.contains(&format!("waited {} for a CPU", ms(wait_us))),
        "{text}"
    );
    assert!(
        text.contains(&format!("of their {} on a CPU", ms(cpu_us))),
        "{text}"
    );
    // Alone, it is shared only if its threads waited: more than a tenth of their CPU time,
    // and at least a millisecond. The caveat appears exactly then.
    let shared = wait_us >= 1_000 && wait_us * 10 > cpu_us;
    assert_eq!(
        browser.attr(&load, "data-shared").as_deref(),
        Some(if shared { "true" } else { "false" }),
        "{text}"
    );
    assert_eq!(
        text.contains("compare these numbers with care"),
        shared,
        "{text}"
    );
}
