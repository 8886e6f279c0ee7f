//! Aggregates computed in one pass over the related records.
//!
//! An aggregate whose related records are counted the same way whichever record they are
//! for (no `match`, no `outer`, no windows per period) needs no lookup per record: one
//! pass over the related records in key order adds each to the accumulator of the record
//! it refers to. Aggregates over the same records, by the same reference and window, that
//! read no measures share the pass: each related record is found, dated and windowed once
//! for all of them. The records are split into one contiguous run per thread and the
//! runs' accumulators merged in order, so the result is the same on any number of threads,
//! and the same as counting each record's related records on their own.

use super::measure::{AggAcc, View};
use super::related::{in_window, record_date, Rule, Taken};
use crate::data::Dataset;
use crate::expr::compile::MeasureId;
use crate::expr::eval::Frame;
use crate::plan::{Plan, Window};
use crate::value::{CollId, Value};
use rayon::prelude::*;

/// Aggregates of one pass: the related records, the reference to the record they count
/// for, the window, and each aggregate's rule.
pub(super) struct Pass<'a> {
    over: CollId,
    via: crate::plan::Via,
    window: Window,
    aggs: Vec<(MeasureId, Rule<'a>)>,
}

/// What makes two aggregates share a pass: their collection, related records, reference
/// and window.
type PassKey = (CollId, CollId, crate::plan::Via, Window);

/// The pass key of a measure that can be computed in a pass, with its rule: an aggregate
/// without `match`, `per` or `outer`.
fn passable<'a>(plan: &'a Plan, ds: &Dataset, m: MeasureId) -> Option<(PassKey, Rule<'a>)> {
    let rule = Rule::of(plan, ds, m as usize)?;
    if rule.key.is_some() || rule.buckets.is_some() || rule.reads_outer() {
        return None;
    }
    let coll = plan.measures[m as usize].coll;
    Some(((coll, rule.over, rule.via.clone(), rule.window), rule))
}

/// Whether the aggregate reads no measures, so that it can be computed before its turn.
fn reads_no_measures(rule: &Rule) -> bool {
    [rule.filter, rule.value]
        .into_iter()
        .flatten()
        .all(|e| !e.uses_measures())
}

impl<'a> Pass<'a> {
    /// The pass of measure `m`, when it can be computed in one: with it, when it reads no
    /// measures, the measures not `done` of the same pass that read none either.
    pub(super) fn of(
        plan: &'a Plan,
        ds: &Dataset,
        m: MeasureId,
        done: &[bool],
    ) -> Option<Pass<'a>> {
        let (key, one) = passable(plan, ds, m)?;
        let (_, over, via, window) = key.clone();
        let mut aggs = Vec::new();
        if reads_no_measures(&one) {
            for &j in &plan.measure_order {
                if j == m || done[j as usize] {
                    continue;
                }
                match passable(plan, ds, j) {
                    Some((k, other)) if k == key && reads_no_measures(&other) => {
                        aggs.push((j, other))
                    }
                    _ => {}
                }
            }
        }
        aggs.insert(0, (m, one));
        Some(Pass {
            over,
            via,
            window,
            aggs,
        })
    }

    /// The measures of the pass, in the order [`Pass::run`] gives their columns.
    pub(super) fn measures(&self) -> Vec<MeasureId> {
        self.aggs.iter().map(|(m, _)| *m).collect()
    }

    /// Each measure of the pass for each of the `targets` records; `None` when a related
    /// record fails (an expression error, a missing value, an overflow).
    pub(super) fn run(
        &self,
        plan: &Plan,
        ds: &Dataset,
        view: &View,
        targets: usize,
    ) -> Option<Vec<Vec<Value>>> {
        let oc = &plan.collections[self.over as usize];
        let orows = &ds.colls[self.over as usize];
        let vars = ds.period_vars().with(Value::None);
        let runs = rayon::current_num_threads().max(1);
        let size = orows.len().div_ceil(runs).max(1);
        let parts: Vec<Option<Vec<Vec<AggAcc>>>> = (0..runs)
            .into_par_iter()
            .map(|r| {
                crate::stack::with(plan.script_stack, || {
                    let mut accs = vec![vec![AggAcc::default(); targets]; self.aggs.len()];
                    let end = ((r + 1) * size).min(orows.len());
                    let start = (r * size).min(end);
                    for j in start..end {
                        let row = orows.row(j);
                        let Some(t) = super::related::via_target(ds, &self.via, row) else {
                            continue;
                        };
                        let date = record_date(oc, row);
                        if !in_window(self.window, date, ds) {
                            continue;
                        }
                        let frame = Frame {
                            data: view,
                            base: Some((self.over, j as u32)),
                            vars: &vars,
                        };
                        for ((_, rule), accs) in self.aggs.iter().zip(&mut accs) {
                            let v = match rule.take(&frame).ok()? {
                                Taken::Filtered => continue,
                                Taken::Counted(v) => v,
                            };
                            accs.get_mut(t as usize)?
                                .add(rule.agg, v.as_deref(), date)
                                .ok()?;
                        }
                    }
                    Some(accs)
                })
            })
            .collect();
        let mut parts = parts.into_iter();
        let mut all = parts.next()??;
        for part in parts {
            for ((accs, later), (_, one)) in all.iter_mut().zip(part?).zip(&self.aggs) {
                for (a, l) in accs.iter_mut().zip(later) {
                    a.merge(one.agg, l).ok()?;
                }
            }
        }
        all.into_iter()
            .zip(&self.aggs)
            .map(|(accs, (_, one))| {
                accs.into_par_iter()
                    .map(|a| a.value(one.agg).ok())
                    .collect()
            })
            .collect()
    }
}
