//! Partial results: a shard's records scored up to what can be added to other shards'
//! (each indicator's tallies per jurisdiction, each record's measures, the accounting),
//! merged exactly, and finished into the outcome a whole run gives.
//!
//! A dataset too large for one machine is split into shards along the jurisdiction tree:
//! every record in exactly one shard, with the records it refers to (a unit with its
//! inspections), and the jurisdictions' collection whole in every shard (it is small; its
//! records count once). Each shard is scored into a [`Partial`] ([`crate::Plan::score_partial`]);
//! partials merge in any grouping and order ([`Partial::merge`]); the merged one is
//! finished into the [`crate::Outcome`] ([`crate::Plan::finish`]), byte for byte the outcome of
//! scoring all the records at once.
//!
//! What a partial carries, and its JSON form (`docs/partials.md`): tallies name members by
//! key, so that merged evidence lists are the first in key order, as a whole run's are;
//! sums are exact fractions; a custom indicator's or a median's member values are carried
//! whole. A record that refers to one in another shard is rejected in its shard with the
//! reason (never dropped). A pack whose jurisdictions' own measures count records of the
//! shards cannot be merged exactly, and says so ([`crate::Plan::mergeable`]).

mod check;
mod finish;
pub(crate) mod mergeable;
pub mod split;
mod wire;

use crate::data::{Accounting, Dataset};
use crate::eval::{self, failed::Failed, ScoreError};
use crate::plan::{Period, Plan};
use crate::value::Value;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use wire::{to_wire, Counted, Wire};

/// The version of a partial result's JSON form (its `partial` member): it changes when a
/// member changes meaning; partials of another version are refused.
pub const PARTIAL_FORMAT: u32 = 1;

/// A shard's results before the jurisdictions' results are taken: what merges exactly
/// with other shards' ([`Partial::merge`]) and finishes into an outcome
/// ([`crate::Plan::finish`]). Written and read as JSON ([`Partial::to_json`],
/// [`Partial::from_json`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Partial {
    /// [`PARTIAL_FORMAT`].
    partial: u32,
    /// The engine that wrote it.
    engine: String,
    /// The pack, by name, version and digest: partials merge only with partials of the same
    /// pack (the same digest).
    pack: PackId,
    /// The pack's evidence cap, which merged evidence lists keep to.
    evidence_cap: usize,
    /// The period assessed (none: the pack dates nothing); the same in every shard.
    period: Option<Period>,
    /// The collections every shard has whole (the jurisdictions, the windows of
    /// per-window aggregates), in the pack's order; the same in every shard.
    shared: Vec<Shared>,
    /// Records read, used, excluded and rejected, by collection.
    accounting: BTreeMap<String, Accounting>,
    /// The reported measures of each collection's records.
    records: BTreeMap<String, RecordsPart>,
    /// Each indicator with members: its tallies.
    indicators: BTreeMap<String, IndicatorPart>,
}

/// A pack's identity.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
struct PackId {
    name: String,
    version: String,
    digest: String,
}

/// The records of a collection every shard has whole, every field by slot, in key order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
struct Shared {
    collection: String,
    fields: Vec<String>,
    /// The key field's position among `fields`.
    key_slot: u16,
    rows: Vec<Vec<Option<Wire>>>,
}

/// A collection's records with their reported measures, in key order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
struct RecordsPart {
    measures: Vec<String>,
    keys: Vec<String>,
    /// By record, the measures' values in the order of `measures`.
    values: Vec<Vec<Option<Wire>>>,
}

/// An indicator's own tallies: each jurisdiction's (of the members in it, not those
/// below it) by key, and the members with no jurisdiction; empty tallies are left out.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
struct IndicatorPart {
    /// Its members are records every shard has (the jurisdictions themselves, say): the
    /// same tallies in every shard, counted once.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    of_shared: bool,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    own: BTreeMap<String, Counted>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unplaced: Option<Counted>,
    /// With a breakdown (`by`): each category's, in the order shown.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    by: Vec<CategoryPart>,
}

/// One category's own tallies.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
struct CategoryPart {
    category: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    own: BTreeMap<String, Counted>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unplaced: Option<Counted>,
}

impl Partial {
    /// The partial as JSON (one line per record of the records' table would not help:
    /// it is read whole).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }

    /// A partial read from its JSON; `Err` says what is wrong, and where.
    pub fn from_json(text: &str) -> Result<Partial, ScoreError> {
        // nested values are read recursively: on a stack known to be deep enough
        crate::stack::with(crate::stack::ENTRY, || Partial::read(text))
    }

