//! Each rule kind on its own, with small inline packs.

use scorecard::Plan;
use serde_json::{json, Value};

/// A pack with jurisdictions (county → township → village), units with a checklist, and
/// dated inspections; `extra` adds measures, tables, indicators, scorecard.
/// A pack of units and inspections with `extra`'s sections; a record whose evaluation fails
/// stops the run (the errors are what these tests check; records set aside are
/// tests/set_aside.rs's).
fn plan(extra: Value) -> Plan {
    let mut p = json!({
        "name": "t", "version": "0",
        "evaluation_errors": "stop",
        "period": { "from": "2025-01-01", "to": "2025-12-31" },
        "groups": { "collection": "places", "parent": "parent", "name": "name" },
        "collections": {
            "places": { "fields": { "id": "string", "name": "string", "parent": { "ref": "places", "optional": true } } },
            "units": { "jurisdiction": "place", "fields": {
                "id": "string", "place": { "ref": "places" },
                "kind": { "type": "enum", "values": ["a", "b", "c"] },
                "score": { "type": "number", "optional": true },
                "found": { "type": "integer", "optional": true },
                "reported": { "type": "integer", "optional": true },
                "items": { "type": "list", "optional": true, "items": { "points": "number", "max": "number", "applicable": "bool", "key": "bool" } }
            } },
            // most tests here need no inspections, and leave them out
            "inspections": { "optional": true, "date": "date", "jurisdiction": "unit.place", "fields": {
                "id": "string", "unit": { "ref": "units" }, "date": "date", "score": "number"
            } }
        }
    });
    for (k, v) in extra.as_object().unwrap() {
        p[k] = v.clone();
    }
    Plan::from_json(&p.to_string()).unwrap_or_else(|e| panic!("{e}"))
}

fn places() -> Value {
    json!([
        { "id": "C", "name": "county" },
        { "id": "T1", "name": "town 1", "parent": "C" },
        { "id": "T2", "name": "town 2", "parent": "C" },
        { "id": "V1", "name": "village 1", "parent": "T1" }
    ])
}

fn score(p: &Plan, data: Value) -> Value {
    let o = p
        .score_json(&data.to_string())
        .unwrap_or_else(|e| panic!("{e}"));
    serde_json::to_value(o).unwrap()
}

fn units(list: &[(&str, &str, &str, Option<&str>)]) -> Value {
    Value::Array(
        list.iter()
            .map(|(id, place, kind, score)| {
                let mut u = json!({ "id": id, "place": place, "kind": kind });
                if let Some(s) = score {
                    u["score"] = serde_json::from_str(s).unwrap();
                }
                u
            })
            .collect(),
    )
}

#[test]
fn decision_table_hit_policies() {
    let rows = json!([
        { "when": "score >= 9", "then": { "g": "A", "p": 3 }, "priority": 1 },
        { "when": "score >= 7", "then": { "g": "B", "p": 2 }, "priority": 5 },
        { "when": "score >= 5", "then": { "g": "C", "p": 1 }, "priority": 5 }
    ]);
    let rows_p = json!([
        { "when": "score >= 9", "then": { "p": 3 } },
        { "when": "score >= 7", "then": { "p": 2 } },
        { "when": "score >= 5", "then": { "p": 1 } }
    ]);
    let tables = json!({
        "first": { "on": "units", "rows": rows, "default": { "g": "none", "p": 0 } },
        "priority": { "on": "units", "hit": "priority", "rows": rows, "default": { "g": "none", "p": 0 } },
        "sum": { "on": "units", "hit": "collect", "aggregate": "sum", "rows": rows_p },
        "max": { "on": "units", "hit": "collect", "aggregate": "max", "rows": rows_p },
        "count": { "on": "units", "hit": "collect", "aggregate": "count", "rows": rows }
    });
    let p = plan(json!({ "tables": tables, "measures": { "units": {
        "first_g": { "table": "first", "output": "g" },
        "prio_g": { "table": "priority", "output": "g" },
        "sum_p": { "table": "sum" },
        "max_p": { "table": "max" },
        "count_p": { "table": "count", "output": "p" }
    } } }));
    let o = score(
        &p,
        json!({ "places": places(), "units": units(&[("U1", "T1", "a", Some("9.5")), ("U2", "T1", "a", Some("4"))]) }),
    );
    let u1 = &o["records"]["units"]["U1"];
    assert_eq!(u1["first_g"], "A");
    assert_eq!(
        u1["prio_g"], "B",
        "highest priority wins, first among equals"
    );
    assert_eq!(u1["sum_p"], "6");
    assert_eq!(u1["max_p"], "3");
    assert_eq!(u1["count_p"], "3");
    let u2 = &o["records"]["units"]["U2"];
    assert_eq!(u2["first_g"], "none", "default when nothing matches");
    assert_eq!(u2["prio_g"], "none");
    assert_eq!(u2["sum_p"], Value::Null);

    // rows that compare fields with constants are checked when the pack loads
    let mut bad = json!({ "name": "t", "version": "0", "collections": { "units": { "fields": {
        "id": "string", "score": { "type": "number", "optional": true } } } },
        "tables": { "u": { "on": "units", "hit": "unique", "rows": rows } } });
    let err = Plan::from_json(&bad.to_string()).unwrap_err().to_string();
    assert!(
        err.contains("hit policy unique, but rows[0] and rows[1] both match 9 ≤ score"),
        "{err}"
    );
    // rows the check cannot see through (arithmetic) are found out when a record hits both
    for r in bad["tables"]["u"]["rows"].as_array_mut().unwrap() {
        let when = r["when"].as_str().unwrap().replace("score", "(score + 0)");
        r["when"] = json!(when);
    }
    let p = plan(json!({ "tables": bad["tables"].clone(),
        "measures": { "units": { "g": { "table": "u", "output": "g" } } } }));
    let err = p
        .score_json(
            &json!({ "places": places(), "units": units(&[("U1", "T1", "a", Some("9.5"))]) })
                .to_string(),
        )
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("hit policy unique")
            && msg.contains("rows[0] and rows[1]")
            && msg.contains("units 'U1'"),
        "{msg}"
    );
}

#[test]
fn band_tables_bound_inclusively_and_exclusively() {
    // listed out of order on purpose: the pack sorts and checks them
    let p = plan(json!({
        "tables": { "grade": { "on": "units", "input": "score", "bands": [
            { "min": 70, "below": 90, "then": { "g": "B" } },
            { "min": 90, "then": { "g": "A" } },
            { "min": 60, "below": 70, "then": { "g": "C" } }
        ], "default": { "g": "not graded" } } },
        "measures": { "units": { "g": { "table": "grade" } } }
    }));
    let cases = [
        ("89.9", "B"),
        ("90.0", "A"),
        ("69.9", "C"),
        ("70", "B"),
        ("59.9", "not graded"),
        ("60.0", "C"),
        ("1000", "A"),
    ];
    let list: Vec<(String, &str)> = cases
        .iter()
        .enumerate()
        .map(|(i, (s, _))| (format!("U{i}"), *s))
        .collect();
    let us: Vec<(&str, &str, &str, Option<&str>)> = list
        .iter()
        .map(|(id, s)| (id.as_str(), "T1", "a", Some(*s)))
        .collect();
    let o = score(&p, json!({ "places": places(), "units": units(&us) }));
    for (i, (s, g)) in cases.iter().enumerate() {
        assert_eq!(o["records"]["units"][format!("U{i}")]["g"], *g, "score {s}");
    }
    let bad = json!({ "name": "t", "version": "0", "collections": { "u": { "fields": { "x": "number" } } },
        "tables": { "g": { "on": "u", "input": "x", "bands": [
            { "min": 0, "below": 50, "then": { "g": "low" } },
            { "min": 40, "below": 80, "then": { "g": "mid" } },
            { "min": 85, "then": { "g": "high" } } ] } } });
    let err = Plan::from_json(&bad.to_string()).unwrap_err().to_string();
    assert!(
        err.contains("bands overlap: 40 up to 50 is in two bands"),
        "{err}"
    );
    assert!(
        err.contains("gap between bands: nothing covers 80 up to 85"),
        "{err}"
    );
}

