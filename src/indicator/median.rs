//! `median`: the middle of a number over the members, exact (the mean of the two middle
//! values when there are an even number; no value without members). For skewed measures
//! such as days to report, where a mean is pulled by a few late ones.

use super::*;
use crate::expr::compile::Expr;
use crate::pack::spec::PopulationSpec;

/// A median's fields.
#[derive(Debug, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Spec {
    population: PopulationSpec,
    /// The number per member.
    value: String,
}

#[derive(Debug)]
pub(crate) struct Median {
    value: Expr,
}

impl CompileKind for Spec {
    type Rule = Median;
    fn compile(self, cx: &mut KindCx) -> Option<Median> {
        cx.population(&self.population)?;
        Some(Median {
            value: cx.number(&self.value, "value")?,
        })
    }
}

impl Kind for Median {
    fn name(&self) -> &'static str {
        "median"
    }
    fn tally_shape(&self) -> super::TallyShape {
        super::TallyShape { every_member_listed: true, values: true, ..TallyShape::default() }
    }
    fn member(&self, m: &MemberCx) -> Result<Contribution, ScoreError> {
        let x = m.number(&self.value)?;
        Ok(Contribution {
            kept: Some(Value::from(x)),
            ..Contribution::listed()
        })
    }
    fn value(&self, t: &Tally, g: &GroupCx) -> Result<Valued, ScoreError> {
        let mut xs: Vec<Number> = t.values.iter().filter_map(|(_, v)| v.num()).collect();
        xs.sort();
        let n = xs.len();
        let value = match n {
            0 => None,
            _ if n % 2 == 1 => Some(xs[n / 2].clone()),
            _ => {
                let pair = xs[n / 2 - 1].clone().add(xs[n / 2].clone());
                Some(g.arith(pair.and_then(|s| s.div(Number::from_int(2))))?)
            }
        };
        Ok(Valued::over_members(value, t))
    }
}
