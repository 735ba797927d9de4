//! The address and the knobs kept in step, both ways.
//!
//! The address changes for two kinds of reasons, and they must be told apart:
//! - someone else moved it — a link opened, back / forward, a click on the navigation:
//!   its query is read into the knobs ([`Action::OpenLink`]; the reducer checks it
//!   against the knobs' bounds and names what it could not use);
//! - this hook moved it, because a knob moved: nothing to read.
//!
//! So the hook remembers the address it last read or wrote. An address that differs from
//! it is someone else's and is read; otherwise, if the knobs no longer match the query, the
//! address is rewritten with `replace`, not `push`: dragging a slider must not leave a
//! hundred history entries, and back goes to the previous page, not the previous value.
//! Going from one demo to another is a push (see [`super::RouteLink`]).
//!
//! A query can only be read once the server's hello has announced the demo's knobs; until
//! then nothing happens, and the link is read as soon as they are known.

use std::cell::RefCell;
use std::rc::Rc;

use pollscope_shared::scenario::{ParamSpec, ParamValues};
use yew::prelude::*;
use yew_router::history::{BrowserHistory, History};
use yew_router::prelude::*;

use super::demo_path;
use super::query::query_of;
use crate::state::{Action, AppState};

/// An address: the demo shown and its query (without `?`).
type Address = (String, String);

/// Keep the address of demo `shown` (the one the route names, if it is shown) and its
/// knobs in step.
#[hook]
pub fn use_knobs_in_address(state: &UseReducerHandle<AppState>, shown: Option<&str>) {
    let location = use_location();
    let last: Rc<RefCell<Option<Address>>> = use_mut_ref(|| None);
    let query = location
        .as_ref()
        .map(|l| l.query_str().trim_start_matches('?').to_owned())
        .unwrap_or_default();
    // The knobs, once the server announced them (opened-from-file and browser-only
    // demos have no knobs to link).
    let knobs: Option<(Vec<ParamSpec>, ParamValues)> = shown
        .and_then(|id| state.scenario(id))
        .map(|d| (d.params.clone(), state.params_for(&d.id)));
    let deps = (shown.map(str::to_owned), query, knobs, state.links_opened);
    let dispatch = state.dispatcher();
    use_effect_with(deps, move |(shown, query, knobs, _)| {
        let Some(id) = shown else {
            // Not on a demo: coming back to one reads its address again.
            *last.borrow_mut() = None;
            return;
        };
        let Some((specs, values)) = knobs else {
            return;
        };
        let here = (id.clone(), query.clone());
        if last.borrow().as_ref() != Some(&here) {
            *last.borrow_mut() = Some(here);
            dispatch.dispatch(Action::OpenLink {
                scenario: id.clone(),
                query: query.clone(),
            });
            return;
        }
        let want = query_of(specs, values);
        if &want != query {
            let path = demo_path(id);
            let address = if want.is_empty() {
                path
            } else {
                format!("{path}?{want}")
            };
            *last.borrow_mut() = Some((id.clone(), want));
            // The history the router listens to, so the route sees the new query.
            BrowserHistory::new().replace(address);
        }
    });
}
