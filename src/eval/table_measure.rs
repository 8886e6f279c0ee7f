//! Measures that take a table's outputs: the table is evaluated once per record for all
//! of them. A record whose row the table decides from its values alone
//! ([`decide_direct`]) gets its outputs straight away, and, when every record is decided
//! so, each measure also gets [`Codes`]: which of the table's few output values each
//! record has, one byte each, so that what is counted by those values (a `share` of
//! grades) is counted per value once rather than compared per record.

use super::failed::Failed;
use super::measure::{per_record, View};
use super::table::{decide_direct, eval_table, outputs_of, Fired};
use super::ScoreError;
use crate::expr::eval::Frame;
use crate::expr::vars::PeriodVars;
use crate::plan::{MeasureKind, Plan, TableBody};
use crate::value::{CollId, Value};
use rayon::prelude::*;
use std::borrow::Cow;

/// Which of a table's output values each record has: `of[i]` indexes `domain`, the
/// output's value in each row (or band) in order, then the default's.
#[derive(Debug)]
pub(crate) struct Codes {
    /// The values, by code.
    pub domain: Vec<Value>,
    /// Each record's code, by position.
    pub of: Vec<u8>,
}

/// The values output `output` of table `t` can give, by code: each row's (or band's),
/// then the default's (no value when there is none); `None` when there are too many for
/// a byte.
fn domain(t: &crate::plan::Table, output: usize) -> Option<Vec<Value>> {
    let mut domain: Vec<Value> = match &t.body {
        TableBody::Rows(rows) => rows.iter().map(|r| r.then.get(output).cloned()).collect::<Option<_>>()?,
        TableBody::Bands { bands, .. } => {
            bands.iter().map(|b| b.then.get(output).cloned()).collect::<Option<_>>()?
        }
    };
    domain.push(match &t.default {
        Some(d) => d.get(output)?.clone(),
        None => Value::None,
    });
    (domain.len() <= usize::from(u8::MAX) + 1).then_some(domain)
}

/// The code of what fired: the row's (or band's) position, the default's last.
fn code(fired: &Fired, rows: usize) -> u8 {
    match fired {
        Fired::One(i) => *i as u8,
        _ => rows as u8,
    }
}

/// A measure's id, its column, and its codes when it has them.
type Column = (usize, Vec<Value>, Option<Codes>);

/// The columns (and codes) of the measures of `coll` that take table `table`'s outputs;
/// `rule` names the first of them in errors.
pub(super) fn columns(
    plan: &Plan,
    view: &View,
    vars: &PeriodVars,
    coll: CollId,
    table: usize,
    rule: &str,
) -> Result<Vec<Column>, Failed> {
    let ds = view.ds;
    let t = &plan.tables[table];
    let n = ds.colls[coll as usize].rows.len();
    let cname = &plan.collections[coll as usize].name;
    let rec = |i: usize| Some(format!("{cname} '{}'", ds.colls[coll as usize].key(i)));
    let outputs: Vec<(usize, usize)> = plan
        .measures
        .iter()
        .enumerate()
        .filter_map(|(j, x)| match x.kind {
            MeasureKind::Table { table: u, output } if u == table && x.coll == coll => {
                Some((j, output))
            }
            _ => None,
        })
        .collect();
    let hit = |i: usize| {
        let frame = Frame {
            data: view,
            base: Some((coll, i as u32)),
            vars: vars.record(),
        };
        eval_table(t, &frame)
            .map(|hit| hit.outputs)
            .map_err(|(expr, err)| {
                ScoreError::eval(&format!("{rule} (table {})", t.name), rec(i), &expr, err)
            })
    };
    let [(j, output)] = outputs[..] else {
        let hits = per_record(plan, coll, n, hit)?;
        return Ok(outputs
            .into_iter()
            .map(|(j, output)| (j, hits.par_iter().map(|h| h[output].clone()).collect(), None))
            .collect());
    };
    // one measure takes the table's outputs: its column straight away, each record's row
    // decided from its values when the table allows, the others (and their errors, the
    // first in key order) evaluated in full after
    let records = &ds.colls[coll as usize].rows;
    let domain = t.direct.as_ref().and_then(|_| domain(t, output));
    let rows = domain.as_ref().map_or(0, |d| d.len() - 1);
    let mut col = vec![Value::None; n];
    // written for every record (a byte each), kept only when every record was decided
    let mut codes = vec![0u8; n];
    const BLOCK: usize = 1 << 12;
    let rest: Vec<usize> = col
        .par_chunks_mut(BLOCK)
        .zip(records.par_chunks(BLOCK))
        .zip(codes.par_chunks_mut(BLOCK))
        .enumerate()
        .flat_map_iter(|(b, ((out, recs), codes))| {
            let mut rest = Vec::new();
            for (k, ((v, r), c)) in out.iter_mut().zip(recs).zip(codes).enumerate() {
                match decide_direct(t, r) {
                    Some(fired) => {
                        *c = code(&fired, rows);
                        if let Cow::Borrowed(o) = outputs_of(t, &fired) {
                            *v = o[output].clone();
                        }
                    }
                    None => rest.push(b * BLOCK + k),
                }
            }
            rest
        })
        .collect();
    let codes = match (domain, rest.is_empty()) {
        (Some(domain), true) => Some(Codes { domain, of: codes }),
        _ => None,
    };
    let values = per_record(plan, coll, rest.len(), |k| {
        hit(rest[k]).map(|outs| match outs {
            Cow::Borrowed(o) => o[output].clone(),
            Cow::Owned(mut o) => std::mem::replace(&mut o[output], Value::None),
        })
    })
    .map_err(|f| match f {
        // positions among the undecided records, as the records' own
        Failed::Records(c, list) => Failed::Records(
            c,
            list.into_iter().map(|(k, e)| (rest[k as usize] as u32, e)).collect(),
        ),
        other => other,
    })?;
    for (i, v) in rest.into_iter().zip(values) {
        col[i] = v;
    }
    Ok(vec![(j, col, codes)])
}
