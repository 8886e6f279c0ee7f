//! The outcome as one JSON document, pretty-printed (two spaces), the same bytes for the
//! same outcome.
//!
//! The document is serde's pretty JSON of [`Document`]. Its bulk is the records' table
//! (a line or three per record, a million records and more), so [`Outcome::write_json`]
//! writes that part itself: the rest of the document is serialised with an empty records
//! map, and the records are written in its place, rendered in blocks on the thread pool,
//! each in the very form serde gives them (a test holds the two to the same bytes).
//! A records table with a list in it goes through serde whole.

use super::{GroupResult, IndicatorResult, Outcome, Records, ScorecardResult};
use crate::data::Accounting;
use crate::plan::{PackMeta, Period};
use crate::value::Value;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;

/// The outcome's fields as the document lists them, in its order; `R` is the records'
/// table (the outcome's own, or a stand-in while the table is written apart).
#[derive(Serialize)]
pub(super) struct Document<'a, R: Serialize> {
    format: u32,
    engine: &'a str,
    pack: &'a PackMeta,
    #[serde(skip_serializing_if = "Option::is_none")]
    period: &'a Option<Period>,
    accounting: &'a BTreeMap<String, Accounting>,
    #[serde(skip_serializing_if = "is_none")]
    incomplete: &'a Option<super::IncompleteOutcome>,
    records: R,
    indicators: &'a BTreeMap<String, IndicatorResult>,
    #[serde(skip_serializing_if = "no_scorecard")]
    scorecard: &'a Option<ScorecardResult>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    grades: &'a BTreeMap<String, serde_json::Value>,
    groups: &'a BTreeMap<String, GroupResult>,
}

fn no_scorecard(s: &&Option<ScorecardResult>) -> bool {
    s.is_none()
}

fn is_none<T>(o: &&Option<T>) -> bool {
    o.is_none()
}

/// A records map with nothing in it: what the document shows while its records are
/// written apart.
struct NoRecords;

impl Serialize for NoRecords {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        s.serialize_map(Some(0))?.end()
    }
}

impl Outcome {
    fn document<R: Serialize>(&self, records: R) -> Document<'_, R> {
        Document {
            format: self.format,
            engine: &self.engine,
            pack: &self.pack,
            period: &self.period,
            accounting: &self.accounting,
            incomplete: &self.incomplete,
            records,
            indicators: &self.indicators,
            scorecard: &self.scorecard,
            grades: &self.grades,
            groups: &self.groups,
        }
    }

    /// The outcome as pretty JSON (deterministic).
    pub fn to_json(&self) -> String {
        // room for the records' table, a little more than it usually takes (so that it is
        // not copied as it grows): a record's lines, its key (as long as the first), and
        // each measure's line with a short value
        let table: usize = self
            .records
            .values()
            .map(|r| {
                let key = r.keys.first().and_then(Value::as_str).map_or(0, str::len);
                let measures: usize = r.measures.iter().map(|m| 28 + m.len()).sum();
                r.keys.len() * (24 + key + measures)
            })
            .sum();
        let mut text = String::with_capacity(table + (1 << 12));
        let assembled = self.assemble(&mut |part| {
            text.push_str(part);
            Ok(())
        });
        let done = match assembled {
            Ok(true) => Ok(text),
            Ok(false) => serde_json::to_string_pretty(&self.document(&self.records))
                .map_err(std::io::Error::from),
            Err(e) => Err(e),
        };
        done.unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }

    /// Writes the document [`Outcome::to_json`] gives, and a line end, to `w` as it is
    /// produced (a large outcome is never held as one text).
    pub fn write_json(&self, mut w: impl Write) -> std::io::Result<()> {
        if !self.assemble(&mut |part| w.write_all(part.as_bytes()))? {
            serde_json::to_writer_pretty(&mut w, &self.document(&self.records))?;
        }
        w.write_all(b"\n")
    }

    /// Gives the document to `emit` part by part, the records' table written apart;
    /// `false`, having given nothing, when the table has a list (serde then writes it all).
    fn assemble(&self, emit: &mut dyn FnMut(&str) -> std::io::Result<()>) -> std::io::Result<bool> {
        let plain = |r: &Records| r.values.all(|v| !v.is_list());
        if self.records.is_empty() || !self.records.values().all(plain) {
            return Ok(false);
        }
        let rest = serde_json::to_string_pretty(&self.document(NoRecords))?;
        // a key at the document's first level stands after a line end and two spaces, and
        // no text in the document has a line end of its own (strings escape theirs)
        const HOLE: &str = "\n  \"records\": {}";
        let at = rest
            .find(HOLE)
            .ok_or_else(|| std::io::Error::other("the records' place in the document"))?;
        emit(&rest[..at + HOLE.len() - 2])?;
        records(emit, &self.records)?;
        emit(&rest[at + HOLE.len()..])?;
        Ok(true)
    }
}

