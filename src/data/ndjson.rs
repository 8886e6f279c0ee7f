//! Reading a dataset as NDJSON, streamed: one JSON object per line, `{"period": {…}}` or
//! `{"<collection>": {record}}`, in any order; blank lines are skipped. Lines are read in
//! chunks and each chunk's records are converted in parallel, so the whole text is never
//! held in memory: only the typed records are.

use super::record::{read_record, Key, Raw};
use super::{finish, parse_period, DataError, Dataset, Input};
use crate::plan::Plan;
use rayon::prelude::*;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::fmt;
use std::io::BufRead;

/// Bytes of text read before a chunk is converted.
const CHUNK_BYTES: usize = 4 << 20;

/// One line: the collection (or `period`) and the raw record.
struct Line<'de>(Key<'de>, &'de RawValue);

impl<'de> de::Deserialize<'de> for Line<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Line<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    r#"an object with one member: {"<collection>": {record}} or {"period": {…}}"#,
                )
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Line<'de>, A::Error> {
                let one = || de::Error::custom(self_expecting());
                let k = m.next_key::<Key>()?.ok_or_else(one)?;
                let v = m.next_value::<&RawValue>()?;
                if m.next_key::<Key>()?.is_some() {
                    return Err(one());
                }
                Ok(Line(k, v))
            }
        }
        fn self_expecting() -> &'static str {
            r#"a line must be an object with one member: {"<collection>": {record}} or {"period": {…}}"#
        }
        d.deserialize_map(V)
    }
}

/// What one line holds, converted.
enum Item {
    Period(super::Period),
    Record(u16, Raw),
}

/// Converts one line (1-based `number`) of NDJSON.
fn line(plan: &Plan, text: &str, number: usize) -> Result<Item, DataError> {
    let at = |e: DataError| match e {
        DataError::Shape(m) => DataError::Shape(format!("line {number}: {m}")),
        other => other,
    };
    let Line(Key(k), raw) = serde_json::from_str::<Line>(text).map_err(|e| {
        if e.is_data() {
            DataError::Shape(format!("line {number}: {e}"))
        } else {
            DataError::NotJson {
                line: number,
                col: e.column(),
                message: e.to_string(),
            }
        }
    })?;
    if k == "period" {
        return parse_period(raw.get()).map(Item::Period).map_err(at);
    }
    let Some(c) = plan.collection(&k) else {
        let names: Vec<&str> = plan.collections.iter().map(|c| c.name.as_str()).collect();
        return Err(DataError::Shape(format!(
            "line {number}: '{k}' is not a collection of this pack (collections: {}; and period)",
            names.join(", ")
        )));
    };
    let rec = read_record(&plan.collections[c as usize], raw.get(), plan);
    Ok(Item::Record(c, rec))
}

/// Reads a dataset from NDJSON, streamed from `input`.
///
/// Records are converted on the current rayon thread pool, a chunk of lines at a time; the
/// result does not depend on how many threads it has, nor on the order of the lines.
pub fn read_ndjson(plan: &Plan, mut input: impl BufRead) -> Result<Dataset, DataError> {
    let mut period = None;
    let mut raws: Vec<Vec<Raw>> = plan.collections.iter().map(|_| Vec::new()).collect();
    let mut chunk: Vec<(usize, String)> = Vec::new();
    let mut bytes = 0;
    let mut number = 0;
    let mut done = false;
    while !done {
        let mut text = String::new();
        let n = input.read_line(&mut text).map_err(|e| DataError::NotJson {
            line: number + 1,
            col: 1,
            message: format!("cannot read the input: {e}"),
        })?;
        number += 1;
        done = n == 0;
        if !text.trim().is_empty() {
            bytes += text.len();
            chunk.push((number, text));
        }
        if bytes >= CHUNK_BYTES || (done && !chunk.is_empty()) {
            let items: Vec<Result<Item, DataError>> = chunk
                .par_iter()
                .map(|(number, text)| line(plan, text, *number))
                .collect();
            for item in items {
                match item? {
                    Item::Period(p) if period.is_some() => {
                        let _ = p;
                        return Err(DataError::Shape(
                            "has more than one period line".to_string(),
                        ));
                    }
                    Item::Period(p) => period = Some(p),
                    Item::Record(c, rec) => raws[c as usize].push(rec),
                }
            }
            chunk.clear();
            bytes = 0;
        }
    }
    finish(plan, Input { period, raws })
}
