//! `sum`: Σ a number over the members (a sum over none is 0).

use super::*;
use crate::expr::compile::Expr;
use crate::pack::spec::PopulationSpec;

/// A sum's fields.
#[derive(Debug, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Spec {
    population: PopulationSpec,
    /// The number per member.
    value: String,
}

#[derive(Debug)]
pub(crate) struct Sum {
    value: Expr,
}

impl CompileKind for Spec {
    type Rule = Sum;
    fn compile(self, cx: &mut KindCx) -> Option<Sum> {
        cx.population(&self.population)?;
        Some(Sum {
            value: cx.number(&self.value, "value")?,
        })
    }
}

impl Kind for Sum {
    fn name(&self) -> &'static str {
        "sum"
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
    fn value(&self, t: &Tally, _: &GroupCx) -> Result<Valued, ScoreError> {
        Ok(Valued::over_members(Some(t.sum.clone()), t))
    }
}
