//! `explain` shows exactly what was computed: for every record of every shipped pack's
//! sample and every aggregate measure, the related records explain says were counted,
//! aggregated again here, give the measure's value.

use num_bigint::BigInt;
use num_rational::BigRational;
use scorecard::Plan;
use serde_json::Value as Json;
use std::path::Path;

/// An exact number from its text in an outcome: `12`, `-3.25` or `7/3`.
fn exact(s: &str) -> BigRational {
    if let Some((n, d)) = s.split_once('/') {
        return BigRational::new(n.parse().unwrap(), d.parse().unwrap());
    }
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits: BigInt = format!("{int}{frac}").parse().unwrap();
    BigRational::new(digits, BigInt::from(10).pow(frac.len() as u32))
}

fn number(v: &Json) -> BigRational {
    exact(v.as_str().unwrap_or_else(|| panic!("not a number: {v}")))
}

/// The aggregate's value over the counted records, as the engine defines it; `None` for an
/// aggregation this test does not recompute.
fn aggregate(agg: &str, counted: &[(Option<String>, Json)]) -> Option<Json> {
    let nums = || counted.iter().map(|(_, v)| number(v));
    let text = |r: BigRational| {
        // compare as exact fractions: the outcome's own text is parsed the same way
        Json::String(format!("{}/{}", r.numer(), r.denom()))
    };
    Some(match agg {
        "count" => text(BigRational::from_integer(counted.len().into())),
        "sum" => text(nums().sum()),
        "mean" if counted.is_empty() => Json::Null,
        "mean" => {
            text(nums().sum::<BigRational>() / BigRational::from_integer(counted.len().into()))
        }
        "min" => nums().min().map(text).unwrap_or(Json::Null),
        "max" => nums().max().map(text).unwrap_or(Json::Null),
        _ => return None,
    })
}

fn same(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::String(x), Json::String(y)) => exact(x) == exact(y),
        // a measure with display rounding: its exact value
        (_, Json::Object(o)) if o.contains_key("exact") => same(a, &o["exact"]),
        _ => a == b,
    }
}

#[test]
fn explain_counts_what_the_measures_counted() {
    let mut checked = 0;
    for entry in std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("rules")).unwrap() {
        let dir = entry.unwrap().path();
        let sample = dir.join("data/sample.json");
        if !sample.exists() {
            continue;
        }
        let plan = Plan::load(&dir).unwrap_or_else(|e| panic!("{e}"));
        let pack: Json =
            serde_json::from_str(&std::fs::read_to_string(dir.join("pack.json")).unwrap()).unwrap();
        let text = std::fs::read_to_string(&sample).unwrap();
        let data: Json = serde_json::from_str(&text).unwrap();
        let ds = plan.read(&text).unwrap();
        for (coll, records) in data.as_object().unwrap() {
            let Some(records) = records.as_array() else {
                continue;
            };
            let key_field = pack["collections"][coll]["key"].as_str().unwrap_or("id");
            for r in records {
                let Some(key) = r[key_field].as_str() else {
                    continue;
                };
                let Ok(explained) = plan.explain(&ds, coll, key, 0) else {
                    continue; // a rejected or excluded record has no measures
                };
                for m in &explained[0].measures {
                    let Some(related) = &m.related else { continue };
                    let counted: Vec<(Option<String>, Json)> = related
                        .iter()
                        .filter(|r| r.counted)
                        .map(|r| (r.date.clone(), r.value.clone().unwrap_or(Json::Null)))
                        .collect();
                    let agg = m.how.split(' ').next().unwrap();
                    let per_window = m.how.contains("one result per window");
                    let expected = if per_window {
                        // each counted record is in a window: the windows' counts add up to
                        // the records counted (the shipped packs' windows do not overlap)
                        if agg != "count" {
                            continue;
                        }
                        let total: BigRational =
                            m.value.as_array().unwrap().iter().map(number).sum();
                        assert_eq!(
                            total,
                            BigRational::from_integer(counted.len().into()),
                            "{}: {coll} '{key}' {}: {:?}",
                            dir.display(),
                            m.name,
                            m
                        );
                        checked += 1;
                        continue;
                    } else {
                        match aggregate(agg, &counted) {
                            Some(v) => v,
                            None => continue,
                        }
                    };
                    assert!(
                        same(&expected, &m.value),
                        "{}: {coll} '{key}' {}: explain counts give {expected}, the measure is {}\n{:?}",
                        dir.display(),
                        m.name,
                        m.value,
                        m
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 100, "only {checked} aggregates checked");
}
