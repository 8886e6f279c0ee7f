//! `each`: every member must meet a requirement (每户, 每所); the value is the share that do.

use super::*;
use crate::expr::compile::Expr;
use crate::pack::spec::PopulationSpec;

/// An each indicator's fields.
#[derive(Debug, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Spec {
    population: PopulationSpec,
    /// The requirement every member must meet.
    require: String,
}

#[derive(Debug)]
pub(crate) struct Each {
    require: Expr,
}

impl CompileKind for Spec {
    type Rule = Each;
    fn compile(self, cx: &mut KindCx) -> Option<Each> {
        cx.population(&self.population)?;
        Some(Each {
            require: cx.condition(&self.require, "require")?,
        })
    }
}

impl Kind for Each {
    fn name(&self) -> &'static str {
        "each"
    }
    fn is_percent(&self) -> bool {
        true
    }
    fn every_member(&self) -> bool {
        true
    }
    fn evidence_of(&self) -> &'static str {
        "not meeting the requirement"
    }
    fn member(&self, m: &MemberCx) -> Result<Contribution, ScoreError> {
        Ok(Contribution::meeting(m.condition(&self.require)?))
    }
    fn value(&self, t: &Tally, g: &GroupCx) -> Result<Valued, ScoreError> {
        Ok(Valued::of_members_meeting(t.share_meeting(g)?, t))
    }
}
