//! A record whose evaluation fails is set aside: rejected with the error, counted in no
//! indicator, the others scored without it; records that reference it go with it; a
//! removal that makes another record fail sets that one aside in turn.

use scorecard::Plan;
use serde_json::{json, Value};

fn plan(extra: Value) -> Plan {
    let mut p = json!({
        "name": "s", "version": "1",
        "period": { "from": "2025-01-01", "to": "2025-12-31" },
        "collections": {
            "units": { "fields": { "id": "string", "found": "integer", "reported": "integer" } },
            "inspections": { "date": "date", "fields": { "id": "string", "unit": { "ref": "units" }, "date": "date", "score": { "type": "number", "optional": true } } }
        },
        "measures": {
            "units": {
                "rate": { "expr": "reported / found * 100" },
                "mean_score": { "aggregate": "mean", "over": "inspections", "via": "unit", "value": "score" },
                "shown": { "expr": "round(mean_score, 1)" }
            },
            "inspections": { "half": { "expr": "score / 2" } }
        },
        "indicators": {
            "units": { "kind": "count", "population": { "collection": "units" } },
            "inspections": { "kind": "count", "population": { "collection": "inspections" } },
            "mean_rate": { "kind": "mean", "population": { "collection": "units" }, "value": "rate" }
        }
    });
    for (k, v) in extra.as_object().unwrap() {
        p[k] = v.clone();
    }
    Plan::from_json(&p.to_string()).unwrap_or_else(|e| panic!("{e}"))
}

fn rejected(o: &Value, coll: &str) -> Vec<(String, String)> {
    o["accounting"][coll]["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["key"].as_str().unwrap().into(),
                r["reason"].as_str().unwrap().into(),
            )
        })
        .collect()
}

fn data() -> Value {
    json!({
        "units": [
            { "id": "U1", "found": 4, "reported": 2 },
            { "id": "U2", "found": 0, "reported": 0 },
            { "id": "U3", "found": 2, "reported": 2 },
            { "id": "U4", "found": 5, "reported": 5 }
        ],
        "inspections": [
            { "id": "I1", "unit": "U1", "date": "2025-03-01", "score": 80 },
            { "id": "I2", "unit": "U2", "date": "2025-03-01", "score": 70 },
            { "id": "I3", "unit": "U3", "date": "2025-03-01", "score": 90 },
            { "id": "I4", "unit": "U4", "date": "2025-03-01" }
        ]
    })
}

#[test]
fn failing_records_are_set_aside_and_the_rest_scored() {
    let p = plan(json!({}));
    let o = serde_json::to_value(p.score_json(&data().to_string()).unwrap()).unwrap();
    // U2 divides by zero; I2 goes with it (its unit is gone); I4 has no score, so `half`
    // fails for it; then U4's mean is over no inspection, and `round` of it fails: U4 is
    // set aside in the next round
    let units = rejected(&o, "units");
    assert_eq!(units.len(), 2, "{units:?}");
    assert_eq!(units[0].0, "U2");
    assert!(
        units[0].1.starts_with(
            "evaluation failed: measure units.rate, units 'U2', in `reported / found * 100`"
        ),
        "{units:?}"
    );
    assert!(units[0].1.contains("division by zero"), "{units:?}");
    assert_eq!(units[1].0, "U4");
    assert!(
        units[1]
            .1
            .contains("the argument `mean_score` of round() has no value"),
        "{units:?}"
    );
    let insp = rejected(&o, "inspections");
    let keys: Vec<&str> = insp.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(keys, ["I2", "I4"], "{insp:?}");
    assert_eq!(insp[0].1, "field 'unit': units 'U2' was rejected");
    assert!(
        insp[1]
            .1
            .contains("measure inspections.half, inspections 'I4'"),
        "{insp:?}"
    );
    // counted nowhere: 2 units, 2 inspections; mean rate (50 + 100) / 2
    assert_eq!(o["indicators"]["units"]["value"]["exact"], "2");
    assert_eq!(o["indicators"]["inspections"]["value"]["exact"], "2");
    assert_eq!(o["indicators"]["mean_rate"]["value"]["exact"], "75");
    for (c, read, used) in [("units", 4, 2), ("inspections", 4, 2)] {
        let a = &o["accounting"][c];
        assert_eq!(
            (a["read"].as_u64(), a["used"].as_u64()),
            (Some(read), Some(used)),
            "{a}"
        );
    }
    assert!(
        o["records"]["units"].get("U2").is_none() && o["records"]["units"]["U1"]["shown"] == "80"
    );
}

