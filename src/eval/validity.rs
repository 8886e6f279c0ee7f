//! Validity rules (`invalid_when`): which used records a collection's rules reject, and
//! why. The rules see the records' fields and measures, computed over every record that
//! passed the field checks, keys, references and `include` (the data as read); the
//! records they reject are then taken out by `data::resolve`, and everything after,
//! measures included, is computed without them. A record is judged once, so the result
//! does not depend on an order of removal. The measures are computed for the rules only
//! when a rule reads one.

use super::failed::Failed;
use super::measure::{computed, View};
use super::ScoreError;
use crate::data::Dataset;
use crate::expr::eval::Frame;
use crate::plan::Plan;
use crate::value::CollId;

/// The records the rules reject, per collection: their positions among the collection's
/// used records (key order) and the reason of the first rule that holds. When records
/// cannot be judged (a rule, or a measure it reads, fails for them): all those of the
/// first collection (or measure) where any fails, each with its error.
pub(crate) fn rejected(plan: &Plan, ds: &Dataset) -> Result<Vec<Vec<(u32, String)>>, Failed> {
    let reads_measures = plan
        .collections
        .iter()
        .flat_map(|c| &c.invalid_when)
        .any(|(when, _)| when.uses_measures());
    let cols = if reads_measures {
        computed(plan, ds)?
    } else {
        Vec::new()
    };
    let view = View { ds, cols: &cols };
    let vars = ds.period_vars();
    let mut out = Vec::with_capacity(plan.collections.len());
    for (ci, c) in plan.collections.iter().enumerate() {
        if c.invalid_when.is_empty() {
            out.push(Vec::new());
            continue;
        }
        let records = &ds.colls[ci];
        let judge = |i: usize| -> Result<Option<String>, ScoreError> {
            let frame = Frame {
                data: &view,
                base: Some((ci as CollId, i as u32)),
                vars: vars.record(),
            };
            for (k, (when, reason)) in c.invalid_when.iter().enumerate() {
                let holds = when.eval_bool(&frame).map_err(|e| {
                    let rule = format!("validity rule {}.invalid_when[{k}]", c.name);
                    let record = format!("{} '{}'", c.name, records.key(i));
                    ScoreError::eval(&rule, Some(record), &when.src, e)
                })?;
                if holds {
                    return Ok(Some(format!("invalid: {reason}")));
                }
            }
            Ok(None)
        };
        // every record judged; those that cannot be, all of them, in key order
        // each record judged, its failure kept; one that stops the run stops the judging
        let judged = crate::stack::try_map(plan.script_stack, records.len(), |i| match judge(i) {
            Err(e) if e.stops_run() => Err(e),
            j => Ok(j),
        })
        .map_err(Failed::Other)?;
        let mut invalid = Vec::new();
        let mut failed = Vec::new();
        for (i, j) in judged.into_iter().enumerate() {
            match j {
                Ok(Some(why)) => invalid.push((i as u32, why)),
                Ok(None) => {}
                Err(e) => failed.push((i as u32, e)),
            }
        }
        if !failed.is_empty() {
            return Err(Failed::Records(ci as CollId, failed));
        }
        out.push(invalid);
    }
    Ok(out)
}
