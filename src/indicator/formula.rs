//! `formula`: an expression over the results of other indicators in the same group (their
//! values, met and points): growth over last year, a difference, a ratio of two sums. It
//! has no members of its own: `eval::indicator` computes it in each group from theirs.

use super::*;
use crate::expr::compile::{Expr, Ty};
use crate::expr::eval::{Data, Frame, NONE};
use crate::expr::compile::MeasureId;
use crate::value::CollId;

/// A formula's fields.
#[derive(Debug, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// The expression: `(a_count - a_count_last_year) / a_count_last_year * 100`, with
    /// `x_met` and `x_points` for an indicator `x`'s met and points.
    value: String,
}

#[derive(Debug)]
pub(crate) struct Formula {
    value: Expr,
    /// The variables it reads (slots after the period's three).
    read: Vec<u16>,
}

impl CompileKind for Spec {
    type Rule = Formula;
    const COMPARES_OTHERS: bool = true;
    fn compile(self, cx: &mut KindCx) -> Option<Formula> {
        let (value, read) = cx.over_indicators(&self.value, "value", &Ty::Num)?;
        let Some(first) = read.first() else {
            cx.diag("value", "a formula reads at least one indicator (its value, met or points)".into());
            return None;
        };
        cx.members_of_indicator(((first - 3) / 3) as usize);
        Some(Formula { value, read })
    }
}

/// No records: a formula reads only variables.
struct NoRecords;

impl Data for NoRecords {
    fn record(&self, _: CollId, _: u32) -> &[Value] {
        &[]
    }
    fn measure(&self, _: MeasureId, _: u32) -> &Value {
        &NONE
    }
}

impl Kind for Formula {
    fn name(&self) -> &'static str {
        "formula"
    }
    fn evidence_of(&self) -> &'static str {
        "none (a formula computes from other indicators)"
    }
    fn of_others(&self) -> bool {
        true
    }
    fn value_of_others(&self, o: &Others) -> Result<FromOthers, String> {
        let vars = o.vars();
        // not applicable where an indicator it reads is (no value, or no met or points)
        if self.read.iter().any(|s| vars[*s as usize].is_none()) {
            return Ok(FromOthers::default());
        }
        let frame = Frame {
            data: &NoRecords,
            base: None,
            vars: &vars,
        };
        let v = self
            .value
            .eval(&frame)
            .map_err(|e| format!("in `{}`: {}", self.value.src, e.in_src(&self.value.src)))?;
        Ok(FromOthers {
            value: v.num(),
            ..FromOthers::default()
        })
    }
    fn member(&self, _: &MemberCx) -> Result<Contribution, ScoreError> {
        Ok(Contribution::meeting(true))
    }
    fn value(&self, _: &Tally, _: &GroupCx) -> Result<Valued, ScoreError> {
        Ok(Valued::default())
    }
}
