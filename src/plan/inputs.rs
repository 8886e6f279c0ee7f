//! What each measure and indicator is computed from: the collections whose records its
//! value depends on. A record rejected from one of them (a bad value, a dangling
//! reference, a validity rule, an evaluation that failed) is data the value was computed
//! without, so the outcome marks the value incomplete (`eval::incomplete`): missing data
//! must never pass for data that says a unit did well.
//!
//! A measure depends on the collections it aggregates (`over`), on the terms of its
//! per-window buckets, and on whatever the measures its expressions read depend on. A
//! field read through a reference (`unit.township`) adds nothing: a record whose referent
//! was rejected is rejected itself. An indicator depends on its members' collection, on
//! what the measures its expressions read depend on, and on the inputs of the indicators it
//! is computed from.

use super::{Indicator, Measure, MeasureKind, Per, Table, TableBody};
use crate::expr::compile::Expr;
use crate::value::CollId;
use std::collections::BTreeSet;

/// Each measure's inputs, by measure id (sorted collection ids).
pub(crate) fn of_measures(measures: &[Measure], tables: &[Table]) -> Vec<Vec<CollId>> {
    let mut done: Vec<Option<BTreeSet<CollId>>> = vec![None; measures.len()];
    for m in 0..measures.len() {
        measure(m, measures, tables, &mut done, 0);
    }
    done.into_iter()
        .map(|s| s.unwrap_or_default().into_iter().collect())
        .collect()
}

/// The inputs of measure `m`, found once (measures read only measures compiled before
/// them, so the walk ends; `depth` bounds it all the same).
fn measure(
    m: usize,
    measures: &[Measure],
    tables: &[Table],
    done: &mut [Option<BTreeSet<CollId>>],
    depth: usize,
) -> BTreeSet<CollId> {
    if let Some(s) = &done[m] {
        return s.clone();
    }
    let mut set = BTreeSet::new();
    if depth > measures.len() {
        return set;
    }
    let exprs: Vec<&Expr> = match &measures[m].kind {
        MeasureKind::Expr(e) => vec![e],
        MeasureKind::Aggregate {
            over,
            filter,
            value,
            per,
            ..
        } => {
            set.insert(*over);
            if let Some(Per::Terms { coll, .. }) = per {
                set.insert(*coll);
            }
            filter.iter().chain(value).collect()
        }
        MeasureKind::Scan(s) => s
            .initial
            .iter()
            .chain(&s.with)
            .chain(s.step.iter().flatten())
            .collect(),
        MeasureKind::Table { table, .. } => match tables.get(*table).map(|t| &t.body) {
            Some(TableBody::Rows(rows)) => rows.iter().map(|r| &r.when).collect(),
            Some(TableBody::Bands { input, .. }) => vec![input],
            None => Vec::new(),
        },
    };
    for e in exprs {
        for r in e.measures_read() {
            if (r as usize) < measures.len() && r as usize != m {
                set.extend(measure(r as usize, measures, tables, done, depth + 1));
            }
        }
    }
    done[m] = Some(set.clone());
    set
}

/// Sets each indicator's inputs (those it is computed from come before it).
pub(crate) fn find(indicators: &mut [Indicator], measures: &[Measure], tables: &[Table]) {
    let of = of_measures(measures, tables);
    for i in 0..indicators.len() {
        let mut set = BTreeSet::from([indicators[i].coll]);
        for m in &indicators[i].reads.measures {
            set.extend(of.get(*m as usize).into_iter().flatten());
        }
        for &j in &indicators[i].reads.indicators {
            if j < i {
                set.extend(indicators[j].inputs.iter().copied());
            }
        }
        indicators[i].inputs = set.into_iter().collect();
    }
}

/// Which collections the pack's results read: the jurisdictions, every indicator's inputs,
/// the collections whose records show measures and what those measures read, and every
/// collection a needed one refers to. An input may leave out a collection nothing reads
/// (one an imported pack brought along), as it changes no result.
pub(crate) fn needed(
    collections: &[super::Collection],
    groups: Option<CollId>,
    indicators: &[Indicator],
    measures: &[Measure],
    tables: &[Table],
) -> Vec<bool> {
    let of = of_measures(measures, tables);
    let mut needed = vec![false; collections.len()];
    let mut mark = |c: CollId| {
        if let Some(n) = needed.get_mut(c as usize) {
            *n = true;
        }
    };
    groups.into_iter().for_each(&mut mark);
    for i in indicators {
        i.inputs.iter().copied().for_each(&mut mark);
    }
    for (m, ins) in measures.iter().zip(&of) {
        if m.report {
            mark(m.coll);
            ins.iter().copied().for_each(&mut mark);
        }
    }
    // and what a needed collection refers to, until nothing changes
    let mut changed = true;
    while changed {
        changed = false;
        for (c, coll) in collections.iter().enumerate() {
            if !needed[c] {
                continue;
            }
            for f in &coll.fields {
                if let super::FieldKind::Ref(t) = f.kind {
                    if !needed[t as usize] {
                        needed[t as usize] = true;
                        changed = true;
                    }
                }
            }
        }
    }
    needed
}
