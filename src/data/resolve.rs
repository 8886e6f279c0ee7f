//! Resolving what was read into a dataset, step by step: keys sorted and duplicates
//! rejected; references found, and records that reference a missing or rejected record
//! rejected (until nothing changes); `include` filters and exclusion through references;
//! validity rules (`invalid_when`), whose rejections reach the records that reference the
//! records they reject; the accounting of every record; the used records in key order,
//! references renumbered.

use super::raws::{RawRef, Raws};
use super::{Accounting, CollData, DataError, Dataset, Input, Rejection};
use crate::eval::failed::Failed;
use crate::expr::compile::MeasureId;
use crate::expr::eval::{Data, Frame};
use crate::plan::{Collection, FieldKind, Period, Plan};
use crate::value::{CollId, Value};
use rayon::prelude::*;
use std::collections::BTreeMap;

/// The reference fields of each collection: `(slot, target collection)`.
pub(super) type RefSlots = Vec<Vec<(u16, CollId)>>;

/// Checks keys and references, applies `include` filters, and builds the dataset (on
/// threads of its own when the pack has scripts, which filters and validity rules may
/// call: see `crate::pool`).
pub(super) fn resolve(plan: &Plan, input: Input) -> Result<Dataset, DataError> {
    crate::pool::for_scripts(!plan.scripts.is_empty(), || resolved(plan, input))
}

fn resolved(plan: &Plan, input: Input) -> Result<Dataset, DataError> {
    let Input { period, mut raws } = input;
    let (period, dated) = match (period.or(plan.period), plan.needs_period) {
        (Some(p), _) => (p, true),
        (None, false) => (Period::UNDATED, false),
        (None, true) => {
            return Err(DataError::Shape(
                "has no period, and the pack gives none: add \"period\": {\"from\": …, \"to\": …} (the pack dates records: a collection's date, a window, a deadline or the period's variables)"
                    .into(),
            ))
        }
    };
    let colls = &plan.collections;
    let mut accounting = vec![Accounting::default(); colls.len()];
    for (a, recs) in accounting.iter_mut().zip(&raws) {
        a.read = recs.len() as u64;
    }

    let sorted = reject_duplicate_keys(colls, &mut raws);
    let ref_slots = reference_slots(colls);
    let targets = resolve_references(colls, &mut raws, &ref_slots, &mut accounting);
    point_references(&mut raws, &ref_slots, targets);
    let mut excluded = exclusions(plan, &raws, &sorted, &ref_slots, dated.then_some(&period))?;
    if colls.iter().any(|c| !c.invalid_when.is_empty()) {
        // records that cannot be judged are set aside (as when they are scored), and the
        // rest judged again without them, a bounded number of times
        for round in 0..=crate::eval::SET_ASIDE_ROUNDS {
            // (collection, record, reason) of each record rejected, and whether all were judged
            let (rejected, judged): (Vec<(usize, u32, String)>, bool) =
                match validity(plan, &raws, &sorted, &excluded, &ref_slots, (period, dated)) {
                    Ok(invalid) => {
                        let all = invalid.into_iter().enumerate();
                        (all.flat_map(|(ci, l)| l.into_iter().map(move |(ri, why)| (ci, ri, why))).collect(), true)
                    }
                    Err(Failed::Records(ci, failed))
                        if plan.set_aside && round < crate::eval::SET_ASIDE_ROUNDS =>
                    {
                        let why = |e| format!("evaluation failed: {e}");
                        (failed.into_iter().map(|(ri, e)| (ci as usize, ri, why(e))).collect(), false)
                    }
                    Err(f) => return Err(DataError::Shape(f.first().to_string())),
                };
            for (ci, ri, why) in rejected {
                raws[ci].reject(ri as usize, why);
            }
            reject_through_references(colls, &mut raws, &ref_slots);
            // exclusion through references, again without the records now rejected
            excluded = exclusions(plan, &raws, &sorted, &ref_slots, dated.then_some(&period))?;
            if judged {
                break;
            }
        }
    }
    count_exclusions(colls, &excluded, &mut accounting);
    let keyless = list_rejections(colls, &raws, &mut accounting);
    let colls_out = used_records(colls, raws, &sorted, &excluded, &ref_slots, &mut accounting);
    if let Some(g) = &plan.groups {
        if let Some(parent) = g.parent {
            check_hierarchy(
                &colls_out[g.coll as usize],
                parent,
                &colls[g.coll as usize].name,
            )?;
        }
    }
    Ok(Dataset {
        period,
        dated,
        colls: colls_out,
        accounting,
        sheets_not_read: Vec::new(),
        keyless,
    })
}


