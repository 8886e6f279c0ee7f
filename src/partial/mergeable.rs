//! Whether a pack's results can be had from partial results of shards. Every record
//! lives in one shard, and the jurisdictions (and the windows of per-window aggregates)
//! in all of them; what the shards' partials carry is each indicator's tallies and each
//! record's measures. That is all a result needs unless something about a jurisdiction
//! itself is computed from the records split among the shards: a measure of the
//! jurisdictions that counts their units, say, read by a target, a table on groups or the
//! records' table. Such a pack is refused with the reason, never approximated.

use crate::expr::compile::Expr;
use crate::plan::{FieldKind, MeasureKind, Per, Plan, TableBody};
use crate::value::CollId;

/// The collections every shard has whole: the jurisdictions, and the collections whose
/// records are the windows of per-window aggregates (school terms, say). Their records
/// count once however many shards there are.
pub(crate) fn shared(plan: &Plan) -> Vec<CollId> {
    let mut out: Vec<CollId> = plan.groups.iter().map(|g| g.coll).collect();
    for m in &plan.measures {
        if let MeasureKind::Aggregate {
            per: Some(Per::Terms { coll, .. }),
            ..
        } = &m.kind
        {
            out.push(*coll);
        }
    }
    out.sort();
    out.dedup();
    out
}

/// `Err` with the reason when partial results of this plan cannot be merged exactly.
pub(crate) fn check(plan: &Plan) -> Result<(), String> {
    let shared = shared(plan);
    let is_shared = |c: CollId| shared.contains(&c);
    for &sc in &shared {
        let coll = &plan.collections[sc as usize];
        for f in &coll.fields {
            if let FieldKind::Ref(c) = f.kind {
                if !is_shared(c) {
                    return Err(format!(
                        "'{}', which every shard has whole, refers to '{}' records (field '{}'), which shards split",
                        coll.name, plan.collections[c as usize].name, f.name
                    ));
                }
            }
        }
    }
    // whether each measure depends on records other than the jurisdictions' (measures in
    // an order where every one follows those it reads)
    let mut split = vec![false; plan.measures.len()];
    for &m in &plan.measure_order {
        let measure = &plan.measures[m as usize];
        let reads = |es: &[&Expr]| {
            es.iter()
                .flat_map(|e| e.measures_read())
                .any(|r| split[r as usize])
        };
        let outside = !is_shared(measure.coll)
            || match &measure.kind {
                MeasureKind::Expr(e) => reads(&[e]),
                MeasureKind::Aggregate {
                    over,
                    filter,
                    value,
                    ..
                } => !is_shared(*over) || reads(&filter.iter().chain(value).collect::<Vec<_>>()),
                MeasureKind::Scan(s) => {
                    let step: Vec<&Expr> = s.step.iter().flatten().collect();
                    reads(
                        &s.initial
                            .iter()
                            .chain(&s.with)
                            .chain(step)
                            .collect::<Vec<_>>(),
                    )
                }
                MeasureKind::Table { table, .. } => match &plan.tables[*table].body {
                    TableBody::Rows(rows) => {
                        reads(&rows.iter().map(|r| &r.when).collect::<Vec<_>>())
                    }
                    TableBody::Bands { input, .. } => reads(&[input]),
                },
            };
        split[m as usize] = outside;
        if outside && is_shared(measure.coll) {
            let over = match &measure.kind {
                MeasureKind::Aggregate { over, .. } if !is_shared(*over) => {
                    format!(
                        "it counts '{}' records",
                        plan.collections[*over as usize].name
                    )
                }
                _ => "it reads a measure that does".to_string(),
            };
            return Err(format!(
                "measure '{}.{}', of records every shard has whole, depends on records that shards split ({over})",
                plan.collections[measure.coll as usize].name, measure.name
            ));
        }
    }
    Ok(())
}
