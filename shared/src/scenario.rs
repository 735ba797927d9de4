//! Scenario descriptors and their bounded parameters.
//!
//! The server announces every scenario it can run in its hello; the browser builds its
//! knobs from these descriptors and the server validates each run request against the
//! same descriptor with [`ScenarioDescriptor::validate`], so both sides share one rule.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{ErrorCode, ProtocolError};

/// Parameter values of a run request, by parameter name. All parameters are integers;
/// their unit is in the descriptor.
pub type ParamValues = BTreeMap<String, i64>;

/// What a client needs to know to offer and run one scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenarioDescriptor {
    /// Stable id used in `run` requests, e.g. `"seq_vs_concurrent"`.
    pub id: String,
    pub title: String,
    /// Which section of the course outline (1..=9) the scenario belongs to.
    pub section: u8,
    /// One sentence on what the scenario shows.
    pub summary: String,
    pub params: Vec<ParamSpec>,
    /// The code that ran: the part of the scenario's source the learner should read.
    pub code: CodeSnippet,
}

/// A piece of the real source a scenario runs, cut out between its demo markers (see
/// [`crate::snippet`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeSnippet {
    /// Where the file lives in the repository, e.g. `"backend/src/scenarios/echo.rs"`.
    pub path: String,
    /// The marked part, dedented.
    pub text: String,
}

/// The ids of the scenarios the server runs, as both sides spell them (declared with
/// each scenario's result type in [`crate::results`]).
pub use crate::results::id;

/// One bounded integer parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParamSpec {
    pub name: String,
    pub label: String,
    #[serde(rename = "type")]
    pub kind: ParamKind,
    pub default: i64,
    pub min: i64,
    pub max: i64,
    /// Unit shown next to the value, e.g. `"ms"`; empty for plain counts.
    pub unit: String,
}

/// The type of a parameter's value. Integers only for now; the tag leaves room for more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamKind {
    Integer,
}

impl ParamSpec {
    pub fn integer(name: &str, label: &str, unit: &str, default: i64, min: i64, max: i64) -> Self {
        debug_assert!(min <= default && default <= max, "bad bounds for {name}");
        Self {
            name: name.to_owned(),
            label: label.to_owned(),
            kind: ParamKind::Integer,
            default,
            min,
            max,
            unit: unit.to_owned(),
        }
    }

    /// Clamp a value into this parameter's bounds (used by UI knobs, never by the server).
    pub fn clamp(&self, value: i64) -> i64 {
        value.clamp(self.min, self.max)
    }
}

impl ScenarioDescriptor {
    /// The default value of every parameter.
    pub fn defaults(&self) -> ParamValues {
        self.params
            .iter()
            .map(|p| (p.name.clone(), p.default))
            .collect()
    }

    /// Check a request's parameters: every declared parameter present and within bounds,
    /// nothing undeclared. Returns the first problem found, in declaration order.
    pub fn validate(&self, values: &ParamValues) -> Result<(), ProtocolError> {
        if let Some(unknown) = values
            .keys()
            .find(|name| !self.params.iter().any(|p| &p.name == *name))
        {
            return Err(ProtocolError::new(
                ErrorCode::UnknownParameter,
                format!("scenario `{}` has no parameter `{unknown}`", self.id),
            ));
        }
        for spec in &self.params {
            let Some(&value) = values.get(&spec.name) else {
                return Err(ProtocolError::new(
                    ErrorCode::MissingParameter,
                    format!(
                        "scenario `{}` needs parameter `{}` ({}..={} {})",
                        self.id, spec.name, spec.min, spec.max, spec.unit
                    ),
                ));
            };
            if !(spec.min..=spec.max).contains(&value) {
                return Err(ProtocolError::new(
                    ErrorCode::ParameterOutOfRange,
                    format!(
                        "parameter `{}` = {value} is outside {}..={} {}",
                        spec.name, spec.min, spec.max, spec.unit
                    ),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn descriptor() -> ScenarioDescriptor {
        ScenarioDescriptor {
            id: "demo".into(),
            title: "Demo".into(),
            section: 1,
            summary: "s".into(),
            params: vec![ParamSpec::integer("delay_ms", "Delay", "ms", 100, 10, 1000)],
            code: CodeSnippet::default(),
        }
    }

    #[test]
    fn defaults_validate() {
        let d = descriptor();
        assert_eq!(d.validate(&d.defaults()), Ok(()));
    }

    #[test]
    fn bounds_are_inclusive() {
        let d = descriptor();
        for ok in [10, 1000] {
            let values = ParamValues::from([("delay_ms".into(), ok)]);
            assert_eq!(d.validate(&values), Ok(()));
        }
        for bad in [9, 1001, i64::MIN, i64::MAX] {
            let values = ParamValues::from([("delay_ms".into(), bad)]);
            assert_eq!(
                d.validate(&values).unwrap_err().code,
                ErrorCode::ParameterOutOfRange
            );
        }
    }

    #[test]
    fn missing_and_unknown_are_distinct_errors() {
        let d = descriptor();
        assert_eq!(
            d.validate(&ParamValues::new()).unwrap_err().code,
            ErrorCode::MissingParameter
        );
        let mut values = d.defaults();
        values.insert("bogus".into(), 1);
        assert_eq!(
            d.validate(&values).unwrap_err().code,
            ErrorCode::UnknownParameter
        );
    }
}
