//! Limits on number fields and validity rules (`invalid_when`): a record that breaks one
//! is rejected with its reason, counts nowhere, and `read = used + excluded + rejected`.

use scorecard::Plan;
use serde_json::{json, Value};

fn plan() -> Plan {
    let pack = json!({
        "name": "v", "version": "1",
        "period": { "from": "2025-01-01", "to": "2025-12-31" },
        "collections": {
            "units": {
                "include": "status == \"open\"",
                "fields": { "id": "string", "licensed": "date", "status": { "type": "enum", "values": ["open", "closed"] } },
                "invalid_when": [
                    { "when": "visits > 3", "reason": "more than 3 visits: a duplicate upload" }
                ]
            },
            "inspections": {
                "date": "date",
                "fields": {
                    "id": "string", "unit": { "ref": "units" }, "date": "date",
                    "score": { "type": "number", "min": 0, "max": 100, "multiple_of": 0.5 },
                    "items": { "type": "list", "items": { "points": { "type": "integer", "values": [0, 5, 10] } } }
                },
                "invalid_when": [
                    { "when": "date < unit.licensed", "reason": "inspected before the licence" },
                    { "when": "score < 10", "reason": "a score below 10 is a data-entry error" }
                ]
            }
        },
        "measures": { "units": {
            "visits": { "aggregate": "count", "over": "inspections", "via": "unit" },
            "mean_score": { "aggregate": "mean", "over": "inspections", "via": "unit", "value": "score" }
        } },
        "indicators": {
            "n": { "kind": "count", "population": { "collection": "inspections" } },
            "units": { "kind": "count", "population": { "collection": "units" } }
        }
    });
    Plan::from_json(&pack.to_string()).unwrap_or_else(|e| panic!("{e}"))
}

fn insp(id: &str, unit: &str, date: &str, score: Value) -> Value {
    json!({ "id": id, "unit": unit, "date": date, "score": score, "items": [{ "points": 5 }] })
}

fn score(p: &Plan, data: Value) -> Value {
    serde_json::to_value(
        p.score_json(&data.to_string())
            .unwrap_or_else(|e| panic!("{e}")),
    )
    .unwrap()
}

