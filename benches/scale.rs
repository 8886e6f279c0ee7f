//! Benchmarks at scale (issue 7): generated datasets of 10k, 100k and 1M inspections for the
//! supervision-coverage and catering-grading packs, each against its floor (reading the same
//! JSON into plain typed structs with serde, nothing else) and, for supervision-coverage,
//! against a hand-written Rust scorer of the same rules (the practical limit); scoring on
//! one thread against the default pool; band tables whose every record matches the first,
//! a middle, the last band or none; loading each shipped pack; and the per-record decision
//! workload of place-grading (100k and 1M places, NDJSON) against a typed read and a
//! hand-written `if` chain, over typed fields and over 24-byte values laid out as the
//! record store holds them.
//!
//! Run everything with `bash tools/bench.sh` (see BENCHMARKS.md), or only this with
//! `cargo bench --bench scale`. `SCORECARD_BENCH_SIZES=10000,100000` limits the sizes.

use criterion::{
    criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode, Throughput,
};
use scorecard::synth::{self, Format, Shape, Spec};
use scorecard::Plan;
use serde::Deserialize;
use std::collections::HashMap;
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

fn sizes() -> Vec<usize> {
    std::env::var("SCORECARD_BENCH_SIZES")
        .unwrap_or_else(|_| "10000,100000,1000000".into())
        .split(',')
        .filter_map(|s| s.trim().replace('_', "").parse().ok())
        .collect()
}

fn pack(name: &str) -> Plan {
    Plan::load(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("rules")
            .join(name),
    )
    .unwrap()
}

// ---- the floor: plain typed records, as a program that only reads would declare them ----

