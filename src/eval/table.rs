//! Decision tables (hit policies first, unique, priority, collect) and band tables
//! (binary search over sorted, gap-free bands: the cost does not depend on which band
//! matches).

use crate::expr::eval::{EvalError, Frame};
use crate::num::Number;
use crate::plan::{CollectAgg, Hit, Table, TableBody};
use crate::value::Value;

/// What a table gave and why.
#[derive(Debug, Clone, PartialEq)]
pub struct TableHit {
    /// Output values in the table's output order.
    pub outputs: Vec<Value>,
    /// Indices of the rows (or the band) that fired; empty when the default applied.
    pub fired: Vec<usize>,
}

/// Evaluates a table; an error carries the source of the expression that failed.
pub fn eval_table(t: &Table, f: &Frame) -> Result<TableHit, (String, EvalError)> {
    let none = || TableHit {
        outputs: t
            .default
            .clone()
            .unwrap_or_else(|| vec![Value::None; t.outputs.len()]),
        fired: Vec::new(),
    };
    match &t.body {
        TableBody::Bands { input, bands } => {
            let x = match input.eval(f).map_err(|e| (input.src.to_string(), e))? {
                Value::Num(x) => x,
                // no value: the default when the table has one (e.g. "no rated inspection")
                Value::None if t.default.is_some() => return Ok(none()),
                other => {
                    return Err((
                        input.src.to_string(),
                        EvalError {
                            pos: 0,
                            message: format!(
                                "the band input has {} instead of a number (a default would be used for no value)",
                                if other.is_none() {
                                    "no value".to_string()
                                } else {
                                    other.type_name().to_string()
                                }
                            ),
                        },
                    ))
                }
            };
            // bands are sorted by min (no min first); find the last band starting at or below x
            let k = bands.partition_point(|b| b.min.is_none_or(|m| m <= x));
            if k == 0 {
                return Ok(none());
            }
            let b = &bands[k - 1];
            if b.below.is_some_and(|hi| x >= hi) {
                return Ok(none());
            }
            Ok(TableHit {
                outputs: b.then.clone(),
                fired: vec![k - 1],
            })
        }
        TableBody::Rows(rows) => {
            let mut fired = Vec::new();
            for (i, r) in rows.iter().enumerate() {
                if r.when
                    .eval_bool(f)
                    .map_err(|e| (r.when.src.to_string(), e))?
                {
                    fired.push(i);
                    if t.hit == Hit::First {
                        break;
                    }
                }
            }
            if fired.is_empty() {
                return Ok(none());
            }
            match t.hit {
                Hit::First => Ok(TableHit {
                    outputs: rows[fired[0]].then.clone(),
                    fired,
                }),
                Hit::Unique => {
                    if fired.len() > 1 {
                        let list: Vec<String> =
                            fired.iter().map(|i| format!("rows[{i}]")).collect();
                        return Err((
                            rows[fired[1]].when.src.to_string(),
                            EvalError {
                                pos: 0,
                                message: format!(
                                    "hit policy unique, but {} match",
                                    list.join(" and ")
                                ),
                            },
                        ));
                    }
                    Ok(TableHit {
                        outputs: rows[fired[0]].then.clone(),
                        fired,
                    })
                }
                Hit::Priority => {
                    let mut best = fired[0];
                    for &i in &fired[1..] {
                        if rows[i].priority > rows[best].priority {
                            best = i;
                        }
                    }
                    Ok(TableHit {
                        outputs: rows[best].then.clone(),
                        fired: vec![best],
                    })
                }
                Hit::Collect(agg) => {
                    let mut outputs = Vec::with_capacity(t.outputs.len());
                    for o in 0..t.outputs.len() {
                        let v = match agg {
                            CollectAgg::Count => Value::Num(Number::from_int(fired.len() as i128)),
                            _ => {
                                let mut acc: Option<Number> = None;
                                for &i in &fired {
                                    let Value::Num(x) = rows[i].then[o] else {
                                        continue;
                                    };
                                    acc = Some(match (acc, agg) {
                                        (None, _) => x,
                                        (Some(a), CollectAgg::Sum) => a.add(x).map_err(|e| {
                                            (
                                                rows[i].when.src.to_string(),
                                                EvalError {
                                                    pos: 0,
                                                    message: e.to_string(),
                                                },
                                            )
                                        })?,
                                        (Some(a), CollectAgg::Min) => a.min(x),
                                        (Some(a), _) => a.max(x),
                                    });
                                }
                                acc.map(Value::Num).unwrap_or(Value::None)
                            }
                        };
                        outputs.push(v);
                    }
                    Ok(TableHit { outputs, fired })
                }
            }
        }
    }
}
