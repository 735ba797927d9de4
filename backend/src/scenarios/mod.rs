//! The catalog: every scenario the server can run.
//!
//! A scenario is one module: a unit struct implementing [`Scenario`] (its section, title,
//! summary, the code that ran, its typed [`Params`] and its result type, which also gives
//! its id), and its real async code. The [`catalog!`] table at the bottom of this file is
//! the one place that lists them. The session validates a request against the descriptor
//! derived from the parameters before anything starts, so a scenario's `run` receives its
//! parameters typed and in bounds.
//!
//! Scenarios use the harness ([`crate::harness`]) to run instrumented parts, and
//! [`support`] for what several of them share; nothing here knows about sessions or HTTP.

pub mod params;
pub mod support;
mod testing;

use std::future::Future;
use std::pin::Pin;

use pollscope_shared::ProtocolError;
use pollscope_shared::results::{ScenarioOutput, ScenarioResult};
use pollscope_shared::scenario::{CodeSnippet, Fix, ParamValues, ScenarioDescriptor};

pub use params::Params;

use crate::harness::{RunContext, ScenarioError};

/// One demo the server runs: what the learner reads about it, and its real code.
pub trait Scenario: Send + Sync + 'static {
    /// The knobs, declared with [`params!`](crate::params).
    type Params: Params;
    /// What a run measures. Its [`ScenarioOutput::ID`] is the scenario's id.
    type Output: ScenarioOutput + Send + 'static;
    /// Which section of the course outline (1..=9) the scenario belongs to.
    const SECTION: u8;
    const TITLE: &'static str;
    /// One sentence on what the scenario shows.
    const SUMMARY: &'static str;
    /// The scenario's own source file, `(file!(), include_str!("<this file>"))`: the part
    /// between its demo markers is shown as the code that ran.
    const SOURCE: (&'static str, &'static str);

    /// For the warnings a run can raise, the knob values that fix them (the page offers
    /// each as "run the fixed version"). None by default.
    fn fixes() -> Vec<Fix> {
        Vec::new()
    }

    /// Run the scenario with parameters already validated against their bounds.
    fn run(
        params: Self::Params,
        run: RunContext,
    ) -> impl Future<Output = Result<Self::Output, ScenarioError>> + Send;
}

/// A started run of some scenario, as the run layer drives it.
pub type RunFuture = Pin<Box<dyn Future<Output = Result<ScenarioResult, ScenarioError>> + Send>>;

/// A scenario of any type, as the catalog holds it.
pub trait AnyScenario: Send + Sync {
    fn descriptor(&self) -> ScenarioDescriptor;

    /// Build the typed parameters from validated values and start the run.
    fn start(&self, values: &ParamValues, run: RunContext) -> Result<RunFuture, ProtocolError>;
}

impl<S: Scenario> AnyScenario for S {
    fn descriptor(&self) -> ScenarioDescriptor {
        let (path, source) = S::SOURCE;
        ScenarioDescriptor {
            id: S::Output::ID.to_owned(),
            title: S::TITLE.to_owned(),
            section: S::SECTION,
            summary: S::SUMMARY.to_owned(),
            params: S::Params::specs(),
            code: code_of(path, source),
            fixes: S::fixes(),
        }
    }

    fn start(&self, values: &ParamValues, run: RunContext) -> Result<RunFuture, ProtocolError> {
        let params = S::Params::from_values(values)?;
        Ok(Box::pin(async move {
            S::run(params, run).await.map(Into::into)
        }))
    }
}

/// The code between the demo markers of a scenario's own source file (`path` as `file!()`
/// spells it, relative to the workspace root). A file without markers is a bug that the
/// catalog's test catches; it shows as an empty snippet rather than failing a session.
fn code_of(path: &str, source: &str) -> CodeSnippet {
    CodeSnippet::from_source(path, source).unwrap_or_else(|| CodeSnippet {
        path: path.to_owned(),
        ..CodeSnippet::default()
    })
}

/// Declares the scenario modules and lists their scenarios, in the order the browser
/// offers them: one line per scenario.
macro_rules! catalog {
    ($($module:ident :: $scenario:ident,)*) => {
        $(pub mod $module;)*

        /// Every scenario of the catalog, in order.
        fn scenarios() -> Vec<&'static dyn AnyScenario> {
            vec![$(&$module::$scenario),*]
        }
    };
}

catalog! {
    seq_vs_concurrent::SeqVsConcurrent,
    runtime_flavors::RuntimeFlavors,
    spawning::Spawning,
    echo::Echo,
    spawn_blocking::SpawnBlocking,
    errors::Errors,
    timeouts::Timeouts,
    future_size::FutureSize,
    batching::Batching,
    blocking_runtime::BlockingRuntime,
    pooling::Pooling,
    graceful_shutdown::GracefulShutdown,
    stepping_future::SteppingFuture,
    runtime_metrics::RuntimeMetricsDemo,
    retry_backoff::RetryBackoff,
    paused_time::PausedTime,
    rate_limit::RateLimit,
}

