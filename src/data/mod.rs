//! Reading a dataset: JSON records checked against the pack's collections, keys and
//! references indexed, and every record accounted for (used, excluded, or rejected
//! with its reason).
//!
//! The input is one JSON object: an optional `period` (`{"from", "to", "as_of"}`) and one
//! array of records per collection the pack declares. A bad record is rejected, never
//! guessed at: a wrong type, a missing required field, an undeclared field, a duplicate
//! key (every record with that key is rejected, whatever the order), or a reference to a
//! record that does not exist or was itself rejected. Records a collection's `include`
//! filter turns away are excluded, and so are records that reference an excluded record.
//! Kept records are sorted by key, so nothing downstream depends on input order.

use crate::expr::compile::MeasureId;
use crate::expr::eval::Data;
use crate::pack::spec::PeriodSpec;
use crate::plan::Period;
use crate::value::{CollId, Value};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;

/// Why a dataset could not be read at all (as opposed to a record being rejected).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DataError {
    /// The text is not JSON.
    #[error("input is not valid JSON at line {line}, column {col}: {message}")]
    NotJson {
        /// Line (1-based).
        line: usize,
        /// Column (1-based, in bytes).
        col: usize,
        /// What the parser found, without its own position.
        message: String,
    },
    /// The input is not UTF-8 text.
    #[error("input is not UTF-8 text: byte {offset} (line {line}, column {col}) does not begin a valid UTF-8 character")]
    NotUtf8 {
        /// Offset of the first bad byte from the start of the input (0-based).
        offset: u64,
        /// Its line (1-based).
        line: usize,
        /// Its column (1-based, in bytes).
        col: usize,
    },
    /// The JSON does not have the shape of a dataset.
    #[error("input {0}")]
    Shape(String),
    /// A bug: an unexpected failure while reading. Please report it.
    #[error("input could not be read (internal error, please report): {0}")]
    Internal(String),
    /// An error in a named input, such as a file: `data.json is not valid JSON at …`.
    #[error("{}", named(name, error))]
    In {
        /// The input's name (a file's path, or `standard input`).
        name: String,
        /// What is wrong with it.
        error: Box<DataError>,
    },
}

/// An error's text with `input` replaced by the input's name.
fn named(name: &str, error: &DataError) -> String {
    let text = error.to_string();
    match text.strip_prefix("input ") {
        Some(rest) if rest.starts_with("is ") => format!("{name} {rest}"),
        Some(rest) => format!("{name}: {rest}"),
        None => format!("{name}: {text}"),
    }
}

/// A `serde_json` error's message without the position it appends (` at line 1 column 5`),
/// which the caller gives itself, counted in the whole input.
pub(crate) fn serde_message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let message = match text.rfind(" at line ") {
        Some(i) if text[i..].contains(" column ") => text[..i].to_string(),
        _ => text,
    };
    if message.starts_with("recursion limit exceeded") {
        "nested more than 128 levels deep (the limit for JSON values)".into()
    } else {
        message
    }
}

impl DataError {
    /// The error of a document that `serde_json` could not read: not JSON at all, or JSON
    /// that is not shaped like a dataset.
    pub(crate) fn from_json(e: serde_json::Error) -> DataError {
        if e.is_data() {
            DataError::Shape(format!("is not a dataset: {e}"))
        } else {
            DataError::NotJson {
                line: e.line(),
                col: e.column(),
                message: serde_message(&e),
            }
        }
    }

    /// The same error, said of the input named `name` (a file's path, say).
    pub fn in_input(self, name: &str) -> DataError {
        DataError::In {
            name: name.to_string(),
            error: Box::new(self),
        }
    }

    /// The error of bytes that are not UTF-8: where the first bad one is.
    pub(crate) fn not_utf8(
        bytes: &[u8],
        e: std::str::Utf8Error,
        first_line: usize,
        base: u64,
    ) -> DataError {
        let good = &bytes[..e.valid_up_to()];
        let (line, col) = crate::json_locate::after(good);
        DataError::NotUtf8 {
            offset: base + good.len() as u64,
            line: first_line + line - 1,
            col,
        }
    }
}

/// Text from bytes that should be UTF-8 (a leading byte-order mark is skipped where the
/// text is read).
pub(crate) fn utf8_text(bytes: Vec<u8>) -> Result<String, DataError> {
    String::from_utf8(bytes).map_err(|e| DataError::not_utf8(e.as_bytes(), e.utf8_error(), 1, 0))
}

/// The records of one collection that are used, sorted by key: their values in one
/// vector, record after record (`width` values each, in slot order), so that reading a
/// million records makes no allocation per record and a scan over them reads memory in
/// order. The values are shared with the outcome's table of records, which reads the keys
/// in place ([`KeyColumn`]).
#[derive(Debug, Default)]
pub struct CollData {
    /// Field values, record by record; references hold `Value::Rec`.
    values: std::sync::Arc<Vec<Value>>,
    /// Values per record (the collection's fields).
    width: usize,
    /// Records (kept apart from `values.len() / width` so that no width divides).
    len: usize,
    /// The slot of the key field.
    pub key_slot: u16,
}

