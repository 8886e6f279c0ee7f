//! Measures that take a table's outputs: the table is evaluated once per record for all
//! of them. A record whose row the table decides from its values alone
//! ([`decide_direct`]) gets its outputs straight away, and, when every record is decided
//! so, a measure that is the table's only one is a [`Column::Coded`]: which of the
//! table's few output values each record has, one byte each.

use super::column::{Codes, Column};
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

/// What a table decides for each of `records` from its values alone (`decide`, in
/// parallel blocks), and the positions of those it cannot decide (in order), whose place
/// holds `fill`.
fn decided<T: Clone + Send + Sync>(
    records: &crate::data::CollData,
    fill: T,
    decide: impl Fn(&[Value]) -> Option<T> + Sync,
) -> (Vec<T>, Vec<usize>) {
    const BLOCK: usize = 1 << 12;
    let mut out = vec![fill; records.len()];
    let rest = out
        .par_chunks_mut(BLOCK)
        .zip(records.par_blocks(BLOCK))
        .enumerate()
        .flat_map_iter(|(b, (out, recs))| {
            let mut rest = Vec::new();
            for (k, (o, r)) in out.iter_mut().zip(recs).enumerate() {
                match decide(r) {
                    Some(x) => *o = x,
                    None => rest.push(b * BLOCK + k),
                }
            }
            rest
        })
        .collect();
    (out, rest)
}

/// The columns, by measure id, of the measures of `coll` that take table `table`'s
/// outputs; `rule` names the first of them in errors.
pub(super) fn columns(
    plan: &Plan,
    view: &View,
    vars: &PeriodVars,
    coll: CollId,
    table: usize,
    rule: &str,
) -> Result<Vec<(usize, Column)>, Failed> {
    let ds = view.ds;
    let t = &plan.tables[table];
    let n = ds.colls[coll as usize].len();
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
            .map(|(j, output)| (j, hits.par_iter().map(|h| h[output].clone()).collect::<Vec<_>>().into()))
            .collect());
    };
    // one measure takes the table's outputs: each record's row decided from its values
    // when the table allows (as a code when its outputs have few values, and the column is
    // those codes when every record is decided so), the others (and their errors, the
    // first in key order) evaluated in full after
    let records = &ds.colls[coll as usize];
    let (mut col, rest) = match t.direct.as_ref().and_then(|_| domain(t, output)) {
        Some(domain) => {
            let rows = domain.len() - 1;
            let (of, rest) = decided(records, 0, |r| decide_direct(t, r).map(|f| code(&f, rows)));
            if rest.is_empty() {
                return Ok(vec![(j, Column::Coded(Codes { domain, of }))]);
            }
            let col = of.par_iter().map(|&c| domain[usize::from(c)].clone()).collect();
            (col, rest)
        }
        None => decided(records, Value::None, |r| {
            decide_direct(t, r).map(|f| outputs_of(t, &f)[output].clone())
        }),
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
    Ok(vec![(j, col.into())])
}

#[cfg(test)]
mod tests {
    use crate::{Measured, Outcome, Plan};

    /// A pack grading `p` records by an optional `score` with table `grade` (its body
    /// given: rows or bands, then a default of "none").
    fn plan(body: &str) -> Plan {
        Plan::from_json(&format!(
            r#"{{"name": "t", "version": "1", "period": {{"from": "2025-01-01", "to": "2025-12-31"}},
            "collections": {{"p": {{"fields": {{"id": "string", "score": {{"type": "number", "optional": true}}}}}}}},
            "measures": {{"p": {{"grade": {{"table": "grade"}}}}}},
            "tables": {{"grade": {{"on": "p", {body}, "default": {{"grade": "none"}}}}}},
            "indicators": {{"a": {{"kind": "share", "population": {{"collection": "p"}}, "of": "grade", "in": ["A"]}}}}}}"#
        ))
        .unwrap()
    }

    /// Each record's grade, in key order.
    fn grades(out: &Outcome) -> Vec<Option<Measured>> {
        let r = &out.records["p"];
        r.keys().map(|k| r.get(k, "grade")).collect()
    }

    fn text(g: &str) -> Option<Measured> {
        Some(Measured::Text(g.into()))
    }

    /// A table decided directly for every record is coded and gives each record its row's
    /// value; a record its tests cannot decide (a field with no value) is evaluated in
    /// full, and its error names it; set aside, it leaves the others graded as before.
    #[test]
    fn records_decided_directly_or_in_full() {
        let plan = plan(
            r#""hit": "first", "rows": [
                {"when": "score >= 90", "then": {"grade": "A"}},
                {"when": "score >= 60", "then": {"grade": "B"}}]"#,
        );
        let three = r#"[{"id": "a", "score": 95}, {"id": "b", "score": 70}, {"id": "c", "score": 10}"#;
        let ds = plan.read(&format!(r#"{{"p": {three}]}}"#)).unwrap();
        let cols = super::super::measure::compute(&plan, &ds).unwrap();
        assert!(cols[0].codes().is_some(), "every record decided directly: coded");
        let want = [text("A"), text("B"), text("none")];
        assert_eq!(grades(&plan.score(&ds).unwrap()), want);
        // "d" has no score: the tests cannot decide it, and the full evaluation fails on it
        let ds = plan.read(&format!(r#"{{"p": {three}, {{"id": "d"}}]}}"#)).unwrap();
        let err = super::super::measure::compute(&plan, &ds).unwrap_err().to_string();
        assert!(err.contains("p 'd'") && err.contains("score >= 90"), "{err}");
        let out = plan.score(&ds).unwrap();
        assert_eq!(grades(&out), want);
        assert_eq!(out.accounting["p"].rejected.len(), 1);
    }

    /// A band table whose field has no value for a record evaluates that record in full
    /// (it gets the default) while the others are decided directly: the column is then
    /// values, each record's own.
    #[test]
    fn bands_with_a_record_evaluated_in_full() {
        let plan = plan(
            r#""input": "score", "bands": [
                {"min": 0, "below": 60, "then": {"grade": "C"}},
                {"min": 60, "below": 101, "then": {"grade": "A"}}]"#,
        );
        let ds = plan
            .read(r#"{"p": [{"id": "a", "score": 95}, {"id": "b"}, {"id": "c", "score": 10}]}"#)
            .unwrap();
        let cols = super::super::measure::compute(&plan, &ds).unwrap();
        assert!(cols[0].codes().is_none(), "a record evaluated in full: not coded");
        assert_eq!(grades(&plan.score(&ds).unwrap()), [text("A"), text("none"), text("C")]);
    }
}
