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
use crate::expr::eval::{Data, Frame};
use crate::pack::spec::PeriodSpec;
use crate::plan::{FieldKind, Period, Plan};
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
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Rejection {
    /// Its key; for a record without a usable key, `#` and 12 hex digits of a digest of its
    /// text (the record's JSON in a document, its line in NDJSON), the same wherever it
    /// stands in the input.
    pub key: String,
    /// Why, naming the field.
    pub reason: String,
}

/// What happened to the records of one collection.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Accounting {
    /// Records in the input.
    pub read: u64,
    /// Records used.
    pub used: u64,
    /// Records excluded by a filter, by reason.
    pub excluded: u64,
    /// Exclusions counted by reason.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub excluded_by: BTreeMap<String, u64>,
    /// Rejected records with their reasons, sorted by key.
    pub rejected: Vec<Rejection>,
}

/// A dataset read against a plan.
#[derive(Debug)]
pub struct Dataset {
    /// The assessment period.
    pub(crate) period: Period,
    /// Used records by collection id.
    pub(crate) colls: Vec<CollData>,
    /// Accounting by collection id.
    pub(crate) accounting: Vec<Accounting>,
}

impl Dataset {
    /// The period assessed: the dataset's own, or the pack's.
    pub fn period(&self) -> Period {
        self.period
    }

    /// Values of the period's variables (`period_start`, `period_end`, `as_of`).
    pub(crate) fn period_vars(&self) -> crate::expr::vars::PeriodVars {
        crate::expr::vars::PeriodVars::new(self.period.from, self.period.to, self.period.as_of)
    }
}

/// The dataset's records, for expressions that use no measures.
pub(crate) struct Fields<'a>(pub &'a [CollData]);

impl Data for Fields<'_> {
    fn field(&self, coll: CollId, idx: u32, slot: u16) -> &Value {
        &self.0[coll as usize].rows[idx as usize][slot as usize]
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

pub use json::{read_str, read_string};
pub use ndjson::read_ndjson;
use record::Raw;

/// The collections' records as read, before keys and references are checked.
struct Input {
    period: Option<Period>,
    raws: Vec<Vec<Raw>>,
}

/// Position of a record among its collection's raw records; `NONE` for no record.
const NONE: u32 = u32::MAX;

/// The records of every collection as read (in input order), for an `include` filter:
/// their references already point at raw positions.
struct RawFields<'a>(&'a [Vec<Raw>]);

impl Data for RawFields<'_> {
    fn field(&self, coll: CollId, idx: u32, slot: u16) -> &Value {
        &self.0[coll as usize][idx as usize].row[slot as usize]
    }
    fn measure(&self, _: MeasureId, _: u32) -> &Value {
        &crate::expr::eval::NONE
    }
}

/// Why a record is excluded: by its collection's filter, or through a reference slot.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Excluded {
    No,
    Filter,
    Via(u16),
}