#[test]
fn the_same_bytes_whatever_the_order_of_the_input() {
    let p = plan(json!({}));
    let mut shuffled = data();
    shuffled["units"].as_array_mut().unwrap().reverse();
    shuffled["inspections"]
        .as_array_mut()
        .unwrap()
        .rotate_left(1);
    let a = p.score_json(&data().to_string()).unwrap().to_json();
    let b = p.score_json(&shuffled.to_string()).unwrap().to_json();
    assert_eq!(a, b);
}

#[test]
fn a_pack_may_stop_at_the_first_failure_instead() {
    let p = plan(json!({ "evaluation_errors": "stop" }));
    let err = p.score_json(&data().to_string()).unwrap_err().to_string();
    // the first measure computed that fails: the inspections' (the units' mean reads them)
    assert!(
        err.contains("measure inspections.half, inspections 'I4', in `score / 2` at character 1: the operand `score` of '/' has no value"),
        "{err}"
    );
    let bad = json!({ "name": "s", "version": "1", "evaluation_errors": "carry_on",
        "collections": { "units": { "fields": { "id": "string" } } },
        "indicators": { "n": { "kind": "count", "population": { "collection": "units" } } } });
    let err = Plan::from_json(&bad.to_string()).unwrap_err().to_string();
    assert!(
        err.contains("evaluation_errors") && err.contains("set_aside"),
        "{err}"
    );
}

#[test]
fn explain_sees_the_records_as_scored() {
    let p = plan(json!({}));
    let ds = p.read(&data().to_string()).unwrap();
    let err = p.explain(&ds, "units", "U2", 0).unwrap_err().to_string();
    assert!(err.contains("no used units record 'U2'"), "{err}");
    let e = p.explain(&ds, "units", "U1", 0).unwrap();
    assert_eq!(e[0].key, "U1");
}

#[test]
fn failures_that_keep_coming_are_bounded() {
    // a chain of units, each the previous one of the next: a unit with no next one fails
    // (100 / 0); setting it aside leaves the one before it with none, which fails in the
    // next round, and so on down the chain
    let mut units = Vec::new();
    for i in 0..40 {
        let mut u = json!({ "id": format!("U{i:02}") });
        if i > 0 {
            u["prev"] = json!(format!("U{:02}", i - 1));
        }
        units.push(u);
    }
    let pack = json!({
        "name": "s", "version": "1", "period": { "from": "2025-01-01", "to": "2025-12-31" },
        "collections": { "units": { "fields": { "id": "string", "prev": { "ref": "units", "optional": true } } } },
        "measures": { "units": {
            "next": { "aggregate": "count", "over": "units", "via": "prev" },
            "chain": { "expr": "100 / next" }
        } },
        "indicators": { "n": { "kind": "count", "population": { "collection": "units" } } }
    });
    let p = Plan::from_json(&pack.to_string()).unwrap();
    let r = p.score_json(&json!({ "units": units.clone() }).to_string());
    let err = r.unwrap_err().to_string();
    assert!(err.contains("records still fail after 16 rounds"), "{err}");
    // a chain short enough is set aside whole, one unit a round
    let o = serde_json::to_value(
        p.score_json(&json!({ "units": units[..10].to_vec() }).to_string())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(o["accounting"]["units"]["used"], 0);
    assert_eq!(rejected(&o, "units").len(), 10);
}

#[test]
fn a_member_whose_category_fails_is_set_aside() {
    let p = plan(json!({ "indicators": {
        "units": { "kind": "count", "by": "if reported / found > 0 { \"some\" } else { \"none\" }", "population": { "collection": "units" } }
    }, "measures": { "units": {} } }));
    let o = serde_json::to_value(p.score_json(&json!({ "units": [
        { "id": "U1", "found": 4, "reported": 2 }, { "id": "U2", "found": 0, "reported": 0 }, { "id": "U3", "found": 1, "reported": 0 }
    ], "inspections": [] }).to_string()).unwrap()).unwrap();
    let r = rejected(&o, "units");
    assert_eq!(r.len(), 1, "{r:?}");
    assert!(
        r[0].0 == "U2" && r[0].1.contains("division by zero"),
        "{r:?}"
    );
    let by = &o["indicators"]["units"]["by"];
    assert_eq!(
        (by[0]["category"].as_str(), by[0]["value"]["exact"].as_str()),
        (Some("none"), Some("1")),
        "{by}"
    );
    assert_eq!(
        (by[1]["category"].as_str(), by[1]["value"]["exact"].as_str()),
        (Some("some"), Some("1")),
        "{by}"
    );
}
