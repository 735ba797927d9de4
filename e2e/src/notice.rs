//! Reading a page's "what to notice" (`#what-to-notice`, the frontend's `WhatToNotice`):
//! its text, whether it was drawn on a shared machine, and the check every notice test
//! makes when it was. Uses only the [`Browser`] client.

use std::time::Duration;

use crate::webdriver::Browser;

/// The start of the sentence a notice shows in place of the conclusions it withheld
/// (the frontend's `WITHHELD`).
pub const WITHHELD: &str = "The machine was shared while this run ran";

/// A finished run's notice, as the page shows it.
#[derive(Debug, Clone)]
pub struct Notice {
    pub text: String,
    /// The machine was shared during the run: the notice draws no conclusion.
    pub shared: bool,
    /// How many of its paragraphs are conclusions (`data-kind="conclusion"`).
    pub conclusions: usize,
    /// How many conclusions it left out because the machine was shared.
    pub withheld: usize,
}

impl Notice {
    /// Reads `#what-to-notice`, and checks that it agrees with `#run-load` on whether the
    /// machine was shared, that a shared run's notice draws no conclusion, and that it says
    /// why exactly when it left some out.
    pub fn read(browser: &Browser, wait: Duration) -> Self {
        let element = browser.wait_for("#what-to-notice", wait);
        let text = browser.text(&element);
        let shared = browser.attr(&element, "data-shared").as_deref() == Some("true");
        assert_eq!(
            browser
                .attr(&browser.wait_for("#run-load", wait), "data-shared")
                .as_deref(),
            Some(if shared { "true" } else { "false" }),
            "the notice and the run's load agree on whether the machine was shared"
        );
        let conclusions = browser
            .find_all("#what-to-notice [data-kind='conclusion']")
            .len();
        let withheld = browser.number::<usize>(&element, "data-withheld");
        let says_why = browser
            .find_all("#what-to-notice [data-kind='withheld']")
            .len();
        if shared {
            assert_eq!(conclusions, 0, "a shared run's notice concludes: {text}");
        } else {
            assert_eq!(withheld, 0, "a quiet run's notice withheld: {text}");
        }
        assert_eq!(
            says_why,
            usize::from(withheld > 0),
            "the notice says why, once, when it withheld its conclusions: {text}"
        );
        assert_eq!(withheld > 0, text.contains(WITHHELD), "{text}");
        Self {
            text,
            shared,
            conclusions,
            withheld,
        }
    }

    /// Asserts the notice has every one of `expected`.
    pub fn assert_contains<S: AsRef<str>>(&self, expected: impl IntoIterator<Item = S>) {
        for expected in expected {
            let expected = expected.as_ref();
            assert!(
                self.text.contains(expected),
                "no {expected:?} in {}",
                self.text
            );
        }
    }

    /// Asserts the notice says `figure`.
    pub fn says(&self, figure: &str) {
        self.assert_contains([figure]);
    }

    /// Asserts the notice does not say `phrase`.
    pub fn never_says(&self, phrase: &str) {
        assert!(!self.text.contains(phrase), "{phrase:?} in {}", self.text);
    }
}
