//! `rate`: members meeting a condition ÷ members × 100 (覆盖率, 合格率).

use super::*;
use crate::expr::compile::Expr;
use crate::pack::spec::PopulationSpec;

/// A rate's fields.
#[derive(Debug, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Spec {
    population: PopulationSpec,
    /// The condition a member must meet to count in the numerator.
    numerator: String,
}

#[derive(Debug)]
pub(crate) struct Rate {
    numerator: Expr,
}

impl CompileKind for Spec {
    type Rule = Rate;
    fn compile(self, cx: &mut KindCx) -> Option<Rate> {
        cx.population(&self.population)?;
        Some(Rate {
            numerator: cx.condition(&self.numerator, "numerator")?,
        })
    }
}

impl Kind for Rate {
    fn name(&self) -> &'static str {
        "rate"
    }
    fn is_percent(&self) -> bool {
        true
    }
    fn evidence_of(&self) -> &'static str {
        "not meeting the numerator"
    }
    fn member(&self, m: &MemberCx) -> Result<Contribution, ScoreError> {
        Ok(Contribution::meeting(m.condition(&self.numerator)?))
    }
    fn value(&self, t: &Tally, g: &GroupCx) -> Result<Valued, ScoreError> {
        Ok(Valued::of_members_meeting(t.share_meeting(g)?, t))
    }
}
