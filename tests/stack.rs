//! Stack safety: loading, checking and scoring the deepest packs that `check` accepts works
//! on a caller's thread of 1 MB (a JVM thread's default) and on workers with small stacks;
//! what is deeper is refused when the pack loads, with the limit named.

use scorecard::Plan;
use serde_json::json;

/// Runs `f` on a new thread with a stack of `bytes`, and returns what it gives.
fn on_stack<T: Send + 'static>(bytes: usize, f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(bytes)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("the thread did not panic")
}

const MB: usize = 1 << 20;

/// A pack with one collection, a measure `m` of `expr`, and a sum indicator over it; the
/// scripts, when given, are written beside it.
fn pack(expr: &str, scripts: Option<(&str, serde_json::Value)>) -> (tempdir::Dir, String) {
    let dir = tempdir::Dir::new();
    let mut p = json!({
        "name": "deep", "version": "1",
        "period": { "from": "2025-01-01", "to": "2025-12-31" },
        "collections": { "units": { "fields": { "id": "string", "x": "number" } } },
        "measures": { "units": { "m": { "expr": expr } } },
        "indicators": { "total": { "kind": "sum", "population": { "collection": "units" }, "value": "m" } }
    });
    if let Some((text, functions)) = scripts {
        std::fs::create_dir_all(dir.path().join("scripts")).unwrap();
        std::fs::write(dir.path().join("scripts/s.rhai"), text).unwrap();
        p["scripts"] = json!({ "files": ["scripts/s.rhai"], "functions": functions,
                               "limits": { "max_call_levels": 128, "max_expr_depth": 256, "max_operations": 10000000 } });
    }
    std::fs::write(dir.path().join("pack.json"), p.to_string()).unwrap();
    let path = dir.path().display().to_string();
    (dir, path)
}

const DATA: &str = r#"{"units": [{"id": "a", "x": 1}, {"id": "b", "x": 2}]}"#;

/// Loads and scores on a 1 MB thread, with worker threads of 512 KB: the total, or the
/// error, or (when the records were set aside) the reason the first was.
fn load_and_score(dir: String) -> Result<String, String> {
    on_stack(MB, move || {
        let plan = Plan::load(&dir).map_err(|e| e.to_string())?;
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .stack_size(512 << 10)
            .build()
            .unwrap();
        let out = pool
            .install(|| plan.score_json(DATA))
            .map_err(|e| e.to_string())?;
        let rejected = &serde_json::to_value(&out).unwrap()["accounting"]["units"]["rejected"];
        match (&out.indicators["total"].value, rejected.get(0)) {
            (_, Some(r)) => Err(r["reason"].to_string()),
            (Some(v), None) => Ok(v.exact.clone()),
            (None, None) => Err("no total".into()),
        }
    })
}

#[test]
fn the_tallest_expression_allowed_scores_on_a_small_stack() {
    let terms = scorecard::limits::MAX_EXPR_HEIGHT;
    let expr = vec!["x"; terms].join(" + ");
    let (_d, dir) = pack(&expr, None);
    // 256 × (1 + 2) = 768
    assert_eq!(load_and_score(dir).unwrap(), (terms * 3).to_string());
    // parenthesised the other way: a right-deep chain through nesting is capped too
    let nested = format!("{}x{}", "(x + ".repeat(30), ")".repeat(30));
    let (_d, dir) = pack(&nested, None);
    assert_eq!(load_and_score(dir).unwrap(), (31 * 3).to_string());
}

#[test]
fn a_taller_expression_is_refused_when_the_pack_loads() {
    for expr in [
        vec!["x"; 2000].join("+"),
        format!("x{}", ".abs()".repeat(300)),
        vec!["1"; 2000].join("+"),
    ] {
        let (_d, dir) = pack(&expr, None);
        let e = load_and_score(dir).unwrap_err();
        assert!(
            e.contains("levels deep") && e.contains("the limit is 256"),
            "{e}"
        );
        assert!(e.contains("measures.units.m.expr"), "{e}");
    }
}

