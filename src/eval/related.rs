//! The walk over an aggregate's related records, written once: which related records an
//! aggregate counts, with what value, and why it leaves the others out. Measures (record
//! by record, and the shared passes over all related records) and `explain` all go
//! through [`Rule`], so that an explanation shows exactly what was computed.

use super::measure::View;
use super::ScoreError;
use crate::data::Dataset;
use crate::dates::add_months;
use crate::expr::compile::Expr;
use crate::expr::eval::{EvalError, Frame, Val};
use crate::plan::{Agg, Collection, MeasureKind, Per, Plan, Window};
use crate::value::{CollId, Value};
use chrono::{Datelike, NaiveDate};

/// Whether a date falls in a window of the run's period.
#[inline]
pub fn in_window(w: Window, d: Option<NaiveDate>, ds: &Dataset) -> bool {
    let p = &ds.period;
    match (w, d) {
        (Window::All, _) => true,
        (_, None) => false,
        (Window::Period, Some(d)) => p.from <= d && d <= p.to,
        (Window::Months(n), Some(d)) => {
            add_months(p.as_of, -(n as i64)).is_some_and(|start| start < d) && d <= p.as_of
        }
        (Window::Days(n), Some(d)) => (p.as_of - d).num_days() < n as i64 && d <= p.as_of,
    }
}

/// The windows of a `per` aggregation: calendar periods clipped to the run's period, or
/// the terms of a collection (in key order), each inclusive.
pub(crate) fn buckets(per: &Per, ds: &Dataset) -> Vec<(NaiveDate, NaiveDate)> {
    let p = &ds.period;
    match per {
        Per::Months(span) => {
            let span = *span;
            let m0 = (p.from.month0() / span) * span;
            let mut start = NaiveDate::from_ymd_opt(p.from.year(), m0 + 1, 1).unwrap_or(p.from);
            let mut out = Vec::new();
            while start <= p.to && out.len() < 1200 {
                let next = add_months(start, span as i64).unwrap_or(p.to);
                let end = next.pred_opt().unwrap_or(next);
                out.push((start.max(p.from), end.min(p.to)));
                start = next;
            }
            out
        }
        Per::Weeks => {
            let mut start =
                p.from - chrono::Duration::days(p.from.weekday().num_days_from_monday() as i64);
            let mut out = Vec::new();
            while start <= p.to && out.len() < 600 {
                let end = start + chrono::Duration::days(6);
                out.push((start.max(p.from), end.min(p.to)));
                start = end + chrono::Duration::days(1);
            }
            out
        }
        Per::Terms { coll, from, to } => ds.colls[*coll as usize]
            .rows()
            .filter_map(|r| match (&r[*from as usize], &r[*to as usize]) {
                (Value::Date(a), Value::Date(b)) => Some((*a, *b)),
                _ => None,
            })
            .collect(),
    }
}

/// The date of a record, when its collection has a date field and the record a date.
#[inline]
pub(crate) fn record_date(c: &Collection, row: &[Value]) -> Option<NaiveDate> {
    c.date_slot.and_then(|s| match row[s as usize] {
        Value::Date(d) => Some(d),
        _ => None,
    })
}

/// The record whose related records an aggregate sees: record `idx` itself, or with
/// `match` the record its reference field `key` points at.
pub(crate) fn aggregate_target(row: &[Value], key: Option<u16>, idx: u32) -> Option<u32> {
    match key {
        None => Some(idx),
        Some(k) => match row[k as usize] {
            Value::Rec(_, t) => Some(t),
            _ => None,
        },
    }
}

/// What an aggregate makes of one related record in its window.
pub(crate) enum Taken<'v> {
    /// Its `where` is false: left out.
    Filtered,
    /// Counted, with its value when the aggregation takes one.
    Counted(Option<Val<'v>>),
}

/// The record a related record's reference path leads to (its position in the path's
/// last collection): the first field's record, then each next field's of that record;
/// none where a step has no record.
#[inline]
pub(crate) fn via_target(ds: &Dataset, via: &crate::plan::Via, row: &[Value]) -> Option<u32> {
    let mut steps = via.steps.iter();
    let &(_, first) = steps.next()?;
    let Value::Rec(mut c, mut i) = *row.get(first as usize)? else {
        return None;
    };
    for &(_, slot) in steps {
        match *ds.colls[c as usize].get(i as usize)?.get(slot as usize)? {
            Value::Rec(c2, i2) => (c, i) = (c2, i2),
            _ => return None,
        }
    }
    Some(i)
}

