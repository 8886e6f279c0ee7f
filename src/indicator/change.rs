//! `change`: the value of one indicator less that of another in each group (this year
//! against last year's baseline); not applicable where either is. It has no members of its
//! own: `eval::indicator` computes it from the two indicators' values.

use super::*;

/// A change's fields.
#[derive(Debug, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// The indicator whose value is compared.
    current: String,
    /// The indicator it is compared with.
    baseline: String,
}

#[derive(Debug)]
pub(crate) struct Change {
    current: usize,
    baseline: usize,
}

impl CompileKind for Spec {
    type Rule = Change;
    const COMPARES_OTHERS: bool = true;
    fn compile(self, cx: &mut KindCx) -> Option<Change> {
        let current = cx.compared("current", &self.current);
        let baseline = cx.compared("baseline", &self.baseline);
        let (current, baseline) = (current?, baseline?);
        cx.members_of_indicator(current);
        Some(Change { current, baseline })
    }
}

impl Kind for Change {
    fn name(&self) -> &'static str {
        "change"
    }
    fn evidence_of(&self) -> &'static str {
        "none (a change compares two indicators)"
    }
    fn of_others(&self) -> bool {
        true
    }
    fn value_of_others(&self, o: &Others) -> Result<FromOthers, String> {
        let (c, b) = (&o.values[self.current], &o.values[self.baseline]);
        let value = match (c, b) {
            (Some(c), Some(b)) => Some(c.clone().sub(b.clone()).map_err(|e| e.to_string())?),
            _ => None,
        };
        Ok(FromOthers {
            value,
            current: c.as_ref().map(|x| x.to_exact_string()),
            baseline: b.as_ref().map(|x| x.to_exact_string()),
        })
    }
    fn member(&self, _: &MemberCx) -> Result<Contribution, ScoreError> {
        Ok(Contribution::meeting(true))
    }
    fn value(&self, _: &Tally, _: &GroupCx) -> Result<Valued, ScoreError> {
        Ok(Valued::default())
    }
}
