//! Properties: input order never changes the output bytes; every rate equals the exact
//! rational computed independently from the records; arbitrary JSON, as a dataset or as
//! a pack, never panics (the API would turn a panic into an `Internal` error, so the
//! tests check that none happens).

use proptest::prelude::*;
use scorecard::Number;
use scorecard::{PackError, Plan, ScoreError};
use serde_json::{json, Value};
use std::path::Path;
use std::sync::OnceLock;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn plan() -> &'static Plan {
    static P: OnceLock<Plan> = OnceLock::new();
    P.get_or_init(|| Plan::load(root().join("rules/supervision-coverage")).unwrap())
}

fn sample() -> &'static Value {
    static S: OnceLock<Value> = OnceLock::new();
    S.get_or_init(|| {
        let text =
            std::fs::read_to_string(root().join("rules/supervision-coverage/data/sample.json"))
                .unwrap();
        serde_json::from_str(&text).unwrap()
    })
}

/// Every shipped pack with its sample data.
fn packs() -> &'static Vec<(Plan, Value)> {
    static P: OnceLock<Vec<(Plan, Value)>> = OnceLock::new();
    P.get_or_init(|| {
        scorecard::fixtures::packs(&root().join("rules"))
            .into_iter()
            .filter(|d| d.join("data/sample.json").is_file())
            .map(|d| {
                let text = std::fs::read_to_string(d.join("data/sample.json")).unwrap();
                (
                    Plan::load(&d).unwrap(),
                    serde_json::from_str(&text).unwrap(),
                )
            })
            .collect()
    })
}

fn baseline() -> &'static String {
    static B: OnceLock<String> = OnceLock::new();
    B.get_or_init(|| plan().score_json(&sample().to_string()).unwrap().to_json())
}

/// Fisher–Yates with a small deterministic generator.
fn shuffle<T>(v: &mut [T], mut seed: u64) {
    for i in (1..v.len()).rev() {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let j = (seed >> 33) as usize % (i + 1);
        v.swap(i, j);
    }
}

fn no_internal(r: &Result<scorecard::Outcome, ScoreError>) {
    if let Err(e) = r {
        assert!(
            !matches!(e, ScoreError::Internal(_)),
            "a panic was caught: {e}"
        );
        assert!(
            !e.to_string().contains("internal error"),
            "a panic was caught: {e}"
        );
    }
}