/// Step 1: The positions of the records of each collection that have a key, in key order;
/// every record whose key another record has too is rejected.
fn reject_duplicate_keys(colls: &[Collection], raws: &mut [Raws]) -> Vec<Vec<u32>> {
    let key_slot = |ci: usize| colls[ci].key_slot;
    let (sorted, unique): (Vec<Vec<u32>>, Vec<bool>) = raws
        .par_iter()
        .enumerate()
        .map(|(ci, recs)| sorted_by_key(recs, key_slot(ci)))
        .unzip();
    for (ci, (recs, order)) in raws.iter_mut().zip(&sorted).enumerate() {
        if unique[ci] {
            continue;
        }
        let ks = key_slot(ci);
        let runs: Vec<(String, Vec<u32>)> = order
            .chunk_by(|a, b| recs.get(*a as usize).key_bytes(ks) == recs.get(*b as usize).key_bytes(ks))
            .filter(|run| run.len() > 1)
            .map(|run| {
                let k = recs.get(run[0] as usize).key(ks).unwrap_or_default();
                (k.to_string(), run.to_vec())
            })
            .collect();
        for (k, run) in runs {
            for &i in &run {
                if recs.get(i as usize).ok() {
                    recs.reject(i as usize, format!(
                        "duplicate key '{k}' ({} records have it)",
                        run.len()
                    ));
                }
            }
        }
    }

    sorted
}

/// Why a record of collection `ci` is rejected when its reference field `slot` points at
/// `target`'s record `key`, which was rejected.
pub(super) fn rejected_target(colls: &[Collection], ci: usize, slot: u16, target: CollId, key: &str) -> String {
    let field = &colls[ci].fields[slot as usize].name;
    format!("field '{field}': {} '{key}' was rejected", colls[target as usize].name)
}

/// The reference fields of each collection.
pub(super) fn reference_slots(colls: &[Collection]) -> RefSlots {
    colls
        .iter()
        .map(|c| {
            c.fields
                .iter()
                .enumerate()
                .filter_map(|(s, f)| match f.kind {
                    FieldKind::Ref(t) => Some((s as u16, t)),
                    _ => None,
                })
                .collect()
        })
        .collect()
}

