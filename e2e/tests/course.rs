//! The front page, in a real browser: opening the playground shows the whole course — the
//! nine outline sections by name, every demo the navigation offers listed under its
//! section with its one-line summary — and a demo's link there opens its page.

use std::time::Duration;

use pollscope_e2e::playground::Playground;
use pollscope_e2e::webdriver::Browser;

const WAIT: Duration = Duration::from_secs(10);

#[test]
fn the_front_page_lists_every_section_and_every_demo_and_its_links_open_them() {
    let playground = Playground::start();
    let browser = Browser::start();
    browser.open_connected(&playground.url("/"));
    browser.wait_for("#course .course-section", WAIT);
    let page = browser.execute(
        "const sections = [...document.querySelectorAll('#course .course-section')];
         return {
           sections: sections.map(s => ({
             n: Number(s.dataset.section), demos: Number(s.dataset.demos),
             title: s.querySelector('h3').textContent,
             links: [...s.querySelectorAll('a.course-demo')].map(a => a.getAttribute('href')),
             summaries: [...s.querySelectorAll('.course-summary')].map(p => p.textContent),
           })),
           nav: [...document.querySelectorAll('nav.scenarios a')].map(a => a.getAttribute('href')),
           navSections: [...document.querySelectorAll('nav.scenarios .section-number')]
             .map(s => s.textContent),
         };",
    );
    let sections = page["sections"].as_array().expect("sections");
    assert_eq!(sections.len(), 9, "{page}");
    let mut course_links = Vec::new();
    for (i, s) in sections.iter().enumerate() {
        assert_eq!(s["n"], i + 1, "{s}");
        let title = s["title"].as_str().unwrap_or_default();
        assert!(
            title.starts_with(&format!("{}. ", i + 1)) && title.len() > 4,
            "{title}"
        );
        let links = s["links"].as_array().unwrap();
        let summaries = s["summaries"].as_array().unwrap();
        assert_eq!(s["demos"], links.len(), "{s}");
        assert_eq!(links.len(), summaries.len());
        // Every section of the outline has a demo on this server now.
        assert!(!links.is_empty(), "section {} lists no demo", i + 1);
        assert!(
            summaries
                .iter()
                .all(|p| !p.as_str().unwrap().trim().is_empty()),
            "{s}"
        );
        course_links.extend(links.iter().map(|l| l.as_str().unwrap().to_owned()));
    }
    // The front page lists exactly what the navigation offers.
    let mut nav: Vec<String> = serde_json::from_value(page["nav"].clone()).unwrap();
    let mut listed = course_links.clone();
    nav.sort();
    listed.sort();
    assert_eq!(listed, nav);
    // The navigation names the sections too.
    let nav_sections: Vec<String> = serde_json::from_value(page["navSections"].clone()).unwrap();
    assert!(
        nav_sections.iter().any(|s| s == "Section 8 · Patterns"),
        "{nav_sections:?}"
    );

    // Every link is a demo's path.
    assert!(
        course_links.iter().all(|l| l.starts_with("/demos/")),
        "{course_links:?}"
    );

    // A section 9 demo's link opens its page.
    let link = sections[8]["links"][0].as_str().unwrap().to_owned();
    let anchor = browser.wait_for(&format!("#course a.course-demo[href='{link}']"), WAIT);
    let title = browser.text(&anchor);
    browser.click(&anchor);
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let shown = browser.execute(
            "const h = document.querySelector('main h2'); \
             return [location.pathname, h ? h.textContent : '', !!document.querySelector('#course')];",
        );
        if shown[0] == link.as_str() && shown[2] == false {
            assert!(
                shown[1].as_str().unwrap_or_default().contains(&title),
                "the page shows {shown}, not {title:?}"
            );
            break;
        }
        assert!(std::time::Instant::now() < deadline, "still {shown}");
        std::thread::sleep(Duration::from_millis(50));
    }
}
