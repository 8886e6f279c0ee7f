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
use crate::json_locate::describe;
use crate::num::Number;
use crate::pack::spec::{ExtraFields, PeriodSpec};
use crate::plan::{Collection, Field, FieldKind, Period, Plan};
use crate::value::{CollId, Value};
use serde::Serialize;
use serde_json::Value as Json;
use std::collections::{BTreeMap, HashMap};
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

/// The records of one collection that are used, sorted by key.
#[derive(Debug, Default)]
pub struct CollData {
    /// Keys by record index.
    pub keys: Vec<Arc<str>>,
    /// Field values by record index, then slot; references hold `Value::Rec`.
    pub rows: Vec<Box<[Value]>>,
    /// Record index by key.
    pub index: HashMap<Arc<str>, u32>,
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

/// A record being read: key, values (references still as key strings), status.
struct Raw {
    key: Option<Arc<str>>,
    pos: usize,
    row: Box<[Value]>,
    status: Status,
}

#[derive(Clone, Debug, PartialEq)]
enum Status {
    Ok,
    Rejected(String),
}

fn parse_period(v: &Json) -> Result<Period, DataError> {
    let spec: PeriodSpec = serde_json::from_value(v.clone())
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

/// Converts one JSON value to a field value; `Err` says what is wrong.
fn convert(f: &Field, v: &Json, plan: &Plan, path: &str) -> Result<Value, String> {
    let bad = |want: &str| format!("field '{path}': expected {want}, found {}", describe(v));
    if v.is_null() {
        return if f.optional {
            Ok(Value::None)
        } else {
            Err(format!("field '{path}' is required but null"))
        };
    }
    Ok(match &f.kind {
        FieldKind::Str => match v {
            Json::String(s) => Value::str(s),
            _ => return Err(bad("a string")),
        },
        FieldKind::Ref(c) => match v {
            Json::String(s) => Value::str(s),
            _ => {
                return Err(bad(&format!(
                    "the key (a string) of a {} record",
                    plan.collections[*c as usize].name
                )))
            }
        },
        FieldKind::Enum(values) => match v {
            Json::String(s) => match values.iter().find(|x| x.as_ref() == s.as_str()) {
                Some(x) => Value::Str(x.clone()),
                None => {
                    let all: Vec<&str> = values.iter().map(|s| s.as_ref()).collect();
                    return Err(format!(
                        "field '{path}': '{s}' is not one of {}",
                        all.join(", ")
                    ));
                }
            },
            _ => return Err(bad("a string")),
        },
        FieldKind::Num | FieldKind::Int => {
            let n = match v {
                Json::Number(n) => {
                    Number::parse(n.as_str()).map_err(|e| format!("field '{path}': {e}"))?
                }
                _ => return Err(bad("a number")),
            };
            if f.kind == FieldKind::Int && !n.is_integer() {
                return Err(bad("a whole number"));
            }
            Value::Num(n)
        }
        FieldKind::Bool => match v {
            Json::Bool(b) => Value::Bool(*b),
            _ => return Err(bad("true or false")),
        },
        FieldKind::Date => match v {
            Json::String(s) => match crate::plan::parse_date_pub(s) {
                Some(d) => Value::Date(d),
                None => return Err(bad("a date YYYY-MM-DD")),
            },
            _ => return Err(bad("a date YYYY-MM-DD")),
        },
        FieldKind::List(item) => match v {
            Json::Array(elems) => {
                let shape = &plan.items[*item as usize];
                let mut out = Vec::with_capacity(elems.len());
                for (i, e) in elems.iter().enumerate() {
                    let ipath = format!("{path}[{i}]");
                    let Json::Object(m) = e else {
                        return Err(format!(
                            "field '{ipath}': expected an object, found {}",
                            describe(e)
                        ));
                    };
                    if let Some(k) = m
                        .keys()
                        .find(|k| !shape.fields.iter().any(|f| &f.name == *k))
                    {
                        return Err(format!(
                            "field '{ipath}.{k}' is not declared for these items"
                        ));
                    }
                    let mut vals = Vec::with_capacity(shape.fields.len());
                    for sf in &shape.fields {
                        let fp = format!("{ipath}.{}", sf.name);
                        vals.push(match m.get(&sf.name) {
                            Some(x) => convert(sf, x, plan, &fp)?,
                            None if sf.optional => Value::None,
                            None => return Err(format!("field '{fp}' is required but missing")),
                        });
                    }
                    out.push(Value::Item(vals.into()));
                }
                Value::List(out.into())
            }
            _ => return Err(bad("a list")),
        },
    })
}

fn read_record(c: &Collection, v: &Json, plan: &Plan, pos: usize) -> Raw {
    let key = match v.get(&c.fields[c.key_slot as usize].name) {
        Some(Json::String(s)) => Some(Arc::<str>::from(s.as_str())),
        _ => None,
    };
    let mut raw = Raw {
        key,
        pos,
        row: Box::new([]),
        status: Status::Ok,
    };
    let Json::Object(m) = v else {
        raw.status = Status::Rejected(format!("a record is an object, found {}", describe(v)));
        return raw;
    };
    if c.extra_fields == ExtraFields::Reject {
        if let Some(k) = m.keys().find(|k| !c.field_index.contains_key(k.as_str())) {
            raw.status = Status::Rejected(format!("field '{k}' is not declared for {}", c.name));
            return raw;
        }
    }
    let mut row = Vec::with_capacity(c.fields.len());
    for f in &c.fields {
        let r = match m.get(&f.name) {
            Some(x) => convert(f, x, plan, &f.name),
            None if f.optional => Ok(Value::None),
            None => Err(format!("field '{}' is required but missing", f.name)),
        };
        match r {
            Ok(x) => row.push(x),
            Err(e) => {
                raw.status = Status::Rejected(e);
                return raw;
            }
        }
    }
    raw.row = row.into();
    raw
}

/// Reads a dataset from JSON text.
pub fn read_str(plan: &Plan, text: &str) -> Result<Dataset, DataError> {
    let json: Json = serde_json::from_str(text).map_err(|e| DataError::NotJson {
        line: e.line(),
        col: e.column(),
        message: e.to_string(),
    })?;
    read_value(plan, &json)
}

/// Reads a dataset from a parsed JSON value.
pub fn read_value(plan: &Plan, json: &Json) -> Result<Dataset, DataError> {
    let Json::Object(root) = json else {
        return Err(DataError::Shape(format!(
            "must be an object with a period and one array per collection, found {}",
            describe(json)
        )));
    };
    let mut period = plan.period;
    for (k, v) in root {
        if k == "period" {
            period = Some(parse_period(v)?);
        } else if plan.collection(k).is_none() {
            let names: Vec<&str> = plan.collections.iter().map(|c| c.name.as_str()).collect();
            return Err(DataError::Shape(format!(
                "has '{k}', which is not a collection of this pack (collections: {}; and period)",
                names.join(", ")
            )));
        }
    }
    let period = period.ok_or_else(|| {
        DataError::Shape(
            "has no period, and the pack gives none: add \"period\": {\"from\": …, \"to\": …}"
                .into(),
        )
    })?;

    // 1. convert records
    let mut raws: Vec<Vec<Raw>> = Vec::new();
    let mut accounting = vec![Accounting::default(); plan.collections.len()];
    for (ci, c) in plan.collections.iter().enumerate() {
        let recs = match root.get(&c.name) {
            None => Vec::new(),
            Some(Json::Array(a)) => a
                .iter()
                .enumerate()
                .map(|(i, v)| read_record(c, v, plan, i))
                .collect(),
            Some(other) => {
                return Err(DataError::Shape(format!(
                    "'{}' must be an array of records, found {}",
                    c.name,
                    describe(other)
                )))
            }
        };
        accounting[ci].read = recs.len() as u64;
        raws.push(recs);
    }

    // 2. duplicate keys: every record with a repeated key is rejected
    for recs in raws.iter_mut() {
        let mut count: HashMap<Arc<str>, usize> = HashMap::new();
        for r in recs.iter() {
            if let Some(k) = &r.key {
                *count.entry(k.clone()).or_default() += 1;
            }
        }
        for r in recs.iter_mut() {
            if let (Some(k), Status::Ok) = (&r.key, &r.status) {
                let n = count[k];
                if n > 1 {
                    r.status =
                        Status::Rejected(format!("duplicate key '{k}' ({n} records have it)"));
                }
            }
        }
    }

    // 3. references, until nothing changes (a rejection can orphan other records)
    let index: Vec<HashMap<Arc<str>, usize>> = raws
        .iter()
        .map(|recs| {
            recs.iter()
                .enumerate()
                .filter(|(_, r)| r.status == Status::Ok)
                .filter_map(|(i, r)| r.key.clone().map(|k| (k, i)))
                .collect()
        })
        .collect();
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
    loop {
        let mut changes = Vec::new();
        for (ci, recs) in raws.iter().enumerate() {
            for (ri, r) in recs.iter().enumerate() {
                if r.status != Status::Ok {
                    continue;
                }
                for &(slot, target) in &ref_slots[ci] {
                    let Value::Str(k) = &r.row[slot as usize] else {
                        continue;
                    };
                    let tname = &plan.collections[target as usize].name;
                    let fname = &plan.collections[ci].fields[slot as usize].name;
                    let reason = match index[target as usize].get(k) {
                        None => {
                            let dup = raws[target as usize]
                                .iter()
                                .any(|x| x.key.as_ref() == Some(k));
                            if dup {
                                Some(format!("field '{fname}': {tname} '{k}' was rejected"))
                            } else {
                                Some(format!("field '{fname}': no {tname} record has key '{k}'"))
                            }
                        }
                        Some(&ti) if raws[target as usize][ti].status != Status::Ok => {
                            Some(format!("field '{fname}': {tname} '{k}' was rejected"))
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
        if changes.is_empty() {
            break;
        }
        for (ci, ri, reason) in changes {
            raws[ci][ri].status = Status::Rejected(reason);
        }
    }

    // 4. keep the valid records, sorted by key, references resolved
    let keep: Vec<Vec<bool>> = raws
        .iter()
        .map(|recs| recs.iter().map(|r| r.status == Status::Ok).collect())
        .collect();
    let mut colls = compact(&raws, &keep, &ref_slots);

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

/// Builds sorted collections from the kept raw records, resolving references to indices.
fn compact(
    raws: &[Vec<Raw>],
    keep: &[Vec<bool>],
    ref_slots: &[Vec<(u16, CollId)>],
) -> Vec<CollData> {
    let mut order: Vec<Vec<usize>> = Vec::new();
    for (ci, recs) in raws.iter().enumerate() {
        let mut idx: Vec<usize> = (0..recs.len()).filter(|i| keep[ci][*i]).collect();
        idx.sort_by(|a, b| recs[*a].key.cmp(&recs[*b].key));
        order.push(idx);
    }
    let index: Vec<HashMap<Arc<str>, u32>> = order
        .iter()
        .enumerate()
        .map(|(ci, idx)| {
            idx.iter()
                .enumerate()
                .filter_map(|(n, i)| raws[ci][*i].key.clone().map(|k| (k, n as u32)))
                .collect()
        })
        .collect();
    let mut out = Vec::new();
    for (ci, idx) in order.iter().enumerate() {
        let mut rows = Vec::with_capacity(idx.len());
        let mut keys = Vec::with_capacity(idx.len());
        for i in idx {
            let r = &raws[ci][*i];
            let mut row = r.row.clone();
            for &(slot, target) in &ref_slots[ci] {
                if let Value::Str(k) = &row[slot as usize] {
                    // kept records only reference kept records (step 3)
                    row[slot as usize] = match index[target as usize].get(k) {
                        Some(t) => Value::Rec(target, *t),
                        None => Value::None,
                    };
                }
            }
            keys.push(r.key.clone().unwrap_or_else(|| Arc::from("")));
            rows.push(row);
        }
        out.push(CollData {
            keys,
            rows,
            index: index[ci].clone(),
        });
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
                out.index.insert(key.clone(), out.keys.len() as u32);
                out.keys.push(key);
                out.rows.push(row);
            }
            out
        })
        .collect()
}
