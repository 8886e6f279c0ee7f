//! Scripts: compile errors located by `scorecard check`, a runaway script cannot hang or
//! crash the host, and the plan stays shared by threads.

use scorecard::{PackError, Plan};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn compile_errors_have_file_line_and_column() {
    let dir = root().join("tests/broken-packs/script-compile-error");
    let Err(PackError::Invalid(diags)) = Plan::load(&dir) else {
        panic!("the pack must not load")
    };
    let d = diags
        .iter()
        .find(|d| d.file.ends_with("scripts/broken.rhai"))
        .expect("a diagnostic in the script");
    assert_eq!((d.line, d.col), (6, 18), "{d}");
    assert!(d.message.contains("script does not compile"), "{d}");
    for needle in [
        "must be a path inside the pack folder",
        "cannot read",
        "max_operations must be from 1",
        "'round' is a built-in function",
    ] {
        assert!(
            diags.iter().any(|d| d.message.contains(needle)),
            "{needle} missing in {diags:?}"
        );
    }
    let out = Command::new(env!("CARGO_BIN_EXE_scorecard"))
        .arg("check")
        .arg(&dir)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success());
    assert!(text.contains("scripts/broken.rhai:6:18:"), "{text}");
}

#[test]
fn a_runaway_script_does_not_hold_up_the_host() {
    let plan = Arc::new(Plan::load(root().join("tests/packs/failing-scripts")).unwrap());
    let period = r#""period": {"from": "2025-01-01", "to": "2025-12-31"}"#;
    let looping = format!(r#"{{{period}, "cases": [{{"id": "A", "mode": "loop", "n": 1}}]}}"#);
    let good = format!(r#"{{{period}, "cases": [{{"id": "A", "mode": "ok", "n": 2}}]}}"#);
    // one thread runs the endless loop while others score normally with the same plan;
    // the operations limit ends it (without one this test would never finish)
    let p = plan.clone();
    let runaway = std::thread::spawn(move || p.score_json(&looping));
    let others: Vec<_> = (0..3)
        .map(|_| {
            let (p, g) = (plan.clone(), good.clone());
            std::thread::spawn(move || p.score_json(&g))
        })
        .collect();
    let err = runaway.join().expect("no panic").unwrap_err().to_string();
    assert!(
        err.contains("more than scripts.limits.max_operations = 20000 operations")
            && err.contains("function spin"),
        "{err}"
    );
    for o in others {
        let outcome = o.join().expect("no panic").unwrap();
        assert_eq!(
            outcome.records["cases"].get("A", "result"),
            Some(scorecard::Measured::Number(scorecard::Number::from_int(4)))
        );
    }
    // and the host carries on with the same plan
    assert!(plan.score_json(&good).is_ok());
}
