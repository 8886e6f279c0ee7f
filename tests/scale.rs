//! Generated datasets (src/synth.rs), NDJSON streaming and parallel scoring: the same
//! dataset gives the same bytes whatever its format, its line order, or the threads.

use scorecard::synth::{self, Format, Shape, Spec};
use scorecard::Plan;
use std::path::Path;

fn plan(shape: Shape) -> Plan {
    Plan::load(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("rules")
            .join(shape.pack()),
    )
    .unwrap()
}

const SHAPES: [Shape; 3] = [Shape::Coverage, Shape::Catering, Shape::County];

#[test]
fn generator_is_deterministic_and_seeded() {
    for shape in SHAPES {
        let a = synth::generate(&Spec::new(shape, 7, 500), Format::Json);
        let b = synth::generate(&Spec::new(shape, 7, 500), Format::Json);
        let c = synth::generate(&Spec::new(shape, 8, 500), Format::Json);
        assert_eq!(a, b, "{shape:?}: same seed, same bytes");
        assert_ne!(a, c, "{shape:?}: another seed, other data");
    }
}

#[test]
fn generated_data_is_clean_and_sized() {
    for shape in SHAPES {
        let p = plan(shape);
        let text = synth::generate(&Spec::new(shape, 3, 2_000), Format::Json);
        let ds = p.read(&text).unwrap();
        for c in p.collection_names() {
            let a = p.accounting(&ds, c).unwrap();
            assert!(
                a.rejected.is_empty(),
                "{shape:?} {c}: {:?}",
                a.rejected.first()
            );
            assert_eq!(a.read, a.used + a.excluded, "{shape:?} {c}");
        }
        assert_eq!(
            p.accounting(&ds, "inspections").unwrap().read,
            2_000,
            "{shape:?}"
        );
        assert_eq!(
            p.accounting(&ds, "jurisdictions").unwrap().read,
            100,
            "{shape:?}: a city, 9 counties, 90 townships"
        );
        // every shape's pack scores it
        p.score(&ds).unwrap();
    }
}

#[test]
fn json_and_ndjson_give_the_same_outcome() {
    for shape in SHAPES {
        let p = plan(shape);
        let spec = Spec::new(shape, 11, 1_500);
        let json = synth::generate(&spec, Format::Json);
        let lines = synth::generate(&spec, Format::Ndjson);
        let a = p.score_json(&json).unwrap().to_json();
        let ds = p.read_ndjson(lines.as_bytes()).unwrap();
        let b = p.score(&ds).unwrap().to_json();
        assert_eq!(a, b, "{shape:?}");
    }
}

#[test]
fn ndjson_line_order_does_not_matter() {
    let p = plan(Shape::Coverage);
    let lines = synth::generate(&Spec::new(Shape::Coverage, 5, 1_000), Format::Ndjson);
    let mut shuffled: Vec<&str> = lines.lines().collect();
    shuffled.reverse();
    let n = shuffled.len();
    shuffled.swap(0, n / 2);
    let a = p
        .score(&p.read_ndjson(lines.as_bytes()).unwrap())
        .unwrap()
        .to_json();
    let b = p
        .score(&p.read_ndjson(shuffled.join("\n").as_bytes()).unwrap())
        .unwrap()
        .to_json();
    assert_eq!(a, b);
}

#[test]
fn one_thread_and_many_give_the_same_bytes() {
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let four = rayon::ThreadPoolBuilder::new()
        .num_threads(4)
        .build()
        .unwrap();
    for shape in SHAPES {
        let p = plan(shape);
        let text = synth::generate(&Spec::new(shape, 2, 3_000), Format::Json);
        let a = one.install(|| p.score_json(&text).unwrap().to_json());
        let b = four.install(|| p.score_json(&text).unwrap().to_json());
        assert_eq!(a, b, "{shape:?}");
    }
}

#[test]
fn ndjson_errors_name_the_line() {
    let p = plan(Shape::Coverage);
    let period = r#"{"period": {"from": "2025-01-01", "to": "2025-12-31"}}"#;
    let err = |text: String| p.read_ndjson(text.as_bytes()).unwrap_err().to_string();

    let e = err(format!("{period}\n{{\"units\": {{\"id\": \"U1\"\n"));
    assert!(e.contains("line 2"), "{e}");
    assert!(e.contains("not valid JSON"), "{e}");

    let e = err(format!("{period}\n\n{{\"wards\": {{\"id\": \"W1\"}}}}\n"));
    assert!(e.contains("line 3: 'wards' is not a collection"), "{e}");

    let e = err(format!("{period}\n[1, 2]\n"));
    assert!(e.contains("line 2") && e.contains("one member"), "{e}");

    let e = err(format!(
        "{period}\n{{\"units\": {{\"id\": \"U1\"}}, \"cases\": {{\"id\": \"K1\"}}}}\n"
    ));
    assert!(e.contains("line 2") && e.contains("one member"), "{e}");

    let e = err(format!("{period}\n{period}\n"));
    assert!(e.contains("more than one period"), "{e}");
}

