//! Scoring a dataset with a plan: measures per record ([`measure`]), tables
//! ([`table`]), indicators per jurisdiction ([`indicator`]) and the scorecard
//! ([`scorecard`]), assembled into an [`Outcome`].

pub(crate) mod by_category;
pub(crate) mod column;
pub mod explain;
pub mod explain_above;
pub(crate) mod failed;
pub mod groups;
pub(crate) mod incomplete;
pub mod indicator;
pub mod measure;
pub(crate) mod own;
mod pass;
pub mod points;
pub(crate) mod related;
mod scan;
pub mod scorecard;
pub mod table;
mod table_measure;
pub(crate) mod validity;

use crate::data::{DataError, Dataset};
use crate::expr::eval::EvalError;
use crate::outcome::{GroupResult, Outcome};
use crate::plan::Plan;
use crate::value::Value;
use rayon::prelude::*;
use std::collections::BTreeMap;

/// Why scoring failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScoreError {
    /// The dataset could not be read.
    #[error(transparent)]
    Data(#[from] DataError),
    /// A rule failed on a record: which rule, which record, which expression, what.
    #[error("{context}: {message}")]
    Eval {
        /// The rule and record, e.g. `measure units.covered, units 'U001', in `a / b``.
        context: String,
        /// What went wrong.
        message: String,
    },
    /// The input data is inconsistent with a rule (e.g. a numerator above its denominator).
    #[error("{0}")]
    BadInput(String),
    /// A script ran past its time limit (`scripts.limits.max_time_ms`): the run stops, as
    /// setting aside one record after another, each taking that long, would take as long
    /// as there are records.
    #[error("{context}: {message}")]
    Stopped {
        /// The rule and record, as for [`ScoreError::Eval`].
        context: String,
        /// Which script stopped where, and the limit.
        message: String,
    },
    /// A bug: an unexpected panic was caught. Please report it.
    #[error("internal error (please report): {0}")]
    Internal(String),
}

impl ScoreError {
    /// Adds where (a group, say) to the context of an evaluation error that does not
    /// already name a group.
    pub(crate) fn at(self, place: &str) -> ScoreError {
        match self {
            ScoreError::Eval { context, message }
                if !context.contains("group ") && !context.contains("overall") =>
            {
                ScoreError::Eval {
                    context: format!("{context}, {place}"),
                    message,
                }
            }
            other => other,
        }
    }

    pub(crate) fn eval(rule: &str, record: Option<String>, expr: &str, e: EvalError) -> ScoreError {
        let rec = record.map(|r| format!(", {r}")).unwrap_or_default();
        let context = format!("{rule}{rec}, in `{expr}` at character {}", e.pos + 1);
        let message = e.naming(expr);
        match e.stops_run {
            true => ScoreError::Stopped { context, message },
            false => ScoreError::Eval { context, message },
        }
    }

    /// Whether the error stops the run rather than set its record aside.
    pub(crate) fn stops_run(&self) -> bool {
        matches!(self, ScoreError::Stopped { .. })
    }
}

/// JSON form of a measure value for the outcome.
pub(crate) fn value_json(ds: &Dataset, v: &Value) -> serde_json::Value {
    match v {
        Value::None => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Num(n) => serde_json::Value::String(n.get().to_exact_string()),
        Value::Str(_) | Value::Short(_) => {
            serde_json::Value::String(v.as_str().unwrap_or_default().to_string())
        }
        Value::Date(d) => serde_json::Value::String(d.to_string()),
        Value::Rec(c, i) => {
            serde_json::Value::String(ds.colls[*c as usize].key(*i as usize).to_string())
        }
        Value::Item(..) => serde_json::Value::String("(item)".into()),
        Value::List(l) => serde_json::Value::Array(l.iter().map(|x| value_json(ds, x)).collect()),
        Value::Items(..) => serde_json::Value::Array(
            v.elems()
                .map(|_| serde_json::Value::String("(item)".into()))
                .collect(),
        ),
    }
}

