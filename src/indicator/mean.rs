//! `mean`: Σ a number ÷ members, exact (no value without members).

use super::*;
use crate::expr::compile::Expr;
use crate::pack::spec::PopulationSpec;

/// A mean's fields.
#[derive(Debug, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Spec {
    population: PopulationSpec,
    /// The number per member.
    value: String,
}

#[derive(Debug)]
pub(crate) struct Mean {
    value: Expr,
}

impl CompileKind for Spec {
    type Rule = Mean;
    fn compile(self, cx: &mut KindCx) -> Option<Mean> {
        cx.population(&self.population)?;
        Some(Mean {
            value: cx.number(&self.value, "value")?,
        })
    }
}

impl Kind for Mean {
    fn name(&self) -> &'static str {
        "mean"
    }
    fn tally_shape(&self) -> super::TallyShape {
        super::TallyShape { every_member_listed: true, ..TallyShape::default() }
    }
    fn member(&self, m: &MemberCx) -> Result<Contribution, ScoreError> {
        Ok(Contribution {
            number: Some(m.number(&self.value)?),
            ..Contribution::listed()
        })
    }
    fn value(&self, t: &Tally, g: &GroupCx) -> Result<Valued, ScoreError> {
        let value = if t.members == 0 {
            None
        } else {
            Some(g.arith(t.sum.clone().div(Number::from_int(t.members as i128)))?)
        };
        Ok(Valued::over_members(value, t))
    }
}
