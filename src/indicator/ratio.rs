//! `ratio`: Σ numerator ÷ Σ denominator × 100 over the members (信息报告率 = reported ÷
//! found), where no member's numerator may exceed its own denominator.

use super::*;
use crate::expr::compile::Expr;
use crate::pack::spec::PopulationSpec;

/// A ratio's fields.
#[derive(Debug, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Spec {
    population: PopulationSpec,
    /// The number summed as numerator.
    numerator: String,
    /// The number summed as denominator.
    denominator: String,
}

#[derive(Debug)]
pub(crate) struct Ratio {
    numerator: Expr,
    denominator: Expr,
}

impl CompileKind for Spec {
    type Rule = Ratio;
    fn compile(self, cx: &mut KindCx) -> Option<Ratio> {
        cx.population(&self.population)?;
        let numerator = cx.number(&self.numerator, "numerator");
        let denominator = cx.number(&self.denominator, "denominator");
        Some(Ratio {
            numerator: numerator?,
            denominator: denominator?,
        })
    }
}

impl Kind for Ratio {
    fn name(&self) -> &'static str {
        "ratio"
    }
    fn is_percent(&self) -> bool {
        true
    }
    fn evidence_of(&self) -> &'static str {
        "numerator below denominator"
    }
    fn member(&self, m: &MemberCx) -> Result<Contribution, ScoreError> {
        let (n, d) = (m.number(&self.numerator)?, m.number(&self.denominator)?);
        if n.is_negative() || d.is_negative() {
            return Err(m.bad_input(&format!("a negative count ({n} ÷ {d}) is bad input")));
        }
        if n > d {
            return Err(m.bad_input(&format!(
                "the numerator {n} exceeds the denominator {d}; a rate above 100% is bad input (a quotient indicator has no such limit)"
            )));
        }
        Ok(Contribution {
            ratio: Some((n.clone(), d.clone())),
            ..Contribution::meeting(n >= d)
        })
    }
    fn value(&self, t: &Tally, g: &GroupCx) -> Result<Valued, ScoreError> {
        // every member's numerator is at most its denominator (checked per member), so the
        // sums are too
        let value = if t.den.is_zero() {
            None
        } else {
            Some(g.arith(
                t.num
                    .clone()
                    .mul(Number::from_int(100))
                    .and_then(|x| x.div(t.den.clone())),
            )?)
        };
        Ok(Valued {
            value,
            numerator: Some(t.num.to_exact_string()),
            denominator: Some(t.den.to_exact_string()),
        })
    }
}