#[derive(Deserialize)]
#[allow(dead_code)]
struct Period {
    from: String,
    to: String,
    as_of: Option<String>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Jurisdiction {
    id: String,
    name: String,
    level: Option<String>,
    parent: Option<String>,
}

#[derive(Deserialize)]
struct CovUnit {
    id: String,
    #[allow(dead_code)]
    name: String,
    category: String,
    township: String,
    status: String,
    archived: bool,
    hazard_declared: Option<bool>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct CovInspection {
    id: String,
    unit: String,
    date: String,
    kind: String,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Event {
    id: String,
    township: String,
    category: String,
    found: String,
    reported: bool,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Complaint {
    id: String,
    township: String,
    received: String,
    recorded: bool,
    reported: bool,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Case {
    id: String,
    township: String,
    accepted: String,
    closed: bool,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Coverage {
    period: Period,
    jurisdictions: Vec<Jurisdiction>,
    units: Vec<CovUnit>,
    inspections: Vec<CovInspection>,
    events: Vec<Event>,
    complaints: Vec<Complaint>,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct CatUnit {
    id: String,
    name: String,
    township: String,
    category: String,
    licensed: String,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct SubItem {
    points: serde_json::Number,
    key: bool,
    passed: bool,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Item {
    item: String,
    applicable: bool,
    subitems: Vec<SubItem>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct CatInspection {
    id: String,
    unit: String,
    date: String,
    items: Vec<Item>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Incident {
    id: String,
    unit: String,
    date: String,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Penalty {
    id: String,
    unit: String,
    date: String,
    kind: String,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct LastYear {
    id: String,
    township: String,
    a_units: serde_json::Number,
    b_units: serde_json::Number,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Catering {
    period: Period,
    jurisdictions: Vec<Jurisdiction>,
    units: Vec<CatUnit>,
    inspections: Vec<CatInspection>,
    incidents: Vec<Incident>,
    penalties: Vec<Penalty>,
    last_year: Vec<LastYear>,
}

// ---- the practical limit: the supervision-coverage rules written by hand ----

/// Numerator and denominator of each rate, per jurisdiction (own and below) and overall.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
struct Counts {
    /// [coverage, frequency, archive, declaration, reporting, complaints, closure] × (met, all)
    rates: [(u64, u64); 7],
}

impl Counts {
    fn add(&mut self, k: usize, met: bool) {
        self.rates[k].0 += met as u64;
        self.rates[k].1 += 1;
    }
    fn merge(&mut self, o: &Counts) {
        for (a, b) in self.rates.iter_mut().zip(&o.rates) {
            a.0 += b.0;
            a.1 += b.1;
        }
    }
}

/// What the pack reports for each unit: inspections and routine inspections in the period,
/// and the date of the last one.
#[derive(Clone, Copy, Default)]
struct UnitResult<'a> {
    inspections: u32,
    routine: u32,
    last: Option<&'a str>,
}

/// Scores the coverage rules by hand: per-unit measures (as the pack reports them), then
/// the seven rates for every jurisdiction (rolled up its parent chain) and overall.
fn hand_scorer(d: &Coverage) -> (Counts, Vec<Counts>, Vec<UnitResult<'_>>) {
    let (from, to) = (d.period.from.as_str(), d.period.to.as_str());
    let in_period = |date: &str| from <= date && date <= to;
    let jur: HashMap<&str, usize> = d
        .jurisdictions
        .iter()
        .enumerate()
        .map(|(i, j)| (j.id.as_str(), i))
        .collect();
    let parent: Vec<Option<usize>> = d
        .jurisdictions
        .iter()
        .map(|j| j.parent.as_deref().and_then(|p| jur.get(p).copied()))
        .collect();
    let unit: HashMap<&str, usize> = d
        .units
        .iter()
        .enumerate()
        .map(|(i, u)| (u.id.as_str(), i))
        .collect();
    let mut seen = vec![UnitResult::default(); d.units.len()];
    for i in &d.inspections {
        if let Some(&u) = unit.get(i.unit.as_str()) {
            if in_period(&i.date) {
                let s = &mut seen[u];
                s.inspections += 1;
                s.routine += (i.kind == "routine") as u32;
                if s.last.is_none_or(|l| l <= i.date.as_str()) {
                    s.last = Some(&i.date);
                }
            }
        }
    }
    let mut own = vec![Counts::default(); d.jurisdictions.len()];
    for (u, s) in d.units.iter().zip(&seen) {
        if u.status != "active" {
            continue;
        }
        let Some(&j) = jur.get(u.township.as_str()) else {
            continue;
        };
        let c = &mut own[j];
        c.add(0, s.routine >= 1);
        c.add(1, s.inspections >= 2);
        c.add(2, u.archived);
        if u.category == "occupational" {
            c.add(3, u.hazard_declared.unwrap_or(false));
        }
    }
    for e in d.events.iter().filter(|e| in_period(&e.found)) {
        if let Some(&j) = jur.get(e.township.as_str()) {
            own[j].add(4, e.reported);
        }
    }
    for c in d.complaints.iter().filter(|c| in_period(&c.received)) {
        if let Some(&j) = jur.get(c.township.as_str()) {
            own[j].add(5, c.recorded && c.reported);
        }
    }
    for c in d.cases.iter().filter(|c| in_period(&c.accepted)) {
        if let Some(&j) = jur.get(c.township.as_str()) {
            own[j].add(6, c.closed);
        }
    }
    let mut groups = vec![Counts::default(); own.len()];
    let mut overall = Counts::default();
    for (j, c) in own.iter().enumerate() {
        overall.merge(c);
        let mut at = Some(j);
        while let Some(g) = at {
            groups[g].merge(c);
            at = parent[g];
        }
    }
    (overall, groups, seen)
}

/// Checks the hand-written scorer against the engine, so that both compute the same thing.
fn check_hand_scorer(plan: &Plan, text: &str, d: &Coverage) {
    let outcome = plan.score_json(text).unwrap();
    let (overall, _, units) = hand_scorer(d);
    // the per-unit measures agree too (for the units the pack keeps: the active ones)
    let records = &outcome.records["units"];
    for (u, s) in d
        .units
        .iter()
        .zip(&units)
        .filter(|(u, _)| u.status == "active")
    {
        let got = |m: &str| {
            let v = serde_json::to_value(records.get(&u.id, m)?).ok()?;
            v.as_str().map(str::to_string)
        };
        assert_eq!(
            got("inspections"),
            Some(s.inspections.to_string()),
            "{}",
            u.id
        );
        assert_eq!(
            got("routine_inspections"),
            Some(s.routine.to_string()),
            "{}",
            u.id
        );
        assert_eq!(
            got("last_inspection"),
            s.last.map(str::to_string),
            "{}",
            u.id
        );
    }
    let ids = [
        "coverage",
        "frequency",
        "archive_rate",
        "declaration_rate",
        "reporting_rate",
        "complaint_reporting_rate",
        "closure_rate",
    ];
    for (k, id) in ids.iter().enumerate() {
        let r = &outcome.indicators[*id];
        let (met, all) = overall.rates[k];
        if *id == "frequency" {
            // an `each` indicator reports members meeting and members
            assert_eq!(
                r.numerator.as_deref(),
                Some(met.to_string().as_str()),
                "{id}"
            );
        } else {
            assert_eq!(
                (r.numerator.as_deref(), r.denominator.as_deref()),
                (
                    Some(met.to_string().as_str()),
                    Some(all.to_string().as_str())
                ),
                "{id}"
            );
        }
    }
}

fn scale(c: &mut Criterion) {
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    for shape in [Shape::Coverage, Shape::Catering] {
        let plan = pack(shape.pack());
        for n in sizes() {
            let text = synth::generate(&Spec::new(shape, 1, n), Format::Json);
            let ds = plan.read(&text).unwrap();
            let mut g = c.benchmark_group(format!("{}/{n}", shape.pack()));
            g.throughput(Throughput::Bytes(text.len() as u64));
            if n >= 100_000 {
                g.sample_size(10).sampling_mode(SamplingMode::Flat);
                g.warm_up_time(Duration::from_millis(500));
            }
            match shape {
                Shape::Coverage => {
                    g.bench_function("floor: serde into typed structs", |b| {
                        b.iter(|| serde_json::from_str::<Coverage>(black_box(&text)).unwrap())
                    });
                    let typed: Coverage = serde_json::from_str(&text).unwrap();
                    check_hand_scorer(&plan, &text, &typed);
                    g.bench_function("hand-written scorer (typed records)", |b| {
                        b.iter(|| hand_scorer(black_box(&typed)))
                    });
                }
                _ => {
                    g.bench_function("floor: serde into typed structs", |b| {
                        b.iter(|| serde_json::from_str::<Catering>(black_box(&text)).unwrap())
                    });
                }
            }
            g.bench_function("read into a Dataset", |b| {
                b.iter(|| plan.read(black_box(&text)).unwrap())
            });
            g.bench_function("evaluate a read Dataset", |b| {
                b.iter(|| plan.score(black_box(&ds)).unwrap())
            });
            g.bench_function("end to end: read, score, render JSON", |b| {
                b.iter(|| plan.score_json(black_box(&text)).unwrap().to_json())
            });
            // (at 1M the 1-thread figure comes from tools/bench.sh's CLI runs, to keep the
            // suite under half an hour)
            if n <= 100_000 {
                g.bench_function("end to end on 1 thread", |b| {
                    b.iter(|| one.install(|| plan.score_json(black_box(&text)).unwrap().to_json()))
                });
            }
            g.finish();
        }
    }
}

// ---- places: one small record, one decision (issue 14) ----

/// A place as a plain program would read it.
#[derive(Deserialize)]
struct Place {
    #[allow(dead_code)]
    id: String,
    key_failed: bool,
    outbreak: bool,
    score: f64,
}

/// One NDJSON line: the period, or a place.
#[derive(Deserialize)]
struct PlaceLine {
    places: Option<Place>,
}

/// The floor's read: each line into its typed struct.
fn read_places(text: &str) -> Vec<Place> {
    text.lines()
        .filter_map(|l| serde_json::from_str::<PlaceLine>(l).unwrap().places)
        .collect()
}

/// The pack's decision as a hand-written `if` chain; the number graded A or B.
fn decide_places(places: &[Place]) -> usize {
    places
        .iter()
        .filter(|p| {
            let grade = if p.key_failed || p.score < 60.0 {
                "not graded"
            } else if p.outbreak {
                "C"
            } else if p.score >= 90.0 {
                "A"
            } else if p.score >= 70.0 {
                "B"
            } else {
                "C"
            };
            grade == "A" || grade == "B"
        })
        .count()
}

/// A value laid out as the engine's record store holds one: 24 bytes, a tag then its
/// payload (a key inline, a truth value, an exact number as numerator and denominator).
#[derive(Clone, Copy)]
enum Tagged {
    Text(#[allow(dead_code)] [u8; 22]),
    Flag(bool),
    Number(i64, u64),
}

/// The places as the record store lays them out: four 24-byte values a place, in one
/// vector (id, key_failed, outbreak, score in tenths).
fn tagged_places(places: &[Place]) -> Vec<Tagged> {
    assert_eq!(std::mem::size_of::<Tagged>(), 24);
    let mut out = Vec::with_capacity(4 * places.len());
    for p in places {
        let mut id = [0; 22];
        id[..p.id.len()].copy_from_slice(p.id.as_bytes());
        out.extend([
            Tagged::Text(id),
            Tagged::Flag(p.key_failed),
            Tagged::Flag(p.outbreak),
            Tagged::Number((p.score * 10.0).round() as i64, 10),
        ]);
    }
    out
}

/// The same hand-written decision over that layout (exact: `a/b < c` as `a < c·b`): the
/// floor of deciding from 24-byte values, whatever reads them.
fn decide_tagged(values: &[Tagged]) -> usize {
    let below = |x: (i64, u64), c: i128| i128::from(x.0) < c * i128::from(x.1);
    values
        .chunks_exact(4)
        .filter(|r| {
            let (Tagged::Flag(key_failed), Tagged::Flag(outbreak), Tagged::Number(a, b)) =
                (r[1], r[2], r[3])
            else {
                return false;
            };
            let score = (a, b);
            let grade = if key_failed || below(score, 60) {
                "not graded"
            } else if outbreak {
                "C"
            } else if !below(score, 90) {
                "A"
            } else if !below(score, 70) {
                "B"
            } else {
                "C"
            };
            grade == "A" || grade == "B"
        })
        .count()
}

/// The decision workload: the floors (typed read, hand-written decision over typed fields
/// and over 24-byte values) against the engine's read, evaluation and end to end, on one
/// thread (and end to end on two), per record.
fn places(c: &mut Criterion) {
    let pool = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .stack_size(scorecard::WORKER_STACK)
            .build()
            .unwrap()
    };
    let (one, two) = (pool(1), pool(2));
    let plan = pack(Shape::Places.pack());
    for n in sizes().into_iter().filter(|n| *n >= 100_000) {
        let text = synth::generate(&Spec::new(Shape::Places, 1, n), Format::Ndjson);
        let typed = read_places(&text);
        let tagged = tagged_places(&typed);
        assert_eq!(decide_tagged(&tagged), decide_places(&typed));
        let ds = one.install(|| plan.read_ndjson(text.as_bytes()).unwrap());
        // the hand-written decision agrees with the engine
        let outcome = plan.score(&ds).unwrap();
        assert_eq!(
            outcome
                .indicator("ab_share")
                .and_then(|i| i.numerator.clone()),
            Some(decide_places(&typed).to_string())
        );
        let mut g = c.benchmark_group(format!("place-grading/{n}"));
        g.throughput(Throughput::Elements(n as u64));
        g.sample_size(10).sampling_mode(SamplingMode::Flat);
        g.warm_up_time(Duration::from_millis(500));
        g.bench_function("floor: serde each line into a typed struct", |b| {
            b.iter(|| read_places(black_box(&text)))
        });
        g.bench_function("floor: hand-written decision", |b| {
            b.iter(|| decide_places(black_box(&typed)))
        });
        g.bench_function("floor: hand-written decision over 24-byte values", |b| {
            b.iter(|| decide_tagged(black_box(&tagged)))
        });
        g.bench_function("read NDJSON into a Dataset, 1 thread", |b| {
            b.iter(|| one.install(|| plan.read_ndjson(black_box(text.as_bytes())).unwrap()))
        });
        g.bench_function("evaluate, 1 thread", |b| {
            b.iter(|| one.install(|| plan.score(black_box(&ds)).unwrap()))
        });
        g.bench_function("end to end, 1 thread", |b| {
            b.iter(|| {
                one.install(|| {
                    let ds = plan.read_ndjson(black_box(text.as_bytes())).unwrap();
                    plan.score(&ds).unwrap().to_json()
                })
            })
        });
        // the whole run on a pool of two, as the CLI runs it with --threads 2 (reading on
        // the caller's thread beside a pool of two would be three threads on two cores)
        g.bench_function("end to end, 2 threads", |b| {
            b.iter(|| {
                two.install(|| {
                    let ds = plan.read_ndjson(black_box(text.as_bytes())).unwrap();
                    plan.score(&ds).unwrap().to_json()
                })
            })
        });
        g.finish();
    }
}

/// A pack with one band table of 64 bands over a number field.
fn band_pack() -> Plan {
    let bands: Vec<serde_json::Value> = (0..64)
        .map(|i| serde_json::json!({"min": i, "below": i + 1, "then": {"grade": format!("b{i}")}}))
        .collect();
    let pack = serde_json::json!({
        "name": "bands", "version": "1",
        "period": {"from": "2025-01-01", "to": "2025-12-31"},
        "collections": {"scores": {"fields": {"id": "string", "value": "number"}}},
        "measures": {"scores": {"grade": {"table": "grade"}}},
        "tables": {"grade": {"on": "scores", "input": "value", "bands": bands, "default": {"grade": "none"}}},
        "indicators": {"graded": {"kind": "count", "population": {"collection": "scores", "where": "grade != \"none\""}}}
    });
    Plan::from_json(&pack.to_string()).unwrap()
}

fn bands(c: &mut Criterion) {
    let plan = band_pack();
    let mut g = c.benchmark_group("band table, 64 bands, 100k records");
    for (name, value) in [
        ("first band", "0.5"),
        ("middle band", "31.5"),
        ("last band", "63.5"),
        ("no band (default)", "99"),
    ] {
        let recs: Vec<String> = (0..100_000)
            .map(|i| format!(r#"{{"id": "S{i:06}", "value": {value}}}"#))
            .collect();
        let text = format!(r#"{{"scores": [{}]}}"#, recs.join(","));
        let ds = plan.read(&text).unwrap();
        g.bench_with_input(BenchmarkId::new("evaluate", name), &ds, |b, ds| {
            b.iter(|| plan.score(black_box(ds)).unwrap())
        });
    }
    g.finish();
}

fn load(c: &mut Criterion) {
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let mut g = c.benchmark_group("load and compile");
    for dir in scorecard::fixtures::packs(&rules) {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        g.bench_function(name, |b| b.iter(|| Plan::load(black_box(&dir)).unwrap()));
    }
    g.finish();
}

criterion_group!(name = g; config = Criterion::default(); targets = load, bands, scale, places);
criterion_main!(g);