/// Explains a record, then (to `depth` levels) the related records its aggregates counted
/// that have measures of their own, e.g. a unit, then its inspections.
pub fn explain_record(
    plan: &Plan,
    ds: &Dataset,
    collection: &str,
    key: &str,
    depth: usize,
) -> Result<Vec<explain::Explanation>, ScoreError> {
    let coll = plan.collection(collection).ok_or_else(|| {
        let names: Vec<&str> = plan.collections.iter().map(|c| c.name.as_str()).collect();
        ScoreError::BadInput(format!(
            "no collection '{collection}' (collections: {})",
            names.join(", ")
        ))
    })?;
    // explained as scored: without the records set aside
    let (_, settled) = settled(plan, ds)?;
    let ds = settled.as_ref().unwrap_or(ds);
    let idx = ds.colls[coll as usize].find(key).ok_or_else(|| {
        ScoreError::BadInput(format!(
            "no used {collection} record '{key}' (a rejected or excluded record is listed in the accounting)"
        ))
    })?;
    let cols = measure::compute(plan, ds)?;
    let mut out = vec![explain::explain(plan, ds, &cols, coll, idx)?];
    let mut seen = std::collections::BTreeSet::from([(coll, idx)]);
    let mut frontier = vec![0usize];
    for _ in 0..depth {
        let mut next = Vec::new();
        for i in frontier {
            let e = out[i].clone();
            for m in &e.measures {
                let Some(rel) = &m.related else { continue };
                let over = plan
                    .measures
                    .iter()
                    .find(|x| x.coll == coll_of(plan, &e.collection) && x.name == m.name)
                    .and_then(|x| match x.kind {
                        crate::plan::MeasureKind::Aggregate { over, .. } => Some(over),
                        _ => None,
                    });
                let Some(over) = over else { continue };
                if plan.collections[over as usize].measures.is_empty() {
                    continue;
                }
                for r in rel.iter().filter(|r| r.counted) {
                    let Some(j) = ds.colls[over as usize].find(r.key.as_str()) else {
                        continue;
                    };
                    if seen.insert((over, j)) {
                        out.push(explain::explain(plan, ds, &cols, over, j)?);
                        next.push(out.len() - 1);
                    }
                }
            }
        }
        frontier = next;
    }
    Ok(out)
}

fn coll_of(plan: &Plan, name: &str) -> crate::value::CollId {
    plan.collection(name).unwrap_or(crate::value::CollId::MAX)
}

/// The reported measures of collection `ci`, by name, in name order.
pub(crate) fn shown(plan: &Plan, ci: usize) -> Vec<(&str, u32)> {
    let mut shown: Vec<(&str, u32)> = plan.collections[ci]
        .measures
        .iter()
        .map(|m| (plan.measures[*m as usize].name.as_str(), *m))
        .filter(|(_, m)| plan.measures[*m as usize].report)
        .collect();
    shown.sort();
    shown
}

/// The reported measures of each collection's records, taken from the measure columns: a
/// collection with one reported measure takes its column as it is.
pub(crate) fn reported(
    plan: &Plan,
    ds: &Dataset,
    cols: &mut [column::Column],
) -> BTreeMap<String, crate::outcome::Records> {
    let mut records = BTreeMap::new();
    for (ci, c) in plan.collections.iter().enumerate() {
        let shown = shown(plan, ci);
        if shown.is_empty() {
            continue;
        }
        // a record a measure refers to is shown as its key
        let key_of = |v: &Value| match v {
            Value::Rec(c, i) => Some(ds.colls[*c as usize].key_value(*i as usize)),
            _ => None,
        };
        let values = match shown[..] {
            [(_, m)] => {
                let mut col = std::mem::take(&mut cols[m as usize]);
                // a table's outputs are the constants of its rows: never a record
                let table = matches!(plan.measures[m as usize].kind, crate::plan::MeasureKind::Table { .. });
                if let (column::Column::Values(col), false) = (&mut col, table) {
                    col.par_iter_mut().for_each(|v| {
                        if let Some(k) = key_of(v) {
                            *v = k;
                        }
                    });
                }
                col
            }
            _ => {
                let cols = &*cols;
                let n = ds.colls[ci].len();
                (0..n * shown.len())
                    .into_par_iter()
                    .map(|k| {
                        let v = cols[shown[k % shown.len()].1 as usize].get(k / shown.len());
                        let v = v.unwrap_or(&Value::None);
                        key_of(v).unwrap_or_else(|| v.clone())
                    })
                    .collect::<Vec<Value>>()
                    .into()
            }
        };
        records.insert(
            c.name.clone(),
            crate::outcome::Records {
                measures: shown.iter().map(|(name, _)| name.to_string()).collect(),
                shows: shown.iter().map(|(_, m)| plan.measures[*m as usize].show()).collect(),
                keys: ds.colls[ci].keys(),
                values,
                sheet: c.sheet.name.clone(),
                titles: shown.iter().map(|(_, m)| plan.measures[*m as usize].title.clone()).collect(),
            },
        );
    }
    records
}

