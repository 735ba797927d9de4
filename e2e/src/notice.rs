//! Reading a page's "what to notice" (`#what-to-notice`): its text, and whether the
//! machine was shared while the run ran, which decides whether its conclusions are shown.
//!
//! A page's notice says `data-shared` and `data-withheld`, and marks each paragraph
//! `data-kind="fact|conclusion|withheld"`; `#run-load` beside it says the same `data-shared`
//! from the run's load. Uses [`crate::webdriver`] only.

use std::time::Duration;

use crate::webdriver::Browser;

/// The start of what a notice says in place of the conclusions it leaves out
/// (the frontend's `WITHHELD`).
pub const WITHHELD: &str = "The machine was shared while this run ran";

/// A notice as the page shows it.
#[derive(Debug, Clone)]
pub struct Notice {
    pub text: String,
    /// The run's load says the machine was shared: the notice draws no conclusion.
    pub shared: bool,
    /// Paragraphs marked as conclusions.
    pub conclusions: usize,
}

impl Notice {
    /// Read `#what-to-notice`, checking it agrees with `#run-load` on whether the machine
    /// was shared, and that a shared run's notice shows no conclusion and says why.
    pub fn read(browser: &Browser, wait: Duration) -> Self {
        let element = browser.wait_for("#what-to-notice", wait);
        let text = browser.text(&element);
        let shared = browser.attr(&element, "data-shared").as_deref() == Some("true");
        let load = browser.wait_for("#run-load", wait);
        assert_eq!(
            browser.attr(&load, "data-shared").as_deref(),
            Some(if shared { "true" } else { "false" }),
            "the notice and the run's load agree on whether the machine was shared"
        );
        let conclusions = browser
            .find_all("#what-to-notice p[data-kind='conclusion']")
            .len();
        let withheld = browser.number::<usize>(&element, "data-withheld");
        if shared {
            assert_eq!(conclusions, 0, "a shared run draws no conclusion: {text}");
            assert_eq!(text.contains(WITHHELD), withheld > 0, "{text}");
        } else {
            assert_eq!(withheld, 0, "{text}");
            assert!(!text.contains(WITHHELD), "{text}");
        }
        Self {
            text,
            shared,
            conclusions,
        }
    }

    /// Assert the notice says `figure`.
    pub fn says(&self, figure: &str) {
        assert!(
            self.text.contains(figure),
            "{figure:?} not in {}",
            self.text
        );
    }

    /// Assert the notice does not say `phrase`.
    pub fn never_says(&self, phrase: &str) {
        assert!(!self.text.contains(phrase), "{phrase:?} in {}", self.text);
    }
}
