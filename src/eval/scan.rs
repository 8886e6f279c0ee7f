//! Scans ([`MeasureKind::Scan`](crate::plan::MeasureKind::Scan)): the records that share
//! the scan's field are taken in date order (a record with no date first, then key
//! order), and a state is carried from one to the next; each record's value is the state
//! after it. Groups are independent, so they run in parallel, and the result is the same
//! on any number of threads.

use super::failed::Failed;
use super::measure::View;
use super::ScoreError;
use crate::expr::eval::Frame;
use crate::plan::{Plan, Scan};
use crate::value::{CollId, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// A record of a group and its state after it (or why it has none).
type Stepped = (u32, Result<Value, ScoreError>);

/// What takes records together: the record a reference points at, or a text.
#[derive(Hash, PartialEq, Eq)]
enum Together<'a> {
    Record(CollId, u32),
    Text(&'a str),
    /// No value: the record on its own.
    Alone(u32),
}

/// The scan's column for every record of `coll`: the state after each; when records fail,
/// the first failing record of each group (the group's later records depend on it).
pub(super) fn column(
    plan: &Plan,
    view: &View,
    coll: CollId,
    scan: &Scan,
    rule: &str,
) -> Result<Vec<Value>, Failed> {
    let ds = view.ds;
    let c = &ds.colls[coll as usize];
    let mut index: HashMap<Together, usize> = HashMap::new();
    let mut groups: Vec<Vec<u32>> = Vec::new();
    for (i, r) in c.rows().enumerate() {
        let key = match &r[scan.by as usize] {
            Value::Rec(t, j) => Together::Record(*t, *j),
            v @ (Value::Str(_) | Value::Short(_)) => Together::Text(v.as_str().unwrap_or_default()),
            _ => Together::Alone(i as u32),
        };
        let g = *index.entry(key).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[g].push(i as u32);
    }
    // in date order; a stable sort keeps key order among records of one day
    let date = |i: u32| match c.row(i as usize)[scan.date as usize] {
        Value::Date(d) => Some(d),
        _ => None,
    };
    for g in &mut groups {
        g.sort_by_key(|&i| date(i));
    }
    let vars = ds.period_vars();
    let width = scan.fields.len();
    let run = |g: usize| -> Result<Vec<Stepped>, ScoreError> {
        let members = &groups[g];
        let mut out = Vec::with_capacity(members.len());
        let failed = |i: u32, src: &str, err| {
            ScoreError::eval(rule, Some(format!("{} '{}'", plan.collections[coll as usize].name, c.key(i as usize))), src, err)
        };
        let Some(&first) = members.first() else {
            return Ok(out);
        };
        let frame = Frame {
            data: view,
            base: Some((coll, first)),
            vars: vars.record(),
        };
        let mut initial: Vec<Value> = Vec::with_capacity(width);
        for e in &scan.initial {
            match e.eval(&frame) {
                Ok(v) => initial.push(v.into_owned()),
                Err(err) => {
                    out.push((first, Err(failed(first, &e.src, err))));
                    return Ok(out);
                }
            }
        }
        // shared by the record after which it holds and the step of the next one
        let mut state: Arc<[Value]> = initial.into();
        for &i in members {
            let before = Value::Item(state.clone(), 0, width as u16);
            let mut vars = vars.with(before).to_vec();
            for e in &scan.with {
                let frame = Frame {
                    data: view,
                    base: Some((coll, i)),
                    vars: &vars,
                };
                match e.eval(&frame) {
                    Ok(v) => {
                        let v = v.into_owned();
                        vars.push(v);
                    }
                    Err(err) => {
                        let e = failed(i, &e.src, err);
                        if e.stops_run() {
                            return Err(e);
                        }
                        out.push((i, Err(e)));
                        return Ok(out);
                    }
                }
            }
            let frame = Frame {
                data: view,
                base: Some((coll, i)),
                vars: &vars,
            };
            let mut next = Vec::with_capacity(width);
            for (k, e) in scan.step.iter().enumerate() {
                match e {
                    None => next.push(state[k].clone()),
                    Some(e) => match e.eval(&frame) {
                        Ok(v) => next.push(v.into_owned()),
                        Err(err) => {
                            let e = failed(i, &e.src, err);
                        if e.stops_run() {
                            return Err(e);
                        }
                        out.push((i, Err(e)));
                            return Ok(out);
                        }
                    },
                }
            }
            state = next.into();
            out.push((i, Ok(Value::Item(state.clone(), 0, width as u16))));
        }
        Ok(out)
    };
    let results = crate::stack::try_map(plan.script_stack, groups.len(), run).map_err(Failed::Other)?;
    let mut col = vec![Value::None; c.len()];
    let mut bad = Vec::new();
    for (i, r) in results.into_iter().flatten() {
        match r {
            Ok(v) => col[i as usize] = v,
            Err(e) => bad.push((i, e)),
        }
    }
    if bad.is_empty() {
        return Ok(col);
    }
    let first = ScoreError::Internal("a scan failed".into());
    Err(Failed::records(coll, bad, first))
}