#[test]
fn cyclic_imports_are_reported_once_with_their_chain() {
    let root = tempdir::Dir::new();
    for (name, imports) in [("a", "b"), ("b", "c"), ("c", "a")] {
        let d = root.path().join(name);
        std::fs::create_dir_all(&d).unwrap();
        let p = json!({
            "name": name, "version": "1",
            "imports": [{ "pack": imports, "indicators": { "n": null } }],
            "collections": { "units": { "fields": { "id": "string" } } },
            "indicators": { "n": { "kind": "count", "population": { "collection": "units" } } }
        });
        std::fs::write(d.join("pack.json"), p.to_string()).unwrap();
    }
    let dir = root.path().join("a").display().to_string();
    let e = on_stack(MB, move || Plan::load(&dir).err().map(|e| e.to_string())).unwrap();
    assert_eq!(e.matches("cycle").count(), 1, "{e}");
    assert!(e.contains("imports form a cycle: a → b → c → a"), "{e}");
    // a pack importing itself
    let d = root.path().join("a");
    let p = json!({ "name": "a", "version": "1", "imports": [{ "pack": "a", "indicators": {} }],
                    "collections": { "units": { "fields": { "id": "string" } } } });
    std::fs::write(d.join("pack.json"), p.to_string()).unwrap();
    let dir = d.display().to_string();
    let e = on_stack(MB, move || Plan::load(&dir).err().map(|e| e.to_string())).unwrap();
    assert!(e.contains("imports form a cycle: a → a"), "{e}");
}

/// A script that recurses `levels` deep, each level nesting `depth` parentheses.
fn recursive_script(depth: usize) -> String {
    format!(
        "fn deep(n) {{ if n <= 0 {{ 0 }} else {{ {}deep(n - 1){} }} }}",
        "(1 + ".repeat(depth),
        ")".repeat(depth)
    )
}

#[test]
fn scripts_recursing_to_their_limits_run_on_a_small_stack() {
    for (levels, depth) in [(31, 80), (127, 10), (120, 120), (60, 120)] {
        let functions = json!({ "deep": { "params": ["number"], "returns": "number" } });
        let (_d, dir) = pack(
            &format!("deep({levels}) + x"),
            Some((&recursive_script(depth), functions)),
        );
        let total = (levels * depth * 2 + 3).to_string();
        assert_eq!(load_and_score(dir).unwrap(), total, "{levels} × {depth}");
    }
}

#[test]
fn scripts_recursing_past_their_limits_are_stopped_with_the_limit_named() {
    let functions = json!({ "deep": { "params": ["number"], "returns": "number" } });
    let (_d, dir) = pack("deep(100000) + x", Some((&recursive_script(2), functions)));
    let e = load_and_score(dir).unwrap_err();
    assert!(e.contains("max_call_levels = 128"), "{e}");
}

/// A temporary folder, removed when dropped.
mod tempdir {
    use std::path::{Path, PathBuf};
    use std::sync::atomic::{AtomicUsize, Ordering};

    pub struct Dir(PathBuf);

    impl Dir {
        pub fn new() -> Dir {
            static N: AtomicUsize = AtomicUsize::new(0);
            let p = std::env::temp_dir().join(format!(
                "scorecard-stack-{}-{}",
                std::process::id(),
                N.fetch_add(1, Ordering::SeqCst)
            ));
            let _ = std::fs::remove_dir_all(&p);
            std::fs::create_dir_all(&p).unwrap();
            Dir(p)
        }

        pub fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

mod generated {
    use super::*;
    use proptest::prelude::*;

