//! The scorecard: sections of weighted indicator points, a total, a grade, actions.
//!
//! Points of indicators that are not applicable and `excluded` leave the maximum, and
//! the rest is scaled up to full (as 合理缺项 is in a standardised score): a section
//! scores `earned × max ÷ applicable max`, and the total likewise over sections.

use super::points::Points;
use super::table::eval_table;
use super::ScoreError;
use crate::data::{Dataset, Fields};
use crate::expr::eval::Frame;
use crate::num::{ArithError, Number};
use crate::outcome::{ActionResult, Exact, ScorecardResult, SectionResult};
use crate::plan::{Plan, Scorecard};
use crate::value::Value;

/// Where a scorecard computation failed: the section (if any) and the group.
fn arith(
    group: &str,
    section: Option<&str>,
    r: Result<Number, ArithError>,
) -> Result<Number, ScoreError> {
    r.map_err(|e| ScoreError::Eval {
        context: match section {
            Some(s) => format!("scorecard, section '{s}', {group}"),
            None => format!("scorecard total, {group}"),
        },
        message: e.to_string(),
    })
}

/// Scores one group from the points of its indicators (in plan order); `group` names it
/// in errors (`group 'T01'`, or `overall`).
pub(crate) fn evaluate(
    plan: &Plan,
    sc: &Scorecard,
    pts: &[Points],
    vars: &crate::expr::vars::PeriodVars,
    ds: &Dataset,
    group: &str,
) -> Result<ScorecardResult, ScoreError> {
    let r = sc.rounding;
    let exact = |n: &Number| Exact::new(n.clone(), r.digits, r.mode);
    let mut sections = Vec::new();
    let (mut sum, mut app_max, mut all_max) = (Number::ZERO, Number::ZERO, Number::ZERO);
    for s in &sc.sections {
        let arith = |r| arith(group, Some(&s.name), r);
        let (mut earned, mut smax, mut full) = (Number::ZERO, Number::ZERO, Number::ZERO);
        for &i in &s.indicators {
            let p = &pts[i];
            let f = p.full.clone().unwrap_or(Number::ZERO);
            full = arith(full.add(f.clone()))?;
            if !p.excluded {
                smax = arith(smax.add(f))?;
                earned = arith(earned.add(p.points.clone().unwrap_or(Number::ZERO)))?;
            }
        }
        let max = s.weight.clone().unwrap_or(full);
        let score = if smax.is_zero() {
            None
        } else {
            Some(arith(
                earned
                    .clone()
                    .mul(max.clone())
                    .and_then(|x| x.div(smax.clone())),
            )?)
        };
        all_max = arith(all_max.add(max.clone()))?;
        if let Some(sc) = &score {
            sum = arith(sum.add(sc.clone()))?;
            app_max = arith(app_max.add(max.clone()))?;
        }
        sections.push(SectionResult {
            name: s.name.clone(),
            earned: exact(&earned),
            applicable_max: smax.to_exact_string(),
            score: score.as_ref().map(exact),
            max: max.to_exact_string(),
        });
    }
    let total = if app_max.is_zero() {
        None
    } else {
        Some(arith(
            group,
            None,
            sum.mul(all_max.clone()).and_then(|x| x.div(app_max)),
        )?)
    };
    let data = Fields(&ds.colls);
    let mut vars = vars.scorecard(
        total.clone().map(Value::from).unwrap_or(Value::None),
        Value::None,
    );
    let mut grade = None;
    if let (Some((t, out)), Some(_)) = (sc.grade, &total) {
        let table = &plan.tables[t];
        let frame = Frame {
            data: &data,
            base: None,
            vars: &vars,
        };
        let hit = eval_table(table, &frame).map_err(|(src, e)| {
            ScoreError::eval(
                &format!("scorecard grade (table {})", table.name),
                None,
                &src,
                e,
            )
        })?;
        if let Some(s) = hit.outputs[out].as_str() {
            grade = Some(s.to_string());
            vars[crate::expr::vars::GRADE as usize] = hit.outputs[out].clone();
        }
    }
    let mut actions = Vec::new();
    if total.is_some() {
        let frame = Frame {
            data: &data,
            base: None,
            vars: &vars,
        };
        for a in &sc.actions {
            if a.when
                .eval_bool(&frame)
                .map_err(|e| ScoreError::eval("scorecard action", None, &a.when.src, e))?
            {
                actions.push(ActionResult {
                    action: a.action.clone(),
                    because: a.when.src.to_string(),
                    note: a.note.clone(),
                });
            }
        }
    }
    Ok(ScorecardResult {
        provisional: false,
        total: total.as_ref().map(exact),
        max: all_max.to_exact_string(),
        grade,
        actions,
        sections,
    })
}