/// Step 2: Each reference found by key (a hash lookup) among the records read: the position of
/// its record, by collection, reference field and record. Then the records that reference
/// a missing or rejected record are rejected, until nothing changes (a rejection can
/// orphan other records).
///
/// `dangling` counts, by collection, its records rejected for a key the collection they
/// refer to does not have (see `Accounting::dangling`).
fn resolve_references(
    colls: &[Collection],
    raws: &mut [Raws],
    ref_slots: &RefSlots,
    accounting: &mut [Accounting],
) -> Vec<Vec<Vec<u32>>> {
    let key_slot = |ci: usize| colls[ci].key_slot;
    let targets: Vec<Vec<Vec<u32>>> = {
        let referenced: Vec<bool> = (0..colls.len())
            .map(|t| ref_slots.iter().flatten().any(|&(_, x)| x as usize == t))
            .collect();
        let index: Vec<ahash::HashMap<&[u8], u32>> = raws
            .par_iter()
            .zip(&referenced)
            .enumerate()
            .map(|(ci, (recs, &wanted))| {
                let mut m = ahash::HashMap::default();
                if wanted {
                    m.reserve(recs.len());
                    for (i, r) in recs.iter().enumerate() {
                        if let Some(k) = r.key_bytes(key_slot(ci)) {
                            m.entry(k).or_insert(i as u32);
                        }
                    }
                }
                m
            })
            .collect();
        raws.iter()
            .enumerate()
            .map(|(ci, recs)| {
                ref_slots[ci]
                    .iter()
                    .map(|&(slot, t)| {
                        recs.par_iter()
                            .map(
                                |r| match r.row.get(slot as usize).and_then(Value::text_bytes) {
                                    Some(k) if r.ok() => {
                                        index[t as usize].get(k).copied().unwrap_or(NONE)
                                    }
                                    _ => NONE,
                                },
                            )
                            .collect()
                    })
                    .collect()
            })
            .collect()
    };
    let mut first = true;
    loop {
        let changes = scan(raws, ref_slots, |ci, ri, r| {
            if !r.ok() {
                return None;
            }
            ref_slots[ci]
                .iter()
                .enumerate()
                .find_map(|(k, &(slot, target))| {
                    let key = r.row[slot as usize].as_str()?;
                    let tname = &colls[target as usize].name;
                    let fname = &colls[ci].fields[slot as usize].name;
                    match targets[ci][k][ri] {
                        NONE if first => Some((
                            format!("field '{fname}': no {tname} record has key '{key}'"),
                            Some(target),
                        )),
                        NONE => None,
                        ti if !raws[target as usize].get(ti as usize).ok() => {
                            Some((rejected_target(colls, ci, slot, target, key), None))
                        }
                        _ => None,
                    }
                })
        });
        first = false;
        if changes.iter().all(|c| c.is_empty()) {
            break;
        }
        for (ci, list) in changes.into_iter().enumerate() {
            for (ri, (reason, missing_from)) in list {
                if let Some(t) = missing_from {
                    let name = colls[t as usize].name.clone();
                    *accounting[ci].dangling.entry(name).or_default() += 1;
                }
                raws[ci].reject(ri, reason);
            }
        }
    }

    targets
}

/// Step 3: The references of valid records point at their records (which are valid too).
fn point_references(raws: &mut [Raws], ref_slots: &RefSlots, targets: Vec<Vec<Vec<u32>>>) {
    for (ci, recs) in raws.iter_mut().enumerate() {
        let (slots, tg) = (&ref_slots[ci], &targets[ci]);
        if slots.is_empty() {
            continue;
        }
        recs.par_change_ok(|ri, row| {
            for (k, &(slot, t)) in slots.iter().enumerate() {
                if tg[k][ri] != NONE {
                    row[slot as usize] = Value::Rec(t, tg[k][ri]);
                }
            }
        });
    }

}