/// The label of a rejected record without a usable key: `#` and 12 hex digits of the
/// SHA-256 of its text.
fn label(text: &str) -> String {
    use sha2::Digest;
    let d = sha2::Sha256::digest(text.as_bytes());
    format!(
        "#{}",
        d[..6]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    )
}

/// The coverage pack's other collections, there with no records.
const NONE_BUT_UNITS: &str = r#"{"inspections": []}
{"events": []}
{"complaints": []}
{"cases": []}"#;

#[test]
fn ndjson_rejections_are_accounted_with_labels() {
    let p = plan(Shape::Coverage);
    let text = [
        r#"{"period": {"from": "2025-01-01", "to": "2025-12-31"}}"#,
        r#"{"jurisdictions": {"id": "T1", "name": "镇", "level": "township"}}"#,
        r#"{"units": {"id": "U1", "name": "店", "category": "hotel", "township": "T1", "status": "active", "archived": true}}"#,
        r#"{"units": 5}"#,
        r#"{"units": {"id": "U2", "name": "店", "category": "hotel", "township": "T9", "status": "active", "archived": true}}"#,
        r#"{"units": {"id": "U3", "id": "U3", "name": "店", "category": "hotel", "township": "T1", "status": "active", "archived": true}}"#,
        NONE_BUT_UNITS,
    ]
    .join("\n");
    let ds = p.read_ndjson(text.as_bytes()).unwrap();
    let a = p.accounting(&ds, "units").unwrap();
    assert_eq!((a.read, a.used), (4, 1));
    let reasons: Vec<(&str, &str)> = a
        .rejected
        .iter()
        .map(|r| (r.key.as_str(), r.reason.as_str()))
        .collect();
    assert_eq!(
        reasons,
        [
            (label("5").as_str(), "a record is an object, found number 5"),
            (
                "U2",
                "field 'township': no jurisdictions record has key 'T9'"
            ),
            ("U3", "field 'id' appears more than once"),
        ]
    );
}

#[test]
fn a_json_document_with_a_collection_twice_is_an_error() {
    let p = plan(Shape::Coverage);
    let e = p
        .read(r#"{"period": {"from": "2025-01-01", "to": "2025-12-31"}, "units": [], "units": []}"#)
        .unwrap_err()
        .to_string();
    assert!(e.contains("'units' appears twice"), "{e}");
    assert!(e.contains("line 1"), "{e}");
}

#[test]
fn ndjson_read_in_many_chunks_is_the_same_as_one_document() {
    // about 3 MB of lines: several chunks, converted on several threads
    let p = plan(Shape::Coverage);
    let spec = Spec::new(Shape::Coverage, 5, 30_000);
    let json = synth::generate(&spec, Format::Json);
    let lines = synth::generate(&spec, Format::Ndjson);
    assert!(lines.len() > 2 << 20, "{} bytes", lines.len());
    let a = p.score_json(&json).unwrap().to_json();
    // windows line endings and no final newline change nothing
    let crlf = lines.trim_end().replace('\n', "\r\n");
    for text in [&lines, &crlf] {
        let b = p
            .score(&p.read_ndjson(text.as_bytes()).unwrap())
            .unwrap()
            .to_json();
        assert_eq!(a, b);
    }
}

#[test]
fn the_first_error_of_many_chunks_is_the_one_reported_whatever_the_threads() {
    // about 6 MB of lines, so several chunks; two faults a few chunks apart, either order
    let p = plan(Shape::Coverage);
    let lines = synth::generate(&Spec::new(Shape::Coverage, 5, 60_000), Format::Ndjson);
    let mut all: Vec<&str> = lines.lines().collect();
    assert!(lines.len() > 5 << 20 && all[0].starts_with("{\"period\""));
    let period = all[0].to_string();
    let (early, late) = (all.len() / 3, 2 * all.len() / 3);
    let bad = r#"{"units": {"id": "U1""#;
    for (first, second, expected) in [
        (
            bad,
            period.as_str(),
            format!("at line {}, column", early + 1),
        ),
        (
            period.as_str(),
            bad,
            "more than one period line".to_string(),
        ),
    ] {
        all[early] = first;
        all[late] = second;
        let text = all.join("\n");
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .stack_size(scorecard::WORKER_STACK)
                .build()
                .unwrap();
            let e = pool
                .install(|| p.read_ndjson(text.as_bytes()))
                .unwrap_err()
                .to_string();
            assert!(e.contains(&expected), "{threads} threads: {e}");
        }
    }
}

