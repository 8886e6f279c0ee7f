//! Partial results merge into the whole run's outcome, byte for byte: generated datasets
//! of every shape and every shipped pack's sample, split into 1–8 shards along the
//! jurisdiction tree (each jurisdiction's records to a random shard, every record with
//! those it refers to), scored shard by shard, merged in a random order and grouping.
//! And what cannot be merged is said: different packs, periods or jurisdictions, a record
//! in two shards, a pack whose jurisdictions' measures count split records.

use proptest::prelude::*;
use scorecard::partial::{split, Partial};
use scorecard::{synth, Plan};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn pack(name: &str) -> Plan {
    Plan::load(root().join("rules").join(name)).unwrap()
}

/// A generated dataset of a shape (small, so that many cases run).
fn generated(shape: synth::Shape, seed: u64, n: usize) -> String {
    let mut out = Vec::new();
    synth::write(
        &synth::Spec::new(shape, seed, n),
        synth::Format::Json,
        &mut out,
    )
    .unwrap();
    String::from_utf8(out).unwrap()
}

/// The jurisdictions' keys of a dataset.
fn jurisdictions(plan: &Plan, doc: &Map<String, Value>) -> Vec<String> {
    split::by_branch(plan, doc, 1).into_keys().collect()
}

/// Splits, scores each shard's partial, merges them as `order` and `tree` say, finishes;
/// returns the merged outcome's JSON.
fn merged(
    plan: &Plan,
    doc: &Map<String, Value>,
    shards: usize,
    shard_of: &dyn Fn(&str) -> usize,
    order: &[usize],
    tree: bool,
) -> String {
    let parts: Vec<Partial> = split::split(plan, doc, shards, shard_of)
        .iter()
        .map(|d| {
            let ds = plan.read(&serde_json::to_string(d).unwrap()).unwrap();
            let p = plan.score_partial(&ds).unwrap();
            // what is written is what is read back
            let back = Partial::from_json(&p.to_json()).unwrap();
            assert_eq!(back, p);
            back
        })
        .collect();
    // a permutation of the shards: by the order's value at each, ties in shard order
    let mut idx: Vec<usize> = (0..parts.len()).collect();
    idx.sort_by_key(|&i| order[i % order.len()]);
    let ordered: Vec<Partial> = idx.iter().map(|&i| parts[i].clone()).collect();
    if tree && ordered.len() > 2 {
        // merged pairwise, then the pairs: a reduce tree as a cluster does it
        let mut level = ordered;
        while level.len() > 1 {
            level = level
                .chunks(2)
                .map(|c| {
                    let mut a = c[0].clone();
                    if let Some(b) = c.get(1) {
                        a.merge(b).unwrap();
                    }
                    a
                })
                .collect();
        }
        plan.finish(&level).unwrap().to_json()
    } else {
        plan.finish(&ordered).unwrap().to_json()
    }
}

fn whole(plan: &Plan, text: &str) -> String {
    plan.score(&plan.read(text).unwrap()).unwrap().to_json()
}

/// Shapes with their packs.
const SHAPES: &[(synth::Shape, &str)] = &[
    (synth::Shape::Coverage, "supervision-coverage"),
    (synth::Shape::Catering, "catering-grading"),
    (synth::Shape::County, "county-assessment"),
    (synth::Shape::Places, "place-grading"),
];