/// How many times records may be set aside before a run gives up: each time removes at
/// least one record, and a record set aside can make others fail (a unit's mean over no
/// inspection, say), so the bound keeps a run of such failures from taking a time
/// proportional to the records.
pub(crate) const SET_ASIDE_ROUNDS: usize = 16;

/// Scores a dataset that was read against this plan. A record whose evaluation fails is
/// set aside (rejected with the error) and the others are scored without it, unless the
/// pack says `"evaluation_errors": "stop"`.
pub fn score(plan: &Plan, ds: &Dataset) -> Result<Outcome, ScoreError> {
    settled(plan, ds).map(|(o, _)| o)
}

/// The outcome, and the dataset it is of when records were set aside on the way.
pub(crate) fn settled(plan: &Plan, ds: &Dataset) -> Result<(Outcome, Option<Dataset>), ScoreError> {
    settled_with(plan, ds, score_once)
}

/// What `once` gives for the dataset, after setting aside (as [`score`] does) the records
/// it reports failing; with the dataset it is of when records were set aside.
pub(crate) fn settled_with<T>(
    plan: &Plan,
    ds: &Dataset,
    once: impl Fn(&Plan, &Dataset) -> Result<T, failed::Failed>,
) -> Result<(T, Option<Dataset>), ScoreError> {
    let mut now: Option<Dataset> = None;
    for round in 0..=SET_ASIDE_ROUNDS {
        let this = now.as_ref().unwrap_or(ds);
        match once(plan, this) {
            Ok(o) => return Ok((o, now)),
            Err(failed::Failed::Records(coll, list)) if plan.set_aside && round < SET_ASIDE_ROUNDS => {
                let reasons: Vec<(u32, String)> = list
                    .into_iter()
                    .map(|(i, e)| (i, format!("evaluation failed: {e}")))
                    .collect();
                now = Some(this.without(plan, coll, &reasons));
            }
            Err(failed::Failed::Records(_, list)) if plan.set_aside => {
                let first = list.into_iter().next().map(|f| f.1.to_string()).unwrap_or_default();
                return Err(ScoreError::BadInput(format!(
                    "records still fail after {SET_ASIDE_ROUNDS} rounds of setting aside the records that failed (each round's removals made others fail); the last: {first}"
                )));
            }
            Err(f) => return Err(f.first()),
        }
    }
    Err(ScoreError::Internal("setting records aside did not end".into()))
}

/// The outputs of the tables on groups in each group (the overall group last), over the
/// group's indicators' results and the jurisdiction (`group`; none overall).
fn group_grades(
    plan: &Plan,
    ds: &Dataset,
    cols: &[column::Column],
    groups: &groups::Groups,
    results: &[Vec<(crate::outcome::IndicatorResult, points::Points)>],
    values: &[Vec<Option<crate::num::Number>>],
) -> Result<Vec<BTreeMap<String, serde_json::Value>>, ScoreError> {
    let tables: Vec<&crate::plan::Table> = plan
        .tables
        .iter()
        .filter(|t| t.on == crate::plan::TableOn::Groups)
        .collect();
    let view = measure::View { ds, cols };
    let period = ds.period_vars();
    let mut out = vec![BTreeMap::new(); groups.count() + 1];
    if tables.is_empty() {
        return Ok(out);
    }
    for (g, grades) in out.iter_mut().enumerate() {
        let mut vars = crate::indicator::Others::at(period.record(), values, results, g).vars();
        if let Some(gc) = groups.coll {
            vars.push(match g < groups.count() {
                true => Value::Rec(gc, g as u32),
                false => Value::None,
            });
        }
        let frame = crate::expr::eval::Frame {
            data: &view,
            base: None,
            vars: &vars,
        };
        for t in &tables {
            let hit = table::eval_table(t, &frame).map_err(|(src, e)| {
                let rule = format!("table {}", t.name);
                ScoreError::eval(&rule, Some(groups.label(ds, g)), &src, e)
            })?;
            for ((name, _), v) in t.outputs.iter().zip(hit.outputs.iter()) {
                grades.insert(name.clone(), value_json(ds, v));
            }
        }
    }
    Ok(out)
}

