//! Results computed without some of their data. A record rejected from a collection an
//! indicator reads (`plan::inputs`) is data the indicator was computed without: a late
//! report rejected for a bad date makes reporting look timely, an uninspected unit
//! rejected for a typo makes coverage look whole. So a missing record must never pass for
//! a record that did well:
//!
//! - the indicator says what it lacks (`incomplete`: how many records, from which
//!   collections), in every group (a rejected record's jurisdiction is often what could
//!   not be read, so no group can be said to be whole);
//! - unless it says `"on_incomplete": "score"` (or the pack does), it is **not met** and
//!   earns **no points** (the floor of a deduction), and when it is not applicable it is
//!   not left out of the scorecard's maximum, so its section can only lose;
//! - a scorecard that reads an incomplete indicator is `provisional`;
//! - the outcome lists what is incomplete at its top (`incomplete`).
//!
//! Under the default, then, rejecting records can lower a result but never raise it;
//! `tests/properties.rs` holds every shipped pack to that.

use super::points::Points;
use crate::data::Accounting;
use crate::num::Number;
use crate::outcome::{Incomplete, IncompleteOutcome, IndicatorResult};
use crate::pack::spec::OnIncomplete;
use crate::plan::{Plan, Scoring};
use std::collections::BTreeMap;

/// What each indicator (in plan order) was computed without, from the accounting (by
/// collection id): none when its inputs lost nothing.
pub(crate) fn of_indicators(plan: &Plan, accounting: &[Accounting]) -> Vec<Option<Incomplete>> {
    plan.indicators
        .iter()
        .map(|ind| {
            lost(plan, accounting, &ind.inputs).map(|l| Incomplete {
                on_incomplete: ind.on_incomplete,
                ..l
            })
        })
        .collect()
}

/// The records `inputs` (collection ids) lost, when they lost any: their own rejected
/// records, and, for a collection that other records refer to keys it lacks
/// ([`Accounting::dangling`]), the records it may lack.
fn lost(plan: &Plan, accounting: &[Accounting], inputs: &[crate::value::CollId]) -> Option<Incomplete> {
    let (mut rejected, mut missing) = (0, 0);
    let mut collections = Vec::new();
    for &c in inputs {
        let name = &plan.collections[c as usize].name;
        let own = accounting.get(c as usize).map_or(0, |a| a.rejected.len() as u64);
        let lacks: u64 = accounting.iter().filter_map(|a| a.dangling.get(name)).sum();
        if own + lacks > 0 {
            rejected += own;
            missing += lacks;
            collections.push(name.clone());
        }
    }
    collections.sort();
    (!collections.is_empty()).then_some(Incomplete {
        rejected,
        missing,
        collections,
        on_incomplete: plan.on_incomplete,
    })
}

/// Marks an incomplete indicator's results in every group, and, unless it scores what
/// there is, makes each one not met with no points.
pub(crate) fn apply(
    plan: &Plan,
    i: usize,
    incomplete: &Incomplete,
    results: &mut [(IndicatorResult, Points)],
) {
    let ind = &plan.indicators[i];
    let fail = ind.on_incomplete == OnIncomplete::Fail;
    let judged = ind.target.is_some() || ind.kind.every_member();
    for (r, pts) in results {
        r.incomplete = Some(incomplete.clone());
        if !fail {
            continue;
        }
        if judged {
            r.met = Some(false);
            if let Some(by) = &mut r.by {
                for c in by.iter_mut().filter(|c| c.met.is_some()) {
                    c.met = Some(false);
                }
            }
        }
        if let Some(s) = &ind.scoring {
            let least = match s {
                Scoring::Deduction { floor, .. } => floor.clone(),
                _ => Number::ZERO,
            };
            pts.points = Some(least.clone());
            pts.excluded = false;
            r.points = Some(crate::outcome::Exact::new(
                least,
                plan.rounding.digits,
                plan.rounding.mode,
            ));
        }
    }
}

/// Whether the scorecard reads any of these incomplete indicators (by plan index).
pub(crate) fn provisional(plan: &Plan, incomplete: &[Option<Incomplete>]) -> bool {
    plan.scorecard.as_ref().is_some_and(|sc| {
        sc.sections
            .iter()
            .flat_map(|s| &s.indicators)
            .any(|&i| incomplete.get(i).is_some_and(Option::is_some))
    })
}

/// What the outcome was computed without, and which results that touches; none when no
/// record was rejected.
pub(crate) fn summary(
    plan: &Plan,
    accounting: &[Accounting],
    incomplete: &[Option<Incomplete>],
) -> Option<IncompleteOutcome> {
    let all: Vec<crate::value::CollId> = (0..plan.collections.len() as crate::value::CollId).collect();
    let Incomplete {
        rejected,
        collections,
        ..
    } = lost(plan, accounting, &all)?;
    let collections = collections
        .into_iter()
        .filter(|c| plan.collection(c).is_some_and(|i| !accounting[i as usize].rejected.is_empty()))
        .collect();
    let mut indicators: Vec<String> = plan
        .indicators
        .iter()
        .zip(incomplete)
        .filter(|(_, inc)| inc.is_some())
        .map(|(ind, _)| ind.id.clone())
        .collect();
    indicators.sort();
    let of = crate::plan::inputs::of_measures(&plan.measures, &plan.tables);
    let mut measures: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (m, ins) in plan.measures.iter().zip(&of) {
        if m.report && lost(plan, accounting, ins).is_some() {
            let coll = plan.collections[m.coll as usize].name.clone();
            measures.entry(coll).or_default().push(m.name.clone());
        }
    }
    measures.values_mut().for_each(|v| v.sort());
    Some(IncompleteOutcome {
        rejected,
        collections,
        indicators,
        measures,
        scorecard: provisional(plan, incomplete),
    })
}