    fn read(text: &str) -> Result<Partial, ScoreError> {
        let p: Partial = serde_json::from_str(text.strip_prefix('\u{feff}').unwrap_or(text))
            .map_err(|e| {
                ScoreError::BadInput(format!(
                    "not a partial result: {} at line {}, column {}",
                    crate::data::serde_message(&e),
                    e.line(),
                    e.column()
                ))
            })?;
        if p.partial != PARTIAL_FORMAT {
            return Err(ScoreError::BadInput(format!(
                "a partial result of format {} (written by {}); this engine reads format {PARTIAL_FORMAT}",
                p.partial, p.engine
            )));
        }
        check::structure(&p)
            .map_err(|why| ScoreError::BadInput(format!("not a valid partial result: {why}")))?;
        Ok(p)
    }

    /// The pack's digest the partial is of.
    pub fn digest(&self) -> &str {
        &self.pack.digest
    }

    /// The partials merged into one, in the order given (any order gives the same);
    /// `Err` when there are none or two do not belong together ([`Partial::merge`]).
    pub fn merged(parts: &[Partial]) -> Result<Partial, ScoreError> {
        let (first, rest) = parts
            .split_first()
            .ok_or_else(|| ScoreError::BadInput("no partial results to merge".into()))?;
        let mut all = first.clone();
        for p in rest {
            all.merge(p)?;
        }
        Ok(all)
    }

    /// Adds another shard's partial: as if its records had been scored with this one's.
    /// Both must be of the same pack, period and jurisdictions; a record or member in both
    /// is an error (every record lives in one shard). Merging is associative and
    /// commutative: any grouping of the shards gives the same partial.
    pub fn merge(&mut self, o: &Partial) -> Result<(), ScoreError> {
        crate::guard(|| self.merge_with(o)).unwrap_or_else(|p| Err(ScoreError::Internal(p)))
    }

    fn merge_with(&mut self, o: &Partial) -> Result<(), ScoreError> {
        let bad = |m: String| ScoreError::BadInput(m);
        if self.pack != o.pack {
            return Err(bad(format!(
                "partial results of different packs: {} {} ({}) and {} {} ({})",
                self.pack.name,
                self.pack.version,
                self.pack.digest,
                o.pack.name,
                o.pack.version,
                o.pack.digest
            )));
        }
        if self.period != o.period {
            return Err(bad(format!(
                "partial results of different periods: {} and {}",
                period_text(&self.period),
                period_text(&o.period)
            )));
        }
        if self.shared != o.shared {
            return Err(bad(self.shared_differ(o)));
        }
        let shared: Vec<String> = self.shared.iter().map(|s| s.collection.clone()).collect();
        let is_shared = |c: &str| shared.iter().any(|s| s == c);
        for (c, a) in &o.accounting {
            let mine = self.accounting.entry(c.clone()).or_default();
            if is_shared(c) {
                continue; // the same in every shard (its records are)
            }
            mine.read += a.read;
            mine.used += a.used;
            mine.excluded += a.excluded;
            for (why, n) in &a.excluded_by {
                *mine.excluded_by.entry(why.clone()).or_default() += n;
            }
            mine.rejected.extend(a.rejected.iter().cloned());
            mine.rejected.sort();
            for (to, n) in &a.dangling {
                *mine.dangling.entry(to.clone()).or_default() += n;
            }
        }
        for (c, r) in &o.records {
            match self.records.get_mut(c) {
                Some(mine) if !is_shared(c) => {
                    merge_records(mine, r).map_err(|k| {
                        bad(format!("record '{k}' of '{c}' is in two partial results: every record belongs in one shard"))
                    })?;
                }
                Some(_) => {}
                None => {
                    self.records.insert(c.clone(), r.clone());
                }
            }
        }
        let cap = self.evidence_cap;
        for (id, part) in &o.indicators {
            let Some(mine) = self.indicators.get_mut(id) else {
                self.indicators.insert(id.clone(), part.clone());
                continue;
            };
            if mine.of_shared {
                continue;
            }
            let failed = |e: String| bad(format!("indicator {id}: {e}"));
            merge_own(
                &mut mine.own,
                &mut mine.unplaced,
                &part.own,
                &part.unplaced,
                cap,
            )
            .map_err(failed)?;
            for cat in &part.by {
                match mine.by.iter_mut().find(|c| c.category == cat.category) {
                    Some(c) => merge_own(&mut c.own, &mut c.unplaced, &cat.own, &cat.unplaced, cap)
                        .map_err(failed)?,
                    None => mine.by.push(cat.clone()),
                }
            }
        }
        Ok(())
    }

