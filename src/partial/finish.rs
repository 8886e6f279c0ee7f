//! Finishing a (merged) partial result into the outcome: the jurisdictions read back into
//! a dataset of their own, the tallies put back at positions among the keys they name,
//! then the same results, tables on groups and scorecard a whole run takes
//! ([`crate::eval::results`]).

use super::wire::{from_wire, Counted};
use super::{IndicatorPart, Partial};
use crate::data::{CollData, Dataset};
use crate::eval::indicator::Keys;
use crate::eval::own::Own;
use crate::eval::{self, groups::Groups, ScoreError};
use crate::indicator::Tally;
use crate::outcome::{Outcome, Records};
use crate::plan::{Period, Plan};
use crate::value::Value;
use std::collections::{BTreeMap, BTreeSet};

fn bad(m: String) -> ScoreError {
    ScoreError::BadInput(m)
}

/// The outcome of a partial result (of one shard, or merged from all of them).
pub(crate) fn finish(plan: &Plan, p: &Partial) -> Result<Outcome, ScoreError> {
    super::mergeable::check(plan).map_err(bad)?;
    super::check(plan, p)?;
    let ds = dataset(plan, p)?;
    let cols = eval::measure::computed(plan, &ds).map_err(|f| f.first())?;
    let groups = Groups::new(plan, &ds);
    // the keys the tallies name, by collection, sorted: their positions stand for them
    let mut named: Vec<BTreeSet<&str>> = vec![BTreeSet::new(); plan.collections.len()];
    for ind in &plan.indicators {
        if let Some(part) = p.indicators.get(&ind.id) {
            let set = &mut named[ind.coll as usize];
            for c in counted(part) {
                set.extend(c.keys().map(String::as_str));
            }
        }
    }
    let keys: Vec<Vec<String>> = named
        .iter()
        .map(|s| s.iter().map(|k| k.to_string()).collect())
        .collect();
    let mut own = Vec::with_capacity(plan.indicators.len());
    for ind in &plan.indicators {
        if ind.kind.of_others() {
            own.push(Ok(None));
            continue;
        }
        let part = p.indicators.get(&ind.id).ok_or_else(|| {
            bad(format!(
                "the partial result has no tallies of indicator {}",
                ind.id
            ))
        })?;
        let list = &keys[ind.coll as usize];
        let pos = |k: &str| list.binary_search_by(|x| x.as_str().cmp(k)).unwrap_or(0) as u32;
        let failed = |e: String| bad(format!("indicator {}: {e}", ind.id));
        let tallies = |mine: &BTreeMap<String, Counted>, unplaced: &Option<Counted>| {
            let mut all = vec![Tally::default(); groups.count() + 1];
            for (g, c) in mine {
                let at = match groups.coll {
                    Some(gc) => ds.colls[gc as usize].find(g),
                    None => None,
                };
                let at = at.ok_or_else(|| format!("a tally of jurisdiction '{g}', which is not among the partial's jurisdictions"))?;
                all[at as usize] = c.tally(pos, |w| from_wire(plan, &ds, w))?;
            }
            if let Some(c) = unplaced {
                all[groups.count()] = c.tally(pos, |w| from_wire(plan, &ds, w))?;
            }
            Ok::<_, String>(all)
        };
        let by = match &ind.by {
            Some(by) => {
                let names = part.by.iter().map(|c| c.category.clone()).collect();
                let order = eval::by_category::categories(by, names);
                order
                    .into_iter()
                    .map(|name| match part.by.iter().find(|c| c.category == name) {
                        Some(c) => tallies(&c.own, &c.unplaced).map(|t| (name, t)),
                        None => Ok((name, vec![Tally::default(); groups.count() + 1])),
                    })
                    .collect::<Result<Vec<_>, String>>()
                    .map_err(failed)?
            }
            None => Vec::new(),
        };
        own.push(Ok(Some(Own {
            tallies: tallies(&part.own, &part.unplaced).map_err(failed)?,
            by,
        })));
    }
    let accounting: Vec<crate::data::Accounting> = plan
        .collections
        .iter()
        .map(|c| p.accounting.get(&c.name).cloned().unwrap_or_default())
        .collect();
    let mut outcome = eval::results(
        plan,
        &ds,
        &cols,
        &groups,
        Keys::Named(&keys),
        own,
        &accounting,
    )
    .map_err(|f| f.first())?;
    outcome.records = records(plan, &ds, p)?;
    outcome.accounting = eval::accounting(plan, &accounting);
    Ok(outcome)
}

/// Every tally of an indicator's part.
fn counted(part: &IndicatorPart) -> impl Iterator<Item = &Counted> {
    part.own.values().chain(&part.unplaced).chain(
        part.by
            .iter()
            .flat_map(|c| c.own.values().chain(&c.unplaced)),
    )
}

