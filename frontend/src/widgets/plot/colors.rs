//! The plots' colours in both themes, read from `static/style.css`: text and marks at
//! least 4.5:1 against the plot's background, bars, curve and axes at least 3:1 (WCAG's
//! floor for graphics), so every plot reads in light and dark.
//!
//! Test-only; uses the timeline palette's contrast arithmetic.

use crate::theme::Theme;
use crate::timeline::palette::{contrast, over};

const CSS: &str = include_str!("../../../../static/style.css");

/// The declarations of the rule whose selector is exactly `selector`.
fn block<'a>(selector: &str) -> &'a str {
    let head = format!("\n{selector} {{");
    let start = CSS
        .find(&head)
        .unwrap_or_else(|| panic!("no `{selector}` rule"))
        + head.len();
    &CSS[start..start + CSS[start..].find('}').unwrap()]
}

/// `--name`'s value in `block`, if the block sets it.
fn var_in(block: &str, name: &str) -> Option<String> {
    block.split(';').find_map(|decl| {
        let (n, v) = decl.trim().split_once(':')?;
        (n.trim() == format!("--{name}")).then(|| v.trim().to_owned())
    })
}

/// A custom property as the plot sees it in `theme`: the plot's own rule for the
/// theme, then the light one, then the page's `:root` rules; `var(--x)` followed.
fn value(theme: Theme, name: &str) -> String {
    let mut rules = vec![];
    if theme == Theme::Dark {
        rules.push(block(":root[data-theme=\"dark\"] .plot"));
    }
    rules.push(block(".plot"));
    if theme == Theme::Dark {
        rules.push(block(":root[data-theme=\"dark\"]"));
    }
    rules.push(block(":root"));
    let found = rules
        .iter()
        .find_map(|b| var_in(b, name))
        .unwrap_or_else(|| panic!("--{name} in {theme:?}"));
    match found
        .strip_prefix("var(--")
        .and_then(|v| v.strip_suffix(')'))
    {
        Some(inner) => value(theme, inner),
        None => found,
    }
}

fn rgb(c: [u8; 4]) -> [u8; 3] {
    [c[0], c[1], c[2]]
}

#[test]
fn plot_colours_stand_out_from_the_plot_in_both_themes() {
    for theme in [Theme::Light, Theme::Dark] {
        let bg = value(theme, "plot-bg");
        let on = |name: &str| contrast(rgb(over(&value(theme, name), &bg)), rgb(over(&bg, &bg)));
        for text in ["plot-ink", "plot-axis", "plot-p50", "plot-p99"] {
            let c = on(text);
            assert!(c >= 4.5, "--{text} on the plot in {theme:?}: {c:.2}");
        }
        for graphic in ["plot-bar", "plot-curve"] {
            let c = on(graphic);
            assert!(c >= 3.0, "--{graphic} on the plot in {theme:?}: {c:.2}");
        }
        // The two marks must differ from each other too, not only from the background.
        assert_ne!(value(theme, "plot-p50"), value(theme, "plot-p99"));
    }
}