    /// Says how two partials' shared records differ.
    fn shared_differ(&self, o: &Partial) -> String {
        let keys = |p: &Partial| -> Vec<String> {
            p.shared
                .iter()
                .flat_map(|j| {
                    j.rows
                        .iter()
                        .map(|r| format!("{} '{}'", j.collection, row_key(j, r)))
                })
                .collect()
        };
        let (a, b) = (keys(self), keys(o));
        let only = |x: &[String], y: &[String]| x.iter().find(|k| !y.contains(k)).cloned();
        let what = match (only(&a, &b), only(&b, &a)) {
            (Some(k), _) | (_, Some(k)) => format!("{k} is in one and not the other"),
            _ => "the same keys with different fields".into(),
        };
        let names: Vec<&str> = self.shared.iter().map(|s| s.collection.as_str()).collect();
        format!(
            "partial results with different records of {} ({what}): give every shard these collections whole",
            names.join(", ")
        )
    }
}

/// A jurisdiction's key, from its row.
fn row_key(j: &Shared, row: &[Option<Wire>]) -> String {
    match row.get(j.key_slot as usize) {
        Some(Some(Wire::Text(t))) => t.clone(),
        _ => String::new(),
    }
}

fn period_text(p: &Option<Period>) -> String {
    match p {
        Some(p) => format!("{} to {} (as of {})", p.from, p.to, p.as_of),
        None => "none".into(),
    }
}