    /// An expression of `terms` operands joined by random operators, optionally wrapped in
    /// `nest` parentheses, with unary minus here and there: left-deep chains of any length
    /// and nesting of any depth.
    fn expression() -> impl Strategy<Value = (String, usize, usize)> {
        (
            1usize..2000,
            0usize..90,
            prop::collection::vec((0u8..4, any::<bool>()), 1..8),
        )
            .prop_map(|(terms, nest, ops)| {
                let mut e = String::from("x");
                for i in 1..terms {
                    let (op, neg) = ops[i % ops.len()];
                    e.push_str([" + ", " - ", " * ", " + 0 * "][op as usize]);
                    e.push_str(if neg { "-x" } else { "x" });
                }
                let e = format!("{}{e}{}", "(".repeat(nest), ")".repeat(nest));
                (e, terms, nest)
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// Whatever the length and nesting, a pack is either refused when it loads, with
        /// the limit named, or it scores on a 1 MB thread with small workers: never a
        /// crash, never an accepted pack that cannot run.
        #[test]
        fn long_chains_and_deep_nesting_load_or_are_refused(
            (expr, _terms, _nest) in expression()
        ) {
            let (_d, dir) = pack(&expr, None);
            match load_and_score(dir) {
                Ok(value) => prop_assert!(!value.is_empty()),
                Err(e) => prop_assert!(
                    e.contains("the limit is 256")
                        || e.contains("the limit is 64")
                        || e.contains("longer than 4096 characters"),
                    "refused without naming a limit: {}",
                    e
                ),
            }
        }
    }
}

/// Spreadsheets are read, scored and written on a caller's 1 MB thread: the sample
/// county's workbook and GBK files, its outcome as a workbook and an HTML page.
#[cfg(feature = "spreadsheets")]
#[test]
fn spreadsheets_in_and_out_on_a_1_mb_thread() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf();
    let totals = on_stack(MB, move || {
        let plan = scorecard::Plan::load(root.join("rules/supervision-coverage")).unwrap();
        let data = root.join("rules/supervision-coverage/data");
        let book = std::fs::read(data.join("sample.xlsx")).unwrap();
        let a = plan
            .score(&plan.read_workbook(book, "sample.xlsx").unwrap())
            .unwrap();
        let files: Vec<(String, Vec<u8>)> = std::fs::read_dir(data.join("sample-gbk"))
            .unwrap()
            .map(|f| {
                let f = f.unwrap().path();
                (
                    f.file_name().unwrap().to_string_lossy().into_owned(),
                    std::fs::read(&f).unwrap(),
                )
            })
            .collect();
        let b = plan.score(&plan.read_csv_files(&files).unwrap()).unwrap();
        let tables = scorecard::outcome::sheets::tables(&b, scorecard::Language::Zh);
        assert!(scorecard::sheet_out::workbook(&tables)
            .unwrap()
            .starts_with(b"PK"));
        assert!(scorecard::outcome::html::page(&a, scorecard::Language::Zh).contains("<svg"));
        (
            a.to_json() == b.to_json(),
            a.scorecard.and_then(|s| s.total).map(|t| t.display),
        )
    });
    assert_eq!(totals, (true, Some("45.1".to_string())));
}

#[test]
fn partial_results_on_a_1_mb_thread() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf();
    on_stack(MB, move || {
        let plan = scorecard::Plan::load(root.join("rules/basic-public-health")).unwrap();
        let text = std::fs::read_to_string(root.join("rules/basic-public-health/data/sample.json"))
            .unwrap();
        let ds = plan.read(&text).unwrap();
        let part = plan.score_partial(&ds).unwrap();
        let back = scorecard::partial::Partial::from_json(&part.to_json()).unwrap();
        let mut merged = back.clone();
        assert!(merged.merge(&back).is_err(), "the same records twice");
        assert_eq!(
            plan.finish(&[back]).unwrap().to_json(),
            plan.score(&ds).unwrap().to_json()
        );
        // values nested as deep as JSON allows are read, or refused, without overflow
        let deep = format!("{}{}", "{\"l\":[".repeat(200), "]}".repeat(200));
        let doc = part
            .to_json()
            .replacen("{\"n\":", &format!("{deep},\"x\":{{\"n\":"), 1);
        let _ = scorecard::partial::Partial::from_json(&doc);
    });
}