/// Step 4: Which records are excluded: by their collection's `include` filter (evaluated in key
/// order, so that the first failure reported does not depend on the input order), then
/// through references to excluded records.
fn exclusions(
    plan: &Plan,
    raws: &[Raws],
    sorted: &[Vec<u32>],
    ref_slots: &RefSlots,
    period: Option<&Period>,
) -> Result<Vec<Vec<Excluded>>, DataError> {
    let colls = &plan.collections;
    let vars = crate::expr::vars::PeriodVars::of(period);
    let mut excluded: Vec<Vec<Excluded>> =
        raws.iter().map(|r| vec![Excluded::No; r.len()]).collect();
    for (ci, c) in colls.iter().enumerate() {
        let Some(inc) = &c.include else { continue };
        let data = RawFields(raws);
        let order = &sorted[ci];
        let keep_one = |k: usize| -> Result<bool, String> {
            let i = order[k];
            if !raws[ci].get(i as usize).ok() {
                return Ok(true);
            }
            let frame = Frame {
                data: &data,
                base: Some((ci as CollId, i)),
                vars: vars.record(),
            };
            inc.eval_bool(&frame).map_err(|e| {
                let key = raws[ci].get(i as usize).key(c.key_slot).unwrap_or_default();
                format!(
                    "{} '{key}': the include filter `{}` failed: {}",
                    c.name,
                    inc.src,
                    e.in_src(&inc.src)
                )
            })
        };
        let kept = crate::stack::try_map(plan.script_stack, order.len(), keep_one)
            .map_err(|e| {
                (0..order.len())
                    .find_map(|k| keep_one(k).err())
                    .unwrap_or(e)
            })
            .map_err(DataError::Shape)?;
        for (&i, k) in order.iter().zip(kept) {
            if !k {
                excluded[ci][i as usize] = Excluded::Filter;
            }
        }
    }
    loop {
        let changes = scan(raws, ref_slots, |ci, ri, r| {
            if !r.ok() || excluded[ci][ri] != Excluded::No {
                return None;
            }
            ref_slots[ci]
                .iter()
                .find_map(|&(slot, target)| match r.row[slot as usize] {
                    Value::Rec(_, ti) if excluded[target as usize][ti as usize] != Excluded::No => {
                        Some(slot)
                    }
                    _ => None,
                })
        });
        if changes.iter().all(|c| c.is_empty()) {
            break;
        }
        for (ci, list) in changes.into_iter().enumerate() {
            for (ri, slot) in list {
                excluded[ci][ri] = Excluded::Via(slot);
            }
        }
    }
    Ok(excluded)
}

/// Step 4b: The records that validity rules reject, by collection: their positions among
/// the records as read, with the reasons. The rules are evaluated over the dataset the
/// records would make without them (`eval::validity`), built from a copy: only packs with
/// validity rules pay for it.
fn validity(
    plan: &Plan,
    raws: &[Raws],
    sorted: &[Vec<u32>],
    excluded: &[Vec<Excluded>],
    ref_slots: &RefSlots,
    (period, dated): (Period, bool),
) -> Result<Vec<Vec<(u32, String)>>, Failed> {
    let colls = &plan.collections;
    let mut accounting = vec![Accounting::default(); colls.len()];
    let as_read = Dataset {
        period,
        dated,
        colls: used_records(colls, raws.to_vec(), sorted, excluded, ref_slots, &mut accounting),
        accounting,
        sheets_not_read: Vec::new(),
        keyless: Vec::new(),
    };
    // the used records are the kept ones in key order
    let raw_of = |ci: usize| -> Vec<u32> {
        sorted[ci]
            .iter()
            .copied()
            .filter(|&i| raws[ci].get(i as usize).ok() && excluded[ci][i as usize] == Excluded::No)
            .collect()
    };
    match crate::eval::validity::rejected(plan, &as_read) {
        Ok(rejected) => Ok(rejected
            .into_iter()
            .enumerate()
            .map(|(ci, list)| {
                if list.is_empty() {
                    return Vec::new();
                }
                let used = raw_of(ci);
                list.into_iter().map(|(u, why)| (used[u as usize], why)).collect()
            })
            .collect()),
        // positions among the records as read
        Err(Failed::Records(ci, failed)) => {
            let used = raw_of(ci as usize);
            Err(Failed::Records(ci, failed.into_iter().map(|(u, e)| (used[u as usize], e)).collect()))
        }
        Err(other) => Err(other),
    }
}

/// Records whose references point at a rejected record are rejected too, until nothing
/// changes (after the references point at their records' positions).
fn reject_through_references(colls: &[Collection], raws: &mut [Raws], ref_slots: &RefSlots) {
    loop {
        let changes = scan(raws, ref_slots, |ci, _, r| {
            if !r.ok() {
                return None;
            }
            ref_slots[ci].iter().find_map(|&(slot, target)| match r.row[slot as usize] {
                Value::Rec(_, ti) if !raws[target as usize].get(ti as usize).ok() => {
                    let t = &colls[target as usize];
                    let key = raws[target as usize].get(ti as usize).key(t.key_slot).unwrap_or_default();
                    Some(rejected_target(colls, ci, slot, target, key))
                }
                _ => None,
            })
        });
        if changes.iter().all(|c| c.is_empty()) {
            break;
        }
        for (ci, list) in changes.into_iter().enumerate() {
            for (ri, reason) in list {
                raws[ci].reject(ri, reason);
            }
        }
    }
}