/// A dataset of the shared collections alone (the jurisdictions; every other collection
/// empty), with the period.
fn dataset(plan: &Plan, p: &Partial) -> Result<Dataset, ScoreError> {
    let (period, dated) = match p.period {
        Some(period) => (period, true),
        None => (Period::UNDATED, false),
    };
    let mut ds = Dataset {
        period,
        dated,
        colls: plan
            .collections
            .iter()
            .map(|c| CollData::empty(c.fields.len(), c.key_slot))
            .collect(),
        accounting: vec![Default::default(); plan.collections.len()],
        sheets_not_read: Vec::new(),
        keyless: Vec::new(),
    };
    let shared = super::mergeable::shared(plan);
    let names: Vec<&str> = shared
        .iter()
        .map(|c| plan.collections[*c as usize].name.as_str())
        .collect();
    let given: Vec<&str> = p.shared.iter().map(|s| s.collection.as_str()).collect();
    if names != given {
        return Err(bad(format!(
            "the partial result has records of {:?} whole; the pack's shards share {:?}",
            given, names
        )));
    }
    // first the keys (references among them are found by them), then the rows
    for (&c, j) in shared.iter().zip(&p.shared) {
        let coll = &plan.collections[c as usize];
        let fields: Vec<&str> = coll.fields.iter().map(|f| f.name.as_str()).collect();
        if j.fields != fields || j.key_slot != coll.key_slot {
            return Err(bad(format!(
                "the partial result's '{}' has fields {:?}; the pack's has {:?}",
                j.collection, j.fields, fields
            )));
        }
        let key_slot = coll.key_slot as usize;
        let keyed: Vec<Box<[Value]>> = j
            .rows
            .iter()
            .map(|r| {
                let mut row = vec![Value::None; fields.len()];
                row[key_slot] = Value::str(&super::row_key(j, r));
                row.into_boxed_slice()
            })
            .collect();
        if keyed
            .windows(2)
            .any(|w| w[0][key_slot].as_str() >= w[1][key_slot].as_str())
        {
            return Err(bad(format!(
                "the partial result's '{}' records are not in key order",
                j.collection
            )));
        }
        ds.colls[c as usize] = CollData::from_rows(keyed, fields.len(), coll.key_slot);
    }
    for (&c, j) in shared.iter().zip(&p.shared) {
        let width = plan.collections[c as usize].fields.len();
        let rows = j
            .rows
            .iter()
            .map(|r| {
                if r.len() != width {
                    return Err(format!("a row has {} values for {width} fields", r.len()));
                }
                r.iter()
                    .map(|w| from_wire(plan, &ds, w))
                    .collect::<Result<Box<[Value]>, String>>()
            })
            .collect::<Result<Vec<_>, String>>()
            .map_err(|e| bad(format!("the partial result's '{}': {e}", j.collection)))?;
        ds.colls[c as usize] =
            CollData::from_rows(rows, width, plan.collections[c as usize].key_slot);
    }
    Ok(ds)
}

/// The records' table, as a whole run shows it.
fn records(
    plan: &Plan,
    ds: &Dataset,
    p: &Partial,
) -> Result<BTreeMap<String, Records>, ScoreError> {
    let mut out = BTreeMap::new();
    for (ci, c) in plan.collections.iter().enumerate() {
        let shown = eval::shown(plan, ci);
        let part = p.records.get(&c.name);
        if shown.is_empty() {
            if part.is_some() {
                return Err(bad(format!(
                    "the partial result reports measures of '{}', which the pack does not",
                    c.name
                )));
            }
            continue;
        }
        let names: Vec<String> = shown.iter().map(|(n, _)| n.to_string()).collect();
        let (keys, values) = match part {
            Some(r) if r.measures != names => {
                return Err(bad(format!(
                    "the partial result's measures of '{}' are {:?}; the pack's are {:?}",
                    c.name, r.measures, names
                )))
            }
            Some(r) => {
                let values = r
                    .values
                    .iter()
                    .flat_map(|row| row.iter().map(|w| from_wire(plan, ds, w)))
                    .collect::<Result<Vec<Value>, String>>()
                    .map_err(|e| bad(format!("records of '{}': {e}", c.name)))?;
                if values.len() != r.keys.len() * names.len() {
                    return Err(bad(format!(
                        "records of '{}': {} values for {} records of {} measures",
                        c.name,
                        values.len(),
                        r.keys.len(),
                        names.len()
                    )));
                }
                (
                    r.keys.iter().map(|k| Value::str(k)).collect(),
                    values.into(),
                )
            }
            None => (Vec::new(), Default::default()),
        };
        out.insert(
            c.name.clone(),
            Records {
                measures: names,
                shows: shown
                    .iter()
                    .map(|(_, m)| plan.measures[*m as usize].show())
                    .collect(),
                keys: keys.into(),
                values,
                sheet: c.sheet.name.clone(),
                titles: shown
                    .iter()
                    .map(|(_, m)| plan.measures[*m as usize].title.clone())
                    .collect(),
            },
        );
    }
    Ok(out)
}
