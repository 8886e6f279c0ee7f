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

/// The records of one collection that are used, sorted by key.
#[derive(Debug, Default)]
pub struct CollData {
    /// Field values by record index, then slot; references hold `Value::Rec`.
    pub rows: Vec<Box<[Value]>>,
    /// The slot of the key field.
    pub key_slot: u16,
}

impl CollData {
    /// The key of record `i`.
    pub fn key(&self, i: usize) -> &str {
        self.rows
            .get(i)
            .and_then(|r| r.get(self.key_slot as usize))
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    /// The index of the record with this key (keys are sorted and unique).
    pub fn find(&self, key: &str) -> Option<u32> {
        let (mut lo, mut hi) = (0, self.rows.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.key(mid).cmp(key) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid as u32),
            }
        }
        None
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
}

impl Dataset {
    /// The period assessed: the dataset's own, or the pack's; none when neither gives
    /// one and the pack dates nothing.
    pub fn period(&self) -> Option<Period> {
        self.dated.then_some(self.period)
    }

    /// The sheets of a workbook that no collection's `sheet` names, and that were therefore
    /// not read: notes and totals, or a sheet whose name is not the one the pack gives (its
    /// collection then has no records). The CLI says so on standard error.
    pub fn sheets_not_read(&self) -> &[String] {
        &self.sheets_not_read
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
        &self.0[coll as usize].rows[idx as usize]
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
mod ndjson;
mod record;
mod resolve;
mod set_aside;
pub mod sheets;
#[cfg(feature = "spreadsheets")]
pub mod sheet_export;
#[cfg(feature = "spreadsheets")]
pub mod sheet_files;

use resolve::resolve;

pub use json::{read_str, read_string};
pub use ndjson::read_ndjson;
use record::Raw;

/// The collections' records as read, before keys and references are checked.
struct Input {
    period: Option<Period>,
    raws: Vec<Vec<Raw>>,
}

