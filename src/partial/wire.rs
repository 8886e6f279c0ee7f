//! Values and tallies as a partial result writes them: exact and typed, so that what is
//! read back is what was written. A number is its exact text (`724/10` reads back as
//! 72.4 exactly), a date `YYYY-MM-DD`, a record its collection and key; a tally names its
//! members by key where the engine holds positions, so that tallies of different shards
//! merge in key order.

use crate::data::Dataset;
use crate::indicator::{Categories, Tally};
use crate::num::Number;
use crate::plan::Plan;
use crate::value::Value;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A value other than none (which is JSON `null`), tagged with its type.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub(crate) enum Wire {
    /// An exact number.
    #[serde(rename = "n")]
    Num(String),
    /// Text.
    #[serde(rename = "t")]
    Text(String),
    /// A date.
    #[serde(rename = "d")]
    Date(NaiveDate),
    /// A truth value.
    #[serde(rename = "b")]
    Bool(bool),
    /// A list of values.
    #[serde(rename = "l")]
    List(Vec<Option<Wire>>),
    /// One item (a checklist's, a scan's state): its fields' values.
    #[serde(rename = "i")]
    Item(Vec<Option<Wire>>),
    /// Items of one shape: the width, then every item's fields in turn.
    #[serde(rename = "is")]
    Items(u16, Vec<Option<Wire>>),
    /// A record: its collection and key.
    #[serde(rename = "r")]
    Rec(String, String),
}

/// A value as written: none is `None`.
pub(crate) fn to_wire(plan: &Plan, ds: &Dataset, v: &Value) -> Option<Wire> {
    let all = |vs: &[Value]| vs.iter().map(|x| to_wire(plan, ds, x)).collect();
    Some(match v {
        Value::None => return None,
        Value::Bool(b) => Wire::Bool(*b),
        Value::Num(n) => Wire::Num(n.get().to_exact_string()),
        Value::Str(_) | Value::Short(_) => Wire::Text(v.as_str().unwrap_or_default().into()),
        Value::Date(d) => Wire::Date(*d),
        Value::Rec(c, i) => Wire::Rec(
            plan.collections[*c as usize].name.clone(),
            ds.colls[*c as usize].key(*i as usize).to_string(),
        ),
        Value::Item(vs, start, w) => {
            let start = *start as usize;
            Wire::Item(all(vs.get(start..start + *w as usize).unwrap_or_default()))
        }
        Value::List(vs) => Wire::List(all(vs)),
        Value::Items(vs, w) => Wire::Items(*w, all(vs)),
    })
}

/// A value read back. A record is found by its key in `ds` (whose records are the
/// jurisdictions: a partial carries no other record); `Err` says what is wrong.
pub(crate) fn from_wire(plan: &Plan, ds: &Dataset, w: &Option<Wire>) -> Result<Value, String> {
    let all = |ws: &[Option<Wire>]| -> Result<Arc<[Value]>, String> {
        ws.iter().map(|x| from_wire(plan, ds, x)).collect()
    };
    let Some(w) = w else { return Ok(Value::None) };
    Ok(match w {
        Wire::Num(t) => Value::from(Number::parse(t).map_err(|e| format!("number '{t}': {e}"))?),
        Wire::Text(t) => Value::str(t),
        Wire::Date(d) => Value::Date(*d),
        Wire::Bool(b) => Value::Bool(*b),
        Wire::List(ws) => Value::List(all(ws)?),
        Wire::Item(ws) => {
            let width = u16::try_from(ws.len()).map_err(|_| "an item of over 65,535 fields")?;
            Value::Item(all(ws)?, 0, width)
        }
        Wire::Items(width, ws) => {
            if *width == 0 || ws.len() % *width as usize != 0 {
                return Err(format!(
                    "{} item values are not items of {width} fields",
                    ws.len()
                ));
            }
            Value::Items(all(ws)?, *width)
        }
        Wire::Rec(coll, key) => {
            let c = plan
                .collection(coll)
                .ok_or_else(|| format!("no collection '{coll}'"))?;
            let i = ds.colls[c as usize].find(key).ok_or_else(|| {
                format!("record '{key}' of '{coll}' is not one a partial result carries (only the jurisdictions and other collections every shard has whole)")
            })?;
            Value::Rec(c, i)
        }
    })
}

/// A tally with its members named by key ([`Tally`] names them by position).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub(crate) struct Counted {
    /// Members.
    #[serde(skip_serializing_if = "is_zero")]
    pub members: u64,
    /// Members meeting the kind's condition.
    #[serde(skip_serializing_if = "is_zero")]
    pub meets: u64,
    /// Σ numerator, exact (none: zero).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub num: Option<String>,
    /// Σ denominator, exact (none: zero).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub den: Option<String>,
    /// Σ number, exact (none: zero).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sum: Option<String>,
    /// Evidence members, all of them.
    #[serde(skip_serializing_if = "is_zero")]
    pub evidence_count: u64,
    /// The first evidence members' keys, in key order, at most the evidence cap.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
    /// Members per category name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub categories: BTreeMap<String, u64>,
    /// The members' values by key, in key order (`custom`, `median`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<(String, Option<Wire>)>,
    /// The first late members' keys with their due and submission dates (`timeliness`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub late: Vec<(String, NaiveDate, Option<NaiveDate>)>,
    /// Records not yet due and not submitted (`timeliness`).
    #[serde(skip_serializing_if = "is_zero")]
    pub not_yet_due: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// A sum's exact text; none for zero.
