//! A demo's knobs as a URL query, both ways: [`query_of`] writes the knob values
//! (`clients=8&messages=200`, in the descriptor's order), [`check`] reads a query back
//! against the parameter specs the server announced.
//!
//! A link is input from anywhere — pasted, edited by hand, from an older server with other
//! bounds — so reading one never fails as a whole: every pair is either used or named in a
//! [`Problem`] that says what was wrong and what is used instead (the knob's default, or
//! nothing for a name that is no knob). The bounds are the specs' `min..=max`, the same
//! ones [`ParamSpec::clamp`] holds a moved knob to in the reducer.
//!
//! Pure: no browser, so everything here is unit-tested natively.

use std::collections::BTreeSet;

use pollscope_shared::scenario::{ParamSpec, ParamValues};

/// Longest name or value quoted back in a notice; longer ones are cut with "…".
const QUOTE_CHARS: usize = 24;
/// At most this many problems are named; the rest are counted.
pub const MAX_PROBLEMS: usize = 8;

/// The query (without `?`) holding `values` for the knobs `specs` describe, in the specs'
/// order. A knob with no value in `values` is left out.
pub fn query_of(specs: &[ParamSpec], values: &ParamValues) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for spec in specs {
        if let Some(value) = values.get(&spec.name) {
            query.append_pair(&spec.name, &value.to_string());
        }
    }
    query.finish()
}

/// Why one pair of a link's query was not used as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The name as the link spells it (cut if long).
    pub name: String,
    /// What a learner reads: "clients=900 is above its maximum 64; using the default 8".
    pub text: String,
}

/// What a link's query means for a demo's knobs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checked {
    /// The knobs the link sets, each within its bounds: a usable value as given, an
    /// unusable one replaced by the knob's default. Knobs the link does not name are absent.
    pub values: ParamValues,
    /// Every pair not used as given, in the order of the query (at most [`MAX_PROBLEMS`]).
    pub problems: Vec<Problem>,
    /// How many more problems there were than are listed.
    pub more: usize,
}

/// Read `query` (with or without its leading `?`, percent-encoded as browsers send it)
/// against `specs`.
pub fn check(specs: &[ParamSpec], query: &str) -> Checked {
    let query = query.strip_prefix('?').unwrap_or(query);
    let mut checked = Checked::default();
    let mut seen = BTreeSet::new();
    let mut problems = Vec::new();
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        let shown = format!("{}={}", quote(&name), quote(&value));
        let Some(spec) = specs.iter().find(|s| s.name == name) else {
            problems.push(Problem {
                name: quote(&name),
                text: format!(
                    "{shown}: this demo has no knob named {}; ignored",
                    quote(&name)
                ),
            });
            continue;
        };
        if !seen.insert(spec.name.clone()) {
            let used = checked.values[&spec.name];
            problems.push(Problem {
                name: spec.name.clone(),
                text: format!(
                    "{shown}: {} is given more than once; using the first, {used}",
                    spec.name
                ),
            });
            continue;
        }
        let default = spec.default;
        let why = match value.trim().parse::<i64>() {
            Ok(v) if v > spec.max => Some(format!("is above its maximum {}", spec.max)),
            Ok(v) if v < spec.min => Some(format!("is below its minimum {}", spec.min)),
            Ok(_) => None,
            Err(_) if value.is_empty() => Some("has no value".to_owned()),
            Err(_) => Some("is not a whole number".to_owned()),
        };
        let used = match why {
            None => value.trim().parse::<i64>().unwrap_or(default),
            Some(why) => {
                problems.push(Problem {
                    name: spec.name.clone(),
                    text: format!("{shown} {why}; using the default {default}"),
                });
                default
            }
        };
        checked.values.insert(spec.name.clone(), used);
    }
    checked.more = problems.len().saturating_sub(MAX_PROBLEMS);
    problems.truncate(MAX_PROBLEMS);
    checked.problems = problems;
    checked
}

