//! Pack fixtures: `rules/<pack>/tests/*.json`, each an input and the expected outcome
//! (or the expected error). Run by `scorecard test` and by `cargo test`.
//!
//! A fixture file:
//!
//! ```json
//! {
//!   "description": "coverage exactly at its target",
//!   "input": { "period": {...}, "units": [...] },      // or "input_file": "../data/sample.json"
//!   "expect": { "indicators": { "coverage": { "met": true } } }
//! }
//! ```
//!
//! `expect` is matched as a subset of the outcome: every member it names must be there
//! with that value; arrays must match element by element and have the same length. A
//! JSON number in `expect` matches the outcome's exact text (`79.0` matches `"79.0"`).
//! Instead of `expect`, `expect_error` gives text the error message must contain.

use crate::plan::Plan;
use serde::Deserialize;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// A fixture file.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Fixture {
    /// The JSON Schema editors check the file against (`schema/fixture.schema.json`).
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// What the fixture shows.
    #[serde(default)]
    pub description: Option<String>,
    /// The dataset.
    #[serde(default)]
    pub input: Option<Value>,
    /// A dataset file, relative to the fixture.
    #[serde(default)]
    pub input_file: Option<String>,
    /// The expected outcome (a subset).
    #[serde(default)]
    pub expect: Option<Value>,
    /// Text the error must contain.
    #[serde(default)]
    pub expect_error: Option<String>,
}

/// The fixture files of a pack folder, sorted.
pub fn discover(pack_dir: &Path) -> Vec<PathBuf> {
    let mut out = crate::files::list(&pack_dir.join("tests")).unwrap_or_default();
    out.retain(|p| p.extension().is_some_and(|x| x == "json"));
    out
}

/// The pack folders under `rules/` (those with a `pack.json`), sorted.
pub fn packs(rules_dir: &Path) -> Vec<PathBuf> {
    let mut out = crate::files::list(rules_dir).unwrap_or_default();
    out.retain(|p| crate::files::is_file(&p.join("pack.json")));
    out
}

/// Runs one fixture; `Err` lists what differs, each as `path: expected X, got Y`.
pub fn run(plan: &Plan, path: &Path) -> Result<(), Vec<String>> {
    let (fx, input) = read(path)?;
    check(&fx, plan.score_json(&input))
}

/// Reads a fixture file and its input's text.
pub fn read(path: &Path) -> Result<(Fixture, String), Vec<String>> {
    let text = crate::files::read_to_string(path)
        .map_err(|e| vec![format!("cannot read {}: {e}", path.display())])?;
    let fx: Fixture = serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|e| vec![format!("{}: not a fixture: {e}", path.display())])?;
    let input = match (&fx.input, &fx.input_file) {
        (Some(v), None) => v.to_string(),
        (None, Some(f)) => {
            let p = path.parent().unwrap_or(Path::new(".")).join(f);
            crate::files::read_to_string(&p)
                .map_err(|e| vec![format!("cannot read input_file {}: {e}", p.display())])?
        }
        _ => {
            return Err(vec![
                "a fixture needs exactly one of input or input_file".into()
            ])
        }
    };
    Ok((fx, input))
}

/// Whether a fixture's expectation holds for the result of scoring its input.
pub fn check(
    fx: &Fixture,
    result: Result<crate::outcome::Outcome, crate::ScoreError>,
) -> Result<(), Vec<String>> {
    match (&fx.expect, &fx.expect_error, result) {
        (Some(exp), None, Ok(outcome)) => {
            let actual = serde_json::to_value(&outcome).map_err(|e| vec![e.to_string()])?;
            let mut diffs = Vec::new();
            diff(exp, &actual, "", &mut diffs);
            if diffs.is_empty() {
                Ok(())
            } else {
                Err(diffs)
            }
        }
        (Some(_), None, Err(e)) => Err(vec![format!("expected an outcome, got the error: {e}")]),
        (None, Some(want), Err(e)) => {
            let msg = e.to_string();
            if msg.contains(want.as_str()) {
                Ok(())
            } else {
                Err(vec![format!(
                    "expected an error containing {want:?}, got: {msg}"
                )])
            }
        }
        (None, Some(want), Ok(_)) => Err(vec![format!(
            "expected an error containing {want:?}, but scoring succeeded"
        )]),
        (None, None, Ok(outcome)) => Err(vec![format!(
            "no expect yet: the outcome is below; after review, `scorecard test --accept FILE` writes it as the expectation\n{}",
            outcome.to_json()
        )]),
        _ => Err(vec![
            "a fixture needs exactly one of expect or expect_error".into(),
        ]),
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 200 {
        format!("{}…", s.chars().take(200).collect::<String>())
    } else {
        s
    }
}

/// Compares `expected` as a subset of `actual`, pushing a line per difference.
pub fn diff(expected: &Value, actual: &Value, path: &str, out: &mut Vec<String>) {
    let at = if path.is_empty() { "(root)" } else { path };
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                match a.get(k) {
                    Some(av) => diff(ev, av, &p, out),
                    None => out.push(format!("{p}: expected {}, but it is absent", short(ev))),
                }
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                out.push(format!(
                    "{at}: expected {} elements {}, got {} {}",
                    e.len(),
                    short(expected),
                    a.len(),
                    short(actual)
                ));
                return;
            }
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                diff(ev, av, &format!("{path}[{i}]"), out);
            }
        }
        // a JSON number matches the same number, however it is written ("90" for 90.0);
        // a string matches only the same text (to check a display: "87.50")
        (Value::Number(n), Value::String(s)) if same_number(n.as_str(), s) => {}
        (e, a) if e == a => {}
        (e, a) => out.push(format!("{at}: expected {}, got {}", short(e), short(a))),
    }
}

/// Whether two texts are the same exact number (or the same text).
fn same_number(a: &str, b: &str) -> bool {
    a == b
        || matches!(
            (crate::num::Number::parse(a), crate::num::Number::parse(b)),
            (Ok(x), Ok(y)) if x == y
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn subset_matching() {
        let actual = json!({"a": {"b": "79.0", "c": [1, 2]}, "d": true});
        let mut out = Vec::new();
        diff(
            &serde_json::from_str(r#"{"a": {"b": 79.0}}"#).unwrap(),
            &actual,
            "",
            &mut out,
        );
        assert!(out.is_empty(), "{out:?}");
        diff(
            &json!({"a": {"c": [1]}, "d": false, "e": 1}),
            &actual,
            "",
            &mut out,
        );
        assert_eq!(out.len(), 3, "{out:?}");
        assert!(out[0].starts_with("a.c: expected 1 elements"));
        assert_eq!(out[1], "d: expected false, got true");
        assert_eq!(out[2], "e: expected 1, but it is absent");
        // numbers match as numbers; strings as text
        let shown = json!({"v": "90", "d": "87.50"});
        let mut out = Vec::new();
        diff(
            &serde_json::from_str(r#"{"v": 90.0, "d": 87.5}"#).unwrap(),
            &shown,
            "",
            &mut out,
        );
        assert!(out.is_empty(), "{out:?}");
        diff(&json!({"v": 90.5, "d": "87.5"}), &shown, "", &mut out);
        assert_eq!(out.len(), 2, "{out:?}");
    }
}