#[test]
fn aggregates_and_windows() {
    let p = plan(json!({
        "period": { "from": "2025-01-01", "to": "2025-12-31", "as_of": "2025-06-30" },
        "measures": { "units": {
            "n_all": { "aggregate": "count", "over": "inspections" },
            "n_period": { "aggregate": "count", "over": "inspections", "window": "period" },
            "n_12m": { "aggregate": "count", "over": "inspections", "window": { "months": 12 } },
            "n_30d": { "aggregate": "count", "over": "inspections", "window": { "days": 30 } },
            "sum": { "aggregate": "sum", "over": "inspections", "value": "score" },
            "mean_12m": { "aggregate": "mean", "over": "inspections", "value": "score", "window": { "months": 12 } },
            "min": { "aggregate": "min", "over": "inspections", "value": "score" },
            "max_date": { "aggregate": "max", "over": "inspections", "value": "date" },
            "latest": { "aggregate": "latest", "over": "inspections", "value": "score" },
            "high": { "aggregate": "count", "over": "inspections", "where": "score >= 9" }
        } }
    }));
    let o = score(
        &p,
        json!({
            "period": { "from": "2025-01-01", "to": "2025-12-31", "as_of": "2025-06-30" },
            "places": places(),
            "units": units(&[("U1", "T1", "a", None), ("U2", "T1", "a", None)]),
            "inspections": [
                { "id": "I1", "unit": "U1", "date": "2024-06-30", "score": 5 },
                { "id": "I2", "unit": "U1", "date": "2024-07-01", "score": 9.0 },
                { "id": "I3", "unit": "U1", "date": "2025-06-01", "score": 8.9 },
                { "id": "I4", "unit": "U1", "date": "2025-06-30", "score": 8.9 },
                { "id": "I5", "unit": "U1", "date": "2025-07-01", "score": 7 }
            ]
        }),
    );
    let u = &o["records"]["units"]["U1"];
    assert_eq!(u["n_all"], "5");
    assert_eq!(u["n_period"], "3", "2025-06-01, 06-30, 07-01");
    assert_eq!(
        u["n_12m"], "3",
        "after 2024-06-30 up to 2025-06-30 inclusive"
    );
    assert_eq!(
        u["n_30d"], "2",
        "2025-06-01 is 29 days before as_of; 07-01 is after it"
    );
    assert_eq!(u["sum"], "38.8");
    assert_eq!(u["mean_12m"], "134/15", "(9.0 + 8.9 + 8.9) / 3");
    assert_eq!(u["min"], "5");
    assert_eq!(u["max_date"], "2025-07-01");
    assert_eq!(u["latest"], "7");
    assert_eq!(u["high"], "1");
    let u2 = &o["records"]["units"]["U2"];
    assert_eq!(u2["n_all"], "0");
    assert_eq!(u2["sum"], "0");
    assert_eq!(
        u2["mean_12m"],
        Value::Null,
        "a mean of nothing has no value"
    );
    assert_eq!(u2["latest"], Value::Null);
}

#[test]
fn checklist_items_give_a_standardised_score() {
    // 标化分 = earned ÷ applicable maximum × 100, items not applicable left out
    let p = plan(json!({ "measures": { "units": {
        "std": { "expr": "items.filter(|i| i.applicable).map(|i| i.points).sum() * 100 / items.filter(|i| i.applicable).map(|i| i.max).sum()" },
        "key_failed": { "expr": "items.some(|i| i.key && i.applicable && i.points < i.max)" }
    } } }));
    let o = score(
        &p,
        json!({ "places": places(), "units": [{ "id": "U1", "place": "T1", "kind": "a", "items": [
        { "points": 8, "max": 10, "applicable": true, "key": false },
        { "points": 0, "max": 10, "applicable": false, "key": true },
        { "points": 9.99, "max": 10, "applicable": true, "key": false }
    ] }] }),
    );
    assert_eq!(o["records"]["units"]["U1"]["std"], "89.95");
    assert_eq!(o["records"]["units"]["U1"]["key_failed"], false);
}

fn ind(o: &Value, id: &str) -> Value {
    o["indicators"][id].clone()
}

#[test]
fn indicator_kinds() {
    let p = plan(json!({ "indicators": {
        "share_a": { "kind": "share", "population": { "collection": "units" }, "of": "kind", "in": ["a"], "target": { "min": 10 } },
        "count": { "kind": "count", "population": { "collection": "units", "where": "kind == \"b\"" }, "target": { "min": 3 } },
        "sum": { "kind": "sum", "population": { "collection": "units" }, "value": "coalesce(score, 0)", "target": { "max": 100 } },
        "mean": { "kind": "mean", "population": { "collection": "units", "where": "!is_none(score)" }, "value": "score" },
        "each": { "kind": "each", "population": { "collection": "units" }, "require": "kind != \"c\"" },
        "ratio": { "kind": "ratio", "population": { "collection": "units", "where": "!is_none(found)" },
                   "numerator": "reported", "denominator": "found", "target": { "exactly": 100 } }
    } }));
    let mut us = Vec::new();
    for i in 0..10 {
        let kind = if i == 0 {
            "a"
        } else if i < 8 {
            "b"
        } else {
            "c"
        };
        let mut u = json!({ "id": format!("U{i}"), "place": "T1", "kind": kind });
        if i < 2 {
            u["score"] = json!(i * 10 + 5);
            u["found"] = json!(4);
            u["reported"] = json!(4 - i);
        }
        us.push(u);
    }
    let o = score(&p, json!({ "places": places(), "units": us }));
    let s = ind(&o, "share_a");
    assert_eq!(
        (s["value"]["exact"].as_str(), s["met"].as_bool()),
        (Some("10"), Some(true)),
        "exactly 10% meets ≥ 10"
    );
    assert_eq!(s["breakdown"], json!({ "a": 1, "b": 7, "c": 2 }));
    assert_eq!(ind(&o, "count")["value"]["exact"], "7");
    assert_eq!(ind(&o, "sum")["value"]["exact"], "20");
    assert_eq!(ind(&o, "sum")["met"], true);
    assert_eq!(ind(&o, "mean")["value"]["exact"], "10");
    assert_eq!(
        ind(&o, "mean")["met"],
        Value::Null,
        "no target: met is absent"
    );
    let e = ind(&o, "each");
    assert_eq!(
        (
            e["met"].as_bool(),
            e["numerator"].as_str(),
            e["evidence"]["ids"].clone()
        ),
        (Some(false), Some("8"), json!(["U8", "U9"]))
    );
    let r = ind(&o, "ratio");
    assert_eq!(
        (
            r["value"]["exact"].as_str(),
            r["numerator"].as_str(),
            r["denominator"].as_str()
        ),
        (Some("87.5"), Some("7"), Some("8"))
    );
    assert_eq!(r["met"], false);

    // a numerator above its denominator is bad input, not 125%
    let bad = json!({ "places": places(), "units": [{ "id": "U1", "place": "T1", "kind": "a", "found": 4, "reported": 5 }] });
    let err = p.score_json(&bad.to_string()).unwrap_err().to_string();
    assert!(
        err.contains("numerator 5 exceeds the denominator 4"),
        "{err}"
    );
    // per member, naming it: 11/10 and 0/10 sum to 11/20, which would otherwise pass as 55%
    let bad = json!({ "places": places(), "units": [
        { "id": "U1", "place": "T1", "kind": "a", "found": 10, "reported": 11 },
        { "id": "U2", "place": "T1", "kind": "a", "found": 10, "reported": 0 }] });
    let err = p.score_json(&bad.to_string()).unwrap_err().to_string();
    assert!(
        err.contains("units 'U1'") && err.contains("numerator 11 exceeds the denominator 10"),
        "{err}"
    );
}

