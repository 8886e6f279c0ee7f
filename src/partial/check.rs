//! A partial result checked as the input it is: partials travel between machines, and a
//! tampered or broken one must be refused with the rule it breaks, never merged into an
//! outcome no dataset could give (coverage of 1570 %).
//!
//! [`structure`] holds what every partial must, whatever its pack: counts within their
//! members, evidence within its count and cap, lists in key order without repeats,
//! accounting that adds up, records' tables with a value per measure. It runs on every
//! partial read ([`super::Partial::from_json`]). [`against`] holds what the pack says:
//! its collections, measures (and their values' types) and indicators, the period it
//! needs, members no more than the records used, and evidence naming records the partial
//! carries. It runs before a partial is finished ([`super::finish`]).

use super::wire::{Counted, Wire};
use super::{IndicatorPart, Partial};
use crate::expr::compile::Ty;
use crate::num::Number;
use crate::plan::Plan;
use std::collections::BTreeMap;

/// Whether `keys` are in strictly increasing order (so also without repeats); `Err` names
/// the first out of place.
fn in_key_order<'a>(keys: impl IntoIterator<Item = &'a String>, what: &str) -> Result<(), String> {
    let mut last: Option<&String> = None;
    for k in keys {
        if let Some(l) = last {
            if k <= l {
                return Err(format!(
                    "{what}: '{k}' comes after '{l}' (keys must be in key order, each once)"
                ));
            }
        }
        last = Some(k);
    }
    Ok(())
}

/// What every tally must hold (`at` names it).
fn tally(t: &Counted, cap: usize, at: &str) -> Result<(), String> {
    let fail = |why: String| Err(format!("{at}: {why}"));
    if t.meets > t.members {
        return fail(format!(
            "{} members meeting of {} members",
            t.meets, t.members
        ));
    }
    if t.evidence_count > t.members {
        return fail(format!(
            "{} evidence members of {} members",
            t.evidence_count, t.members
        ));
    }
    let listed = (t.evidence_count as usize).min(cap);
    if t.evidence.len() != listed {
        return fail(format!(
            "{} evidence keys listed for {} evidence members (the first {listed} are listed, with a cap of {cap})",
            t.evidence.len(),
            t.evidence_count
        ));
    }
    in_key_order(&t.evidence, &format!("{at}, evidence"))?;
    if t.late.len() > cap.min(t.members as usize) {
        return fail(format!(
            "{} late members listed, past the cap of {cap} or the {} members",
            t.late.len(),
            t.members
        ));
    }
    in_key_order(t.late.iter().map(|l| &l.0), &format!("{at}, late members"))?;
    if t.values.len() as u64 > t.members {
        return fail(format!(
            "{} members' values for {} members",
            t.values.len(),
            t.members
        ));
    }
    in_key_order(
        t.values.iter().map(|v| &v.0),
        &format!("{at}, members' values"),
    )?;
    let in_categories: u64 = t
        .categories
        .values()
        .fold(0u64, |a, n| a.saturating_add(*n));
    if in_categories > t.members {
        return fail(format!(
            "{in_categories} members in categories of {} members",
            t.members
        ));
    }
    for (what, n) in [
        ("numerator", &t.num),
        ("denominator", &t.den),
        ("sum", &t.sum),
    ] {
        if let Some(text) = n {
            Number::parse(text).map_err(|e| format!("{at}: {what} '{text}': {e}"))?;
        }
    }
    Ok(())
}

/// What a tally of a kind whose tallies have `shape` must hold besides [`tally`]'s rules:
/// the counts its members' contributions give, and nothing else.
fn shaped(
    t: &Counted,
    shape: crate::indicator::TallyShape,
    cap: usize,
    at: &str,
) -> Result<(), String> {
    let fail = |why: String| Err(format!("{at}: {why}"));
    let evidence = match shape.every_member_listed {
        true => t.members,
        false => t.members - t.meets,
    };
    if t.evidence_count != evidence {
        return fail(format!(
            "{} evidence members, where its kind makes {evidence} of {} members ({} meeting)",
            t.evidence_count, t.members, t.meets
        ));
    }
    if shape.every_member_listed && t.meets != t.members {
        return fail(format!(
            "{} members meeting of {}, where its kind has every member meet",
            t.meets, t.members
        ));
    }
    let in_categories: u64 = t
        .categories
        .values()
        .fold(0u64, |a, n| a.saturating_add(*n));
    let (want, what) = match shape.categories {
        true => (t.members, "every member in one"),
        false => (0, "none"),
    };
    if in_categories != want {
        return fail(format!(
            "{in_categories} members in categories, where its kind has {what}"
        ));
    }
    let values = if shape.values { t.members as usize } else { 0 };
    if t.values.len() != values {
        return fail(format!(
            "{} members' values, where its kind keeps {values}",
            t.values.len()
        ));
    }
    let late = if shape.late {
        (t.evidence_count as usize).min(cap)
    } else {
        0
    };
    if t.late.len() != late {
        return fail(format!(
            "{} late members listed, where its kind lists {late}",
            t.late.len()
        ));
    }
    if !shape.late && t.not_yet_due > 0 {
        return fail(format!(
            "{} records not yet due, where its kind has no due dates",
            t.not_yet_due
        ));
    }
    Ok(())
}

