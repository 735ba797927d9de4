//! The catalog: every scenario the server can run.
//!
//! A scenario is real async code plus a descriptor of its bounded parameters. The session
//! validates a request against the descriptor before anything starts, so a scenario's
//! `run` may rely on every parameter being present and in bounds.

pub mod echo;
pub mod loopback_http;
pub mod runtime_flavors;
pub mod seq_vs_concurrent;
pub mod spawning;

use std::fmt;
use std::time::Duration;

use pollscope_shared::results::ScenarioResult;
use pollscope_shared::scenario::{CodeSnippet, ParamValues, ScenarioDescriptor};

use crate::run::RunContext;

/// The scenarios this server knows. Adding one: a variant here, a module, and a line in
/// [`Catalog::new`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScenarioId {
    SeqVsConcurrent,
    Echo,
    RuntimeFlavors,
    Spawning,
}

impl ScenarioId {
    pub const ALL: &'static [ScenarioId] = &[
        ScenarioId::SeqVsConcurrent,
        ScenarioId::RuntimeFlavors,
        ScenarioId::Spawning,
        ScenarioId::Echo,
    ];

    pub fn descriptor(self) -> ScenarioDescriptor {
        match self {
            Self::SeqVsConcurrent => seq_vs_concurrent::descriptor(),
            Self::Echo => echo::descriptor(),
            Self::RuntimeFlavors => runtime_flavors::descriptor(),
            Self::Spawning => spawning::descriptor(),
        }
    }

    /// Run the scenario. `params` has been validated against [`Self::descriptor`].
    pub async fn run(
        self,
        params: &ParamValues,
        run: RunContext,
    ) -> Result<ScenarioResult, ScenarioError> {
        let params = Params(params);
        match self {
            Self::SeqVsConcurrent => seq_vs_concurrent::run(params, run)
                .await
                .map(ScenarioResult::SeqVsConcurrent),
            Self::Echo => echo::run(params, run).await.map(ScenarioResult::Echo),
            Self::RuntimeFlavors => runtime_flavors::run(params, run)
                .await
                .map(ScenarioResult::RuntimeFlavors),
            Self::Spawning => spawning::run(params, run)
                .await
                .map(ScenarioResult::Spawning),
        }
    }
}

/// The code between the demo markers of a scenario's own source file (`path` as `file!()`
/// spells it, relative to the workspace root). A file without markers is a bug that the
/// catalog's test catches; it shows as an empty snippet rather than failing a session.
pub(crate) fn code_of(path: &str, source: &str) -> CodeSnippet {
    CodeSnippet::from_source(path, source).unwrap_or_else(|| CodeSnippet {
        path: path.to_owned(),
        text: String::new(),
    })
}

/// The value at percentile `p` (0..=100) of sorted values; 0 for none.
pub(crate) fn percentile<T: Copy + Default>(sorted: &[T], p: usize) -> T {
    match sorted.len() {
        0 => T::default(),
        n => sorted[(n * p / 100).min(n - 1)],
    }
}

/// Keep this thread busy for `duration`: CPU work inside a poll. While it spins, the worker
/// running it can do nothing else, which is the point the demos make.
pub(crate) fn burn_cpu(duration: Duration) {
    let started = std::time::Instant::now();
    while started.elapsed() < duration {
        std::hint::spin_loop();
    }
}

/// Validated parameters, read by name.
#[derive(Clone, Copy)]
pub struct Params<'a>(&'a ParamValues);

impl Params<'_> {
    /// A parameter the descriptor declares. Validation guarantees it is present; a missing
    /// one (a bug) reads as 0 rather than panicking a run.
    pub fn int(&self, name: &str) -> i64 {
        debug_assert!(self.0.contains_key(name), "undeclared parameter {name}");
        self.0.get(name).copied().unwrap_or(0)
    }

    pub fn millis(&self, name: &str) -> Duration {
        Duration::from_millis(self.int(name).max(0).unsigned_abs())
    }
}

/// Why a scenario failed (not a timeout or cancellation: those are the run's business).
#[derive(Debug)]
pub struct ScenarioError(String);

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ScenarioError {}

impl ScenarioError {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

impl From<std::io::Error> for ScenarioError {
    fn from(e: std::io::Error) -> Self {
        Self(format!("I/O error: {e}"))
    }
}

/// Every scenario with its descriptor, built once at startup.
pub struct Catalog {
    entries: Vec<(ScenarioId, ScenarioDescriptor)>,
}

impl Default for Catalog {
    fn default() -> Self {
        Self::new()
    }
}

impl Catalog {
    pub fn new() -> Self {
        Self {
            entries: ScenarioId::ALL
                .iter()
                .map(|&id| (id, id.descriptor()))
                .collect(),
        }
    }

    pub fn descriptors(&self) -> Vec<ScenarioDescriptor> {
        self.entries.iter().map(|(_, d)| d.clone()).collect()
    }

    pub fn get(&self, id: &str) -> Option<(ScenarioId, &ScenarioDescriptor)> {
        self.entries
            .iter()
            .find(|(_, d)| d.id == id)
            .map(|(scenario, d)| (*scenario, d))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_defaults_are_valid() {
        let catalog = Catalog::new();
        let descriptors = catalog.descriptors();
        for (i, d) in descriptors.iter().enumerate() {
            assert!(
                descriptors[..i].iter().all(|o| o.id != d.id),
                "duplicate {}",
                d.id
            );
            assert!((1..=9).contains(&d.section), "{} section", d.id);
            d.validate(&d.defaults()).unwrap();
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
            for p in &d.params {
                assert!(
                    p.min <= p.default && p.default <= p.max,
                    "{}.{}",
                    d.id,
                    p.name
                );
            }
        }
    }
}
