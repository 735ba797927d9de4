//! The app shell: header with the connection indicator, navigation built from the
//! scenarios the server announced (and the demos that need no server), hash routing
//! (`#/seq_vs_concurrent`; `#/` is the course's front page), banners, the theme switch and
//! the shortcut list (see [`crate::theme`], [`crate::shortcuts`]), and the page of the
//! selected scenario.
//!
//! [`App`] owns the state (a reducer) and mounts the [`ConnectionProvider`]; [`Shell`]
//! reads the state and turns clicks into messages for the server. The shell names no
//! demo: it makes the [`DemoProps`] of the selected scenario and asks the registry in
//! [`crate::demos`] for its page.

use std::collections::BTreeMap;

use pollscope_shared::ClientMessage;
use pollscope_shared::protocol::EventEncoding;
use pollscope_shared::scenario::ScenarioDescriptor;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use yew::prelude::*;

use crate::connection::{Connection, ConnectionProvider};
use crate::course::{Course, section_label};
use crate::demos;
use crate::keep::open::OpenRun;
use crate::recording::RecordingStore;
use crate::shortcuts::Shortcuts;
use crate::state::{Action, AppState, ConnectionStatus};
use crate::theme::ThemeToggle;
use crate::widgets::{DemoProps, FixRequest};

/// The scenario id a location hash names: `"#/seq_vs_concurrent"` → `Some("seq_vs_concurrent")`.
pub fn route_from_hash(hash: &str) -> Option<&str> {
    let id = hash.trim_start_matches('#').trim_start_matches('/');
    let id = id.split(['/', '?']).next().unwrap_or("");
    (!id.is_empty()).then_some(id)
}

/// The scenario to show: the routed one if it is a browser-only demo (in `local`) or the
/// server announced it (in `scenarios`); an id neither knows gets the server's first one.
/// No route at all is the front page: `None`.
pub fn select<'a>(
    local: &'a [ScenarioDescriptor],
    scenarios: &'a [ScenarioDescriptor],
    route: Option<&str>,
) -> Option<&'a ScenarioDescriptor> {
    let id = route?;
    local
        .iter()
        .chain(scenarios)
        .find(|s| s.id == id)
        .or_else(|| scenarios.first())
}

/// Scenarios grouped by outline section, sections in order, scenarios in announced order.
pub fn by_section(scenarios: &[ScenarioDescriptor]) -> BTreeMap<u8, Vec<&ScenarioDescriptor>> {
    let mut sections: BTreeMap<u8, Vec<&ScenarioDescriptor>> = BTreeMap::new();
    for s in scenarios {
        sections.entry(s.section).or_default().push(s);
    }
    sections
}