/// Checks keys and references, applies `include` filters, and builds the dataset.
fn finish(plan: &Plan, input: Input) -> Result<Dataset, DataError> {
    let Input { period, mut raws } = input;
    let period = period.or(plan.period).ok_or_else(|| {
        DataError::Shape(
            "has no period, and the pack gives none: add \"period\": {\"from\": …, \"to\": …}"
                .into(),
        )
    })?;
    let colls = &plan.collections;
    let mut accounting = vec![Accounting::default(); colls.len()];
    for (a, recs) in accounting.iter_mut().zip(&raws) {
        a.read = recs.len() as u64;
    }

    // 1. keys in order; every record with a repeated key is rejected
    let key_slot = |ci: usize| colls[ci].key_slot;
    let (sorted, unique): (Vec<Vec<u32>>, Vec<bool>) = raws
        .par_iter()
        .enumerate()
        .map(|(ci, recs)| sorted_by_key(recs, key_slot(ci)))
        .unzip();
    for (ci, (recs, order)) in raws.iter_mut().zip(&sorted).enumerate() {
        if unique[ci] {
            continue;
        }
        let ks = key_slot(ci);
        let runs: Vec<(String, Vec<u32>)> = order
            .chunk_by(|a, b| recs[*a as usize].key_bytes(ks) == recs[*b as usize].key_bytes(ks))
            .filter(|run| run.len() > 1)
            .map(|run| {
                let k = recs[run[0] as usize].key(ks).unwrap_or_default();
                (k.to_string(), run.to_vec())
            })
            .collect();
        for (k, run) in runs {
            for &i in &run {
                let r = &mut recs[i as usize];
                if r.ok() {
                    r.reject(format!(
                        "duplicate key '{k}' ({} records have it)",
                        run.len()
                    ));
                }
            }
        }
    }

    // 2. references: each found by key (a hash lookup) among the records read, then
    // records that reference a missing or rejected record are rejected, until nothing
    // changes (a rejection can orphan other records)
    let ref_slots: Vec<Vec<(u16, CollId)>> = colls
        .iter()
        .map(|c| {
            c.fields
                .iter()
                .enumerate()
                .filter_map(|(s, f)| match f.kind {
                    FieldKind::Ref(t) => Some((s as u16, t)),
                    _ => None,
                })
                .collect()
        })
        .collect();
    let targets: Vec<Vec<Vec<u32>>> = {
        let referenced: Vec<bool> = (0..colls.len())
            .map(|t| ref_slots.iter().flatten().any(|&(_, x)| x as usize == t))
            .collect();
        let index: Vec<ahash::HashMap<&[u8], u32>> = raws
            .par_iter()
            .zip(&referenced)
            .enumerate()
            .map(|(ci, (recs, &wanted))| {
                let mut m = ahash::HashMap::default();
                if wanted {
                    m.reserve(recs.len());
                    for (i, r) in recs.iter().enumerate() {
                        if let Some(k) = r.key_bytes(key_slot(ci)) {
                            m.entry(k).or_insert(i as u32);
                        }
                    }
                }
                m
            })
            .collect();
        raws.iter()
            .enumerate()
            .map(|(ci, recs)| {
                ref_slots[ci]
                    .iter()
                    .map(|&(slot, t)| {
                        recs.par_iter()
                            .map(
                                |r| match r.row.get(slot as usize).and_then(Value::text_bytes) {
                                    Some(k) if r.ok() => {
                                        index[t as usize].get(k).copied().unwrap_or(NONE)
                                    }
                                    _ => NONE,
                                },
                            )
                            .collect()
                    })
                    .collect()
            })
            .collect()
    };
    let mut first = true;
    loop {
        let changes = scan(&raws, &ref_slots, |ci, ri, r| {
            if !r.ok() {
                return None;
            }
            ref_slots[ci]
                .iter()
                .enumerate()
                .find_map(|(k, &(slot, target))| {
                    let key = r.row[slot as usize].as_str()?;
                    let tname = &colls[target as usize].name;
                    let fname = &colls[ci].fields[slot as usize].name;
                    match targets[ci][k][ri] {
                        NONE if first => Some(format!(
                            "field '{fname}': no {tname} record has key '{key}'"
                        )),
                        NONE => None,
                        ti if !raws[target as usize][ti as usize].ok() => {
                            Some(format!("field '{fname}': {tname} '{key}' was rejected"))
                        }
                        _ => None,
                    }
                })
        });
        first = false;
        if changes.iter().all(|c| c.is_empty()) {
            break;
        }
        for (ci, list) in changes.into_iter().enumerate() {
            for (ri, reason) in list {
                raws[ci][ri].reject(reason);
            }
        }
    }

    // 3. the references of valid records point at their records (which are valid too)
    for (ci, recs) in raws.iter_mut().enumerate() {
        let (slots, tg) = (&ref_slots[ci], &targets[ci]);
        if slots.is_empty() {
            continue;
        }
        recs.par_iter_mut().enumerate().for_each(|(ri, r)| {
            if r.ok() {
                for (k, &(slot, t)) in slots.iter().enumerate() {
                    if tg[k][ri] != NONE {
                        r.row[slot as usize] = Value::Rec(t, tg[k][ri]);
                    }
                }
            }
        });
    }
    drop(targets);

    // 4. include filters (in key order, so the first failure reported does not depend on
    // the input order), then exclusion through references
    let vars = [
        Value::Date(period.from),
        Value::Date(period.to),
        Value::Date(period.as_of),
    ];
    let mut excluded: Vec<Vec<Excluded>> =
        raws.iter().map(|r| vec![Excluded::No; r.len()]).collect();
    for (ci, c) in colls.iter().enumerate() {
        let Some(inc) = &c.include else { continue };
        let data = RawFields(&raws);
        let order = &sorted[ci];
        let keep_one = |k: usize| -> Result<bool, String> {
            let i = order[k];
            if !raws[ci][i as usize].ok() {
                return Ok(true);
            }
            let frame = Frame {
                data: &data,
                base: Some((ci as CollId, i)),
                vars: &vars,
            };
            inc.eval_bool(&frame).map_err(|e| {
                let key = raws[ci][i as usize].key(c.key_slot).unwrap_or_default();
                format!(
                    "{} '{key}': the include filter `{}` failed: {e}",
                    c.name, inc.src
                )
            })
        };
        let kept = crate::stack::try_map(plan.script_stack, order.len(), keep_one)
            .map_err(|e| {
                (0..order.len())
                    .find_map(|k| keep_one(k).err())
                    .unwrap_or(e)
            })
            .map_err(DataError::Shape)?;
        for (&i, k) in order.iter().zip(kept) {
            if !k {
                excluded[ci][i as usize] = Excluded::Filter;
            }
        }
    }
    loop {
        let changes = scan(&raws, &ref_slots, |ci, ri, r| {
            if !r.ok() || excluded[ci][ri] != Excluded::No {
                return None;
            }
            ref_slots[ci]
                .iter()
                .find_map(|&(slot, target)| match r.row[slot as usize] {
                    Value::Rec(_, ti) if excluded[target as usize][ti as usize] != Excluded::No => {
                        Some(slot)
                    }
                    _ => None,
                })
        });
        if changes.iter().all(|c| c.is_empty()) {
            break;
        }
        for (ci, list) in changes.into_iter().enumerate() {
            for (ri, slot) in list {
                excluded[ci][ri] = Excluded::Via(slot);
            }
        }
    }
    for (ci, ex) in excluded.iter().enumerate() {
        let c = &colls[ci];
        let mut counts: BTreeMap<Excluded, u64> = BTreeMap::new();
        for e in ex.iter().filter(|e| **e != Excluded::No) {
            *counts.entry(*e).or_default() += 1;
        }
        for (e, n) in counts {
            let reason = match e {
                Excluded::Via(slot) => {
                    let f = &c.fields[slot as usize];
                    let FieldKind::Ref(t) = f.kind else { continue };
                    format!(
                        "field '{}' refers to an excluded {} record",
                        f.name, colls[t as usize].name
                    )
                }
                _ => format!(
                    "include: {}",
                    c.include.as_ref().map(|e| e.src.as_ref()).unwrap_or("")
                ),
            };
            accounting[ci].excluded += n;
            *accounting[ci].excluded_by.entry(reason).or_default() += n;
        }
    }

    // 5. the rejected records, with their reasons
    for (ci, recs) in raws.iter().enumerate() {
        let a = &mut accounting[ci];
        for (pos, r) in recs.iter().enumerate() {
            if let Some(rej) = &r.rejected {
                a.rejected.push(Rejection {
                    key: r
                        .key(key_slot(ci))
                        .map(|k| k.to_string())
                        .or_else(|| rej.label.as_deref().map(str::to_string))
                        .unwrap_or_else(|| format!("#{pos}")),
                    reason: rej.reason.clone(),
                });
            }
        }
        a.rejected.sort();
    }

    // 6. the used records, sorted by key, references renumbered
    let keep =
        |ci: usize, i: u32| raws[ci][i as usize].ok() && excluded[ci][i as usize] == Excluded::No;
    let renumber: Vec<Vec<u32>> = sorted
        .iter()
        .enumerate()
        .map(|(ci, order)| {
            let mut out = vec![NONE; raws[ci].len()];
            let mut n = 0;
            for &i in order {
                if keep(ci, i) {
                    out[i as usize] = n;
                    n += 1;
                }
            }
            out
        })
        .collect();
    let keep: Vec<Vec<bool>> = (0..raws.len())
        .map(|ci| (0..raws[ci].len() as u32).map(|i| keep(ci, i)).collect())
        .collect();
    let mut colls_out = Vec::with_capacity(colls.len());
    for (ci, recs) in raws.into_iter().enumerate() {
        let slots = &ref_slots[ci];
        let renumber = &renumber;
        // the kept records, in key order: as they are when the input was in key order, else
        // sorted into place
        let kept = recs
            .into_par_iter()
            .zip(keep[ci].par_iter())
            .enumerate()
            .filter(|(_, (_, k))| **k);
        let mut rows: Vec<Box<[Value]>> = if unique[ci] {
            kept.map(|(_, (r, _))| r.row).collect()
        } else {
            let mut placed: Vec<(u32, Box<[Value]>)> =
                kept.map(|(i, (r, _))| (renumber[ci][i], r.row)).collect();
            placed.par_sort_unstable_by_key(|p| p.0);
            placed.into_iter().map(|(_, row)| row).collect()
        };
        if !slots.is_empty() {
            rows.par_iter_mut().for_each(|row| {
                for &(slot, _) in slots {
                    if let Value::Rec(t, ti) = row[slot as usize] {
                        row[slot as usize] = Value::Rec(t, renumber[t as usize][ti as usize]);
                    }
                }
            });
        }
        accounting[ci].used = rows.len() as u64;
        colls_out.push(CollData {
            rows,
            key_slot: key_slot(ci),
        });
    }

    if let Some(g) = &plan.groups {
        if let Some(parent) = g.parent {
            check_hierarchy(
                &colls_out[g.coll as usize],
                parent,
                &colls[g.coll as usize].name,
            )?;
        }
    }
    Ok(Dataset {
        period,
        colls: colls_out,
        accounting,
    })
}