fn plans() -> &'static Vec<Plan> {
    static PLANS: OnceLock<Vec<Plan>> = OnceLock::new();
    PLANS.get_or_init(|| SHAPES.iter().map(|(_, p)| pack(p)).collect())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn shards_of_generated_data_merge_into_the_whole_run(
        which in 0..SHAPES.len(),
        seed in 0u64..1000,
        n in 50usize..1500,
        shards in 1usize..=8,
        assign in proptest::collection::vec(0usize..8, 64),
        order in proptest::collection::vec(0usize..8, 8),
        tree in any::<bool>(),
    ) {
        let (shape, _) = SHAPES[which];
        let plan = &plans()[which];
        let text = generated(shape, seed, n);
        let doc: Map<String, Value> = serde_json::from_str(&text).unwrap();
        let keys = jurisdictions(plan, &doc);
        let shard_of = |k: &str| {
            let i = keys.iter().position(|x| x == k).unwrap_or(0);
            assign[i % assign.len()] % shards
        };
        let expect = whole(plan, &text);
        let got = merged(plan, &doc, shards, &shard_of, &order, tree);
        prop_assert!(got == expect, "{} shards of {:?} (seed {seed}, {n}) differ from the whole run", shards, shape);
    }

    #[test]
    fn shards_of_every_shipped_sample_merge_into_the_whole_run(
        which in 0usize..64,
        shards in 1usize..=8,
        assign in proptest::collection::vec(0usize..8, 64),
        order in proptest::collection::vec(0usize..8, 8),
        tree in any::<bool>(),
    ) {
        let samples = samples();
        let (name, plan, text) = &samples[which % samples.len()];
        let doc: Map<String, Value> = serde_json::from_str(text).unwrap();
        let keys = jurisdictions(plan, &doc);
        let shard_of = |k: &str| {
            let i = keys.iter().position(|x| x == k).unwrap_or(0);
            assign[i % assign.len()] % shards
        };
        let got = merged(plan, &doc, shards, &shard_of, &order, tree);
        prop_assert!(got == whole(plan, text), "{shards} shards of {name}'s sample differ from the whole run");
    }
}

