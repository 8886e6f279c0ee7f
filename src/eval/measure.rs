//! Measures: computed column by column (one measure for every record of its collection),
//! in the plan's dependency order.

use super::pass::Pass;
use super::related::{aggregate_target, record_date, Rule, Taken};
use super::column::Column;
use super::failed::Failed;
use super::ScoreError;
use crate::data::Dataset;
use crate::expr::compile::MeasureId;
use crate::expr::eval::{compare, Data, Frame, NONE};
use crate::expr::vars::PeriodVars;
use crate::num::Number;
use crate::plan::{Agg, MeasureKind, Plan};
use crate::value::{CollId, Value};
use chrono::NaiveDate;
use std::cmp::Ordering;
use std::collections::HashMap;

/// The dataset and the measures computed so far, as expressions see them.
pub struct View<'a> {
    /// The dataset.
    pub ds: &'a Dataset,
    /// Measure columns by measure id (empty until computed).
    pub(crate) cols: &'a [Column],
}

impl Data for View<'_> {
    fn record(&self, coll: CollId, idx: u32) -> &[Value] {
        self.ds.colls[coll as usize].row(idx as usize)
    }
    fn measure(&self, m: MeasureId, idx: u32) -> &Value {
        self.cols
            .get(m as usize)
            .and_then(|c| c.get(idx as usize))
            .unwrap_or(&NONE)
    }
}

/// Related records grouped by the record they reference (compressed rows).
struct Related {
    offsets: Vec<u32>,
    items: Vec<u32>,
}

impl Related {
    fn build(ds: &Dataset, over: CollId, via: &crate::plan::Via, targets: usize) -> Related {
        let rows = &ds.colls[over as usize];
        let target = |r: &[Value]| super::related::via_target(ds, via, r).filter(|t| (*t as usize) < targets);
        let mut counts = vec![0u32; targets + 1];
        for r in rows.rows() {
            if let Some(t) = target(r) {
                counts[t as usize + 1] += 1;
            }
        }
        for i in 1..counts.len() {
            counts[i] += counts[i - 1];
        }
        let offsets = counts.clone();
        let mut next = counts;
        let mut items = vec![0u32; rows.len()];
        for (i, r) in rows.rows().enumerate() {
            if let Some(t) = target(r) {
                items[next[t as usize] as usize] = i as u32;
                next[t as usize] += 1;
            }
        }
        Related { offsets, items }
    }

    fn of(&self, t: usize) -> &[u32] {
        &self.items[self.offsets[t] as usize..self.offsets[t + 1] as usize]
    }
}

/// The running state of one aggregation.
#[derive(Clone, Default)]
pub(super) struct AggAcc {
    count: u64,
    sum: Number,
    best: Option<(Value, Option<NaiveDate>)>,
    list: Vec<(Option<NaiveDate>, Value)>,
}

impl AggAcc {
    /// Adds a related record (its value, when the aggregation takes one, and its date).
    /// Related records come in key order, so among equal dates the later key wins `latest`.
    pub(super) fn add(
        &mut self,
        agg: Agg,
        v: Option<&Value>,
        date: Option<NaiveDate>,
    ) -> Result<(), String> {
        self.count += 1;
        let Some(v) = v else { return Ok(()) };
        let missing = || {
            format!("a value is missing; {agg:?} needs one for every record it counts (filter such records out with \"where\")")
        };
        match agg {
            Agg::Count => {}
            Agg::Sum | Agg::Mean => match v.num() {
                Some(x) => {
                    self.sum = std::mem::take(&mut self.sum)
                        .add(x)
                        .map_err(|e| e.to_string())?
                }
                None => return Err(missing()),
            },
            Agg::Min | Agg::Max if v.is_none() => return Err(missing()),
            Agg::Min | Agg::Max | Agg::Latest => self.offer(agg, v, date),
            Agg::List => self.list.push((date, v.clone())),
        }
        Ok(())
    }

    /// Keeps `v` as the best so far when it is: strictly smaller (min) or larger (max), so
    /// the first of equals stays; or dated no earlier (latest), so the last of equals wins.
    fn offer(&mut self, agg: Agg, v: &Value, date: Option<NaiveDate>) {
        let better = match &self.best {
            None => true,
            Some((b, bd)) => match agg {
                Agg::Latest => date >= *bd,
                _ => {
                    let o = compare(v, b).unwrap_or(Ordering::Equal);
                    (agg == Agg::Min && o == Ordering::Less)
                        || (agg == Agg::Max && o == Ordering::Greater)
                }
            },
        };
        if better {
            self.best = Some((v.clone(), date));
        }
    }

