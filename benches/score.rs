//! Benchmarks: loading the default pack, reading the sample county, scoring it.
//! Run with `cargo bench --bench score`; compare the figures as ratios within one run.

use criterion::{criterion_group, criterion_main, Criterion};
use scorecard::Plan;
use std::hint::black_box;
use std::path::Path;

fn benches(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let pack = root.join("rules/supervision-coverage");
    let text = std::fs::read_to_string(pack.join("data/sample.json")).unwrap();
    let plan = Plan::load(&pack).unwrap();
    let ds = plan.read(&text).unwrap();

    c.bench_function("load+compile supervision-coverage", |b| {
        b.iter(|| Plan::load(black_box(&pack)).unwrap())
    });
    c.bench_function("parse sample JSON only (floor)", |b| {
        b.iter(|| serde_json::from_str::<serde_json::Value>(black_box(&text)).unwrap())
    });
    c.bench_function("read sample into a Dataset", |b| {
        b.iter(|| plan.read(black_box(&text)).unwrap())
    });
    c.bench_function("score a read Dataset", |b| {
        b.iter(|| plan.score(black_box(&ds)).unwrap())
    });
    c.bench_function("read+score+render JSON (end to end)", |b| {
        b.iter(|| plan.score_json(black_box(&text)).unwrap().to_json())
    });
}

criterion_group!(name = g; config = Criterion::default().sample_size(30); targets = benches);
criterion_main!(g);