impl CollData {
    /// No records of `width` fields, key in `key_slot`.
    pub(crate) fn empty(width: usize, key_slot: u16) -> CollData {
        CollData {
            values: Default::default(),
            width,
            len: 0,
            key_slot,
        }
    }

    /// Records of `width` fields from their values, record after record.
    pub(crate) fn from_values(values: Vec<Value>, width: usize, key_slot: u16) -> CollData {
        debug_assert!(width > 0 && values.len().is_multiple_of(width) || values.is_empty());
        CollData {
            len: values.len().checked_div(width).unwrap_or(0),
            values: values.into(),
            width,
            key_slot,
        }
    }

    /// Records from their rows, each `width` values long (moved, not cloned).
    pub(crate) fn from_rows<R: IntoIterator<Item = Value>>(
        rows: impl IntoIterator<Item = R>,
        width: usize,
        key_slot: u16,
    ) -> CollData {
        let rows = rows.into_iter();
        let mut values = Vec::with_capacity(rows.size_hint().0 * width);
        for row in rows {
            let before = values.len();
            values.extend(row);
            debug_assert_eq!(values.len() - before, width);
        }
        CollData::from_values(values, width, key_slot)
    }

    /// How many records there are.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none.
    #[cfg_attr(not(feature = "internals"), allow(dead_code))] // for embedders with `internals`
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The values of record `i` (panics when there is no such record, as indexing does).
    pub fn row(&self, i: usize) -> &[Value] {
        &self.values[i * self.width..(i + 1) * self.width]
    }

    /// The values of record `i`, when there is one.
    pub fn get(&self, i: usize) -> Option<&[Value]> {
        (i < self.len).then(|| self.row(i))
    }

    /// The records' values, record by record.
    pub fn rows(&self) -> impl ExactSizeIterator<Item = &[Value]> + '_ {
        (0..self.len).map(|i| self.row(i))
    }

    /// The records' values, record by record, on every thread.
    pub(crate) fn par_rows(&self) -> impl IndexedParallelIterator<Item = &[Value]> + '_ {
        (0..self.len).into_par_iter().map(|i| self.row(i))
    }

    /// The records in blocks of `block` records (the last may hold fewer), on every thread:
    /// each block's records, record by record.
    pub(crate) fn par_blocks(
        &self,
        block: usize,
    ) -> impl IndexedParallelIterator<Item = std::slice::ChunksExact<'_, Value>> + '_ {
        // every collection has a key field, so a record has at least one value
        let w = self.width.max(1);
        self.values
            .par_chunks(block * w)
            .map(move |b| b.chunks_exact(w))
    }

    /// The key of record `i`.
    pub fn key(&self, i: usize) -> &str {
        self.get(i)
            .and_then(|r| r.get(self.key_slot as usize))
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    /// The key of record `i` as a value (text), cloned.
    pub(crate) fn key_value(&self, i: usize) -> Value {
        self.row(i)[self.key_slot as usize].clone()
    }

    /// Every record's key (text values), in order, read where the records are held.
    pub(crate) fn keys(&self) -> KeyColumn {
        KeyColumn::shared(self.values.clone(), self.width, self.key_slot as usize, self.len)
    }

    /// The index of the record with this key (keys are sorted and unique).
    pub fn find(&self, key: &str) -> Option<u32> {
        key_column::sorted_find(self.len, key, |i| self.key(i)).map(|i| i as u32)
    }
}

/// A record that was rejected.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Rejection {
    /// Its key; for a record without a usable key, `#` and 12 hex digits of a digest of its
    /// text (the record's JSON in a document, its line in NDJSON), the same wherever it
    /// stands in the input.
    pub key: String,
    /// Why, naming the field.
    pub reason: String,
}

/// A record rejected without a usable key, and where it stands in the input: what an
/// officer needs to find it, since its label (`#` and a digest) says nothing of where. Its
/// place depends on the input's layout, so it is not in the outcome.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Keyless {
    /// Its collection.
    pub collection: String,
    /// Its label in the accounting.
    pub label: String,
    /// Where it is: `line 12` (of a JSON document or NDJSON), `监督单位 row 17`.
    pub at: String,
    /// Why it was rejected.
    pub reason: String,
}

/// What happened to the records of one collection.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Accounting {
    /// Records in the input.
    pub read: u64,
    /// Records used.
    pub used: u64,
    /// Records excluded by a filter, by reason.
    pub excluded: u64,
    /// Exclusions counted by reason.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub excluded_by: BTreeMap<String, u64>,
    /// Rejected records with their reasons, sorted by key.
    pub rejected: Vec<Rejection>,
    /// How many of the rejected records were rejected for referring to a key the named
    /// collection does not have, by that collection: records it may lack, which makes
    /// what reads it incomplete as much as its own rejections do (a unit left out of the
    /// data shows only through its inspections).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub dangling: BTreeMap<String, u64>,
}