/// Arbitrary JSON values.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        "-?[0-9]{1,40}(\\.[0-9]{1,40})?([eE]-?[0-9]{1,5})?"
            .prop_map(|s| serde_json::from_str(&s).unwrap_or(Value::Null)),
        ".{0,12}".prop_map(Value::String),
        prop_oneof![
            Just("2025-02-29"),
            Just("2025-06-01"),
            Just("U0001"),
            Just("T01"),
            Just("routine"),
            Just("catering")
        ]
        .prop_map(|s| Value::String(s.to_string())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("period".to_string()),
                    Just("units".to_string()),
                    Just("inspections".to_string()),
                    Just("id".to_string()),
                    Just("unit".to_string()),
                    Just("date".to_string()),
                    Just("from".to_string()),
                    Just("to".to_string()),
                    "[a-z]{1,6}"
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn shuffling_records_never_changes_the_output(seed in any::<u64>()) {
        let mut data = sample().clone();
        for (i, (_, v)) in data.as_object_mut().unwrap().iter_mut().enumerate() {
            if let Value::Array(a) = v {
                shuffle(a, seed.wrapping_add(i as u64));
            }
        }
        let out = plan().score_json(&data.to_string()).unwrap().to_json();
        prop_assert!(out == *baseline(), "output changed with the order of the records");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Order independence for every shipped pack (lists, per-window results, imports,
    /// scripts and tables included): shuffled records give the same bytes.
    #[test]
    fn shuffling_never_changes_any_packs_output(pick in any::<prop::sample::Index>(), seed in any::<u64>()) {
        let k = pick.index(packs().len());
        let (plan, sample) = &packs()[k];
        let base = plan.score_json(&sample.to_string()).unwrap().to_json();
        let mut data = sample.clone();
        for (i, (_, v)) in data.as_object_mut().unwrap().iter_mut().enumerate() {
            if let Value::Array(a) = v {
                shuffle(a, seed.wrapping_add(i as u64));
            }
        }
        let out = plan.score_json(&data.to_string()).unwrap().to_json();
        prop_assert!(out == base, "pack {} changed its output with the order of the records", plan.name());
    }
}

/// A record made bad in one of the ways that leave it without a usable key (not an
/// object, its key missing or of the wrong type), or with its key but a bad field.
fn spoil(record: &Value, how: u8) -> Value {
    let mut r = record.clone();
    if !r.is_object() {
        return json!(5);
    }
    match how % 6 {
        0 => json!(5),
        1 => json!(["a", "list"]),
        2 => {
            r.as_object_mut().map(|o| o.remove("id"));
            r
        }
        3 => {
            r["id"] = json!(17);
            r
        }
        4 => {
            r["id"] = json!(null);
            r["extra_field_nobody_declared"] = json!(true);
            r
        }
        _ => {
            r["date"] = json!("2025-02-30");
            r
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Order independence holds with rejected records too, keyless ones included: they
    /// are labelled by their content, never by where they stand nor by how the text is
    /// laid out (white space, the order of an object's members).
    #[test]
    fn shuffling_bad_records_never_changes_the_output(
        pick in any::<prop::sample::Index>(),
        spoiled in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        seed in any::<u64>(),
    ) {
        let k = pick.index(packs().len());
        let (plan, sample) = &packs()[k];
        let mut data = sample.clone();
        let lists: Vec<String> = data
            .as_object()
            .unwrap()
            .iter()
            .filter(|(_, v)| v.as_array().is_some_and(|a| !a.is_empty()))
            .map(|(k, _)| k.clone())
            .collect();
        for (at, how) in &spoiled {
            let list = &lists[at.index(lists.len())];
            let a = data[list].as_array_mut().unwrap();
            let i = at.index(a.len());
            let bad = spoil(&a[i], *how);
            a.push(bad);
        }
        let base = plan.score_json(&data.to_string());
        no_internal(&base);
        let base = base.map(|o| o.to_json()).map_err(|e| e.to_string());
        for (i, (_, v)) in data.as_object_mut().unwrap().iter_mut().enumerate() {
            if let Value::Array(a) = v {
                shuffle(a, seed.wrapping_add(i as u64));
            }
        }
        let out = plan.score_json(&relaid(&data, seed)).map(|o| o.to_json()).map_err(|e| e.to_string());
        prop_assert!(out == base, "pack {} changed its output with the order or layout of bad records", plan.name());
    }
}

/// `v` written another way: indented (or not) by the seed, each object's members in
/// reverse order.
fn relaid(v: &Value, seed: u64) -> String {
    fn write(v: &Value, indent: &str, depth: usize, out: &mut String) {
        let nl = |out: &mut String, d: usize| {
            if !indent.is_empty() {
                out.push('\n');
                out.push_str(&indent.repeat(d));
            }
        };
        match v {
            Value::Array(a) => {
                out.push('[');
                for (i, x) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    nl(out, depth + 1);
                    write(x, indent, depth + 1, out);
                }
                nl(out, depth);
                out.push(']');
            }
            Value::Object(m) => {
                out.push('{');
                for (i, (k, x)) in m.iter().rev().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    nl(out, depth + 1);
                    out.push_str(&Value::String(k.clone()).to_string());
                    out.push_str(": ");
                    write(x, indent, depth + 1, out);
                }
                nl(out, depth);
                out.push('}');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let indent = ["", " ", "  ", "\t"][(seed % 4) as usize];
    let mut out = String::new();
    write(v, indent, 0, &mut out);
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// Sums and means of rates with random denominators (far past 128 bits once there
    /// are a few dozen) are exactly what arbitrary-precision arithmetic gives.
    #[test]
    fn sums_and_means_of_rates_are_exact_at_any_size(
        villages in prop::collection::vec((1u64..1_000_000_007, 0u64..=100), 1..120),
    ) {
        use num_bigint::BigInt;
        use num_rational::BigRational;
        let pack = json!({
            "name": "rates", "version": "1",
            "period": { "from": "2025-01-01", "to": "2025-12-31" },
            "collections": { "villages": { "fields": { "id": "string", "households": "integer", "tap": "integer" } } },
            "measures": { "villages": { "rate": { "expr": "tap * 100 / households" } } },
            "indicators": {
                "mean_rate": { "kind": "mean", "population": { "collection": "villages" }, "value": "rate" },
                "sum_rate": { "kind": "sum", "population": { "collection": "villages" }, "value": "rate" }
            }
        });
        let plan = Plan::from_json(&pack.to_string()).unwrap();
        let records: Vec<Value> = villages
            .iter()
            .enumerate()
            .map(|(i, (h, share))| json!({ "id": format!("V{i:03}"), "households": h, "tap": h * share / 100 }))
            .collect();
        let out = plan.score_json(&json!({ "villages": records }).to_string()).unwrap();
        let mut sum = BigRational::from_integer(BigInt::from(0));
        for (h, share) in &villages {
            let tap = h * share / 100;
            sum += BigRational::new(BigInt::from(tap) * BigInt::from(100), BigInt::from(*h));
        }
        let mean = &sum / BigRational::from_integer(BigInt::from(villages.len()));
        let text = |x: &BigRational| x.to_string();
        let parse = |s: &str| -> BigRational {
            match s.split_once('/') {
                Some((n, d)) => BigRational::new(n.parse().unwrap(), d.parse().unwrap()),
                None if s.contains('.') => {
                    let (i, f) = s.split_once('.').unwrap();
                    let scale = num_traits::pow(BigInt::from(10), f.len());
                    BigRational::new(format!("{i}{f}").parse().unwrap(), scale)
                }
                None => BigRational::from_integer(s.parse().unwrap()),
            }
        };
        let got_mean = parse(&out.indicators["mean_rate"].value.as_ref().unwrap().exact);
        let got_sum = parse(&out.indicators["sum_rate"].value.as_ref().unwrap().exact);
        prop_assert_eq!(&got_sum, &sum, "sum {}", text(&sum));
        prop_assert_eq!(&got_mean, &mean, "mean {}", text(&mean));
    }
}

#[derive(Debug, Clone)]
struct Unit {
    archived: bool,
    township: usize,
    visits: Vec<(u32, bool)>, // (day of 2024-2025, routine)
}

fn unit() -> impl Strategy<Value = Unit> {
    (
        any::<bool>(),
        0..3usize,
        prop::collection::vec((0..730u32, any::<bool>()), 0..5),
    )
        .prop_map(|(archived, township, visits)| Unit {
            archived,
            township,
            visits,
        })
}

fn day(n: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + chrono::Duration::days(n as i64)
}

fn pct(num: usize, den: usize) -> Option<Number> {
    (den > 0).then(|| Number::ratio(num as i128 * 100, den as i128).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn every_rate_is_the_exact_rational_of_the_records(units in prop::collection::vec(unit(), 0..30)) {
        let towns = ["T01", "T02", "T03"];
        let mut jur = vec![json!({"id": "C00", "name": "县", "level": "county"})];
        for t in towns {
            jur.push(json!({"id": t, "name": t, "level": "township", "parent": "C00"}));
        }
        let mut us = Vec::new();
        let mut ins = Vec::new();
        for (i, u) in units.iter().enumerate() {
            us.push(json!({"id": format!("U{i:03}"), "name": "x", "category": "hotel", "township": towns[u.township],
                           "status": "active", "archived": u.archived}));
            for (k, (d, routine)) in u.visits.iter().enumerate() {
                ins.push(json!({"id": format!("I{i:03}-{k}"), "unit": format!("U{i:03}"), "date": day(*d).to_string(),
                                "kind": if *routine { "routine" } else { "special" }}));
            }
        }
        let data = json!({"period": {"from": "2025-01-01", "to": "2025-12-31"}, "jurisdictions": jur, "units": us, "inspections": ins,
                          "events": [], "complaints": [], "cases": []});
        let out = serde_json::to_value(plan().score_json(&data.to_string()).unwrap()).unwrap();

        let in_2025 = |d: u32| day(d) >= chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        for (group, members) in [("(all)", units.iter().collect::<Vec<_>>())]
            .into_iter()
            .chain(towns.iter().enumerate().map(|(t, name)| (*name, units.iter().filter(|u| u.township == t).collect())))
        {
            let n = members.len();
            let covered = members.iter().filter(|u| u.visits.iter().any(|(d, r)| *r && in_2025(*d))).count();
            let twice = members.iter().filter(|u| u.visits.iter().filter(|(d, _)| in_2025(*d)).count() >= 2).count();
            let archived = members.iter().filter(|u| u.archived).count();
            let inds = if group == "(all)" { &out["indicators"] } else { &out["groups"][group]["indicators"] };
            for (id, want) in [("coverage", pct(covered, n)), ("frequency", pct(twice, n)), ("archive_rate", pct(archived, n))] {
                let got = inds[id]["value"]["exact"].as_str().map(|s| Number::parse(s).unwrap());
                prop_assert_eq!(got, want, "{} in {}", id, group);
            }
            prop_assert_eq!(inds["frequency"]["met"].as_bool(), if n == 0 { None } else { Some(twice == n) });
        }
    }

    #[test]
    fn arbitrary_json_as_a_dataset_never_panics(v in json_value()) {
        no_internal(&plan().score_json(&v.to_string()));
    }

    #[test]
    fn arbitrary_text_as_a_dataset_never_panics(s in ".{0,200}") {
        no_internal(&plan().score_json(&s));
    }

    #[test]
    fn mutated_records_of_every_pack_never_panic(
        pick in any::<prop::sample::Index>(), coll in any::<prop::sample::Index>(), idx in 0..40usize,
        field in "[a-z_]{1,10}|id|unit|date|items|subitems|points|applicable|key|township|parent|licensed|year", v in json_value()
    ) {
        let (plan, sample) = &packs()[pick.index(packs().len())];
        let mut data = sample.clone();
        let names: Vec<String> = data.as_object().unwrap().keys().cloned().collect();
        let name = &names[coll.index(names.len())];
        if let Some(Value::Object(r)) = data[name].get_mut(idx) {
            r.insert(field.clone(), v.clone());
            // and the same value one level down, inside a checklist item, where there is one
            if let Some(Value::Array(items)) = r.get_mut("items") {
                if let Some(Value::Object(it)) = items.first_mut() {
                    it.insert(field, v);
                }
            }
        }
        no_internal(&plan.score_json(&data.to_string()));
    }

    #[test]
    fn mutated_sample_records_never_panic(
        coll in prop_oneof![Just("units"), Just("inspections"), Just("events"), Just("jurisdictions"), Just("cases")],
        idx in 0..40usize, field in "[a-z_]{1,10}|id|unit|date|township|parent|kind|archived", v in json_value()
    ) {
        let mut data = sample().clone();
        if let Some(Value::Object(r)) = data[coll].get_mut(idx) {
            r.insert(field, v);
        }
        no_internal(&plan().score_json(&data.to_string()));
    }

    #[test]
    fn arbitrary_json_as_a_pack_never_panics(v in json_value()) {
        if let Err(PackError::Internal(e)) = Plan::from_json(&v.to_string()) {
            prop_assert!(false, "a panic was caught: {}", e);
        }
    }

    #[test]
    fn mutated_packs_never_panic(path_pick in any::<prop::sample::Index>(), v in json_value(), s in ".{0,40}") {
        // replace one value anywhere in the shipped pack with arbitrary JSON, or a string with arbitrary text
        let text = std::fs::read_to_string(root().join("rules/supervision-coverage/pack.json")).unwrap();
        let mut pack: Value = serde_json::from_str(&text).unwrap();
        fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
            match v {
                Value::Object(m) => m.iter().for_each(|(k, x)| pointers(x, format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")), out)),
                Value::Array(a) => a.iter().enumerate().for_each(|(i, x)| pointers(x, format!("{at}/{i}"), out)),
                _ => {}
            }
            out.push(at);
        }
        let mut slots = Vec::new();
        pointers(&pack, String::new(), &mut slots);
        let target = pack.pointer_mut(&slots[path_pick.index(slots.len())]).unwrap();
        *target = if target.is_string() { Value::String(s) } else { v };
        match Plan::from_json(&pack.to_string()) {
            Err(PackError::Internal(e)) => prop_assert!(false, "a panic was caught: {}", e),
            Ok(p) => no_internal(&p.score_json(&sample().to_string())),
            Err(_) => {}
        }
    }
}