    /// Adds what `later` saw (records that come after all of this one's, in key order):
    /// the same as if this one had seen them all, one by one.
    pub(super) fn merge(&mut self, agg: Agg, later: AggAcc) -> Result<(), crate::num::ArithError> {
        self.count += later.count;
        if !later.sum.is_zero() {
            self.sum = std::mem::take(&mut self.sum).add(later.sum)?;
        }
        if let Some((v, d)) = later.best {
            self.offer(agg, &v, d);
        }
        self.list.extend(later.list);
        Ok(())
    }

    pub(super) fn value(mut self, agg: Agg) -> Result<Value, crate::num::ArithError> {
        Ok(match agg {
            Agg::Count => Value::int(self.count as i128),
            Agg::Sum => Value::from(self.sum),
            Agg::Mean if self.count == 0 => Value::None,
            Agg::Mean => Value::from(self.sum.div(Number::from_int(self.count as i128))?),
            Agg::Min | Agg::Max | Agg::Latest => self.best.map(|b| b.0).unwrap_or(Value::None),
            Agg::List => {
                // in date order (stable: equal dates stay in key order)
                self.list.sort_by_key(|(d, _)| *d);
                Value::List(self.list.into_iter().map(|(_, v)| v).collect())
            }
        })
    }
}

/// Computes every measure for every record (its column, by measure id); an error is the
/// first failing record's.
pub(crate) fn compute(plan: &Plan, ds: &Dataset) -> Result<Vec<Column>, ScoreError> {
    computed(plan, ds).map_err(Failed::first)
}

/// Computes every measure for every record (its column, by measure id); when records fail,
/// every record that fails on the first measure (in evaluation order) that fails.
pub(crate) fn computed(plan: &Plan, ds: &Dataset) -> Result<Vec<Column>, Failed> {
    let mut cols: Vec<Column> = (0..plan.measures.len()).map(|_| Column::default()).collect();
    let mut related: HashMap<(CollId, crate::plan::Via), Related> = HashMap::new();
    let vars = ds.period_vars();
    // measures already computed: with another output of their table, or in a shared pass
    let mut done = vec![false; plan.measures.len()];
    for &m in &plan.measure_order {
        if done[m as usize] {
            continue;
        }
        let meas = &plan.measures[m as usize];
        let coll = meas.coll;
        let n = ds.colls[coll as usize].len();
        let cname = &plan.collections[coll as usize].name;
        let rule = format!("measure {cname}.{}", meas.name);
        let rec = |i: usize| Some(format!("{cname} '{}'", ds.colls[coll as usize].key(i)));
        let view = View { ds, cols: &cols };
        // a table is evaluated once per record for all the measures that take its outputs
        // (they depend on the same things, so they can all be computed here)
        if let MeasureKind::Table { table, .. } = meas.kind {
            for (j, col) in super::table_measure::columns(plan, &view, &vars, coll, table, &rule)? {
                cols[j] = col;
                done[j] = true;
            }
            continue;
        }
        if let MeasureKind::Scan(s) = &meas.kind {
            let col = super::scan::column(plan, &view, coll, s, &rule)?;
            cols[m as usize] = col.into();
            done[m as usize] = true;
            continue;
        }
        // aggregates that do not depend on the record they are for are one pass over the
        // related records, in order, together with the others of the same pass that read no
        // measures; when a record fails, the pass per record below says which, as it
        // always has
        if let Some(pass) = Pass::of(plan, ds, m, &done) {
            let group = pass.measures();
            if let Some(computed) = pass.run(plan, ds, &view, n) {
                for (j, col) in group.into_iter().zip(computed) {
                    cols[j as usize] = col.into();
                    done[j as usize] = true;
                }
                continue;
            }
        }
        let rule_of = Rule::of(plan, ds, m as usize);
        if let Some(r) = &rule_of {
            let targets = r.via.to(&plan.collections).map_or(0, |t| ds.colls[t as usize].len());
            related
                .entry((r.over, r.via.clone()))
                .or_insert_with(|| Related::build(ds, r.over, r.via, targets));
        }
        let names = Names {
            rule: &rule,
            coll,
            coll_name: cname,
        };
        let one = |i: usize| -> Result<Value, ScoreError> {
            match (&meas.kind, &rule_of) {
                (MeasureKind::Expr(e), _) => {
                    let frame = Frame {
                        data: &view,
                        base: Some((coll, i as u32)),
                        vars: vars.record(),
                    };
                    Ok(e.eval(&frame)
                        .map_err(|err| ScoreError::eval(&rule, rec(i), &e.src, err))?
                        .into_owned())
                }
                (MeasureKind::Aggregate { .. }, Some(r)) => aggregate(
                    r,
                    &related[&(r.over, r.via.clone())],
                    &view,
                    &vars,
                    &names,
                    i as u32,
                ),
                // computed above, with the table's other outputs
                _ => Ok(Value::None),
            }
        };
        cols[m as usize] = per_record(plan, coll, n, one)?.into();
        done[m as usize] = true;
    }
    Ok(cols)
}

