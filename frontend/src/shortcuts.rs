//! The keyboard shortcuts of the page, and the `?` overlay that lists them.
//!
//! `?` anywhere on the page opens the list and `?` again or Escape closes it; neither
//! fires while the learner types in a text box. The timeline's keys act only while a
//! timeline has the focus, so none of them clashes with these page-wide ones. The table
//! [`SECTIONS`] is the one place the shortcuts are written down (the pointer gestures too,
//! with no keys): the timeline's keys are those its engine answers to
//! (`timeline::engine::Engine::key`), and a test checks each one against it. [`next`] and
//! [`is_typing`] are pure and tested natively; the component listens on `window`.

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use yew::prelude::*;

/// One shortcut: the `KeyboardEvent.key` values that trigger it (none for a pointer
/// gesture), how the list shows them, and what it does.
#[derive(Debug, Clone, Copy)]
pub struct Shortcut {
    pub keys: &'static [&'static str],
    pub shows: &'static str,
    pub does: &'static str,
}

const fn sc(keys: &'static [&'static str], shows: &'static str, does: &'static str) -> Shortcut {
    Shortcut { keys, shows, does }
}

/// Where a group of shortcuts works, and the group.
pub const SECTIONS: [(&str, &[Shortcut]); 3] = [
    (
        "Anywhere on the page",
        &[
            sc(&["?"], "?", "show or hide this list"),
            sc(&["Escape"], "Esc", "close this list"),
        ],
    ),
    (
        "On a timeline (click or tab to its canvas first)",
        &[
            sc(
                &["ArrowLeft", ",", "["],
                "← or , or [",
                "step one event back",
            ),
            sc(
                &["ArrowRight", ".", "]"],
                "→ or . or ]",
                "step one event forward",
            ),
            sc(&["Home"], "Home", "go to the first event"),
            sc(&["l", "End"], "l or End", "follow the latest event"),
            sc(&[" ", "k"], "space or k", "play / pause the replay"),
            sc(&["+", "="], "+ or =", "zoom in"),
            sc(&["-", "_"], "− or _", "zoom out"),
            sc(
                &["Shift+ArrowLeft", "Shift+ArrowRight"],
                "Shift+← →",
                "move back / forward in time",
            ),
            sc(&["ArrowUp", "ArrowDown"], "↑ ↓", "scroll the task rows"),
            sc(&["0"], "0", "show the whole run"),
            sc(&["Escape"], "Esc", "clear the selected task"),
        ],
    ),
    (
        "On a timeline, with a mouse, pen or fingers",
        &[
            sc(&[], "wheel", "zoom (shift+wheel: move in time)"),
            sc(
                &[],
                "drag",
                "move in time (up / down: scroll the task rows)",
            ),
            sc(&[], "pinch", "zoom around the fingers"),
            sc(&[], "click or tap", "show that task's details"),
            sc(&[], "double-click or double-tap", "show the whole run"),
        ],
    ),
];

/// Whether a key press on an element with this tag name (upper case, as the DOM gives
/// it), `type` attribute and editability is typing, which the overlay leaves alone.
pub fn is_typing(tag: &str, input_type: &str, editable: bool) -> bool {
    match tag {
        "TEXTAREA" | "SELECT" => true,
        "INPUT" => !matches!(
            input_type.to_ascii_lowercase().as_str(),
            "range" | "checkbox" | "radio" | "button" | "submit" | "reset" | "color" | "file"
        ),
        _ => editable,
    }
}

/// The overlay's new state after `key`, if the key changes it.
pub fn next(open: bool, key: &str, typing: bool) -> Option<bool> {
    match key {
        "Escape" if open => Some(false),
        "?" if !typing => Some(!open),
        _ => None,
    }
}

fn typing_in(target: Option<web_sys::EventTarget>) -> bool {
    let Some(el) = target.and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok()) else {
        return false;
    };
    let kind = el.get_attribute("type").unwrap_or_default();
    is_typing(&el.tag_name(), &kind, el.is_content_editable())
}

/// The header's `?` button (`#shortcuts-hint`), the overlay `#shortcuts` (a dialog,
/// present only while open), and the `?` listener.
#[component]
pub fn Shortcuts() -> Html {
    let open = use_state(|| false);
    {
        let open = open.clone();
        use_effect_with(*open, move |&is_open| {
            let window = web_sys::window().expect("a window");
            let listener = Closure::<dyn FnMut(KeyboardEvent)>::new(move |e: KeyboardEvent| {
                if e.ctrl_key() || e.meta_key() || e.alt_key() {
                    return;
                }
                if let Some(now) = next(is_open, &e.key(), typing_in(e.target())) {
                    e.prevent_default();
                    open.set(now);
                }
            });
            let _ = window
                .add_event_listener_with_callback("keydown", listener.as_ref().unchecked_ref());
            move || {
                let _ = window.remove_event_listener_with_callback(
                    "keydown",
                    listener.as_ref().unchecked_ref(),
                );
            }
        });
    }
    let toggle = |to: bool| {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(to))
    };
    let hint = html! {
        <button id="shortcuts-hint" class="shortcuts-hint" type="button"
            title="Keyboard shortcuts (?)" aria-label="Keyboard shortcuts"
            onclick={toggle(!*open)}>{ "?" }</button>
    };
    if !*open {
        return hint;
    }
    let sections = SECTIONS.iter().map(|(title, list)| {
        let rows = list.iter().map(|s| {
            html! { <><dt><kbd>{ s.shows }</kbd></dt><dd>{ s.does }</dd></> }
        });
        html! {
            <section>
                <h3>{ *title }</h3>
                <dl>{ for rows }</dl>
            </section>
        }
    });
    html! {
        <>
        { hint }
        <div class="shortcuts-backdrop">
            <div id="shortcuts" class="shortcuts" role="dialog" aria-modal="true"
                aria-labelledby="shortcuts-title">
                <h2 id="shortcuts-title">{ "Keyboard shortcuts" }</h2>
                { for sections }
                <button class="shortcuts-close" type="button" onclick={toggle(false)}>
                    { "Close (Esc)" }
                </button>
            </div>
        </div>
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timeline::engine::Engine;

    #[test]
    fn question_mark_toggles_and_escape_closes() {
        assert_eq!(next(false, "?", false), Some(true));
        assert_eq!(next(true, "?", false), Some(false));
        assert_eq!(next(true, "Escape", false), Some(false));
        // Escape with the list closed is someone else's (the timeline clears its selection).
        assert_eq!(next(false, "Escape", false), None);
        assert_eq!(next(false, "a", false), None);
    }

    #[test]
    fn typing_a_question_mark_in_a_box_is_only_typing() {
        assert_eq!(next(false, "?", true), None);
        assert!(is_typing("INPUT", "", false));
        assert!(is_typing("INPUT", "number", false));
        assert!(is_typing("TEXTAREA", "", false));
        assert!(is_typing("DIV", "", true));
        assert!(!is_typing("INPUT", "range", false));
        assert!(!is_typing("DIV", "", false));
        assert!(!is_typing("BUTTON", "", false));
    }

    #[test]
    fn the_timeline_answers_to_every_key_the_list_shows() {
        let (_, timeline) = SECTIONS[1];
        for s in timeline {
            for key in s.keys {
                let mut engine = Engine::default();
                assert!(
                    engine.key(key),
                    "{key:?} ({}) listed but not handled",
                    s.does
                );
            }
        }
        // And the engine handles nothing the list leaves out (a few it must not take).
        for key in ["?", "a", "Tab", "Enter"] {
            assert!(!Engine::default().key(key), "{key:?}");
        }
    }
}
