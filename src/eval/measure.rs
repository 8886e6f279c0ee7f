//! Measures: computed column by column (one measure for every record of its collection),
//! in the plan's dependency order.

use super::table::eval_table;
use super::ScoreError;
use crate::data::Dataset;
use crate::expr::compile::MeasureId;
use crate::expr::eval::{add_months, compare, Data, Frame};
use crate::num::Number;
use crate::plan::{Agg, MeasureKind, Plan, Window};
use crate::value::{CollId, Value};
use chrono::NaiveDate;
use std::cmp::Ordering;
use std::collections::HashMap;

/// The dataset and the measures computed so far, as expressions see them.
pub struct View<'a> {
    /// The dataset.
    pub ds: &'a Dataset,
    /// Measure columns by measure id (empty until computed).
    pub cols: &'a [Vec<Value>],
}

impl Data for View<'_> {
    fn field(&self, coll: CollId, idx: u32, slot: u16) -> Value {
        self.ds.colls[coll as usize].rows[idx as usize][slot as usize].clone()
    }
    fn measure(&self, m: MeasureId, idx: u32) -> Value {
        self.cols
            .get(m as usize)
            .and_then(|c| c.get(idx as usize))
            .cloned()
            .unwrap_or(Value::None)
    }
}

/// Related records grouped by the record they reference (compressed rows).
struct Related {
    offsets: Vec<u32>,
    items: Vec<u32>,
}

impl Related {
    fn build(ds: &Dataset, over: CollId, via: u16, targets: usize) -> Related {
        let rows = &ds.colls[over as usize].rows;
        let mut counts = vec![0u32; targets + 1];
        for r in rows {
            if let Value::Rec(_, t) = r[via as usize] {
                counts[t as usize + 1] += 1;
            }
        }
        for i in 1..counts.len() {
            counts[i] += counts[i - 1];
        }
        let offsets = counts.clone();
        let mut next = counts;
        let mut items = vec![0u32; rows.len()];
        for (i, r) in rows.iter().enumerate() {
            if let Value::Rec(_, t) = r[via as usize] {
                items[next[t as usize] as usize] = i as u32;
                next[t as usize] += 1;
            }
        }
        Related { offsets, items }
    }

    fn of(&self, t: usize) -> &[u32] {
        &self.items[self.offsets[t] as usize..self.offsets[t + 1] as usize]
    }
}

/// The record whose related records an aggregate sees: record `idx` itself, or with
/// `match` the record its reference field `key` points at.
pub(crate) fn aggregate_target(row: &[Value], key: Option<u16>, idx: u32) -> Option<u32> {
    match key {
        None => Some(idx),
        Some(k) => match row[k as usize] {
            Value::Rec(_, t) => Some(t),
            _ => None,
        },
    }
}

/// The date of a record, when its collection has a date field and the record a date.
pub(crate) fn record_date(c: &crate::plan::Collection, row: &[Value]) -> Option<NaiveDate> {
    c.date_slot.and_then(|s| match row[s as usize] {
        Value::Date(d) => Some(d),
        _ => None,
    })
}

/// Whether a date falls in a window of the run's period.
pub fn in_window(w: Window, d: Option<NaiveDate>, ds: &Dataset) -> bool {
    let p = &ds.period;
    match (w, d) {
        (Window::All, _) => true,
        (_, None) => false,
        (Window::Period, Some(d)) => p.from <= d && d <= p.to,
        (Window::Months(n), Some(d)) => {
            add_months(p.as_of, -(n as i64)).is_some_and(|start| start < d) && d <= p.as_of
        }
        (Window::Days(n), Some(d)) => (p.as_of - d).num_days() < n as i64 && d <= p.as_of,
    }
}

