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
use std::sync::Arc;

/// Why a dataset could not be read at all (as opposed to a record being rejected).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DataError {
    /// The text is not JSON.
    #[error("input is not valid JSON at line {line}, column {col}: {message}")]
    NotJson {
        /// Line.
        line: usize,
        /// Column.
        col: usize,
        /// Parser message.
        message: String,
    },
    /// The JSON does not have the shape of a dataset.
    #[error("input {0}")]
    Shape(String),
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
                message: e.to_string(),
            }
        }
    }
}

/// The records of one collection that are used, sorted by key.
#[derive(Debug, Default)]
pub struct CollData {
    /// Keys by record index.
    pub keys: Vec<Arc<str>>,
    /// Field values by record index, then slot; references hold `Value::Rec`.
    pub rows: Vec<Box<[Value]>>,
}

impl CollData {
    /// The index of the record with this key (keys are sorted and unique).
    pub fn find(&self, key: &str) -> Option<u32> {
        self.keys
            .binary_search_by(|k| k.as_ref().cmp(key))
            .ok()
            .map(|i| i as u32)
    }
}

/// A record that was rejected.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Rejection {
    /// Its key, or `#N` (its position) when it has none.
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
    pub period: Period,
    /// Used records by collection id.
    pub colls: Vec<CollData>,
    /// Accounting by collection id.
    pub accounting: Vec<Accounting>,
}

impl Dataset {
    /// Values of the record-scope variables (`period_start`, `period_end`, `as_of`).
    pub fn record_vars(&self) -> [Value; 3] {
        [
            Value::Date(self.period.from),
            Value::Date(self.period.to),
            Value::Date(self.period.as_of),
        ]
    }
}

/// The dataset's records, for expressions that use no measures.
pub(crate) struct Fields<'a>(pub &'a [CollData]);

impl Data for Fields<'_> {
    fn field(&self, coll: CollId, idx: u32, slot: u16) -> Value {
        self.0[coll as usize].rows[idx as usize][slot as usize].clone()
    }
    fn measure(&self, _: MeasureId, _: u32) -> Value {
        Value::None
    }
}

