//! What a script hook costs per evaluated entity against the same logic declared natively:
//! two packs identical but for one measure, the staffing rule of a township, as a call of
//! the coordination-service script or as an `if` expression. `cargo bench --bench script_hook`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use scorecard::Plan;
use std::hint::black_box;
use std::path::{Path, PathBuf};

const STATIONS: usize = 5_000;

fn pack(dir: &Path, measure: &str, scripts: bool) -> Plan {
    std::fs::create_dir_all(dir.join("scripts")).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(
        root.join("rules/coordination-service/scripts/coordination.rhai"),
        dir.join("scripts/coordination.rhai"),
    )
    .unwrap();
    let scripts_json = if scripts {
        r#""scripts": { "files": ["scripts/coordination.rhai"], "functions": { "required_officers": { "params": ["string"], "returns": "number" } } },"#
    } else {
        ""
    };
    let text = format!(
        r#"{{ "name": "bench", "version": "0", "period": {{ "from": "2025-01-01", "to": "2025-12-31" }}, {scripts_json}
        "collections": {{
          "towns": {{ "fields": {{ "id": "string", "name": "string" }} }},
          "stations": {{ "fields": {{ "id": "string", "town": {{ "ref": "towns" }} }} }} }},
        "measures": {{ "stations": {{ "required": {{ "expr": {measure} }} }} }} }}"#
    );
    std::fs::write(dir.join("pack.json"), text).unwrap();
    Plan::load(dir).unwrap()
}

fn data() -> String {
    let names = [
        "灵溪镇",
        "龙港镇",
        "钱库镇",
        "金乡镇",
        "桥墩镇",
        "矾山镇",
        "马站镇",
        "宜山镇",
        "藻溪镇",
        "赤溪镇",
        "望里镇",
    ];
    let towns: Vec<String> = names
        .iter()
        .enumerate()
        .map(|(i, n)| format!(r#"{{"id": "T{i}", "name": "{n}"}}"#))
        .collect();
    let stations: Vec<String> = (0..STATIONS)
        .map(|i| format!(r#"{{"id": "S{i:05}", "town": "T{}"}}"#, i % names.len()))
        .collect();
    format!(
        r#"{{"towns": [{}], "stations": [{}]}}"#,
        towns.join(","),
        stations.join(",")
    )
}

fn benches(c: &mut Criterion) {
    let tmp: PathBuf = std::env::temp_dir().join(format!("scorecard-bench-{}", std::process::id()));
    let script = pack(
        &tmp.join("script"),
        r#""required_officers(town.name)""#,
        true,
    );
    let native = pack(
        &tmp.join("native"),
        r#""if town.name == \"灵溪镇\" || town.name == \"龙港镇\" { 3 } else { 2 }""#,
        false,
    );
    let ds = script.read(&data()).unwrap();
    let dn = native.read(&data()).unwrap();
    // both give the same answers
    let a = script.score(&ds).unwrap().records;
    let b = native.score(&dn).unwrap().records;
    assert_eq!(a, b);
    let mut g = c.benchmark_group("staffing rule per station");
    g.throughput(Throughput::Elements(STATIONS as u64));
    g.bench_function("native expression", |bch| {
        bch.iter(|| native.score(black_box(&dn)).unwrap())
    });
    g.bench_function("script hook", |bch| {
        bch.iter(|| script.score(black_box(&ds)).unwrap())
    });
    g.finish();
    let _ = std::fs::remove_dir_all(&tmp);
}

criterion_group!(name = g; config = Criterion::default().sample_size(20); targets = benches);
criterion_main!(g);
