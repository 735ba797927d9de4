//! Deep links, in a real browser: the knobs a learner sets are in the address, the copied
//! link brings them back in a fresh browser (a new WebDriver session, a new profile); a
//! link with values out of bounds, malformed or unknown names each one in a notice and the
//! knobs show their defaults; back and forward go between two demos, each with its knobs;
//! an old `#/<id>` link, opened fresh or followed on an open page, lands on `/demos/<id>`.

use std::time::{Duration, Instant};

use pollscope_e2e::playground::Playground;
use pollscope_e2e::webdriver::Browser;
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(20);
/// The start of a script that reads the address's query as `q`.
const QUERY: &str = "const q = new URLSearchParams(location.search);";

/// Run `script` (a JS function body that returns a value) until it returns something
/// truthy; that value. Fails with the last value after `WAIT`.
fn wait_js(browser: &Browser, script: &str) -> Value {
    let deadline = Instant::now() + WAIT;
    loop {
        let value = browser.execute(script);
        let truthy = match &value {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::String(s) => !s.is_empty(),
            Value::Number(n) => n.as_f64() != Some(0.0),
            _ => true,
        };
        if truthy {
            return value;
        }
        assert!(Instant::now() < deadline, "still {value} from {script}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The value in knob `name`'s number box.
fn knob(browser: &Browser, name: &str) -> i64 {
    browser.wait_for(&format!("#param-{name}"), WAIT);
    let value = browser.execute(&format!(
        "return document.querySelector('#param-{name}').value;"
    ));
    value
        .as_str()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("#param-{name} holds {value}"))
}

/// A knob's bounds and default, read from a page just opened without a query.
struct Knob {
    default: i64,
    max: i64,
}

fn read_knob(browser: &Browser, name: &str) -> Knob {
    let input = browser.wait_for(&format!("#param-{name}"), WAIT);
    Knob {
        default: knob(browser, name),
        max: browser.number(&input, "max"),
    }
}

fn location(browser: &Browser) -> (String, String, String) {
    let v = browser.execute("return [location.pathname, location.search, location.hash];");
    let part = |i: usize| v[i].as_str().unwrap_or_default().to_owned();
    (part(0), part(1), part(2))
}

#[test]
fn a_copied_link_brings_the_knobs_back_in_a_fresh_browser() {
    let playground = Playground::start();
    let (link, c, m) = {
        let browser = Browser::start();
        browser.open_connected(&playground.demo_url("echo"));
        let clients = read_knob(&browser, "clients");
        let messages = read_knob(&browser, "messages");
        // Values that are not the defaults, inside the bounds.
        let (c, m) = (clients.default / 2 + 1, messages.default / 2 + 3);
        assert!(c != clients.default && c <= clients.max);
        assert!(m != messages.default && m <= messages.max);
        // The address gets every knob's value as soon as the knobs are known.
        wait_js(
            &browser,
            &format!(
                "{QUERY} return q.get('clients') === '{}' && q.get('messages') === '{}';",
                clients.default, messages.default
            ),
        );
        let entries = browser.execute("return history.length;");
        browser.set_param("clients", c as u64, WAIT);
        browser.set_param("messages", m as u64, WAIT);
        // The box, the button and the address all carry the knobs now.
        let shown = wait_js(
            &browser,
            &format!(
                "const box = document.querySelector('#share-link');
                 if (!box) return null;
                 const u = new URL(box.value);
                 const q = u.searchParams;
                 return u.pathname === '/demos/echo' && q.get('clients') === '{c}'
                   && q.get('messages') === '{m}' ? box.value : null;"
            ),
        );
        let button = browser.wait_for("#copy-link", WAIT);
        browser.click(&button);
        let link = browser.attr(&button, "data-link").expect("data-link");
        assert_eq!(Value::String(link.clone()), shown);
        assert!(link.starts_with(&playground.demo_url("echo")), "{link}");
        assert_eq!(
            browser.execute("return location.href;"),
            Value::String(link.clone())
        );
        // Typing rewrote the address in place: no history entry per keystroke.
        assert_eq!(browser.execute("return history.length;"), entries);
        // The click says what it did: copied, or the box is selected to copy by hand.
        let status = wait_js(
            &browser,
            "return document.querySelector('#copy-link-status').textContent;",
        );
        let status = status.as_str().unwrap_or_default();
        assert!(
            status.contains("Copied") || status.contains("copy it from the box"),
            "{status}"
        );
        (link, c, m)
    };

    // A fresh browser (new session, new profile) opens the link: the same knobs, every
    // one of them as the link says.
    let browser = Browser::start();
    browser.open_connected(&link);
    wait_js(
        &browser,
        &format!(
            "const q = new URL({link:?}).searchParams;
             const knobs = [...document.querySelectorAll('.knob input[type=number]')];
             return knobs.length === [...q.keys()].length
               && knobs.every(k => q.get(k.name) === k.value);"
        ),
    );
    assert_eq!(knob(&browser, "clients"), c);
    assert_eq!(knob(&browser, "messages"), m);
    assert!(browser.find_all("#link-notice").is_empty(), "a good link");
    assert_eq!(
        browser.execute("return location.href;"),
        Value::String(link)
    );
}

#[test]
fn a_bad_link_names_each_problem_and_the_knobs_show_their_defaults() {
    let playground = Playground::start();
    let browser = Browser::start();
    browser.open_connected(&playground.demo_url("echo"));
    let clients = read_knob(&browser, "clients");
    let messages = read_knob(&browser, "messages");
    assert!(9999 > clients.max);

    browser.open_connected(&format!(
        "{}?clients=9999&messages=abc&bogus=1",
        playground.demo_url("echo")
    ));
    let notice = browser.wait_for("#link-notice", WAIT);
    let items = browser.execute(
        "return [...document.querySelectorAll('#link-notice li[data-param]')]
                  .map(li => [li.dataset.param, li.textContent]);",
    );
    let items: Vec<(String, String)> = serde_json::from_value(items).unwrap();
    let names: Vec<&str> = items.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["clients", "messages", "bogus"], "{items:?}");
    assert_eq!(
        items[0].1,
        format!(
            "clients=9999 is above its maximum {}; using the default {}",
            clients.max, clients.default
        )
    );
    assert_eq!(
        items[1].1,
        format!(
            "messages=abc is not a whole number; using the default {}",
            messages.default
        )
    );
    assert!(items[2].1.contains("no knob named bogus"), "{items:?}");
    assert_eq!(browser.number::<u64>(&notice, "data-problems"), 3);
    // The knobs show the defaults, and so does the address now.
    assert_eq!(knob(&browser, "clients"), clients.default);
    assert_eq!(knob(&browser, "messages"), messages.default);
    wait_js(
        &browser,
        &format!(
            "{QUERY} return q.get('clients') === '{}' && q.get('messages') === '{}'
               && !q.has('bogus');",
            clients.default, messages.default
        ),
    );
    // The notice can be dismissed.
    browser.click(&browser.wait_for("#link-notice .dismiss", WAIT));
    wait_js(&browser, "return !document.querySelector('#link-notice');");

    // A link to a demo this server does not have says so.
    browser.open_connected(&playground.demo_url("no_such_demo"));
    let unknown = browser.text(&browser.wait_for("#unknown-demo", WAIT));
    assert!(unknown.contains("no demo \"no_such_demo\""), "{unknown}");
}

#[test]
fn back_and_forward_go_between_two_demos_with_their_knobs() {
    let playground = Playground::start();
    let browser = Browser::start();
    browser.open_connected(&playground.demo_url("echo"));
    let clients = read_knob(&browser, "clients");
    let c = clients.default + 1;
    browser.set_param("clients", c as u64, WAIT);
    wait_js(
        &browser,
        &format!("{QUERY} return q.get('clients') === '{c}';"),
    );

    // The navigation goes to another demo: a new history entry.
    let entries = browser.execute("return history.length;").as_u64().unwrap();
    let nav = browser.wait_for("nav.scenarios a[href='/demos/seq_vs_concurrent']", WAIT);
    browser.click(&nav);
    wait_js(
        &browser,
        &format!(
            "{QUERY} return location.pathname === '/demos/seq_vs_concurrent'
               && q.has('delay_a_ms');"
        ),
    );
    assert_eq!(
        browser.execute("return history.length;").as_u64(),
        Some(entries + 1)
    );
    browser.set_param("delay_a_ms", 123, WAIT);
    wait_js(
        &browser,
        &format!("{QUERY} return q.get('delay_a_ms') === '123';"),
    );

    browser.execute("history.back(); return null;");
    wait_js(&browser, "return location.pathname === '/demos/echo';");
    wait_js(
        &browser,
        &format!("{QUERY} return q.get('clients') === '{c}';"),
    );
    wait_js(
        &browser,
        &format!(
            "const i = document.querySelector('#param-clients'); return i && i.value === '{c}';"
        ),
    );

    browser.execute("history.forward(); return null;");
    wait_js(
        &browser,
        "const i = document.querySelector('#param-delay_a_ms');
         return location.pathname === '/demos/seq_vs_concurrent' && i && i.value === '123';",
    );
}

#[test]
fn an_old_hash_link_lands_on_the_demo_s_path() {
    let playground = Playground::start();
    // Opened fresh: rewritten before the app starts.
    let browser = Browser::start();
    browser.open_connected(&playground.url("/#/seq_vs_concurrent"));
    browser.wait_for("#param-delay_a_ms", WAIT);
    let (path, _, hash) = location(&browser);
    assert_eq!(
        (path.as_str(), hash.as_str()),
        ("/demos/seq_vs_concurrent", "")
    );
    drop(browser);

    // Followed on a page that is already open (only the hash changes).
    let browser = Browser::start();
    browser.open_connected(&playground.url("/"));
    browser.wait_for("#course", WAIT);
    let entries = browser.execute("return history.length;").as_u64().unwrap();
    browser.open_connected(&playground.url("/#/echo"));
    browser.wait_for("#param-clients", WAIT);
    let (path, search, hash) = location(&browser);
    assert_eq!((path.as_str(), hash.as_str()), ("/demos/echo", ""));
    assert!(search.contains("clients="), "{search}");
    // Rewritten in place: one new history entry (the page opened), not two.
    assert_eq!(
        browser.execute("return history.length;").as_u64(),
        Some(entries + 1)
    );

    // The old front page link is the front page.
    browser.open_connected(&playground.url("/#/"));
    browser.wait_for("#course", WAIT);
    let (path, _, hash) = location(&browser);
    assert_eq!((path.as_str(), hash.as_str()), ("/", ""));
}
