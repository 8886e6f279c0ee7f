//! Missing data never helps: a record no row of a table matches is set aside rather than
//! left without a grade; an indicator computed without rejected records says so and, by
//! default, is not met and earns nothing; `"on_incomplete": "score"` scores what there is;
//! the scorecard is provisional. (`tests/properties.rs` holds every shipped pack to it on
//! generated data.)

use scorecard::Plan;
use serde_json::{json, Value};

/// Pools graded by their water tests: a failed test, 不合格; a passed one, 合格; and
/// `untested` (a row for pools with no test) unless left out.
fn pools(untested: bool, extra: Value) -> Plan {
    let mut rows = vec![
        json!({ "when": "failed > 0", "then": { "grade": "不合格" } }),
        json!({ "when": "n > 0", "then": { "grade": "合格" } }),
    ];
    if untested {
        rows.push(
            json!({ "when": "n == 0", "then": { "grade": "不合格" }, "note": "no tests: 不合格" }),
        );
    }
    let mut p = json!({
        "name": "pools", "version": "1",
        "collections": {
            "pools": { "fields": { "id": "string" } },
            "tests": { "fields": { "id": "string", "pool": { "ref": "pools" }, "pass": "bool" } }
        },
        "measures": { "pools": {
            "n": { "aggregate": "count", "over": "tests", "via": "pool" },
            "failed": { "aggregate": "count", "over": "tests", "via": "pool", "where": "!pass" },
            "grade": { "table": "grade", "output": "grade" }
        } },
        "tables": { "grade": { "on": "pools", "hit": "first", "rows": rows } },
        "indicators": {
            "pass": { "kind": "share", "population": { "collection": "pools" }, "of": "grade", "in": ["合格"],
                      "target": { "min": 100 }, "scoring": { "proportional": 100 } },
            "tested": { "kind": "count", "population": { "collection": "tests" } }
        },
        "scorecard": { "sections": [{ "name": "water", "indicators": ["pass"] }] }
    });
    for (k, v) in extra.as_object().unwrap() {
        p[k] = v.clone();
    }
    Plan::from_json(&p.to_string()).unwrap_or_else(|e| panic!("{e}"))
}

fn data() -> Value {
    json!({
        "pools": [{ "id": "P1" }, { "id": "P2" }, { "id": "P3" }],
        "tests": [{ "id": "t1", "pool": "P1", "pass": true }, { "id": "t2", "pool": "P2", "pass": false }]
    })
}

fn score(p: &Plan, data: &Value) -> Value {
    serde_json::to_value(p.score_json(&data.to_string()).unwrap()).unwrap()
}

#[test]
fn a_record_no_row_matches_is_set_aside_and_the_total_does_not_rise() {
    // with the row for untested pools: one pool of three passes
    let whole = score(&pools(true, json!({})), &data());
    assert_eq!(whole["indicators"]["pass"]["value"]["display"], "33.3");
    assert_eq!(whole["scorecard"]["total"]["display"], "33.3");
    assert!(whole.get("incomplete").is_none());
    // without it, the untested pool is not dropped from the share (which would give one
    // of two, 50): it is set aside with the reason, and the share is incomplete
    let p = pools(false, json!({}));
    let w = p.warnings();
    assert!(
        w.iter().any(|d| d.path == "tables.grade.rows"
            && d.message.contains("no row matches failed = 0, n = 0 and the table has no default: a record no row matches is set aside")),
        "{w:?}"
    );
    let o = score(&p, &data());
    let rejected = &o["accounting"]["pools"]["rejected"];
    assert_eq!(rejected[0]["key"], "P3");
    assert!(
        rejected[0]["reason"]
            .as_str()
            .unwrap()
            .contains("matches no row of the table, which has no default"),
        "{rejected}"
    );
    let pass = &o["indicators"]["pass"];
    assert_eq!(pass["met"], false);
    assert_eq!(pass["points"]["display"], "0.0");
    assert_eq!(
        pass["incomplete"],
        json!({ "rejected": 1, "collections": ["pools"], "on_incomplete": "fail" })
    );
    assert_eq!(o["scorecard"]["total"]["display"], "0.0");
    assert_eq!(o["scorecard"]["provisional"], true);
    assert_eq!(
        o["incomplete"],
        json!({ "rejected": 1, "collections": ["pools"], "indicators": ["pass"], "scorecard": true })
    );
    // the count of tests reads no pools: it is whole
    assert!(o["indicators"]["tested"].get("incomplete").is_none());
}

#[test]
fn an_indicator_that_scores_what_there_is_is_marked_but_scored() {
    let p = pools(false, json!({ "on_incomplete": "score" }));
    let o = score(&p, &data());
    let pass = &o["indicators"]["pass"];
    // one of the two pools graded passes: 50, not met, half the points
    assert_eq!(pass["value"]["display"], "50.0");
    assert_eq!(pass["met"], false);
    assert_eq!(pass["points"]["display"], "50.0");
    assert_eq!(pass["incomplete"]["on_incomplete"], "score");
    assert_eq!(o["scorecard"]["provisional"], true);
    // the indicator's own word wins over the pack's
    let q = pools(
        false,
        json!({ "on_incomplete": "score", "indicators": {
            "pass": { "kind": "share", "population": { "collection": "pools" }, "of": "grade", "in": ["合格"],
                      "target": { "min": 100 }, "scoring": { "proportional": 100 }, "on_incomplete": "fail" },
            "tested": { "kind": "count", "population": { "collection": "tests" } } } }),
    );
    let o = score(&q, &data());
    assert_eq!(o["indicators"]["pass"]["points"]["display"], "0.0");
    assert_eq!(
        o["indicators"]["pass"]["incomplete"]["on_incomplete"],
        "fail"
    );
}

#[test]
fn an_indicator_not_applicable_for_want_of_records_is_not_left_out() {
    // every pool rejected (its key is not a string): the share is 0 ÷ 0, but it is not
    // excluded from the scorecard, which would then have nothing to fall short on
    let p = pools(true, json!({}));
    let o = score(&p, &json!({ "pools": [{ "id": 1 }], "tests": [] }));
    let pass = &o["indicators"]["pass"];
    assert_eq!(pass["applicable"], false);
    assert_eq!(pass["met"], false);
    assert_eq!(pass["points"]["display"], "0.0");
    assert_eq!(o["scorecard"]["total"]["display"], "0.0");
}
