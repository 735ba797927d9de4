//! The course: the outline's nine sections by name, and the front page that shows the
//! whole path before the first demo — every section, its demos, one line each.
//!
//! The section names are the outline's; the demos and their one-line summaries are the
//! ones the server announced (and the browser-only demos), so the page lists what this
//! server can really run. A section with no demo here says so.
//!
//! DOM contract (for tests): `section#course` holds one `li.course-section` per outline
//! section, with `data-section` (1..=9) and `data-demos` (how many demos it lists); each
//! demo is an `a.course-demo` to its page (`/demos/<id>`), followed by its `p.course-summary`.
//!
//! Uses the scenario descriptors only; the shell decides when to show it.

use std::collections::BTreeMap;

use pollscope_shared::scenario::ScenarioDescriptor;
use yew::prelude::*;

use crate::links::{Route, RouteLink};

/// The outline's sections, in order: section `n` is `SECTIONS[n - 1]`.
pub const SECTIONS: [&str; 9] = [
    "async/await: sequential vs join!",
    "Futures, poll and wakers",
    "Runtime flavours and spawning",
    "Async I/O: the reactor wakes",
    "Concurrency vs parallelism",
    "Errors: ?, panics and timeouts",
    "Performance",
    "Patterns",
    "Testing and monitoring",
];

/// The name of outline section `n`, if there is one.
pub fn section_title(n: u8) -> Option<&'static str> {
    SECTIONS.get(usize::from(n).checked_sub(1)?).copied()
}

/// How the navigation labels a section: "Section 8 · Patterns".
pub fn section_label(n: u8) -> String {
    match section_title(n) {
        Some(title) => format!("Section {n} · {title}"),
        None => format!("Section {n}"),
    }
}

#[derive(Properties, PartialEq)]
pub struct CourseProps {
    /// Every demo on offer, grouped by section (the shell's grouping).
    pub sections: BTreeMap<u8, Vec<ScenarioDescriptor>>,
}

#[component]
pub fn Course(props: &CourseProps) -> Html {
    let sections = (1..=SECTIONS.len() as u8).map(|n| {
        let demos = props
            .sections
            .get(&n)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let items = demos.iter().map(|d| {
            html! {
                <li key={d.id.clone()}>
                    <RouteLink to={Route::Demo { id: d.id.clone() }} classes={classes!("course-demo")}>
                        { &d.title }
                    </RouteLink>
                    <p class="course-summary">{ &d.summary }</p>
                </li>
            }
        });
        html! {
            <li class="course-section" key={n.to_string()} data-section={n.to_string()}
                data-demos={demos.len().to_string()}>
                <h3>{ format!("{n}. {}", SECTIONS[usize::from(n) - 1]) }</h3>
                if demos.is_empty() {
                    <p class="empty">{ "No demo of this section on this server." }</p>
                } else {
                    <ul>{ for items }</ul>
                }
            </li>
        }
    });
    html! {
        <section id="course">
            <h2>{ "The course" }</h2>
            <p class="course-intro">
                { "Nine steps from your first .await to code you can run in production. \
                   Every demo runs real async Rust on the server and shows what happened: \
                   each bar, arrow and number comes from its run." }
            </p>
            <ol class="course-sections">{ for sections }</ol>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_section_has_a_name_and_only_those() {
        assert_eq!(section_title(1), Some(SECTIONS[0]));
        assert_eq!(section_title(9), Some("Testing and monitoring"));
        assert_eq!(section_title(0), None);
        assert_eq!(section_title(10), None);
        assert_eq!(section_label(8), "Section 8 · Patterns");
        assert_eq!(section_label(12), "Section 12");
        assert!(SECTIONS.iter().all(|s| !s.is_empty()));
    }
}