/// Every tally of an indicator's part, with where it is.
fn tallies<'p>(id: &str, part: &'p IndicatorPart) -> Vec<(String, &'p Counted)> {
    let mut out: Vec<(String, &Counted)> = Vec::new();
    let mut add =
        |own: &'p BTreeMap<String, Counted>, unplaced: &'p Option<Counted>, cat: Option<&str>| {
            let c = cat.map(|c| format!(", category '{c}'")).unwrap_or_default();
            for (g, t) in own {
                out.push((format!("indicator {id}{c}, jurisdiction '{g}'"), t));
            }
            if let Some(t) = unplaced {
                out.push((
                    format!("indicator {id}{c}, members with no jurisdiction"),
                    t,
                ));
            }
        };
    add(&part.own, &part.unplaced, None);
    for cat in &part.by {
        add(&cat.own, &cat.unplaced, Some(&cat.category));
    }
    out
}

/// What every partial must hold, whatever its pack.
pub(super) fn structure(p: &Partial) -> Result<(), String> {
    for (c, a) in &p.accounting {
        let rejected = a.rejected.len() as u64;
        let counted = a
            .used
            .checked_add(a.excluded)
            .and_then(|x| x.checked_add(rejected));
        if counted != Some(a.read) {
            return Err(format!(
                "the accounting of '{c}' does not add up: {} read, but {} used, {} excluded and {rejected} rejected",
                a.read, a.used, a.excluded
            ));
        }
        let by_reason = a
            .excluded_by
            .values()
            .fold(0u64, |s, n| s.saturating_add(*n));
        if by_reason != a.excluded {
            return Err(format!(
                "the accounting of '{c}' does not add up: {} excluded, but {by_reason} by reason",
                a.excluded
            ));
        }
        if a.rejected.windows(2).any(|w| w[0] > w[1]) {
            return Err(format!(
                "the accounting of '{c}': its rejected records are not in key order"
            ));
        }
        let dangling = a.dangling.values().fold(0u64, |s, n| s.saturating_add(*n));
        if dangling > rejected {
            return Err(format!(
                "the accounting of '{c}': {dangling} records rejected for what they refer to, of {rejected} rejected"
            ));
        }
    }
    for (c, r) in &p.records {
        in_key_order(&r.measures, &format!("records of '{c}', measures"))?;
        in_key_order(&r.keys, &format!("records of '{c}'"))?;
        if r.values.len() != r.keys.len() {
            return Err(format!(
                "records of '{c}': {} rows of values for {} records",
                r.values.len(),
                r.keys.len()
            ));
        }
        if let Some((i, row)) = r
            .values
            .iter()
            .enumerate()
            .find(|(_, v)| v.len() != r.measures.len())
        {
            return Err(format!(
                "records of '{c}': record '{}' has {} values for {} measures",
                r.keys[i],
                row.len(),
                r.measures.len()
            ));
        }
    }
    for s in &p.shared {
        if s.key_slot as usize >= s.fields.len() {
            return Err(format!(
                "the shared records of '{}': the key is field {} of {}",
                s.collection,
                s.key_slot,
                s.fields.len()
            ));
        }
        if let Some(row) = s.rows.iter().find(|r| r.len() != s.fields.len()) {
            return Err(format!(
                "the shared records of '{}': a row has {} values for {} fields",
                s.collection,
                row.len(),
                s.fields.len()
            ));
        }
    }
    for (id, part) in &p.indicators {
        let mut names: Vec<&String> = part.by.iter().map(|c| &c.category).collect();
        names.sort();
        if names.windows(2).any(|w| w[0] == w[1]) {
            return Err(format!("indicator {id}: a category is listed twice"));
        }
        for (at, t) in tallies(id, part) {
            tally(t, p.evidence_cap, &at)?;
        }
    }
    Ok(())
}

/// Whether a value as written is of type `ty`.
fn of_type(plan: &Plan, w: &Option<Wire>, ty: &Ty) -> bool {
    let Some(w) = w else { return true };
    match (w, ty) {
        (_, Ty::Any) => true,
        (Wire::Num(_), Ty::Num) | (Wire::Text(_), Ty::Str) | (Wire::Bool(_), Ty::Bool) => true,
        (Wire::Date(_), Ty::Date) | (Wire::Item(_), Ty::Item(_)) => true,
        (Wire::Rec(c, _), Ty::Rec(id)) => plan
            .collections
            .get(*id as usize)
            .is_some_and(|x| &x.name == c),
        (Wire::List(items), Ty::List(inner)) => items.iter().all(|x| of_type(plan, x, inner)),
        (Wire::Items(..), Ty::List(inner)) => matches!(**inner, Ty::Item(_) | Ty::Any),
        _ => false,
    }
}

