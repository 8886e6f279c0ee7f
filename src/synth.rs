//! Synthetic datasets for benchmarks and tests: deterministic from a seed and a size,
//! shaped like a province's year of supervision.
//!
//! A dataset has about 100 jurisdictions in a three-level hierarchy (a city, 9 counties,
//! 90 townships), units of every category the pack knows (about one unit per ten
//! inspections, a few closed), a year of inspections (for the catering shape each with a
//! 9-item checklist whose sub-items carry points and ★ key flags), and the events,
//! complaints, cases, incidents, penalties, reports, staff and trainings the shape's pack
//! declares. The same seed and size always give the same bytes, in both formats.
//!
//! Shapes follow the shipped packs' collections: [`Shape::Coverage`] for
//! `supervision-coverage`, [`Shape::Catering`] for `catering-grading`, [`Shape::County`]
//! for `county-assessment` (coverage plus reports, staff and trainings).
//!
//! Formats: [`Format::Json`] is one dataset document; [`Format::Ndjson`] is one JSON
//! object per line: `{"period": {…}}` first, then `{"<collection>": {record}}` per record
//! (see `docs/pack-format.md`, "NDJSON datasets").
//!
//! ```
//! let mut out = Vec::new();
//! scorecard::synth::write(&scorecard::synth::Spec::new(scorecard::synth::Shape::Coverage, 7, 1_000),
//!     scorecard::synth::Format::Json, &mut out).unwrap();
//! let plan = scorecard::Plan::load(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/supervision-coverage")).unwrap();
//! let ds = plan.read(std::str::from_utf8(&out).unwrap()).unwrap();
//! assert!(plan.collection_names().all(|c| plan.accounting(&ds, c).unwrap().rejected.is_empty()));
//! ```

use chrono::{Duration, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value as Json};
use std::io::{self, Write};

/// Which pack's collections a dataset has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// `supervision-coverage`: jurisdictions, units, inspections, events, complaints, cases.
    Coverage,
    /// `catering-grading`: jurisdictions, units, inspections with checklists, incidents,
    /// penalties, last year's grades.
    Catering,
    /// `county-assessment`: the coverage collections plus reports, staff and trainings.
    County,
    /// `place-grading`: small records, one decision each (a key item failed 3 %, an
    /// outbreak 1 %, a score from 40.0 to 100.0 with one decimal); `inspections` is the
    /// number of places.
    Places,
}

impl Shape {
    /// The shipped pack (folder under `rules/`) this shape is for.
    pub fn pack(self) -> &'static str {
        match self {
            Shape::Coverage => "supervision-coverage",
            Shape::Catering => "catering-grading",
            Shape::County => "county-assessment",
            Shape::Places => "place-grading",
        }
    }
}

/// How a dataset is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// One JSON document.
    Json,
    /// One JSON object per line.
    Ndjson,
}

/// What to generate.
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    /// Collections.
    pub shape: Shape,
    /// The seed: same seed and size, same bytes.
    pub seed: u64,
    /// Number of inspections; every other collection is sized from it.
    pub inspections: usize,
}

impl Spec {
    /// A spec.
    pub fn new(shape: Shape, seed: u64, inspections: usize) -> Spec {
        Spec {
            shape,
            seed,
            inspections,
        }
    }
}

const YEAR: i32 = 2025;
const COUNTIES: usize = 9;
const TOWNSHIPS_PER_COUNTY: usize = 10;
const COVERAGE_CATEGORIES: [&str; 7] = [
    "catering",
    "school_canteen",
    "hotel",
    "public_place",
    "water_supply",
    "clinic",
    "occupational",
];
const CATERING_CATEGORIES: [&str; 4] = ["restaurant", "fast_food", "canteen", "school_canteen"];
const CHECKLIST: [&str; 9] = [
    "许可管理",
    "人员管理",
    "场所环境",
    "设施设备",
    "采购贮存",
    "加工制作",
    "清洗消毒",
    "食品添加剂",
    "检验运输",
];
const SURNAMES: [&str; 8] = ["王", "李", "张", "刘", "陈", "杨", "吴", "郑"];
const TRADES: [&str; 6] = ["饭店", "餐厅", "宾馆", "浴室", "水厂", "诊所"];

/// Writes records as one document or as lines.
struct Sink<'w> {
    out: &'w mut dyn Write,
    format: Format,
    /// The collection being written and how many of its records so far.
    open: Option<(&'static str, usize)>,
}

