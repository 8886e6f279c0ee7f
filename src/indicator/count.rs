//! `count`: the number of members (监督户次).

use super::*;
use crate::pack::spec::PopulationSpec;

/// A count's fields.
#[derive(Debug, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Spec {
    population: PopulationSpec,
}

#[derive(Debug)]
pub(crate) struct Count;

impl CompileKind for Spec {
    type Rule = Count;
    fn compile(self, cx: &mut KindCx) -> Option<Count> {
        cx.population(&self.population)?;
        Some(Count)
    }
}

impl Kind for Count {
    fn name(&self) -> &'static str {
        "count"
    }
    fn tally_shape(&self) -> super::TallyShape {
        super::TallyShape { every_member_listed: true, ..TallyShape::default() }
    }
    fn is_whole(&self) -> bool {
        true
    }
    fn member(&self, _: &MemberCx) -> Result<Contribution, ScoreError> {
        Ok(Contribution::listed())
    }
    fn value(&self, t: &Tally, _: &GroupCx) -> Result<Valued, ScoreError> {
        Ok(Valued {
            value: Some(Number::from_int(t.members as i128)),
            ..Valued::default()
        })
    }
}