/// Every scenario with its descriptor, built once at startup.
pub struct Catalog {
    entries: Vec<(&'static dyn AnyScenario, ScenarioDescriptor)>,
}

impl Catalog {
    /// The demos; with `test_scenarios`, also the scenarios that exist only so tests can
    /// drive failures end to end (see `testing`).
    pub fn new(test_scenarios: bool) -> Self {
        let mut all = scenarios();
        if test_scenarios {
            all.extend(testing::scenarios());
        }
        Self {
            entries: all.into_iter().map(|s| (s, s.descriptor())).collect(),
        }
    }

    pub fn descriptors(&self) -> Vec<ScenarioDescriptor> {
        self.entries.iter().map(|(_, d)| d.clone()).collect()
    }

    pub fn get(&self, id: &str) -> Option<(&'static dyn AnyScenario, &ScenarioDescriptor)> {
        self.entries
            .iter()
            .find(|(_, d)| d.id == id)
            .map(|(scenario, d)| (*scenario, d))
    }
}

#[cfg(test)]
mod tests {
    use pollscope_shared::scenario::ParamSpec;

    use super::*;

    #[test]
    fn ids_are_unique_and_defaults_are_valid() {
        let catalog = Catalog::new(true);
        let descriptors = catalog.descriptors();
        for (i, d) in descriptors.iter().enumerate() {
            assert!(
                descriptors[..i].iter().all(|o| o.id != d.id),
                "duplicate {}",
                d.id
            );
            assert!((1..=9).contains(&d.section), "{} section", d.id);
            d.validate(&d.defaults()).unwrap();
            for p in &d.params {
                assert!(
                    p.min <= p.default && p.default <= p.max,
                    "{}.{}",
                    d.id,
                    p.name
                );
                assert!(!p.label.is_empty(), "{}.{} has no label", d.id, p.name);
            }
        }
    }

    #[test]
    fn every_demo_shows_code_from_its_own_file() {
        for d in Catalog::new(false).descriptors() {
            assert!(!d.code.text.is_empty(), "{}: no demo markers", d.id);
            assert!(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("..")
                    .join(&d.code.path)
                    .is_file(),
                "{}: {} is not a file of the repository",
                d.id,
                d.code.path
            );
        }
    }

    #[test]
    fn the_catalog_runs_every_scenario_shared_declares() {
        let served: Vec<String> = Catalog::new(false)
            .descriptors()
            .into_iter()
            .map(|d| d.id)
            .collect();
        let mut declared: Vec<&str> = pollscope_shared::results::id::ALL.to_vec();
        declared.sort_unstable();
        let mut served_sorted: Vec<&str> = served.iter().map(String::as_str).collect();
        served_sorted.sort_unstable();
        assert_eq!(served_sorted, declared);
    }

    /// A fix names a diagnostic that exists, knobs the scenario has and values in their
    /// bounds, and its fixed run is not offered the same fix again.
    #[test]
    fn every_fix_names_a_finding_and_valid_knob_values() {
        use pollscope_shared::diagnostics::FindingKind;
        for d in Catalog::new(false).descriptors() {
            for fix in &d.fixes {
                assert!(
                    FindingKind::ALL.iter().any(|k| k.label() == fix.finding),
                    "{}: unknown finding {}",
                    d.id,
                    fix.finding
                );
                assert!(!fix.set.is_empty(), "{}: a fix that changes nothing", d.id);
                let mut asked = d.defaults();
                asked.extend(fix.when.clone());
                d.validate(&asked).unwrap();
                d.validate(&fix.fixed(&asked)).unwrap();
                assert!(!fix.applies(&fix.finding, &fix.fixed(&asked)), "{}", d.id);
            }
        }
    }

    /// The extremes of every parameter fit the field's type: building the typed struct
    /// from them succeeds.
    #[test]
    fn every_parameters_bounds_fit_its_type() {
        let catalog = Catalog::new(true);
        for d in catalog.descriptors() {
            let (scenario, _) = catalog.get(&d.id).unwrap();
            for pick in [|p: &ParamSpec| p.min, |p: &ParamSpec| p.max] {
                let values: ParamValues =
                    d.params.iter().map(|p| (p.name.clone(), pick(p))).collect();
                d.validate(&values).unwrap();
                let budget = crate::outbound::OutboundBudget::new(1 << 20);
                let (tx, _rx) = crate::outbound::channel(&budget, 1);
                let run = RunContext::new(1, Default::default(), 16, tx);
                assert!(scenario.start(&values, run).is_ok(), "{}", d.id);
            }
        }
    }
}
