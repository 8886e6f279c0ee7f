//! Indicators broken down by a dimension besides the jurisdictions (`by`, e.g. the
//! professional category): in every group, each category's members tallied as the
//! group's are (the same kind, filter and roll-up up the jurisdiction tree), with the
//! category's value, counts and met. An enum field's values are all shown, in the pack's
//! order, members or not; other categories are those the members have, in text order.

use super::failed::Failed;
use super::groups::Groups;
use super::indicator::{members_tallied, results_of, Keys, MemberCx, Path};
use crate::indicator::Tally;
use super::measure::View;
use crate::data::Dataset;
use crate::outcome::ByCategory;
use crate::plan::{By, Indicator, Plan};
use crate::value::Value;
use std::collections::BTreeSet;
use std::sync::Mutex;

/// What a member with no category is counted under.
const NO_CATEGORY: &str = "—";

/// The member's category.
fn category_of(m: &MemberCx, by: &By) -> Result<String, crate::eval::ScoreError> {
    Ok(match m.value(&by.expr)? {
        Value::None => NO_CATEGORY.to_string(),
        v => v.as_str().unwrap_or(NO_CATEGORY).to_string(),
    })
}

/// Each category's own tallies in every group (overall last): the members of that
/// category only, counted as the indicator counts its own. The categories are those
/// [`categories`] orders: with an enum's values, all of them (and members with no value
/// after them); otherwise those the members have.
pub(super) fn tallied(
    plan: &Plan,
    ds: &Dataset,
    view: &View,
    vars: &[Value],
    groups: &Groups,
    ind: &Indicator,
    by: &By,
) -> Result<Vec<(String, Vec<Tally>)>, Failed> {
    // the categories the members have
    let seen = Mutex::new(BTreeSet::new());
    members_tallied(plan, ds, view, vars, groups, ind, &|m, _, _, _| {
        let c = category_of(m, by)?;
        seen.lock().unwrap_or_else(|p| p.into_inner()).insert(c);
        Ok(())
    }, Path::General)?;
    let seen = seen.into_inner().unwrap_or_else(|p| p.into_inner());
    categories(by, seen)
        .into_iter()
        .map(|c| {
            let tallies = members_tallied(plan, ds, view, vars, groups, ind, &|m, t, at, cap| {
                match category_of(m, by)? == c {
                    true => ind.kind.add(m, t, at, cap),
                    false => Ok(()),
                }
            }, Path::General)?;
            Ok((c, tallies))
        })
        .collect()
}

/// The categories shown, in order, given those the members have: an enum's values all of
/// them in the pack's order (members with no value after them), other categories in text
/// order.
pub(crate) fn categories(by: &By, seen: BTreeSet<String>) -> Vec<String> {
    match &by.categories {
        Some(all) => {
            let none = seen.contains(NO_CATEGORY).then(|| NO_CATEGORY.to_string());
            all.iter().cloned().chain(none).collect()
        }
        None => seen.into_iter().collect(),
    }
}

/// Each group's breakdown (overall last) from the categories' own tallies: every category
/// with its result there.
pub(super) fn results(
    plan: &Plan,
    ds: &Dataset,
    view: &View,
    groups: &Groups,
    keys: Keys,
    ind: &Indicator,
    tallied: Vec<(String, Vec<Tally>)>,
) -> Result<Vec<Vec<ByCategory>>, Failed> {
    let mut out: Vec<Vec<ByCategory>> = vec![Vec::new(); groups.count() + 1];
    for (c, tallies) in tallied {
        let (results, _) = results_of(plan, ds, view, groups, keys, ind, tallies)?;
        for (g, (r, _)) in results.into_iter().enumerate() {
            out[g].push(ByCategory {
                category: c.clone(),
                applicable: r.applicable,
                value: r.value,
                numerator: r.numerator,
                denominator: r.denominator,
                met: r.met,
            });
        }
    }
    Ok(out)
}
