//! Save then open, natively: the page's recording of a run comes back event for event,
//! folded into the same numbers; a bad file changes nothing.

use pollscope_shared::instrument::batch::EventBatch;
use pollscope_shared::keep::KeepError;
use pollscope_shared::results::ScenarioResult;
use pollscope_shared::scenario::{ParamSpec, ScenarioDescriptor};

use super::*;
use crate::fixtures::one_conn_events;
use crate::state::{Action, AppState, Guesses, OPENED_RUN_IDS, RunState};

const ECHO_RESULT: &str = include_str!("../../../shared/tests/golden/results/echo.json");

fn descriptor() -> ScenarioDescriptor {
    ScenarioDescriptor {
        id: "echo".into(),
        title: "Echo server".into(),
        section: 4,
        summary: "s".into(),
        params: vec![ParamSpec::integer("clients", "Clients", "", 8, 1, 64)],
        code: Default::default(),
        fixes: Vec::new(),
    }
}

fn past(run_id: u64) -> PastRun {
    PastRun {
        run_id,
        params: [("clients".to_owned(), 3)].into(),
        result: serde_json::from_str::<ScenarioResult>(ECHO_RESULT).unwrap(),
        fixing: None,
        guesses: Guesses::new(),
    }
}

/// Run 5 of echo as the page received it: two parts, the first in two batches.
fn store() -> Recordings {
    let events = one_conn_events();
    let mut store = Recordings::default();
    store.begin(5, "echo");
    let batch = |part, seq, events| EventBatch {
        run_id: 5,
        part,
        seq,
        dropped_total: 2,
        events,
    };
    store.apply_batch(batch(0, 0, events[..3].to_vec()));
    store.apply_batch(batch(0, 1, events[3..].to_vec()));
    store.apply_batch(batch(1, 0, events.clone()));
    store
}

#[test]
fn a_saved_run_opens_with_the_same_events_and_numbers() {
    let saved = store();
    let kept = kept_run(&descriptor(), &past(5), None, saved.run(5)).expect("whole");
    let bytes = kept.encode();
    let mut page = Recordings::default();
    let opened = open_into(&bytes, OPENED_RUN_IDS, &mut page).expect("opens");
    assert_eq!(opened.descriptor, descriptor());
    assert_eq!(opened.params, past(5).params);
    assert_eq!(opened.result, past(5).result);
    let (before, after) = (saved.run(5).unwrap(), page.run(OPENED_RUN_IDS).unwrap());
    assert_eq!(after.scenario, "echo");
    assert_eq!(before.parts.len(), after.parts.len());
    for (part, b) in &before.parts {
        let a = &after.parts[part];
        assert_eq!(a.events, b.events, "part {part}");
        assert_eq!(a.stats, b.stats, "part {part}");
        assert_eq!(a.dropped_total, b.dropped_total);
        assert_eq!(a.pending_by_await, b.pending_by_await);
        assert_eq!(a.diagnostics(), b.diagnostics());
        assert!(a.gaps.is_empty());
    }
}

#[test]
fn a_run_whose_events_were_not_all_kept_is_not_saved() {
    let saved = store();
    assert_eq!(
        kept_run(&descriptor(), &past(5), None, None).unwrap_err(),
        SaveRefusal::EventsLetGo
    );
    let mut run = saved.run(5).unwrap().clone();
    run.parts.get_mut(&0).unwrap().events_not_kept = 4;
    assert_eq!(
        kept_run(&descriptor(), &past(5), None, Some(&run)).unwrap_err(),
        SaveRefusal::EventsNotKept(4)
    );
}

#[test]
fn a_bad_file_changes_nothing() {
    let mut page = store();
    let bytes = kept_run(&descriptor(), &past(5), None, page.run(5))
        .unwrap()
        .encode();
    let cut = &bytes[..bytes.len() / 2];
    assert!(matches!(
        open_into(cut, OPENED_RUN_IDS, &mut page),
        Err(KeepError::Truncated)
    ));
    assert!(page.run(OPENED_RUN_IDS).is_none());
    assert_eq!(page.for_scenario("echo").unwrap().run_id, 5);
}

#[test]
fn an_opened_run_is_shown_on_its_page_without_a_server() {
    let mut state = AppState::default();
    assert!(state.known_scenarios().is_empty());
    state.apply(Action::OpenFailed("Could not open x: truncated.".into()));
    assert!(state.open_error.is_some());
    state.apply(Action::RunOpened(Box::new(OpenedRun {
        descriptor: descriptor(),
        run_id: OPENED_RUN_IDS,
        params: past(5).params,
        result: past(5).result,
        load: None,
    })));
    assert_eq!(state.open_error, None);
    assert_eq!(state.known_scenarios(), vec![descriptor()]);
    assert!(matches!(
        state.run("echo"),
        RunState::Finished { run_id, .. } if *run_id == OPENED_RUN_IDS
    ));
    assert_eq!(state.history("echo").len(), 1);
    assert_eq!(state.history("echo")[0].params, past(5).params);
    // A failed open says why and keeps the run.
    state.apply(Action::OpenFailed("Could not open y.".into()));
    assert_eq!(state.history("echo").len(), 1);
    assert!(matches!(state.run("echo"), RunState::Finished { .. }));
}

#[test]
fn an_opened_run_survives_a_hello_and_waits_out_a_run_under_way() {
    let opened = |run_id| {
        Action::RunOpened(Box::new(OpenedRun {
            descriptor: descriptor(),
            run_id,
            params: past(5).params,
            result: past(5).result,
            load: None,
        }))
    };
    let mut state = AppState::default();
    state.apply(opened(OPENED_RUN_IDS));
    // A server that does not announce echo: the opened run stays.
    state.apply(Action::Server(pollscope_shared::ServerMessage::Hello {
        protocol_version: pollscope_shared::PROTOCOL_VERSION,
        server_version: "x".into(),
        limits: pollscope_shared::protocol::SessionLimits {
            max_message_bytes: 1 << 16,
            max_concurrent_runs: 1,
            max_run_seconds: 30,
            idle_timeout_seconds: 600,
            max_session_seconds: 3600,
            server_max_running: 1,
            server_max_queued: 1,
        },
        scenarios: Vec::new(),
    }));
    assert_eq!(state.history("echo").len(), 1);
    assert_eq!(state.known_scenarios(), vec![descriptor()]);
    // A run under way is not replaced: the opened run goes to the history.
    state.runs.insert("echo".into(), RunState::Requested);
    state.apply(opened(OPENED_RUN_IDS + 1));
    assert_eq!(state.run("echo"), &RunState::Requested);
    assert_eq!(state.history("echo").len(), 2);
}