#[test]
fn quotients_are_sums_divided_as_they_are() {
    let p = plan(json!({ "indicators": {
        "visits_per_unit": { "kind": "quotient", "unit": "次/户", "population": { "collection": "units" },
                             "numerator": "coalesce(reported, 0)", "denominator": "1", "target": { "min": 2 },
                             "rounding": { "digits": 2, "mode": "half_up" } },
        "over_found": { "kind": "quotient", "population": { "collection": "units", "where": "!is_none(found)" },
                        "numerator": "reported", "denominator": "found" }
    } }));
    // 3 units, 7 visits: 7/3, shown 2.33, below 2? no: met; above its denominator is allowed
    let o = score(
        &p,
        json!({ "places": places(), "units": [
        { "id": "U1", "place": "T1", "kind": "a", "reported": 5, "found": 0 },
        { "id": "U2", "place": "T1", "kind": "a", "reported": 2, "found": 0 },
        { "id": "U3", "place": "T1", "kind": "a" }] }),
    );
    let q = ind(&o, "visits_per_unit");
    assert_eq!(
        (
            q["value"]["exact"].as_str(),
            q["value"]["display"].as_str(),
            q["met"].as_bool()
        ),
        (Some("7/3"), Some("2.33"), Some(true))
    );
    assert_eq!(
        (
            q["numerator"].as_str(),
            q["denominator"].as_str(),
            q["unit"].as_str()
        ),
        (Some("7"), Some("3"), Some("次/户"))
    );
    // a denominator that sums to 0: not applicable, whatever the numerator
    let z = ind(&o, "over_found");
    assert_eq!(
        (z["applicable"].as_bool(), z["value"].is_null()),
        (Some(false), true),
        "{z}"
    );
    // exactly at the target: met; just below: not
    let at = |n: u32| {
        let o = score(
            &p,
            json!({ "places": places(), "units": [
            { "id": "U1", "place": "T1", "kind": "a", "reported": n },
            { "id": "U2", "place": "T1", "kind": "a", "reported": 2 }] }),
        );
        ind(&o, "visits_per_unit")["met"].as_bool()
    };
    assert_eq!((at(2), at(1)), (Some(true), Some(false)));
    // a percentage has no other unit
    let err = scorecard::Plan::from_json(&json!({ "name": "x", "version": "1", "period": { "from": "2025-01-01", "to": "2025-12-31" },
        "collections": { "units": { "fields": { "id": "string" } } },
        "indicators": { "r": { "kind": "count", "unit": "户", "population": { "collection": "units" } },
                        "p": { "kind": "rate", "unit": "户", "population": { "collection": "units" }, "numerator": "true" } } }).to_string())
        .unwrap_err().to_string();
    assert!(
        err.contains("indicators.p.unit")
            && err.contains("a rate is a percentage: its unit is %")
            && !err.contains("indicators.r"),
        "{err}"
    );
}

#[test]
fn groups_roll_up_to_every_ancestor() {
    let p = plan(
        json!({ "indicators": { "rate": { "kind": "rate", "population": { "collection": "units" }, "numerator": "kind == \"a\"" } } }),
    );
    let o = score(
        &p,
        json!({ "places": places(), "units": units(&[("U1", "V1", "a", None), ("U2", "T1", "b", None), ("U3", "T2", "a", None)]) }),
    );
    let g = |k: &str| {
        o["groups"][k]["indicators"]["rate"]["denominator"]
            .as_str()
            .map(|s| s.to_string())
    };
    assert_eq!(g("V1").as_deref(), Some("1"));
    assert_eq!(
        g("T1").as_deref(),
        Some("2"),
        "village members count in their township"
    );
    assert_eq!(g("T2").as_deref(), Some("1"));
    assert_eq!(g("C").as_deref(), Some("3"), "and in the county");
    assert_eq!(o["indicators"]["rate"]["denominator"], "3");
    assert_eq!(o["groups"]["T1"]["parent"], "C");
    assert_eq!(o["groups"]["V1"]["name"], "village 1");
    // a parent cycle is bad input
    let cyc = json!({ "places": [{ "id": "A", "name": "a", "parent": "B" }, { "id": "B", "name": "b", "parent": "A" }], "units": [] });
    let err = p.score_json(&cyc.to_string()).unwrap_err().to_string();
    assert!(err.contains("cycle") && err.contains("A → B → A"), "{err}");
}

#[test]
fn scorecard_weights_exclusion_grade_and_actions() {
    let p = plan(json!({
        "indicators": {
            "i1": { "kind": "rate", "population": { "collection": "units" }, "numerator": "kind == \"a\"", "target": { "min": 50 }, "scoring": { "all_or_nothing": 6 } },
            "i2": { "kind": "rate", "population": { "collection": "units", "where": "kind == \"c\"" }, "numerator": "true", "target": { "min": 50 }, "scoring": { "all_or_nothing": 4 } },
            "i3": { "kind": "rate", "population": { "collection": "units" }, "numerator": "kind == \"b\"", "target": { "min": 100 }, "scoring": { "proportional": 10 } }
        },
        "tables": { "g": { "on": "scorecard", "input": "total", "bands": [{ "min": 90, "then": { "g": "good" } }, { "below": 90, "then": { "g": "poor" } }] } },
        "scorecard": {
            "sections": [ { "name": "s1", "weight": 50, "indicators": ["i1", "i2"] }, { "name": "s2", "indicators": ["i3"] } ],
            "grade": { "table": "g" },
            "actions": [ { "when": "total < 90", "action": "限期整改" }, { "when": "grade == \"good\"", "action": "表扬" } ]
        }
    }));
    // 2 units: a, b. i1 50% met (6 of 6); i2 has no members: excluded, so s1 = 6/6 × 50 = 50;
    // i3 = 50% of 100 → 5 of 10; total = (50 + 5) × 60 / 60 = 55.
    let o = score(
        &p,
        json!({ "places": places(), "units": units(&[("U1", "T1", "a", None), ("U2", "T1", "b", None)]) }),
    );
    let sc = &o["scorecard"];
    assert_eq!(sc["sections"][0]["score"]["exact"], "50");
    assert_eq!(sc["sections"][0]["applicable_max"], "6");
    assert_eq!(sc["sections"][1]["max"], "10");
    assert_eq!(sc["total"]["exact"], "55");
    assert_eq!(sc["max"], "60");
    assert_eq!(sc["grade"], "poor");
    assert_eq!(
        sc["actions"],
        json!([{ "action": "限期整改", "because": "total < 90" }])
    );
}

#[test]
fn aggregates_sharing_a_pass_see_what_they_read() {
    // aggregates over the same records share one pass, but one that reads a measure (here
    // the unit's own count, and an inspection's measure) waits for it to be computed
    let p = plan(json!({
        "measures": {
            "inspections": { "good": { "expr": "score >= 8" } },
            "units": {
                "n": { "aggregate": "count", "over": "inspections" },
                "busy": { "aggregate": "count", "over": "inspections", "where": "coalesce(unit.n, 0) >= 3" },
                "good": { "aggregate": "count", "over": "inspections", "where": "coalesce(good, false)" },
                "total": { "aggregate": "sum", "over": "inspections", "value": "score" },
                "first": { "aggregate": "min", "over": "inspections", "value": "date" }
            }
        }
    }));
    let data = |score4: Value| {
        json!({
            "places": places(),
            "units": units(&[("U1", "T1", "a", None), ("U2", "T1", "a", None)]),
            "inspections": [
                { "id": "I1", "unit": "U1", "date": "2025-03-01", "score": 9 },
                { "id": "I2", "unit": "U1", "date": "2025-01-05", "score": 7 },
                { "id": "I3", "unit": "U1", "date": "2025-02-01", "score": 8 },
                { "id": "I4", "unit": "U2", "date": "2025-04-01", "score": score4 }
            ]
        })
    };
    let o = score(&p, data(json!(10)));
    let u1 = &o["records"]["units"]["U1"];
    assert_eq!(
        (
            &u1["n"],
            &u1["busy"],
            &u1["good"],
            &u1["total"],
            &u1["first"]
        ),
        (
            &json!("3"),
            &json!("3"),
            &json!("2"),
            &json!("24"),
            &json!("2025-01-05")
        )
    );
    let u2 = &o["records"]["units"]["U2"];
    assert_eq!(
        (&u2["n"], &u2["busy"], &u2["good"], &u2["total"]),
        (&json!("1"), &json!("0"), &json!("1"), &json!("10"))
    );
    // a number past the size limit in one aggregate of a shared pass names that aggregate
    // and its record: 10^7000 cubed needs about 70,000 bits (numbers far past 128 bits
    // are exact, and 10^18 cubed is merely 10^54)
    let huge: serde_json::Value = serde_json::from_str("1e7000").unwrap();
    let p2 = plan(json!({ "measures": { "units": {
        "n": { "aggregate": "count", "over": "inspections" },
        "squares": { "aggregate": "sum", "over": "inspections", "value": "score * score * score" }
    } } }));
    let err = p2
        .score_json(&data(huge).to_string())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("measure units.squares") && err.contains("inspections 'I4'"),
        "{err}"
    );
}

#[test]
fn runtime_errors_name_the_rule_record_and_expression() {
    let p = plan(json!({ "measures": { "units": { "half": { "expr": "100 / (score - 5)" } } } }));
    let err = p
        .score_json(
            &json!({ "places": places(), "units": units(&[("U7", "T1", "a", Some("5"))]) })
                .to_string(),
        )
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("measure units.half")
            && err.contains("units 'U7'")
            && err.contains("division by zero")
            && err.contains("`100 / (score - 5)`"),
        "{err}"
    );
    let err = p
        .score_json(
            &json!({ "places": places(), "units": units(&[("U8", "T1", "a", None)]) }).to_string(),
        )
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("has no value") && err.contains("units 'U8'"),
        "{err}"
    );
}