/// Every shipped pack with sample data: its name, plan and sample.
fn samples() -> &'static Vec<(String, Plan, String)> {
    static SAMPLES: OnceLock<Vec<(String, Plan, String)>> = OnceLock::new();
    SAMPLES.get_or_init(|| {
        let mut out = Vec::new();
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(root().join("rules"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        dirs.sort();
        for d in dirs {
            let sample = d.join("data/sample.json");
            if sample.is_file() {
                let name = d.file_name().unwrap().to_string_lossy().to_string();
                out.push((
                    name,
                    Plan::load(&d).unwrap(),
                    std::fs::read_to_string(sample).unwrap(),
                ));
            }
        }
        assert!(out.len() >= 10, "the shipped samples were not found");
        out
    })
}

#[test]
fn every_fixture_input_merges_from_two_shards() {
    // fixtures hold edge cases (rejected records, failing evaluations set aside, periods,
    // excluded indicators): each input scored whole and from two shards
    let mut checked = 0;
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root().join("rules"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    for d in dirs {
        let Ok(plan) = Plan::load(&d) else { continue };
        let Ok(tests) = std::fs::read_dir(d.join("tests")) else {
            continue;
        };
        let mut files: Vec<PathBuf> = tests.map(|e| e.unwrap().path()).collect();
        files.sort();
        for f in files {
            let fixture: Value =
                serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
            let Some(input) = fixture.get("input").and_then(Value::as_object) else {
                continue;
            };
            let text = serde_json::to_string(input).unwrap();
            let Ok(ds) = plan.read(&text) else { continue };
            let Ok(expect) = plan.score(&ds) else {
                continue;
            };
            let keys = jurisdictions(&plan, input);
            let shard_of = |k: &str| keys.iter().position(|x| x == k).unwrap_or(0) % 2;
            let got = merged(&plan, input, 2, &shard_of, &[1, 0], false);
            assert_eq!(
                got,
                expect.to_json(),
                "{}: two shards differ from the whole run",
                f.display()
            );
            checked += 1;
        }
    }
    assert!(checked > 40, "only {checked} fixtures were checked");
}

/// A pack with jurisdictions whose own measure counts their units: a partial of one shard
/// would count only the shard's units, so the pack's partials cannot be merged.
const COUNTING_JURISDICTIONS: &str = r#"{
  "name": "counting", "version": "1",
  "groups": {"collection": "towns", "parent": "parent"},
  "collections": {
    "towns": {"fields": {"id": "string", "parent": {"ref": "towns", "optional": true}}},
    "units": {"jurisdiction": "town", "fields": {"id": "string", "town": {"ref": "towns"}, "ok": "bool"}}
  },
  "measures": {"towns": {"units": {"aggregate": "count", "over": "units", "via": "town"}}},
  "indicators": {
    "ok_rate": {"kind": "rate", "population": {"collection": "units"}, "numerator": "ok",
                "target": {"min": 50}, "target_by_group": "group.units"}
  }
}"#;

#[test]
fn a_pack_whose_jurisdictions_count_split_records_is_refused_with_the_reason() {
    let plan = Plan::from_json(COUNTING_JURISDICTIONS);
    let plan = match plan {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    };
    let why = plan.mergeable().unwrap_err();
    assert!(
        why.contains("towns.units") && why.contains("'units' records"),
        "{why}"
    );
    let ds = plan
        .read(r#"{"towns": [{"id": "T"}], "units": [{"id": "U", "town": "T", "ok": true}]}"#)
        .unwrap();
    let e = plan.score_partial(&ds).unwrap_err().to_string();
    assert!(
        e.contains("cannot be merged exactly") && e.contains("towns.units"),
        "{e}"
    );
    // and a whole run is unaffected
    assert!(plan.score(&ds).is_ok());
}

/// The partial result of a JSON dataset.
fn partial_of(plan: &Plan, doc: &Map<String, Value>) -> Partial {
    plan.score_partial(&plan.read(&serde_json::to_string(doc).unwrap()).unwrap())
        .unwrap()
}

/// A shipped pack's sample split in three by branch, each shard's partial.
fn sample_parts(name: &str) -> (Plan, Vec<Partial>) {
    let plan = pack(name);
    let text =
        std::fs::read_to_string(root().join("rules").join(name).join("data/sample.json")).unwrap();
    let doc: Map<String, Value> = serde_json::from_str(&text).unwrap();
    let at = split::by_branch(&plan, &doc, 3);
    let parts = split::split(&plan, &doc, 3, &|k| at[k])
        .iter()
        .map(|d| partial_of(&plan, d))
        .collect();
    (plan, parts)
}

fn coverage_parts() -> (Plan, Vec<Partial>) {
    sample_parts("supervision-coverage")
}

#[test]
fn partials_that_do_not_belong_together_are_refused() {
    let (plan, parts) = coverage_parts();
    // a shard given twice: its records are in two partials
    let e = plan
        .finish(&[parts[0].clone(), parts[1].clone(), parts[0].clone()])
        .unwrap_err()
        .to_string();
    assert!(e.contains("is in two partial results"), "{e}");
    // another pack's partial
    let other = pack("catering-grading");
    let text =
        std::fs::read_to_string(root().join("rules/catering-grading/data/sample.json")).unwrap();
    let theirs = other.score_partial(&other.read(&text).unwrap()).unwrap();
    let e = plan
        .finish(&[parts[0].clone(), theirs.clone()])
        .unwrap_err()
        .to_string();
    assert!(e.contains("different packs"), "{e}");
    let e = plan.finish(&[theirs]).unwrap_err().to_string();
    assert!(e.contains("not of this one"), "{e}");
    // another period
    let text = std::fs::read_to_string(root().join("rules/supervision-coverage/data/sample.json"))
        .unwrap();
    let mut doc: Map<String, Value> = serde_json::from_str(&text).unwrap();
    doc.insert(
        "period".into(),
        serde_json::json!({"from": "2024-01-01", "to": "2024-12-31"}),
    );
    let at = split::by_branch(&plan, &doc, 3);
    let shard = &split::split(&plan, &doc, 3, &|k| at[k])[1];
    let moved = partial_of(&plan, shard);
    let e = plan
        .finish(&[parts[0].clone(), moved])
        .unwrap_err()
        .to_string();
    assert!(e.contains("different periods"), "{e}");
    // other jurisdictions
    let mut doc: Map<String, Value> = serde_json::from_str(&text).unwrap();
    doc["jurisdictions"].as_array_mut().unwrap().pop();
    let shard = &split::split(&plan, &doc, 3, &|k| at.get(k).copied().unwrap_or(0))[1];
    let fewer = partial_of(&plan, shard);
    let e = plan
        .finish(&[parts[0].clone(), fewer])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("different records of jurisdictions")
            && e.contains("is in one and not the other"),
        "{e}"
    );
    // none at all
    assert!(plan
        .finish(&[])
        .unwrap_err()
        .to_string()
        .contains("no partial results"));
}

#[test]
fn a_partial_is_read_back_or_refused_with_where() {
    let (plan, parts) = coverage_parts();
    let json = parts[0].to_json();
    assert_eq!(Partial::from_json(&json).unwrap(), parts[0]);
    let e = Partial::from_json(&json[..json.len() / 2])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("not a partial result") && e.contains("line 1, column"),
        "{e}"
    );
    let newer = json.replacen("\"partial\":1", "\"partial\":99", 1);
    let e = Partial::from_json(&newer).unwrap_err().to_string();
    assert!(e.contains("format 99"), "{e}");
    let e = Partial::from_json(r#"{"partial": 1, "surprise": true}"#)
        .unwrap_err()
        .to_string();
    assert!(e.contains("unknown field"), "{e}");
    // a tampered number is refused, not misread
    let bad = json.replacen("{\"n\":\"", "{\"n\":\"x", 1);
    if bad != json {
        let p = Partial::from_json(&bad).unwrap();
        let e = plan.finish(&[p]).unwrap_err().to_string();
        assert!(e.contains("number 'x"), "{e}");
    }
}

#[test]
fn a_record_whose_reference_is_in_another_shard_is_rejected_there_not_dropped() {
    let plan = pack("supervision-coverage");
    let text = std::fs::read_to_string(root().join("rules/supervision-coverage/data/sample.json"))
        .unwrap();
    let doc: Map<String, Value> = serde_json::from_str(&text).unwrap();
    // every inspection in shard 1, every unit in shard 2 (not closed under references)
    let mut one = doc.clone();
    let mut two = doc.clone();
    for (name, v) in &doc {
        if name == "inspections" {
            two.insert(name.clone(), Value::Array(Vec::new()));
        } else if v.is_array() && name != "jurisdictions" {
            one.insert(name.clone(), Value::Array(Vec::new()));
        }
    }
    let outcome = plan
        .finish(&[partial_of(&plan, &one), partial_of(&plan, &two)])
        .unwrap();
    let inspections = doc["inspections"].as_array().unwrap().len() as u64;
    let a = &outcome.accounting["inspections"];
    assert_eq!(a.read, inspections);
    assert_eq!(
        a.rejected.len() as u64 + a.used + a.excluded,
        inspections,
        "every inspection accounted for"
    );
    assert!(
        a.rejected.iter().all(|r| r.reason.contains("unit")),
        "{:?}",
        a.rejected.first()
    );
    assert!(!a.rejected.is_empty());
}

#[test]
fn the_command_line_splits_scores_partials_and_merges_them_into_the_whole_run() {
    let exe = env!("CARGO_BIN_EXE_scorecard");
    let dir = std::env::temp_dir().join(format!("scorecard-partial-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let run = |args: &[&str]| {
        let out = std::process::Command::new(exe)
            .args(args)
            .current_dir(root())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let d = dir.to_str().unwrap();
    run(&[
        "split",
        "--pack",
        "county-assessment",
        "--shards",
        "4",
        "-o",
        d,
    ]);
    let mut parts = Vec::new();
    for i in 1..=4 {
        let shard = format!("{d}/shard-{i}.json");
        let part = format!("{d}/part-{i}.json");
        run(&[
            "score",
            "--pack",
            "county-assessment",
            "--input",
            &shard,
            "--partial",
            "-o",
            &part,
        ]);
        parts.push(part);
    }
    let whole = run(&["score", "--pack", "county-assessment", "--format", "json"]);
    let mut args = vec!["merge", "--pack", "county-assessment", "--format", "json"];
    args.extend(parts.iter().map(String::as_str));
    assert!(
        run(&args) == whole,
        "merged outcome differs from the whole run"
    );
    // merged in a tree: two partials of two, then those
    let ab = format!("{d}/ab.json");
    let cd = format!("{d}/cd.json");
    run(&["merge", "--partial", &parts[0], &parts[1], "-o", &ab]);
    run(&["merge", "--partial", &parts[3], &parts[2], "-o", &cd]);
    assert!(
        run(&[
            "merge",
            "--pack",
            "county-assessment",
            "--format",
            "json",
            &cd,
            &ab
        ]) == whole
    );
    // tables too
    let table = run(&["score", "--pack", "county-assessment"]);
    assert!(run(&["merge", "--pack", "county-assessment", &ab, &cd]) == table);
    // a merge with the wrong pack says so
    let out = std::process::Command::new(exe)
        .args(["merge", "--pack", "catering-grading", &ab, &cd])
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not of this one"));
    // --strict: a record rejected in a shard fails the merge with exit 3
    let shard_of = |i: usize| -> Value {
        serde_json::from_str(&std::fs::read_to_string(format!("{d}/shard-{i}.json")).unwrap())
            .unwrap()
    };
    let i = (1..=4)
        .find(|i| !shard_of(*i)["inspections"].as_array().unwrap().is_empty())
        .unwrap();
    let mut shard = shard_of(i);
    shard["inspections"].as_array_mut().unwrap()[0]["unit"] = "NO-SUCH-UNIT".into();
    std::fs::write(format!("{d}/bad.json"), shard.to_string()).unwrap();
    let bad = format!("{d}/bad.part");
    run(&[
        "score",
        "--pack",
        "county-assessment",
        "--input",
        &format!("{d}/bad.json"),
        "--partial",
        "-o",
        &bad,
    ]);
    let strict = |extra: &[&str]| {
        let mut args = vec![
            "merge",
            "--pack",
            "county-assessment",
            "--format",
            "json",
            &bad,
        ];
        args.extend(
            parts
                .iter()
                .enumerate()
                .filter(|(k, _)| k + 1 != i)
                .map(|(_, p)| p.as_str()),
        );
        args.extend(extra);
        std::process::Command::new(exe)
            .args(&args)
            .current_dir(root())
            .output()
            .unwrap()
    };
    // a record rejected in a shard: the merged outcome is incomplete, exit 3 unless accepted
    let out = strict(&[]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("1 record(s) rejected ("),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let merged: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(merged["incomplete"]["rejected"], 1);
    assert_eq!(strict(&["--allow-rejected"]).status.code(), Some(0));
    assert_eq!(strict(&["--strict"]).status.code(), Some(3));
    let _ = std::fs::remove_dir_all(&dir);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// A damaged partial (a byte changed, a piece cut out) is read, merged and finished
    /// into an outcome or refused with an error that says what is wrong: never a panic
    /// (which the library would report as an internal error).
    #[test]
    fn a_damaged_partial_is_an_error_never_a_panic(
        at in 0usize..1_000_000,
        byte in proptest::sample::select(b"0123456789{}[]\":,-/ntrx".to_vec()),
        cut in 0usize..40,
    ) {
        let (plan, parts) = damaged_base();
        let json = parts[0].to_json();
        let mut bytes = json.clone().into_bytes();
        let i = at % bytes.len();
        bytes[i] = byte;
        let end = (i + cut).min(bytes.len());
        if cut > 20 {
            bytes.drain(i..end);
        }
        let Ok(text) = String::from_utf8(bytes) else { return Ok(()) };
        if let Ok(p) = Partial::from_json(&text) {
            let mut m = p.clone();
            let merged = m.merge(&parts[1]);
            for r in [plan.finish(&[p]).map(|_| ()), merged, plan.finish(&[m, parts[2].clone()]).map(|_| ())] {
                if let Err(e) = r {
                    prop_assert!(!e.to_string().contains("internal error"), "{e}");
                }
            }
        }
    }
}

/// Every place in a JSON value (by its path of object keys and array positions).
fn places(v: &Value, at: Vec<Value>, out: &mut Vec<Vec<Value>>) {
    out.push(at.clone());
    match v {
        Value::Object(m) => m.iter().for_each(|(k, x)| {
            let mut p = at.clone();
            p.push(Value::String(k.clone()));
            places(x, p, out)
        }),
        Value::Array(a) => a.iter().enumerate().for_each(|(i, x)| {
            let mut p = at.clone();
            p.push(Value::from(i));
            places(x, p, out)
        }),
        _ => {}
    }
}

fn at_mut<'a>(v: &'a mut Value, path: &[Value]) -> &'a mut Value {
    path.iter().fold(v, |v, k| match k {
        Value::String(k) => &mut v[k.as_str()],
        i => &mut v[i.as_u64().unwrap() as usize],
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, ..ProptestConfig::default() })]

    /// A partial with one member replaced by another value of any type (a count made
    /// negative or huge, a key list made a number, a value's type changed) is finished into
    /// an outcome or refused with an error that says what: never a panic.
    #[test]
    fn a_partial_with_a_member_replaced_is_an_error_never_a_panic(
        which in 0usize..1_000_000,
        with in proptest::sample::select(vec![
            serde_json::json!(-1), serde_json::json!(18446744073709551615u64), serde_json::json!("x"),
            serde_json::json!("1/0"), serde_json::json!([]), serde_json::json!({}), serde_json::json!(null),
            serde_json::json!({"n": "1/3"}), serde_json::json!({"r": ["nowhere", "K"]}), serde_json::json!(["T01", 1]),
            serde_json::json!({"is": [0, []]}), serde_json::json!(0), serde_json::json!(true),
        ]),
    ) {
        let (plan, parts) = damaged_base();
        let mut doc: Value = serde_json::from_str(&parts[0].to_json()).unwrap();
        let mut all = Vec::new();
        places(&doc, Vec::new(), &mut all);
        let path = &all[which % all.len()];
        *at_mut(&mut doc, path) = with;
        let read = Partial::from_json(&doc.to_string());
        if let Ok(p) = read {
            let mut m = p.clone();
            let merged = m.merge(&parts[1]);
            for r in [plan.finish(&[p]).map(|_| ()), merged, plan.finish(&[m, parts[2].clone()]).map(|_| ())] {
                if let Err(e) = r {
                    prop_assert!(!e.to_string().contains("internal error"), "{path:?}: {e}");
                }
            }
        }
    }
}

fn damaged_base() -> &'static (Plan, Vec<Partial>) {
    static BASE: OnceLock<(Plan, Vec<Partial>)> = OnceLock::new();
    BASE.get_or_init(|| sample_parts("basic-public-health"))
}