/// One round of scoring: measures, indicators, scorecard; records that fail are reported
/// as such.
fn score_once(plan: &Plan, ds: &Dataset) -> Result<Outcome, failed::Failed> {
    let mut cols = measure::computed(plan, ds)?;
    let groups = groups::Groups::new(plan, ds);
    let own = own::tallied(plan, ds, &cols, &groups);
    let keys = indicator::Keys::Data(ds);
    let mut outcome = results(plan, ds, &cols, &groups, keys, own, &ds.accounting)?;
    // the measures are no longer needed: their columns become the records' table
    outcome.records = reported(plan, ds, &mut cols);
    outcome.accounting = accounting(plan, &ds.accounting);
    Ok(outcome)
}

/// The accounting by collection name.
pub(crate) fn accounting(
    plan: &Plan,
    accounting: &[crate::data::Accounting],
) -> BTreeMap<String, crate::data::Accounting> {
    plan.collections
        .iter()
        .zip(accounting)
        .map(|(c, a)| (c.name.clone(), a.clone()))
        .collect()
}

/// The outcome from the indicators' own tallies (without its records and accounting,
/// which the caller gives): the indicators' results in every group, the tables on groups
/// and the scorecard. `ds` has the jurisdictions, and `cols` their measures; `accounting`
/// (by collection id) is the whole run's, which says what the results lack.
pub(crate) fn results(
    plan: &Plan,
    ds: &Dataset,
    cols: &[column::Column],
    groups: &groups::Groups,
    keys: indicator::Keys,
    own: Vec<Result<Option<own::Own>, failed::Failed>>,
    accounting: &[crate::data::Accounting],
) -> Result<Outcome, failed::Failed> {
    let (mut results, values) = indicator::evaluate(plan, ds, cols, groups, keys, own)?;
    let lacking = incomplete::of_indicators(plan, accounting);
    for (i, lacks) in lacking.iter().enumerate() {
        if let Some(lacks) = lacks {
            incomplete::apply(plan, i, lacks, &mut results[i]);
        }
    }
    let provisional = incomplete::provisional(plan, &lacking);
    let mut grades = group_grades(plan, ds, cols, groups, &results, &values)?;
    let mut overall_ind = BTreeMap::new();
    let mut per_group: Vec<BTreeMap<String, crate::outcome::IndicatorResult>> =
        vec![BTreeMap::new(); groups.count()];
    let mut scores: Vec<Vec<points::Points>> = vec![Vec::new(); groups.count() + 1];
    for (ind, res) in plan.indicators.iter().zip(results) {
        for (g, (r, pts)) in res.into_iter().enumerate() {
            scores[g].push(pts);
            if g == groups.count() {
                overall_ind.insert(ind.id.clone(), r);
            } else {
                per_group[g].insert(ind.id.clone(), r);
            }
        }
    }
    let vars = ds.period_vars();
    let scorecard_of = |g: usize| -> Result<Option<crate::outcome::ScorecardResult>, ScoreError> {
        match &plan.scorecard {
            Some(sc) => {
                let group = if g == groups.count() {
                    "overall".to_string()
                } else {
                    format!("group '{}'", groups.key(ds, g))
                };
                let mut s = scorecard::evaluate(plan, sc, &scores[g], &vars, ds, &group)?;
                s.provisional = provisional;
                Ok(Some(s))
            }
            None => Ok(None),
        }
    };
    let mut group_out = BTreeMap::new();
    for (g, inds) in per_group.into_iter().enumerate() {
        group_out.insert(
            groups.key(ds, g),
            GroupResult {
                name: groups.name(ds, g),
                parent: groups.parent(ds, g),
                indicators: inds,
                scorecard: scorecard_of(g)?,
                grades: std::mem::take(&mut grades[g]),
            },
        );
    }
    Ok(Outcome {
        format: crate::outcome::FORMAT,
        engine: concat!("scorecard ", env!("CARGO_PKG_VERSION")).to_string(),
        pack: plan.meta.clone(),
        period: ds.period(),
        accounting: BTreeMap::new(),
        incomplete: incomplete::summary(plan, accounting, &lacking),
        records: BTreeMap::new(),
        indicators: overall_ind,
        scorecard: scorecard_of(groups.count())?,
        grades: std::mem::take(&mut grades[groups.count()]),
        groups: group_out,
    })
}
