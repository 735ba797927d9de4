//! Deep links: every page has a path, and a demo's path carries its knobs.
//!
//! - `/` is the course's front page; `/demos/<id>?clients=8&messages=200` is a demo with
//!   its knob values ([`Route`], routed by `yew-router` on the browser's history).
//! - Links of the old form, `#/<id>`, are turned into `/demos/<id>` in place, without a
//!   history entry of their own: before the app starts ([`redirect_old_link`]) and when
//!   one is followed on the page (a `hashchange`, [`use_old_links`]).
//! - [`sync`] keeps the address and the knobs in step: a link opened (or reached with
//!   back / forward) sets the knobs, and a knob moved rewrites the address in place.
//! - [`query`] is the query itself, written and read back against the knobs' bounds.
//! - [`RouteLink`] is an anchor that navigates inside the page (a history push) and still
//!   works as a plain link (open in a new tab, copy the address).
//!
//! The backend answers `index.html` for these paths (backend `http::assets`), so a link
//! opened fresh, or a reload, lands in the app.

pub mod query;
pub mod sync;

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use yew::prelude::*;
use yew_router::history::{BrowserHistory, History};
use yew_router::prelude::*;

/// The app's pages.
#[derive(Debug, Clone, PartialEq, Eq, Routable)]
pub enum Route {
    /// The course's front page.
    #[at("/")]
    Front,
    /// One demo; its knobs are in the query.
    #[at("/demos/:id")]
    Demo { id: String },
    /// Any other path the app is loaded on (the backend serves none, `trunk serve` might):
    /// shown as the front page.
    #[not_found]
    #[at("/404")]
    Unknown,
}

impl Route {
    /// The demo this route shows, if it is a demo's.
    pub fn demo(&self) -> Option<&str> {
        match self {
            Self::Demo { id } => Some(id),
            Self::Front | Self::Unknown => None,
        }
    }
}

/// The path of demo `id`'s page, without knobs: `/demos/echo`.
pub fn demo_path(id: &str) -> String {
    Route::Demo { id: id.to_owned() }.to_path()
}

/// Where an old-style link goes: `#/echo` → `/demos/echo` (a query in the hash is kept),
/// `#/` → `/`. `None` for an address that is not an old link (no `#/`).
pub fn old_link_target(hash: &str) -> Option<String> {
    let rest = hash.strip_prefix("#/")?;
    let (id, query) = rest.split_once('?').unwrap_or((rest, ""));
    let id = id.trim_end_matches('/');
    let path = if id.is_empty() {
        "/".to_owned()
    } else {
        demo_path(id)
    };
    Some(if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    })
}

/// Rewrite an old `#/<id>` address to its path in place (no new history entry), so the
/// router, which reads the path, finds the demo. Called before the app mounts, and by
/// [`use_old_links`].
pub fn redirect_old_link() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let hash = window.location().hash().unwrap_or_default();
    if let Some(target) = old_link_target(&hash) {
        // The browser history the router listens to: the router sees the new path.
        BrowserHistory::new().replace(target);
    }
}

/// Follow an old `#/<id>` link opened while the app runs (the browser only changes the
/// hash and says `hashchange`; the router reads paths).
#[hook]
pub fn use_old_links() {
    use_effect_with((), |_| {
        let window = web_sys::window().expect("a window");
        let listener = Closure::<dyn FnMut(Event)>::new(|_: Event| redirect_old_link());
        let _ = window
            .add_event_listener_with_callback("hashchange", listener.as_ref().unchecked_ref());
        move || {
            let _ = window.remove_event_listener_with_callback(
                "hashchange",
                listener.as_ref().unchecked_ref(),
            );
        }
    });
}

#[derive(Properties, PartialEq)]
pub struct RouteLinkProps {
    pub to: Route,
    #[prop_or_default]
    pub classes: Classes,
    /// Is this the page shown (`aria-current="page"`)?
    #[prop_or_default]
    pub current: bool,
    #[prop_or_default]
    pub children: Html,
}

/// An `<a>` to `to`: a plain click navigates inside the page (history push); a click with
/// a modifier key (new tab, new window) is left to the browser.
#[component]
pub fn RouteLink(props: &RouteLinkProps) -> Html {
    let navigator = use_navigator();
    let onclick = {
        let (navigator, to) = (navigator.clone(), props.to.clone());
        Callback::from(move |e: MouseEvent| {
            let plain =
                e.button() == 0 && !(e.meta_key() || e.ctrl_key() || e.shift_key() || e.alt_key());
            if let Some(navigator) = navigator.as_ref().filter(|_| plain) {
                e.prevent_default();
                navigator.push(&to);
            }
        })
    };
    html! {
        <a href={props.to.to_path()} class={props.classes.clone()}
            aria-current={props.current.then_some("page")} {onclick}>
            { props.children.clone() }
        </a>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_the_front_page_and_each_demo() {
        assert_eq!(Route::recognize("/"), Some(Route::Front));
        assert_eq!(
            Route::recognize("/demos/echo"),
            Some(Route::Demo { id: "echo".into() })
        );
        assert_eq!(Route::recognize("/no/such/page"), Some(Route::Unknown));
        assert_eq!(demo_path("seq_vs_concurrent"), "/demos/seq_vs_concurrent");
        assert_eq!(Route::Demo { id: "x".into() }.demo(), Some("x"));
        assert_eq!(Route::Front.demo(), None);
    }

    #[test]
    fn old_hash_links_go_to_their_paths() {
        assert_eq!(old_link_target("#/echo").as_deref(), Some("/demos/echo"));
        assert_eq!(old_link_target("#/echo/").as_deref(), Some("/demos/echo"));
        assert_eq!(
            old_link_target("#/echo?clients=3").as_deref(),
            Some("/demos/echo?clients=3")
        );
        assert_eq!(old_link_target("#/").as_deref(), Some("/"));
        // Not an old link: no hash, or an anchor of the page.
        assert_eq!(old_link_target(""), None);
        assert_eq!(old_link_target("#top"), None);
    }
}
