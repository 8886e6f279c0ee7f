//! `scorecard check` on a deliberately broken copy of the shipped pack: every problem is
//! reported at once, each with file, line:col and JSON path.

use std::path::{Path, PathBuf};
use std::process::Command;

fn broken_copy(name: &str, edits: &[(&str, &str)]) -> (PathBuf, String) {
    let src = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/supervision-coverage/pack.json"),
    )
    .unwrap();
    let mut text = src.clone();
    for (from, to) in edits {
        assert!(text.contains(from), "edit target not found: {from}");
        text = text.replacen(from, to, 1);
    }
    let dir = std::env::temp_dir().join(format!("scorecard-check-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("pack.json"), &text).unwrap();
    (dir, text)
}

/// 1-based line of the first occurrence of `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} not in text"));
    text[..at].matches('\n').count() + 1
}

#[test]
fn every_problem_is_reported_with_its_location() {
    let edits = [
        (
            "\"numerator\": \"routine_inspections >= 1\"",
            "\"numerator\": \"routine_inspection >= 1\"",
        ),
        (
            "\"numerator\": \"archived\"",
            "\"numerator\": \"archived + 1\"",
        ),
        (
            "{ \"min\": 60, \"below\": 90,",
            "{ \"min\": 60, \"below\": 80,",
        ),
        (
            "\"indicators\": [\"closure_rate\"]",
            "\"indicators\": [\"closure_ratio\"]",
        ),
        (
            "\"criterion\": \"C12\",",
            "\"criterion\": \"C12\", \"colour\": \"red\",",
        ),
        (
            "\"aggregate\": \"count\", \"over\": \"inspections\", \"via\": \"unit\"",
            "\"aggregate\": \"count\", \"over\": \"inspection\", \"via\": \"unit\"",
        ),
    ];
    let (dir, text) = broken_copy("all", &edits);
    let out = Command::new(env!("CARGO_BIN_EXE_scorecard"))
        .arg("check")
        .arg(&dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        !out.status.success(),
        "check must fail on a broken pack:\n{stdout}"
    );
    let file = dir.join("pack.json").display().to_string();
    let expect = [
        (
            line_of(&text, "routine_inspection >= 1"),
            "indicators.coverage.numerator",
            "unknown name 'routine_inspection'",
        ),
        (
            line_of(&text, "archived + 1"),
            "indicators.archive_rate.numerator",
            "'+' needs number, found bool",
        ),
        (
            line_of(&text, "{ \"min\": 90, \"then\""),
            "tables.overall_grade.bands[0]",
            "gap between bands: nothing covers 80 up to 90",
        ),
        (
            line_of(&text, "[\"closure_ratio\"]"),
            "scorecard.sections[3].indicators[0]",
            "no indicator 'closure_ratio'",
        ),
        (
            line_of(&text, "\"colour\""),
            "indicators.declaration_rate.colour",
            "unknown field `colour`",
        ),
        (
            line_of(&text, "\"over\": \"inspection\""),
            "measures.units.inspections.over",
            "no collection 'inspection'",
        ),
    ];
    for (line, path, msg) in expect {
        let hit = stdout.lines().find(|l| l.contains(path) && l.contains(msg));
        let hit = hit.unwrap_or_else(|| panic!("no diagnostic for {path} ({msg}) in:\n{stdout}"));
        assert!(
            hit.starts_with(&format!("{file}:{line}:")),
            "wrong location for {path}: {hit} (expected line {line})"
        );
    }
    assert!(stdout.contains("problem(s)"), "{stdout}");
}

#[test]
fn expression_errors_point_into_the_expression() {
    let (dir, text) = broken_copy(
        "col",
        &[(
            "\"numerator\": \"routine_inspections >= 1\"",
            "\"numerator\": \"routine_inspections >= \"",
        )],
    );
    let err = scorecard::Plan::load(&dir).unwrap_err();
    let scorecard::PackError::Invalid(diags) = err else {
        panic!("{err}")
    };
    assert_eq!(diags.len(), 1, "{diags:?}");
    let d = &diags[0];
    let line = line_of(&text, "routine_inspections >= \"");
    let line_text = text.lines().nth(line - 1).unwrap();
    // the error is at the end of the expression, just before its closing quote
    let quote =
        line_text.find("routine_inspections >= \"").unwrap() + "routine_inspections >= ".len();
    assert_eq!(
        (d.line, d.col),
        (line, line_text[..quote].chars().count() + 1),
        "{d}"
    );
}

