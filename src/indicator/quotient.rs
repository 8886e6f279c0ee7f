//! `quotient`: Σ numerator ÷ Σ denominator over the members, as it is (no × 100, no cap):
//! inspections per supervised unit, average processing days, cases per officer.

use super::*;
use crate::expr::compile::Expr;
use crate::pack::spec::PopulationSpec;

/// A quotient's fields.
#[derive(Debug, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Spec {
    population: PopulationSpec,
    /// The number summed as numerator (e.g. a unit's visits).
    numerator: String,
    /// The number summed as denominator (e.g. `1` per unit supervised).
    denominator: String,
}

#[derive(Debug)]
pub(crate) struct Quotient {
    numerator: Expr,
    denominator: Expr,
}

impl CompileKind for Spec {
    type Rule = Quotient;
    fn compile(self, cx: &mut KindCx) -> Option<Quotient> {
        cx.population(&self.population)?;
        let numerator = cx.number(&self.numerator, "numerator");
        let denominator = cx.number(&self.denominator, "denominator");
        Some(Quotient {
            numerator: numerator?,
            denominator: denominator?,
        })
    }
}

impl Kind for Quotient {
    fn name(&self) -> &'static str {
        "quotient"
    }
    fn tally_shape(&self) -> super::TallyShape {
        super::TallyShape { every_member_listed: true, ..TallyShape::default() }
    }
    fn member(&self, m: &MemberCx) -> Result<Contribution, ScoreError> {
        let (n, d) = (m.number(&self.numerator)?, m.number(&self.denominator)?);
        Ok(Contribution {
            ratio: Some((n, d)),
            ..Contribution::listed()
        })
    }
    fn value(&self, t: &Tally, g: &GroupCx) -> Result<Valued, ScoreError> {
        // no value over a denominator that sums to 0 (not applicable), whatever the numerator
        let value = if t.den.is_zero() {
            None
        } else {
            Some(g.arith(t.num.clone().div(t.den.clone()))?)
        };
        Ok(Valued {
            value,
            numerator: Some(t.num.to_exact_string()),
            denominator: Some(t.den.to_exact_string()),
        })
    }
}