#[test]
fn measure_cycles_are_pack_errors() {
    let bad = json!({ "name": "t", "version": "0", "collections": { "u": { "fields": { "x": "number" } } },
        "measures": { "u": { "a": { "expr": "b + 1" }, "b": { "expr": "a + x" } } } });
    let err = Plan::from_json(&bad.to_string()).unwrap_err().to_string();
    assert!(
        err.contains("measure 'a' depends on itself: u.a → u.b → u.a"),
        "{err}"
    );
    assert!(!err.contains("closes it"), "{err}");
    // through a table, and closed by an aggregate over the same collection
    let bad = json!({ "name": "t", "version": "0", "collections": { "l": { "fields": { "id": "string" } }, "o": { "date": "d", "fields": {
            "id": "string", "d": "date", "licence": { "ref": "l" }, "x": "number" } } },
        "measures": { "o": {
            "stage": { "table": "t" },
            "earlier": { "aggregate": "max", "over": "o", "match": "licence", "where": "d < outer.d", "value": "stage" } } },
        "tables": { "t": { "on": "o", "rows": [ { "when": "earlier > 1", "then": { "s": 2 } } ], "default": { "s": 1 } } } });
    let err = Plan::from_json(&bad.to_string()).unwrap_err().to_string();
    assert!(
        err.contains("o.earlier → o.stage → table t → o.earlier")
            && err.contains("the aggregate 'earlier' over the same collection is what closes it"),
        "{err}"
    );
}

#[test]
fn a_band_whose_output_type_differs_is_the_one_blamed() {
    let bad = json!({ "name": "t", "version": "0", "collections": { "u": { "fields": { "id": "string", "x": "number" } } },
        "tables": { "g": { "on": "u", "input": "x", "bands": [
            { "below": 60, "then": { "grade": "C" } },
            { "min": 60, "below": 70, "then": { "grade": 2 } },
            { "min": 70, "below": 80, "then": { "grade": "B" } },
            { "min": 80, "below": 90, "then": { "grade": "B+" } },
            { "min": 90, "then": { "grade": "A" } } ] } } });
    let err = Plan::from_json(&bad.to_string()).unwrap_err().to_string();
    assert_eq!(err.matches("output 'grade'").count(), 1, "{err}");
    assert!(
        err.contains("tables.g.bands[1].then.grade: output 'grade' is number here, but the others (4 of 5) are string"),
        "{err}"
    );
}

#[test]
fn members_that_do_not_apply_are_pack_errors() {
    let bad = json!({ "name": "t", "version": "0", "collections": { "u": { "fields": { "x": "number" } } },
        "measures": { "u": { "a": { "expr": "x + 1", "window": "period" } } } });
    let err = Plan::from_json(&bad.to_string()).unwrap_err().to_string();
    assert!(
        err.contains(
            "measures.u.a.window: 'window' applies to aggregate measures, not to expr measures"
        ),
        "{err}"
    );
}

#[test]
fn correlated_aggregates_see_the_outer_record() {
    // an inspection is not rated within 6 months after an incident of the same unit
    let p = Plan::from_json(
        &json!({ "name": "t", "version": "0", "period": { "from": "2025-01-01", "to": "2025-12-31" },
            "collections": {
                "units": { "fields": { "id": "string" } },
                "incidents": { "date": "date", "fields": { "id": "string", "unit": { "ref": "units" }, "date": "date" } },
                "inspections": { "date": "date", "fields": { "id": "string", "unit": { "ref": "units" }, "date": "date" } }
            },
            "measures": { "inspections": {
                "recent_incidents": { "aggregate": "count", "over": "incidents", "via": "unit", "match": "unit",
                    "where": "date <= outer.date && date > add_months(outer.date, -6)" }
            } } })
        .to_string(),
    )
    .unwrap();
    let o = score(
        &p,
        json!({
            "units": [{ "id": "U1" }, { "id": "U2" }],
            "incidents": [{ "id": "X1", "unit": "U1", "date": "2025-01-15" }],
            "inspections": [
                { "id": "I1", "unit": "U1", "date": "2025-07-14" },
                { "id": "I2", "unit": "U1", "date": "2025-07-15" },
                { "id": "I3", "unit": "U1", "date": "2025-01-14" },
                { "id": "I4", "unit": "U2", "date": "2025-03-01" }
            ]
        }),
    );
    let r = &o["records"]["inspections"];
    assert_eq!(
        r["I1"]["recent_incidents"], "1",
        "6 months less a day after the incident"
    );
    assert_eq!(
        r["I2"]["recent_incidents"], "0",
        "exactly 6 months after: the window has closed"
    );
    assert_eq!(r["I3"]["recent_incidents"], "0", "before the incident");
    assert_eq!(
        r["I4"]["recent_incidents"], "0",
        "another unit's incident does not count"
    );
}

