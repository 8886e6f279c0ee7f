//! The JSON Schemas in `schema/` are what the types give (regenerate them with
//! `SCORECARD_UPDATE_SCHEMA=1 cargo test --test schema`), and every shipped pack, fixture
//! and sample outcome validates against them, while a pack with a slip does not.

use serde_json::Value;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn docs() -> [(&'static str, Value); 4] {
    [
        ("pack", scorecard::schema::pack()),
        ("fixture", scorecard::schema::fixture()),
        ("outcome", scorecard::schema::outcome()),
        ("partial", scorecard::schema::partial()),
    ]
}

#[test]
fn committed_schemas_are_current() {
    for (name, fresh) in docs() {
        let path = root().join(format!("schema/{name}.schema.json"));
        let text = serde_json::to_string_pretty(&fresh).unwrap() + "\n";
        if std::env::var_os("SCORECARD_UPDATE_SCHEMA").is_some() {
            std::fs::create_dir_all(root().join("schema")).unwrap();
            std::fs::write(&path, &text).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == text,
            "{} differs from what the types give; run SCORECARD_UPDATE_SCHEMA=1 cargo test --test schema and commit it",
            path.display()
        );
    }
}

fn validator(name: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join(format!("schema/{name}.schema.json"))).unwrap();
    jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap()
}

fn problems(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .take(3)
        .collect()
}

#[test]
fn shipped_packs_fixtures_and_outcomes_validate() {
    let (packs, fixtures, outcomes, partials) = (
        validator("pack"),
        validator("fixture"),
        validator("outcome"),
        validator("partial"),
    );
    let mut checked = [0, 0, 0];
    for dir in scorecard::fixtures::packs(&root().join("rules")) {
        let pack: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("pack.json")).unwrap()).unwrap();
        let p = problems(&packs, &pack);
        assert!(p.is_empty(), "{}: {p:?}", dir.display());
        checked[0] += 1;
        for f in scorecard::fixtures::discover(&dir) {
            let fx: Value = serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
            let p = problems(&fixtures, &fx);
            assert!(p.is_empty(), "{}: {p:?}", f.display());
            checked[1] += 1;
        }
        let plan = scorecard::Plan::load(&dir).unwrap();
        if let Ok(data) = std::fs::read_to_string(dir.join("data/sample.json")) {
            let outcome: Value =
                serde_json::from_str(&plan.score_json(&data).unwrap().to_json()).unwrap();
            let p = problems(&outcomes, &outcome);
            assert!(p.is_empty(), "{} outcome: {p:?}", dir.display());
            checked[2] += 1;
            let ds = plan.read(&data).unwrap();
            let partial: Value =
                serde_json::from_str(&plan.score_partial(&ds).unwrap().to_json()).unwrap();
            let p = problems(&partials, &partial);
            assert!(p.is_empty(), "{} partial: {p:?}", dir.display());
        }
    }
    assert!(
        checked[0] >= 14 && checked[1] >= 60 && checked[2] >= 14,
        "{checked:?}"
    );
    // a slip an editor should catch: a misspelt member, an unknown type, an unknown kind
    let good: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("rules/supervision-coverage/pack.json")).unwrap(),
    )
    .unwrap();
    let mut bad = good.clone();
    let target = bad["indicators"]["coverage"]["target"].take();
    bad["indicators"]["coverage"]["targt"] = target;
    bad["indicators"]["coverage"]
        .as_object_mut()
        .unwrap()
        .remove("target");
    assert!(!packs.is_valid(&bad));
    let mut bad = good.clone();
    bad["collections"]["units"]["fields"]["id"] = "strng".into();
    assert!(!packs.is_valid(&bad));
    let mut bad = good.clone();
    bad["indicators"]["coverage"]["kind"] = "rat".into();
    assert!(!packs.is_valid(&bad));
    let mut bad = good;
    bad["measures"]["units"]["x"] = serde_json::json!({ "expr": "1", "windw": "all" });
    assert!(!packs.is_valid(&bad));
}