#[test]
fn an_ndjson_line_longer_than_a_chunk_is_read_whole() {
    let p = plan(Shape::Coverage);
    let name = "长".repeat(1_000_000); // 3 MB of text in one record
    let text = format!(
        "{}\n{}\n{{\"units\": []}}\n{NONE_BUT_UNITS}\n",
        r#"{"period": {"from": "2025-01-01", "to": "2025-12-31"}}"#,
        format_args!(
            r#"{{"jurisdictions": {{"id": "T1", "name": "{name}", "level": "township"}}}}"#
        )
    );
    let ds = p.read_ndjson(text.as_bytes()).unwrap();
    let a = p.accounting(&ds, "jurisdictions").unwrap();
    assert_eq!((a.read, a.used), (1, 1));
    let outcome = p.score(&ds).unwrap();
    assert_eq!(
        outcome
            .group("T1")
            .and_then(|g| g.name.as_deref())
            .map(str::len),
        Some(3_000_000)
    );
}

#[test]
fn ndjson_that_is_not_utf8_names_the_line() {
    let p = plan(Shape::Coverage);
    let mut text = b"{\"period\": {\"from\": \"2025-01-01\", \"to\": \"2025-12-31\"}}\n".to_vec();
    text.extend_from_slice(
        b"{\"jurisdictions\": {\"id\": \"T1\", \"name\": \"\xff\", \"level\": \"township\"}}\n",
    );
    let e = p.read_ndjson(&text[..]).unwrap_err().to_string();
    assert!(e.contains("line 2") && e.contains("not UTF-8"), "{e}");
}

#[test]
fn records_rejected_across_chunks_are_the_ones_at_fault() {
    // the JSON reader converts records in chunks of 2048; rejections at a chunk's edges
    // stay with their records, whether the reader borrows the text or owns it
    let p = plan(Shape::Coverage);
    let json = synth::generate(&Spec::new(Shape::Coverage, 9, 5_000), Format::Json);
    let mut doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    let insp = doc["inspections"].as_array_mut().unwrap();
    let mut expected = Vec::new();
    for i in [0, 2047, 2048, 4095, 4999] {
        insp[i]["date"] = "2025-02-30".into();
        expected.push(insp[i]["id"].as_str().unwrap().to_string());
    }
    insp[2049] = serde_json::json!({"unit": insp[2049]["unit"], "date": 5});
    expected.push(label(&insp[2049].to_string()));
    expected.sort();
    let text = doc.to_string();
    let owned = p.read_owned(text.clone()).unwrap();
    let mut keys: Vec<String> = p
        .accounting(&owned, "inspections")
        .unwrap()
        .rejected
        .iter()
        .map(|r| r.key.clone())
        .collect();
    keys.sort();
    assert_eq!(keys, expected);
    let borrowed = p.read(&text).unwrap();
    for c in p.collection_names() {
        assert_eq!(p.accounting(&owned, c), p.accounting(&borrowed, c), "{c}");
    }
    let lines: String = doc
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(k, v)| match v {
            serde_json::Value::Array(recs) => recs
                .iter()
                .map(|r| serde_json::json!({ k.as_str(): r }).to_string() + "\n")
                .collect(),
            other => vec![serde_json::json!({ k.as_str(): other }).to_string() + "\n"],
        })
        .collect();
    let streamed = p.read_ndjson(lines.as_bytes()).unwrap();
    assert_eq!(
        p.score(&owned).unwrap().to_json(),
        p.score(&streamed).unwrap().to_json()
    );
}

#[test]
fn generated_places_are_clean_sized_and_the_same_from_json_and_ndjson() {
    let p = plan(Shape::Places);
    let json = synth::generate(&Spec::new(Shape::Places, 3, 5_000), Format::Json);
    let ndjson = synth::generate(&Spec::new(Shape::Places, 3, 5_000), Format::Ndjson);
    let ds = p.read(&json).unwrap();
    let a = p.accounting(&ds, "places").unwrap();
    assert_eq!((a.read, a.used), (5_000, 5_000), "{:?}", a.rejected.first());
    let from_json = p.score(&ds).unwrap().to_json();
    let from_ndjson = p
        .score(&p.read_ndjson(ndjson.as_bytes()).unwrap())
        .unwrap()
        .to_json();
    assert_eq!(from_json, from_ndjson);
    // every grade occurs (the distribution reaches every row of the table)
    let o = p.score(&ds).unwrap();
    let breakdown = o.indicator("ab_share").unwrap().breakdown.clone().unwrap();
    for grade in ["A", "B", "C", "not graded"] {
        assert!(
            breakdown.get(grade).is_some_and(|n| *n > 0),
            "{grade}: {breakdown:?}"
        );
    }
}