/// `text` as a notice quotes it: at most [`QUOTE_CHARS`] characters.
fn quote(text: &str) -> String {
    if text.chars().count() <= QUOTE_CHARS {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(QUOTE_CHARS - 1).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    fn specs() -> Vec<ParamSpec> {
        vec![
            ParamSpec::integer("clients", "Clients", "", 8, 1, 64),
            ParamSpec::integer("messages", "Messages", "", 200, 1, 10_000),
        ]
    }

    fn values(pairs: &[(&str, i64)]) -> ParamValues {
        pairs.iter().map(|(n, v)| (n.to_string(), *v)).collect()
    }

    fn texts(c: &Checked) -> Vec<&str> {
        c.problems.iter().map(|p| p.text.as_str()).collect()
    }

    #[test]
    fn writes_every_knob_in_the_descriptors_order() {
        let v = values(&[("messages", 200), ("clients", 8)]);
        assert_eq!(query_of(&specs(), &v), "clients=8&messages=200");
        // A value the specs do not know is not written; a knob without a value is left out.
        let v = values(&[("clients", 3), ("other", 1)]);
        assert_eq!(query_of(&specs(), &v), "clients=3");
        assert_eq!(query_of(&[], &v), "");
    }

    #[test]
    fn what_it_writes_reads_back_the_same() {
        let v = values(&[("clients", 64), ("messages", 1)]);
        let back = check(&specs(), &query_of(&specs(), &v));
        assert_eq!(back.values, v);
        assert!(back.problems.is_empty());
    }

    #[test]
    fn a_good_link_sets_what_it_names_and_nothing_else() {
        let c = check(&specs(), "?clients=3");
        assert_eq!(c.values, values(&[("clients", 3)]));
        assert!(c.problems.is_empty(), "{c:?}");
        // Bounds are inclusive; spaces around a number are tolerated (`+` is a space).
        let c = check(&specs(), "clients=64&messages=+1+");
        assert_eq!(c.values, values(&[("clients", 64), ("messages", 1)]));
        assert!(c.problems.is_empty(), "{c:?}");
    }

    #[test]
    fn an_empty_query_sets_nothing() {
        for q in ["", "?", "&", "?&&"] {
            let c = check(&specs(), q);
            assert_eq!(c, Checked::default(), "{q:?}");
        }
    }

    #[test]
    fn out_of_bounds_values_are_named_and_replaced_by_the_default() {
        let c = check(&specs(), "clients=900&messages=0");
        assert_eq!(c.values, values(&[("clients", 8), ("messages", 200)]));
        assert_eq!(
            texts(&c),
            [
                "clients=900 is above its maximum 64; using the default 8",
                "messages=0 is below its minimum 1; using the default 200",
            ]
        );
        assert_eq!(c.problems[0].name, "clients");
    }

    #[test]
    fn malformed_values_are_named_and_replaced_by_the_default() {
        let c = check(&specs(), "clients=abc&messages=1.5");
        assert_eq!(c.values, values(&[("clients", 8), ("messages", 200)]));
        assert_eq!(
            texts(&c),
            [
                "clients=abc is not a whole number; using the default 8",
                "messages=1.5 is not a whole number; using the default 200",
            ]
        );
        // No value at all, and a number too big for any knob.
        let c = check(&specs(), "clients=&messages=99999999999999999999");
        assert_eq!(c.values, values(&[("clients", 8), ("messages", 200)]));
        assert_eq!(
            c.problems[0].text,
            "clients= has no value; using the default 8"
        );
        assert!(c.problems[1].text.contains("not a whole number"), "{c:?}");
    }

    #[test]
    fn unknown_names_are_named_and_ignored() {
        let c = check(&specs(), "bogus=1&clients=2&=5");
        assert_eq!(c.values, values(&[("clients", 2)]));
        assert_eq!(
            texts(&c),
            [
                "bogus=1: this demo has no knob named bogus; ignored",
                "=5: this demo has no knob named ; ignored",
            ]
        );
        assert_eq!(c.problems[0].name, "bogus");
    }

    #[test]
    fn a_name_given_twice_keeps_the_first_and_says_so() {
        let c = check(&specs(), "clients=3&clients=5");
        assert_eq!(c.values, values(&[("clients", 3)]));
        assert_eq!(
            texts(&c),
            ["clients=5: clients is given more than once; using the first, 3"]
        );
        // The first was unusable: its default is what the repeat is told about.
        let c = check(&specs(), "clients=x&clients=5");
        assert_eq!(c.values, values(&[("clients", 8)]));
        assert_eq!(c.problems.len(), 2);
        assert!(c.problems[1].text.ends_with("using the first, 8"), "{c:?}");
    }

    #[test]
    fn percent_encoding_is_read_and_long_input_is_cut() {
        let c = check(&specs(), "clients=%33&b%C3%A4d=%3Cb%3E");
        assert_eq!(c.values, values(&[("clients", 3)]));
        assert_eq!(
            texts(&c),
            ["bäd=<b>: this demo has no knob named bäd; ignored"]
        );
        let long = "x".repeat(500);
        let c = check(&specs(), &format!("clients={long}"));
        let text = &c.problems[0].text;
        assert!(
            text.starts_with("clients=xxx") && text.contains('…'),
            "{text}"
        );
        assert!(text.len() < 120, "{text}");
    }

    #[test]
    fn a_flood_of_problems_is_listed_up_to_a_limit_and_counted() {
        let q: Vec<String> = (0..20).map(|i| format!("k{i}=1")).collect();
        let c = check(&specs(), &q.join("&"));
        assert_eq!(c.problems.len(), MAX_PROBLEMS);
        assert_eq!(c.more, 20 - MAX_PROBLEMS);
        assert!(c.values.is_empty());
    }

    #[test]
    fn a_choice_knob_reads_its_numbers() {
        let specs = [ParamSpec::choice("mode", "Mode", 0, &["a", "b", "c"])];
        assert_eq!(check(&specs, "mode=2").values, values(&[("mode", 2)]));
        let c = check(&specs, "mode=3");
        assert_eq!(c.values, values(&[("mode", 0)]));
        assert_eq!(
            texts(&c),
            ["mode=3 is above its maximum 2; using the default 0"]
        );
    }
}