impl Serialize for Outcome {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.document(&self.records).serialize(s)
    }
}

/// Records rendered per block on the pool, and blocks per write.
const BLOCK: usize = 4096;
const BLOCKS_PER_WRITE: usize = 64;

/// Gives the records map, the value of the document's `records`, to `emit` as serde
/// writes it pretty at that depth: collections at four spaces, records at six, measures at
/// eight. The blocks of records are rendered (and their UTF-8 checked) on the pool, a batch
/// of them at a time, the next batch while this one is emitted.
fn records(
    emit: &mut dyn FnMut(&str) -> std::io::Result<()>,
    all: &BTreeMap<String, Records>,
) -> std::io::Result<()> {
    emit("{")?;
    for (k, (name, recs)) in all.iter().enumerate() {
        emit(if k == 0 { "\n    " } else { ",\n    " })?;
        emit(&serde_json::to_string(name)?)?;
        emit(": ")?;
        if recs.keys.is_empty() {
            emit("{}")?;
            continue;
        }
        emit("{")?;
        let parts = Parts::of(recs)?;
        let blocks: Vec<usize> = (0..recs.keys.len().div_ceil(BLOCK)).collect();
        let batches: Vec<&[usize]> = blocks.chunks(BLOCKS_PER_WRITE).collect();
        let render = |batch: &[usize]| -> std::io::Result<Vec<String>> {
            batch
                .par_iter()
                .map(|&b| {
                    render_block(
                        recs,
                        &parts,
                        b * BLOCK..((b + 1) * BLOCK).min(recs.keys.len()),
                    )
                })
                .collect()
        };
        // each batch is written while the pool renders the next one
        let mut ready = batches
            .first()
            .map(|b| render(b))
            .transpose()?
            .unwrap_or_default();
        for k in 0..batches.len() {
            let mut next = None;
            let mut written = Ok(());
            rayon::in_place_scope(|s| {
                if let Some(&batch) = batches.get(k + 1) {
                    s.spawn(|_| next = Some(render(batch)));
                }
                written = ready.iter().try_for_each(|t| emit(t));
            });
            written?;
            ready = next.transpose()?.unwrap_or_default();
        }
        emit("\n    }")?;
    }
    emit("\n  }")
}

/// What every record of a table writes the same, rendered once: each measure's name with
/// the separator before it, and, for a table of one coded measure, each of its few values
/// (with each record's code).
struct Parts<'r> {
    names: Vec<Vec<u8>>,
    coded: Option<(Vec<Vec<u8>>, &'r [u8])>,
}