/// An aggregate measure's rule for its related records.
pub(crate) struct Rule<'p> {
    /// The aggregation.
    pub agg: Agg,
    /// The related collection.
    pub over: CollId,
    /// Its reference (or path) that points at the record the aggregate is for.
    pub via: &'p crate::plan::Via,
    /// With `match`: the reference field of the record whose related records it counts.
    pub key: Option<u16>,
    /// The condition on the related records.
    pub filter: Option<&'p Expr>,
    /// The value per related record.
    pub value: Option<&'p Expr>,
    /// The window, when there are no per-window buckets.
    pub window: Window,
    /// The windows of a per-window aggregate (computed once for the run).
    pub buckets: Option<Vec<(NaiveDate, NaiveDate)>>,
    /// The related collection as the plan declares it.
    pub collection: &'p Collection,
}

impl<'p> Rule<'p> {
    /// The rule of measure `m`, when it is an aggregate.
    pub fn of(plan: &'p Plan, ds: &Dataset, m: usize) -> Option<Rule<'p>> {
        let MeasureKind::Aggregate {
            agg,
            over,
            via,
            key,
            filter,
            value,
            window,
            per,
        } = &plan.measures[m].kind
        else {
            return None;
        };
        Some(Rule {
            agg: *agg,
            over: *over,
            via,
            key: *key,
            filter: filter.as_ref(),
            value: value.as_ref(),
            window: *window,
            buckets: per.as_ref().map(|p| buckets(p, ds)),
            collection: &plan.collections[*over as usize],
        })
    }

    /// Whether the aggregate reads `outer` (the record it is for).
    pub fn reads_outer(&self) -> bool {
        [self.filter, self.value]
            .into_iter()
            .flatten()
            .any(|e| e.uses_var(crate::expr::vars::OUTER))
    }

    /// Whether a related record dated `date` is in the aggregate's window (with buckets:
    /// in one of them).
    #[inline]
    pub fn in_scope(&self, date: Option<NaiveDate>, ds: &Dataset) -> bool {
        match &self.buckets {
            None => in_window(self.window, date, ds),
            Some(b) => date.is_some_and(|d| b.iter().any(|(lo, hi)| *lo <= d && d <= *hi)),
        }
    }

    /// The buckets a related record dated `date` counts in, by index.
    pub fn buckets_of(&self, date: Option<NaiveDate>) -> impl Iterator<Item = usize> + '_ {
        self.buckets
            .iter()
            .flatten()
            .enumerate()
            .filter(move |(_, (lo, hi))| date.is_some_and(|d| *lo <= d && d <= *hi))
            .map(|(k, _)| k)
    }

    /// What the aggregate makes of the related record in scope of `frame` (its `where`,
    /// then its value); an error carries the failing expression's source.
    #[inline(always)]
    pub fn take<'v>(&self, frame: &Frame<'v>) -> Result<Taken<'v>, (&'p str, EvalError)>
    where
        'p: 'v,
    {
        if let Some(f) = self.filter {
            if !f.eval_bool(frame).map_err(|e| (&*f.src, e))? {
                return Ok(Taken::Filtered);
            }
        }
        match self.value {
            Some(e) => Ok(Taken::Counted(Some(
                e.eval(frame).map_err(|err| (&*e.src, err))?,
            ))),
            None => Ok(Taken::Counted(None)),
        }
    }

    /// The related records of record `idx` of `coll`, in key order: each with its date,
    /// and what the aggregate made of it (`None`: outside its window). Used by `explain`;
    /// the measure computation walks the same way through [`Rule::in_scope`] and
    /// [`Rule::take`], over an index of the related records.
    #[allow(clippy::type_complexity)]
    pub fn walk<'v>(
        &self,
        view: &'v View<'v>,
        vars: &'v [Value],
        (coll, idx): (CollId, u32),
        (rule, record): (&str, &str),
    ) -> Result<Vec<(u32, Option<NaiveDate>, Option<Taken<'v>>)>, ScoreError>
    where
        'p: 'v,
    {
        let ds = view.ds;
        let row = ds.colls[coll as usize].row(idx as usize);
        let target = aggregate_target(row, self.key, idx);
        let related = &ds.colls[self.over as usize];
        let mut out = Vec::new();
        for (j, r) in related.rows().enumerate() {
            let points_at = target.is_some() && via_target(ds, self.via, r) == target;
            if !points_at {
                continue;
            }
            let date = record_date(self.collection, r);
            if !self.in_scope(date, ds) {
                out.push((j as u32, date, None));
                continue;
            }
            let frame = Frame {
                data: view,
                base: Some((self.over, j as u32)),
                vars,
            };
            let taken = self.take(&frame).map_err(|(src, e)| {
                let rec = format!(
                    "{} '{}' (related to {record})",
                    self.collection.name,
                    related.key(j)
                );
                ScoreError::eval(rule, Some(rec), src, e)
            })?;
            out.push((j as u32, date, Some(taken)));
        }
        Ok(out)
    }
}
