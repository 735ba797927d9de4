//! Scenarios that exist so tests can drive a failure end to end: offered only when the
//! server is started with `--test-scenarios`, never by default.
//!
//! A real demo cannot be made to fail on purpose, so without these nothing would show
//! that a failing run reaches the page as a `run_failed` error while the session, and
//! the server, keep serving.

use pollscope_shared::ProtocolError;
use pollscope_shared::scenario::{CodeSnippet, ParamSpec, ParamValues, ScenarioDescriptor};

use super::{AnyScenario, RunFuture};
use crate::harness::{Part, RunContext, RuntimeSpec, ScenarioError, run_part};

/// The test scenarios, for [`super::Catalog::new`].
pub(super) fn scenarios() -> Vec<&'static dyn AnyScenario> {
    vec![&AlwaysFails]
}

/// Runs one recorded part whose main task returns an I/O error after `after_ms`: the
/// error is the run's failure, reported to the client as `run_failed`.
pub struct AlwaysFails;

impl AlwaysFails {
    pub const ID: &'static str = "test_always_fails";
}

impl AnyScenario for AlwaysFails {
    fn descriptor(&self) -> ScenarioDescriptor {
        ScenarioDescriptor {
            id: Self::ID.to_owned(),
            title: "Test: a run that fails".to_owned(),
            section: 9,
            summary:
                "Fails on purpose with an I/O error, so tests can see a failure reach the page."
                    .to_owned(),
            params: vec![ParamSpec::integer(
                "after_ms",
                "Fail after",
                "ms",
                50,
                0,
                1000,
            )],
            code: CodeSnippet::default(),
            fixes: Vec::new(),
        }
    }

    fn start(&self, values: &ParamValues, run: RunContext) -> Result<RunFuture, ProtocolError> {
        let after_ms: u64 = super::params::field(values, "after_ms")?;
        Ok(Box::pin(async move {
            let part = Part::single(RuntimeSpec { workers: 0 });
            let measured = run_part(&run, part, move |_probe| async move {
                tokio::time::sleep(std::time::Duration::from_millis(after_ms)).await;
                Err::<(), _>(std::io::Error::other("this scenario always fails"))
            })
            .await?;
            Err(measured.output.err().map_or_else(
                || ScenarioError::new("the failing part did not fail"),
                ScenarioError::from,
            ))
        }))
    }
}
