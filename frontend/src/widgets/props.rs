//! [`DemoProps`]: what every demo page is given. The registry in [`crate::demos`] hands
//! the same props to every page, so a page is picked by its scenario id alone; the shared
//! frame and run panel read them too.

use pollscope_shared::scenario::{Fix, ParamValues, ScenarioDescriptor};
use yew::prelude::*;

use crate::state::{Guesses, PastRun, RunState};

/// Everything a demo page needs: the scenario, its latest run, its knobs, and what to
/// do when the learner acts.
#[derive(Properties, PartialEq, Clone)]
pub struct DemoProps {
    pub descriptor: ScenarioDescriptor,
    pub run: RunState,
    pub values: ParamValues,
    pub connected: bool,
    /// `AppState::recording_version`: changes whenever the recorded events did, so a page
    /// that shows what it folds from them (see [`crate::recording`]) re-renders and
    /// re-reads the store.
    pub recording_version: u64,
    /// A knob moved: (parameter name, new value). The reducer clamps it.
    pub on_param: Callback<(String, i64)>,
    pub on_run: Callback<()>,
    /// Cancel the run with this id.
    pub on_cancel: Callback<u64>,
    /// The finished runs the page keeps, oldest first.
    pub history: Vec<PastRun>,
    /// Two of them shown side by side (older first).
    pub compare: Option<(u64, u64)>,
    pub on_compare: Callback<Option<(u64, u64)>>,
    /// Rerun a finished run with a fix applied.
    pub on_fix: Callback<FixRequest>,
    /// The learner's guesses for the next run, and a guess typed: (headline key, value).
    pub guesses: Guesses,
    pub on_guess: Callback<(String, Option<u64>)>,
}

/// "Rerun `from_run` with `fix`": the fixed run's knobs are `fix.fixed(params)`.
#[derive(Debug, Clone, PartialEq)]
pub struct FixRequest {
    pub from_run: u64,
    pub params: ParamValues,
    pub fix: Fix,
}
