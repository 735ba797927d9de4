//! The timeline's colours, one table per [`Theme`], and the contrast arithmetic that
//! checks them.
//!
//! Poll outcomes and wake sources take the Okabe–Ito palette, whose eight colours stay
//! distinct under the common colour-vision deficiencies: Ready bluish green, Pending
//! orange, Panicked vermillion; wakes by a task blue, by the reactor sky blue, by a timer
//! reddish purple, by the driver black (the ink, in the dark theme), by a thread yellow.
//! On white, the three lightest (orange, sky blue, yellow) are darkened, hue kept, to
//! reach 3:1 against the canvas. Colour is never the only cue: Pending bars are hatched,
//! Panicked polls carry a cross, and each wake source's arrow has its own dash (see
//! [`Paint::hatched`] and [`Paint::dash`] in [`super::scene`]). The legend uses the same
//! values as CSS custom properties (`--paint-*` in `static/style.css`; a test keeps the
//! two in step). This module uses nothing but `std`.

use super::scene::{PAINTS, Paint};
use crate::theme::Theme;

/// The canvas background of each theme (the pixel buffer starts from it).
pub fn background(theme: Theme) -> &'static str {
    match theme {
        Theme::Light => "#ffffff",
        Theme::Dark => "#1a1d22",
    }
}

/// Colours in the order of [`Paint::ALL`].
const LIGHT: [&str; PAINTS] = [
    "#f3f4ef",                   // RowAlt
    "rgba(216, 27, 96, 0.08)",   // CurrentRow
    "rgba(37, 87, 167, 0.13)",   // Selected
    "rgba(120, 128, 140, 0.28)", // Park
    "#e2e4de",                   // Grid
    "#b9a3e3",                   // Span
    "#009e73",                   // Ready
    "#ba8000",                   // Pending
    "#d55e00",                   // Panicked
    "rgba(0, 158, 115, 0.45)",   // ReadyDim
    "rgba(186, 128, 0, 0.45)",   // PendingDim
    "#0072b2",                   // WakeTask
    "#4591bc",                   // WakeReactor
    "#cc79a7",                   // WakeTimer
    "#1d232a",                   // WakeDriver
    "#948d28",                   // WakeThread
    "#767676",                   // WakeUnknown
    "rgba(255, 255, 255, 0.62)", // Future
    "#d81b60",                   // Cursor
    "#d81b60",                   // Highlight
    "#1d232a",                   // PanicMark
    "#8a9099",                   // Axis
    "#1d232a",                   // Text
    "#5d6670",                   // TextMuted
];

const DARK: [&str; PAINTS] = [
    "#1f2227",                   // RowAlt
    "rgba(240, 98, 146, 0.12)",  // CurrentRow
    "rgba(86, 180, 233, 0.16)",  // Selected
    "rgba(160, 168, 180, 0.22)", // Park
    "#30353c",                   // Grid
    "#8f7bc4",                   // Span
    "#009e73",                   // Ready
    "#e69f00",                   // Pending
    "#d55e00",                   // Panicked
    "rgba(0, 158, 115, 0.5)",    // ReadyDim
    "rgba(230, 159, 0, 0.5)",    // PendingDim
    "#0072b2",                   // WakeTask
    "#56b4e9",                   // WakeReactor
    "#cc79a7",                   // WakeTimer
    "#e4e6e8",                   // WakeDriver
    "#f0e442",                   // WakeThread
    "#8b939c",                   // WakeUnknown
    "rgba(26, 29, 34, 0.62)",    // Future
    "#f06292",                   // Cursor
    "#f06292",                   // Highlight
    "#ffffff",                   // PanicMark
    "#6c737c",                   // Axis
    "#e4e6e8",                   // Text
    "#a3abb5",                   // TextMuted
];

/// The CSS colour of `paint` in `theme`.
pub fn color(paint: Paint, theme: Theme) -> &'static str {
    match theme {
        Theme::Light => LIGHT[paint as usize],
        Theme::Dark => DARK[paint as usize],
    }
}

