//! Decision tables (hit policies first, unique, priority, collect) and band tables
//! (binary search over sorted, gap-free bands: the cost does not depend on which band
//! matches).

use crate::expr::eval::{EvalError, Frame};
use crate::num::Number;
use crate::plan::{CollectAgg, Direct, Hit, Table, TableBody, TableOn};
use crate::value::Value;
use std::borrow::Cow;

/// Which rows of a table fired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fired {
    /// None: the default applied.
    Default,
    /// One row, or one band.
    One(usize),
    /// Several rows (hit policy collect).
    Many(Vec<usize>),
}

impl Fired {
    /// The indices of the rows (or the band) that fired, in row order.
    pub fn as_slice(&self) -> &[usize] {
        match self {
            Fired::Default => &[],
            Fired::One(i) => std::slice::from_ref(i),
            Fired::Many(v) => v,
        }
    }
}

/// What a table gave and why. The outputs of a row or band are lent by the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct TableHit<'t> {
    /// Output values in the table's output order.
    pub outputs: Cow<'t, [Value]>,
    /// The rows (or the band) that fired.
    pub fired: Fired,
}

fn failed(src: &str, message: String) -> (String, EvalError) {
    (
        src.to_string(),
        EvalError {
            pos: 0,
            message,
            operand: false,
            stops_run: false,
        },
    )
}

/// Which row (or band) of a [`Table::direct`] table fires for the record whose values are
/// `record`, decided from them alone: each row's condition tested directly
/// ([`crate::expr::quick::Quick`]) in turn, or the band of the field's number. `None` when
/// the table is not direct or a test cannot answer for this record (a field with no value,
/// or of another type), or when no row fires and the table has no default: [`eval_table`]
/// then evaluates it in full, and says what is wrong.
#[inline]
pub fn decide_direct(t: &Table, record: &[Value]) -> Option<Fired> {
    match (t.direct.as_ref()?, &t.body) {
        (Direct::Rows(tests), _) => {
            for (i, q) in tests.iter().enumerate() {
                if q.test(record)? {
                    return Some(Fired::One(i));
                }
            }
            t.default.is_some().then_some(Fired::Default)
        }
        (Direct::Band(slot), TableBody::Bands { bands, .. }) => {
            let x = record.get(*slot as usize)?.num()?;
            match band_of(bands, &x) {
                Some(k) => Some(Fired::One(k)),
                None => t.default.is_some().then_some(Fired::Default),
            }
        }
        _ => None,
    }
}

/// The error of a record that no row (or band) of a table on records matches when the
/// table has no default: such a record is set aside with it, never left without a value
/// to drop silently out of a population (a pool with no water test, counted nowhere,
/// would raise the share of pools that pass). `src` is the condition (or input) tested
/// last. Tables on groups and on the scorecard give no value instead, which shows.
fn uncovered(t: &Table, src: &str) -> (String, EvalError) {
    let what = match &t.body {
        TableBody::Bands { .. } => "falls in no band of the table",
        TableBody::Rows(_) => "matches no row of the table",
    };
    failed(
        src,
        format!("{what}, which has no default: give the table a \"default\" (or a last row \"when\": \"true\") for such records"),
    )
}

/// The band `x` falls in: bands are sorted by min (no min first), the last one starting at
/// or below `x`, unless `x` is at or past its end.
pub(crate) fn band_of(bands: &[crate::plan::Band], x: &Number) -> Option<usize> {
    let k = bands.partition_point(|b| b.min.as_ref().is_none_or(|m| m <= x));
    let b = bands.get(k.checked_sub(1)?)?;
    match &b.below {
        Some(hi) if x >= hi => None,
        _ => Some(k - 1),
    }
}

/// The outputs of a row or band that fired, or the default's.
pub fn outputs_of<'t>(t: &'t Table, fired: &Fired) -> Cow<'t, [Value]> {
    let then = match (fired, &t.body) {
        (Fired::One(i), TableBody::Rows(rows)) => rows.get(*i).map(|r| &r.then),
        (Fired::One(i), TableBody::Bands { bands, .. }) => bands.get(*i).map(|b| &b.then),
        _ => None,
    };
    match (then, &t.default) {
        (Some(then), _) => Cow::Borrowed(then.as_slice()),
        (None, Some(d)) => Cow::Borrowed(d.as_slice()),
        (None, None) => Cow::Owned(vec![Value::None; t.outputs.len()]),
    }
}

