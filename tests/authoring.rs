//! The tools for pack authors on the command line: `check` with carets and JSON,
//! `test --coverage`, `--junit` and `--accept`, and folders that are not packs.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn run(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_scorecard"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr),
    )
}

#[test]
fn check_shows_the_line_with_a_caret_and_gives_the_c_abis_json() {
    let (ok, text) = run(&["check", "tests/broken-packs/table-rows"]);
    assert!(!ok);
    assert!(
        text.contains("23 |         { \"when\": \"score >= 90 && !outbreak\"")
            && text.contains("   |                   ^ tables.grade.rows[3].when"),
        "{text}"
    );
    let (ok, text) = run(&["check", "--format", "json", "tests/broken-packs/table-rows"]);
    assert!(!ok);
    let j: serde_json::Value = serde_json::from_str(&text).unwrap();
    let d = &j[0]["diagnostics"][0];
    assert_eq!(j[0]["ok"], false);
    assert_eq!(
        (d["line"].as_u64(), d["col"].as_u64()),
        (Some(23), Some(19)),
        "{d}"
    );
    assert_eq!(d["severity"], "error");
    assert_eq!(d["path"], "tables.grade.rows[3].when");
    // a folder that is not a pack says so
    let (ok, text) = run(&["check", "rules/calendars"]);
    assert!(
        !ok && text.contains("rules/calendars: not a pack: there is no pack.json in this folder"),
        "{text}"
    );
    let (ok, text) = run(&["test", "rules/calendars"]);
    assert!(!ok && text.contains("not a pack"), "{text}");
}

#[test]
fn did_you_mean_names_the_closest() {
    let dir = std::env::temp_dir().join(format!("scorecard-dym-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pack = serde_json::json!({ "name": "t", "version": "0",
        "collections": { "u": { "fields": { "id": "string", "score": "number" } } },
        "measures": { "u": { "m": { "expr": "socre + 1" }, "n": { "expr": "roud(score, 1)" } } },
        "indicators": { "c": { "kind": "count", "population": { "collection": "u" }, "targt": { "min": 1 } } } });
    std::fs::write(dir.join("pack.json"), pack.to_string()).unwrap();
    let (ok, text) = run(&["check", dir.to_str().unwrap()]);
    assert!(!ok);
    assert!(
        text.contains("unknown name 'socre'") && text.contains("(did you mean 'score'?)"),
        "{text}"
    );
    assert!(
        text.contains("unknown function 'roud' (did you mean 'round'?)"),
        "{text}"
    );
    assert!(
        text.contains("unknown field `targt` (did you mean 'target'?)"),
        "{text}"
    );
}

#[test]
fn coverage_of_the_shipped_packs_is_full_and_junit_is_written() {
    let junit = std::env::temp_dir().join(format!("scorecard-junit-{}.xml", std::process::id()));
    let (ok, text) = run(&[
        "test",
        "--coverage",
        "--format",
        "json",
        "--junit",
        junit.to_str().unwrap(),
    ]);
    assert!(ok, "{text}");
    let all: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    assert!(all.len() >= 14, "{}", all.len());
    for c in &all {
        for t in c["tables"].as_array().unwrap() {
            if t["followed"] == true {
                for e in t["entries"].as_array().unwrap() {
                    assert!(
                        e["hits"].as_u64().unwrap() > 0,
                        "{} {} {} never fired",
                        c["pack"],
                        t["table"],
                        e["what"]
                    );
                }
            }
        }
    }
    let catering = all
        .iter()
        .find(|c| c["pack"] == "catering-grading")
        .unwrap();
    let rating = catering["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["table"] == "dynamic_rating")
        .unwrap();
    assert_eq!(rating["entries"].as_array().unwrap().len(), 9);
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.starts_with("<?xml")
            && xml.contains("<testsuite name=")
            && xml.contains("failures=\"0\""),
        "{xml}"
    );
    assert!(
        xml.contains("<testcase name=\"no-applicable-item.json\""),
        "{xml}"
    );
}

