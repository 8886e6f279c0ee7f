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

/// A pack of units whose measure `v` is `f(n)`, the script function `f` in `script`, run
/// under `limits` (JSON).
fn script_pack(name: &str, script: &str, limits: &str) -> Plan {
    let dir = std::env::temp_dir().join(format!("scorecard-{name}-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("scripts")).unwrap();
    std::fs::write(dir.join("scripts/f.rhai"), script).unwrap();
    let pack = r#"{ "name": "NAME", "version": "1",
             "scripts": { "files": ["scripts/f.rhai"], "limits": LIMITS,
                          "functions": { "f": { "params": ["number"], "returns": "number" } } },
             "collections": { "units": { "fields": { "id": "string", "n": "number" } } },
             "measures": { "units": { "v": { "expr": "f(n)" } } },
             "indicators": { "n": { "kind": "count", "population": { "collection": "units" } } } }"#;
    let pack = pack.replace("NAME", name).replace("LIMITS", limits);
    std::fs::write(dir.join("pack.json"), pack).unwrap();
    Plan::load(&dir).unwrap()
}

/// A pack whose every record runs a script to the operations cap (most of a second a
/// record): a long run, bounded call by call.
fn slow_pack() -> Plan {
    let limits = r#"{ "max_operations": 10000000 }"#;
    script_pack("slow", "fn f(n) { let x = n; loop { x += 1; } }", limits)
}

#[test]
fn a_neighbour_does_not_wait_for_a_runaway_run() {
    // two callers share a pool of one thread (a C host's, say): one sets aside, one by one,
    // records whose script each runs to its operations cap, a run of seconds; the other
    // scores the sample county, a millisecond's work, and is done long before it (a pack
    // with scripts runs on threads of its own call)
    let shared = Arc::new(
        rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap(),
    );
    let slow = Arc::new(slow_pack());
    let units: Vec<String> = (0..4)
        .map(|i| format!(r#"{{"id": "U{i}", "n": {i}}}"#))
        .collect();
    let data = format!(r#"{{"units": [{}]}}"#, units.join(","));
    let started = std::time::Instant::now();
    let pool = shared.clone();
    let runaway = std::thread::spawn(move || {
        let o = pool.install(|| slow.score_json(&data));
        (o, std::time::Instant::now())
    });
    std::thread::sleep(std::time::Duration::from_millis(200));
    let county = Plan::load(root().join("rules/supervision-coverage")).unwrap();
    let sample =
        std::fs::read_to_string(root().join("rules/supervision-coverage/data/sample.json"))
            .unwrap();
    let o = shared.install(|| county.score_json(&sample)).unwrap();
    let neighbour_done = std::time::Instant::now();
    assert_eq!(o.grade(), Some("不达标"));
    let (slow_outcome, slow_done) = runaway.join().unwrap();
    let slow_outcome = slow_outcome.unwrap();
    // every record set aside, each with its limit named
    let rejected = &slow_outcome.accounting["units"].rejected;
    assert_eq!(rejected.len(), 4, "{rejected:?}");
    assert!(
        rejected[0].reason.contains("max_operations = 10000000"),
        "{:?}",
        rejected[0]
    );
    assert!(
        neighbour_done < slow_done,
        "the neighbour ({:?}) waited for the runaway run ({:?})",
        neighbour_done - started,
        slow_done - started
    );
}

#[test]
fn a_script_out_of_time_stops_the_run_at_once() {
    // at the caps, pushing into an array takes minutes; each call stops at its time
    // limit, and the first that does stops the run (not one record after another)
    let plan = script_pack(
        "grow",
        "fn f(n) {\n  let a = [];\n  loop { a.push(n); }\n}",
        r#"{ "max_operations": 10000000, "max_array_size": 1000000, "max_time_ms": 300 }"#,
    );
    let units: Vec<String> = (0..40)
        .map(|i| format!(r#"{{"id": "U{i}", "n": {i}}}"#))
        .collect();
    let started = std::time::Instant::now();
    let err = plan
        .score_json(&format!(r#"{{"units": [{}]}}"#, units.join(",")))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("script scripts/f.rhai, function f: at line 3:")
            && err.contains("ran longer than scripts.limits.max_time_ms = 300 ms"),
        "{err}"
    );
    // bounded, not timed (40 records one after another would take 12 s)
    assert!(
        started.elapsed() < std::time::Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
}