/// What `find` says of each record of the collections that have references, by collection,
/// with the records' positions, in record order (computed on every thread). The records are
/// changed after a scan, so that no record sees another's change within one.
fn scan<T: Send>(
    raws: &[Vec<Raw>],
    ref_slots: &[Vec<(u16, CollId)>],
    find: impl Fn(usize, usize, &Raw) -> Option<T> + Sync,
) -> Vec<Vec<(usize, T)>> {
    raws.iter()
        .enumerate()
        .map(|(ci, recs)| {
            if ref_slots[ci].is_empty() {
                return Vec::new();
            }
            recs.par_iter()
                .enumerate()
                .filter_map(|(ri, r)| find(ci, ri, r).map(|t| (ri, t)))
                .collect()
        })
        .collect()
}

fn check_hierarchy(c: &CollData, parent: u16, name: &str) -> Result<(), DataError> {
    for start in 0..c.rows.len() {
        let mut seen = vec![start];
        let mut cur = start;
        while let Value::Rec(_, p) = c.rows[cur][parent as usize] {
            cur = p as usize;
            if seen.contains(&cur) {
                let chain: Vec<&str> = seen.iter().chain([&cur]).map(|i| c.key(*i)).collect();
                return Err(DataError::Shape(format!(
                    "{name}: the parent chain is a cycle: {}",
                    chain.join(" → ")
                )));
            }
            seen.push(cur);
        }
    }
    Ok(())
}

/// Positions of the records that have a key, sorted by key (then position), and whether
/// the keys are all different.
fn sorted_by_key(recs: &[Raw], key_slot: u16) -> (Vec<u32>, bool) {
    let mut idx: Vec<u32> = (0..recs.len() as u32)
        .into_par_iter()
        .filter(|&i| recs[i as usize].key_bytes(key_slot).is_some())
        .collect();
    let key = |i: &u32| recs[*i as usize].key_bytes(key_slot);
    // data often comes in key order already: then there is nothing to sort, and no key
    // can repeat
    if idx.par_windows(2).all(|w| key(&w[0]) < key(&w[1])) {
        return (idx, true);
    }
    idx.par_sort_unstable_by(|a, b| key(a).cmp(&key(b)).then(a.cmp(b)));
    (idx, false)
}