/// Every path to a value in a JSON document.
fn paths(v: &Value, at: Vec<String>, out: &mut Vec<Vec<String>>) {
    out.push(at.clone());
    match v {
        Value::Object(m) => m.iter().for_each(|(k, x)| {
            let mut p = at.clone();
            p.push(k.clone());
            paths(x, p, out)
        }),
        Value::Array(a) => a.iter().enumerate().for_each(|(i, x)| {
            let mut p = at.clone();
            p.push(i.to_string());
            paths(x, p, out)
        }),
        _ => {}
    }
}

fn at_path<'a>(v: &'a mut Value, path: &[String]) -> &'a mut Value {
    path.iter().fold(v, |v, k| match v {
        Value::Object(m) => m.get_mut(k).unwrap(),
        Value::Array(a) => &mut a[k.parse::<usize>().unwrap()],
        _ => unreachable!(),
    })
}

/// One change to a value, of the kind a hand editing a file (or a bit going wrong) makes.
fn mutate(v: &mut Value, how: u8) {
    match v {
        Value::Number(n) => {
            let x = n.as_i64().unwrap_or(1);
            *v = serde_json::json!(
                [x + 1, x.saturating_sub(1), x * 1000 + 7, -x - 1, 0][how as usize % 5]
            );
        }
        Value::String(s) => match how % 4 {
            0 => s.push('x'),
            1 => s.clear(),
            2 => *v = serde_json::json!(7),
            _ => *s = "U0001".into(),
        },
        Value::Bool(b) => *b = !*b,
        Value::Null => *v = serde_json::json!({"n": "1"}),
        Value::Array(a) => match how % 4 {
            0 if !a.is_empty() => {
                a.remove(0);
            }
            1 if !a.is_empty() => {
                let first = a[0].clone();
                a.push(first);
            }
            2 if a.len() > 1 => a.swap(0, 1),
            _ => a.push(serde_json::json!(null)),
        },
        Value::Object(m) => match how % 3 {
            0 if !m.is_empty() => {
                let k = m.keys().next().unwrap().clone();
                m.remove(&k);
            }
            1 => {
                m.insert("unexpected".into(), serde_json::json!(1));
            }
            _ => {
                if let Some((_, x)) = m.iter_mut().next() {
                    mutate(x, how / 3);
                }
            }
        },
    }
}