impl<'r> Parts<'r> {
    fn of(recs: &'r Records) -> std::io::Result<Parts<'r>> {
        let mut names = Vec::with_capacity(recs.measures.len());
        for (m, name) in recs.measures.iter().enumerate() {
            let mut part = if m == 0 {
                b"\n        ".to_vec()
            } else {
                b",\n        ".to_vec()
            };
            serde_json::to_writer(&mut part, name)?;
            part.extend_from_slice(b": ");
            names.push(part);
        }
        let coded = match (recs.values.codes(), &recs.shows[..]) {
            (Some(codes), [show]) => Some((
                codes
                    .domain
                    .iter()
                    .map(|v| {
                        let mut out = Vec::new();
                        write_value(&mut out, v, show).map(|_| out)
                    })
                    .collect::<std::io::Result<_>>()?,
                &codes.of[..],
            )),
            _ => None,
        };
        Ok(Parts { names, coded })
    }
}

/// Writes `s` as a JSON string, as serde does: as it is, between quotes, when it has
/// nothing serde escapes (a quote, a backslash, a control character below U+0020).
fn write_str(out: &mut Vec<u8>, s: &str) -> std::io::Result<()> {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
        return Ok(());
    }
    Ok(serde_json::to_writer(out, s)?)
}

/// Writes a record's value of a measure shown so, as the document has it at that depth.
fn write_value(out: &mut Vec<u8>, v: &Value, show: &super::Show) -> std::io::Result<()> {
    match show {
        // a value with no list in it is written the same compact or pretty
        super::Show::Plain => serde_json::to_writer(out, v)?,
        // an object of plain values (a rounded number, a scan's state): pretty JSON's
        // lines, indented to this depth (its strings hold no line breaks)
        show => {
            let text = serde_json::to_string_pretty(&super::Shown(v, show))?;
            out.extend_from_slice(text.replace('\n', "\n        ").as_bytes());
        }
    }
    Ok(())
}

/// The records `rows` of a table, each after its separator (none before the first).
fn render_block(
    recs: &Records,
    parts: &Parts,
    rows: std::ops::Range<usize>,
) -> std::io::Result<String> {
    let width = recs.measures.len().max(1);
    let mut out = Vec::with_capacity(rows.len() * (24 + 32 * width));
    for i in rows {
        out.extend_from_slice(if i == 0 { b"\n      " } else { b",\n      " });
        write_str(&mut out, recs.keys[i].as_str().unwrap_or_default())?;
        out.extend_from_slice(b": {");
        let rendered = parts
            .coded
            .as_ref()
            .and_then(|(texts, of)| texts.get(usize::from(*of.get(i)?)));
        if let (Some(text), [name]) = (rendered, &parts.names[..]) {
            out.extend_from_slice(name);
            out.extend_from_slice(text);
        } else {
            for ((name, v), show) in parts.names.iter().zip(recs.row(i)).zip(&recs.shows) {
                out.extend_from_slice(name);
                write_value(&mut out, v, show)?;
            }
        }
        out.extend_from_slice(b"\n      }");
    }
    // serde_json writes UTF-8, and the rest is ASCII
    String::from_utf8(out).map_err(std::io::Error::other)
}

impl Value {
    /// Whether the value is a list (written over several lines in pretty JSON).
    fn is_list(&self) -> bool {
        matches!(self, Value::List(_) | Value::Items(..))
    }
}

#[cfg(test)]
mod tests {
    use crate::Plan;
    use proptest::prelude::*;

    proptest! {
        /// A key is written as serde writes it, whatever it holds.
        #[test]
        fn strings_as_serde_writes_them(s in "[a-z\"\\\\\u{0}-\u{1f}\u{7f} é长\u{2028}]{0,12}") {
            let mut ours = Vec::new();
            super::write_str(&mut ours, &s).unwrap();
            prop_assert_eq!(String::from_utf8(ours).unwrap(), serde_json::to_string(&s).unwrap());
        }
    }