impl Sink<'_> {
    fn start(&mut self, period: &Json) -> io::Result<()> {
        match self.format {
            Format::Json => write!(self.out, "{{\"period\":{period}"),
            Format::Ndjson => writeln!(self.out, "{{\"period\":{period}}}"),
        }
    }

    fn collection(&mut self, name: &'static str) -> io::Result<()> {
        self.close()?;
        if self.format == Format::Json {
            write!(self.out, ",\n\"{name}\":[")?;
        }
        self.open = Some((name, 0));
        Ok(())
    }

    fn record(&mut self, rec: &Json) -> io::Result<()> {
        let Some((name, n)) = self.open.as_mut() else {
            return Err(io::Error::other("a record outside a collection"));
        };
        match self.format {
            Format::Json => {
                let sep = if *n == 0 { "\n" } else { ",\n" };
                write!(self.out, "{sep}{rec}")?;
            }
            Format::Ndjson => writeln!(self.out, "{{\"{name}\":{rec}}}")?,
        }
        *n += 1;
        Ok(())
    }

    /// Ends the open collection; one with no records is said to be there with none (an
    /// input that leaves a collection out is an error).
    fn close(&mut self) -> io::Result<()> {
        match (self.open.take(), self.format) {
            (Some(_), Format::Json) => write!(self.out, "\n]"),
            (Some((name, 0)), Format::Ndjson) => writeln!(self.out, "{{\"{name}\":[]}}"),
            _ => Ok(()),
        }
    }

    fn finish(mut self) -> io::Result<()> {
        self.close()?;
        if self.format == Format::Json {
            writeln!(self.out, "}}")?;
        }
        self.out.flush()
    }
}

/// A day of the year.
fn day(rng: &mut ChaCha8Rng) -> NaiveDate {
    let start = NaiveDate::from_ymd_opt(YEAR, 1, 1).unwrap_or_default();
    start + Duration::days(rng.random_range(0..365))
}

/// The jurisdiction keys: the city, its counties, then townships by county.
struct Jurisdictions {
    townships: Vec<String>,
}

fn jurisdictions(sink: &mut Sink, with_level: bool) -> io::Result<Jurisdictions> {
    sink.collection("jurisdictions")?;
    let rec = |id: &str, name: String, level: &str, parent: Option<&str>| {
        let mut r = json!({ "id": id, "name": name });
        if with_level {
            r["level"] = json!(level);
        }
        if let Some(p) = parent {
            r["parent"] = json!(p);
        }
        r
    };
    sink.record(&rec("J00", "温州市".into(), "county", None))?;
    let mut townships = Vec::new();
    for c in 1..=COUNTIES {
        let cid = format!("J{c:02}");
        sink.record(&rec(&cid, format!("第{c}县"), "county", Some("J00")))?;
        for t in 1..=TOWNSHIPS_PER_COUNTY {
            let tid = format!("J{c:02}T{t:02}");
            sink.record(&rec(
                &tid,
                format!("第{c}县第{t}镇"),
                "township",
                Some(&cid),
            ))?;
            townships.push(tid);
        }
    }
    Ok(Jurisdictions { townships })
}

fn name(rng: &mut ChaCha8Rng) -> String {
    format!(
        "{}记{}",
        SURNAMES[rng.random_range(0..SURNAMES.len())],
        TRADES[rng.random_range(0..TRADES.len())]
    )
}

/// Units: one per ten inspections (at least one).
fn unit_count(spec: &Spec) -> usize {
    (spec.inspections / 10).max(1)
}

/// The inspections of each unit: ten on average, from 1 to 19, summing to the spec.
fn inspections_per_unit(rng: &mut ChaCha8Rng, spec: &Spec) -> Vec<usize> {
    let units = unit_count(spec);
    let mut per: Vec<usize> = (0..units).map(|_| rng.random_range(1..20)).collect();
    let mut total: usize = per.iter().sum();
    // adjust to the exact total, one unit at a time, deterministically
    let mut i = 0;
    while total != spec.inspections && units > 0 {
        let u = i % units;
        if total < spec.inspections {
            per[u] += 1;
            total += 1;
        } else if per[u] > 0 {
            per[u] -= 1;
            total -= 1;
        }
        i += 1;
    }
    per
}

/// Writes the dataset `spec` describes in `format`.
pub fn write(spec: &Spec, format: Format, out: &mut dyn Write) -> io::Result<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    let mut sink = Sink {
        out,
        format,
        open: None,
    };
    let period = match spec.shape {
        Shape::Catering => json!({"from": "2025-01-01", "to": "2025-12-31", "as_of": "2025-12-31"}),
        _ => json!({"from": "2025-01-01", "to": "2025-12-31"}),
    };
    sink.start(&period)?;
    match spec.shape {
        Shape::Coverage => coverage(&mut rng, spec, &mut sink, false)?,
        Shape::County => coverage(&mut rng, spec, &mut sink, true)?,
        Shape::Catering => catering(&mut rng, spec, &mut sink)?,
        Shape::Places => places(&mut rng, spec, &mut sink)?,
    }
    sink.finish()
}