/// A `#rrggbb` or `rgba(r, g, b, a)` colour as RGB and alpha.
pub fn parse(css: &str) -> ([u8; 3], f64) {
    if let Some(hex) = css.strip_prefix('#') {
        let v = u32::from_str_radix(hex, 16).unwrap_or(0);
        return ([(v >> 16) as u8, (v >> 8) as u8, v as u8], 1.0);
    }
    let inner = css.trim_start_matches("rgba(").trim_end_matches(')');
    let parts: Vec<f64> = inner
        .split(',')
        .filter_map(|p| p.trim().parse::<f64>().ok())
        .collect();
    let p = |i: usize| parts.get(i).copied().unwrap_or(0.0);
    ([p(0) as u8, p(1) as u8, p(2) as u8], p(3))
}

/// `fg` (maybe translucent) over the opaque `bg`, as opaque RGBA bytes.
pub fn over(fg: &str, bg: &str) -> [u8; 4] {
    let (rgb, alpha) = parse(fg);
    let (under, _) = parse(bg);
    let blend = |c: u8, u: u8| (f64::from(c) * alpha + f64::from(u) * (1.0 - alpha)).round() as u8;
    [
        blend(rgb[0], under[0]),
        blend(rgb[1], under[1]),
        blend(rgb[2], under[2]),
        255,
    ]
}

/// `a` mixed with `b`, `t` of the way to `b`.
pub fn mix(a: [u8; 4], b: [u8; 4], t: f64) -> [u8; 4] {
    let m = |x: u8, y: u8| (f64::from(x) * (1.0 - t) + f64::from(y) * t).round() as u8;
    [m(a[0], b[0]), m(a[1], b[1]), m(a[2], b[2]), 255]
}

/// WCAG relative luminance of an sRGB colour.
pub fn luminance(rgb: [u8; 3]) -> f64 {
    let lin = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(rgb[0]) + 0.7152 * lin(rgb[1]) + 0.0722 * lin(rgb[2])
}

/// WCAG contrast ratio of two opaque colours (1 to 21).
pub fn contrast(a: [u8; 3], b: [u8; 3]) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

#[cfg(test)]
mod tests {
    use super::*;

    const THEMES: [Theme; 2] = [Theme::Light, Theme::Dark];

    fn rgb(c: [u8; 4]) -> [u8; 3] {
        [c[0], c[1], c[2]]
    }

    fn on_canvas(p: Paint, theme: Theme) -> [u8; 3] {
        rgb(over(color(p, theme), background(theme)))
    }

    #[test]
    fn contrast_matches_known_pairs() {
        assert!((contrast([0, 0, 0], [255, 255, 255]) - 21.0).abs() < 1e-9);
        assert!((contrast([118, 118, 118], [255, 255, 255]) - 4.54).abs() < 0.01);
        assert_eq!(
            over("rgba(120, 128, 140, 0.28)", "#ffffff"),
            [217, 219, 223, 255]
        );
    }

    #[test]
    fn canvas_text_is_readable_in_both_themes() {
        for theme in THEMES {
            for text in [Paint::Text, Paint::TextMuted] {
                for under in [background(theme), color(Paint::RowAlt, theme)] {
                    let c = contrast(on_canvas(text, theme), rgb(over(under, background(theme))));
                    assert!(c >= 4.5, "{text:?} on {under} in {theme:?}: {c:.2}");
                }
            }
        }
    }

    #[test]
    fn bars_and_arrows_stand_out_from_the_canvas_in_both_themes() {
        let marks = [
            Paint::Ready,
            Paint::Pending,
            Paint::Panicked,
            Paint::WakeTask,
            Paint::WakeReactor,
            Paint::WakeTimer,
            Paint::WakeDriver,
            Paint::WakeThread,
            Paint::Cursor,
            Paint::PanicMark,
        ];
        for theme in THEMES {
            let bg = rgb(over(background(theme), background(theme)));
            for p in marks {
                let c = contrast(on_canvas(p, theme), bg);
                assert!(c >= 3.0, "{p:?} in {theme:?}: {c:.2}");
            }
            // The cross on a panicked bar is seen against the bar.
            let c = contrast(
                on_canvas(Paint::PanicMark, theme),
                on_canvas(Paint::Panicked, theme),
            );
            assert!(c >= 3.0, "cross on a panicked bar in {theme:?}: {c:.2}");
        }
    }

    #[test]
    fn outcomes_and_wake_sources_differ_from_each_other() {
        // Distinct colours within each group, in each theme (the second cue is extra).
        let groups: [&[Paint]; 2] = [
            &[Paint::Ready, Paint::Pending, Paint::Panicked],
            &[
                Paint::WakeTask,
                Paint::WakeReactor,
                Paint::WakeTimer,
                Paint::WakeDriver,
                Paint::WakeThread,
            ],
        ];
        for theme in THEMES {
            for group in groups {
                for (i, a) in group.iter().enumerate() {
                    for b in &group[i + 1..] {
                        assert_ne!(color(*a, theme), color(*b, theme), "{a:?} {b:?}");
                    }
                }
            }
        }
    }