/// What a partial of `plan`'s pack must hold besides its structure.
pub(super) fn against(plan: &Plan, p: &Partial) -> Result<(), String> {
    if p.evidence_cap != plan.evidence_cap {
        return Err(format!(
            "its evidence cap is {}; the pack's is {}",
            p.evidence_cap, plan.evidence_cap
        ));
    }
    if plan.needs_period && p.period.is_none() {
        return Err("it has no period, and the pack dates records".into());
    }
    if let Some(period) = &p.period {
        if period.from > period.to {
            return Err(format!(
                "its period ends ({}) before it starts ({})",
                period.to, period.from
            ));
        }
    }
    let shared = super::mergeable::shared(plan);
    for name in p.accounting.keys() {
        if plan.collection(name).is_none() {
            return Err(format!(
                "it accounts for '{name}', which is not a collection of the pack"
            ));
        }
    }
    for (ci, c) in plan.collections.iter().enumerate() {
        let Some(a) = p.accounting.get(&c.name) else {
            return Err(format!("it has no accounting of '{}'", c.name));
        };
        if let Some(to) = a.dangling.keys().find(|to| plan.collection(to).is_none()) {
            return Err(format!(
                "the accounting of '{}' refers to '{to}', which is not a collection of the pack",
                c.name
            ));
        }
        let is_shared = shared.contains(&(ci as crate::value::CollId));
        if let (Some(r), false) = (p.records.get(&c.name), is_shared) {
            if r.keys.len() as u64 != a.used {
                return Err(format!(
                    "records of '{}': {} records for {} used in its accounting",
                    c.name,
                    r.keys.len(),
                    a.used
                ));
            }
        }
    }
    for (c, r) in &p.records {
        let Some(ci) = plan.collection(c) else {
            continue;
        };
        for (k, name) in r.measures.iter().enumerate() {
            let Some(m) = plan
                .measures
                .iter()
                .find(|m| m.coll == ci && &m.name == name)
            else {
                continue;
            };
            if let Some((i, _)) = r
                .values
                .iter()
                .enumerate()
                .find(|(_, row)| !of_type(plan, &row[k], &m.ty))
            {
                return Err(format!(
                    "records of '{c}': record '{}' has a value of measure '{name}' of another type than the measure's",
                    r.keys[i]
                ));
            }
        }
    }
    for id in p.indicators.keys() {
        if !plan
            .indicators
            .iter()
            .any(|i| &i.id == id && !i.kind.of_others())
        {
            return Err(format!(
                "it has tallies of indicator '{id}', which the pack does not have (with members)"
            ));
        }
    }
    for ind in plan.indicators.iter().filter(|i| !i.kind.of_others()) {
        let Some(part) = p.indicators.get(&ind.id) else {
            continue;
        };
        let coll = &plan.collections[ind.coll as usize].name;
        let of_shared = shared.contains(&ind.coll);
        if part.of_shared != of_shared {
            return Err(format!(
                "indicator {}: its members are said {}to be records every shard has",
                ind.id,
                if part.of_shared { "" } else { "not " }
            ));
        }
        if ind.by.is_none() && !part.by.is_empty() {
            return Err(format!(
                "indicator {}: a breakdown by category, which the pack does not give it",
                ind.id
            ));
        }
        // the records that can be members: those used, named where the partial has them
        let (used, known): (u64, Option<Vec<&String>>) = match of_shared {
            true => {
                let rows = p.shared.iter().find(|s| &s.collection == coll);
                let keys = rows.map(|s| {
                    let mut keys: Vec<&String> = s
                        .rows
                        .iter()
                        .filter_map(|r| match r.get(s.key_slot as usize) {
                            Some(Some(Wire::Text(t))) => Some(t),
                            _ => None,
                        })
                        .collect();
                    keys.sort();
                    keys
                });
                (keys.as_ref().map_or(0, |k| k.len() as u64), keys)
            }
            false => (
                p.accounting.get(coll).map_or(0, |a| a.used),
                p.records.get(coll).map(|r| r.keys.iter().collect()),
            ),
        };
        let members: u64 = part
            .own
            .values()
            .chain(&part.unplaced)
            .fold(0u64, |s, t| s.saturating_add(t.members));
        if members > used {
            return Err(format!(
                "indicator {}: {members} members of {used} '{coll}' records used",
                ind.id
            ));
        }
        for cat in &part.by {
            let in_cat: u64 = cat
                .own
                .values()
                .chain(&cat.unplaced)
                .fold(0u64, |s, t| s.saturating_add(t.members));
            if in_cat > members {
                return Err(format!(
                    "indicator {}, category '{}': {in_cat} members of the indicator's {members}",
                    ind.id, cat.category
                ));
            }
        }
        let shape = ind.kind.tally_shape();
        for (at, t) in tallies(&ind.id, part) {
            shaped(t, shape, p.evidence_cap, &at)?;
        }
        if let Some(known) = known {
            for (at, t) in tallies(&ind.id, part) {
                if let Some(k) = t.keys().find(|k| known.binary_search(k).is_err()) {
                    return Err(format!(
                        "{at}: it names '{k}', which is no '{coll}' record the partial carries"
                    ));
                }
            }
        }
    }
    Ok(())
}
