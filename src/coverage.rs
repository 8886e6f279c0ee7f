//! Rule coverage: which parts of a pack a set of datasets (a pack's fixtures) exercised,
//! as `opa test --coverage` shows for policies. Table rows and bands that fired, each
//! indicator's outcomes seen (met, not met, not applicable, in any jurisdiction), the
//! scorecard's actions reached, the script functions called; each with where it is in
//! the pack, and counted, so that what was never exercised stands out.
//!
//! Rows of tables on a collection are counted for every record the run kept (their
//! conditions evaluated again over the run's measures, as `explain` does); bands of a
//! table that grades the scorecard's total, for every jurisdiction's total; rows of tables
//! on the scorecard or on groups are not followed (they are listed with no count).

use crate::data::Dataset;
use crate::eval::table::eval_table;
use crate::eval::ScoreError;
use crate::expr::eval::Frame;
use crate::outcome::{IndicatorResult, Outcome};
use crate::plan::{Plan, TableBody, TableOn};
use serde::Serialize;

/// What the runs added so far exercised of one pack.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Coverage {
    /// The pack's name.
    pub pack: String,
    /// Each table's rows or bands, in the pack's order.
    pub tables: Vec<TableCoverage>,
    /// Each indicator's outcomes.
    pub indicators: Vec<IndicatorCoverage>,
    /// The scorecard's actions.
    pub actions: Vec<Hits>,
    /// The script functions.
    pub scripts: Vec<Hits>,
    /// How many runs were added.
    pub runs: u64,
    /// Script calls when the counting started (the counters live in the plan).
    #[serde(skip)]
    calls_before: Vec<u64>,
}

/// One table's rows or bands.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct TableCoverage {
    /// The table's name.
    pub table: String,
    /// Whether its rows are followed (`false` for tables on the scorecard's rows or on
    /// groups): a row with no count there is not known to be unexercised.
    pub followed: bool,
    /// Its rows or bands, in the pack's order (`rows[0]`, `bands[2]`).
    pub entries: Vec<Hits>,
    /// How many times no row matched (the default, or no value).
    pub defaulted: u64,
}

/// Something of a pack and how many times it was exercised.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Hits {
    /// What it is: `rows[0]`, `bands[1]`, an action, a function's name.
    pub what: String,
    /// Where it is: `file:line:col` (a script function: its file).
    pub at: String,
    /// How many times.
    pub hits: u64,
}

/// The outcomes one indicator had, counted over the overall result and every
/// jurisdiction's.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct IndicatorCoverage {
    /// The indicator's id.
    pub id: String,
    /// Met.
    pub met: u64,
    /// Not met.
    pub not_met: u64,
    /// Not applicable (0 ÷ 0, no members).
    pub not_applicable: u64,
    /// Applicable, with no target to meet (a count, a figure reported as it is).
    pub no_target: u64,
}

impl Coverage {
    /// Nothing exercised yet of `plan`'s rules.
    pub fn new(plan: &Plan) -> Coverage {
        let tables = plan
            .tables
            .iter()
            .map(|t| TableCoverage {
                table: t.name.clone(),
                followed: match (&t.on, &t.body) {
                    (TableOn::Coll(_), _) => true,
                    (TableOn::Scorecard, TableBody::Bands { .. }) => plan
                        .scorecard
                        .as_ref()
                        .and_then(|s| s.grade)
                        .is_some_and(|(g, _)| plan.tables[g].name == t.name),
                    _ => false,
                },
                entries: match &t.body {
                    TableBody::Rows(rows) => rows
                        .iter()
                        .enumerate()
                        .map(|(i, r)| Hits {
                            what: format!("rows[{i}]"),
                            at: r.loc.clone(),
                            hits: 0,
                        })
                        .collect(),
                    // by their place in the pack (the compiled bands are sorted by bound)
                    TableBody::Bands { bands, .. } => {
                        let mut b: Vec<&crate::plan::Band> = bands.iter().collect();
                        b.sort_by_key(|b| b.at);
                        b.into_iter()
                            .map(|b| Hits {
                                what: format!("bands[{}]", b.at),
                                at: b.loc.clone(),
                                hits: 0,
                            })
                            .collect()
                    }
                },
                defaulted: 0,
            })
            .collect();
        let actions = plan
            .scorecard
            .iter()
            .flat_map(|s| &s.actions)
            .map(|a| Hits {
                what: a.action.clone(),
                at: a.loc.clone(),
                hits: 0,
            })
            .collect();
        Coverage {
            pack: plan.meta.name.clone(),
            tables,
            indicators: plan
                .indicators
                .iter()
                .map(|i| IndicatorCoverage {
                    id: i.id.clone(),
                    met: 0,
                    not_met: 0,
                    not_applicable: 0,
                    no_target: 0,
                })
                .collect(),
            actions,
            scripts: plan
                .scripts
                .iter()
                .map(|f| Hits {
                    what: f.name.clone(),
                    at: f.file.clone(),
                    hits: 0,
                })
                .collect(),
            runs: 0,
            calls_before: plan.scripts.iter().map(|f| f.calls()).collect(),
        }
    }