#[test]
fn a_new_fixture_shows_its_outcome_and_accept_writes_it() {
    let dir = std::env::temp_dir().join(format!("scorecard-accept-{}", std::process::id()));
    let tests = dir.join("tests");
    std::fs::create_dir_all(&tests).unwrap();
    std::fs::copy(
        root().join("rules/place-grading/pack.json"),
        dir.join("pack.json"),
    )
    .unwrap();
    let fx = tests.join("new.json");
    std::fs::write(
        &fx,
        r#"{ "description": "new", "input": { "places": [ { "id": "P1", "key_failed": false, "outbreak": false, "score": 91 } ] } }"#,
    )
    .unwrap();
    let (ok, text) = run(&["test", dir.to_str().unwrap()]);
    assert!(
        !ok && text.contains("no expect yet") && text.contains("\"grade\": \"A\""),
        "{text}"
    );
    let (ok, text) = run(&["test", "--accept", fx.to_str().unwrap()]);
    assert!(ok && text.contains("expect written"), "{text}");
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&fx).unwrap()).unwrap();
    assert_eq!(written["expect"]["records"]["places"]["P1"]["grade"], "A");
    assert!(written["expect"].get("pack").is_none());
    let (ok, text) = run(&["test", dir.to_str().unwrap()]);
    assert!(ok, "{text}");
}

/// "If the A band starts at 9.2, how many restaurants drop to B, per township?"
#[test]
fn diff_between_two_versions_of_a_pack() {
    let dir = std::env::temp_dir().join(format!("scorecard-diff-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let text = std::fs::read_to_string(root().join("rules/catering-grading/pack.json")).unwrap();
    let moved = text
        .replacen(
            "{ \"min\": 9.0, \"then\": { \"grade\": \"A\" } }",
            "{ \"min\": 9.2, \"then\": { \"grade\": \"A\" } }",
            1,
        )
        .replacen(
            "\"min\": 7.5, \"below\": 9.0,",
            "\"min\": 7.5, \"below\": 9.2,",
            1,
        );
    assert_ne!(moved, text);
    std::fs::write(dir.join("pack.json"), moved).unwrap();
    let data = dir.join("data.json");
    let (ok, text) = run(&[
        "generate",
        "--shape",
        "catering",
        "--inspections",
        "3000",
        "-o",
        data.to_str().unwrap(),
    ]);
    assert!(ok, "{text}");
    let (ok, text) = run(&[
        "diff",
        "--pack",
        "rules/catering-grading",
        "--pack",
        dir.to_str().unwrap(),
        "--input",
        data.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(ok, "{text}");
    let d: serde_json::Value = serde_json::from_str(&text).unwrap();
    let grades = d["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["measure"] == "annual_grade")
        .unwrap();
    let t = &grades["transitions"].as_array().unwrap();
    assert_eq!(t.len(), 1, "only A → B: {t:?}");
    assert_eq!(
        (t[0]["from"].as_str(), t[0]["to"].as_str()),
        (Some("A"), Some("B"))
    );
    let moved = t[0]["count"].as_u64().unwrap();
    assert!(moved > 0);
    let per: u64 = t[0]["by_jurisdiction"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(per, moved, "every unit that moved has a township");
    // the overall count of A falls by exactly the units that moved
    let a = d["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["indicator"] == "a_count" && i["jurisdiction"].is_null())
        .unwrap();
    let [before, after] = [&a["changes"]["value"][0], &a["changes"]["value"][1]]
        .map(|v| v.as_str().unwrap().parse::<u64>().unwrap());
    assert_eq!(before - after, moved);
    // the same pack twice: nothing differs
    let (ok, text) = run(&[
        "diff",
        "--pack",
        "rules/catering-grading",
        "--pack",
        "rules/catering-grading",
        "--input",
        data.to_str().unwrap(),
    ]);
    assert!(ok && text.trim() == "no differences", "{text}");
}

/// A pack given without an input scores its own sample data, or says an input is needed;
/// never another pack's data.
#[test]
fn a_pack_without_an_input_scores_its_own_sample() {
    // (the sample has inspections its validity rules reject: accepted here)
    let (ok, text) = run(&[
        "score",
        "--pack",
        "rules/catering-grading",
        "--format",
        "json",
        "--allow-rejected",
    ]);
    assert!(ok, "{text}");
    assert!(
        text.contains("\"name\": \"catering-grading\""),
        "{}",
        &text[..200.min(text.len())]
    );
    let (ok, text) = run(&["score", "--pack", "tests/broken-packs/script-compile-error"]);
    assert!(!ok, "{text}");
    let dir = std::env::temp_dir().join(format!("scorecard-nodata-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("pack.json"),
        r#"{"name": "t", "version": "0", "collections": {"u": {"fields": {"id": "string"}}}}"#,
    )
    .unwrap();
    let (ok, text) = run(&["score", "--pack", dir.to_str().unwrap()]);
    assert!(
        !ok && text.contains("has no sample data")
            && text.contains("give the dataset with --input"),
        "{text}"
    );
}