/// Evaluates a table; an error carries the source of the expression that failed.
pub fn eval_table<'t>(t: &'t Table, f: &Frame) -> Result<TableHit<'t>, (String, EvalError)> {
    let record = f.base.map(|(coll, i)| f.data.record(coll, i));
    if let Some(fired) = record.and_then(|values| decide_direct(t, values)) {
        return Ok(TableHit {
            outputs: outputs_of(t, &fired),
            fired,
        });
    }
    // what no row fired gives: the default, or for a record an error (see [`uncovered`])
    let on_records = matches!(t.on, TableOn::Coll(_)) && t.default.is_none();
    let none_after = |src: &str| -> Result<TableHit<'t>, (String, EvalError)> {
        if on_records {
            return Err(uncovered(t, src));
        }
        Ok(TableHit {
            outputs: outputs_of(t, &Fired::Default),
            fired: Fired::Default,
        })
    };
    let none = || TableHit {
        outputs: outputs_of(t, &Fired::Default),
        fired: Fired::Default,
    };
    let last_src = match &t.body {
        TableBody::Rows(rows) => rows.last().map_or("", |r| &r.when.src),
        TableBody::Bands { input, .. } => &input.src,
    };
    let one = |then: &'t [Value], i: usize| TableHit {
        outputs: Cow::Borrowed(then),
        fired: Fired::One(i),
    };
    match &t.body {
        TableBody::Bands { input, bands } => {
            let v = input.eval(f).map_err(|e| (input.src.to_string(), e))?;
            let x = match v.num() {
                Some(x) => x,
                // no value: the default when the table has one (e.g. "no rated inspection")
                None if v.is_none() && t.default.is_some() => return Ok(none()),
                None => {
                    return Err(failed(
                        &input.src,
                        format!(
                            "the band input has {} instead of a number (a default would be used for no value)",
                            if v.is_none() { "no value" } else { v.type_name() }
                        ),
                    ))
                }
            };
            match band_of(bands, &x) {
                Some(k) => Ok(one(&bands[k].then, k)),
                None => none_after(last_src),
            }
        }
        TableBody::Rows(rows) => {
            let when =
                |r: &crate::plan::Row| r.when.eval_bool(f).map_err(|e| (r.when.src.to_string(), e));
            match t.hit {
                Hit::First => {
                    for (i, r) in rows.iter().enumerate() {
                        if when(r)? {
                            return Ok(one(&r.then, i));
                        }
                    }
                    none_after(last_src)
                }
                Hit::Unique => {
                    let mut hit = None;
                    for (i, r) in rows.iter().enumerate() {
                        if when(r)? {
                            if let Some(first) = hit {
                                return Err(failed(
                                    &r.when.src,
                                    format!(
                                        "hit policy unique, but rows[{first}] and rows[{i}] match"
                                    ),
                                ));
                            }
                            hit = Some(i);
                        }
                    }
                    match hit {
                        Some(i) => Ok(one(&rows[i].then, i)),
                        None => none_after(last_src),
                    }
                }
                Hit::Priority => {
                    let mut best: Option<usize> = None;
                    for (i, r) in rows.iter().enumerate() {
                        if when(r)? && best.is_none_or(|b| r.priority > rows[b].priority) {
                            best = Some(i);
                        }
                    }
                    match best {
                        Some(i) => Ok(one(&rows[i].then, i)),
                        None => none_after(last_src),
                    }
                }
                Hit::Collect(agg) => {
                    let mut fired = Vec::new();
                    for (i, r) in rows.iter().enumerate() {
                        if when(r)? {
                            fired.push(i);
                        }
                    }
                    if fired.is_empty() {
                        return Ok(none());
                    }
                    let mut outputs = Vec::with_capacity(t.outputs.len());
                    for o in 0..t.outputs.len() {
                        let v = match agg {
                            CollectAgg::Count => Value::int(fired.len() as i128),
                            _ => {
                                let mut acc: Option<Number> = None;
                                for &i in &fired {
                                    let Some(x) = rows[i].then[o].num() else {
                                        continue;
                                    };
                                    acc = Some(match (acc, agg) {
                                        (None, _) => x,
                                        (Some(a), CollectAgg::Sum) => a.add(x).map_err(|e| {
                                            failed(&rows[i].when.src, e.to_string())
                                        })?,
                                        (Some(a), CollectAgg::Min) => a.min(x),
                                        (Some(a), _) => a.max(x),
                                    });
                                }
                                acc.map(Value::from).unwrap_or(Value::None)
                            }
                        };
                        outputs.push(v);
                    }
                    Ok(TableHit {
                        outputs: Cow::Owned(outputs),
                        fired: Fired::Many(fired),
                    })
                }
            }
        }
    }
}
