//! Scoring a dataset with a plan: measures per record ([`measure`]), tables
//! ([`table`]), indicators per jurisdiction ([`indicator`]) and the scorecard
//! ([`scorecard`]), assembled into an [`Outcome`].

pub mod indicator;
pub mod measure;
pub mod scorecard;
pub mod table;

use crate::data::{DataError, Dataset};
use crate::expr::eval::EvalError;
use crate::outcome::{GroupResult, Outcome};
use crate::plan::Plan;
use crate::value::Value;
use std::collections::BTreeMap;

/// Why scoring failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
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
    /// A bug: an unexpected panic was caught. Please report it.
    #[error("internal error (please report): {0}")]
    Internal(String),
}

impl ScoreError {
    pub(crate) fn eval(rule: &str, record: Option<String>, expr: &str, e: EvalError) -> ScoreError {
        let rec = record.map(|r| format!(", {r}")).unwrap_or_default();
        ScoreError::Eval {
            context: format!("{rule}{rec}, in `{expr}` at character {}", e.pos + 1),
            message: e.message,
        }
    }
}

/// JSON form of a measure value for the outcome.
pub(crate) fn value_json(ds: &Dataset, v: &Value) -> serde_json::Value {
    match v {
        Value::None => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Num(n) => serde_json::Value::String(n.to_exact_string()),
        Value::Str(s) => serde_json::Value::String(s.to_string()),
        Value::Date(d) => serde_json::Value::String(d.to_string()),
        Value::Rec(c, i) => {
            serde_json::Value::String(ds.colls[*c as usize].keys[*i as usize].to_string())
        }
        Value::Item(_) => serde_json::Value::String("(item)".into()),
        Value::List(l) => serde_json::Value::Array(l.iter().map(|x| value_json(ds, x)).collect()),
    }
}

/// Scores a dataset that was read against this plan.
pub fn score(plan: &Plan, ds: &Dataset) -> Result<Outcome, ScoreError> {
    let cols = measure::compute(plan, ds)?;

    let mut records: BTreeMap<String, BTreeMap<String, BTreeMap<String, serde_json::Value>>> =
        BTreeMap::new();
    for (ci, c) in plan.collections.iter().enumerate() {
        let shown: Vec<u32> = c
            .measures
            .iter()
            .copied()
            .filter(|m| plan.measures[*m as usize].report)
            .collect();
        if shown.is_empty() {
            continue;
        }
        let out = records.entry(c.name.clone()).or_default();
        for (i, key) in ds.colls[ci].keys.iter().enumerate() {
            let mut m = BTreeMap::new();
            for &id in &shown {
                m.insert(
                    plan.measures[id as usize].name.clone(),
                    value_json(ds, &cols[id as usize][i]),
                );
            }
            out.insert(key.to_string(), m);
        }
    }

    let groups = indicator::Groups::new(plan, ds);
    let results = indicator::evaluate(plan, ds, &cols, &groups)?;
    let mut overall_ind = BTreeMap::new();
    let mut per_group: Vec<BTreeMap<String, crate::outcome::IndicatorResult>> =
        vec![BTreeMap::new(); groups.count()];
    let mut scores: Vec<Vec<indicator::Points>> = vec![Vec::new(); groups.count() + 1];
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
    let vars = ds.record_vars();
    let scorecard_of = |g: usize| -> Result<Option<crate::outcome::ScorecardResult>, ScoreError> {
        match &plan.scorecard {
            Some(sc) => scorecard::evaluate(plan, sc, &scores[g], &vars, ds).map(Some),
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
            },
        );
    }
    let accounting = plan
        .collections
        .iter()
        .zip(&ds.accounting)
        .map(|(c, a)| (c.name.clone(), a.clone()))
        .collect();
    Ok(Outcome {
        pack: plan.meta.clone(),
        period: ds.period,
        accounting,
        records,
        indicators: overall_ind,
        scorecard: scorecard_of(groups.count())?,
        groups: group_out,
    })
}