    /// The custom properties of `block` (the text of one CSS rule) whose names start
    /// with `prefix`, the prefix taken off.
    fn css_vars(block: &str, prefix: &str) -> Vec<(String, String)> {
        block
            .split(';')
            .filter_map(|decl| {
                // Drop a comment before the declaration.
                let decl = decl.rsplit("*/").next().unwrap_or(decl);
                let (name, value) = decl.trim().split_once(':')?;
                let name = name.trim().strip_prefix(prefix)?;
                Some((name.to_owned(), value.trim().to_owned()))
            })
            .collect()
    }

    const CSS: &str = include_str!("../../../static/style.css");
    const RULES: [(Theme, &str); 2] = [
        (Theme::Light, ":root"),
        (Theme::Dark, ":root[data-theme=\"dark\"]"),
    ];

    fn rule<'a>(css: &'a str, selector: &str) -> &'a str {
        let start = css
            .find(&format!("{selector} {{"))
            .unwrap_or_else(|| panic!("no `{selector}` rule"));
        let body = &css[start..];
        &body[body.find('{').unwrap() + 1..body.find('}').unwrap()]
    }

    #[test]
    fn the_stylesheet_gives_the_legend_the_same_colours() {
        for (theme, selector) in RULES {
            let vars = css_vars(rule(CSS, selector), "--paint-");
            let mut checked = 0;
            for p in Paint::ALL {
                if let Some(name) = p.css_name() {
                    let found = vars.iter().find(|(n, _)| n == name);
                    assert_eq!(
                        found.map(|(_, v)| v.as_str()),
                        Some(color(p, theme)),
                        "--paint-{name} in `{selector}`"
                    );
                    checked += 1;
                }
            }
            assert!(checked >= 10, "{checked} paints have a CSS name");
            let bg = vars
                .iter()
                .find(|(n, _)| n == "canvas")
                .map(|(_, v)| v.as_str());
            assert_eq!(
                bg,
                Some(background(theme)),
                "--paint-canvas in `{selector}`"
            );
        }
    }

    #[test]
    fn page_text_is_readable_in_both_themes() {
        // Text colour, background: each pair at least 4.5:1 in each theme.
        let pairs = [
            ("ink", "bg"),
            ("ink", "panel"),
            ("muted", "bg"),
            ("muted", "panel"),
            ("muted", "head-bg"),
            ("ink", "code-bg"),
            ("accent", "bg"),
            ("accent", "panel"),
            ("on-accent", "accent"),
            ("bad", "error-bg"),
            ("bad", "panel"),
            ("notice-ink", "notice-bg"),
            ("ink", "tint-info"),
            ("ink", "tint-await"),
            ("ink", "tint-spawn"),
            ("ink", "tint-current"),
            ("tooltip-ink", "tooltip-bg"),
            ("good", "panel"),
            ("worse", "panel"),
        ];
        // The code panels' syntax colours, on the code and on its lit lines.
        let tokens = ["kw", "str", "num", "com", "mac", "ty", "attr", "life"];
        let token_vars: Vec<(String, &str)> =
            tokens.iter().map(|t| (format!("tok-{t}"), *t)).collect();
        let token_pairs: Vec<(&str, &str)> = token_vars
            .iter()
            .flat_map(|(fg, _)| ["code-bg", "tint-await", "tint-spawn"].map(|bg| (fg.as_str(), bg)))
            .collect();
        let light = css_vars(rule(CSS, RULES[0].1), "--");
        for (theme, selector) in RULES {
            let own = css_vars(rule(CSS, selector), "--");
            // A dark rule inherits what it does not set.
            let var = |name: &str| {
                own.iter()
                    .chain(&light)
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_else(|| panic!("--{name} in {theme:?}"))
            };
            for &(fg, bg) in pairs.iter().chain(&token_pairs) {
                let back = over(&var(bg), &var("bg"));
                let c = contrast(rgb(over(&var(fg), &var("bg"))), rgb(back));
                assert!(c >= 4.5, "--{fg} on --{bg} in {theme:?}: {c:.2}");
            }
        }
    }
}