/// The excluded records of each collection, counted by reason.
fn count_exclusions(colls: &[Collection], excluded: &[Vec<Excluded>], accounting: &mut [Accounting]) {
    for (ci, ex) in excluded.iter().enumerate() {
        let c = &colls[ci];
        let mut counts: BTreeMap<Excluded, u64> = BTreeMap::new();
        for e in ex.iter().filter(|e| **e != Excluded::No) {
            *counts.entry(*e).or_default() += 1;
        }
        for (e, n) in counts {
            let reason = match e {
                Excluded::Via(slot) => {
                    let f = &c.fields[slot as usize];
                    let FieldKind::Ref(t) = f.kind else { continue };
                    format!(
                        "field '{}' refers to an excluded {} record",
                        f.name, colls[t as usize].name
                    )
                }
                _ => format!(
                    "include: {}",
                    c.include.as_ref().map(|e| e.src.as_ref()).unwrap_or("")
                ),
            };
            accounting[ci].excluded += n;
            *accounting[ci].excluded_by.entry(reason).or_default() += n;
        }
    }

}

/// Step 5: The rejected records, with their reasons, in key order; and those without a
/// usable key with their places in the input.
fn list_rejections(colls: &[Collection], raws: &[Raws], accounting: &mut [Accounting]) -> Vec<super::Keyless> {
    use super::record::Place;
    let key_slot = |ci: usize| colls[ci].key_slot;
    let mut keyless = Vec::new();
    for (ci, recs) in raws.iter().enumerate() {
        let a = &mut accounting[ci];
        for (pos, r) in recs.iter().enumerate() {
            if let Some(rej) = &r.rejected {
                let key = r
                    .key(key_slot(ci))
                    .map(|k| k.to_string())
                    .or_else(|| rej.label.as_deref().map(str::to_string))
                    .unwrap_or_else(|| format!("#{pos}"));
                if let (Some(label), Some(at)) = (&rej.label, &rej.at) {
                    keyless.push(super::Keyless {
                        collection: colls[ci].name.clone(),
                        label: label.to_string(),
                        at: match at {
                            Place::Line(n) => format!("line {n}"),
                            Place::Offset(o) => format!("byte {o}"),
                            Place::Row(r) => r.clone(),
                        },
                        reason: rej.reason.clone(),
                    });
                }
                a.rejected.push(Rejection {
                    key,
                    reason: rej.reason.clone(),
                });
            }
        }
        a.rejected.sort();
    }
    keyless.sort();
    keyless
}

/// Step 6: The used records of each collection, sorted by key, references renumbered.
fn used_records(
    colls: &[Collection],
    raws: Vec<Raws>,
    sorted: &[Vec<u32>],
    excluded: &[Vec<Excluded>],
    ref_slots: &RefSlots,
    accounting: &mut [Accounting],
) -> Vec<CollData> {
    let key_slot = |ci: usize| colls[ci].key_slot;
    let keep =
        |ci: usize, i: u32| raws[ci].get(i as usize).ok() && excluded[ci][i as usize] == Excluded::No;
    // each collection's kept records in key order, and each record's new position
    let (kept, renumber): (Vec<Vec<u32>>, Vec<Vec<u32>>) = sorted
        .iter()
        .enumerate()
        .map(|(ci, order)| {
            let kept: Vec<u32> = order.iter().copied().filter(|&i| keep(ci, i)).collect();
            let mut renumber = vec![NONE; raws[ci].len()];
            for (n, &i) in kept.iter().enumerate() {
                renumber[i as usize] = n as u32;
            }
            (kept, renumber)
        })
        .unzip();
    let mut colls_out = Vec::with_capacity(colls.len());
    for (ci, recs) in raws.into_iter().enumerate() {
        let slots = &ref_slots[ci];
        let width = colls[ci].fields.len();
        // (data in key order keeps its vector: see `Raws::into_values`)
        let mut values = recs.into_values(&kept[ci]);
        if !slots.is_empty() {
            values
                .par_chunks_mut(width.max(1))
                .for_each(|row| renumber_references(row, slots, &renumber));
        }
        accounting[ci].used = kept[ci].len() as u64;
        colls_out.push(CollData::from_values(values, width, key_slot(ci)));
    }

    colls_out
}