    /// Scores `ds` and adds what the run exercised; the outcome, or the run's error.
    pub fn add(&mut self, plan: &Plan, ds: &Dataset) -> Result<Outcome, ScoreError> {
        let (outcome, kept) = crate::eval::settled(plan, ds)?;
        let ds = kept.as_ref().unwrap_or(ds);
        self.runs += 1;
        self.add_rows(plan, ds)?;
        self.add_outcome(plan, &outcome);
        for ((h, f), before) in self
            .scripts
            .iter_mut()
            .zip(&plan.scripts)
            .zip(&self.calls_before)
        {
            h.hits = f.calls() - before;
        }
        Ok(outcome)
    }

    /// Counts the rows and bands that fire for each record of tables on collections.
    fn add_rows(&mut self, plan: &Plan, ds: &Dataset) -> Result<(), ScoreError> {
        let cols = crate::eval::measure::compute(plan, ds)?;
        let view = crate::eval::measure::View { ds, cols: &cols };
        let vars = ds.period_vars();
        for (t, cov) in plan.tables.iter().zip(&mut self.tables) {
            let TableOn::Coll(c) = t.on else { continue };
            for i in 0..ds.colls[c as usize].len() {
                let frame = Frame {
                    data: &view,
                    base: Some((c, i as u32)),
                    vars: vars.record(),
                };
                let hit = eval_table(t, &frame).map_err(|(src, e)| {
                    ScoreError::eval(&format!("table {}", t.name), None, &src, e)
                })?;
                if hit.fired.as_slice().is_empty() {
                    cov.defaulted += 1;
                }
                for &k in hit.fired.as_slice() {
                    cov.entries[entry(&t.body, k)].hits += 1;
                }
            }
        }
        Ok(())
    }

    /// Counts the indicators' outcomes, the actions and the grading bands of the overall
    /// result and of every jurisdiction.
    fn add_outcome(&mut self, plan: &Plan, o: &Outcome) {
        let results = std::iter::once((&o.indicators, &o.scorecard))
            .chain(o.groups.values().map(|g| (&g.indicators, &g.scorecard)));
        let grading = plan
            .scorecard
            .as_ref()
            .and_then(|s| s.grade)
            .map(|(t, _)| t);
        for (indicators, card) in results {
            for (id, r) in indicators {
                if let Some(c) = self.indicators.iter_mut().find(|c| &c.id == id) {
                    count(c, r);
                }
            }
            let Some(card) = card else { continue };
            for a in &card.actions {
                if let Some(h) = self.actions.iter_mut().find(|h| h.what == a.action) {
                    h.hits += 1;
                }
            }
            let (Some(g), Some(total)) = (grading, card.total.as_ref()) else {
                continue;
            };
            let body = &plan.tables[g].body;
            if let TableBody::Bands { bands, .. } = body {
                if let Some(k) = crate::eval::table::band_of(bands, total.number()) {
                    self.tables[g].entries[entry(body, k)].hits += 1;
                }
            }
        }
    }

    /// What was never exercised, each as `file:line:col: what`: rows and bands of
    /// followed tables, actions, script functions, and indicators never met or never not
    /// met.
    pub fn missed(&self) -> Vec<String> {
        let mut out = Vec::new();
        for t in self.tables.iter().filter(|t| t.followed) {
            for h in t.entries.iter().filter(|h| h.hits == 0) {
                out.push(format!(
                    "{}: table {} {} never fired",
                    h.at, t.table, h.what
                ));
            }
        }
        for h in self.actions.iter().filter(|h| h.hits == 0) {
            out.push(format!("{}: action '{}' never reached", h.at, h.what));
        }
        for h in self.scripts.iter().filter(|h| h.hits == 0) {
            out.push(format!("{}: script function {} never called", h.at, h.what));
        }
        out
    }

    /// Rows and bands of followed tables that fired, and how many there are.
    pub fn fired(&self) -> (usize, usize) {
        let entries = self
            .tables
            .iter()
            .filter(|t| t.followed)
            .flat_map(|t| &t.entries);
        let all: Vec<&Hits> = entries.collect();
        (all.iter().filter(|h| h.hits > 0).count(), all.len())
    }
}

/// Counts one indicator result.
fn count(c: &mut IndicatorCoverage, r: &IndicatorResult) {
    match r.met {
        Some(true) => c.met += 1,
        Some(false) => c.not_met += 1,
        None if !r.applicable => c.not_applicable += 1,
        None => c.no_target += 1,
    }
}

/// The entry of row or band `k` of a table (as it fired: bands sorted by bound) in the
/// coverage's list, which is in the pack's order.
fn entry(body: &TableBody, k: usize) -> usize {
    match body {
        TableBody::Rows(_) => k,
        TableBody::Bands { bands, .. } => bands[k].at,
    }
}
