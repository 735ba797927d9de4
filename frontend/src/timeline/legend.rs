//! The legend under the canvas: one item per paint the learner must tell apart, each
//! with its colour and, where the canvas has one, its second cue drawn the same way —
//! Pending hatched, Panicked crossed, each wake source's dash (an SVG line with the
//! canvas's own dash pattern).
//!
//! Colours come from the `--paint-*` custom properties (see [`super::palette`]), so the
//! legend follows a theme change without re-rendering. DOM contract: `.tl-legend li`
//! carries `data-paint` (the paint's CSS name) and `data-cue` (`solid`, `hatched`,
//! `cross`, `dash`, `line`).

use yew::prelude::*;

use super::scene::Paint;

/// The legend's entries, in order.
pub const ENTRIES: [(Paint, &str); 11] = [
    (Paint::Ready, "poll → Ready"),
    (Paint::Pending, "poll → Pending (hatched)"),
    (Paint::Panicked, "poll panicked (×)"),
    (Paint::Span, "await point waiting"),
    (Paint::Park, "worker parked"),
    (Paint::WakeTask, "wake by a task (solid)"),
    (Paint::WakeReactor, "wake by reactor (dashed)"),
    (Paint::WakeTimer, "wake by timer (dotted)"),
    (Paint::WakeDriver, "wake by driver (dash-dot)"),
    (Paint::WakeThread, "wake by a thread (sparse)"),
    (Paint::Cursor, "current event"),
];

/// The second cue an entry shows.
pub fn cue(p: Paint) -> &'static str {
    if p.hatched() {
        "hatched"
    } else if p == Paint::Panicked {
        "cross"
    } else if !p.dash().is_empty() {
        "dash"
    } else if matches!(p, Paint::WakeTask | Paint::Cursor) {
        "line"
    } else {
        "solid"
    }
}

fn item(p: Paint, label: &'static str) -> Html {
    let name = p.css_name().unwrap_or("none");
    let var = format!("var(--paint-{name})");
    let cue = cue(p);
    let swatch = if matches!(cue, "dash" | "line") {
        let dash = p
            .dash()
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join(" ");
        html! {
            <svg class="tl-swatch-line" width="22" height="8" aria-hidden="true">
                <line x1="0" y1="4" x2="22" y2="4" style={format!("stroke: {var}")}
                    stroke-width="2" stroke-dasharray={(!dash.is_empty()).then_some(dash)} />
            </svg>
        }
    } else {
        html! {
            <span class="tl-swatch" data-cue={cue} style={format!("--swatch: {var}")}
                aria-hidden="true"></span>
        }
    };
    html! {
        <li data-paint={name} data-cue={cue}>{ swatch }{ label }</li>
    }
}

/// The legend's items.
pub fn items() -> Html {
    html! { <>{ for ENTRIES.iter().map(|&(p, label)| item(p, label)) }</> }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_outcome_and_wake_source_has_a_cue_besides_colour() {
        let cues: Vec<(&str, &str)> = ENTRIES
            .iter()
            .map(|&(p, _)| (p.css_name().unwrap(), cue(p)))
            .collect();
        for (name, want) in [
            ("pending", "hatched"),
            ("panicked", "cross"),
            ("ready", "solid"),
            ("wake-reactor", "dash"),
            ("wake-timer", "dash"),
            ("wake-driver", "dash"),
            ("wake-thread", "dash"),
            ("wake-task", "line"),
        ] {
            assert!(cues.contains(&(name, want)), "{name}: {cues:?}");
        }
    }
}