/// Generates a dataset into memory as text.
pub fn generate(spec: &Spec, format: Format) -> String {
    let mut out = Vec::new();
    // writing to a Vec cannot fail, and the generator writes only UTF-8
    let _ = write(spec, format, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Places, in key order: `{"id": "P0000001", "key_failed": false, "outbreak": false,
/// "score": 72.4}`.
fn places(rng: &mut ChaCha8Rng, spec: &Spec, sink: &mut Sink) -> io::Result<()> {
    sink.collection("places")?;
    for i in 0..spec.inspections {
        let tenths: u32 = rng.random_range(400..=1000);
        let key_failed = rng.random_bool(0.03);
        let outbreak = rng.random_bool(0.01);
        // the score as JSON number text with one decimal, never through f64
        let score: Json = serde_json::from_str(&format!("{}.{}", tenths / 10, tenths % 10))
            .map_err(io::Error::other)?;
        sink.record(&json!({
            "id": format!("P{i:07}"),
            "key_failed": key_failed,
            "outbreak": outbreak,
            "score": score,
        }))?;
    }
    Ok(())
}

fn coverage(rng: &mut ChaCha8Rng, spec: &Spec, sink: &mut Sink, county: bool) -> io::Result<()> {
    let j = jurisdictions(sink, true)?;
    let per_unit = inspections_per_unit(rng, spec);
    sink.collection("units")?;
    for u in 0..per_unit.len() {
        let category = COVERAGE_CATEGORIES[rng.random_range(0..COVERAGE_CATEGORIES.len())];
        let mut r = json!({
            "id": format!("U{u:07}"),
            "name": name(rng),
            "category": category,
            "township": j.townships[rng.random_range(0..j.townships.len())],
            "status": if rng.random_bool(0.03) { "closed" } else { "active" },
            "archived": rng.random_bool(0.97),
        });
        if category == "occupational" {
            r["hazard_declared"] = json!(rng.random_bool(0.95));
        }
        sink.record(&r)?;
    }
    sink.collection("inspections")?;
    let mut n = 0usize;
    for (u, &k) in per_unit.iter().enumerate() {
        for _ in 0..k {
            let kind = match rng.random_range(0..10) {
                0..=6 => "routine",
                7 | 8 => "special",
                _ => "follow_up",
            };
            sink.record(&json!({
                "id": format!("I{n:08}"),
                "unit": format!("U{u:07}"),
                "date": day(rng).to_string(),
                "kind": kind,
            }))?;
            n += 1;
        }
    }
    let township =
        |rng: &mut ChaCha8Rng| j.townships[rng.random_range(0..j.townships.len())].clone();
    sink.collection("events")?;
    let events = [
        "food",
        "water",
        "school",
        "illegal_practice",
        "illegal_blood",
    ];
    for e in 0..(spec.inspections / 50).max(1) {
        sink.record(&json!({
            "id": format!("E{e:07}"),
            "township": township(rng),
            "category": events[rng.random_range(0..events.len())],
            "found": day(rng).to_string(),
            "reported": rng.random_bool(0.98),
        }))?;
    }
    if !county {
        sink.collection("complaints")?;
        for c in 0..(spec.inspections / 100).max(1) {
            let recorded = rng.random_bool(0.99);
            sink.record(&json!({
                "id": format!("Q{c:07}"),
                "township": township(rng),
                "received": day(rng).to_string(),
                "recorded": recorded,
                "reported": recorded && rng.random_bool(0.98),
            }))?;
        }
    }
    sink.collection("cases")?;
    for c in 0..(spec.inspections / 100).max(1) {
        sink.record(&json!({
            "id": format!("K{c:07}"),
            "township": township(rng),
            "accepted": day(rng).to_string(),
            "closed": rng.random_bool(0.9),
        }))?;
    }
    if county {
        county_extras(rng, &j, sink)?;
    }
    Ok(())
}

/// Monthly reports of every township, and the staff of every township with their trainings.
fn county_extras(rng: &mut ChaCha8Rng, j: &Jurisdictions, sink: &mut Sink) -> io::Result<()> {
    sink.collection("reports")?;
    let mut n = 0;
    for t in &j.townships {
        for m in 1..=12u32 {
            let first_next =
                NaiveDate::from_ymd_opt(YEAR + (m / 12) as i32, m % 12 + 1, 1).unwrap_or_default();
            let covers_to = first_next - Duration::days(1);
            let mut r = json!({
                "id": format!("R{n:06}"),
                "reporter": t,
                "kind": "monthly",
                "covers_to": covers_to.to_string(),
            });
            if rng.random_bool(0.97) {
                let lag = rng.random_range(1..12);
                r["submitted"] = json!((covers_to + Duration::days(lag)).to_string());
            }
            sink.record(&r)?;
            n += 1;
        }
    }
    sink.collection("staff")?;
    let roles = [
        "supervisor",
        "coordinator_full_time",
        "coordinator_part_time",
    ];
    let mut staff = Vec::new();
    for t in &j.townships {
        for s in 0..5 {
            let id = format!("S{:05}", staff.len());
            sink.record(&json!({
                "id": id,
                "name": format!("{}{}", SURNAMES[rng.random_range(0..SURNAMES.len())], s),
                "unit": t,
                "role": roles[rng.random_range(0..roles.len())],
            }))?;
            staff.push(id);
        }
    }
    sink.collection("trainings")?;
    let mut n = 0;
    for s in &staff {
        for _ in 0..rng.random_range(3..8) {
            sink.record(&json!({
                "id": format!("L{n:06}"),
                "person": s,
                "date": day(rng).to_string(),
                "hours": rng.random_range(4..13),
                "online": rng.random_bool(0.3),
                "course": "法规与监督实务",
            }))?;
            n += 1;
        }
    }
    Ok(())
}

/// A checklist: 9 items of 3 sub-items worth 4, 3 and 3 points; the first sub-item of some
/// items is a ★ key item; a failed sub-item earns part of its points (one decimal).
fn checklist(rng: &mut ChaCha8Rng, diligence: u32) -> Json {
    let items: Vec<Json> = CHECKLIST
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let applicable = !(i == 7 && rng.random_bool(0.3));
            let subitems: Vec<Json> = [4u32, 3, 3]
                .iter()
                .enumerate()
                .map(|(s, &max)| {
                    let key = s == 0 && i % 3 == 0;
                    let passed = rng.random_range(0..100) < diligence;
                    let points = if passed {
                        json!(max)
                    } else {
                        // tenths of a point below the maximum, written with one decimal
                        let tenths = rng.random_range(0..max * 10);
                        serde_json::Number::from_string_unchecked(format!(
                            "{}.{}",
                            tenths / 10,
                            tenths % 10
                        ))
                        .into()
                    };
                    json!({ "points": points, "key": key, "passed": passed })
                })
                .collect();
            json!({ "item": item, "applicable": applicable, "subitems": subitems })
        })
        .collect();
    Json::Array(items)
}

