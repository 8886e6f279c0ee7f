//! `scorecard explain` shows why a unit has its grade: the inspections its annual mean
//! counted and left out (with the window), their scores, and the table rows and bands
//! that fired with the pack's notes.

use scorecard::Plan;
use std::path::Path;
use std::process::Command;

fn fixture_input(pack: &str, fixture: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("rules")
        .join(pack);
    let fx: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("tests").join(fixture)).unwrap())
            .unwrap();
    fx["input"].to_string()
}

#[test]
fn explains_an_annual_grade_down_to_the_inspections() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let plan = Plan::load(root.join("rules/catering-grading")).unwrap();
    let ds = plan
        .read(&fixture_input(
            "catering-grading",
            "annual-grade-half-up.json",
        ))
        .unwrap();
    let all = plan.explain(&ds, "units", "U1", 1).unwrap();
    let unit = &all[0];
    assert_eq!(
        (unit.collection.as_str(), unit.key.as_str()),
        ("units", "U1")
    );
    let m = |name: &str| {
        unit.measures
            .iter()
            .find(|m| m.name == name)
            .unwrap()
            .clone()
    };
    let mean = m("annual_mean");
    assert_eq!(mean.value, "8.95");
    assert!(
        mean.how.contains("the 12 months up to 2025-12-31"),
        "{}",
        mean.how
    );
    let related = mean.related.unwrap();
    let counted: Vec<&str> = related
        .iter()
        .filter(|r| r.counted)
        .map(|r| r.key.as_str())
        .collect();
    assert_eq!(counted, ["I1", "I2"]);
    let out = related.iter().find(|r| r.key == "I3").unwrap();
    assert_eq!(
        out.reason.as_deref(),
        Some("outside the 12 months up to 2025-12-31")
    );
    let grade = m("annual_grade");
    assert_eq!(grade.value, "A");
    let fired = grade.fired.unwrap();
    assert_eq!(fired.len(), 1);
    assert_eq!(fired[0].rule, "9 ≤ annual_score");
    // the A band is the first in the file (bands are searched sorted, named as written)
    assert_eq!(fired[0].at, "bands[0]");
    // depth 1: the inspections it counted, each with the rating row that fired and its note
    let i2 = all
        .iter()
        .find(|e| e.key == "I2")
        .expect("the inspections are explained too");
    let rating = i2.measures.iter().find(|m| m.name == "rating").unwrap();
    assert_eq!(rating.value, "良好");
    let row = &rating.fired.as_ref().unwrap()[0];
    assert_eq!(
        (row.at.as_str(), row.rule.as_str(), row.note.as_deref()),
        ("rows[7]", "score < 9.0", Some("7.5 – 8.9"))
    );
    assert!(
        !all.iter().any(|e| e.key == "I3"),
        "records left out are not explained"
    );
}

#[test]
fn the_cli_prints_the_explanation() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let input = std::env::temp_dir().join(format!("scorecard-explain-{}.json", std::process::id()));
    std::fs::write(
        &input,
        fixture_input("catering-grading", "licence-three-months.json"),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_scorecard"))
        .args(["explain", "--pack"])
        .arg(root.join("rules/catering-grading"))
        .arg("--input")
        .arg(&input)
        .args(["inspections", "I1"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("rating = 不予评级"), "{text}");
    assert!(
        text.contains(
            "fired rows[0]: date <= add_months(unit.licensed, 3)  (新办许可证 3 个月内不予动态评级"
        ),
        "{text}"
    );
}

/// `explain` above the record: an indicator in a jurisdiction, step by step, and a
/// scorecard section by section, agreeing with the outcome.
#[test]
fn explains_an_indicator_and_a_scorecard() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let plan = Plan::load(root.join("rules/supervision-coverage")).unwrap();
    let data =
        std::fs::read_to_string(root.join("rules/supervision-coverage/data/sample.json")).unwrap();
    let o = plan.score_json(&data).unwrap();
    let t01 = &o.groups["T01"].indicators["coverage"];
    let s = plan.explain_indicator(&o, "coverage", Some("T01")).unwrap();
    assert_eq!(s.what, "indicator coverage in T01 (灵溪镇)");
    let step = |name: &str| {
        s.steps
            .iter()
            .find(|x| x.step == name)
            .unwrap()
            .detail
            .clone()
    };
    assert_eq!(
        step("counted"),
        format!(
            "numerator {}, denominator {}",
            t01.numerator.as_ref().unwrap(),
            t01.denominator.as_ref().unwrap()
        )
    );
    let v = t01.value.as_ref().unwrap();
    assert!(
        step("value").starts_with(&format!(
            "{} exactly, shown {} (rounded to 1 digit(s), half_up)",
            v.exact, v.display
        )),
        "{}",
        step("value")
    );
    assert!(
        step("target").ends_with(if t01.met == Some(true) {
            ": met"
        } else {
            ": not met"
        }),
        "{}",
        step("target")
    );
    assert!(step("evidence").contains(&t01.evidence.ids.join(", ")));
    let c = plan.explain_scorecard(&o, None).unwrap();
    let total = o.scorecard.as_ref().unwrap().total.as_ref().unwrap();
    assert!(
        c.steps
            .iter()
            .any(|x| x.step == "total" && x.detail.contains(&total.exact)),
        "{c:?}"
    );
    assert_eq!(
        c.steps
            .iter()
            .filter(|x| x.step.starts_with("section "))
            .count(),
        4
    );
    assert!(
        c.to_text()
            .contains("grade: 不达标 (table overall_grade, bands[2]: total < 60)"),
        "{}",
        c.to_text()
    );
    let err = plan.explain_indicator(&o, "covrage", None).unwrap_err();
    assert!(err.contains("did you mean 'coverage'?"), "{err}");
    let err = plan.explain_scorecard(&o, Some("T99")).unwrap_err();
    assert!(err.starts_with("no jurisdiction 'T99'"), "{err}");
}