/// Merges records in key order; `Err` with a key in both.
fn merge_records(a: &mut RecordsPart, b: &RecordsPart) -> Result<(), String> {
    let mut keys = Vec::with_capacity(a.keys.len() + b.keys.len());
    let mut values = Vec::with_capacity(keys.capacity());
    let mut ia = std::mem::take(&mut a.keys)
        .into_iter()
        .zip(std::mem::take(&mut a.values))
        .peekable();
    let mut ib = b.keys.iter().zip(&b.values).peekable();
    loop {
        let from_a = match (ia.peek(), ib.peek()) {
            (Some((ka, _)), Some((kb, _))) => match ka.as_str().cmp(kb.as_str()) {
                std::cmp::Ordering::Less => true,
                std::cmp::Ordering::Greater => false,
                std::cmp::Ordering::Equal => return Err(ka.clone()),
            },
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        if from_a {
            if let Some((k, v)) = ia.next() {
                keys.push(k);
                values.push(v);
            }
        } else if let Some((k, v)) = ib.next() {
            keys.push(k.clone());
            values.push(v.clone());
        }
    }
    a.keys = keys;
    a.values = values;
    Ok(())
}

/// Adds own tallies by jurisdiction, and the unplaced members'.
fn merge_own(
    own: &mut BTreeMap<String, Counted>,
    unplaced: &mut Option<Counted>,
    o_own: &BTreeMap<String, Counted>,
    o_unplaced: &Option<Counted>,
    cap: usize,
) -> Result<(), String> {
    for (g, t) in o_own {
        match own.get_mut(g) {
            Some(mine) => mine.merge(t, cap)?,
            None => {
                own.insert(g.clone(), t.clone());
            }
        }
    }
    match (unplaced.as_mut(), o_unplaced) {
        (Some(mine), Some(t)) => mine.merge(t, cap)?,
        (None, Some(t)) => *unplaced = Some(t.clone()),
        _ => {}
    }
    Ok(())
}

/// Checks `p` against `plan`'s pack ([`crate::Plan::check_partial`]).
pub(crate) fn check(plan: &Plan, p: &Partial) -> Result<(), ScoreError> {
    if p.pack.digest != plan.meta.digest {
        return Err(ScoreError::BadInput(format!(
            "the partial result is of pack {} {} ({}), not of this one: {} {} ({})",
            p.pack.name,
            p.pack.version,
            p.pack.digest,
            plan.meta.name,
            plan.meta.version,
            plan.meta.digest
        )));
    }
    check::against(plan, p).map_err(|why| {
        ScoreError::BadInput(format!("not a valid partial result of this pack: {why}"))
    })
}

/// Scores a dataset (one shard) into its partial result, setting aside records whose
/// evaluation fails as [`crate::Plan::score`] does.
pub(crate) fn score_partial(plan: &Plan, ds: &Dataset) -> Result<Partial, ScoreError> {
    mergeable::check(plan).map_err(|why| {
        ScoreError::BadInput(format!(
            "partial results of pack '{}' cannot be merged exactly: {why}",
            plan.meta.name
        ))
    })?;
    eval::settled_with(plan, ds, partial_once).map(|(p, _)| p)
}

/// One round of [`score_partial`].
fn partial_once(plan: &Plan, ds: &Dataset) -> Result<Partial, Failed> {
    let mut cols = eval::measure::computed(plan, ds)?;
    let groups = eval::groups::Groups::new(plan, ds);
    let mut indicators = BTreeMap::new();
    let shared = mergeable::shared(plan);
    let wire = |v: &Value| to_wire(plan, ds, v);
    for (ind, own) in plan
        .indicators
        .iter()
        .zip(eval::own::tallied(plan, ds, &cols, &groups))
    {
        let Some(own) = own? else { continue };
        let key = |i: u32| ds.colls[ind.coll as usize].key(i as usize).to_string();
        let split =
            |tallies: &[crate::indicator::Tally]| -> (BTreeMap<String, Counted>, Option<Counted>) {
                let mut mine = BTreeMap::new();
                for (g, t) in tallies.iter().enumerate().take(groups.count()) {
                    let c = Counted::of(t, key, wire);
                    if !c.is_empty() {
                        mine.insert(groups.key(ds, g), c);
                    }
                }
                let unplaced = tallies
                    .last()
                    .map(|t| Counted::of(t, key, wire))
                    .filter(|c| !c.is_empty());
                (mine, unplaced)
            };
        let all = own.tallies.iter().chain(own.by.iter().flat_map(|(_, t)| t));
        if all
            .flat_map(|t| &t.values)
            .any(|(_, v)| refers_outside(v, &shared))
        {
            return Err(ScoreError::BadInput(format!(
                "indicator {}: its members' values are records, which a partial result does not carry (only the jurisdictions and other collections every shard has whole): its outcome cannot be merged",
                ind.id
            ))
            .into());
        }
        let (own_map, unplaced) = split(&own.tallies);
        let by = own
            .by
            .iter()
            .map(|(category, tallies)| {
                let (own, unplaced) = split(tallies);
                CategoryPart {
                    category: category.clone(),
                    own,
                    unplaced,
                }
            })
            .collect();
        indicators.insert(
            ind.id.clone(),
            IndicatorPart {
                of_shared: shared.contains(&ind.coll),
                own: own_map,
                unplaced,
                by,
            },
        );
    }
    let records = eval::reported(plan, ds, &mut cols)
        .into_iter()
        .map(|(name, r)| {
            let values = (0..r.keys.len())
                .map(|i| r.row(i).iter().map(wire).collect())
                .collect();
            let keys = r
                .keys
                .iter()
                .map(|k| k.as_str().unwrap_or_default().to_string())
                .collect();
            (
                name,
                RecordsPart {
                    measures: r.measures,
                    keys,
                    values,
                },
            )
        })
        .collect();
    let shared = shared.iter().map(|&c| {
        let coll = &plan.collections[c as usize];
        Shared {
            collection: coll.name.clone(),
            fields: coll.fields.iter().map(|f| f.name.clone()).collect(),
            key_slot: coll.key_slot,
            rows: ds.colls[c as usize]
                .rows()
                .map(|r| r.iter().map(wire).collect())
                .collect(),
        }
    });
    let shared = shared.collect();
    Ok(Partial {
        partial: PARTIAL_FORMAT,
        engine: concat!("scorecard ", env!("CARGO_PKG_VERSION")).to_string(),
        pack: PackId {
            name: plan.meta.name.clone(),
            version: plan.meta.version.clone(),
            digest: plan.meta.digest.clone(),
        },
        evidence_cap: plan.evidence_cap,
        period: ds.period(),
        shared,
        accounting: eval::accounting(plan, &ds.accounting),
        records,
        indicators,
    })
}

/// Whether a value is, or holds, a record of a collection that shards split.
fn refers_outside(v: &Value, shared: &[crate::value::CollId]) -> bool {
    match v {
        Value::Rec(c, _) => !shared.contains(c),
        Value::List(vs) | Value::Item(vs, ..) | Value::Items(vs, _) => {
            vs.iter().any(|x| refers_outside(x, shared))
        }
        _ => false,
    }
}

pub(crate) use finish::finish;