/// Computes every measure for every record.
pub fn compute(plan: &Plan, ds: &Dataset) -> Result<Vec<Vec<Value>>, ScoreError> {
    let mut cols: Vec<Vec<Value>> = vec![Vec::new(); plan.measures.len()];
    let mut related: HashMap<(CollId, u16), Related> = HashMap::new();
    let vars = ds.record_vars();
    for &m in &plan.measure_order {
        let meas = &plan.measures[m as usize];
        let coll = meas.coll;
        let n = ds.colls[coll as usize].rows.len();
        let cname = &plan.collections[coll as usize].name;
        let rule = format!("measure {cname}.{}", meas.name);
        let rec = |i: usize| Some(format!("{cname} '{}'", ds.colls[coll as usize].keys[i]));
        if let MeasureKind::Aggregate { over, via, .. } = &meas.kind {
            let targets = match plan.collections[*over as usize].fields[*via as usize].kind {
                crate::plan::FieldKind::Ref(t) => ds.colls[t as usize].rows.len(),
                _ => 0,
            };
            related
                .entry((*over, *via))
                .or_insert_with(|| Related::build(ds, *over, *via, targets));
        }
        let view = View { ds, cols: &cols };
        let mut col = Vec::with_capacity(n);
        for i in 0..n {
            let frame = Frame {
                data: &view,
                base: Some((coll, i as u32)),
                vars: &vars,
            };
            let v = match &meas.kind {
                MeasureKind::Expr(e) => e
                    .eval(&frame)
                    .map_err(|err| ScoreError::eval(&rule, rec(i), &e.src, err))?,
                MeasureKind::Table { table, output } => {
                    let t = &plan.tables[*table];
                    let hit = eval_table(t, &frame).map_err(|(expr, err)| {
                        ScoreError::eval(&format!("{rule} (table {})", t.name), rec(i), &expr, err)
                    })?;
                    hit.outputs[*output].clone()
                }
                MeasureKind::Aggregate {
                    agg,
                    over,
                    via,
                    key,
                    filter,
                    value,
                    window,
                } => {
                    let oc = &plan.collections[*over as usize];
                    let orows = &ds.colls[*over as usize];
                    let rel = &related[&(*over, *via)];
                    let target = aggregate_target(&ds.colls[coll as usize].rows[i], *key, i as u32);
                    let outer_vars = [
                        vars[0].clone(),
                        vars[1].clone(),
                        vars[2].clone(),
                        Value::Rec(coll, i as u32),
                    ];
                    let mut count = 0u64;
                    let mut sum = Number::ZERO;
                    let mut best: Option<(Value, usize)> = None;
                    let mut list = Vec::new();
                    for &j in target.map(|t| rel.of(t as usize)).unwrap_or(&[]) {
                        let row = &orows.rows[j as usize];
                        let date = record_date(oc, row);
                        if !in_window(*window, date, ds) {
                            continue;
                        }
                        let of = Frame {
                            data: &view,
                            base: Some((*over, j)),
                            vars: &outer_vars,
                        };
                        let orec = || {
                            Some(format!(
                                "{} '{}' (related to {cname} '{}')",
                                oc.name, orows.keys[j as usize], ds.colls[coll as usize].keys[i]
                            ))
                        };
                        if let Some(f) = filter {
                            if !f
                                .eval_bool(&of)
                                .map_err(|e| ScoreError::eval(&rule, orec(), &f.src, e))?
                            {
                                continue;
                            }
                        }
                        count += 1;
                        let Some(vexpr) = value else { continue };
                        let v = vexpr
                            .eval(&of)
                            .map_err(|e| ScoreError::eval(&rule, orec(), &vexpr.src, e))?;
                        let missing = || {
                            ScoreError::Eval {
                            context: format!("{rule}, {}", orec().unwrap_or_default()),
                            message: format!("the value `{}` has no value; {:?} needs one for every record it counts (filter such records out with \"where\")", vexpr.src, agg),
                        }
                        };
                        match agg {
                            Agg::Sum | Agg::Mean => match v {
                                Value::Num(x) => {
                                    sum = sum.add(x).map_err(|e| ScoreError::Eval {
                                        context: rule.clone(),
                                        message: e.to_string(),
                                    })?
                                }
                                _ => return Err(missing()),
                            },
                            Agg::Min | Agg::Max => {
                                if v.is_none() {
                                    return Err(missing());
                                }
                                let better = match &best {
                                    None => true,
                                    Some((b, _)) => {
                                        let o = compare(&v, b).unwrap_or(Ordering::Equal);
                                        (*agg == Agg::Min && o == Ordering::Less)
                                            || (*agg == Agg::Max && o == Ordering::Greater)
                                    }
                                };
                                if better {
                                    best = Some((v, j as usize));
                                }
                            }
                            Agg::Latest => {
                                // related records are in key order, so a later equal date wins by key
                                let later = match &best {
                                    None => true,
                                    Some((_, b)) => {
                                        let bd = oc
                                            .date_slot
                                            .map(|s| orows.rows[*b][s as usize].clone());
                                        let dd = oc.date_slot.map(|s| row[s as usize].clone());
                                        match (dd, bd) {
                                            (Some(x), Some(y)) => {
                                                compare(&x, &y).unwrap_or(Ordering::Equal)
                                                    != Ordering::Less
                                            }
                                            _ => true,
                                        }
                                    }
                                };
                                if later {
                                    best = Some((v, j as usize));
                                }
                            }
                            Agg::List => list.push((date, v)),
                            Agg::Count => {}
                        }
                    }
                    match agg {
                        Agg::Count => Value::Num(Number::from_int(count as i128)),
                        Agg::Sum => Value::Num(sum),
                        Agg::Mean if count == 0 => Value::None,
                        Agg::Mean => {
                            Value::Num(sum.div(Number::from_int(count as i128)).map_err(|e| {
                                ScoreError::Eval {
                                    context: rule.clone(),
                                    message: e.to_string(),
                                }
                            })?)
                        }
                        Agg::Min | Agg::Max | Agg::Latest => {
                            best.map(|b| b.0).unwrap_or(Value::None)
                        }
                        Agg::List => {
                            // in date order (stable: equal dates stay in key order)
                            list.sort_by_key(|(d, _)| *d);
                            Value::List(list.into_iter().map(|(_, v)| v).collect())
                        }
                    }
                }
            };
            col.push(v);
        }
        cols[m as usize] = col;
    }
    Ok(cols)
}
