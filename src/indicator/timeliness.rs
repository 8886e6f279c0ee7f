//! `timeliness`: members submitted by their due date ÷ members × 100 (reports due within
//! 5 working days), listing each late member with its days late. A deadline is missed
//! only once its last day has passed: submitted on the due date is on time, and not yet
//! submitted on the assessment date when that is the due date is not yet due.

use super::*;
use crate::calendar::Calendar;
use crate::expr::compile::Expr;
use crate::outcome::Late;
use crate::pack::spec::PopulationSpec;
use std::sync::Arc;

/// A timeliness indicator's fields.
#[derive(Debug, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Spec {
    population: PopulationSpec,
    /// The date each member is due.
    due: String,
    /// The date each member was submitted (no value: not yet).
    submitted: String,
}

#[derive(Debug)]
pub(crate) struct Timeliness {
    due: Expr,
    submitted: Expr,
    /// The pack's calendar, for working days late.
    calendar: Option<Arc<Calendar>>,
}

impl CompileKind for Spec {
    type Rule = Timeliness;
    fn compile(self, cx: &mut KindCx) -> Option<Timeliness> {
        cx.population(&self.population)?;
        let due = cx.date(&self.due, "due");
        let submitted = cx.date(&self.submitted, "submitted");
        Some(Timeliness {
            due: due?,
            submitted: submitted?,
            calendar: cx.calendar(),
        })
    }
}

impl Kind for Timeliness {
    fn name(&self) -> &'static str {
        "timeliness"
    }
    fn tally_shape(&self) -> super::TallyShape {
        super::TallyShape { late: true, ..TallyShape::default() }
    }
    fn reads_period(&self) -> bool {
        true
    }
    fn is_percent(&self) -> bool {
        true
    }
    fn evidence_of(&self) -> &'static str {
        "late or not submitted"
    }
    fn member(&self, m: &MemberCx) -> Result<Contribution, ScoreError> {
        let Value::Date(due) = m.value(&self.due)? else {
            return Err(m.no_value(&self.due, "has no value; every member needs a due date"));
        };
        let submitted = match m.value(&self.submitted)? {
            Value::Date(s) => Some(s),
            _ => None,
        };
        // a deadline is missed only once its last day has passed: a member due on the
        // assessment date and not submitted may still be, that day (a submission on its
        // due date is on time)
        if submitted.is_none() && due >= m.as_of() {
            return Ok(Contribution {
                not_yet_due: true,
                ..Contribution::default()
            });
        }
        let on_time = submitted.is_some_and(|s| s <= due);
        Ok(Contribution {
            late: (!on_time).then_some((due, submitted)),
            ..Contribution::meeting(on_time)
        })
    }
    fn value(&self, t: &Tally, g: &GroupCx) -> Result<Valued, ScoreError> {
        Ok(Valued::of_members_meeting(t.share_meeting(g)?, t))
    }
    fn late(&self, t: &Tally, g: &GroupCx) -> Option<Vec<Late>> {
        let as_of = g.ds.period.as_of;
        Some(
            t.late
                .iter()
                .map(|(i, due, submitted)| {
                    let until = submitted.unwrap_or(as_of);
                    Late {
                        key: g.keys.key(g.coll, *i).to_string(),
                        due: due.to_string(),
                        submitted: submitted.map(|s| s.to_string()),
                        days_late: (until - *due).num_days().to_string(),
                        working_days_late: self
                            .calendar
                            .as_ref()
                            .and_then(|c| c.working_days_between(*due, until).ok())
                            .map(|n| n.to_string()),
                    }
                })
                .collect(),
        )
    }
}
