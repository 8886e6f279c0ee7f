//! Imports: another pack's rules merged in, with this pack's own definitions winning and
//! every conflict, unknown name and forbidden override reported.

use scorecard::Plan;
use serde_json::json;
use std::path::PathBuf;

fn packs(files: &[(&str, serde_json::Value)]) -> PathBuf {
    // one folder per set of packs: tests run at once
    let mut h = std::collections::hash_map::DefaultHasher::new();
    std::hash::Hash::hash(&serde_json::to_string(&files.to_vec()).unwrap(), &mut h);
    let root = std::env::temp_dir().join(format!(
        "scorecard-imports-{}-{:x}",
        std::process::id(),
        std::hash::Hasher::finish(&h)
    ));
    for (name, pack) in files {
        std::fs::create_dir_all(root.join(name)).unwrap();
        std::fs::write(root.join(name).join("pack.json"), pack.to_string()).unwrap();
    }
    root
}

fn base(unit_kind: &str) -> serde_json::Value {
    json!({ "name": "base", "version": "1", "period": { "from": "2025-01-01", "to": "2025-12-31" },
        "collections": { "units": { "fields": { "id": "string", "kind": { "type": "enum", "values": [unit_kind, "b"] } } } },
        "measures": { "units": { "is_a": { "expr": format!("kind == \"{unit_kind}\"") } } },
        "indicators": { "a_rate": { "kind": "rate", "population": { "collection": "units" }, "numerator": "is_a", "target": { "min": 50 } } } })
}

#[test]
fn imports_merge_and_override() {
    let root = packs(&[
        ("base", base("a")),
        (
            "top",
            json!({ "name": "top", "version": "1",
            "imports": [{ "pack": "base", "indicators": { "a_rate": { "scoring": { "all_or_nothing": 10 } } } }],
            "scorecard": { "sections": [{ "name": "s", "indicators": ["a_rate"] }] } }),
        ),
    ]);
    let plan = Plan::load(root.join("top")).unwrap_or_else(|e| panic!("{e}"));
    let o = plan.score_json(r#"{"period": {"from": "2025-01-01", "to": "2025-12-31"}, "units": [{"id": "U1", "kind": "a"}, {"id": "U2", "kind": "b"}]}"#).unwrap();
    assert_eq!(
        o.indicators["a_rate"].points.as_ref().unwrap().exact,
        "10",
        "the override gives the points"
    );
    assert_eq!(o.scorecard.unwrap().total.unwrap().exact, "10");
}

#[test]
fn import_problems_are_reported() {
    let root = packs(&[
        ("base", base("a")),
        ("other", base("x")),
        (
            "top",
            json!({ "name": "top", "version": "1",
            "imports": [
                { "pack": "base", "indicators": { "nope": {}, "a_rate": { "population": {} } } },
                { "pack": "other", "indicators": {} },
                { "pack": "missing", "indicators": {} },
                { "pack": "../x", "indicators": {} }
            ],
            "collections": { "places": { "fields": { "id": "string" } } } }),
        ),
    ]);
    let err = Plan::load(root.join("top")).unwrap_err().to_string();
    for needle in [
        "base has no indicator 'nope'",
        "an import may override scoring, target, not_applicable, title or rounding, not 'population'",
        "collections.units comes from base and from other with different definitions",
        "cannot read",
        "'../x' is not a pack name",
    ] {
        assert!(err.contains(needle), "{needle} missing in:\n{err}");
    }
}

#[test]
fn a_problem_in_an_imported_entry_is_located_in_its_own_file() {
    let top = json!({ "name": "top", "version": "1",
        "imports": [{ "pack": "base", "indicators": { "a_rate": { "title": "A" } } }] });
    let mut broken = base("a");
    broken["indicators"]["a_rate"]["numerator"] = json!("is_b");
    let root = packs(&[("base", broken), ("top", top)]);
    let err = Plan::load(root.join("top")).unwrap_err().to_string();
    let base_file = root.join("top/../base/pack.json").display().to_string();
    assert!(
        err.lines()
            .any(|l| l.starts_with(&format!("{base_file}:1:")) && l.contains("unknown name 'is_b'")),
        "the imported indicator's own expression, in the imported pack's file:\n{err}"
    );

    // an override is located where it is written: in the importing pack's imports list
    let top = json!({ "name": "top", "version": "1",
        "imports": [{ "pack": "base", "indicators": { "a_rate": { "target": { "min": 101 } } } }] });
    let root = packs(&[("base", base("a")), ("top", top)]);
    let err = Plan::load(root.join("top")).unwrap_err().to_string();
    let top_file = root.join("top/pack.json").display().to_string();
    assert!(
        err.lines()
            .any(|l| l.starts_with(&format!("{top_file}:1:")) && l.contains("can never be met")),
        "{err}"
    );
}