#[test]
fn nested_checklists() {
    // items with sub-items: dynamic score = total of applicable items ÷ number of applicable items
    let p = Plan::from_json(
        &json!({ "name": "t", "version": "0", "period": { "from": "2025-01-01", "to": "2025-12-31" },
            "collections": { "forms": { "fields": { "id": "string",
                "items": { "type": "list", "items": { "applicable": "bool",
                    "subitems": { "type": "list", "items": { "points": "number", "key": "bool", "passed": "bool" } } } } } } },
            "measures": { "forms": {
                "applicable": { "expr": "items.filter(|i| i.applicable)" , "report": false },
                "score": { "expr": "round(applicable.map(|i| i.subitems.map(|s| s.points).sum()).sum() / applicable.len(), 1)" },
                "key_failures": { "expr": "applicable.map(|i| i.subitems.filter(|s| s.key && !s.passed).len()).sum()" }
            } } })
        .to_string(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let o = score(
        &p,
        json!({ "forms": [{ "id": "F1", "items": [
        { "applicable": true, "subitems": [{ "points": 5, "key": true, "passed": true }, { "points": 4, "key": true, "passed": false }] },
        { "applicable": true, "subitems": [{ "points": 8.9, "key": false, "passed": true }] },
        { "applicable": false, "subitems": [{ "points": 0, "key": true, "passed": false }] }
    ] }] }),
    );
    assert_eq!(
        o["records"]["forms"]["F1"]["score"], "9",
        "(9 + 8.9) / 2 = 8.95 -> 9.0 half up (not 8.9)"
    );
    assert_eq!(
        o["records"]["forms"]["F1"]["key_failures"], "1",
        "the failed key sub-item of an item not applicable does not count"
    );
    assert!(
        o["records"]["forms"]["F1"].get("applicable").is_none(),
        "report: false hides a measure"
    );
}

#[test]
fn change_against_a_baseline() {
    let p = plan(json!({
        "collections": {
            "places": { "fields": { "id": "string", "name": "string", "parent": { "ref": "places", "optional": true } } },
            "units": { "jurisdiction": "place", "fields": { "id": "string", "place": { "ref": "places" },
                       "kind": { "type": "enum", "values": ["a", "b"] }, "tap": "bool" } },
            "last_year": { "jurisdiction": "place", "fields": { "id": "string", "place": { "ref": "places" },
                           "a_units": "integer", "households": "integer", "with_tap": "integer" } }
        },
        "indicators": {
            "a_count": { "kind": "count", "population": { "collection": "units", "where": "kind == \"a\"" } },
            "a_count_last_year": { "kind": "sum", "population": { "collection": "last_year" }, "value": "a_units" },
            "a_rise": { "kind": "change", "current": "a_count", "baseline": "a_count_last_year", "target": { "min": 1 },
                        "scoring": { "all_or_nothing": 5 } },
            "tap": { "kind": "rate", "population": { "collection": "units" }, "numerator": "tap" },
            "tap_last_year": { "kind": "ratio", "population": { "collection": "last_year" }, "numerator": "with_tap", "denominator": "households" },
            "tap_rise": { "kind": "change", "current": "tap", "baseline": "tap_last_year", "target": { "min": 2 } }
        }
    }));
    // T1: 3 a of 4, 3 taps of 4 = 75%; last year 2 a, 73 of 100 = 73%: +1 unit, +2 points exactly.
    // T2: 1 a of 1, last year 1 a, no baseline rate (0 households): no change in a, rate change n/a.
    let o = score(
        &p,
        json!({
            "places": places(),
            "units": [
                { "id": "U1", "place": "T1", "kind": "a", "tap": true }, { "id": "U2", "place": "T1", "kind": "a", "tap": true },
                { "id": "U3", "place": "V1", "kind": "a", "tap": true }, { "id": "U4", "place": "T1", "kind": "b", "tap": false },
                { "id": "U5", "place": "T2", "kind": "a", "tap": true }
            ],
            "last_year": [
                { "id": "L1", "place": "T1", "a_units": 2, "households": 100, "with_tap": 73 },
                { "id": "L2", "place": "T2", "a_units": 1, "households": 0, "with_tap": 0 }
            ]
        }),
    );
    let t1 = &o["groups"]["T1"]["indicators"];
    assert_eq!(t1["a_rise"]["value"]["exact"], "1");
    assert_eq!(
        (
            t1["a_rise"]["current"].as_str(),
            t1["a_rise"]["baseline"].as_str()
        ),
        (Some("3"), Some("2"))
    );
    assert_eq!(t1["a_rise"]["met"], true);
    assert_eq!(t1["a_rise"]["points"]["exact"], "5");
    assert_eq!(
        t1["tap_rise"]["value"]["exact"], "2",
        "75% - 73% is exactly the +2 points required"
    );
    assert_eq!(t1["tap_rise"]["met"], true);
    let t2 = &o["groups"]["T2"]["indicators"];
    assert_eq!(
        (
            t2["a_rise"]["value"]["exact"].as_str(),
            t2["a_rise"]["met"].as_bool()
        ),
        (Some("0"), Some(false))
    );
    assert_eq!(
        t2["tap_rise"]["applicable"], false,
        "no baseline rate: not applicable"
    );
    assert_eq!(
        o["indicators"]["a_rise"]["value"]["exact"], "1",
        "overall: 4 against 3"
    );

    let bad = json!({ "name": "t", "version": "0", "collections": { "u": { "fields": { "x": "number" } } },
        "indicators": { "c": { "kind": "change", "current": "nope", "baseline": "c", "population": { "collection": "u" } } } });
    let err = Plan::from_json(&bad.to_string()).unwrap_err().to_string();
    assert!(
        err.contains("'population' does not apply to a change indicator"),
        "{err}"
    );
    assert!(err.contains("no indicator 'nope' to compare"), "{err}");
}

#[test]
fn a_band_tables_default_covers_no_value() {
    let pack = |default: Value| {
        let mut t = json!({ "on": "units", "input": "score", "bands": [{ "min": 0, "then": { "g": "scored" } }] });
        if !default.is_null() {
            t["default"] = default;
        }
        plan(json!({ "tables": { "g": t }, "measures": { "units": { "g": { "table": "g" } } } }))
    };
    let data = json!({ "places": places(), "units": units(&[("U1", "T1", "a", None), ("U2", "T1", "a", Some("3"))]) });
    let o = score(&pack(json!({ "g": "no score" })), data.clone());
    assert_eq!(o["records"]["units"]["U1"]["g"], "no score");
    assert_eq!(o["records"]["units"]["U2"]["g"], "scored");
    let err = pack(Value::Null)
        .score_json(&data.to_string())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("the band input has no value") && err.contains("units 'U1'"),
        "{err}"
    );
}

#[test]
fn fields_cannot_take_the_names_of_variables() {
    let bad = json!({ "name": "t", "version": "0",
        "collections": { "u": { "fields": { "period_end": "date", "outer": "string", "group": "string" } } },
        "measures": { "u": { "as_of": { "expr": "1" }, "grade": { "expr": "\"A\"" } } } });
    let err = Plan::from_json(&bad.to_string()).unwrap_err().to_string();
    assert!(
        err.contains("u.fields.period_end: 'period_end' is the name of a variable"),
        "{err}"
    );
    assert!(
        err.contains("u.fields.outer: 'outer' is the name of a variable"),
        "{err}"
    );
    assert!(err.contains("measures.u.as_of"), "{err}");
    assert!(
        !err.contains("group") && !err.contains("grade"),
        "group and grade are free in record scope: {err}"
    );
}

#[test]
fn per_window_aggregates() {
    // quarters and halves of the period, and school terms given as data
    let p = Plan::from_json(
        &json!({ "name": "t", "version": "0", "period": { "from": "2025-01-01", "to": "2025-12-31" },
            "collections": {
                "schools": { "fields": { "id": "string" } },
                "terms": { "fields": { "id": "string", "start": "date", "end": "date" } },
                "visits": { "date": "date", "fields": { "id": "string", "school": { "ref": "schools" }, "date": "date", "minutes": "number" } }
            },
            "measures": { "schools": {
                "per_quarter": { "aggregate": "count", "over": "visits", "per": "quarter" },
                "per_week": { "aggregate": "count", "over": "visits", "per": "week" },
                "minutes_per_half": { "aggregate": "sum", "over": "visits", "value": "minutes", "per": "half" },
                "per_term": { "aggregate": "count", "over": "visits", "per": { "collection": "terms", "from": "start", "to": "end" } },
                "every_quarter": { "expr": "per_quarter.all(|n| n >= 1)" },
                "every_term": { "expr": "per_term.all(|n| n >= 1)" }
            } } })
        .to_string(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let o = score(
        &p,
        json!({
            "schools": [{ "id": "S1" }, { "id": "S2" }],
            "terms": [{ "id": "2024-2", "start": "2025-02-17", "end": "2025-07-04" }, { "id": "2025-1", "start": "2025-09-01", "end": "2026-01-16" }],
            "visits": [
                { "id": "V1", "school": "S1", "date": "2025-03-31", "minutes": 30 },
                { "id": "V2", "school": "S1", "date": "2025-04-01", "minutes": 45 },
                { "id": "V3", "school": "S1", "date": "2025-09-30", "minutes": 20.5 },
                { "id": "V4", "school": "S1", "date": "2025-12-31", "minutes": 10 },
                { "id": "V5", "school": "S2", "date": "2025-02-10", "minutes": 60 },
                { "id": "V6", "school": "S2", "date": "2024-12-31", "minutes": 60 }
            ]
        }),
    );
    let s1 = &o["records"]["schools"]["S1"];
    assert_eq!(
        s1["per_quarter"],
        json!(["1", "1", "1", "1"]),
        "03-31 is Q1, 04-01 Q2"
    );
    assert_eq!(s1["minutes_per_half"], json!(["75", "30.5"]));
    assert_eq!(s1["per_term"], json!(["2", "2"]));
    let weeks = s1["per_week"].as_array().unwrap();
    // 2025-01-01 is a Wednesday: the first week is 01-01 … 01-05, the last 12-29 … 12-31
    assert_eq!(weeks.len(), 53);
    // week k (k ≥ 1) starts on Monday 01-06 + 7(k - 1): 03-31 (Mon) and 04-01 are in week
    // 13, 09-30 in week 39, 12-31 in the last, week 52 (12-29 … 12-31)
    let at = |k: usize| weeks[k].as_str().unwrap_or_default().to_string();
    assert_eq!(
        (at(13), at(39), at(52)),
        ("2".into(), "1".into(), "1".into())
    );
    assert_eq!(weeks.iter().filter(|w| *w != "0").count(), 3);
    assert_eq!(s1["every_quarter"], true);
    let s2 = &o["records"]["schools"]["S2"];
    assert_eq!(
        s2["per_quarter"],
        json!(["1", "0", "0", "0"]),
        "2024-12-31 is outside the period"
    );
    assert_eq!(
        s2["per_term"],
        json!(["0", "0"]),
        "02-10 is before the spring term"
    );
    assert_eq!(s2["every_term"], false);

    let bad = json!({ "name": "t", "version": "0", "collections": { "a": { "fields": { "id": "string" } },
        "b": { "date": "d", "fields": { "id": "string", "a": { "ref": "a" }, "d": "date" } } },
        "measures": { "a": { "x": { "aggregate": "count", "over": "b", "per": "fortnight" },
                             "y": { "aggregate": "count", "over": "b", "per": "month", "window": "period" } } } });
    let err = Plan::from_json(&bad.to_string()).unwrap_err().to_string();
    assert!(err.contains("per is \"week\", \"month\""), "{err}");
    assert!(err.contains("it takes no other window"), "{err}");
}

#[test]
fn checklist_problems_name_the_item_and_field() {
    let p = Plan::from_json(
        &json!({ "name": "t", "version": "0", "period": { "from": "2025-01-01", "to": "2025-12-31" },
            "collections": { "forms": { "fields": { "id": "string", "note": { "type": "string", "optional": true },
                "items": { "type": "list", "optional": true, "items": { "applicable": "bool",
                    "subitems": { "type": "list", "items": { "points": "number" } } } } } } },
            "measures": { "forms": { "total": { "expr": "if is_none(items) { () } else { items.map(|i| i.subitems.map(|s| s.points).sum()).sum() }" } } } })
        .to_string(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    // as text, so that numbers keep their digits and a field can appear twice
    let ok = r#"{ "applicable": true, "subitems": [{ "points": 2.5 }] }"#;
    let forms = [
        format!(r#"{{ "id": "A", "items": [{ok}, {ok}] }}"#),
        format!(r#"{{ "id": "B", "items": [{ok}, 7] }}"#),
        format!(r#"{{ "id": "C", "items": [{ok}, "x"] }}"#),
        format!(r#"{{ "id": "D", "items": [[1], {ok}] }}"#),
        r#"{ "id": "E", "items": [null] }"#.into(),
        r#"{ "id": "F", "items": 12.50 }"#.into(),
        r#"{ "id": "G", "items": { "a": 1 } }"#.into(),
        r#"{ "id": "H", "items": [{ "applicable": true, "subitems": [{ "points": "2" }] }] }"#.into(),
        r#"{ "id": "I", "items": [{ "applicable": true, "subitems": [], "extra": 1 }] }"#.into(),
        r#"{ "id": "J", "items": [{ "subitems": [] }] }"#.into(),
        r#"{ "id": "K", "items": [7], "undeclared": true }"#.into(),
        r#"{ "id": "L", "items": null }"#.into(),
        r#"{ "id": "M", "items": [{ "applicable": true, "subitems": [{ "points": 1 }, { "points": 2, "points": 3 }] }] }"#.into(),
        r#"{ "id": "N", "items": {} }"#.into(),
        r#"{ "id": "O", "items": [{}] }"#.into(),
    ];
    let text = format!(r#"{{ "forms": [{}] }}"#, forms.join(",\n"));
    let o = serde_json::to_value(p.score_json(&text).unwrap_or_else(|e| panic!("{e}"))).unwrap();
    let rejected: Vec<(String, String)> = o["accounting"]["forms"]["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["key"].as_str().unwrap().into(),
                r["reason"].as_str().unwrap().into(),
            )
        })
        .collect();
    let want = [
        ("B", "field 'items[1]': expected an object, found number 7"),
        (
            "C",
            "field 'items[1]': expected an object, found string \"x\"",
        ),
        ("D", "field 'items[0]': expected an object, found array"),
        ("E", "field 'items[0]': expected an object, found null"),
        ("F", "field 'items': expected a list, found number 12.50"),
        ("G", "field 'items': expected a list, found object"),
        (
            "H",
            "field 'items[0].subitems[0].points': expected a number, found string \"2\"",
        ),
        (
            "I",
            "field 'items[0].extra' is not declared for these items",
        ),
        ("J", "field 'items[0].applicable' is required but missing"),
        ("K", "field 'undeclared' is not declared for forms"),
        (
            "M",
            "field 'items[0].subitems[1].points' appears more than once",
        ),
        ("N", "field 'items': expected a list, found object"),
        ("O", "field 'items[0].applicable' is required but missing"),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(k, r)| (k.to_string(), r.to_string()))
        .collect();
    assert_eq!(rejected, want);
    assert_eq!(o["records"]["forms"]["A"]["total"], "5");
    assert_eq!(
        o["records"]["forms"]["L"]["total"],
        Value::Null,
        "an optional list left null has no value"
    );
}

#[test]
fn formulas_over_indicators_in_each_group() {
    let p = plan(json!({ "indicators": {
        "a": { "kind": "count", "population": { "collection": "units", "where": "kind == \"a\"" } },
        "b": { "kind": "count", "population": { "collection": "units", "where": "kind == \"b\"" }, "target": { "min": 1 }, "scoring": { "all_or_nothing": 5 } },
        "mean": { "kind": "mean", "population": { "collection": "units", "where": "!is_none(score)" }, "value": "score" },
        "growth": { "kind": "formula", "unit": "%", "value": "if b == 0 { () } else { (a - b) / b * 100 }",
                    "rounding": { "digits": 1, "mode": "half_up" }, "target": { "min": 0 } },
        "with_points": { "kind": "formula", "value": "b_points + (if b_met { 1 } else { 0 })" },
        "of_mean": { "kind": "formula", "value": "mean * 2" },
        "of_formula": { "kind": "formula", "value": "growth + 1" }
    } }));
    let o = score(
        &p,
        json!({ "places": places(), "units": units(&[
        ("U1", "T1", "a", Some("10")), ("U2", "T1", "a", None), ("U3", "T1", "b", None),
        ("U4", "T2", "a", None), ("U5", "T2", "c", None)]) }),
    );
    // overall: 3 a, 1 b: (3 − 1) ÷ 1 × 100 = 200
    let g = ind(&o, "growth");
    assert_eq!(
        (
            g["value"]["exact"].as_str(),
            g["met"].as_bool(),
            g["unit"].as_str()
        ),
        (Some("200"), Some(true), Some("%"))
    );
    assert_eq!(ind(&o, "with_points")["value"]["exact"], "6");
    assert_eq!(ind(&o, "of_mean")["value"]["exact"], "20");
    assert_eq!(ind(&o, "of_formula")["value"]["exact"], "201");
    // T1: 2 a, 1 b: 100; T2: no b, a zero base: not applicable, never an error
    let t1 = &o["groups"]["T1"]["indicators"];
    assert_eq!(t1["growth"]["value"]["exact"], "100");
    let t2 = &o["groups"]["T2"]["indicators"];
    assert_eq!(
        (
            t2["growth"]["applicable"].as_bool(),
            t2["growth"]["value"].is_null()
        ),
        (Some(false), true),
        "{t2}"
    );
    // a formula over an indicator that is not applicable is not applicable (T2 has no score)
    assert_eq!(t2["of_mean"]["applicable"], false);
    assert_eq!(t2["with_points"]["value"]["exact"], "0");
}

#[test]
fn formulas_are_checked_when_the_pack_loads() {
    let load = |inds: Value| {
        let mut p = json!({ "name": "t", "version": "0", "period": { "from": "2025-01-01", "to": "2025-12-31" },
            "collections": { "units": { "fields": { "id": "string" } } } });
        p["indicators"] = inds;
        Plan::from_json(&p.to_string()).unwrap_err().to_string()
    };
    let n = json!({ "kind": "count", "population": { "collection": "units" } });
    let e = load(json!({ "n": n, "f": { "kind": "formula", "value": "n + m" } }));
    assert!(
        e.contains("indicators.f.value") && e.contains("unknown name 'm'"),
        "{e}"
    );
    let e = load(json!({ "n": n, "f": { "kind": "formula", "value": "1 + 2" } }));
    assert!(e.contains("a formula reads at least one indicator"), "{e}");
    let e = load(json!({ "n": n, "f": { "kind": "formula", "value": "n_met" } }));
    assert!(
        e.contains("indicators.f.value") && e.contains("bool"),
        "{e}"
    );
    let e = load(json!({ "n": n, "n_met": n, "f": { "kind": "formula", "value": "n" } }));
    assert!(e.contains("'n_met' names two things"), "{e}");
}

#[test]
fn tables_on_groups_are_checked_when_the_pack_loads() {
    let load = |extra: Value| {
        let mut p = json!({ "name": "t", "version": "0", "period": { "from": "2025-01-01", "to": "2025-12-31" },
            "collections": { "units": { "fields": { "id": "string" } } },
            "indicators": { "n": { "kind": "count", "population": { "collection": "units" } } } });
        for (k, v) in extra.as_object().unwrap() {
            p[k] = v.clone();
        }
        Plan::from_json(&p.to_string())
            .map(|_| ())
            .unwrap_err()
            .to_string()
    };
    let e = load(
        json!({ "tables": { "g": { "on": "groups", "rows": [{ "when": "m >= 1", "then": { "r": "x" } }] } } }),
    );
    assert!(
        e.contains("tables.g.rows[0].when") && e.contains("unknown name 'm'"),
        "{e}"
    );
    let e = load(json!({
        "tables": { "g": { "on": "groups", "rows": [{ "when": "n >= 1", "then": { "r": "x" } }] } },
        "measures": { "units": { "r": { "table": "g" } } } }));
    assert!(
        e.contains("measures.units.r.table: table 'g' is on groups"),
        "{e}"
    );
    let e = load(
        json!({ "tables": { "g": { "on": "group", "rows": [{ "when": "true", "then": { "r": "x" } }] } } }),
    );
    assert!(
        e.contains("no collection 'group'") && e.contains("or groups"),
        "{e}"
    );
}

#[test]
fn indicators_broken_down_by_a_dimension() {
    let p = plan(json!({ "indicators": {
        "n": { "kind": "count", "by": "kind", "population": { "collection": "units" } },
        "scored": { "kind": "rate", "by": "place.name", "population": { "collection": "units" }, "numerator": "!is_none(score)", "target": { "min": 50 } }
    } }));
    let o = score(
        &p,
        json!({ "places": places(), "units": units(&[
        ("U1", "T1", "a", Some("10")), ("U2", "T1", "a", None), ("U3", "T2", "b", Some("5"))]) }),
    );
    let cats = |v: &Value| -> Vec<(String, Value, Value)> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["category"].as_str().unwrap().to_string(),
                    c["value"]["exact"].clone(),
                    c["met"].clone(),
                )
            })
            .collect()
    };
    // an enum's values, all of them, in the pack's order: c has no unit, and counts 0
    assert_eq!(
        cats(&ind(&o, "n")["by"]),
        [
            ("a".into(), json!("2"), Value::Null),
            ("b".into(), json!("1"), Value::Null),
            ("c".into(), json!("0"), Value::Null)
        ]
    );
    assert_eq!(
        cats(&o["groups"]["T1"]["indicators"]["n"]["by"])[1].1,
        json!("0")
    );
    // other texts: the categories the members have, in text order, each with met
    assert_eq!(
        cats(&ind(&o, "scored")["by"]),
        [
            ("town 1".into(), json!("50"), json!(true)),
            ("town 2".into(), json!("100"), json!(true))
        ]
    );
    let err = scorecard::Plan::from_json(&json!({ "name": "x", "version": "1", "period": { "from": "2025-01-01", "to": "2025-12-31" },
        "collections": { "units": { "fields": { "id": "string", "n": "number" } } },
        "indicators": { "c": { "kind": "count", "by": "n", "population": { "collection": "units" } },
                        "f": { "kind": "formula", "by": "n", "value": "c" } } }).to_string()).unwrap_err().to_string();
    assert!(
        err.contains("indicators.c.by") && err.contains("string"),
        "{err}"
    );
    assert!(
        err.contains("indicators.f.by: a formula has no members of its own"),
        "{err}"
    );
}

#[test]
fn numbers_and_dates_as_text() {
    let p = plan(
        json!({ "rounding": { "digits": 1, "mode": "half_up" }, "measures": { "units": {
        "card": { "expr": "text(coalesce(score, 0)) + \" 分\"" },
        "two": { "expr": "text(coalesce(score, 0) / 7, 2)" },
        "tiny": { "expr": "text(coalesce(score, 0) / 2000, 2, \"…\")" },
        "neg": { "expr": "text(0 - coalesce(score, 0) / 2)" },
        "day": { "expr": "\"outside: \" + text(period_start)" },
        "same": { "expr": "text(kind) + text(true)" }
    } } }),
    );
    let o = score(
        &p,
        json!({ "places": places(), "units": units(&[("U1", "T1", "a", Some("68")), ("U2", "T1", "b", Some("0")), ("U3", "T1", "c", Some("7"))]) }),
    );
    let u = |k: &str, m: &str| o["records"]["units"][k][m].as_str().unwrap().to_string();
    assert_eq!(u("U1", "card"), "68.0 分");
    assert_eq!(u("U1", "two"), "9.71");
    assert_eq!(u("U1", "tiny"), "0.03");
    assert_eq!(
        u("U3", "tiny"),
        "…",
        "0.0035 shows as 0.00: too small to show"
    );
    assert_eq!(u("U2", "tiny"), "0.00", "a true 0 is shown as 0");
    assert_eq!(u("U3", "neg"), "-3.5");
    assert_eq!(u("U1", "day"), "outside: 2025-01-01");
    assert_eq!(u("U1", "same"), "atrue");
    let err = scorecard::Plan::from_json(&json!({ "name": "x", "version": "1", "period": { "from": "2025-01-01", "to": "2025-12-31" },
        "collections": { "units": { "fields": { "id": "string" } } },
        "measures": { "units": { "t": { "expr": "text(1, \"2\")" }, "u": { "expr": "text()" } } } }).to_string()).unwrap_err().to_string();
    assert!(
        err.contains("measures.units.t") && err.contains("text()"),
        "{err}"
    );
    assert!(
        err.contains("measures.units.u") && err.contains("text() takes 1 to 3 arguments"),
        "{err}"
    );
}

#[test]
fn lists_of_plain_values() {
    let p = Plan::from_json(
        &json!({ "name": "t", "version": "0", "evaluation_errors": "stop",
            "collections": { "o": { "fields": { "id": "string",
                "deductions": { "type": "list", "items": "number", "min": 0, "max": 10, "multiple_of": 0.5 },
                "codes": { "type": "list", "items": "enum", "values": ["A1", "B2", "C3"], "optional": true } } } },
            "measures": { "o": {
                "total": { "expr": "deductions.sum()" },
                "n": { "expr": "deductions.len()" },
                "worst": { "expr": "coalesce(deductions.max(), 0)" },
                "big": { "expr": "deductions.filter(|d| d >= 4).map(|d| d * 2).sum()" },
                "any_big": { "expr": "deductions.some(|d| d >= 6)" },
                "all_small": { "expr": "deductions.all(|d| d < 6)" },
                "a1": { "expr": "!is_none(codes) && \"A1\" in codes" } } } })
        .to_string(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = p
        .score_json(
            &json!({ "o": [
                { "id": "x", "deductions": [6, 4, 1.5], "codes": ["A1"] },
                { "id": "y", "deductions": [] } ] })
            .to_string(),
        )
        .unwrap();
    let j: Value = serde_json::from_str(&out.to_json()).unwrap();
    let rec = |k: &str| j["records"]["o"][k].clone();
    let x = rec("x");
    assert_eq!(
        (
            &x["total"],
            &x["n"],
            &x["worst"],
            &x["big"],
            &x["any_big"],
            &x["all_small"],
            &x["a1"]
        ),
        (
            &json!("11.5"),
            &json!("3"),
            &json!("6"),
            &json!("20"),
            &json!(true),
            &json!(false),
            &json!(true)
        ),
        "{x}"
    );
    // an empty list: sum 0, no greatest value, some false, all true
    let y = rec("y");
    assert_eq!(
        (
            &y["total"],
            &y["n"],
            &y["worst"],
            &y["any_big"],
            &y["all_small"],
            &y["a1"]
        ),
        (
            &json!("0"),
            &json!("0"),
            &json!("0"),
            &json!(false),
            &json!(true),
            &json!(false)
        ),
        "{y}"
    );
    // each value is checked against the field's limits and type, named by its index
    let bad = |d: Value| {
        p.score_json(&json!({ "o": [ { "id": "x", "deductions": d } ] }).to_string())
            .map(|o| o.to_json())
            .unwrap_or_else(|e| e.to_string())
    };
    assert!(
        bad(json!([1, 11])).contains("field 'deductions[1]': 11 is above the maximum 10"),
        "{}",
        bad(json!([1, 11]))
    );
    assert!(
        bad(json!([1, 0.3])).contains("deductions[1]"),
        "{}",
        bad(json!([1, 0.3]))
    );
    assert!(
        bad(json!([1, "2"])).contains("field 'deductions[1]': expected a number, found string"),
        "{}",
        bad(json!([1, "2"]))
    );
    assert!(
        bad(json!(5)).contains("field 'deductions': expected a list, found number 5"),
        "{}",
        bad(json!(5))
    );
    // a list of references or of lists is not a list of plain values
    let err = Plan::from_json(
        &json!({ "name": "t", "version": "0",
            "collections": { "o": { "fields": { "id": "string", "l": { "type": "list", "items": "list" } } } } })
        .to_string(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("collections.o.fields.l.items: a list's values are string, number, integer, bool, date or enum, not 'list'"), "{err}");
}

#[test]
fn a_measure_with_rounding_shows_exact_and_display() {
    let pack = json!({ "name": "t", "version": "0",
        "collections": { "u": { "fields": { "id": "string", "a": "number", "b": "number" } } },
        "measures": { "u": {
            "rate": { "expr": "a / b * 100", "rounding": { "digits": 2 } },
            "label": { "expr": "text(rate, 1) + \"%\"" } } } });
    let p = Plan::from_json(&pack.to_string()).unwrap_or_else(|e| panic!("{e}"));
    let data = json!({ "u": [ { "id": "x", "a": 86, "b": 99 } ] }).to_string();
    let j: Value = serde_json::from_str(&p.score_json(&data).unwrap().to_json()).unwrap();
    assert_eq!(
        j["records"]["u"]["x"],
        json!({ "rate": { "exact": "8600/99", "display": "86.87" }, "label": "86.9%" })
    );
    let ds = p.read(&data).unwrap();
    let e = &p.explain(&ds, "u", "x", 0).unwrap()[0];
    assert!(
        e.to_text().contains("rate = 86.87 (exactly 8600/99)"),
        "{}",
        e.to_text()
    );
    // rounding is for numbers
    let mut bad = pack.clone();
    bad["measures"]["u"]["label"]["rounding"] = json!({ "digits": 1 });
    let err = Plan::from_json(&bad.to_string()).unwrap_err().to_string();
    assert!(
        err.contains(
            "measures.u.label.rounding: rounding is for number measures; 'label' is string"
        ),
        "{err}"
    );
}

#[test]
fn tables_that_leave_inputs_without_a_row_and_fraction_targets_are_warned_of() {
    let pack = |rows: Value, default: Option<Value>, target: Value| {
        let mut t = json!({ "on": "p", "rows": rows });
        if let Some(d) = default {
            t["default"] = d;
        }
        json!({ "name": "t", "version": "0",
            "collections": { "p": { "fields": { "id": "string", "ok": "bool",
                "n": { "type": "integer", "min": 0 }, "half": { "type": "number", "multiple_of": 0.5 },
                "kind": { "type": "enum", "values": ["a", "b", "c"] } } } },
            "tables": { "t": t },
            "indicators": { "r": { "kind": "rate", "population": { "collection": "p" }, "numerator": "ok", "target": target } } })
        .to_string()
    };
    let warnings = |p: &str| -> Vec<String> {
        Plan::from_json(p)
            .unwrap_or_else(|e| panic!("{e}"))
            .warnings()
            .iter()
            .map(|d| d.to_string())
            .collect()
    };
    // steps: integers 0..2 and 3.., halves ≤ 9.5 and ≥ 10, every enum value: covered
    let covered = json!([
        { "when": "n <= 2", "then": { "x": 1 } },
        { "when": "n >= 3 && half <= 9.5", "then": { "x": 2 } },
        { "when": "n >= 3 && half >= 10 && kind in [\"a\", \"b\"]", "then": { "x": 3 } },
        { "when": "n >= 3 && half >= 10 && kind == \"c\"", "then": { "x": 4 } } ]);
    assert_eq!(
        warnings(&pack(covered, None, json!({ "min": 95 }))),
        Vec::<String>::new()
    );
    // a gap, and no default: warned of with an input in it
    let gap = json!([
        { "when": "n < 2 || ok", "then": { "x": 1 } },
        { "when": "n > 2 && kind != \"c\"", "then": { "x": 2 } } ]);
    let w = warnings(&pack(gap.clone(), None, json!({ "min": 95 })));
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].contains("tables.t.rows: no row matches kind = \"c\", 2 ≤ n, ok = false and the table has no default"),
        "{w:?}"
    );
    // with a default, nothing is left without a row
    assert!(warnings(&pack(gap, Some(json!({ "x": 0 })), json!({ "min": 95 }))).is_empty());
    // a percentage target written as a fraction
    let w = warnings(&pack(
        json!([{ "when": "true", "then": { "x": 1 } }]),
        None,
        json!({ "min": 0.95 }),
    ));
    assert!(
        w.len() == 1 && w[0].contains("indicators.r.target: a rate is a percentage from 0 to 100: a target of 0.95 is 0.95%; for 95%, write 95"),
        "{w:?}"
    );
}

#[test]
fn scan_misuse_is_located() {
    let pack = |coll: Value, m: Value| {
        json!({ "name": "t", "version": "0", "collections": { "o": coll }, "measures": { "o": { "s": m } } })
            .to_string()
    };
    let dated = json!({ "date": "d", "fields": { "id": "string", "d": "date", "n": "number", "who": "string" } });
    let err = |c: &Value, m: Value| {
        Plan::from_json(&pack(c.clone(), m))
            .unwrap_err()
            .to_string()
    };
    let e = err(&dated, json!({ "scan": "n", "state": { "x": "0" } }));
    assert!(e.contains("measures.o.s.scan: a scan takes together the records that share a reference or a text field; 'n' is number"), "{e}");
    let undated = json!({ "fields": { "id": "string", "who": "string" } });
    let e = err(&undated, json!({ "scan": "who", "state": { "x": "0" } }));
    assert!(e.contains("collection o needs a \"date\""), "{e}");
    let e = err(
        &dated,
        json!({ "scan": "who", "state": { "x": "0" }, "step": { "y": "state.x + 1" } }),
    );
    assert!(
        e.contains("measures.o.s.step.y: 'y' is not a field of the state (x)"),
        "{e}"
    );
    let e = err(
        &dated,
        json!({ "scan": "who", "state": { "x": "0" }, "step": { "x": "state.x == 1" } }),
    );
    assert!(e.contains("measures.o.s.step.x"), "{e}");
    let e = err(
        &dated,
        json!({ "scan": "who", "window": "all", "state": { "x": "0" } }),
    );
    assert!(
        e.contains("'window' applies to aggregate measures, not to scan measures"),
        "{e}"
    );
    // a running total in date order, then key order; a record with no group on its own
    let p = Plan::from_json(&pack(
        json!({ "date": "d", "fields": { "id": "string", "d": "date", "n": "number", "who": { "type": "string", "optional": true } } }),
        json!({ "scan": "who", "state": { "sum": "0", "last": "\"\"" }, "step": { "sum": "state.sum + n", "last": "id" } }),
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    let out = p
        .score_json(
            &json!({ "period": { "from": "2025-01-01", "to": "2025-12-31" }, "o": [
            { "id": "a", "d": "2025-03-01", "n": 1, "who": "X" },
            { "id": "b", "d": "2025-01-01", "n": 2, "who": "X" },
            { "id": "c", "d": "2025-01-01", "n": 4, "who": "X" },
            { "id": "z", "d": "2025-01-01", "n": 8 } ] })
            .to_string(),
        )
        .unwrap();
    let j: Value = serde_json::from_str(&out.to_json()).unwrap();
    let s = |k: &str| j["records"]["o"][k]["s"].clone();
    assert_eq!(s("b"), json!({ "sum": "2", "last": "b" }));
    assert_eq!(s("c"), json!({ "sum": "6", "last": "c" }));
    assert_eq!(s("a"), json!({ "sum": "7", "last": "a" }));
    assert_eq!(s("z"), json!({ "sum": "8", "last": "z" }));
}

#[test]
fn unused_hidden_measures_and_indicators_in_no_section_are_warned_of() {
    let pack = json!({ "name": "t", "version": "0",
        "collections": { "u": { "fields": { "id": "string", "ok": "bool", "n": "number" } } },
        "measures": { "u": {
            "used": { "expr": "n * 2", "report": false },
            "unused": { "expr": "n * 3", "report": false },
            "shown": { "expr": "used + 1" } } },
        "indicators": {
            "a": { "kind": "rate", "population": { "collection": "u" }, "numerator": "ok", "target": { "min": 90 }, "scoring": { "all_or_nothing": 10 } },
            "b": { "kind": "rate", "population": { "collection": "u" }, "numerator": "ok", "target": { "min": 90 }, "scoring": { "all_or_nothing": 10 } } },
        "scorecard": { "sections": [ { "name": "s", "indicators": ["a"] } ] } });
    let p = Plan::from_json(&pack.to_string()).unwrap_or_else(|e| panic!("{e}"));
    let w: Vec<String> = p.warnings().iter().map(|d| d.to_string()).collect();
    assert_eq!(w.len(), 2, "{w:?}");
    assert!(
        w.iter().any(|x| x.contains(
            "measures.u.unused.report: measure 'unused' is not reported and nothing uses it"
        )),
        "{w:?}"
    );
    assert!(
        w.iter()
            .any(|x| x
                .contains("indicators.b.scoring: indicator 'b' earns points but is in no section")),
        "{w:?}"
    );
}