fn rejected(o: &Value, coll: &str) -> Vec<(String, String)> {
    o["accounting"][coll]["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["key"].as_str().unwrap().to_string(),
                r["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn limits_reject_at_their_boundaries() {
    let p = plan();
    let mut bad_item = insp("I7", "U1", "2025-03-01", json!(50));
    bad_item["items"] = json!([{ "points": 5 }, { "points": 7 }]);
    let o = score(
        &p,
        json!({
            "units": [{ "id": "U1", "licensed": "2025-01-01", "status": "open" }],
            "inspections": [
                insp("I1", "U1", "2025-03-01", json!(0)),
                insp("I2", "U1", "2025-03-01", json!(100)),
                insp("I3", "U1", "2025-03-01", json!(100.5)),
                insp("I4", "U1", "2025-03-01", json!(-0.5)),
                insp("I5", "U1", "2025-03-01", json!(72.3)),
                insp("I6", "U1", "2025-03-01", json!(72.50)),
                bad_item
            ]
        }),
    );
    let r = rejected(&o, "inspections");
    let keys: Vec<&str> = r.iter().map(|(k, _)| k.as_str()).collect();
    // I1 (0) is at the minimum: the validity rule, not the limit, rejects it
    assert_eq!(keys, ["I1", "I3", "I4", "I5", "I7"], "{r:?}");
    assert!(
        r[1].1
            .contains("field 'score': 100.5 is above the maximum 100"),
        "{r:?}"
    );
    assert!(r[2].1.contains("-0.5 is below the minimum 0"), "{r:?}");
    assert!(r[3].1.contains("72.3 is not a multiple of 0.5"), "{r:?}");
    assert!(
        r[4].1.contains("points") && r[4].1.contains("7 is not one of 0, 5, 10"),
        "{r:?}"
    );
    let a = &o["accounting"]["inspections"];
    assert_eq!(
        (
            a["read"].as_u64(),
            a["used"].as_u64(),
            a["rejected"].as_array().map(Vec::len)
        ),
        (Some(7), Some(2), Some(5))
    );
}

#[test]
fn validity_rules_see_measures_and_reject_before_anything_counts() {
    let p = plan();
    let o = score(
        &p,
        json!({
            "units": [
                { "id": "U1", "licensed": "2025-03-01", "status": "open" },
                { "id": "U2", "licensed": "2025-01-01", "status": "open" },
                { "id": "U3", "licensed": "2025-01-01", "status": "closed" }
            ],
            "inspections": [
                insp("I1", "U1", "2025-02-28", json!(40)),
                insp("I2", "U1", "2025-03-01", json!(60)),
                insp("I3", "U1", "2025-04-01", json!(5)),
                insp("I4", "U2", "2025-02-01", json!(80)),
                insp("I5", "U2", "2025-03-01", json!(80)),
                insp("I6", "U2", "2025-04-01", json!(80)),
                insp("I7", "U2", "2025-05-01", json!(80)),
                insp("I8", "U3", "2025-05-01", json!(80))
            ]
        }),
    );
    // I1: the day before the licence; I2 on the day is valid; I3: the second rule; U2 has 4
    // visits as read, so it is invalid, and its inspections go with it (through their
    // reference); U3 is excluded by include, and I8 with it
    assert_eq!(
        rejected(&o, "inspections"),
        [
            ("I1".into(), "invalid: inspected before the licence".into()),
            (
                "I3".into(),
                "invalid: a score below 10 is a data-entry error".into()
            ),
            ("I4".into(), "field 'unit': units 'U2' was rejected".into()),
            ("I5".into(), "field 'unit': units 'U2' was rejected".into()),
            ("I6".into(), "field 'unit': units 'U2' was rejected".into()),
            ("I7".into(), "field 'unit': units 'U2' was rejected".into()),
        ]
    );
    assert_eq!(
        rejected(&o, "units"),
        [(
            "U2".into(),
            "invalid: more than 3 visits: a duplicate upload".into()
        )]
    );
    // U1's measures count only its valid inspection
    let u1 = &o["records"]["units"]["U1"];
    assert_eq!(
        (u1["visits"].as_str(), u1["mean_score"].as_str()),
        (Some("1"), Some("60")),
        "{u1}"
    );
    assert_eq!(o["indicators"]["n"]["value"]["exact"], "1");
    assert_eq!(o["indicators"]["units"]["value"]["exact"], "1");
    for (c, read, used, excluded, rej) in [("units", 3, 1, 1, 1), ("inspections", 8, 1, 1, 6)] {
        let a = &o["accounting"][c];
        assert_eq!(
            (
                a["read"].as_u64(),
                a["used"].as_u64(),
                a["excluded"].as_u64(),
                a["rejected"].as_array().map(Vec::len)
            ),
            (Some(read), Some(used), Some(excluded), Some(rej)),
            "{c}: {a}"
        );
    }
}

#[test]
fn a_rule_that_fails_names_the_record_and_the_rule() {
    let pack = json!({
        "name": "v", "version": "1", "period": { "from": "2025-01-01", "to": "2025-12-31" },
        "collections": { "things": { "fields": { "id": "string", "a": "number", "b": "number" },
            "invalid_when": [{ "when": "a / b > 1", "reason": "a above b" }] } },
        "indicators": { "n": { "kind": "count", "population": { "collection": "things" } } }
    });
    let data = json!({ "things": [{ "id": "T2", "a": 1, "b": 0 }, { "id": "T1", "a": 1, "b": 2 }, { "id": "T3", "a": 1, "b": 0 }] });
    // set aside with the error, the others judged and scored
    let p = Plan::from_json(&pack.to_string()).unwrap();
    let o = score(&p, data.clone());
    let why = "evaluation failed: validity rule things.invalid_when[0], things 'T2', in `a / b > 1` at character 3: division by zero";
    let r = rejected(&o, "things");
    assert_eq!(
        (r.len(), r[0].0.as_str(), r[0].1.as_str(), r[1].0.as_str()),
        (2, "T2", why, "T3"),
        "{r:?}"
    );
    assert_eq!(o["indicators"]["n"]["value"]["exact"], "1");
    // or the run stops at the first, when the pack says so
    let mut stop = pack.clone();
    stop["evaluation_errors"] = json!("stop");
    let p = Plan::from_json(&stop.to_string()).unwrap();
    let err = p.score_json(&data.to_string()).unwrap_err().to_string();
    assert!(
        err.contains("validity rule things.invalid_when[0], things 'T2', in `a / b > 1`")
            && err.contains("division by zero"),
        "{err}"
    );
}

#[test]
fn misused_limits_and_rules_are_located_pack_errors() {
    let pack = json!({
        "name": "v", "version": "1", "period": { "from": "2025-01-01", "to": "2025-12-31" },
        "collections": { "things": {
            "include": "late",
            "fields": {
                "id": { "type": "string", "min": 1 },
                "a": { "type": "number", "min": 5, "max": 1 },
                "b": { "type": "integer", "multiple_of": 0, "values": [1, "x"] },
                "c": { "type": "enum", "values": ["x", 2] },
                "d": { "type": "integer", "values": [3], "max": 2 }
            },
            "invalid_when": [{ "when": "a +", "reason": "r" }, { "when": "late", "reason": " " }, { "when": "a", "reason": "not a condition" }]
        } },
        "measures": { "things": { "late": { "aggregate": "count", "over": "things" } } },
        "indicators": { "n": { "kind": "count", "population": { "collection": "things" } } }
    });
    let err = Plan::from_json(&pack.to_string()).unwrap_err().to_string();
    for want in [
        "collections.things.fields.id.min: min is for type number or integer",
        "collections.things.fields.a.max: the maximum 1 is below the minimum 5",
        "collections.things.fields.b.multiple_of: multiple_of must be above 0, not 0",
        "collections.things.fields.b.values[1]: a number field's values are numbers",
        "collections.things.fields.c.values[1]: an enum's values are strings, not 2 (for numbers from a list, use type number or integer with \"values\"",
        "collections.things.fields.d.values: the allowed value 3 can never be read: 3 is above the maximum 2",
        "collections.things.include: 'late' is a measure; a collection's include filter runs before measures",
        "collections.things.invalid_when[0].when",
        "collections.things.invalid_when[1].reason: a validity rule needs a reason",
        "collections.things.invalid_when[2].when",
    ] {
        assert!(err.contains(want), "missing {want:?} in:\n{err}");
    }
}

#[test]
fn a_pack_that_dates_nothing_needs_no_period() {
    let pack = |extra: Value| {
        let mut p = json!({ "name": "u", "version": "1",
            "collections": { "units": { "fields": { "id": "string", "score": "number" } } },
            "indicators": { "n": { "kind": "count", "population": { "collection": "units", "where": "score >= 60" } } } });
        for (k, v) in extra.as_object().unwrap() {
            p[k] = v.clone();
        }
        Plan::from_json(&p.to_string()).unwrap()
    };
    let data =
        json!({ "units": [{ "id": "U1", "score": 70 }, { "id": "U2", "score": 50 }] }).to_string();
    let o = pack(json!({})).score_json(&data).unwrap();
    assert_eq!(o.period, None);
    let text = o.to_json();
    assert!(!text.contains("\"period\""), "{text}");
    assert!(text.contains("\"exact\": \"1\""), "{text}");
    // a pack that reads the period, or dates a collection, still needs one
    let reads = pack(json!({ "measures": { "units": { "y": { "expr": "year(period_end)" } } } }));
    let err = reads.score_json(&data).unwrap_err().to_string();
    assert!(
        err.contains("has no period, and the pack gives none"),
        "{err}"
    );
    let dated = pack(
        json!({ "collections": { "units": { "date": "day", "fields": { "id": "string", "score": "number", "day": "date" } } } }),
    );
    let err = dated
        .score_json(
            &json!({ "units": [{ "id": "U1", "score": 70, "day": "2025-01-01" }] }).to_string(),
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains("has no period"), "{err}");
    // data that give one are shown with it
    let o = pack(json!({}))
        .score_json(
            &json!({ "period": { "from": "2025-01-01", "to": "2025-12-31" }, "units": [] })
                .to_string(),
        )
        .unwrap();
    assert!(o.period.is_some());
}
