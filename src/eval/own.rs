//! The first half of scoring: what each indicator's members add to the tally of their own
//! jurisdiction, before any jurisdiction's result. A whole run goes straight on to the
//! results ([`super::indicator::evaluate`]); partial results ([`crate::partial`]) carry
//! these tallies to be added to other shards' before the results are taken.

use super::failed::Failed;
use super::groups::Groups;
use super::column::Column;
use super::indicator::{members_tallied, Path};
use super::measure::View;
use crate::data::Dataset;
use crate::indicator::Tally;
use crate::plan::Plan;
use rayon::prelude::*;

/// One indicator's own tallies: each jurisdiction's of the members in it (not those of the
/// jurisdictions below it), then the members with no jurisdiction (overall last).
#[derive(Clone, Default)]
pub(crate) struct Own {
    /// By group, overall last.
    pub tallies: Vec<Tally>,
    /// With a breakdown (`by`): each category's own tallies, in the order shown.
    pub by: Vec<(String, Vec<Tally>)>,
}

/// Every indicator's own tallies, in the pack's order: none for an indicator computed
/// from the others (`change`, `formula`), the members that fail for one whose members do.
pub(crate) fn tallied(
    plan: &Plan,
    ds: &Dataset,
    cols: &[Column],
    groups: &Groups,
) -> Vec<Result<Option<Own>, Failed>> {
    let view = View { ds, cols };
    let vars = ds.period_vars();
    plan.indicators
        .par_iter()
        .map(|ind| {
            if ind.kind.of_others() {
                return Ok(None);
            }
            crate::stack::with(plan.script_stack, || {
                let tallies =
                    members_tallied(plan, ds, &view, vars.record(), groups, ind, &|m, t, at, cap| {
                        ind.kind.add(m, t, at, cap)
                    }, Path::ByCode)?;
                let by = match &ind.by {
                    Some(by) => super::by_category::tallied(
                        plan,
                        ds,
                        &view,
                        vars.record(),
                        groups,
                        ind,
                        by,
                    )?,
                    None => Vec::new(),
                };
                Ok(Some(Own { tallies, by }))
            })
        })
        .collect()
}
