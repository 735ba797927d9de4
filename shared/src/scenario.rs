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
    /// For a warning a run of this scenario can raise, the knob values that fix it: the
    /// page offers each as "run the fixed version".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fixes: Vec<Fix>,
}

/// A fix a demo declares for one of its warnings: rerun with `set` applied to the knobs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fix {
    /// The diagnostic it fixes, by its kebab-case name
    /// (`pollscope_shared::diagnostics::FindingKind::label`), e.g. `"long-poll"`.
    pub finding: String,
    /// What the fix changes, in words: "use tokio::time::sleep".
    pub label: String,
    /// Offered only for a run whose knobs have these values (empty: any run).
    #[serde(default)]
    pub when: ParamValues,
    /// The knob values the fixed run uses instead (the others stay as they were).
    pub set: ParamValues,
}

impl Fix {
    /// Whether this fix is offered for a `finding` in a run with knobs `params`.
    pub fn applies(&self, finding: &str, params: &ParamValues) -> bool {
        self.finding == finding && self.when.iter().all(|(k, v)| params.get(k) == Some(v))
    }

    /// The knobs of the fixed run: `params` with `set` applied.
    pub fn fixed(&self, params: &ParamValues) -> ParamValues {
        let mut fixed = params.clone();
        fixed.extend(self.set.iter().map(|(k, v)| (k.clone(), *v)));
        fixed
    }
}

/// A piece of the real source a scenario runs, cut out between its demo markers (see
/// [`crate::snippet`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeSnippet {
    /// Where the file lives in the repository, e.g. `"backend/src/scenarios/echo.rs"`.
    pub path: String,
    /// The marked part, dedented.
    pub text: String,
    /// Await point name → the 1-based line of `text` that names it (see
    /// [`crate::code_lines`]); names used on two lines are left out. Omitted when empty.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub await_lines: BTreeMap<String, u32>,
    /// Task name pattern (a format string such as `"conn {peer}"`) → the 1-based line of
    /// `text` that spawns it; look a task up with [`CodeSnippet::spawn_line`]. Omitted
    /// when empty.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub spawn_lines: BTreeMap<String, u32>,
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
    /// For a parameter that picks one of a few variants: the name of each value, from
    /// `min` (= 0) up. Empty for a plain number.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<String>,
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
            choices: Vec::new(),
        }
    }

    /// A parameter that picks one of `choices`: values `0..choices.len()`.
    pub fn choice(name: &str, label: &str, default: i64, choices: &[&str]) -> Self {
        Self::integer(name, label, "", default, 0, choices.len() as i64 - 1).with_choices(choices)
    }

    /// Name each value from `min` up (see [`ParamSpec::choices`]).
    pub fn with_choices(mut self, choices: &[&str]) -> Self {
        debug_assert_eq!(
            choices.len() as i64,
            self.max - self.min + 1,
            "{}",
            self.name
        );
        self.choices = choices.iter().map(|c| (*c).to_owned()).collect();
        self
    }

    /// A value as the page writes it: its choice's name, or the number and unit.
    pub fn value_text(&self, value: i64) -> String {
        let choice = usize::try_from(value - self.min)
            .ok()
            .and_then(|i| self.choices.get(i));
        match choice {
            Some(name) => name.clone(),
            None if self.unit.is_empty() => value.to_string(),
            None => format!("{value} {}", self.unit),
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
            fixes: Vec::new(),
        }
    }

    #[test]
    fn choices_name_their_values_and_numbers_keep_their_unit() {
        let way = ParamSpec::choice("way", "Way", 0, &["a", "b", "c"]);
        assert_eq!((way.min, way.max), (0, 2));
        assert_eq!(way.value_text(1), "b");
        assert_eq!(way.value_text(7), "7");
        let delay = &descriptor().params[0];
        assert_eq!(delay.value_text(250), "250 ms");
        // A plain number serializes without the empty list; old descriptors still parse.
        let json = serde_json::to_value(delay).unwrap();
        assert!(json.get("choices").is_none());
        let back: ParamSpec = serde_json::from_value(json).unwrap();
        assert_eq!(&back, delay);
    }

    #[test]
    fn a_fix_applies_to_its_finding_and_matching_knobs_and_sets_its_values() {
        let fix = Fix {
            finding: "long-poll".into(),
            label: "use tokio::time::sleep".into(),
            when: ParamValues::from([("way".into(), 0)]),
            set: ParamValues::from([("way".into(), 1)]),
        };
        let run = ParamValues::from([("way".into(), 0), ("work_ms".into(), 50)]);
        assert!(fix.applies("long-poll", &run));
        assert!(!fix.applies("self-wakes", &run));
        let fixed = fix.fixed(&run);
        assert_eq!(
            fixed,
            ParamValues::from([("way".into(), 1), ("work_ms".into(), 50)])
        );
        assert!(
            !fix.applies("long-poll", &fixed),
            "the fixed run is not offered it again"
        );
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
