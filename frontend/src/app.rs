//! The app shell: header with the connection indicator, navigation built from the
//! scenarios the server announced (and the demos that need no server), routing by path
//! (`/demos/seq_vs_concurrent?delay_a_ms=300`; `/` is the course's front page; see
//! [`crate::links`]), banners, the theme switch and the shortcut list (see
//! [`crate::theme`], [`crate::shortcuts`]), and the page of the selected scenario with the
//! link to it.
//!
//! [`App`] owns the state (a reducer) and mounts the [`ConnectionProvider`]; [`Shell`]
//! reads the state and turns clicks into messages for the server. The shell names no
//! demo: it makes the [`DemoProps`] of the selected scenario and asks the registry in
//! [`crate::demos`] for its page.

use std::collections::BTreeMap;

use pollscope_shared::ClientMessage;
use pollscope_shared::protocol::EventEncoding;
use pollscope_shared::scenario::ScenarioDescriptor;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::connection::{Connection, ConnectionProvider};
use crate::course::{Course, section_label};
use crate::demos;
use crate::keep::open::OpenRun;
use crate::links::query::query_of;
use crate::links::sync::use_knobs_in_address;
use crate::links::{Route, RouteLink, demo_path, use_old_links};
use crate::recording::RecordingStore;
use crate::shortcuts::Shortcuts;
use crate::state::{Action, AppState, ConnectionStatus};
use crate::theme::ThemeToggle;
use crate::widgets::{CopyLink, DemoProps, FixRequest};

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

/// The root component: state, the recorded events (outside the state, see
/// [`crate::recording`]), and the socket that feeds both.
#[component]
pub fn App() -> Html {
    let state = use_reducer(AppState::default);
    let recordings = (*use_memo((), |_| RecordingStore::default())).clone();
    html! {
        <BrowserRouter>
            <ContextProvider<RecordingStore> context={recordings.clone()}>
                <ConnectionProvider dispatch={state.dispatcher()} recordings={recordings}>
                    <Shell state={state} />
                </ConnectionProvider>
            </ContextProvider<RecordingStore>>
        </BrowserRouter>
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
    let routed = use_route::<Route>().unwrap_or(Route::Front);
    let route = routed.demo();
    let local = demos::local_demos();
    // The server's scenarios, and those of runs opened from files (shown without a server).
    let known = state.known_scenarios();
    let selected = select(&local, &known, route);
    // The address follows the knobs of the demo it names (not of the one shown instead
    // of an id nobody knows).
    let linked = selected
        .map(|s| s.id.as_str())
        .filter(|id| Some(*id) == route);
    use_knobs_in_address(state, linked);
    use_old_links();
    let mut listed = known.clone();
    listed.extend(local.iter().cloned());

    let nav = by_section(&listed).into_iter().map(|(section, scenarios)| {
        let links = scenarios.into_iter().map(|s| {
            let current = selected.is_some_and(|sel| sel.id == s.id);
            html! {
                <li key={s.id.clone()}>
                    <RouteLink to={Route::Demo { id: s.id.clone() }}
                        classes={classes!(current.then_some("current"))} {current}>
                        { &s.title }
                    </RouteLink>
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
        Some(descriptor) => html! {
            <>
                // A link to a demo this server does not have: say so, not just show another.
                if let Some(asked) = route.filter(|id| *id != descriptor.id) {
                    <p id="unknown-demo" class="banner notice" role="status">
                        { format!("There is no demo \"{asked}\" here; showing {} instead.",
                            descriptor.title) }
                    </p>
                }
                <CopyLink url={share_url(state, descriptor)} />
                { demos::render(demo_props(state, &connection, descriptor)) }
            </>
        },
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
                <h1><RouteLink to={Route::Front}>{ "pollscope" }</RouteLink></h1>
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
    html! { <>{ connection }{ for mismatch }{ for notice }{ link_notice(state) }</> }
}

/// What the last link opened could not use, each named (see [`crate::links::query`]).
fn link_notice(state: &UseReducerHandle<AppState>) -> Html {
    let Some(notice) = &state.link_notice else {
        return html! {};
    };
    let dispatch = state.dispatcher();
    let items = notice.problems.iter().map(|p| {
        html! { <li data-param={p.name.clone()}>{ &p.text }</li> }
    });
    html! {
        <div id="link-notice" class="banner notice" role="status"
            data-problems={notice.problems.len().to_string()}>
            { "This link's knobs were not all usable:" }
            <ul>
                { for items }
                if notice.more > 0 {
                    <li>{ format!("and {} more", notice.more) }</li>
                }
            </ul>
            <button class="dismiss" onclick={move |_| dispatch.dispatch(Action::DismissLinkNotice)}>
                { "Dismiss" }
            </button>
        </div>
    }
}

/// The absolute link to `descriptor`'s page with the knobs it has now.
fn share_url(state: &UseReducerHandle<AppState>, descriptor: &ScenarioDescriptor) -> AttrValue {
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    let query = query_of(&descriptor.params, &state.params_for(&descriptor.id));
    let path = demo_path(&descriptor.id);
    let url = if query.is_empty() {
        format!("{origin}{path}")
    } else {
        format!("{origin}{path}?{query}")
    };
    url.into()
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