#[test]
fn a_valid_pack_checks_clean_and_invalid_json_says_where() {
    let ok = Command::new(env!("CARGO_BIN_EXE_scorecard"))
        .args([
            "check",
            concat!(env!("CARGO_MANIFEST_DIR"), "/rules/supervision-coverage"),
        ])
        .output()
        .unwrap();
    assert!(ok.status.success());
    let (dir, _) = broken_copy(
        "json",
        &[("\"version\": \"1.0.0\",", "\"version\": \"1.0.0\",,")],
    );
    let err = scorecard::Plan::load(&dir).unwrap_err().to_string();
    assert!(
        err.contains("pack.json:3:") && err.contains("not valid JSON"),
        "{err}"
    );
}

#[test]
fn duplicate_keys_in_a_pack_are_errors() {
    let (dir, text) = broken_copy("dup", &[("\"coverage\": {", "\"frequency\": {")]);
    let err = scorecard::Plan::load(&dir).unwrap_err().to_string();
    let line = line_of(&text, "\"frequency\": {\n      \"title\": \"监督频次");
    assert!(
        err.contains(&format!(":{line}:")) && err.contains("appears a second time"),
        "{err}"
    );
}

/// Decision tables checked as DMN tools check them: a unique table's overlapping rows
/// and a first-hit row that can never fire are errors at their rows' conditions.
#[test]
fn table_rows_are_checked_like_dmn() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/broken-packs/table-rows");
    let out = Command::new(env!("CARGO_BIN_EXE_scorecard"))
        .arg("check")
        .arg(&dir)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let pack = std::fs::read_to_string(dir.join("pack.json")).unwrap();
    let never = line_of(&pack, "score >= 90 && !outbreak");
    let overlap = line_of(&pack, "staff >= 10 && staff < 50");
    assert!(
        text.contains(&format!(
            "pack.json:{never}:19: tables.grade.rows[3].when: rows[3] can never fire (hit policy first): every input it matches is matched first by rows[0], rows[2]"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "pack.json:{overlap}:19: tables.size.rows[1].when: hit policy unique, but rows[0] and rows[1] both match staff = 10"
        )),
        "{text}"
    );
    assert!(text.contains("2 problem(s)"), "{text}");
}

/// A pack outside `rules/` names the shipped calendars (built into the binary); a name
/// that is neither beside it nor shipped says which file is missing, and nothing more.
#[test]
fn shipped_calendars_resolve_wherever_the_pack_is() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/reporting-deadlines/pack.json");
    let text = std::fs::read_to_string(src).unwrap();
    let dir = std::env::temp_dir()
        .join(format!("scorecard-cal-{}", std::process::id()))
        .join("p");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("pack.json"), &text).unwrap();
    let plan = scorecard::Plan::load(&dir).unwrap_or_else(|e| panic!("{e}"));
    let shipped = scorecard::Plan::load(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/reporting-deadlines"),
    )
    .unwrap();
    assert_eq!(
        plan.digest(),
        shipped.digest(),
        "the same calendars, the same digest"
    );
    std::fs::write(
        dir.join("pack.json"),
        text.replacen("\"cn-2026\"]", "\"cn-2026\", \"cn-2027\"]", 1),
    )
    .unwrap();
    let err = scorecard::Plan::load(&dir).unwrap_err().to_string();
    assert!(
        err.contains("calendars[3]: no calendar 'cn-2027'")
            && err.contains("cn-2027.json does not exist, and the shipped calendars are cn-2024, cn-2025, cn-2026"),
        "{err}"
    );
    assert!(err.contains("1 problem"), "{err}");
}
