//! Outline section 8 in a real browser: a loopback server that fails its first two
//! requests, retried with linear backoff and with exponential backoff and jitter. The
//! page's numbers are read off the page and checked against the run's parameters and
//! each other, and its notice against those numbers.

use std::time::Duration;

use pollscope_e2e::format_ms;
use pollscope_e2e::notice::Notice;
use pollscope_e2e::playground::Playground;
use pollscope_e2e::webdriver::Browser;

const WAIT: Duration = Duration::from_secs(60);
const FAILURES: u64 = 2;
const BASE_MS: u64 = 30;
const CAP_MS: u64 = 400;
const SEED: u64 = 7;

#[test]
fn each_policy_sleeps_at_least_its_plan_and_the_page_says_what_it_measured() {
    let playground = Playground::start();
    let browser = Browser::start();
    browser.open_connected(&playground.demo_url("retry_backoff"));
    browser.set_param("failures", FAILURES, WAIT);
    browser.set_param("base_ms", BASE_MS, WAIT);
    browser.set_param("cap_ms", CAP_MS, WAIT);
    browser.set_param("max_attempts", 5, WAIT);
    browser.set_param("seed", SEED, WAIT);
    browser.click(&browser.wait_for("#run-button", WAIT));
    let result = browser.wait_for("#retry-backoff-result", WAIT);
    assert_eq!(browser.number::<u64>(&result, "data-failures"), FAILURES);

    let policies = browser.find_all(".policy-run");
    let kinds: Vec<String> = policies
        .iter()
        .map(|p| browser.attr(p, "data-backoff").unwrap_or_default())
        .collect();
    assert_eq!(kinds, ["linear", "exponential_jitter"]);
    let notice = Notice::read(&browser, WAIT);
    let mut latest = 0;
    let mut shortest = u64::MAX;
    let mut figures = Vec::new();
    for (part, policy) in policies.iter().enumerate() {
        let read = |name: &str| browser.number::<u64>(policy, name);
        // Two 503s, then the 200, and the server counted the same three requests.
        assert_eq!(read("data-attempts"), FAILURES + 1);
        assert_eq!(read("data-server-requests"), FAILURES + 1);
        assert_eq!(
            browser.attr(policy, "data-succeeded").as_deref(),
            Some("true")
        );
        let rows = browser.find_all(&format!(".policy-run[data-part='{part}'] .retry-attempt"));
        assert_eq!(rows.len() as u64, FAILURES + 1);
        let (mut planned_sum, mut slept_sum) = (0, 0);
        let mut planned_ms = Vec::new();
        for (n, row) in (1..).zip(&rows) {
            let cell = |name: &str| browser.number::<u64>(row, name);
            let (planned, slept) = (cell("data-planned-us"), cell("data-slept-us"));
            // A timer never fires early.
            assert!(
                slept >= planned,
                "part {part} attempt {n}: {slept} < {planned}"
            );
            assert_eq!(cell("data-late-us"), slept - planned);
            assert!(cell("data-started-us") >= cell("data-scheduled-us"));
            let status = if n <= FAILURES { 503 } else { 200 };
            assert_eq!(cell("data-status"), status, "part {part} attempt {n}");
            if n > 1 {
                latest = latest.max(slept - planned);
                shortest = shortest.min(planned);
                planned_ms.push(format_ms(planned));
            }
            planned_sum += planned;
            slept_sum += slept;
            if n == 2 || n == 3 {
                let k = n - 1;
                if part == 0 {
                    assert_eq!(planned, k * BASE_MS * 1000, "linear: n × base");
                } else {
                    let full = (BASE_MS << (k - 1)).min(CAP_MS) * 1000;
                    assert!(planned >= full / 2 && planned <= full, "exponential {k}");
                }
            }
        }
        assert_eq!(read("data-planned-us"), planned_sum);
        assert_eq!(read("data-slept-us"), slept_sum);
        assert!(read("data-total-us") >= planned_sum);
        figures.push((read("data-total-us"), planned_sum));
        let label = ["linear backoff", "exponential backoff with jitter"][part];
        notice.assert_contains([
            format!(
                "With {label}: 3 attempt(s), answered 503, 503, 200; it succeeded on attempt 3 in {}.",
                format_ms(read("data-total-us"))
            ),
            format!(
                "It planned {} of sleep in all and slept {}.",
                format_ms(planned_sum),
                format_ms(slept_sum)
            ),
            planned_ms.join(", "),
        ]);
    }
    notice.assert_contains([format!(
        "the latest wake-up came {} after its plan",
        format_ms(latest)
    )]);
    if notice.shared {
        assert_eq!(notice.withheld, 2, "{}", notice.text);
    } else {
        let timing = if latest * 10 <= shortest {
            "the policy's schedule decided when each attempt ran"
        } else {
            "more than a tenth of the shortest delay"
        };
        let [(lt, lp), (et, ep)] = figures[..] else {
            unreachable!()
        };
        let follows = (lt > et) == (lp > ep) && lt != et && lp != ep;
        let comparison = if follows {
            "took longer in all"
        } else {
            "do not follow the planned sleeps"
        };
        notice.assert_contains([timing, comparison]);
        assert_eq!(notice.conclusions, 2, "{}", notice.text);
    }

    // One timeline per policy, each with the main task's row.
    for part in 0..2 {
        let wrap = browser.wait_for(
            &format!(".timeline[data-part='{part}'] .tl-canvas-wrap"),
            WAIT,
        );
        assert!(
            browser.number::<u64>(&wrap, "data-tasks") >= 1,
            "part {part}"
        );
    }
}