/// A dataset read against a plan.
#[derive(Debug)]
pub struct Dataset {
    /// The assessment period. Without one (a pack that dates nothing, and data that give
    /// none) a fixed stand-in that nothing reads: the plan's `needs_period` says so.
    pub(crate) period: Period,
    /// Whether the period is the data's or the pack's (else the stand-in).
    pub(crate) dated: bool,
    /// Used records by collection id.
    pub(crate) colls: Vec<CollData>,
    /// Accounting by collection id.
    pub(crate) accounting: Vec<Accounting>,
    /// The sheets of a workbook that were not read, as no collection's sheet has their name.
    pub(crate) sheets_not_read: Vec<String>,
    /// The records rejected without a usable key, with their places.
    pub(crate) keyless: Vec<Keyless>,
}

impl Dataset {
    /// The period assessed: the dataset's own, or the pack's; none when neither gives
    /// one and the pack dates nothing.
    pub fn period(&self) -> Option<Period> {
        self.dated.then_some(self.period)
    }

    /// The sheets of a workbook that were passed over as the pack's `other_sheets` (notes,
    /// totals). A sheet that is neither a collection's nor one of those is an error.
    pub fn sheets_not_read(&self) -> &[String] {
        &self.sheets_not_read
    }

    /// The records rejected without a usable key (the accounting lists them as `#` and a
    /// digest), with where each stands in the input, in collection and label order. The
    /// CLI says so on standard error.
    pub fn keyless(&self) -> &[Keyless] {
        &self.keyless
    }

    /// Values of the period's variables (`period_start`, `period_end`, `as_of`): none
    /// without a period.
    pub(crate) fn period_vars(&self) -> crate::expr::vars::PeriodVars {
        crate::expr::vars::PeriodVars::of(self.period().as_ref())
    }
}

/// The dataset's records, for expressions that use no measures.
pub(crate) struct Fields<'a>(pub &'a [CollData]);

impl Data for Fields<'_> {
    fn record(&self, coll: CollId, idx: u32) -> &[Value] {
        self.0[coll as usize].row(idx as usize)
    }
    fn measure(&self, _: MeasureId, _: u32) -> &Value {
        &crate::expr::eval::NONE
    }
}

fn parse_period(raw: &str) -> Result<Period, DataError> {
    let spec: PeriodSpec = serde_json::from_str(raw)
        .map_err(|e| DataError::Shape(format!("period: {e} (expected {{\"from\": \"YYYY-MM-DD\", \"to\": \"YYYY-MM-DD\", \"as_of\"?}})")))?;
    let d = |s: &str, k: &str| {
        crate::dates::parse_date(s)
            .ok_or_else(|| DataError::Shape(format!("period.{k}: '{s}' is not a date YYYY-MM-DD")))
    };
    let from = d(&spec.from, "from")?;
    let to = d(&spec.to, "to")?;
    let as_of = match &spec.as_of {
        Some(s) => d(s, "as_of")?,
        None => to,
    };
    if from > to {
        return Err(DataError::Shape(format!(
            "period ends ({to}) before it starts ({from})"
        )));
    }
    Ok(Period { from, to, as_of })
}

mod json;
mod key_column;
mod missing;
mod ndjson;
mod raws;
mod record;
mod resolve;
mod set_aside;
pub mod sheets;
#[cfg(feature = "spreadsheets")]
pub mod sheet_export;
#[cfg(feature = "spreadsheets")]
pub mod sheet_files;
#[cfg(feature = "spreadsheets")]
mod workbook_bounds;

use resolve::resolve;

pub use json::{read_str, read_string};
pub(crate) use key_column::KeyColumn;
pub use ndjson::read_ndjson;
use raws::Raws;

/// The collections' records as read, before keys and references are checked.
struct Input {
    period: Option<Period>,
    raws: Vec<Raws>,
}


#[cfg(test)]
mod tests {
    use super::CollData;
    use crate::value::Value;

    #[test]
    fn records_are_read_by_position_and_found_by_key() {
        let rows = ["A", "B", "D"].map(|k| vec![Value::int(7), Value::str(k)]);
        let c = CollData::from_rows(rows, 2, 1);
        assert_eq!(c.len(), 3);
        assert_eq!(c.row(2), &[Value::int(7), Value::str("D")]);
        assert_eq!(c.get(3), None);
        assert_eq!((c.key(1), c.key(3)), ("B", ""));
        assert_eq!((c.find("D"), c.find("C")), (Some(2), None));
        assert_eq!(c.keys(), super::KeyColumn::from(["A", "B", "D"].map(Value::str).to_vec()));
        // blocks of two records: the last holds one
        use rayon::prelude::*;
        let blocks: Vec<Vec<&[Value]>> = c.par_blocks(2).map(Iterator::collect).collect();
        assert_eq!(blocks.iter().map(Vec::len).collect::<Vec<_>>(), [2, 1]);
        assert_eq!(blocks[1][0], c.row(2));
        assert!(CollData::empty(2, 1).keys().is_empty());
    }
}
