//! Validity rules (`invalid_when`): which used records a collection's rules reject, and
//! why. The rules see the records' fields and measures, computed over every record that
//! passed the field checks, keys, references and `include` (the data as read); the
//! records they reject are then taken out by `data::resolve`, and everything after,
//! measures included, is computed without them. A record is judged once, so the result
//! does not depend on an order of removal. The measures are computed for the rules only
//! when a rule reads one.

use super::measure::{compute, View};
use crate::data::Dataset;
use crate::expr::eval::Frame;
use crate::plan::Plan;
use crate::value::CollId;

/// The records the rules reject, per collection: their positions among the collection's
/// used records (key order) and the reason of the first rule that holds. `Err` when a rule
/// (or a measure it reads) cannot be evaluated: the first such record in key order.
pub(crate) fn rejected(plan: &Plan, ds: &Dataset) -> Result<Vec<Vec<(u32, String)>>, String> {
    // the measures are computed only for rules that read one
    let reads_measures = plan
        .collections
        .iter()
        .flat_map(|c| &c.invalid_when)
        .any(|(when, _)| when.uses_measures());
    let cols = if reads_measures {
        compute(plan, ds).map_err(|e| e.to_string())?
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
        let judge = |i: usize| -> Result<Option<String>, String> {
            let frame = Frame {
                data: &view,
                base: Some((ci as CollId, i as u32)),
                vars: vars.record(),
            };
            for (when, reason) in &c.invalid_when {
                let holds = when.eval_bool(&frame).map_err(|e| {
                    format!(
                        "{} '{}': the validity rule `{}` failed: {e}",
                        c.name,
                        records.key(i),
                        when.src
                    )
                })?;
                if holds {
                    return Ok(Some(format!("invalid: {reason}")));
                }
            }
            Ok(None)
        };
        let n = records.rows.len();
        let judged = crate::stack::try_map(plan.script_stack, n, judge)
            // the error of the first record in key order, whatever the threads did first
            .map_err(|e| (0..n).find_map(|i| judge(i).err()).unwrap_or(e))?;
        out.push(
            judged
                .into_iter()
                .enumerate()
                .filter_map(|(i, r)| r.map(|why| (i as u32, why)))
                .collect(),
        );
    }
    Ok(out)
}