fn current_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// The location hash, kept up to date by listening to `hashchange`.
#[hook]
fn use_location_hash() -> String {
    let hash = use_state(current_hash);
    {
        let hash = hash.clone();
        use_effect_with((), move |_| {
            let window = web_sys::window().expect("a window");
            let listener =
                Closure::<dyn FnMut(Event)>::new(move |_: Event| hash.set(current_hash()));
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
    (*hash).clone()
}

/// The root component: state, the recorded events (outside the state, see
/// [`crate::recording`]), and the socket that feeds both.
#[component]
pub fn App() -> Html {
    let state = use_reducer(AppState::default);
    let recordings = (*use_memo((), |_| RecordingStore::default())).clone();
    html! {
        <ContextProvider<RecordingStore> context={recordings.clone()}>
            <ConnectionProvider dispatch={state.dispatcher()} recordings={recordings}>
                <Shell state={state} />
            </ConnectionProvider>
        </ContextProvider<RecordingStore>>
    }
}

#[derive(Properties, PartialEq)]
pub struct ShellProps {
    pub state: UseReducerHandle<AppState>,
}

#[component]
pub fn Shell(props: &ShellProps) -> Html {
    let state = &props.state;
    let connection = use_context::<Connection>().expect("inside ConnectionProvider");
    let hash = use_location_hash();
    let route = route_from_hash(&hash);
    let local = demos::local_demos();
    // The server's scenarios, and those of runs opened from files (shown without a server).
    let known = state.known_scenarios();
    let selected = select(&local, &known, route);
    let mut listed = known.clone();
    listed.extend(local.iter().cloned());

    let nav = by_section(&listed).into_iter().map(|(section, scenarios)| {
        let links = scenarios.into_iter().map(|s| {
            let current = selected.is_some_and(|sel| sel.id == s.id);
            html! {
                <li key={s.id.clone()}>
                    <a href={format!("#/{}", s.id)} class={classes!(current.then_some("current"))}
                        aria-current={current.then_some("page")}>{ &s.title }</a>
                </li>
            }
        });
        html! {
            <li class="nav-section" key={section.to_string()}>
                <span class="section-number">{ section_label(section) }</span>
                <ul>{ for links }</ul>
            </li>
        }
    });

    let page = match selected {
        Some(descriptor) => demos::render(demo_props(state, &connection, descriptor)),
        None if route.is_none() && state.server_version.is_some() && !listed.is_empty() => {
            let sections: BTreeMap<u8, Vec<ScenarioDescriptor>> = by_section(&listed)
                .into_iter()
                .map(|(n, demos)| (n, demos.into_iter().cloned().collect::<Vec<_>>()))
                .collect();
            html! { <Course {sections} /> }
        }
        None if state.server_version.is_some() => {
            html! { <p class="empty">{ "The server announced no scenarios." }</p> }
        }
        None => html! { <p class="empty">{ "Waiting for the server to say hello…" }</p> },
    };

    html! {
        <>
            <header class="site-header">
                <h1><a href="#/">{ "pollscope" }</a></h1>
                <span class="tagline">{ "async Rust, measured live" }</span>
                <span id="connection-status" class="connection"
                    data-state={state.status.data_state()} role="status">
                    <span class="dot" aria-hidden="true"></span>
                    { state.status.label() }
                </span>
                <ThemeToggle />
                <Shortcuts />
            </header>
            { banners(state) }
            <OpenRun dispatch={state.dispatcher()} error={state.open_error.clone()} />
            <div class="layout">
                <nav class="scenarios" aria-label="Demos">
                    <ul>{ for nav }</ul>
                </nav>
                <main>{ page }</main>
            </div>
            <footer>
                if let Some(version) = &state.server_version {
                    { format!("server {version}") }
                }
                if let Some(limits) = &state.limits {
                    { format!(" · runs stop after {} s · {} run(s) at a time",
                        limits.max_run_seconds, limits.max_concurrent_runs) }
                }
            </footer>
        </>
    }
}

fn banners(state: &UseReducerHandle<AppState>) -> Html {
    let connection = match state.status {
        ConnectionStatus::Reconnecting {
            attempt,
            retry_in_ms,
        } => {
            let when = if retry_in_ms == 0 {
                format!("Trying again now (attempt {attempt}).")
            } else {
                format!(
                    "Retrying automatically: attempt {attempt} in {:.1} s.",
                    f64::from(retry_in_ms) / 1000.0
                )
            };
            let what = if state.ever_connected {
                "The connection to the backend was lost. "
            } else {
                "The backend is not reachable (no WebSocket at /ws on this host). Is it running? "
            };
            html! {
                <div id="connection-error" class="banner error" role="alert">
                    { what }{ when }
                </div>
            }
        }
        _ => html! {},
    };
    let mismatch = state.protocol_mismatch.map(|v| {
        html! {
            <div class="banner error" role="alert">
                { format!("The server speaks protocol version {v}, this page version {}. \
                           Reload the page after updating it.", pollscope_shared::PROTOCOL_VERSION) }
            </div>
        }
    });
    let notice = state.notice.as_ref().map(|text| {
        let dispatch = state.dispatcher();
        html! {
            <div id="notice" class="banner notice">
                { text }
                <button class="dismiss" onclick={move |_| dispatch.dispatch(Action::DismissNotice)}>
                    { "Dismiss" }
                </button>
            </div>
        }
    });
    html! { <>{ connection }{ for mismatch }{ for notice }</> }
}

/// The props of a scenario's page: its state, and callbacks that become messages for the
/// server (a browser-only demo ignores them).
fn demo_props(
    state: &UseReducerHandle<AppState>,
    connection: &Connection,
    descriptor: &ScenarioDescriptor,
) -> DemoProps {
    let id = descriptor.id.clone();
    let on_param = {
        let (dispatch, id) = (state.dispatcher(), id.clone());
        Callback::from(move |(name, value): (String, i64)| {
            dispatch.dispatch(Action::SetParam {
                scenario: id.clone(),
                name,
                value,
            });
        })
    };
    let on_run = {
        let (connection, id, params) = (connection.clone(), id.clone(), state.params_for(&id));
        Callback::from(move |()| {
            connection.send(ClientMessage::Run {
                scenario: id.clone(),
                params: params.clone(),
                // Recorded events come as compact binary frames; the connection decodes
                // them into the recordings store.
                events: EventEncoding::Binary,
            });
        })
    };
    let on_cancel = {
        let connection = connection.clone();
        Callback::from(move |run_id| {
            connection.send(ClientMessage::Cancel { run_id });
        })
    };
    let on_compare = {
        let (dispatch, id) = (state.dispatcher(), id.clone());
        Callback::from(move |runs| {
            dispatch.dispatch(Action::Compare {
                scenario: id.clone(),
                runs,
            });
        })
    };
    // A fix reruns the run it fixes with the fix's knobs: the knobs move to them (so the
    // page shows what runs), the run is marked as the fixed version, and it is sent.
    let on_fix = {
        let (dispatch, connection, id) = (state.dispatcher(), connection.clone(), id.clone());
        Callback::from(move |request: FixRequest| {
            let params = request.fix.fixed(&request.params);
            for (name, value) in &params {
                dispatch.dispatch(Action::SetParam {
                    scenario: id.clone(),
                    name: name.clone(),
                    value: *value,
                });
            }
            dispatch.dispatch(Action::FixRequested {
                scenario: id.clone(),
                from_run: request.from_run,
            });
            connection.send(ClientMessage::Run {
                scenario: id.clone(),
                params,
                events: EventEncoding::Binary,
            });
        })
    };
    let on_guess = {
        let (dispatch, id) = (state.dispatcher(), id.clone());
        Callback::from(move |(key, value): (String, Option<u64>)| {
            dispatch.dispatch(Action::Guess {
                scenario: id.clone(),
                key,
                value,
            });
        })
    };
    DemoProps {
        descriptor: descriptor.clone(),
        run: state.run(&id).clone(),
        values: state.params_for(&id),
        connected: state.is_connected(),
        recording_version: state.recording_version,
        on_param,
        on_run,
        on_cancel,
        history: state.history(&id).to_vec(),
        compare: state.compared(&id).map(|(a, b)| (a.run_id, b.run_id)),
        on_compare,
        on_fix,
        guesses: state.guesses.get(&id).cloned().unwrap_or_default(),
        on_guess,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(id: &str, section: u8) -> ScenarioDescriptor {
        ScenarioDescriptor {
            id: id.into(),
            title: id.into(),
            section,
            summary: String::new(),
            params: vec![],
            code: Default::default(),
            fixes: Vec::new(),
        }
    }

    #[test]
    fn routes_from_hash() {
        assert_eq!(
            route_from_hash("#/seq_vs_concurrent"),
            Some("seq_vs_concurrent")
        );
        assert_eq!(
            route_from_hash("#seq_vs_concurrent/"),
            Some("seq_vs_concurrent")
        );
        assert_eq!(route_from_hash(""), None);
        assert_eq!(route_from_hash("#/"), None);
    }

    #[test]
    fn selects_routed_or_first() {
        let all = [scenario("x", 2), scenario("y", 1)];
        assert_eq!(select(&[], &all, Some("y")).unwrap().id, "y");
        assert_eq!(select(&[], &all, Some("nope")).unwrap().id, "x");
        // No route: the front page, whatever is on offer.
        assert!(select(&[], &all, None).is_none());
        assert!(select(&[], &[], Some("x")).is_none());
    }

    #[test]
    fn a_browser_demo_is_selected_without_the_server() {
        let local = [scenario("here", 2)];
        let all = [scenario("x", 1)];
        assert_eq!(select(&local, &all, Some("here")).unwrap().id, "here");
        assert_eq!(select(&local, &[], Some("here")).unwrap().id, "here");
        // Routed to an id nobody knows: the server's first scenario, not the local demo.
        assert_eq!(select(&local, &all, Some("gone")).unwrap().id, "x");
        assert!(select(&local, &[], Some("gone")).is_none());
    }

    #[test]
    fn groups_by_section_in_order() {
        let all = [scenario("c", 2), scenario("a", 1), scenario("b", 2)];
        let groups: Vec<(u8, Vec<&str>)> = by_section(&all)
            .into_iter()
            .map(|(n, s)| (n, s.iter().map(|d| d.id.as_str()).collect()))
            .collect();
        assert_eq!(groups, vec![(1, vec!["a"]), (2, vec!["c", "b"])]);
    }
}
