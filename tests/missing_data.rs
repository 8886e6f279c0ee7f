//! Losing data never improves a result without the outcome saying so. Over every shipped
//! pack's sample and generated data of every shape, one of three things happens to the
//! dataset, and the outcome is compared with the whole one's:
//!
//! - **a record is lost**: replaced by something no collection can read (it is then
//!   rejected, as a record with a bad value is);
//! - **a record is deleted** that other records refer to (they are rejected in turn);
//! - **a collection is left out**.
//!
//! A collection left out is an error (unless nothing reads it). Otherwise the outcome must
//! say it is incomplete, and, for a pack that fails incomplete indicators (every shipped
//! pack but one), no indicator's `met` or points, in any jurisdiction, and no total may
//! be better than the whole dataset's. A pack that scores incomplete results
//! (`"on_incomplete": "score"`) must still say so.
//!
//! A record deleted that nothing refers to is left out of the comparison: the dataset is
//! then another complete one (a county with one unit fewer), which no engine can tell
//! from the real one.

use proptest::prelude::*;
use scorecard::synth::{self, Format, Shape, Spec};
use scorecard::{OnIncomplete, Outcome, Plan};
use serde_json::Value;
use std::path::Path;
use std::sync::OnceLock;

/// A pack, a dataset it scores, and the dataset's outcome.
struct Case {
    name: String,
    plan: Plan,
    data: Value,
    whole: Outcome,
}

fn cases() -> &'static Vec<Case> {
    static C: OnceLock<Vec<Case>> = OnceLock::new();
    C.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut out = Vec::new();
        let mut add = |name: String, plan: Plan, text: &str| {
            let data: Value = serde_json::from_str(text).unwrap();
            let whole = plan
                .score_json(text)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            out.push(Case {
                name,
                plan,
                data,
                whole,
            });
        };
        for d in scorecard::fixtures::packs(&root.join("rules")) {
            let sample = d.join("data/sample.json");
            if let Ok(text) = std::fs::read_to_string(&sample) {
                add(d.display().to_string(), Plan::load(&d).unwrap(), &text);
            }
        }
        for shape in [
            Shape::Coverage,
            Shape::Catering,
            Shape::County,
            Shape::Places,
        ] {
            let plan = Plan::load(root.join("rules").join(shape.pack())).unwrap();
            let text = synth::generate(&Spec::new(shape, 5, 300), Format::Json);
            add(format!("generated {shape:?}"), plan, &text);
        }
        out
    })
}

/// How good a `met` is: not met, none (no target, or left out), met.
fn rank(met: &Value) -> u8 {
    match met.as_bool() {
        Some(false) => 0,
        None => 1,
        Some(true) => 2,
    }
}

fn number(v: &Value) -> Option<scorecard::Number> {
    v.get("exact")
        .and_then(Value::as_str)
        .and_then(|s| scorecard::Number::parse(s).ok())
}

/// Every way `after` is better than `before`: an indicator met that was not, points
/// higher, points where there were none (left out of the maximum instead of scored), a
/// higher total; overall and in each jurisdiction both have.
fn better(before: &Value, after: &Value) -> Vec<String> {
    let mut found = Vec::new();
    let mut places = vec![("overall".to_string(), before, after)];
    if let (Some(b), Some(a)) = (before["groups"].as_object(), after["groups"].as_object()) {
        for (g, bg) in b {
            if let Some(ag) = a.get(g) {
                places.push((format!("group {g}"), bg, ag));
            }
        }
    }
    for (at, b, a) in places {
        if let (Some(bi), Some(ai)) = (b["indicators"].as_object(), a["indicators"].as_object()) {
            for (id, br) in bi {
                let Some(ar) = ai.get(id) else { continue };
                if rank(&ar["met"]) > rank(&br["met"]) {
                    found.push(format!("{at}: {id} met {} → {}", br["met"], ar["met"]));
                }
                match (number(&br["points"]), number(&ar["points"])) {
                    (Some(x), Some(y)) if y > x => {
                        found.push(format!("{at}: {id} points {x} → {y}"))
                    }
                    (Some(x), None) => found.push(format!("{at}: {id} points {x} → left out")),
                    _ => {}
                }
            }
        }
        if let (Some(x), Some(y)) = (
            number(&b["scorecard"]["total"]),
            number(&a["scorecard"]["total"]),
        ) {
            if y > x {
                found.push(format!("{at}: total {x} → {y}"));
            }
        }
    }
    found
}

/// The collections of a dataset, by name, with their records.
fn collections(data: &Value) -> Vec<(&String, &Vec<Value>)> {
    data.as_object()
        .unwrap()
        .iter()
        .filter_map(|(k, v)| v.as_array().map(|a| (k, a)))
        .collect()
}

/// Whether any record of `data` holds `key` as a value of one of its fields (refers to it).
fn referred_to(data: &Value, key: &str) -> bool {
    collections(data)
        .iter()
        .flat_map(|(_, rs)| rs.iter())
        .filter_map(Value::as_object)
        .any(|r| r.iter().any(|(f, v)| f != "id" && v.as_str() == Some(key)))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn losing_data_never_improves_a_result_unannounced(
        which in any::<prop::sample::Index>(),
        coll in any::<prop::sample::Index>(),
        record in any::<prop::sample::Index>(),
        how in 0u8..3,
    ) {
        let case = which.get(cases());
        let colls = collections(&case.data);
        prop_assume!(!colls.is_empty());
        let (name, records) = *coll.get(&colls);
        let mut data = case.data.clone();
        let what = match how {
            0 if !records.is_empty() => {
                let i = record.index(records.len());
                data[name.as_str()][i] = Value::String("lost".into());
                format!("{name}[{i}] lost")
            }
            1 if !records.is_empty() => {
                let i = record.index(records.len());
                let key = records[i]["id"].as_str().unwrap_or_default().to_string();
                prop_assume!(referred_to(&case.data, &key));
                data[name.as_str()].as_array_mut().unwrap().remove(i);
                format!("{name}[{i}] ({key}) deleted")
            }
            _ => {
                data.as_object_mut().unwrap().remove(name.as_str());
                format!("{name} left out")
            }
        };
        let got = case.plan.score_json(&data.to_string());
        let after = match got {
            Err(e) => {
                // an input that leaves a needed collection out is refused, saying so
                prop_assert!(how == 2 && e.to_string().contains(&format!("'{name}'")), "{}: {what}: {e}", case.name);
                return Ok(());
            }
            Ok(o) => o,
        };
        // scored: the input lost records, and the outcome says so (a collection scored
        // without is one nothing reads: nothing may change then)
        let before = serde_json::to_value(&case.whole).unwrap();
        let after_json = serde_json::to_value(&after).unwrap();
        if how == 2 {
            prop_assert_eq!(better(&before, &after_json), Vec::<String>::new(), "{}: {}", case.name, what);
            return Ok(());
        }
        prop_assert!(after.incomplete.is_some(), "{}: {what}: the outcome does not say it is incomplete", case.name);
        if case.plan.on_incomplete() == OnIncomplete::Fail {
            let found = better(&before, &after_json);
            prop_assert!(found.is_empty(), "{}: {what} improved: {found:?}", case.name);
        }
    }
}
