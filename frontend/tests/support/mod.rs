//! What the browser tests share: a fixed-width container in the page, waiting for Yew (or
//! a timer) to get its turn, finding elements and reading their attributes, and building
//! recorded events. Each test file includes it with `mod support;`.
//!
//! Every test file is its own crate and uses only some of these helpers, so the ones a
//! file leaves unused would warn there: hence the `allow(dead_code)`.
#![allow(dead_code)]

use gloo_timers::future::TimeoutFuture;
use pollscope_shared::instrument::{Event, EventKind};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

/// A fresh, 1000 px wide container at the end of `<body>`, so widths are comparable in
/// pixels and each test renders into its own element.
pub fn container() -> Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let div = document.create_element("div").unwrap();
    div.set_attribute("style", "width: 1000px").unwrap();
    document.body().unwrap().append_child(&div).unwrap();
    div
}

/// Let `ms` milliseconds of browser time pass (timers fire, Yew renders meanwhile).
pub async fn sleep(ms: u32) {
    TimeoutFuture::new(ms).await;
}

/// Yew renders on its scheduler; give it a turn of the event loop.
pub async fn settle() {
    sleep(10).await;
}

/// Wait (a couple of seconds at most, in short steps) until `check` holds.
pub async fn until(what: &str, mut check: impl FnMut() -> bool) {
    for _ in 0..200 {
        if check() {
            return;
        }
        settle().await;
    }
    panic!("timed out waiting for {what}");
}

/// The first element under `root` matching `css`, once Yew has rendered it.
pub async fn rendered(root: &Element, css: &str) -> HtmlElement {
    for _ in 0..200 {
        if let Some(found) = root.query_selector(css).unwrap() {
            return found.dyn_into().unwrap();
        }
        settle().await;
    }
    panic!("no {css} rendered");
}

/// The first element under `root` matching `css`; panics if there is none.
pub fn find(root: &Element, css: &str) -> HtmlElement {
    root.query_selector(css)
        .unwrap()
        .unwrap_or_else(|| panic!("no {css}"))
        .dyn_into::<HtmlElement>()
        .unwrap()
}

/// Whether an element under `root` matches `css`.
pub fn exists(root: &Element, css: &str) -> bool {
    root.query_selector(css).unwrap().is_some()
}

/// Every element under `root` matching `css`, in document order.
pub fn all(root: &Element, css: &str) -> Vec<HtmlElement> {
    let list = root.query_selector_all(css).unwrap();
    (0..list.length())
        .map(|i| list.item(i).unwrap().dyn_into::<HtmlElement>().unwrap())
        .collect()
}

/// Attribute `name` of `e`; panics if it is missing.
pub fn attr(e: &Element, name: &str) -> String {
    e.get_attribute(name)
        .unwrap_or_else(|| panic!("missing {name}"))
}

/// An event at `t_ns` on the run's clock.
pub fn ev(t_ns: u64, kind: EventKind) -> Event {
    Event { t_ns, kind }
}
