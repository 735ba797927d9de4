//! Light and dark themes: the learner's choice (Auto / Light / Dark, remembered in
//! `localStorage`), which theme it resolves to, and where that theme is published.
//!
//! The resolved theme is written once per change to `<html data-theme="light|dark">`
//! (the stylesheet's custom properties switch on it) and kept in [`active`], which the
//! canvas timeline reads to pick its palette (see `timeline::palette`). "Auto" follows the
//! browser's `prefers-color-scheme`, and keeps following it while the page is open.
//! [`Choice`] and [`Choice::resolve`] are pure and tested natively; the rest talks to the
//! browser through `web-sys`.

use std::cell::Cell;

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use yew::prelude::*;

/// The theme the page is drawn in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Theme {
    #[default]
    Light,
    Dark,
}

impl Theme {
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

/// What the learner picked in the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Choice {
    /// Follow the browser's `prefers-color-scheme`.
    #[default]
    Auto,
    Light,
    Dark,
}

impl Choice {
    pub const ALL: [Choice; 3] = [Choice::Auto, Choice::Light, Choice::Dark];

    pub fn as_str(self) -> &'static str {
        match self {
            Choice::Auto => "auto",
            Choice::Light => "light",
            Choice::Dark => "dark",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Choice::Auto => "Auto",
            Choice::Light => "Light",
            Choice::Dark => "Dark",
        }
    }

    /// The choice stored under [`STORAGE_KEY`]; anything else (nothing stored, an old or
    /// hand-edited value) is Auto.
    pub fn parse(stored: Option<&str>) -> Choice {
        match stored.map(str::trim) {
            Some("light") => Choice::Light,
            Some("dark") => Choice::Dark,
            _ => Choice::Auto,
        }
    }

    /// The theme this choice shows when the browser prefers dark (`prefers_dark`) or not.
    pub fn resolve(self, prefers_dark: bool) -> Theme {
        match self {
            Choice::Light => Theme::Light,
            Choice::Dark => Theme::Dark,
            Choice::Auto if prefers_dark => Theme::Dark,
            Choice::Auto => Theme::Light,
        }
    }
}

/// The `localStorage` key of the choice.
pub const STORAGE_KEY: &str = "pollscope.theme";
const DARK_QUERY: &str = "(prefers-color-scheme: dark)";

thread_local! {
    static ACTIVE: Cell<Theme> = const { Cell::new(Theme::Light) };
}

/// The theme last applied to the page (light until the shell applies one).
pub fn active() -> Theme {
    ACTIVE.with(Cell::get)
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The remembered choice.
pub fn stored() -> Choice {
    Choice::parse(
        storage()
            .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
            .as_deref(),
    )
}

fn store(choice: Choice) {
    if let Some(s) = storage() {
        let _ = s.set_item(STORAGE_KEY, choice.as_str());
    }
}

fn dark_query() -> Option<web_sys::MediaQueryList> {
    web_sys::window()?.match_media(DARK_QUERY).ok().flatten()
}

/// Resolve `choice` against the browser's preference and publish the theme.
pub fn apply(choice: Choice) {
    let theme = choice.resolve(dark_query().is_some_and(|q| q.matches()));
    ACTIVE.with(|a| a.set(theme));
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("data-theme", theme.as_str());
        let _ = root.set_attribute("data-theme-choice", choice.as_str());
    }
}

/// The header's Auto / Light / Dark switch. It applies the remembered choice when it
/// mounts, stores and applies every new one, and re-applies Auto when the browser's
/// preference changes.
#[component]
pub fn ThemeToggle() -> Html {
    let choice = use_state(stored);
    {
        let current = *choice;
        use_effect_with(current, move |&c| {
            apply(c);
            // While this choice holds, a change of the browser's preference re-resolves it.
            let query = dark_query();
            let listener = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| apply(c));
            if let Some(q) = &query {
                let _ =
                    q.add_event_listener_with_callback("change", listener.as_ref().unchecked_ref());
            }
            move || {
                if let Some(q) = query {
                    let _ = q.remove_event_listener_with_callback(
                        "change",
                        listener.as_ref().unchecked_ref(),
                    );
                }
            }
        });
    }
    let buttons = Choice::ALL.map(|c| {
        let pressed = *choice == c;
        let onclick = {
            let choice = choice.clone();
            Callback::from(move |_: MouseEvent| {
                store(c);
                choice.set(c);
            })
        };
        html! {
            <button id={format!("theme-{}", c.as_str())} type="button" aria-pressed={pressed.to_string()}
                class={classes!(pressed.then_some("on"))} {onclick}>{ c.label() }</button>
        }
    });
    html! {
        <span class="theme-toggle" role="group" aria-label="Colour theme">{ for buttons }</span>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_follows_the_browser_and_the_others_do_not() {
        assert_eq!(Choice::Auto.resolve(true), Theme::Dark);
        assert_eq!(Choice::Auto.resolve(false), Theme::Light);
        for prefers_dark in [false, true] {
            assert_eq!(Choice::Light.resolve(prefers_dark), Theme::Light);
            assert_eq!(Choice::Dark.resolve(prefers_dark), Theme::Dark);
        }
    }

    #[test]
    fn the_stored_choice_round_trips_and_junk_is_auto() {
        for c in Choice::ALL {
            assert_eq!(Choice::parse(Some(c.as_str())), c);
        }
        assert_eq!(Choice::parse(None), Choice::Auto);
        assert_eq!(Choice::parse(Some("sepia")), Choice::Auto);
        assert_eq!(Choice::parse(Some(" dark\n")), Choice::Dark);
    }
}
