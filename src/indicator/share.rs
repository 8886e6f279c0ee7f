//! `share`: members whose category is among some values ÷ members × 100 (A/B grades among
//! all graded), with the members per category.

use super::*;
use crate::expr::compile::{Expr, Ty};
use crate::pack::spec::PopulationSpec;

/// A share's fields.
#[derive(Debug, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Spec {
    population: PopulationSpec,
    /// The member's category (e.g. `grade`).
    of: String,
    /// The categories counted (e.g. `["A", "B"]`).
    #[serde(rename = "in")]
    among: Vec<serde_json::Value>,
}

#[derive(Debug)]
pub(crate) struct Share {
    of: Expr,
    among: Vec<Value>,
}

impl CompileKind for Spec {
    type Rule = Share;
    fn compile(self, cx: &mut KindCx) -> Option<Share> {
        cx.population(&self.population)?;
        let of = cx.expression(&self.of, "of")?;
        let mut among = Vec::new();
        for (i, v) in self.among.iter().enumerate() {
            let at = cx.path("in").index(i);
            let (value, ty) = cx.literal(v, &at)?;
            if ty != of.ty && of.ty != Ty::Any {
                let message = format!("'of' gives {}, this is {}", cx.ty_name(&of.ty), cx.ty_name(&ty));
                cx.diag_at(&at, message);
                return None;
            }
            among.push(value);
        }
        Some(Share { of, among })
    }
}

impl Kind for Share {
    fn name(&self) -> &'static str {
        "share"
    }
    fn tally_shape(&self) -> super::TallyShape {
        super::TallyShape { categories: true, ..TallyShape::default() }
    }
    fn is_percent(&self) -> bool {
        true
    }
    fn shows_breakdown(&self) -> bool {
        true
    }
    fn evidence_of(&self) -> &'static str {
        "not among the categories counted"
    }
    fn member(&self, m: &MemberCx) -> Result<Contribution, ScoreError> {
        let v = m.value(&self.of)?;
        let meets = self.among.contains(&v);
        Ok(Contribution {
            category: Some(m.category(std::borrow::Cow::Owned(v)).into_owned()),
            ..Contribution::meeting(meets)
        })
    }
    #[inline]
    fn add(&self, m: &MemberCx, t: &mut Tally, at: u32, cap: usize) -> Result<(), ScoreError> {
        // what `member` gives, added without a contribution and without cloning the value
        let v = m.value_lent(&self.of)?;
        if let Some(c) = self.class_of(&v, m.ds()) {
            t.add_class(&c, at, cap);
        }
        Ok(())
    }
    fn member_value(&self) -> Option<&Expr> {
        Some(&self.of)
    }
    #[inline]
    fn class_of<'v>(&self, v: &'v Value, ds: &crate::data::Dataset) -> Option<Class<'v>> {
        let meets = self.among.contains(v);
        Some(Class {
            meets,
            evidence: !meets,
            category: Some(crate::eval::indicator::category(ds, std::borrow::Cow::Borrowed(v))),
        })
    }
    fn value(&self, t: &Tally, g: &GroupCx) -> Result<Valued, ScoreError> {
        Ok(Valued::of_members_meeting(t.share_meeting(g)?, t))
    }
}
