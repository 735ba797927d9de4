//! Golden JSON for every scenario's result: one file per scenario id under
//! `tests/golden/results/`, named `<id>.json`.
//!
//! A new scenario needs its file here (and nothing else in this test): the test fails
//! until every id `shared` declares has one. Each file must decode as the result of the
//! scenario it is named after and encode back to exactly itself, so a field renamed,
//! added without a default, retyped or dropped fails here until the file is updated on
//! purpose (`POLLSCOPE_UPDATE_GOLDEN=1` rewrites each file as its value encodes).
//! The same files with their histograms taken out stand for results saved before results
//! carried histograms: they must still decode, with empty ones.

#![cfg(not(target_arch = "wasm32"))] // reads files

use std::path::PathBuf;

use pollscope_shared::results::{ScenarioResult, id};

fn results_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/results")
}

#[test]
fn every_scenario_result_round_trips_through_its_golden_file() {
    for &id in id::ALL {
        let path = results_dir().join(format!("{id}.json"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "scenario `{id}` has no golden result {}: {e}",
                path.display()
            )
        });
        let golden: serde_json::Value = serde_json::from_str(&text).unwrap();
        let decoded: ScenarioResult = serde_json::from_value(golden.clone())
            .unwrap_or_else(|e| panic!("{id}: golden result does not decode: {e}"));
        assert_eq!(
            decoded.scenario(),
            id,
            "{id}.json holds another scenario's result"
        );
        // As a server writes it (tag first), the page's one-pass reader reads the same.
        let written = serde_json::to_string(&decoded).unwrap();
        assert_eq!(
            pollscope_shared::tag_first::from_str::<ScenarioResult>(&written).unwrap(),
            decoded,
            "{id}"
        );
        let encoded = serde_json::to_value(&decoded).unwrap();
        if std::env::var_os("POLLSCOPE_UPDATE_GOLDEN").is_some() {
            let pretty = serde_json::to_string_pretty(&encoded).unwrap() + "\n";
            std::fs::write(&path, pretty).unwrap();
        } else {
            assert_eq!(
                encoded, golden,
                "{id}: encoding drifted from the golden file"
            );
        }
    }
}

#[test]
fn no_golden_result_without_a_scenario() {
    for entry in std::fs::read_dir(results_dir()).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let id = name.strip_suffix(".json").unwrap_or(&name);
        assert!(id::ALL.contains(&id), "stray golden result {name}");
    }
}

#[test]
fn results_saved_before_histograms_still_decode() {
    // A recording saved before results carried histograms has none of their keys.
    let histograms = [
        "latency_histogram",
        "first_poll_histogram",
        "request_histogram",
        "others_histogram",
        "ping_histogram",
    ];
    fn strip(value: &mut serde_json::Value, keys: &[&str]) -> usize {
        match value {
            serde_json::Value::Object(map) => {
                let mut n = keys.iter().filter(|k| map.remove(**k).is_some()).count();
                for v in map.values_mut() {
                    n += strip(v, keys);
                }
                n
            }
            serde_json::Value::Array(items) => items.iter_mut().map(|v| strip(v, keys)).sum(),
            _ => 0,
        }
    }
    let mut stripped = 0;
    for &id in id::ALL {
        let text = std::fs::read_to_string(results_dir().join(format!("{id}.json"))).unwrap();
        let mut old: serde_json::Value = serde_json::from_str(&text).unwrap();
        let lacked = strip(&mut old, &histograms);
        stripped += lacked;
        let decoded: ScenarioResult = serde_json::from_value(old)
            .unwrap_or_else(|e| panic!("{id} without histograms does not decode: {e}"));
        let mut empty = 0;
        count_empty(
            &serde_json::to_value(&decoded).unwrap(),
            &histograms,
            &mut empty,
        );
        assert_eq!(
            empty, lacked,
            "{id}: each histogram it lacked decodes empty"
        );
    }
    assert!(
        stripped >= histograms.len(),
        "the goldens carry every histogram"
    );
}

/// How many of `keys` in `value` hold an empty histogram (`count` 0).
fn count_empty(value: &serde_json::Value, keys: &[&str], n: &mut usize) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                if keys.contains(&k.as_str()) && v["count"] == 0 {
                    *n += 1;
                }
                count_empty(v, keys, n);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| count_empty(v, keys, n)),
        _ => {}
    }
}