fn number(v: &Value) -> Option<scorecard::Number> {
    v.as_str().and_then(|s| scorecard::Number::parse(s).ok())
}

/// What any outcome of the pack holds, whatever its data: counts of members meeting
/// within the members, percentages from 0 to 100, evidence within its count and cap, an
/// accounting that adds up, a total within its maximum.
fn possible(o: &Value, cap: usize) -> Result<(), String> {
    let mut places = vec![("overall".to_string(), o)];
    for (g, r) in o["groups"].as_object().into_iter().flatten() {
        places.push((format!("group {g}"), r));
    }
    for (at, p) in places {
        for (id, r) in p["indicators"].as_object().into_iter().flatten() {
            let kind = r["kind"].as_str().unwrap_or_default();
            let counted = ["rate", "each", "share", "timeliness"].contains(&kind);
            if let (true, Some(n), Some(d)) =
                (counted, number(&r["numerator"]), number(&r["denominator"]))
            {
                if n > d || n.is_negative() {
                    return Err(format!("{at}: {id}: {n} of {d}"));
                }
            }
            if let (true, Some(v)) = (counted, number(&r["value"]["exact"])) {
                if v.is_negative() || v > scorecard::Number::from_int(100) {
                    return Err(format!("{at}: {id} is {v} %"));
                }
            }
            let ev = &r["evidence"];
            let (count, ids) = (
                ev["count"].as_u64().unwrap_or(0),
                ev["ids"].as_array().map_or(0, Vec::len),
            );
            if ids as u64 > count || ids > cap {
                return Err(format!("{at}: {id}: {ids} evidence ids of {count}"));
            }
            if let (true, Some(d)) = (counted, number(&r["denominator"])) {
                if scorecard::Number::from_int(count as i128) > d {
                    return Err(format!("{at}: {id}: {count} evidence members of {d}"));
                }
            }
        }
        if let (Some(t), Some(m)) = (
            number(&p["scorecard"]["total"]["exact"]),
            number(&p["scorecard"]["max"]),
        ) {
            if t > m || t.is_negative() {
                return Err(format!("{at}: total {t} of {m}"));
            }
        }
    }
    for (c, a) in o["accounting"].as_object().into_iter().flatten() {
        let n = |k: &str| a[k].as_u64().unwrap_or(0);
        if n("read")
            != n("used") + n("excluded") + a["rejected"].as_array().map_or(0, |r| r.len() as u64)
        {
            return Err(format!("the accounting of {c} does not add up"));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// One field of a valid partial changed at a time: the partial is refused, or its
    /// outcome is one the pack can give (never coverage of 1570 %, evidence of no record).
    #[test]
    fn a_tampered_partial_is_refused_or_gives_a_possible_outcome(
        which in any::<prop::sample::Index>(),
        field in any::<prop::sample::Index>(),
        how in any::<u8>(),
    ) {
        static PARTS: OnceLock<Vec<(Plan, Vec<Partial>)>> = OnceLock::new();
        let all = PARTS.get_or_init(|| {
            ["supervision-coverage", "catering-grading", "reporting-deadlines", "basic-public-health"]
                .iter()
                .map(|p| sample_parts(p))
                .collect()
        });
        let (plan, parts) = which.get(all);
        let mut doc: Value = serde_json::from_str(&parts[0].to_json()).unwrap();
        let mut all_paths = Vec::new();
        paths(&doc, Vec::new(), &mut all_paths);
        let path = field.get(&all_paths).clone();
        mutate(at_path(&mut doc, &path), how);
        let tampered = Partial::from_json(&doc.to_string());
        let Ok(tampered) = tampered else { return Ok(()) };
        let Ok(o) = plan.finish(&[tampered, parts[1].clone(), parts[2].clone()]) else { return Ok(()) };
        let o: Value = serde_json::from_str(&o.to_json()).unwrap();
        let cap = parts[0].to_json().len(); // no evidence list is longer than its partial
        let cap = cap.min(plan_cap(plan));
        prop_assert!(possible(&o, cap).is_ok(), "{} at {:?} ({how}): {:?}", plan.name(), path, possible(&o, cap));
    }
}

/// The pack's evidence cap, as its partials carry it.
fn plan_cap(plan: &Plan) -> usize {
    let text =
        std::fs::read_to_string(root().join("rules").join(plan.name()).join("pack.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    v["evidence_cap"].as_u64().unwrap_or(20) as usize
}

/// A change made to a partial's JSON.
type Change = Box<dyn Fn(&mut Value)>;

#[test]
fn the_tampered_partials_of_the_issue_are_refused_naming_the_rule() {
    let (plan, parts) = coverage_parts();
    let base: Value = serde_json::from_str(&parts[0].to_json()).unwrap();
    let t01 = |v: &mut Value| -> String {
        v["indicators"]["coverage"]["own"]
            .as_object()
            .unwrap()
            .keys()
            .next()
            .unwrap()
            .clone()
    };
    let cases: Vec<(&str, Change)> = vec![
        (
            "1068 members meeting of",
            Box::new(move |v: &mut Value| {
                let g = t01(v);
                v["indicators"]["coverage"]["own"][&g]["meets"] = 1068.into();
            }),
        ),
        (
            "which is no 'units' record the partial carries",
            Box::new(move |v: &mut Value| {
                let g = t01(v);
                v["indicators"]["coverage"]["own"][&g]["evidence"][0] = "U9999".into();
            }),
        ),
        (
            "the accounting of 'units' does not add up: 5 read",
            Box::new(|v: &mut Value| v["accounting"]["units"]["read"] = 5.into()),
        ),
        (
            "(keys must be in key order, each once)",
            Box::new(|v: &mut Value| {
                let first = v["records"]["units"]["keys"][0].clone();
                v["records"]["units"]["keys"][1] = first;
            }),
        ),
        (
            "of another type than the measure's",
            Box::new(|v: &mut Value| {
                let k = v["records"]["units"]["measures"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .position(|m| m == "inspections")
                    .unwrap();
                v["records"]["units"]["values"][0][k] = serde_json::json!({"t": "many"});
            }),
        ),
        (
            "which the pack does not have",
            Box::new(|v: &mut Value| {
                let c = v["indicators"]["coverage"].clone();
                v["indicators"]["bogus"] = c;
            }),
        ),
        // with the others, the periods differ; alone, it has none where the pack needs one
        (
            "partial results of different periods: none and 2025-01-01",
            Box::new(|v: &mut Value| v["period"] = Value::Null),
        ),
    ];
    for (wanted, change) in cases {
        let mut v = base.clone();
        change(&mut v);
        let e = Partial::from_json(&v.to_string())
            .and_then(|p| plan.finish(&[p, parts[1].clone(), parts[2].clone()]))
            .unwrap_err()
            .to_string();
        assert!(e.contains(wanted), "{wanted}: {e}");
    }
    let mut v = base.clone();
    v["period"] = Value::Null;
    let e = plan
        .finish(&[Partial::from_json(&v.to_string()).unwrap()])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("it has no period, and the pack dates records"),
        "{e}"
    );
}