    /// The records written apart are the bytes serde gives for the whole document, on
    /// every shipped pack's sample and on records with lists, records and odd keys.
    #[test]
    fn the_document_is_what_serde_gives() {
        let rules = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
        let mut compared = 0;
        for dir in crate::fixtures::packs(&rules) {
            let plan = Plan::load(&dir).unwrap();
            let Ok(entries) = std::fs::read_dir(dir.join("data")) else {
                continue;
            };
            for data in entries.flatten() {
                let Ok(text) = std::fs::read_to_string(data.path()) else {
                    continue;
                };
                let Ok(ds) = plan.read(&text) else { continue };
                let outcome = plan.score(&ds).unwrap();
                let serde = serde_json::to_string_pretty(&outcome.document(&outcome.records));
                assert_eq!(
                    outcome.to_json(),
                    serde.unwrap(),
                    "{}",
                    data.path().display()
                );
                compared += 1;
            }
        }
        assert!(compared >= 10, "only {compared} samples");
        let plan = Plan::from_json(
            r#"{"name": "t", "version": "1", "period": {"from": "2025-01-01", "to": "2025-12-31"},
            "collections": {"u": {"fields": {"id": "string", "n": "number", "up": {"ref": "u", "optional": true}}}},
            "measures": {"u": {"half": {"expr": "n / 2"}, "parent": {"expr": "up"}, "flag": {"expr": "n > 1"},
                "third": {"expr": "n / 3", "rounding": {"digits": 2}}}},
            "indicators": {"c": {"kind": "count", "population": {"collection": "u"}}}}"#,
        )
        .unwrap();
        let ds = plan
            .read(r#"{"u": [{"id": "a\"b\\c", "n": 1, "up": "Z"}, {"id": "Z", "n": 3}, {"id": "长", "n": 0.5}]}"#)
            .unwrap();
        let outcome = plan.score(&ds).unwrap();
        assert!(outcome.to_json().contains(r#""a\"b\\c": {"#));
        assert!(outcome.to_json().contains("\"third\": {\n          \"exact\": \"1/3\",\n          \"display\": \"0.33\"\n        }"));
        assert_eq!(
            outcome.to_json(),
            serde_json::to_string_pretty(&outcome.document(&outcome.records)).unwrap()
        );
        // a list among the values: the whole document through serde
        let plan = Plan::from_json(
            r#"{"name": "t", "version": "1", "period": {"from": "2025-01-01", "to": "2025-12-31"},
            "collections": {"u": {"fields": {"id": "string", "n": "number"}}},
            "measures": {"u": {"both": {"expr": "[n, n / 3]"}}},
            "indicators": {"c": {"kind": "count", "population": {"collection": "u"}}}}"#,
        )
        .unwrap();
        let ds = plan
            .read(r#"{"u": [{"id": "a", "n": 1}, {"id": "b", "n": 2}]}"#)
            .unwrap();
        let outcome = plan.score(&ds).unwrap();
        assert!(outcome.to_json().contains("\"1/3\""));
        assert_eq!(
            outcome.to_json(),
            serde_json::to_string_pretty(&outcome.document(&outcome.records)).unwrap()
        );
    }

    /// A table of more records than one batch of blocks (written while the next batch is
    /// rendered) is the bytes serde gives, on one thread and on two.
    #[test]
    fn many_batches_are_what_serde_gives() {
        let plan = Plan::load(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/place-grading"),
        )
        .unwrap();
        let n = 2 * super::BLOCK * super::BLOCKS_PER_WRITE + 123;
        let lines: Vec<String> = (0..n)
            .map(|i| format!(r#"{{"places": {{"id": "P{i}", "key_failed": false, "outbreak": false, "score": {}}}}}"#, i % 100))
            .collect();
        let ds = plan.read_ndjson(lines.join("\n").as_bytes()).unwrap();
        let outcome = plan.score(&ds).unwrap();
        assert_eq!(outcome.records["places"].keys().len(), n);
        let serde = serde_json::to_string_pretty(&outcome.document(&outcome.records)).unwrap();
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            assert!(
                pool.install(|| outcome.to_json()) == serde,
                "{threads} thread(s)"
            );
        }
    }
}