fn parse_period(raw: &str) -> Result<Period, DataError> {
    let spec: PeriodSpec = serde_json::from_str(raw)
        .map_err(|e| DataError::Shape(format!("period: {e} (expected {{\"from\": \"YYYY-MM-DD\", \"to\": \"YYYY-MM-DD\", \"as_of\"?}})")))?;
    let d = |s: &str, k: &str| {
        crate::plan::parse_date_pub(s)
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

pub use json::read_str;
pub use ndjson::read_ndjson;
use record::{Raw, Status};

/// The collections' records as read, before keys and references are checked.
struct Input {
    period: Option<Period>,
    raws: Vec<Vec<Raw>>,
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
    let mut accounting = vec![Accounting::default(); plan.collections.len()];
    for (a, recs) in accounting.iter_mut().zip(&raws) {
        a.read = recs.len() as u64;
    }

    // 2. keys in order; every record with a repeated key is rejected
    let sorted: Vec<Vec<u32>> = raws.par_iter().map(|recs| sorted_by_key(recs)).collect();
    for (recs, order) in raws.iter_mut().zip(&sorted) {
        let runs: Vec<&[u32]> = order
            .chunk_by(|a, b| recs[*a as usize].key == recs[*b as usize].key)
            .filter(|run| run.len() > 1)
            .collect();
        for run in runs {
            let k = recs[run[0] as usize].key.clone().unwrap_or_default();
            for &i in run {
                let r = &mut recs[i as usize];
                if r.status == Status::Ok {
                    r.status = Status::Rejected(format!(
                        "duplicate key '{k}' ({} records have it)",
                        run.len()
                    ));
                }
            }
        }
    }

    // 3. references: resolved to the position of the record with that key, then records
    // that reference a missing or rejected record are rejected, until nothing changes (a
    // rejection can orphan other records)
    let ref_slots: Vec<Vec<(u16, CollId)>> = plan
        .collections
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
    let targets: Vec<Vec<Vec<Option<u32>>>> = raws
        .iter()
        .enumerate()
        .map(|(ci, recs)| {
            ref_slots[ci]
                .iter()
                .map(|&(slot, t)| {
                    let (trecs, torder) = (&raws[t as usize], &sorted[t as usize]);
                    recs.par_iter()
                        .map(|r| match r.row.get(slot as usize) {
                            Some(Value::Str(k)) if r.status == Status::Ok => {
                                find_sorted(trecs, torder, k)
                            }
                            _ => None,
                        })
                        .collect()
                })
                .collect()
        })
        .collect();
    let mut first = true;
    loop {
        let mut changes = Vec::new();
        for (ci, recs) in raws.iter().enumerate() {
            for (ri, r) in recs.iter().enumerate() {
                if r.status != Status::Ok {
                    continue;
                }
                for (k, &(slot, target)) in ref_slots[ci].iter().enumerate() {
                    let Value::Str(key) = &r.row[slot as usize] else {
                        continue;
                    };
                    let tname = &plan.collections[target as usize].name;
                    let fname = &plan.collections[ci].fields[slot as usize].name;
                    let reason = match targets[ci][k][ri] {
                        None if first => Some(format!(
                            "field '{fname}': no {tname} record has key '{key}'"
                        )),
                        None => None,
                        Some(ti) if raws[target as usize][ti as usize].status != Status::Ok => {
                            Some(format!("field '{fname}': {tname} '{key}' was rejected"))
                        }
                        Some(_) => None,
                    };
                    if let Some(reason) = reason {
                        changes.push((ci, ri, reason));
                        break;
                    }
                }
            }
        }
        first = false;
        if changes.is_empty() {
            break;
        }
        for (ci, ri, reason) in changes {
            raws[ci][ri].status = Status::Rejected(reason);
        }
    }

    // 4. keep the valid records, sorted by key, references resolved
    let mut colls = compact(&mut raws, &sorted, &ref_slots, &targets);

    // 5. include filters, then exclusion through references
    let vars = [
        Value::Date(period.from),
        Value::Date(period.to),
        Value::Date(period.as_of),
    ];
    let mut excluded: Vec<Vec<Option<String>>> =
        colls.iter().map(|c| vec![None; c.rows.len()]).collect();
    for (ci, c) in plan.collections.iter().enumerate() {
        let Some(inc) = &c.include else { continue };
        let data = Fields(&colls);
        for (i, slot) in excluded[ci].iter_mut().enumerate() {
            let frame = Frame {
                data: &data,
                base: Some((ci as CollId, i as u32)),
                vars: &vars,
            };
            match inc.eval_bool(&frame) {
                Ok(true) => {}
                Ok(false) => *slot = Some(format!("include: {}", inc.src)),
                Err(e) => {
                    return Err(DataError::Shape(format!(
                        "{} '{}': the include filter `{}` failed: {e}",
                        c.name, colls[ci].keys[i], inc.src
                    )))
                }
            }
        }
    }
    loop {
        let mut changes = Vec::new();
        for (ci, rows) in colls.iter().enumerate() {
            for (ri, row) in rows.rows.iter().enumerate() {
                if excluded[ci][ri].is_some() {
                    continue;
                }
                for &(slot, target) in &ref_slots[ci] {
                    if let Value::Rec(_, ti) = row[slot as usize] {
                        if excluded[target as usize][ti as usize].is_some() {
                            let fname = &plan.collections[ci].fields[slot as usize].name;
                            let tname = &plan.collections[target as usize].name;
                            changes.push((
                                ci,
                                ri,
                                format!("field '{fname}' refers to an excluded {tname} record"),
                            ));
                            break;
                        }
                    }
                }
            }
        }
        if changes.is_empty() {
            break;
        }
        for (ci, ri, reason) in changes {
            excluded[ci][ri] = Some(reason);
        }
    }
    if excluded.iter().any(|e| e.iter().any(|x| x.is_some())) {
        for (ci, ex) in excluded.iter().enumerate() {
            for reason in ex.iter().flatten() {
                accounting[ci].excluded += 1;
                *accounting[ci]
                    .excluded_by
                    .entry(reason.clone())
                    .or_default() += 1;
            }
        }
        let keep: Vec<Vec<bool>> = excluded
            .iter()
            .map(|e| e.iter().map(|x| x.is_none()).collect())
            .collect();
        colls = recompact(colls, &keep, &ref_slots);
    }

    for (ci, recs) in raws.iter().enumerate() {
        let a = &mut accounting[ci];
        for r in recs {
            if let Status::Rejected(reason) = &r.status {
                a.rejected.push(Rejection {
                    key: r
                        .key
                        .as_ref()
                        .map(|k| k.to_string())
                        .unwrap_or_else(|| format!("#{}", r.pos)),
                    reason: reason.clone(),
                });
            }
        }
        a.rejected.sort();
        a.used = colls[ci].rows.len() as u64;
    }

    if let Some(g) = &plan.groups {
        if let Some(parent) = g.parent {
            check_hierarchy(
                &colls[g.coll as usize],
                parent,
                &plan.collections[g.coll as usize].name,
            )?;
        }
    }
    Ok(Dataset {
        period,
        colls,
        accounting,
    })
}

fn check_hierarchy(c: &CollData, parent: u16, name: &str) -> Result<(), DataError> {
    for start in 0..c.rows.len() {
        let mut seen = vec![start];
        let mut cur = start;
        while let Value::Rec(_, p) = c.rows[cur][parent as usize] {
            cur = p as usize;
            if seen.contains(&cur) {
                let chain: Vec<&str> = seen
                    .iter()
                    .chain([&cur])
                    .map(|i| c.keys[*i].as_ref())
                    .collect();
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

/// Positions of the records that have a key, sorted by key (then position).
fn sorted_by_key(recs: &[Raw]) -> Vec<u32> {
    let mut idx: Vec<u32> = (0..recs.len() as u32)
        .filter(|&i| recs[i as usize].key.is_some())
        .collect();
    idx.par_sort_unstable_by(|a, b| {
        recs[*a as usize]
            .key
            .cmp(&recs[*b as usize].key)
            .then(a.cmp(b))
    });
    idx
}

/// The position of a record with key `k`, by binary search in the key order.
fn find_sorted(recs: &[Raw], order: &[u32], k: &str) -> Option<u32> {
    order
        .binary_search_by(|i| recs[*i as usize].key.as_deref().unwrap_or("").cmp(k))
        .ok()
        .map(|n| order[n])
}

/// Builds sorted collections from the valid raw records (moving their values out),
/// turning references into the positions of their records.
fn compact(
    raws: &mut [Vec<Raw>],
    sorted: &[Vec<u32>],
    ref_slots: &[Vec<(u16, CollId)>],
    targets: &[Vec<Vec<Option<u32>>>],
) -> Vec<CollData> {
    // new position of each raw record that is kept
    let renumber: Vec<Vec<Option<u32>>> = raws
        .iter()
        .zip(sorted)
        .map(|(recs, order)| {
            let mut out = vec![None; recs.len()];
            let mut n = 0;
            for &i in order {
                if recs[i as usize].status == Status::Ok {
                    out[i as usize] = Some(n);
                    n += 1;
                }
            }
            out
        })
        .collect();
    let mut out = Vec::with_capacity(raws.len());
    for (ci, order) in sorted.iter().enumerate() {
        let mut rows = Vec::new();
        let mut keys = Vec::new();
        for &i in order {
            let r = &mut raws[ci][i as usize];
            if r.status != Status::Ok {
                continue;
            }
            let mut row = std::mem::take(&mut r.row);
            for (k, &(slot, target)) in ref_slots[ci].iter().enumerate() {
                if let Value::Str(_) = &row[slot as usize] {
                    // valid records only reference valid records (step 3)
                    row[slot as usize] = match targets[ci][k][i as usize]
                        .and_then(|t| renumber[target as usize][t as usize])
                    {
                        Some(t) => Value::Rec(target, t),
                        None => Value::None,
                    };
                }
            }
            keys.push(r.key.clone().unwrap_or_default());
            rows.push(row);
        }
        out.push(CollData { keys, rows });
    }
    out
}

/// Drops records not kept, renumbering references (order stays sorted by key).
fn recompact(
    colls: Vec<CollData>,
    keep: &[Vec<bool>],
    ref_slots: &[Vec<(u16, CollId)>],
) -> Vec<CollData> {
    let remap: Vec<Vec<Option<u32>>> = keep
        .iter()
        .map(|k| {
            let mut n = 0u32;
            k.iter()
                .map(|kept| {
                    kept.then(|| {
                        n += 1;
                        n - 1
                    })
                })
                .collect()
        })
        .collect();
    colls
        .into_iter()
        .enumerate()
        .map(|(ci, c)| {
            let mut out = CollData::default();
            for (i, (key, mut row)) in c.keys.into_iter().zip(c.rows).enumerate() {
                if !keep[ci][i] {
                    continue;
                }
                for &(slot, target) in &ref_slots[ci] {
                    if let Value::Rec(t, ti) = row[slot as usize] {
                        row[slot as usize] = match remap[target as usize][ti as usize] {
                            Some(n) => Value::Rec(t, n),
                            None => Value::None,
                        };
                    }
                }
                out.keys.push(key);
                out.rows.push(row);
            }
            out
        })
        .collect()
}