/// How errors name an aggregate and the record it is for.
struct Names<'a> {
    /// `measure units.inspections`.
    rule: &'a str,
    coll: CollId,
    coll_name: &'a str,
}

/// The value of an aggregate for record `i`: its related records walked by `rule`, each
/// added to the accumulator (or to those of the buckets it falls in).
fn aggregate(
    rule: &Rule,
    related: &Related,
    view: &View,
    vars: &PeriodVars,
    names: &Names,
    i: u32,
) -> Result<Value, ScoreError> {
    let ds = view.ds;
    let orows = &ds.colls[rule.over as usize];
    let target = aggregate_target(ds.colls[names.coll as usize].row(i as usize), rule.key, i);
    let outer_vars = vars.with(Value::Rec(names.coll, i));
    // one accumulator, or one per window (allocated only then)
    let mut single = AggAcc::default();
    let mut per_bucket: Vec<AggAcc> = rule
        .buckets
        .as_ref()
        .map(|b| vec![AggAcc::default(); b.len()])
        .unwrap_or_default();
    for &j in target.map(|t| related.of(t as usize)).unwrap_or(&[]) {
        let row = orows.row(j as usize);
        let date = record_date(rule.collection, row);
        if !rule.in_scope(date, ds) {
            continue;
        }
        let frame = Frame {
            data: view,
            base: Some((rule.over, j)),
            vars: &outer_vars,
        };
        let orec = || {
            Some(format!(
                "{} '{}' (related to {} '{}')",
                rule.collection.name,
                orows.key(j as usize),
                names.coll_name,
                ds.colls[names.coll as usize].key(i as usize)
            ))
        };
        let v = match rule
            .take(&frame)
            .map_err(|(src, e)| ScoreError::eval(names.rule, orec(), src, e))?
        {
            Taken::Filtered => continue,
            Taken::Counted(v) => v,
        };
        let v = v.as_deref();
        let add = |acc: &mut AggAcc| {
            acc.add(rule.agg, v, date)
                .map_err(|message| ScoreError::Eval {
                    context: format!("{}, {}", names.rule, orec().unwrap_or_default()),
                    message,
                })
        };
        match rule.buckets {
            None => add(&mut single)?,
            Some(_) => {
                for k in rule.buckets_of(date) {
                    add(&mut per_bucket[k])?;
                }
            }
        }
    }
    let arith = |e: crate::num::ArithError| ScoreError::Eval {
        context: names.rule.to_string(),
        message: e.to_string(),
    };
    if rule.buckets.is_some() {
        let vals: Result<Vec<Value>, _> =
            per_bucket.into_iter().map(|a| a.value(rule.agg)).collect();
        Ok(Value::List(vals.map_err(arith)?.into()))
    } else {
        single.value(rule.agg).map_err(arith)
    }
}

/// Computes something for records `0..n` of `coll` in parallel, in order. When records
/// fail, all of them, in key order, whatever the threads did (found again, in order, only
/// when one failed).
pub(super) fn per_record<T: Send>(
    plan: &Plan,
    coll: CollId,
    n: usize,
    one: impl Fn(usize) -> Result<T, ScoreError> + Sync,
) -> Result<Vec<T>, Failed> {
    match crate::stack::try_map(plan.script_stack, n, &one) {
        Ok(all) => Ok(all),
        // a script out of time stops the run: no second pass over every record
        Err(e) if e.stops_run() => Err(Failed::Other(e)),
        Err(e) => {
            let failed = crate::stack::try_map(plan.script_stack, n, |i| {
                Ok::<_, ScoreError>(one(i).err().map(|e| (i as u32, e)))
            })
            .map(|all| all.into_iter().flatten().collect())
            .unwrap_or_default();
            Err(Failed::records(coll, failed, e))
        }
    }
}