fn sum_text(n: &Number) -> Option<String> {
    (!n.is_zero()).then(|| n.to_exact_string())
}

/// A sum read back.
fn sum_of(t: &Option<String>) -> Result<Number, String> {
    match t {
        None => Ok(Number::ZERO),
        Some(t) => Number::parse(t).map_err(|e| format!("sum '{t}': {e}")),
    }
}

impl Counted {
    /// The tally with its members named by `key`; values as [`to_wire`] writes them.
    pub fn of(
        t: &Tally,
        key: impl Fn(u32) -> String,
        value: impl Fn(&Value) -> Option<Wire>,
    ) -> Counted {
        Counted {
            members: t.members,
            meets: t.meets,
            num: sum_text(&t.num),
            den: sum_text(&t.den),
            sum: sum_text(&t.sum),
            evidence_count: t.evidence_count,
            evidence: t.evidence.iter().map(|i| key(*i)).collect(),
            categories: t.categories.by_name(),
            values: t.values.iter().map(|(i, v)| (key(*i), value(v))).collect(),
            late: t
                .late
                .iter()
                .map(|(i, due, sub)| (key(*i), *due, *sub))
                .collect(),
            not_yet_due: t.not_yet_due,
        }
    }

    /// Whether it counts nothing (such tallies are left out of a partial).
    pub fn is_empty(&self) -> bool {
        *self == Counted::default()
    }

    /// The tally with its members at the positions `pos` gives their keys.
    pub fn tally(
        &self,
        pos: impl Fn(&str) -> u32,
        value: impl Fn(&Option<Wire>) -> Result<Value, String>,
    ) -> Result<Tally, String> {
        Ok(Tally {
            members: self.members,
            meets: self.meets,
            num: sum_of(&self.num)?,
            den: sum_of(&self.den)?,
            sum: sum_of(&self.sum)?,
            evidence_count: self.evidence_count,
            evidence: self.evidence.iter().map(|k| pos(k)).collect(),
            categories: Categories::named(self.categories.clone()),
            values: self
                .values
                .iter()
                .map(|(k, v)| Ok((pos(k), value(v)?)))
                .collect::<Result<_, String>>()?,
            late: self.late.iter().map(|(k, d, s)| (pos(k), *d, *s)).collect(),
            not_yet_due: self.not_yet_due,
        })
    }

    /// Every key it names.
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.evidence
            .iter()
            .chain(self.values.iter().map(|v| &v.0))
            .chain(self.late.iter().map(|l| &l.0))
    }

    /// Adds the tally of other members (none of them this one's), as
    /// [`Tally::merge`] does: counts and sums add, lists stay in key order within `cap`.
    pub fn merge(&mut self, o: &Counted, cap: usize) -> Result<(), String> {
        let add = |a: &Option<String>, b: &Option<String>| -> Result<Option<String>, String> {
            let s = sum_of(a)?.add(sum_of(b)?).map_err(|e| e.to_string())?;
            Ok(sum_text(&s))
        };
        self.members += o.members;
        self.meets += o.meets;
        self.not_yet_due += o.not_yet_due;
        self.num = add(&self.num, &o.num)?;
        self.den = add(&self.den, &o.den)?;
        self.sum = add(&self.sum, &o.sum)?;
        self.evidence_count += o.evidence_count;
        self.evidence = by_key(&self.evidence, &o.evidence, cap, |k| k)?;
        self.late = by_key(&self.late, &o.late, cap, |l| &l.0)?;
        self.values = by_key(&self.values, &o.values, usize::MAX, |v| &v.0)?;
        for (name, n) in &o.categories {
            *self.categories.entry(name.clone()).or_default() += n;
        }
        Ok(())
    }
}

/// The first `cap` of two lists in key order, in key order; a key in both is a member
/// counted in two shards, which is an error.
fn by_key<T: Clone>(
    a: &[T],
    b: &[T],
    cap: usize,
    key: impl Fn(&T) -> &String,
) -> Result<Vec<T>, String> {
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity((a.len() + b.len()).min(cap));
    while out.len() < cap && (i < a.len() || j < b.len()) {
        let take_a = match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) => match key(x).cmp(key(y)) {
                std::cmp::Ordering::Less => true,
                std::cmp::Ordering::Greater => false,
                std::cmp::Ordering::Equal => {
                    return Err(format!("member '{}' is in two partial results", key(x)))
                }
            },
            (Some(_), None) => true,
            _ => false,
        };
        if take_a {
            out.push(a[i].clone());
            i += 1;
        } else {
            out.push(b[j].clone());
            j += 1;
        }
    }
    Ok(out)
}