fn catering(rng: &mut ChaCha8Rng, spec: &Spec, sink: &mut Sink) -> io::Result<()> {
    let j = jurisdictions(sink, false)?;
    let per_unit = inspections_per_unit(rng, spec);
    sink.collection("units")?;
    let mut licensed = Vec::with_capacity(per_unit.len());
    for u in 0..per_unit.len() {
        // one in twenty licensed this year (some within 3 months of an inspection)
        let date = if rng.random_bool(0.05) {
            day(rng)
        } else {
            NaiveDate::from_ymd_opt(rng.random_range(2012..YEAR), rng.random_range(1..13), 1)
                .unwrap_or_default()
                + Duration::days(rng.random_range(0..28))
        };
        licensed.push(date);
        sink.record(&json!({
            "id": format!("U{u:07}"),
            "name": name(rng),
            "township": j.townships[rng.random_range(0..j.townships.len())],
            "category": CATERING_CATEGORIES[rng.random_range(0..CATERING_CATEGORIES.len())],
            "licensed": date.to_string(),
        }))?;
    }
    sink.collection("inspections")?;
    let mut n = 0usize;
    for (u, &k) in per_unit.iter().enumerate() {
        // how carefully a unit keeps the rules: most pass most sub-items
        let diligence = rng.random_range(70..100);
        for _ in 0..k {
            let date = day(rng).max(licensed[u]);
            sink.record(&json!({
                "id": format!("I{n:08}"),
                "unit": format!("U{u:07}"),
                "date": date.to_string(),
                "items": checklist(rng, diligence),
            }))?;
            n += 1;
        }
    }
    let units = per_unit.len();
    sink.collection("incidents")?;
    for x in 0..(units / 50).max(1) {
        sink.record(&json!({
            "id": format!("X{x:07}"),
            "unit": format!("U{:07}", rng.random_range(0..units)),
            "date": day(rng).to_string(),
        }))?;
    }
    sink.collection("penalties")?;
    let kinds = [
        "warning",
        "fine",
        "confiscation",
        "suspension",
        "revocation",
    ];
    for p in 0..(units / 20).max(1) {
        sink.record(&json!({
            "id": format!("P{p:07}"),
            "unit": format!("U{:07}", rng.random_range(0..units)),
            "date": day(rng).to_string(),
            "kind": kinds[rng.random_range(0..kinds.len())],
        }))?;
    }
    sink.collection("last_year")?;
    for (i, t) in j.townships.iter().enumerate() {
        let base = units / j.townships.len();
        sink.record(&json!({
            "id": format!("LY{i:03}"),
            "township": t,
            "a_units": base / 8 + rng.random_range(0..3),
            "b_units": base / 2 + rng.random_range(0..3),
        }))?;
    }
    Ok(())
}