/// Points the references of `row` (its reference `slots`) at their records' new positions
/// (`renumber`, by collection and old position).
pub(super) fn renumber_references(row: &mut [Value], slots: &[(u16, CollId)], renumber: &[Vec<u32>]) {
    for &(slot, _) in slots {
        if let Value::Rec(t, ti) = row[slot as usize] {
            row[slot as usize] = Value::Rec(t, renumber[t as usize][ti as usize]);
        }
    }
}

/// Position of a record among its collection's raw records; `NONE` for no record.
const NONE: u32 = u32::MAX;

/// The records of every collection as read (in input order), for an `include` filter:
/// their references already point at raw positions.
struct RawFields<'a>(&'a [Raws]);

impl Data for RawFields<'_> {
    fn record(&self, coll: CollId, idx: u32) -> &[Value] {
        self.0[coll as usize].get(idx as usize).row
    }
    fn measure(&self, _: MeasureId, _: u32) -> &Value {
        &crate::expr::eval::NONE
    }
}

/// Why a record is excluded: by its collection's filter, or through a reference slot.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Excluded {
    No,
    Filter,
    Via(u16),
}

/// What `find` says of each record of the collections that have references, by collection,
/// with the records' positions, in record order (computed on every thread). The records are
/// changed after a scan, so that no record sees another's change within one.
fn scan<T: Send>(
    raws: &[Raws],
    ref_slots: &[Vec<(u16, CollId)>],
    find: impl Fn(usize, usize, RawRef) -> Option<T> + Sync,
) -> Vec<Vec<(usize, T)>> {
    raws.iter()
        .enumerate()
        .map(|(ci, recs)| {
            if ref_slots[ci].is_empty() {
                return Vec::new();
            }
            recs.par_iter()
                .enumerate()
                .filter_map(|(ri, r)| find(ci, ri, r).map(|t| (ri, t)))
                .collect()
        })
        .collect()
}

fn check_hierarchy(c: &CollData, parent: u16, name: &str) -> Result<(), DataError> {
    for start in 0..c.len() {
        let mut seen = vec![start];
        let mut cur = start;
        while let Value::Rec(_, p) = c.row(cur)[parent as usize] {
            cur = p as usize;
            if seen.contains(&cur) {
                let chain: Vec<&str> = seen.iter().chain([&cur]).map(|i| c.key(*i)).collect();
                return Err(DataError::Shape(format!(
                    "{name}: the parent chain is a cycle: {}",
                    chain.join(" → ")
                )));
            }
            seen.push(cur);
        }
    }
    Ok(())
}

/// Positions of the records that have a key, sorted by key (then position), and whether
/// the keys are all different.
fn sorted_by_key(recs: &Raws, key_slot: u16) -> (Vec<u32>, bool) {
    let mut idx: Vec<u32> = (0..recs.len() as u32)
        .into_par_iter()
        .filter(|&i| recs.get(i as usize).key_bytes(key_slot).is_some())
        .collect();
    let key = |i: &u32| recs.get(*i as usize).key_bytes(key_slot);
    // data often comes in key order already: then there is nothing to sort, and no key
    // can repeat
    if idx.par_windows(2).all(|w| key(&w[0]) < key(&w[1])) {
        return (idx, true);
    }
    idx.par_sort_unstable_by(|a, b| key(a).cmp(&key(b)).then(a.cmp(b)));
    (idx, false)
}
